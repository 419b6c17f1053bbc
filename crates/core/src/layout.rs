//! Layout of source text: statements, indentation, line endings; where inserted code goes.

use crate::Lang;
use ast_grep_core::Node;
use ast_grep_core::tree_sitter::StrDoc;
use ast_grep_language::SupportLang;
use std::ops::Range;

pub(crate) type SgNode<'r> = Node<'r, StrDoc<SupportLang>>;

/// Node kinds whose children are statements, per language.
fn is_statement_container(lang: Lang, kind: &str) -> bool {
    match lang {
        Lang::Python => matches!(kind, "module" | "block"),
        Lang::Yaml => false,
        Lang::TypeScript | Lang::Tsx | Lang::JavaScript => matches!(
            kind,
            "program" | "statement_block" | "switch_case" | "switch_default"
        ),
    }
}

/// The statement containing `node` (itself if it is one): its ancestor whose parent holds
/// statements. `None` when there is none (e.g. a class field initializer).
pub(crate) fn enclosing_statement<'r>(lang: Lang, node: &SgNode<'r>) -> Option<SgNode<'r>> {
    let mut current = node.clone();
    loop {
        let parent = current.parent()?;
        if is_statement_container(lang, &parent.kind()) {
            return Some(current);
        }
        current = parent;
    }
}

/// For nodes that all must see a new declaration: the statement before which to declare it — in
/// the innermost statement list containing them all, the statement containing the first.
pub(crate) fn statement_before_all<'r>(lang: Lang, nodes: &[SgNode<'r>]) -> Option<SgNode<'r>> {
    let first = nodes.iter().min_by_key(|n| n.range().start)?;
    // Candidate statements around the first node, innermost first.
    let mut candidate = enclosing_statement(lang, first)?;
    loop {
        let container = candidate.parent()?;
        let range = container.range();
        if nodes
            .iter()
            .all(|n| range.start <= n.range().start && n.range().end <= range.end)
        {
            return Some(candidate);
        }
        candidate = enclosing_statement(lang, &container)?;
    }
}

/// The line break the text uses (`\r\n` if it has any, else `\n`).
pub(crate) fn line_break(text: &str) -> &'static str {
    if text.contains("\r\n") { "\r\n" } else { "\n" }
}

/// The indentation of the line containing `offset`.
pub(crate) fn indentation_at(text: &str, offset: usize) -> &str {
    let start = line_start(text, offset);
    let line = &text[start..];
    &line[..line.len() - line.trim_start_matches([' ', '\t']).len()]
}

pub(crate) fn line_start(text: &str, offset: usize) -> usize {
    text[..offset].rfind('\n').map_or(0, |i| i + 1)
}

/// The offset of the end of the line containing `offset` (before its line break).
pub(crate) fn line_end(text: &str, offset: usize) -> usize {
    let end = text[offset..].find('\n').map_or(text.len(), |i| offset + i);
    if end > offset && text.as_bytes()[end - 1] == b'\r' && end < text.len() {
        end - 1
    } else {
        end
    }
}

/// The file's indentation unit: a tab, or the most common step between nested lines (2 or 4
/// spaces; 4 when the file does not say).
pub(crate) fn indent_unit(text: &str) -> String {
    let mut steps = [0usize; 9];
    let mut tabs = 0;
    let mut previous = 0usize;
    for line in text.lines() {
        if line.trim().is_empty() {
            continue;
        }
        if line.starts_with('\t') {
            tabs += 1;
        }
        let width = line.len() - line.trim_start_matches(' ').len();
        if width > previous && width - previous <= 8 {
            steps[width - previous] += 1;
        }
        previous = width;
    }
    if tabs > steps.iter().sum::<usize>() {
        return "\t".to_owned();
    }
    let step = if steps[2] > steps[4] { 2 } else { 4 };
    " ".repeat(step)
}

/// Indents a template's lines (written with 4-space steps) for a place whose indentation is
/// `indent`, in a file indented by `unit`, joined by `line_break`. Blank lines stay empty.
pub(crate) fn indent_block(template: &str, indent: &str, unit: &str, line_break: &str) -> String {
    let lines: Vec<String> = template
        .trim_end_matches(['\n', '\r'])
        .lines()
        .map(|line| {
            let line = line.trim_end_matches('\r');
            if line.trim().is_empty() {
                return String::new();
            }
            let spaces = line.len() - line.trim_start_matches(' ').len();
            format!(
                "{indent}{}{}{}",
                unit.repeat(spaces / 4),
                " ".repeat(spaces % 4),
                &line[spaces..]
            )
        })
        .collect();
    lines.join(line_break)
}

/// Where code inserted before `statement` goes: the start of its line, or of the comment lines
/// right above it (a comment describing a statement stays with it).
pub(crate) fn insertion_point_before(lang: Lang, text: &str, statement: Range<usize>) -> usize {
    let comment = if lang == Lang::Python { "#" } else { "//" };
    let mut start = line_start(text, statement.start);
    while start > 0 {
        let previous = line_start(text, start - 1);
        let line = text[previous..start].trim();
        let is_comment = line.starts_with(comment)
            || (lang != Lang::Python && (line.starts_with("/*") || line.starts_with('*')));
        if !is_comment || line.is_empty() {
            break;
        }
        start = previous;
    }
    start
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detects_indent_units() {
        assert_eq!(indent_unit("a {\n  b {\n    c\n  }\n}\n"), "  ");
        assert_eq!(indent_unit("a {\n    b\n}\n"), "    ");
        assert_eq!(indent_unit("a {\n\tb {\n\t\tc\n\t}\n}\n"), "\t");
        assert_eq!(indent_unit("flat\n"), "    ");
    }

    #[test]
    fn indents_blocks() {
        let block = indent_block("a({\n    b: 1,\n\n})\n", "  ", "  ", "\r\n");
        assert_eq!(block, "  a({\r\n    b: 1,\r\n\r\n  })");
    }

    #[test]
    fn line_ends_skip_carriage_returns() {
        let text = "ab\r\ncd";
        assert_eq!(line_end(text, 0), 2);
        assert_eq!(line_end(text, 4), 6);
        assert_eq!(line_start(text, 5), 4);
        assert_eq!(indentation_at("x\n    y", 7), "    ");
    }

    #[test]
    fn insertion_before_keeps_comments_with_their_statement() {
        let text = "a;\n\n// The cluster.\n// Second line.\nconst c = 1;\n";
        let at = text.find("const").unwrap();
        let point = insertion_point_before(Lang::TypeScript, text, at..at + 12);
        assert_eq!(
            &text[point..],
            "// The cluster.\n// Second line.\nconst c = 1;\n"
        );
    }
}
