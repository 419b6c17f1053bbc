//! Loading one codemod file: parse (positions kept), validate, compile every rule.

use crate::error::{CatalogError, chain, help_for_schema_error};
use crate::spec::{CaseSpec, CodemodSpec, ExpectSpec, RuleSpec};
use iacfix_core::ast_grep_config::SerializableRule;
use iacfix_core::ast_grep_config::{
    DenyUnknownKeys, RuleConfigError, RuleCoreError, SerializableRuleConfig, SerializableRuleCore,
};
use iacfix_core::{Applicability, Codemod, Docs, Lang, Meta, Rule, syntax_error};
use serde::Deserialize;
use serde_saphyr::{Location, Spanned};
use serde_value::Value;
use std::collections::HashSet;

/// A codemod and its test cases.
pub struct LoadedCodemod {
    pub codemod: Codemod,
    pub cases: Vec<Case>,
}

/// A test case of a codemod.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Case {
    pub name: String,
    pub lang: Lang,
    pub input: String,
    pub expect: Expectation,
    /// Shown as the example in the codemod's docs.
    pub example: bool,
    /// Line of the case in its codemod file.
    pub line: u64,
}

/// What a case expects of its codemod.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Expectation {
    /// Rewritten to exactly this text.
    Fixed(String),
    /// No finding, no change.
    Unchanged,
    /// At least one finding, no change.
    Reported,
}

const RULE_HELP: &str = "the rule language is ast-grep's: \
                         https://ast-grep.github.io/reference/rule.html";

/// Whether `id` is kebab-case: lower-case ASCII words of letters and digits joined by `-`.
pub fn is_kebab_case(id: &str) -> bool {
    !id.is_empty()
        && id.split('-').all(|word| {
            !word.is_empty()
                && word
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        })
        && id.as_bytes()[0].is_ascii_lowercase()
}

fn yaml_options() -> serde_saphyr::Options {
    let mut options = serde_saphyr::Options::default();
    // YAML 1.2 scalars (`on`, `yes` stay strings), as ast-grep-config reads rules.
    options.strict_booleans = true;
    options.duplicate_keys = serde_saphyr::DuplicateKeyPolicy::Error;
    // iacfix prints `path:line:column: message` itself.
    options.with_snippet = false;
    options
}

fn position(location: &Location) -> (u64, u64) {
    if *location == Location::UNKNOWN {
        (1, 1)
    } else {
        (location.line(), location.column())
    }
}

fn at<T>(spanned: &Spanned<T>) -> (u64, u64) {
    position(&spanned.referenced)
}

/// Parses, validates and compiles the codemod `id` from `text`; `path` names it in errors.
/// Returns every problem found, not only the first.
pub fn load_codemod(path: &str, id: &str, text: &str) -> Result<LoadedCodemod, Vec<CatalogError>> {
    let mut errors = Vec::new();
    if !is_kebab_case(id) {
        errors.push(CatalogError::new(
            path,
            (1, 1),
            format!("`{id}` is not a valid codemod id (the file name is the id)"),
            "rename the file to kebab-case: lower-case letters and digits joined by `-`, \
             e.g. `s3-bucket-replication-config.yaml`",
        ));
    }
    let spec: CodemodSpec = match serde_saphyr::from_str_with_options(text, yaml_options()) {
        Ok(spec) => spec,
        Err(error) => {
            let message = error.to_string();
            let message = strip_position_prefix(&message);
            let pos = error.location().map_or((1, 1), |l| position(&l));
            errors.push(CatalogError::new(
                path,
                pos,
                message,
                help_for_schema_error(message),
            ));
            return Err(errors);
        }
    };
    let mut check = Checker {
        path,
        errors: &mut errors,
    };
    check.metadata(&spec);
    let mut rules = Vec::new();
    let mut languages = HashSet::new();
    for rule in &spec.rules {
        check.rule(id, &spec, rule, &mut rules, &mut languages);
    }
    let cases = check.cases(&spec.tests, &languages);
    if !errors.is_empty() {
        return Err(errors);
    }
    let CodemodSpec {
        title,
        severity,
        applicability,
        since,
        message,
        references,
        docs,
        ..
    } = spec;
    Ok(LoadedCodemod {
        codemod: Codemod {
            meta: Meta {
                id: id.to_owned(),
                title: title.trim().to_owned(),
                message: message.trim().to_owned(),
                severity,
                applicability,
                since,
                references,
                docs: Docs {
                    what_it_does: docs.what_it_does.trim().to_owned(),
                    why: docs.why.trim().to_owned(),
                    fix_safety: docs.fix_safety.trim().to_owned(),
                },
                origin: path.to_owned(),
            },
            rules,
        },
        cases,
    })
}

/// serde-saphyr starts its messages with `line L column C: ` and serde may end them with
/// ` at line L, column C`; iacfix puts the position first, once.
fn strip_position_prefix(message: &str) -> &str {
    let mut message = message.strip_prefix("error: ").unwrap_or(message);
    if let Some(rest) = message.strip_prefix("line ")
        && let Some((_, rest)) = rest.split_once(": ")
    {
        message = rest;
    }
    if let Some(at) = message.rfind(" at line ")
        && message[at..].contains(", column ")
    {
        message = &message[..at];
    }
    message
}

/// "pattern `…` is not valid <lang> code: <error>" for the first pattern of `rule` that does not
/// parse: ast-grep reports such a pattern only as a rule that matches no kind of node.
fn invalid_pattern(lang: Lang, rule: &SerializableRule) -> Option<String> {
    fn patterns(value: &Value, found: &mut Vec<String>) {
        match value {
            Value::Map(map) => {
                for (key, value) in map {
                    match (key, value) {
                        (Value::String(key), Value::String(pattern)) if key == "pattern" => {
                            found.push(pattern.clone());
                        }
                        _ => patterns(value, found),
                    }
                }
            }
            Value::Seq(items) => items.iter().for_each(|item| patterns(item, found)),
            Value::Option(Some(inner)) | Value::Newtype(inner) => patterns(inner, found),
            _ => {}
        }
    }
    let value = serde_value::to_value(rule).ok()?;
    let mut found = Vec::new();
    patterns(&value, &mut found);
    found.into_iter().find_map(|pattern| {
        syntax_error(lang, &pattern)
            .map(|error| format!("pattern `{pattern}` is not valid {lang} code: {error}"))
    })
}

struct Checker<'a> {
    path: &'a str,
    errors: &'a mut Vec<CatalogError>,
}

impl Checker<'_> {
    fn error(&mut self, pos: (u64, u64), message: impl Into<String>, help: impl Into<String>) {
        self.errors
            .push(CatalogError::new(self.path, pos, message, help));
    }

    fn metadata(&mut self, spec: &CodemodSpec) {
        let head = (1, 1);
        if spec.title.trim().is_empty() || spec.title.trim().contains('\n') {
            self.error(
                head,
                "`title` must be one non-empty line",
                "say what the fix does in one line, e.g. `Use aws.s3.BucketReplicationConfig`",
            );
        }
        if spec.message.trim().is_empty() {
            self.error(
                head,
                "`message` is empty",
                "say what is wrong in the finding's message; it may use metavariables like `$NAME`",
            );
        }
        let version_ok = {
            let parts: Vec<&str> = spec.since.split('.').collect();
            parts.len() == 3
                && parts
                    .iter()
                    .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
        };
        if !version_ok {
            self.error(
                head,
                format!("`since: {}` is not a version", spec.since),
                "give the iacfix version that introduces the codemod, e.g. `since: 0.1.0`",
            );
        }
        for (key, value) in [
            ("whatItDoes", &spec.docs.what_it_does),
            ("why", &spec.docs.why),
            ("fixSafety", &spec.docs.fix_safety),
        ] {
            if value.trim().is_empty() {
                self.error(
                    head,
                    format!("`docs.{key}` is empty"),
                    "every codemod documents what it does, why, and its fix safety \
                     (its effect on deployed infrastructure)",
                );
            }
        }
        if spec.rules.is_empty() {
            self.error(
                head,
                "`rules` is empty",
                "add at least one rule with `languages` and an ast-grep `rule`",
            );
        }
    }

    fn rule(
        &mut self,
        id: &str,
        spec: &CodemodSpec,
        entry: &Spanned<RuleSpec>,
        rules: &mut Vec<Rule>,
        languages: &mut HashSet<Lang>,
    ) {
        let rule = &entry.value;
        if rule.languages.is_empty() {
            self.error(
                at(entry),
                "`languages` is empty",
                "list the languages the rule's patterns are written in, e.g. `[typescript, tsx]`",
            );
        }
        let fix = match &rule.fix {
            Some(fix) if spec.applicability == Applicability::Manual => {
                self.error(
                    at(fix),
                    "a `manual` codemod cannot have a `fix`",
                    "remove the `fix` (manual codemods only report), or make the codemod \
                     `safe` or `unsafe`",
                );
                None
            }
            Some(fix) => Some(fix),
            None => None,
        };
        let mut seen = HashSet::new();
        for &lang in &rule.languages {
            if !seen.insert(lang) {
                self.error(
                    at(entry),
                    format!("language `{lang}` is listed twice"),
                    "list each language once",
                );
                continue;
            }
            languages.insert(lang);
            let fixer = match fix {
                Some(fix) => match Deserialize::deserialize(fix.value.to_value()) {
                    Ok(fixer) => Some(fixer),
                    Err(error) => {
                        self.error(
                            at(fix),
                            format!("invalid `fix`: {error}"),
                            "see https://ast-grep.github.io/reference/yaml/fix.html",
                        );
                        continue;
                    }
                },
                None => None,
            };
            let config = SerializableRuleConfig {
                core: SerializableRuleCore {
                    rule: rule.rule.value.clone(),
                    constraints: rule.constraints.clone().map(|m| m.into_iter().collect()),
                    utils: rule.utils.clone().map(|m| m.into_iter().collect()),
                    transform: rule.transform.clone().map(|m| m.into_iter().collect()),
                },
                fix: fixer,
                rewriters: rule.rewriters.clone(),
                id: id.to_owned(),
                language: lang.support_lang(),
                message: rule.message.clone().unwrap_or_else(|| spec.message.clone()),
                note: None,
                severity: Default::default(),
                labels: None,
                files: None,
                ignores: None,
                url: None,
                metadata: None,
                unknown_keys: DenyUnknownKeys,
            };
            match Rule::compile(lang, config) {
                Ok(compiled) => rules.push(compiled),
                Err(error) => {
                    let pos = match &error {
                        RuleConfigError::Core(RuleCoreError::Rule(_))
                        | RuleConfigError::MissingPotentialKinds => at(&rule.rule),
                        RuleConfigError::Fixer(_) => fix.map_or(at(entry), at),
                        _ => at(entry),
                    };
                    let help = match &error {
                        RuleConfigError::MissingPotentialKinds => {
                            "give the rule a `kind` or a `pattern` so it knows which nodes to look \
                             at"
                            .to_owned()
                        }
                        RuleConfigError::Fixer(_) => {
                            "check the `fix` template and its metavariables: \
                             https://ast-grep.github.io/reference/yaml/fix.html"
                                .to_owned()
                        }
                        _ => format!(
                            "check that each pattern is valid {lang} code on its own; {RULE_HELP}"
                        ),
                    };
                    let message = match &error {
                        RuleConfigError::MissingPotentialKinds
                        | RuleConfigError::Core(RuleCoreError::Rule(_)) => {
                            invalid_pattern(lang, &rule.rule.value)
                        }
                        _ => None,
                    }
                    .unwrap_or_else(|| chain(&error));
                    self.error(pos, format!("rule for {lang}: {message}"), help);
                }
            }
        }
    }

    fn cases(&mut self, specs: &[Spanned<CaseSpec>], languages: &HashSet<Lang>) -> Vec<Case> {
        let mut cases = Vec::new();
        let mut names = HashSet::new();
        for entry in specs {
            let spec = &entry.value;
            let pos = at(entry);
            if spec.name.trim().is_empty() {
                self.error(pos, "a test case has an empty `name`", "name every case");
            } else if !names.insert(spec.name.as_str()) {
                self.error(
                    pos,
                    format!("two test cases are named `{}`", spec.name),
                    "give each case a unique name",
                );
            }
            if !languages.contains(&spec.language) {
                self.error(
                    pos,
                    format!(
                        "test case `{}` is in {}, which no rule of this codemod covers",
                        spec.name, spec.language
                    ),
                    "change the case's `language`, or add the language to a rule",
                );
            }
            let expect = match (&spec.output, spec.expect) {
                (Some(output), None | Some(ExpectSpec::Fixed)) => {
                    if *output == spec.input {
                        self.error(
                            pos,
                            format!("test case `{}` has `output` equal to `input`", spec.name),
                            "use `expect: unchanged` for input that must not change",
                        );
                    }
                    Expectation::Fixed(output.clone())
                }
                (Some(_), Some(other)) => {
                    self.error(
                        pos,
                        format!(
                            "test case `{}` has an `output` but `expect: {}`",
                            spec.name,
                            format!("{other:?}").to_lowercase()
                        ),
                        "remove `output` for input that must not change, or remove `expect`",
                    );
                    Expectation::Unchanged
                }
                (None, Some(ExpectSpec::Unchanged)) => Expectation::Unchanged,
                (None, Some(ExpectSpec::Reported)) => Expectation::Reported,
                (None, None | Some(ExpectSpec::Fixed)) => {
                    self.error(
                        pos,
                        format!("test case `{}` does not say what it expects", spec.name),
                        "add `output:` with the fixed text, or `expect: unchanged`, or \
                         `expect: reported`",
                    );
                    Expectation::Unchanged
                }
            };
            cases.push(Case {
                name: spec.name.clone(),
                lang: spec.language,
                input: spec.input.clone(),
                expect,
                example: spec.example,
                line: pos.0,
            });
        }
        cases
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kebab_case_ids() {
        assert!(is_kebab_case("s3-bucket-replication-config"));
        assert!(is_kebab_case("a1"));
        for bad in ["", "S3", "a_b", "-a", "a-", "a--b", "1a", "a.b"] {
            assert!(!is_kebab_case(bad), "{bad}");
        }
    }

    #[test]
    fn position_prefix_is_stripped() {
        assert_eq!(
            strip_position_prefix("error: line 7 column 5: unknown field `x`"),
            "unknown field `x`"
        );
        assert_eq!(strip_position_prefix("plain"), "plain");
        assert_eq!(
            strip_position_prefix("unknown variant `x`, expected `a` at line 2, column 11"),
            "unknown variant `x`, expected `a`"
        );
    }
}
