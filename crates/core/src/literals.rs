//! The literals a file must contain for a rule to match anywhere in it, derived from the rule
//! itself: the identifiers of its patterns and the literal parts of its regexes, through its
//! relational and composite sub-rules. A file that contains none of a rule's literals cannot
//! match it, so the engine does not run the rule there — and does not parse a file no rule can
//! match (see [`crate::Engine`]).
//!
//! The derivation only ever returns literals a match *must* contain (a necessary condition):
//! when it cannot tell, it returns `None` and the rule always runs. A set of alternatives means
//! "at least one of these".

use ast_grep_config::SerializableRule;
use regex_syntax::hir::{Hir, HirKind};
use serde_json::Value;
use std::collections::BTreeMap;

/// Literals shorter than this select too little to be worth checking.
const MIN_LITERAL: usize = 3;
/// Sets with more alternatives than this are not worth checking.
const MAX_ALTERNATIVES: usize = 64;

/// At least one of these strings is in any text the rule matches; `None` when no such set is
/// known. `utils` are the rule's utility rules (for `matches`).
pub fn required_literals(
    rule: &SerializableRule,
    utils: &BTreeMap<String, SerializableRule>,
) -> Option<Vec<String>> {
    // The rule's serialised form: ast-grep keeps the types of its fields private.
    let rule = serde_json::to_value(rule).ok()?;
    let utils: BTreeMap<&str, Value> = utils
        .iter()
        .filter_map(|(id, util)| Some((id.as_str(), serde_json::to_value(util).ok()?)))
        .collect();
    required(&rule, &utils, 0)
}

/// The most selective of several necessary sets: the one whose shortest literal is longest
/// (then the one with fewer alternatives).
pub fn best(candidates: Vec<Vec<String>>) -> Option<Vec<String>> {
    candidates
        .into_iter()
        .filter(|set| {
            !set.is_empty()
                && set.len() <= MAX_ALTERNATIVES
                && set.iter().all(|s| s.len() >= MIN_LITERAL)
        })
        .max_by_key(|set| {
            let shortest = set.iter().map(String::len).min().unwrap_or(0);
            (shortest, std::cmp::Reverse(set.len()))
        })
        .map(|mut set| {
            set.sort();
            set.dedup();
            set
        })
}

fn required(rule: &Value, utils: &BTreeMap<&str, Value>, depth: usize) -> Option<Vec<String>> {
    let mut candidates = Vec::new();
    collect(rule, utils, &mut candidates, depth);
    best(candidates)
}

/// Adds to `out` every set of which the rule requires one member (each one alone is a
/// necessary condition).
fn collect(rule: &Value, utils: &BTreeMap<&str, Value>, out: &mut Vec<Vec<String>>, depth: usize) {
    if depth > 32 {
        return;
    }
    // A pattern string (a pattern object's context holds code the match need not contain).
    if let Some(pattern) = rule.get("pattern").and_then(Value::as_str)
        && let Some(token) = longest_token(pattern)
    {
        out.push(vec![token]);
    }
    if let Some(regex) = rule.get("regex").and_then(Value::as_str)
        && let Some(set) = regex_literals(regex)
    {
        out.push(set);
    }
    // Relational rules: the related node is in the file too.
    for key in ["inside", "has", "precedes", "follows"] {
        if let Some(relation) = rule.get(key) {
            collect(relation, utils, out, depth + 1);
        }
    }
    if let Some(all) = rule.get("all").and_then(Value::as_array) {
        for sub in all {
            collect(sub, utils, out, depth + 1);
        }
    }
    if let Some(any) = rule.get("any").and_then(Value::as_array) {
        // One of the branches matches: the union of one necessary set per branch.
        let mut union = Vec::new();
        for sub in any {
            match required(sub, utils, depth + 1) {
                Some(set) => union.extend(set),
                None => {
                    union.clear();
                    break;
                }
            }
        }
        if !union.is_empty() {
            out.push(union);
        }
    }
    if let Some(id) = rule.get("matches").and_then(Value::as_str)
        && let Some(util) = utils.get(id)
    {
        collect(util, utils, out, depth + 1);
    }
}

/// The longest identifier of a pattern that is not a metavariable (`$NAME`, `$$$ARGS`, `$_`):
/// a pattern matches only code with the same identifiers.
fn longest_token(pattern: &str) -> Option<String> {
    let mut best: Option<&str> = None;
    let bytes = pattern.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        if c == b'"' || c == b'\'' || c == b'`' {
            // Skip string literals: their quotes must match too, and templates interpolate.
            let quote = c;
            i += 1;
            while i < bytes.len() && bytes[i] != quote {
                i += if bytes[i] == b'\\' { 2 } else { 1 };
            }
            i += 1;
            continue;
        }
        if c.is_ascii_alphabetic() || c == b'_' {
            let start = i;
            while i < bytes.len() && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'_') {
                i += 1;
            }
            let is_metavar = start > 0 && bytes[start - 1] == b'$';
            let token = &pattern[start..i];
            if !is_metavar && best.is_none_or(|b| token.len() > b.len()) {
                best = Some(token);
            }
            continue;
        }
        i += 1;
    }
    best.filter(|t| t.len() >= MIN_LITERAL).map(str::to_owned)
}

/// One of these strings is in any text the regex matches; `None` when unknown (a regex that
/// does not parse, or whose literal parts are optional or case-insensitive).
pub fn regex_literals(regex: &str) -> Option<Vec<String>> {
    let hir = regex_syntax::Parser::new().parse(regex).ok()?;
    hir_literals(&hir)
}

fn hir_literals(hir: &Hir) -> Option<Vec<String>> {
    match hir.kind() {
        HirKind::Literal(literal) => {
            let text = std::str::from_utf8(&literal.0).ok()?;
            Some(vec![text.to_owned()])
        }
        HirKind::Capture(capture) => hir_literals(&capture.sub),
        HirKind::Repetition(repetition) if repetition.min >= 1 => hir_literals(&repetition.sub),
        HirKind::Alternation(branches) => {
            let mut union = Vec::new();
            for branch in branches {
                union.extend(hir_literals(branch)?);
            }
            Some(union)
        }
        HirKind::Concat(parts) => {
            // Runs of adjacent literals are one longer literal; the best part is required.
            let mut candidates = Vec::new();
            let mut run = String::new();
            for part in parts {
                if let HirKind::Literal(literal) = part.kind()
                    && let Ok(text) = std::str::from_utf8(&literal.0)
                {
                    run.push_str(text);
                    continue;
                }
                if !run.is_empty() {
                    candidates.push(vec![std::mem::take(&mut run)]);
                }
                if let Some(set) = hir_literals(part) {
                    candidates.push(set);
                }
            }
            if !run.is_empty() {
                candidates.push(vec![run]);
            }
            best(candidates)
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(json: &str) -> SerializableRule {
        serde_json::from_str(json).unwrap()
    }

    fn literals(json: &str) -> Option<Vec<String>> {
        required_literals(&rule(json), &BTreeMap::new())
    }

    #[test]
    fn patterns_require_their_longest_identifier() {
        assert_eq!(
            literals(r#"{"pattern": "new $AWS.s3.BucketReplication($$$ARGS)"}"#),
            Some(vec!["BucketReplication".to_owned()])
        );
        assert_eq!(
            literals(r#"{"pattern": "$D.invokeUrl"}"#),
            Some(vec!["invokeUrl".to_owned()])
        );
        // Only metavariables, or only a string: nothing known.
        assert_eq!(literals(r#"{"pattern": "$A.$B"}"#), None);
        assert_eq!(literals(r#"{"pattern": "\"example.com\""}"#), None);
    }

    #[test]
    fn regexes_require_their_literal_parts() {
        assert_eq!(
            regex_literals(r"(^|\.)lambda\.(Function|CallbackFunction|LayerVersion)$"),
            Some(vec![
                "CallbackFunction".to_owned(),
                "Function".to_owned(),
                "LayerVersion".to_owned()
            ])
        );
        assert_eq!(
            regex_literals("^[\"']?runtime[\"']?$"),
            Some(vec!["runtime".to_owned()])
        );
        assert_eq!(regex_literals(r"^(?i)bucket$"), None);
        assert_eq!(regex_literals(r"^(a|b)+$"), None);
        assert_eq!(regex_literals(r"x?"), None);
        assert_eq!(regex_literals(r"("), None);
    }

    #[test]
    fn relations_and_composites_contribute_and_negations_do_not() {
        // `inside` a `new aws.ec2.Vpc(...)`: the file has `Vpc`... and more selective `regex`.
        let found = literals(
            r#"{"kind": "pair", "has": {"field": "key", "regex": "^maxAggregationInterval$"},
                "inside": {"kind": "new_expression", "has": {"field": "constructor", "regex": "FlowLog$"}}}"#,
        );
        assert_eq!(found, Some(vec!["maxAggregationInterval".to_owned()]));
        // `any`: the union of one set per branch; a branch without one makes it unknown.
        assert_eq!(
            literals(r#"{"any": [{"regex": "^alarmName$"}, {"regex": "^alarm_name$"}]}"#),
            Some(vec!["alarmName".to_owned(), "alarm_name".to_owned()])
        );
        assert_eq!(
            literals(r#"{"any": [{"regex": "^alarmName$"}, {"kind": "identifier"}]}"#),
            None
        );
        // `not` says nothing about what the file contains.
        assert_eq!(
            literals(r#"{"kind": "pair", "not": {"regex": "^something$"}}"#),
            None
        );
    }

    #[test]
    fn utility_rules_are_followed() {
        let utils = BTreeMap::from([("is-bucket".to_owned(), rule(r#"{"regex": "Bucket$"}"#))]);
        assert_eq!(
            required_literals(&rule(r#"{"matches": "is-bucket"}"#), &utils),
            Some(vec!["Bucket".to_owned()])
        );
    }
}
