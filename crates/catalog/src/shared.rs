//! A codemod's regexes compiled once per language, not once per use.
//!
//! ast-grep compiles every `regex:` of a rule into its own automaton (a few to tens of
//! kilobytes each), and a codemod repeats its regexes through YAML anchors (a condition used by
//! every rule, the same rule for TypeScript, TSX and JavaScript): compiled as written, the
//! catalogue would hold thousands of copies of a few hundred regexes. Here each distinct regex
//! of a codemod (made ASCII, see [`iacfix_core::ascii_regex`]) becomes one global utility rule
//! per language, `{ regex: … }`, and every `regex:` of the codemod's rules, constraints,
//! utilities and related rules becomes `matches:` that utility. What matches is the same; the
//! memory is that of the distinct regexes.

use iacfix_core::SupportLang;
use iacfix_core::ast_grep_config::{
    DeserializeEnv, GlobalRules, RuleCoreError, SerializableGlobalRule, SerializableRuleCore,
};
use iacfix_core::{Lang, with_ascii_regexes};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};
use std::collections::{BTreeMap, BTreeSet};

/// The id prefix of the utilities standing for regexes.
const PREFIX: &str = "iacfix-regex-";

/// The shared regexes of one codemod: registered first (for the languages that use them),
/// compiled once per language, then referred to by the rules.
#[derive(Default)]
pub(crate) struct SharedRegexes {
    /// Regex → utility id.
    ids: BTreeMap<String, String>,
    /// The regexes each language's rules use.
    by_lang: BTreeMap<Lang, BTreeSet<String>>,
    compiled: BTreeMap<Lang, GlobalRules>,
}

impl SharedRegexes {
    /// Registers the regexes of `value` (a rule, constraints, utilities) for `langs`.
    pub(crate) fn register<T: Serialize>(&mut self, value: &T, langs: &[Lang]) {
        let Ok(mut json) = serde_json::to_value(value) else {
            return;
        };
        iacfix_core::ascii_regexes(&mut json);
        let mut found = Vec::new();
        collect(&json, &mut found);
        for regex in found {
            let next = self.ids.len();
            self.ids
                .entry(regex.clone())
                .or_insert_with(|| format!("{PREFIX}{next}"));
            for lang in langs {
                self.by_lang.entry(*lang).or_default().insert(regex.clone());
            }
        }
    }

    /// `value` with its regexes made ASCII, and the registered ones replaced by references to
    /// their utilities.
    pub(crate) fn share<T: Serialize + DeserializeOwned>(&self, value: T) -> T {
        let value = with_ascii_regexes(value);
        let Ok(mut json) = serde_json::to_value(&value) else {
            return value;
        };
        self.rewrite(&mut json);
        serde_json::from_value(json).unwrap_or(value)
    }

    /// The utilities of `lang`'s regexes (compiled on first use).
    pub(crate) fn globals(&mut self, lang: Lang) -> Result<GlobalRules, RuleCoreError> {
        if let Some(globals) = self.compiled.get(&lang) {
            return Ok(globals.clone());
        }
        let regexes = self.by_lang.get(&lang).cloned().unwrap_or_default();
        let utils: Vec<SerializableGlobalRule<SupportLang>> = regexes
            .iter()
            .map(|regex| SerializableGlobalRule {
                core: SerializableRuleCore {
                    rule: serde_json::from_value(serde_json::json!({ "regex": regex }))
                        .expect("a regex rule deserialises"),
                    constraints: None,
                    utils: None,
                    transform: None,
                },
                id: self.ids[regex].clone(),
                arguments: None,
                language: lang.support_lang(),
            })
            .collect();
        let globals = DeserializeEnv::parse_global_utils(utils)?;
        self.compiled.insert(lang, globals.clone());
        Ok(globals)
    }

    /// Replaces `regex: X` in every rule object of `value` by `matches:` X's utility.
    fn rewrite(&self, value: &mut Value) {
        match value {
            Value::Object(map) => {
                for (key, entry) in map.iter_mut() {
                    if !SKIPPED.contains(&key.as_str()) {
                        self.rewrite(entry);
                    }
                }
                if let Some(Value::String(regex)) = map.get("regex")
                    && let Some(id) = self.ids.get(regex).cloned()
                {
                    map.remove("regex");
                    add_matches(map, id);
                }
            }
            Value::Array(items) => {
                for item in items {
                    self.rewrite(item);
                }
            }
            _ => {}
        }
    }
}

/// Keys whose values are not rules of the codemod's matcher: transformations hold their own
/// regexes (`replace`), fixes' expansion rules and rewriters are compiled where global
/// utilities are not seen.
const SKIPPED: &[&str] = &["transform", "fix", "rewriters"];

/// The `regex:` values of the rule objects of `value`.
fn collect(value: &Value, found: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            if let Some(Value::String(regex)) = map.get("regex") {
                found.push(regex.clone());
            }
            for (key, entry) in map {
                if !SKIPPED.contains(&key.as_str()) {
                    collect(entry, found);
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|item| collect(item, found)),
        _ => {}
    }
}

/// Adds `matches: id` to a rule object (inside `all` when it has a `matches` already).
fn add_matches(map: &mut Map<String, Value>, id: String) {
    let reference = Value::String(id);
    if !map.contains_key("matches") {
        map.insert("matches".into(), reference);
        return;
    }
    let all = map.entry("all").or_insert_with(|| Value::Array(Vec::new()));
    if let Value::Array(items) = all {
        let mut item = Map::new();
        item.insert("matches".into(), reference);
        items.push(Value::Object(item));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn regexes_become_references_to_one_utility_each() {
        let mut shared = SharedRegexes::default();
        let rule = serde_json::json!({
            "kind": "pair",
            "regex": r"^\w+$",
            "has": { "field": "key", "regex": "^name$" },
            "inside": { "matches": "local", "regex": "^name$" },
            "transform": { "X": { "replace": { "source": "$A", "replace": "a", "by": "b" } } }
        });
        shared.register(&rule, &[Lang::TypeScript]);
        let rewritten = shared.share(rule);
        assert_eq!(rewritten["matches"], "iacfix-regex-0");
        assert_eq!(rewritten["has"]["matches"], "iacfix-regex-1");
        // A rule object that already `matches` something gets the reference in `all`.
        assert_eq!(rewritten["inside"]["matches"], "local");
        assert_eq!(rewritten["inside"]["all"][0]["matches"], "iacfix-regex-1");
        assert!(rewritten.to_string().contains("\"replace\":\"a\""));
        let globals = shared.globals(Lang::TypeScript);
        assert!(globals.is_ok());
        // A language no rule used: no utilities.
        assert!(shared.globals(Lang::Python).is_ok());
    }
}
