//! Suppression comments:
//!
//! - `// iacfix-ignore: <id>[, <id>] <reason>` (`#` in Python and YAML) at the end of a line
//!   suppresses those codemods' findings on that line; alone on its line, on the next line;
//! - `// iacfix-ignore-file: <id>[, <id>] <reason>` among the comments at the top of a file
//!   suppresses them in the whole file.
//!
//! `all` stands for every codemod. Only real comments count (not strings), so a suppression
//! cannot be hidden in data.

use crate::Lang;
use crate::layout::SgNode;
use crate::text::Point;

/// Every suppression comment contains this.
pub(crate) const MARKER: &str = "iacfix-ignore";

/// A suppression comment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Suppression {
    /// Where the comment starts.
    pub at: Point,
    /// The codemod ids it names (`all` for every one).
    pub ids: Vec<String>,
    /// The line it covers (1-based); `None` for the whole file.
    pub line: Option<usize>,
}

impl Suppression {
    /// Whether it suppresses codemod `id` at `line`.
    pub fn covers(&self, id: &str, line: usize) -> bool {
        self.line.is_none_or(|l| l == line) && self.ids.iter().any(|i| i == id || i == "all")
    }
}

/// A suppression that suppressed nothing (for `--report-unused-suppressions`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnusedSuppression {
    pub at: Point,
    /// The ids of the comment that matched no finding.
    pub ids: Vec<String>,
}

/// The suppression comments of a parsed file.
pub(crate) fn suppressions(lang: Lang, root: &SgNode<'_>, text: &str) -> Vec<Suppression> {
    let mut found = Vec::new();
    let mut code_seen = false;
    for node in root.dfs() {
        let kind = node.kind();
        if !kind.contains("comment") {
            // Top-of-file: only comments before the first statement (a shebang or docstring
            // aside) take file-level suppressions.
            // (`parent()` costs the node's depth: asked only until the first statement.)
            if !code_seen
                && node.is_named()
                && node.parent().is_some_and(|p| p.parent().is_none())
                && !is_docstring(lang, &node)
            {
                code_seen = true;
            }
            continue;
        }
        let comment = node.text();
        let body = comment
            .trim_start_matches("//")
            .trim_start_matches("/*")
            .trim_start_matches('#')
            .trim_end_matches("*/")
            .trim();
        let (file_level, rest) = if let Some(rest) = body.strip_prefix("iacfix-ignore-file:") {
            (true, rest)
        } else if let Some(rest) = body.strip_prefix("iacfix-ignore:") {
            (false, rest)
        } else {
            continue;
        };
        let ids = parse_ids(rest);
        if ids.is_empty() {
            continue;
        }
        let start = node.range().start;
        let at = Point::of_offset(text, start);
        let line = if file_level {
            if code_seen {
                // Not at the top: an ordinary line suppression of the next line.
                Some(at.line + 1)
            } else {
                None
            }
        } else {
            let line_start = text[..start].rfind('\n').map_or(0, |i| i + 1);
            let alone = text[line_start..start].trim().is_empty();
            Some(if alone { at.line + 1 } else { at.line })
        };
        found.push(Suppression { at, ids, line });
    }
    found
}

fn is_docstring(lang: Lang, node: &SgNode<'_>) -> bool {
    lang == Lang::Python
        && node.kind() == "expression_statement"
        && node.children().next().is_some_and(|c| c.kind() == "string")
}

/// `a, b-c reason…` → `["a", "b-c"]`: ids are kebab-case words separated by commas; the reason
/// starts at the first word after an id not followed by a comma.
fn parse_ids(rest: &str) -> Vec<String> {
    let mut ids = Vec::new();
    let mut rest = rest.trim_start();
    loop {
        let end = rest
            .find(|c: char| !(c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'))
            .unwrap_or(rest.len());
        if end == 0 {
            break;
        }
        ids.push(rest[..end].to_owned());
        let after = rest[end..].trim_start();
        match after.strip_prefix(',') {
            Some(next) => rest = next.trim_start(),
            None => break,
        }
    }
    ids
}

#[cfg(test)]
mod tests {
    use super::*;
    use ast_grep_core::tree_sitter::LanguageExt;

    fn parse(lang: Lang, text: &str) -> Vec<Suppression> {
        let root = lang.support_lang().ast_grep(text);
        suppressions(lang, &root.root(), text)
    }

    #[test]
    fn ids_and_reasons() {
        assert_eq!(parse_ids(" a-b, c reason here"), ["a-b", "c"]);
        assert_eq!(parse_ids("all because"), ["all"]);
        assert!(parse_ids(" Because").is_empty());
    }

    #[test]
    fn line_and_next_line_and_file() {
        let text = "// iacfix-ignore-file: vpc-flow-logs legacy network\n\
                    import * as aws from \"@pulumi/aws\";\n\
                    const a = 1; // iacfix-ignore: route53-reserved-domain, s3-x tests only\n\
                    // iacfix-ignore: all generated\n\
                    const b = 2;\n\
                    const s = \"// iacfix-ignore: all not a comment\";\n";
        let found = parse(Lang::TypeScript, text);
        assert_eq!(found.len(), 3, "{found:?}");
        assert_eq!(
            (found[0].line, found[0].ids.clone()),
            (None, vec!["vpc-flow-logs".into()])
        );
        assert_eq!(found[1].line, Some(3));
        assert_eq!(found[1].ids, ["route53-reserved-domain", "s3-x"]);
        assert_eq!(found[2].line, Some(5));
        assert!(found[2].covers("anything", 5) && !found[2].covers("anything", 4));
    }

    #[test]
    fn python_comments_after_a_docstring_are_still_the_top() {
        let text = "\"\"\"Network.\"\"\"\n# iacfix-ignore-file: vpc-flow-logs\nimport pulumi\nx = 1  # iacfix-ignore: a\n# iacfix-ignore-file: b\ny = 2\n";
        let found = parse(Lang::Python, text);
        assert_eq!(found[0].line, None);
        assert_eq!(found[1].line, Some(4));
        // A file-level comment below code acts on the next line only.
        assert_eq!(found[2].line, Some(6));
    }
}
