//! Resource options as text: adding an element to a list option (`dependsOn: [a]`,
//! `depends_on=[a]`) of one resource, wherever its options are written.
//!
//! TypeScript: the third argument of `new T(name, args, opts)` when it is an object literal;
//! none yet → `, { key: [value] }` after the args. Python: the `opts=` keyword argument when it
//! is a `ResourceOptions(...)` call; none yet → `opts=pulumi.ResourceOptions(key=[value])`
//! (with the file's alias of `pulumi`, imported if needed). Options held in a variable cannot be
//! edited as text: no edit then (the fix is dropped and the finding stays).

use crate::Lang;
use crate::layout::{SgNode, indentation_at, line_start};
use crate::text::Edit;

/// The edits adding `value` to the list option `key` of `resource` (a `new` expression or a
/// Python call); empty when the list already holds `value`; `None` when the options cannot be
/// edited as text. `pulumi` gives the Python alias of the `pulumi` module (and the edit
/// importing it, if needed) for options that do not exist yet.
pub(crate) fn add_option(
    lang: Lang,
    resource: &SgNode<'_>,
    key: &str,
    value: &str,
    text: &str,
    pulumi: impl FnOnce() -> (String, Option<Edit>),
) -> Option<Vec<Edit>> {
    let arguments = resource.field("arguments")?;
    let arguments_entries = entries(&arguments);
    match lang {
        Lang::Python => {
            let opts = arguments_entries.iter().find(|e| {
                e.kind() == "keyword_argument"
                    && e.field("name").is_some_and(|n| n.text() == "opts")
            });
            match opts {
                Some(opts) => {
                    let call = opts.field("value")?;
                    let is_options = call.kind() == "call"
                        && call
                            .field("function")
                            .is_some_and(|f| f.text().ends_with("ResourceOptions"));
                    if !is_options {
                        return None;
                    }
                    let list = call.field("arguments")?;
                    let existing = entries(&list).into_iter().find(|e| {
                        e.kind() == "keyword_argument"
                            && e.field("name").is_some_and(|n| n.text() == key)
                    });
                    match existing {
                        Some(option) => append_to_list(&option.field("value")?, value),
                        None => Some(vec![append_entry(&list, &format!("{key}=[{value}]"), text)]),
                    }
                }
                None => {
                    if arguments_entries
                        .iter()
                        .any(|e| e.kind() == "list_splat" || e.kind() == "dictionary_splat")
                    {
                        return None;
                    }
                    let (alias, import) = pulumi();
                    let entry = format!("opts={alias}.ResourceOptions({key}=[{value}])");
                    let mut edits = vec![append_entry(&arguments, &entry, text)];
                    edits.extend(import);
                    Some(edits)
                }
            }
        }
        Lang::Yaml => None,
        Lang::TypeScript | Lang::Tsx | Lang::JavaScript => match arguments_entries.len() {
            2 => {
                let args = &arguments_entries[1];
                let at = args.range().end;
                Some(vec![Edit {
                    range: at..at,
                    text: format!(", {{ {key}: [{value}] }}"),
                }])
            }
            3 => {
                let opts = &arguments_entries[2];
                if opts.kind() != "object" {
                    return None;
                }
                let existing = entries(opts).into_iter().find(|e| {
                    e.kind() == "pair"
                        && e.field("key").is_some_and(|k| {
                            k.text().trim_matches(|c| c == '"' || c == '\'') == key
                        })
                });
                match existing {
                    Some(pair) => append_to_list(&pair.field("value")?, value),
                    None => Some(vec![append_entry(opts, &format!("{key}: [{value}]"), text)]),
                }
            }
            _ => None,
        },
    }
}

/// The named children of a container that are entries (not comments).
fn entries<'r>(container: &SgNode<'r>) -> Vec<SgNode<'r>> {
    container
        .children()
        .filter(|c| c.is_named() && c.kind() != "comment")
        .collect()
}

/// `value` appended to an array / list literal (nothing if it is there already); `None` when
/// `list` is not a literal.
fn append_to_list(list: &SgNode<'_>, value: &str) -> Option<Vec<Edit>> {
    if !matches!(&*list.kind(), "array" | "list") {
        return None;
    }
    let elements = entries(list);
    if elements.iter().any(|e| e.text() == value) {
        return Some(Vec::new());
    }
    Some(vec![match elements.last() {
        Some(last) => {
            let at = last.range().end;
            Edit {
                range: at..at,
                text: format!(", {value}"),
            }
        }
        None => Edit {
            range: list.range(),
            text: format!("[{value}]"),
        },
    }])
}

/// An entry added at the end of an object literal or an argument list, in its style: on the
/// same line when the container is on one line, else on a line of its own indented like the
/// last entry, keeping (or not) a trailing comma.
pub(crate) fn append_entry(container: &SgNode<'_>, entry: &str, text: &str) -> Edit {
    let range = container.range();
    let Some(last) = entries(container).last().cloned() else {
        // `{}`, `()`: the entry alone between the brackets.
        let (open, close) = (
            &text[range.start..range.start + 1],
            &text[range.end - 1..range.end],
        );
        let padded = if open == "{" {
            format!("{open} {entry} {close}")
        } else {
            format!("{open}{entry}{close}")
        };
        return Edit {
            range,
            text: padded,
        };
    };
    // Python keeps `opts=` last: a new keyword argument goes before it.
    if container.kind() == "argument_list"
        && last.kind() == "keyword_argument"
        && last.field("name").is_some_and(|n| n.text() == "opts")
    {
        let at = last.range().start;
        let before = &text[line_start(text, at)..at];
        let separator = if before.trim().is_empty() {
            let newline = if text.contains("\r\n") { "\r\n" } else { "\n" };
            format!(",{newline}{before}")
        } else {
            ", ".to_owned()
        };
        return Edit {
            range: at..at,
            text: format!("{entry}{separator}"),
        };
    }
    let after_last = &text[last.range().end..range.end - 1];
    let trailing_comma = after_last.trim_start().starts_with(',');
    let multi_line = text[range.clone()].contains('\n');
    if multi_line {
        let newline = if text.contains("\r\n") { "\r\n" } else { "\n" };
        let indent = indentation_at(text, last.range().start);
        if trailing_comma {
            let at = last.range().end + after_last.find(',').unwrap_or(0) + 1;
            Edit {
                range: at..at,
                text: format!("{newline}{indent}{entry},"),
            }
        } else {
            let at = last.range().end;
            Edit {
                range: at..at,
                text: format!(",{newline}{indent}{entry}"),
            }
        }
    } else if trailing_comma {
        let at = last.range().end + after_last.find(',').unwrap_or(0) + 1;
        Edit {
            range: at..at,
            text: format!(" {entry},"),
        }
    } else {
        let at = last.range().end;
        Edit {
            range: at..at,
            text: format!(", {entry}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::apply_edits;
    use ast_grep_language::LanguageExt;

    /// `source` with `value` added to the option `key` of its first resource.
    fn added(lang: Lang, source: &str, key: &str, value: &str) -> Option<String> {
        let root = lang.support_lang().ast_grep(source);
        let kind = if lang == Lang::Python {
            "call"
        } else {
            "new_expression"
        };
        let resource = root.root().dfs().find(|n| n.kind() == kind)?;
        let edits = add_option(lang, &resource, key, value, source, || {
            ("pulumi".to_owned(), None)
        })?;
        Some(apply_edits(source, &edits))
    }

    #[test]
    fn typescript_options_are_created_extended_or_appended_to() {
        let ts = Lang::TypeScript;
        assert_eq!(
            added(
                ts,
                "new aws.s3.BucketAcl(\"a\", { acl });",
                "dependsOn",
                "controls"
            )
            .unwrap(),
            "new aws.s3.BucketAcl(\"a\", { acl }, { dependsOn: [controls] });"
        );
        assert_eq!(
            added(ts, "new T(\"a\", {}, { parent: this });", "dependsOn", "c").unwrap(),
            "new T(\"a\", {}, { parent: this, dependsOn: [c] });"
        );
        assert_eq!(
            added(
                ts,
                "new T(\"a\", {}, { dependsOn: [b] });",
                "dependsOn",
                "c"
            )
            .unwrap(),
            "new T(\"a\", {}, { dependsOn: [b, c] });"
        );
        assert_eq!(
            added(ts, "new T(\"a\", {}, { dependsOn: [] });", "dependsOn", "c").unwrap(),
            "new T(\"a\", {}, { dependsOn: [c] });"
        );
        assert_eq!(
            added(ts, "new T(\"a\", {}, {});", "dependsOn", "c").unwrap(),
            "new T(\"a\", {}, { dependsOn: [c] });"
        );
        let multi = "new T(\"a\", {}, {\n    parent: this,\n});";
        assert_eq!(
            added(ts, multi, "dependsOn", "c").unwrap(),
            "new T(\"a\", {}, {\n    parent: this,\n    dependsOn: [c],\n});"
        );
        // Already there: nothing to add.
        assert_eq!(
            added(
                ts,
                "new T(\"a\", {}, { dependsOn: [c] });",
                "dependsOn",
                "c"
            )
            .unwrap(),
            "new T(\"a\", {}, { dependsOn: [c] });"
        );
        // Options in a variable, or a dependsOn that is not a list literal: not editable.
        assert_eq!(added(ts, "new T(\"a\", {}, opts);", "dependsOn", "c"), None);
        assert_eq!(
            added(
                ts,
                "new T(\"a\", {}, { dependsOn: deps });",
                "dependsOn",
                "c"
            ),
            None
        );
    }

    #[test]
    fn python_options_are_created_extended_or_appended_to() {
        let py = Lang::Python;
        assert_eq!(
            added(
                py,
                "aws.s3.BucketAcl(\"a\", acl=\"x\")\n",
                "depends_on",
                "c"
            )
            .unwrap(),
            "aws.s3.BucketAcl(\"a\", acl=\"x\", opts=pulumi.ResourceOptions(depends_on=[c]))\n"
        );
        let multi = "T(\n    \"a\",\n    acl=\"x\",\n)\n";
        assert_eq!(
            added(py, multi, "depends_on", "c").unwrap(),
            "T(\n    \"a\",\n    acl=\"x\",\n    opts=pulumi.ResourceOptions(depends_on=[c]),\n)\n"
        );
        assert_eq!(
            added(
                py,
                "T(\"a\", opts=pulumi.ResourceOptions(parent=self))\n",
                "depends_on",
                "c"
            )
            .unwrap(),
            "T(\"a\", opts=pulumi.ResourceOptions(parent=self, depends_on=[c]))\n"
        );
        assert_eq!(
            added(
                py,
                "T(\"a\", opts=pulumi.ResourceOptions(depends_on=[b]))\n",
                "depends_on",
                "c"
            )
            .unwrap(),
            "T(\"a\", opts=pulumi.ResourceOptions(depends_on=[b, c]))\n"
        );
        assert_eq!(added(py, "T(\"a\", opts=opts)\n", "depends_on", "c"), None);
        // A new keyword argument goes before `opts=`, on its line or on one of its own.
        let root = py.support_lang().ast_grep("T(\"a\", x=1, opts=o)\n");
        let args = root
            .root()
            .dfs()
            .find(|n| n.kind() == "argument_list")
            .unwrap();
        let edit = append_entry(&args, "y=2", "T(\"a\", x=1, opts=o)\n");
        assert_eq!(
            apply_edits("T(\"a\", x=1, opts=o)\n", &[edit]),
            "T(\"a\", x=1, y=2, opts=o)\n"
        );
        let multi = "T(\n    \"a\",\n    opts=o,\n)\n";
        let root = py.support_lang().ast_grep(multi);
        let args = root
            .root()
            .dfs()
            .find(|n| n.kind() == "argument_list")
            .unwrap();
        let edit = append_entry(&args, "y=2", multi);
        assert_eq!(
            apply_edits(multi, &[edit]),
            "T(\n    \"a\",\n    y=2,\n    opts=o,\n)\n"
        );
        assert_eq!(added(py, "T(\"a\", **kwargs)\n", "depends_on", "c"), None);
    }
}
