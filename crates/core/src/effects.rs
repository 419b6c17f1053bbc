//! Turning a match into a fix: the rule's own edit (ast-grep's `fix`) plus the edits of its
//! effects (imports, inserted statements, other occurrences of a literal) and the dependencies it
//! needs. A fix is all or nothing: if an effect cannot be placed, the match keeps no fix.

use crate::Lang;
use crate::codemod::{Effect, OptionTarget, Place, RelatedRule, Rule, Var};
use crate::layout::{
    SgNode, enclosing_statement, indent_block, indent_unit, indentation_at, insertion_point_before,
    line_break, line_end, line_start, statement_before_all,
};
use crate::manifest::DependencyRequest;
use crate::options::{add_option, append_entry};
use crate::text::Edit;
use ast_grep_core::NodeMatch;
use ast_grep_core::tree_sitter::StrDoc;
use ast_grep_language::SupportLang;
use std::collections::HashMap;

pub(crate) type Match<'r> = NodeMatch<'r, StrDoc<SupportLang>>;

/// A fix: edits applied together, and the manifest dependencies they need.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Fix {
    pub edits: Vec<Edit>,
    pub dependencies: Vec<DependencyRequest>,
}

/// The text a metavariable binds in a match: a transform's result, a node, or the source span of
/// a `$$$` list. `None` when the match does not bind it.
pub(crate) fn var_text(found: &Match<'_>, text: &str, name: &str) -> Option<String> {
    let env = found.get_env();
    if let Some(bytes) = env.get_transformed(name) {
        return Some(String::from_utf8_lossy(bytes).into_owned());
    }
    if let Some(node) = env.get_match(name) {
        return Some(dedent(text, node.range()));
    }
    let nodes = env.get_multiple_matches(name);
    let (first, last) = (nodes.first()?, nodes.last()?);
    Some(dedent(text, first.range().start..last.range().end))
}

/// The text of `range`, its continuation lines relative to the indentation of the line it
/// starts on (a template re-indents them where it places the text).
fn dedent(text: &str, range: std::ops::Range<usize>) -> String {
    let value = &text[range.clone()];
    if !value.contains('\n') {
        return value.to_owned();
    }
    let base = indentation_at(text, range.start).len();
    let mut lines = value.split('\n');
    let mut out = lines.next().unwrap_or_default().to_owned();
    for line in lines {
        out.push('\n');
        let blank = line.len() - line.trim_start_matches([' ', '\t']).len();
        out.push_str(&line[blank.min(base)..]);
    }
    out
}

/// Whether `haystack` refers to `needle`: equal, or containing it as a whole token (not inside
/// a longer identifier), so `vpc` is in `vpc.id`, `this.vpc.id` and `network.vpc.id`.
pub(crate) fn refers_to(haystack: &str, needle: &str) -> bool {
    if needle.is_empty() {
        return haystack.is_empty();
    }
    let is_ident = |c: char| c.is_alphanumeric() || c == '_' || c == '$';
    haystack.match_indices(needle).any(|(at, _)| {
        let before = haystack[..at].chars().next_back();
        let after = haystack[at + needle.len()..].chars().next();
        !before.is_some_and(is_ident) && !after.is_some_and(is_ident)
    })
}

/// The value of a required variable ([`Var::is_required`]) for a match whose environment has
/// the variables before it; `None` when it cannot be computed (the match is then no finding).
pub(crate) fn required_var(
    var: &Var,
    found: &Match<'_>,
    text: &str,
    files: &crate::engine::ProgramFiles,
) -> Option<String> {
    let render = |template: &crate::template::Template| {
        template
            .render(|n| var_text(found, text, n).or(Some(String::new())))
            .ok()
    };
    match var {
        Var::Lookup {
            table,
            key,
            normalize,
        } => {
            let key = render(key)?;
            let key = if *normalize {
                crate::codemod::normalize_key(&key)
            } else {
                key
            };
            table.get(&key).cloned()
        }
        Var::Snap { value, to } => {
            let value: i64 = render(value)?.trim().parse().ok()?;
            to.iter()
                .copied()
                .min_by_key(|candidate| ((candidate - value).abs(), -candidate))
                .map(|nearest| nearest.to_string())
        }
        Var::Number { value, placeholder } => {
            let value = render(value)?;
            let mut pieces = value.split(placeholder.as_str());
            let mut out = pieces.next().unwrap_or_default().to_owned();
            for (n, piece) in pieces.enumerate() {
                out.push_str(&(n + 1).to_string());
                out.push_str(piece);
            }
            Some(out)
        }
        Var::Truncate { value, max } => {
            Some(crate::codemod::truncate_with_hash(&render(value)?, *max))
        }
        Var::File { among } => {
            let globs = crate::codemod::path_globs(among).ok()?;
            let mut matching = files.matching(&globs);
            let one = matching.next()?;
            matching.next().is_none().then(|| one.to_owned())
        }
        Var::Pick { .. } | Var::First(_) => None,
    }
}

/// Builds the fix of a match: the rule's `fix` (if any) and its effects. `None` when the rule
/// has neither, or an effect cannot be placed (no statement to insert next to), or the edits
/// would overlap each other.
pub(crate) fn build_fix(lang: Lang, rule: &Rule, found: &Match<'_>, text: &str) -> Option<Fix> {
    let mut fix = Fix::default();
    if let Some(fixer) = rule.config.fixer.first() {
        let main = found.make_edit(&rule.config.matcher, fixer);
        fix.edits.push(Edit {
            range: main.position..main.position + main.deleted_length,
            text: String::from_utf8(main.inserted_text)
                .expect("a fix built from UTF-8 text and UTF-8 templates is UTF-8"),
        });
    } else if rule.effects.is_empty() {
        return None;
    }
    if rule.effects.is_empty() {
        return Some(fix);
    }
    let root = found.get_node().root().root();
    let newline = line_break(text);
    // Imports first: their aliases are names the other templates use. An import with a `bind`
    // is added only if a template used its alias.
    let mut bound: HashMap<String, String> = HashMap::new();
    let mut imports: Vec<(Option<String>, Edit)> = Vec::new();
    for effect in &rule.effects {
        if let Effect::EnsureImport {
            module,
            alias,
            bind,
            first,
        } = effect
        {
            let (alias, edit) = ensure_import(lang, &root, text, module, alias, *first, newline);
            if let Some(bind) = bind {
                bound.insert(bind.clone(), alias);
            }
            if let Some(edit) = edit {
                imports.push((bind.clone(), edit));
            }
        }
    }
    let used: std::cell::RefCell<std::collections::HashSet<String>> = Default::default();
    // Variables computed from the match, in order (each may use the previous ones).
    for (name, var) in &rule.vars {
        let resolve = |n: &str| {
            used.borrow_mut().insert(n.to_owned());
            bound.get(n).cloned().or_else(|| var_text(found, text, n))
        };
        let value = match var {
            Var::Pick {
                from,
                keys,
                prefix,
                suffix,
            } => {
                let kept = found
                    .get_env()
                    .get_match(from)
                    .map(|node| pick(lang, node, keys, text))
                    .unwrap_or_default();
                if kept.is_empty() {
                    String::new()
                } else {
                    let fill = |n: &str| resolve(n).or(Some(String::new()));
                    format!(
                        "{}{}{}",
                        prefix.render(fill).ok()?,
                        kept.join(", "),
                        suffix.render(fill).ok()?
                    )
                }
            }
            Var::First(options) => options
                .iter()
                .find_map(|option| option.render(|n| resolve(n).filter(|v| !v.is_empty())).ok())
                .unwrap_or_default(),
            // Computed before the match became a finding, and put in its environment.
            Var::Lookup { .. }
            | Var::Snap { .. }
            | Var::Truncate { .. }
            | Var::Number { .. }
            | Var::File { .. } => resolve(name).unwrap_or_default(),
        };
        bound.insert(name.clone(), value);
    }
    let lookup = |name: &str| -> Option<String> {
        used.borrow_mut().insert(name.to_owned());
        bound
            .get(name)
            .cloned()
            .or_else(|| var_text(found, text, name))
            .or(Some(String::new()))
    };
    // Other occurrences of a literal: the places a declaration inserted "before" must precede.
    let mut uses: Vec<SgNode<'_>> = Vec::new();
    for effect in &rule.effects {
        if let Effect::ReplaceSame {
            of,
            with,
            enclosing,
        } = effect
        {
            let Some(original) = found.get_env().get_match(of) else {
                continue;
            };
            let replacement = with.render(lookup).ok()?;
            let mut callee_edits: Vec<Edit> = Vec::new();
            for node in root.dfs() {
                if node.kind_id() != original.kind_id()
                    || node.range() == original.range()
                    || node.text() != original.text()
                {
                    continue;
                }
                fix.edits.push(Edit {
                    range: node.range(),
                    text: replacement.clone(),
                });
                for ancestor in node.ancestors() {
                    if !matches!(&*ancestor.kind(), "call_expression" | "call") {
                        continue;
                    }
                    let Some(function) = ancestor.field("function") else {
                        continue;
                    };
                    if let Some((_, to)) = enclosing.iter().find(|(c, _)| *c == function.text())
                        && !callee_edits.iter().any(|e| e.range == function.range())
                    {
                        callee_edits.push(Edit {
                            range: function.range(),
                            text: to.render(lookup).ok()?,
                        });
                    }
                }
                uses.push(node);
            }
            fix.edits.extend(callee_edits);
        }
    }
    let unit = indent_unit(text);
    for effect in &rule.effects {
        match effect {
            Effect::Insert {
                anchor,
                place,
                template,
            } => {
                let anchor = match anchor {
                    Some(name) => found.get_env().get_match(name)?.clone(),
                    None => found.get_node().clone(),
                };
                // The template is written in 4-space steps and re-indented to the file's unit
                // below: a multi-line value (in the file's unit) goes in 4-space steps first.
                let block = template
                    .render(|n| lookup(n).map(|v| in_template_steps(&v, &unit)))
                    .ok()?;
                let edit = match place {
                    Place::Before => {
                        let mut nodes = vec![anchor];
                        nodes.extend(uses.iter().cloned());
                        let statement = statement_before_all(lang, &nodes)?;
                        let at = insertion_point_before(lang, text, statement.range());
                        let indent = indentation_at(text, statement.range().start);
                        Edit {
                            range: at..at,
                            text: format!(
                                "{}{newline}",
                                indent_block(&block, indent, &unit, newline)
                            ),
                        }
                    }
                    Place::After => {
                        let statement = enclosing_statement(lang, &anchor)?;
                        let at = line_end(text, statement.range().end);
                        let indent = indentation_at(text, statement.range().start);
                        Edit {
                            range: at..at,
                            text: format!(
                                "{newline}{}",
                                indent_block(&block, indent, &unit, newline)
                            ),
                        }
                    }
                };
                fix.edits.push(edit);
            }
            Effect::EnsureDependency(request) => fix.dependencies.push(request.clone()),
            Effect::Replace { target, with } => {
                let node = match target {
                    Some(name) => found.get_env().get_match(name)?.clone(),
                    None => found.get_node().clone(),
                };
                fix.edits.push(Edit {
                    range: node.range(),
                    text: with.render(lookup).ok()?,
                });
            }
            Effect::ReplaceMatches {
                rule: related,
                with,
            } => {
                for other in related_matches(&root, related, found, text) {
                    let range = other.range();
                    // The other match's own metavariables first, then the match's.
                    let replacement = with
                        .render(|n| var_text(&other, text, n).or_else(|| lookup(n)))
                        .ok()?;
                    fix.edits.push(Edit {
                        range,
                        text: replacement,
                    });
                }
            }
            Effect::AddOption {
                resource,
                key,
                value,
            } => {
                let nodes = match resource {
                    OptionTarget::Node(Some(name)) => {
                        vec![found.get_env().get_match(name)?.clone()]
                    }
                    OptionTarget::Node(None) => vec![found.get_node().clone()],
                    OptionTarget::Matches(related) => related_matches(&root, related, found, text)
                        .into_iter()
                        .map(|other| other.get_node().clone())
                        .collect(),
                };
                let value = value.render(lookup).ok()?;
                for node in nodes {
                    let edits = add_option(lang, &node, key, &value, text, || {
                        ensure_python_import(&root, text, "pulumi", "pulumi", false, newline)
                    })?;
                    fix.edits.extend(edits);
                }
            }
            Effect::AddEntry { to, entry } => {
                let node = match to {
                    Some(name) => found.get_env().get_match(name)?.clone(),
                    None => found.get_node().clone(),
                };
                let container = match &*node.kind() {
                    "call" | "call_expression" | "new_expression" => node.field("arguments")?,
                    "object" | "argument_list" | "arguments" | "dictionary" => node,
                    _ => return None,
                };
                let entry = entry.render(lookup).ok()?;
                fix.edits.push(append_entry(&container, &entry, text));
            }
            Effect::EnsureImport { .. } | Effect::ReplaceSame { .. } => {}
        }
    }
    for (bind, edit) in imports {
        if bind.is_none_or(|b| used.borrow().contains(&b)) {
            fix.edits.push(edit);
        }
    }
    // Insertions at one place (two imports) become one, in effect order, and an insertion where
    // the fix also replaces text (a statement inserted before one whose first token is
    // rewritten) goes before the new text; the same edit made by two effects (an import both
    // need) is made once.
    fix.edits.sort_by_key(|e| (e.range.start, e.range.end));
    fix.edits.dedup();
    let mut merged: Vec<Edit> = Vec::with_capacity(fix.edits.len());
    for edit in std::mem::take(&mut fix.edits) {
        match merged.last_mut() {
            Some(last) if last.range.is_empty() && edit.range.start == last.range.start => {
                last.range = edit.range;
                last.text.push_str(&edit.text);
            }
            _ => merged.push(edit),
        }
    }
    fix.edits = merged;
    // The edits of one fix must not touch each other.
    for (i, a) in fix.edits.iter().enumerate() {
        if fix.edits[i + 1..].iter().any(|b| a.conflicts_with(b)) {
            return None;
        }
    }
    Some(fix)
}

/// The other nodes of the file `related` matches with the same text as `found` for their shared
/// metavariables, outside the matched node (which the rule's own fix rewrites).
fn related_matches<'r>(
    root: &SgNode<'r>,
    related: &RelatedRule,
    found: &Match<'r>,
    text: &str,
) -> Vec<Match<'r>> {
    let wanted: Vec<Option<String>> = related
        .shared
        .iter()
        .map(|v| var_text(found, text, v))
        .collect();
    let inside = found.range();
    root.find_all(&*related.matcher)
        .filter(|other| {
            let range = other.range();
            !(inside.start <= range.start && range.end <= inside.end)
                && related
                    .shared
                    .iter()
                    .zip(&wanted)
                    .all(|(v, w)| var_text(other, text, v) == *w)
        })
        .collect()
}

/// A value in the file's indentation `unit` with its continuation lines' indentation in the
/// 4-space steps of templates (the steps [`indent_block`] turns back into the file's unit).
fn in_template_steps(value: &str, unit: &str) -> String {
    if unit == "    " || !value.contains('\n') {
        return value.to_owned();
    }
    let width = if unit == "\t" { 1 } else { unit.len().max(1) };
    let mut lines = value.split('\n');
    let mut out = lines.next().unwrap_or_default().to_owned();
    for line in lines {
        out.push('\n');
        let blank = line.len() - line.trim_start_matches([' ', '\t']).len();
        let leading = &line[..blank];
        let steps = if unit == "\t" {
            leading.chars().filter(|c| *c == '\t').count()
        } else {
            leading.len() / width
        };
        let rest = if unit == "\t" {
            leading.chars().filter(|c| *c == ' ').count()
        } else {
            leading.len() % width
        };
        out.push_str(&" ".repeat(steps * 4 + rest));
        out.push_str(&line[blank..]);
    }
    out
}

/// The entries of an options expression whose key is one of `keys`: the pairs (and shorthand
/// properties) of a TypeScript object literal, the keyword arguments of a Python call such as
/// `pulumi.ResourceOptions(parent=self)`. Nothing for other expressions (a variable).
fn pick(lang: Lang, node: &SgNode<'_>, keys: &[String], text: &str) -> Vec<String> {
    let wanted = |key: &str| keys.iter().any(|k| k == unquote(key));
    match lang {
        Lang::Python => {
            let call = if node.kind() == "keyword_argument" {
                match node.field("value") {
                    Some(value) => value,
                    None => return Vec::new(),
                }
            } else {
                node.clone()
            };
            if call.kind() != "call" {
                return Vec::new();
            }
            call.field("arguments")
                .map(|args| {
                    args.children()
                        .filter(|a| a.kind() == "keyword_argument")
                        .filter(|a| a.field("name").is_some_and(|n| wanted(&n.text())))
                        .map(|a| dedent(text, a.range()))
                        .collect()
                })
                .unwrap_or_default()
        }
        _ if node.kind() == "object" => node
            .children()
            .filter(|entry| match &*entry.kind() {
                "pair" => entry.field("key").is_some_and(|k| wanted(&k.text())),
                "shorthand_property_identifier" => wanted(&entry.text()),
                _ => false,
            })
            .map(|entry| dedent(text, entry.range()))
            .collect(),
        _ => Vec::new(),
    }
}

/// The alias under which `module` is imported, and the edit adding the import if it is not.
fn ensure_import(
    lang: Lang,
    root: &SgNode<'_>,
    text: &str,
    module: &str,
    alias: &str,
    first: bool,
    newline: &str,
) -> (String, Option<Edit>) {
    match lang {
        Lang::Python => ensure_python_import(root, text, module, alias, first, newline),
        _ => ensure_js_import(root, text, module, alias, newline),
    }
}

fn unquote(text: &str) -> &str {
    text.trim_matches(|c| c == '"' || c == '\'' || c == '`')
}

fn ensure_js_import(
    root: &SgNode<'_>,
    text: &str,
    module: &str,
    alias: &str,
    newline: &str,
) -> (String, Option<Edit>) {
    let mut last_import: Option<SgNode<'_>> = None;
    let mut taken = false;
    for statement in root.children() {
        match &*statement.kind() {
            "import_statement" => {
                let source = statement
                    .field("source")
                    .map(|s| unquote(&s.text()).to_owned());
                let clause = statement.children().find(|c| c.kind() == "import_clause");
                let namespace = clause.as_ref().and_then(|c| {
                    c.children()
                        .find(|n| n.kind() == "namespace_import")
                        .and_then(|n| n.children().find(|i| i.kind() == "identifier"))
                        .or_else(|| c.children().find(|i| i.kind() == "identifier"))
                });
                if source.as_deref() == Some(module)
                    && let Some(name) = namespace
                {
                    return (name.text().into_owned(), None);
                }
                if let Some(clause) = &clause
                    && clause
                        .dfs()
                        .any(|n| n.kind() == "identifier" && n.text() == alias)
                {
                    taken = true;
                }
                last_import = Some(statement);
            }
            "lexical_declaration" | "variable_declaration" => {
                // const x = require("module")
                for declarator in statement
                    .children()
                    .filter(|c| c.kind() == "variable_declarator")
                {
                    let (Some(name), Some(value)) =
                        (declarator.field("name"), declarator.field("value"))
                    else {
                        continue;
                    };
                    let is_require = value.kind() == "call_expression"
                        && value
                            .field("function")
                            .is_some_and(|f| f.text() == "require")
                        && value.field("arguments").is_some_and(|a| {
                            a.children()
                                .any(|s| s.kind() == "string" && unquote(&s.text()) == module)
                        });
                    if is_require && name.kind() == "identifier" {
                        return (name.text().into_owned(), None);
                    }
                }
            }
            _ => {}
        }
    }
    let alias = if taken {
        let mut chars = alias.chars();
        let capitalised: String = chars
            .next()
            .map(|c| c.to_ascii_uppercase())
            .into_iter()
            .chain(chars)
            .collect();
        format!("pulumi{capitalised}")
    } else {
        alias.to_owned()
    };
    let quote = last_import
        .as_ref()
        .and_then(|i| i.field("source"))
        .and_then(|s| s.text().chars().next())
        .unwrap_or('"');
    let statement = format!("import * as {alias} from {quote}{module}{quote};");
    let edit = match last_import {
        Some(last) => {
            let at = line_end(text, last.range().end);
            Edit {
                range: at..at,
                text: format!("{newline}{statement}"),
            }
        }
        None => Edit {
            range: 0..0,
            text: format!("{statement}{newline}"),
        },
    };
    (alias, Some(edit))
}

fn ensure_python_import(
    root: &SgNode<'_>,
    text: &str,
    module: &str,
    alias: &str,
    first: bool,
    newline: &str,
) -> (String, Option<Edit>) {
    let mut imports: Vec<SgNode<'_>> = Vec::new();
    let mut futures: Vec<SgNode<'_>> = Vec::new();
    let mut taken = false;
    for statement in root.children() {
        match &*statement.kind() {
            "import_statement" => {
                for child in statement.children() {
                    match &*child.kind() {
                        "dotted_name" if child.text() == module => {
                            return (module.to_owned(), None);
                        }
                        "aliased_import" => {
                            let name = child.field("name").map(|n| n.text().into_owned());
                            let bound = child.field("alias").map(|n| n.text().into_owned());
                            if name.as_deref() == Some(module)
                                && let Some(bound) = bound
                            {
                                return (bound, None);
                            }
                            taken |= bound.as_deref() == Some(alias);
                        }
                        "dotted_name" => taken |= child.text() == alias,
                        _ => {}
                    }
                }
                imports.push(statement);
            }
            "import_from_statement" => {
                taken |= statement
                    .field_children("name")
                    .any(|name| match &*name.kind() {
                        "aliased_import" => name.field("alias").is_some_and(|a| a.text() == alias),
                        _ => name.text() == alias,
                    });
                imports.push(statement);
            }
            "future_import_statement" => futures.push(statement),
            _ => {}
        }
    }
    let alias = if taken {
        module.to_owned()
    } else {
        alias.to_owned()
    };
    let statement = if alias == module {
        format!("import {module}")
    } else {
        format!("import {module} as {alias}")
    };
    let edit = if first && let Some(first_import) = imports.first() {
        let at = line_start(text, first_import.range().start);
        Edit {
            range: at..at,
            text: format!("{statement}{newline}"),
        }
    } else if let Some(last) = imports.last().or(futures.last()) {
        let at = line_end(text, last.range().end);
        Edit {
            range: at..at,
            text: format!("{newline}{statement}"),
        }
    } else {
        // After a module docstring, else at the top.
        let docstring = root.children().next().filter(|s| {
            s.kind() == "expression_statement"
                && s.children().next().is_some_and(|c| c.kind() == "string")
        });
        match docstring {
            Some(doc) => {
                let at = line_end(text, doc.range().end);
                Edit {
                    range: at..at,
                    text: format!("{newline}{newline}{statement}"),
                }
            }
            None => Edit {
                range: 0..0,
                text: format!("{statement}{newline}"),
            },
        }
    };
    (alias, Some(edit))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_are_whole_tokens() {
        assert!(refers_to("vpc", "vpc"));
        assert!(refers_to("vpc.id", "vpc"));
        assert!(refers_to("this.vpc.id", "vpc"));
        assert!(refers_to("network.vpc.id", "vpc"));
        assert!(!refers_to("mainVpc.id", "Vpc"));
        assert!(!refers_to("vpcs[0].id", "vpc"));
        assert!(!refers_to("other.id", "vpc"));
    }

    #[test]
    fn values_are_put_in_template_steps() {
        let two = "x: {\n  y: {\n    z: 1,\n  },\n}";
        assert_eq!(
            in_template_steps(two, "  "),
            "x: {\n    y: {\n        z: 1,\n    },\n}"
        );
        assert_eq!(in_template_steps(two, "    "), two);
        assert_eq!(
            in_template_steps("a(\n\tb,\n\t\tc)", "\t"),
            "a(\n    b,\n        c)"
        );
        // Through a template and back to the file's 2-space unit: the nesting is kept.
        let template = crate::template::Template::parse("f({\n    $V\n})");
        let rendered = template
            .render(|_| Some(in_template_steps(two, "  ")))
            .unwrap();
        assert_eq!(
            crate::layout::indent_block(&rendered, "", "  ", "\n"),
            "f({\n  x: {\n    y: {\n      z: 1,\n    },\n  }\n})"
        );
    }

    #[test]
    fn dedents_continuation_lines() {
        let text = "x(\n        tags: {\n            A: 1,\n        },\n)";
        let start = text.find("tags").unwrap();
        let end = text.find("},").unwrap() + 1;
        assert_eq!(dedent(text, start..end), "tags: {\n    A: 1,\n}");
    }
}
