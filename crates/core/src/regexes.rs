//! Rule regexes in ASCII: `\w`, `\d` and `\s` (and their negations) become the ASCII classes
//! they mean in source code. The `regex` crate compiles a Unicode `\w` into an automaton of
//! about 750 KB (an ASCII one: about 5 KB), and a catalogue compiles its regexes once per rule
//! and language: with Unicode classes it would take hundreds of megabytes. Identifiers,
//! resource types and property names in infrastructure code are ASCII.

use serde_json::Value;

/// `regex` with its Perl classes made ASCII; unchanged if the result would not compile.
pub fn ascii_regex(regex: &str) -> String {
    let mut out = String::with_capacity(regex.len() + 16);
    let mut chars = regex.chars().peekable();
    // Depth of nested `[...]` classes; a `]` right after `[` or `[^` is a literal.
    let mut depth = 0usize;
    let mut class_start = false;
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                let Some(next) = chars.next() else {
                    out.push(c);
                    break;
                };
                let ascii = match next {
                    'w' => Some(("0-9A-Za-z_", false)),
                    'W' => Some(("0-9A-Za-z_", true)),
                    'd' => Some(("0-9", false)),
                    'D' => Some(("0-9", true)),
                    's' => Some(("\\t\\n\\x0B\\x0C\\r ", false)),
                    'S' => Some(("\\t\\n\\x0B\\x0C\\r ", true)),
                    _ => None,
                };
                match ascii {
                    // Inside a class, a positive set is a range list; a negated one a nested
                    // class (the regex crate nests classes).
                    Some((set, false)) if depth > 0 => out.push_str(set),
                    Some((set, negated)) => {
                        out.push('[');
                        if negated {
                            out.push('^');
                        }
                        out.push_str(set);
                        out.push(']');
                    }
                    None => {
                        out.push('\\');
                        out.push(next);
                    }
                }
                class_start = false;
            }
            '[' => {
                if depth > 0 && chars.peek() == Some(&':') {
                    // `[:alpha:]` inside a class.
                    out.push(c);
                    for inner in chars.by_ref() {
                        out.push(inner);
                        if inner == ']' {
                            break;
                        }
                    }
                    continue;
                }
                depth += 1;
                out.push(c);
                if chars.peek() == Some(&'^') {
                    out.push('^');
                    chars.next();
                }
                class_start = true;
            }
            ']' if depth > 0 && !class_start => {
                depth -= 1;
                out.push(c);
            }
            _ => {
                out.push(c);
                class_start = false;
            }
        }
    }
    if out != regex && regex::Regex::new(&out).is_err() {
        return regex.to_owned();
    }
    out
}

/// Every regex of a rule or transform in its serialised form (`regex:` values, the `replace`
/// patterns of transforms), in ASCII.
pub fn ascii_regexes(value: &mut Value) {
    match value {
        Value::Object(map) => {
            for (key, entry) in map.iter_mut() {
                match (key.as_str(), &mut *entry) {
                    ("regex", Value::String(regex)) => *regex = ascii_regex(regex),
                    ("replace", Value::Object(replace)) => {
                        if let Some(Value::String(regex)) = replace.get_mut("replace") {
                            *regex = ascii_regex(regex);
                        }
                        ascii_regexes(entry);
                    }
                    _ => ascii_regexes(entry),
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(ascii_regexes),
        _ => {}
    }
}

/// `value` with its regexes in ASCII (through its serialised form; unchanged if that fails).
pub fn with_ascii_regexes<T: serde::Serialize + serde::de::DeserializeOwned>(value: T) -> T {
    let Ok(mut json) = serde_json::to_value(&value) else {
        return value;
    };
    ascii_regexes(&mut json);
    serde_json::from_value(json).unwrap_or(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn perl_classes_become_ascii_inside_and_outside_brackets() {
        assert_eq!(
            ascii_regex(r"(^|\.)[a-z]\w*\.[A-Z]\w*$"),
            r"(^|\.)[a-z][0-9A-Za-z_]*\.[A-Z][0-9A-Za-z_]*$"
        );
        assert_eq!(ascii_regex(r"^[\w$.]+$"), r"^[0-9A-Za-z_$.]+$");
        assert_eq!(ascii_regex(r"^\d+\W$"), r"^[0-9]+[^0-9A-Za-z_]$");
        assert_eq!(ascii_regex(r"[^\w.-]"), r"[^0-9A-Za-z_.-]");
        assert_eq!(ascii_regex(r"[a\W]"), r"[a[^0-9A-Za-z_]]");
        // Escaped backslashes, escaped brackets, literal `]` first in a class, POSIX classes.
        assert_eq!(ascii_regex(r"\\w"), r"\\w");
        assert_eq!(ascii_regex(r"\[\w\]"), r"\[[0-9A-Za-z_]\]");
        assert_eq!(ascii_regex(r"[]\w]"), r"[]0-9A-Za-z_]");
        assert_eq!(ascii_regex(r"[[:alpha:]\d]"), r"[[:alpha:]0-9]");
        // What it matches, in ASCII, is what it matched.
        for (original, text) in [(r"^\w+\s\d$", "ab_1 7"), (r"^[\w-]+$", "a-b")] {
            let ascii = regex::Regex::new(&ascii_regex(original)).unwrap();
            assert!(ascii.is_match(text), "{original}");
        }
    }

    #[test]
    fn rules_and_transforms_are_rewritten_everywhere() {
        let mut rule = serde_json::json!({
            "kind": "pair",
            "has": { "field": "key", "regex": r"^\w+$" },
            "any": [{ "regex": r"\d" }],
            "transform": { "X": { "replace": { "source": "$A", "replace": r"\s+", "by": "" } } }
        });
        ascii_regexes(&mut rule);
        assert_eq!(rule["has"]["regex"], "^[0-9A-Za-z_]+$");
        assert_eq!(rule["any"][0]["regex"], "[0-9]");
        assert_eq!(
            rule["transform"]["X"]["replace"]["replace"],
            r"[\t\n\x0B\x0C\r ]+"
        );
    }
}
