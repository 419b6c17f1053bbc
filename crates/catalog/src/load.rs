//! Loading one codemod file: parse (positions kept), validate, compile every rule.

use crate::error::{CatalogError, chain, help_for_schema_error};
use crate::shared::SharedRegexes;
use crate::spec::{
    CaseSpec, CodemodSpec, ConditionSpec, EffectSpec, ExpectSpec, FileCountIs, InputsSpec,
    OptionError, OptionSpec, RuleSpec, ScopeSpec,
};
use iacfix_core::ast_grep_config::{
    DenyUnknownKeys, RuleConfigError, RuleCoreError, SerializableRuleConfig, SerializableRuleCore,
};
use iacfix_core::ast_grep_config::{RuleCore, SerializableRule, Transformation};
use iacfix_core::{
    Applicability, Codemod, Condition, DependencyRequest, Docs, Ecosystem, Effect, FileCount, Lang,
    Meta, OptionTarget, Place, RelatedRule, Rule, Scope, Template, Var, VersionReq, syntax_error,
    with_ascii_regexes,
};
use serde::Deserialize;
use serde_saphyr::{Location, Spanned};
use serde_value::Value;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Arc;

/// A codemod and its test cases, with what it was loaded from.
pub struct LoadedCodemod {
    pub codemod: Codemod,
    pub cases: Vec<Case>,
    /// The codemod file's text (to load it again with other option values).
    pub source: String,
    /// The option values it was loaded with (defaults, overridden by the user's).
    pub options: BTreeMap<String, String>,
    /// The options it declares (to check values set elsewhere, e.g. in `iacfix.toml`).
    pub option_specs: BTreeMap<String, OptionSpec>,
    /// Whether the inputs of its changing cases type-check against the SDKs (`None`: the cases
    /// are not type-checked).
    pub inputs_type_check: Option<bool>,
}

/// Option values per codemod id: `--option <id>.<name>=<value>`.
pub type OptionValues = BTreeMap<String, BTreeMap<String, String>>;

/// Another file of a case's program.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CaseFile {
    pub input: String,
    /// The expected text after the fix (`None`: unchanged).
    pub output: Option<String>,
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
    /// The case file's path in its program.
    pub path: String,
    /// Other files of the program, by path.
    pub files: BTreeMap<String, CaseFile>,
    /// Provider majors set by the case.
    pub providers: BTreeMap<String, u64>,
    /// Option values set by the case.
    pub options: BTreeMap<String, String>,
    /// Whether the case is type-checked against the SDKs (when its codemod is).
    pub type_check: bool,
}

/// The default file name of a case in `lang`.
pub fn default_case_path(lang: Lang) -> &'static str {
    match lang {
        Lang::TypeScript => "index.ts",
        Lang::Tsx => "index.tsx",
        Lang::JavaScript => "index.js",
        Lang::Python => "__main__.py",
        Lang::Yaml => "Pulumi.yaml",
    }
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

/// Parses, validates and compiles the codemod `id` from `text` with its options' defaults;
/// `path` names it in errors. Returns every problem found, not only the first.
pub fn load_codemod(path: &str, id: &str, text: &str) -> Result<LoadedCodemod, Vec<CatalogError>> {
    load_codemod_with(path, id, text, &BTreeMap::new())
}

fn parse_spec(path: &str, text: &str) -> Result<CodemodSpec, CatalogError> {
    serde_saphyr::from_str_with_options(text, yaml_options()).map_err(|error| {
        let message = error.to_string();
        let message = strip_position_prefix(&message);
        let pos = error.location().map_or((1, 1), |l| position(&l));
        CatalogError::new(path, pos, message, help_for_schema_error(message))
    })
}

/// [`load_codemod`] with option values set by the user (`name` → `value`).
pub fn load_codemod_with(
    path: &str,
    id: &str,
    text: &str,
    overrides: &BTreeMap<String, String>,
) -> Result<LoadedCodemod, Vec<CatalogError>> {
    load_codemod_for(path, id, text, overrides, None)
}

/// [`load_codemod_with`], compiling only the rules of `languages` (all when `None`): the
/// others are read and checked as data but not compiled, so a run over TypeScript files does
/// not pay for the TSX and JavaScript copies of every rule.
pub fn load_codemod_for(
    path: &str,
    id: &str,
    text: &str,
    overrides: &BTreeMap<String, String>,
    languages: Option<&[Lang]>,
) -> Result<LoadedCodemod, Vec<CatalogError>> {
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
    let mut spec = match parse_spec(path, text) {
        Ok(spec) => spec,
        Err(error) => {
            errors.push(error);
            return Err(errors);
        }
    };
    let options = match option_values(path, &spec, overrides) {
        Ok(options) => options,
        Err(mut errs) => {
            errors.append(&mut errs);
            return Err(errors);
        }
    };
    if text.contains("{{") {
        match substitute_options(path, text, &options) {
            Ok(substituted) => match parse_spec(path, &substituted) {
                Ok(with_values) => spec = with_values,
                Err(error) => {
                    errors.push(error);
                    return Err(errors);
                }
            },
            Err(mut errs) => {
                errors.append(&mut errs);
                return Err(errors);
            }
        }
    }
    let mut check = Checker {
        path,
        errors: &mut errors,
        related: HashMap::new(),
        only: languages,
        shared: SharedRegexes::default(),
    };
    check.metadata(&spec);
    check.register_regexes(&spec);
    let mut rules = Vec::new();
    let mut languages = HashSet::new();
    for rule in &spec.rules {
        check.rule(id, &spec, rule, &mut rules, &mut languages);
    }
    let cases = check.cases(&spec.tests, &languages, &spec);
    if !errors.is_empty() {
        return Err(errors);
    }
    let CodemodSpec {
        title,
        severity,
        applicability,
        since,
        opt_in,
        message,
        references,
        docs,
        type_check,
        options: option_specs,
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
                opt_in,
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
        source: text.to_owned(),
        options,
        option_specs,
        inputs_type_check: type_check.map(|t| t.inputs == InputsSpec::Pass),
    })
}

/// The rule's variables that `fix` and messages may use (lookups, snaps, truncations), each
/// with the first metavariable its template uses (names without `$`). One that uses none is
/// left out (and reported when its template is checked).
fn computed_vars(rule: &RuleSpec) -> Vec<(String, String)> {
    let mut computed: Vec<(String, String)> = Vec::new();
    for var in &rule.vars {
        let var = &var.value;
        let template = match (&var.lookup, &var.snap, &var.truncate, &var.number) {
            (Some(lookup), _, _, _) => lookup.key.as_str(),
            (_, Some(snap), _, _) => snap.value.as_str(),
            (_, _, Some(truncate), _) => truncate.value.as_str(),
            (_, _, _, Some(number)) => number.value.as_str(),
            _ => continue,
        };
        let Some(name) = metavar(&var.name) else {
            continue;
        };
        let source = Template::parse(template)
            .vars()
            .find(|used| !computed.iter().any(|(c, _)| c == *used))
            .map(str::to_owned);
        if let Some(source) = source {
            computed.push((name, source));
        }
    }
    computed
}

/// The literals of which a file must contain one for the rule to match there: its `prefilter`,
/// else those its rule (with its utilities) needs or those a `present` condition in the same
/// file needs, whichever select best; `None` when nothing is known (the rule then runs on every
/// file).
fn rule_literals(spec: &CodemodSpec, rule: &RuleSpec) -> Option<Vec<String>> {
    let utils: BTreeMap<String, SerializableRule> = rule
        .utils
        .clone()
        .map(|u| u.into_iter().collect())
        .unwrap_or_default();
    if !rule.prefilter.is_empty() {
        return Some(rule.prefilter.clone());
    }
    let mut candidates: Vec<Vec<String>> = Vec::new();
    candidates.extend(iacfix_core::required_literals(&rule.rule.value, &utils));
    for condition in spec.conditions.iter().chain(&rule.conditions) {
        if let ConditionSpec::Present(related) = &condition.value
            && related.scope == ScopeSpec::File
        {
            candidates.extend(iacfix_core::required_literals(
                &related.rule,
                &BTreeMap::new(),
            ));
        }
    }
    iacfix_core::most_selective(candidates)
}

/// The options' values: defaults, overridden by `overrides`, each checked against its pattern.
fn option_values(
    path: &str,
    spec: &CodemodSpec,
    overrides: &BTreeMap<String, String>,
) -> Result<BTreeMap<String, String>, Vec<CatalogError>> {
    let mut errors = Vec::new();
    for name in overrides.keys() {
        if !spec.options.contains_key(name) {
            let known: Vec<&str> = spec.options.keys().map(String::as_str).collect();
            errors.push(CatalogError::new(
                path,
                (1, 1),
                format!("the codemod has no option `{name}`"),
                if known.is_empty() {
                    "this codemod has no options".to_owned()
                } else {
                    format!("its options are: {}", known.join(", "))
                },
            ));
        }
    }
    let mut values = BTreeMap::new();
    for (name, option) in &spec.options {
        let value = overrides.get(name).unwrap_or(&option.default).clone();
        if let Err(error) = option.check(&value) {
            errors.push(CatalogError::new(
                path,
                (1, 1),
                format!("option `{name}`: {error}"),
                match error {
                    OptionError::Mismatch { .. } => option.description.trim().to_owned(),
                    OptionError::BadPattern(_) => {
                        "write the pattern as a Rust regular expression".to_owned()
                    }
                },
            ));
        }
        values.insert(name.clone(), value);
    }
    if errors.is_empty() {
        Ok(values)
    } else {
        Err(errors)
    }
}

/// `text` with every `{{name}}` replaced by the option's value; `\{{` stays a literal `{{`.
fn substitute_options(
    path: &str,
    text: &str,
    options: &BTreeMap<String, String>,
) -> Result<String, Vec<CatalogError>> {
    let mut out = String::with_capacity(text.len());
    let mut errors = Vec::new();
    let mut rest = text;
    let mut offset = 0;
    while let Some(start) = rest.find("{{") {
        // `\{{` is a literal `{{` (a Python f-string's doubled brace in a case).
        if rest[..start].ends_with('\\') {
            out.push_str(&rest[..start - 1]);
            out.push_str("{{");
            offset += start + 2;
            rest = &rest[start + 2..];
            continue;
        }
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let Some(end) = after.find("}}") else {
            out.push_str(&rest[start..]);
            rest = "";
            break;
        };
        let name = after[..end].trim();
        match options.get(name) {
            Some(value) => out.push_str(value),
            None => {
                let point = iacfix_core::Point::of_offset(text, offset + start);
                errors.push(CatalogError::new(
                    path,
                    (point.line as u64, point.column as u64),
                    format!("`{{{{{name}}}}}` names no option of this codemod"),
                    "declare it under `options:`, or correct its name",
                ));
            }
        }
        let consumed = start + 2 + end + 2;
        offset += consumed;
        rest = &rest[consumed..];
    }
    out.push_str(rest);
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors)
    }
}

/// `$NAME` → `NAME`, if it is a metavariable name.
fn metavar(text: &str) -> Option<String> {
    let name = text.strip_prefix('$')?;
    let mut chars = name.chars();
    let first = chars.next()?;
    ((first.is_ascii_uppercase() || first == '_')
        && chars.all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_'))
    .then(|| name.to_owned())
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
    /// Related rules compiled so far, by language and serialised rule: a condition written once
    /// and used by many rules (YAML anchors) is compiled once.
    related: HashMap<(Lang, String), Arc<RuleCore>>,
    /// The languages whose rules are compiled (all when `None`).
    only: Option<&'a [Lang]>,
    /// The codemod's regexes, compiled once per language.
    shared: SharedRegexes,
}

impl Checker<'_> {
    /// The compiled form of a related rule (regexes in ASCII), from the cache when the same
    /// rule was compiled for the same language before.
    fn related_matcher(
        &mut self,
        lang: Lang,
        rule: &SerializableRule,
        transform: Option<&BTreeMap<String, Transformation>>,
    ) -> Result<Arc<RuleCore>, RuleConfigError> {
        let key = serde_json::to_string(&(rule, transform)).unwrap_or_default();
        if let Some(matcher) = self.related.get(&(lang, key.clone())) {
            return Ok(matcher.clone());
        }
        let transform = with_ascii_regexes(transform.cloned()).map(|t| t.into_iter().collect());
        let globals = self.shared.globals(lang)?;
        let matcher = Arc::new(RelatedRule::matcher(
            lang,
            self.shared.share(rule.clone()),
            transform,
            &globals,
        )?);
        self.related.insert((lang, key), matcher.clone());
        Ok(matcher)
    }

    /// A related rule of an effect (not cached: effects are few).
    fn related_rule(
        &mut self,
        lang: Lang,
        rule: &SerializableRule,
        main: &Rule,
    ) -> Result<RelatedRule, RuleConfigError> {
        let globals = self.shared.globals(lang)?;
        let matcher = RelatedRule::matcher(lang, self.shared.share(rule.clone()), None, &globals)?;
        Ok(RelatedRule::new(Arc::new(matcher), main))
    }

    /// Registers every regex of the codemod's rules, for the languages of each, so that each is
    /// compiled once per language ([`SharedRegexes`]).
    fn register_regexes(&mut self, spec: &CodemodSpec) {
        let all: Vec<Lang> = spec
            .rules
            .iter()
            .flat_map(|r| r.value.languages.iter().copied())
            .collect();
        for condition in &spec.conditions {
            if let ConditionSpec::Absent(related) | ConditionSpec::Present(related) =
                &condition.value
            {
                self.shared.register(&related.rule, &all);
            }
        }
        for entry in &spec.rules {
            let rule = &entry.value;
            let langs = &rule.languages;
            self.shared.register(&rule.rule.value, langs);
            self.shared.register(&rule.constraints, langs);
            self.shared.register(&rule.utils, langs);
            for condition in &rule.conditions {
                if let ConditionSpec::Absent(related) | ConditionSpec::Present(related) =
                    &condition.value
                {
                    self.shared.register(&related.rule, langs);
                }
            }
            for effect in &rule.effects {
                match &effect.value {
                    EffectSpec::ReplaceMatches(replace) => {
                        self.shared.register(&replace.rule, langs)
                    }
                    EffectSpec::AddOption(option) => {
                        if let Some(rule) = &option.rule {
                            self.shared.register(rule, langs);
                        }
                    }
                    _ => {}
                }
            }
        }
    }

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
        if spec.applicability == Applicability::Manual && !rule.effects.is_empty() {
            self.error(
                at(&rule.effects[0]),
                "a `manual` codemod cannot have `effects`",
                "remove the effects (manual codemods only report), or make the codemod \
                 `safe` or `unsafe`",
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
            if self.only.is_some_and(|only| !only.contains(&lang)) {
                continue;
            }
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
            // Variables iacfix computes (lookups and the like) may appear in `fix` and the
            // message: ast-grep knows them as transforms (an empty substring of a metavariable
            // they use), whose value iacfix replaces once computed.
            let mut transform: Option<std::collections::HashMap<String, _>> =
                with_ascii_regexes(rule.transform.clone()).map(|m| m.into_iter().collect());
            for (name, source) in computed_vars(rule) {
                let placeholder = serde_saphyr::from_str(&format!(
                    "substring: {{ source: ${source}, endChar: 0 }}"
                ))
                .expect("a substring transform");
                transform
                    .get_or_insert_with(Default::default)
                    .insert(name, placeholder);
            }
            let config = SerializableRuleConfig {
                core: SerializableRuleCore {
                    rule: self.shared.share(rule.rule.value.clone()),
                    constraints: self
                        .shared
                        .share(rule.constraints.clone())
                        .map(|m| m.into_iter().collect()),
                    utils: self
                        .shared
                        .share(rule.utils.clone())
                        .map(|m| m.into_iter().collect()),
                    transform,
                },
                fix: fixer,
                rewriters: with_ascii_regexes(rule.rewriters.clone()),
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
            let compiled = self
                .shared
                .globals(lang)
                .map_err(RuleConfigError::from)
                .and_then(|globals| Rule::compile_with(lang, config, &globals));
            match compiled {
                Ok(mut compiled) => {
                    self.extras(lang, spec, entry, &mut compiled);
                    compiled.literals = rule_literals(spec, rule);
                    rules.push(compiled);
                }
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

    /// Secrets, effects and conditions of a compiled rule, checked against its metavariables.
    fn extras(
        &mut self,
        lang: Lang,
        spec: &CodemodSpec,
        entry: &Spanned<RuleSpec>,
        compiled: &mut Rule,
    ) {
        let codemod_spec = spec;
        let rule = &entry.value;
        let computed: Vec<String> = computed_vars(rule).into_iter().map(|(n, _)| n).collect();
        let defined: HashSet<String> = compiled
            .config
            .matcher
            .defined_vars()
            .into_iter()
            .map(str::to_owned)
            .filter(|name| !computed.contains(name))
            .collect();
        let var = |this: &mut Self, pos, text: &str, what: &str| -> Option<String> {
            match metavar(text) {
                Some(name) if defined.contains(&name) => Some(name),
                Some(name) => {
                    this.error(
                        pos,
                        format!("{what} `${name}` is not a metavariable of the rule"),
                        "use a metavariable the rule (or its transform) defines",
                    );
                    None
                }
                None => {
                    this.error(
                        pos,
                        format!("{what} `{text}` is not a metavariable such as `$NAME`"),
                        "write the metavariable with its `$`: upper-case letters, digits and `_`",
                    );
                    None
                }
            }
        };
        for secret in &rule.secrets {
            if let Some(name) = var(self, at(entry), secret, "secret") {
                compiled.secrets.push(name);
            }
        }
        // Names effects bind (import aliases) are usable in templates too.
        let mut names = defined.clone();
        for effect in &rule.effects {
            if let EffectSpec::EnsureImport(import) = &effect.value
                && let Some(bind) = &import.bind
            {
                match metavar(bind) {
                    Some(name) => {
                        names.insert(name);
                    }
                    None => self.error(
                        at(effect),
                        format!("`bind: {bind}` is not a metavariable such as `$RANDOM`"),
                        "write the name with its `$`: upper-case letters, digits and `_`",
                    ),
                }
            }
        }
        // Computed variables, in order: each may use the ones before it.
        for entry in &rule.vars {
            let pos = at(entry);
            let spec = &entry.value;
            let Some(name) = metavar(&spec.name) else {
                self.error(
                    pos,
                    format!(
                        "`name: {}` is not a metavariable such as `$NAME`",
                        spec.name
                    ),
                    "write the name with its `$`: upper-case letters, digits and `_`",
                );
                continue;
            };
            if defined.contains(&name) {
                self.error(
                    pos,
                    format!("`${name}` is already a metavariable of the rule"),
                    "give the computed variable another name",
                );
                continue;
            }
            let check = |this: &mut Self, text: &str| -> Template {
                let template = Template::parse(text);
                for used in template.vars() {
                    if !names.contains(used) {
                        this.error(
                            pos,
                            format!("`${name}` uses `${used}`, which is not defined before it"),
                            "define it in the rule, its transform, or an earlier var",
                        );
                    }
                }
                template
            };
            let kinds = usize::from(spec.pick.is_some())
                + usize::from(spec.first.is_some())
                + usize::from(spec.lookup.is_some())
                + usize::from(spec.snap.is_some())
                + usize::from(spec.truncate.is_some())
                + usize::from(spec.number.is_some())
                + usize::from(spec.file.is_some());
            if kinds != 1 {
                self.error(
                    pos,
                    format!(
                        "`${name}` must have exactly one of `pick`, `first`, `lookup`, `snap`, \
                         `truncate`, `number` and `file`"
                    ),
                    "say how the variable is computed",
                );
                continue;
            }
            if let Some(lookup) = &spec.lookup {
                let Some(table) = codemod_spec.tables.get(&lookup.table) else {
                    let known: Vec<&str> = codemod_spec.tables.keys().map(String::as_str).collect();
                    self.error(
                        pos,
                        format!(
                            "`${name}` looks up `{}`, which is not a table",
                            lookup.table
                        ),
                        if known.is_empty() {
                            "declare the table under `tables:`".to_owned()
                        } else {
                            format!("the codemod's tables are: {}", known.join(", "))
                        },
                    );
                    continue;
                };
                let table: BTreeMap<String, String> = table
                    .iter()
                    .map(|(k, v)| {
                        let k = if lookup.normalize {
                            iacfix_core::normalize_key(k)
                        } else {
                            k.clone()
                        };
                        (k, v.clone())
                    })
                    .collect();
                let var = Var::Lookup {
                    table: std::sync::Arc::new(table),
                    key: check(self, &lookup.key),
                    normalize: lookup.normalize,
                };
                names.insert(name.clone());
                compiled.vars.push((name, var));
                continue;
            }
            if let Some(snap) = &spec.snap {
                if snap.to.is_empty() {
                    self.error(
                        pos,
                        format!("`${name}` snaps to no value"),
                        "list the allowed values under `to`",
                    );
                    continue;
                }
                let var = Var::Snap {
                    value: check(self, &snap.value),
                    to: snap.to.clone(),
                };
                names.insert(name.clone());
                compiled.vars.push((name, var));
                continue;
            }
            if let Some(file) = &spec.file {
                if let Err(error) = iacfix_core::path_globs(&file.among) {
                    self.error(
                        pos,
                        format!("`${name}`: invalid glob in `file.among`: {error}"),
                        "write globs relative to the program's root, e.g. `bin/*.ts`",
                    );
                    continue;
                }
                names.insert(name.clone());
                compiled.vars.push((
                    name,
                    Var::File {
                        among: file.among.clone(),
                    },
                ));
                continue;
            }
            if let Some(number) = &spec.number {
                if number.placeholder.is_empty() {
                    self.error(
                        pos,
                        format!("`${name}` numbers an empty placeholder"),
                        "give `placeholder` some text, e.g. `%N`",
                    );
                    continue;
                }
                let var = Var::Number {
                    value: check(self, &number.value),
                    placeholder: number.placeholder.clone(),
                };
                names.insert(name.clone());
                compiled.vars.push((name, var));
                continue;
            }
            if let Some(truncate) = &spec.truncate {
                if truncate.max < 12 {
                    self.error(
                        pos,
                        format!("`${name}` truncates to {} characters", truncate.max),
                        "`max` must be at least 12 (room for the hash)",
                    );
                    continue;
                }
                let var = Var::Truncate {
                    value: check(self, &truncate.value),
                    max: truncate.max,
                };
                names.insert(name.clone());
                compiled.vars.push((name, var));
                continue;
            }
            let var = match (&spec.pick, &spec.first) {
                (Some(pick), None) => {
                    let from = metavar(&pick.from).filter(|f| defined.contains(f));
                    let Some(from) = from else {
                        self.error(
                            pos,
                            format!(
                                "`pick.from: {}` is not a metavariable of the rule",
                                pick.from
                            ),
                            "pick from a metavariable bound to an options expression",
                        );
                        continue;
                    };
                    Var::Pick {
                        from,
                        keys: pick.keys.clone(),
                        prefix: check(self, &pick.prefix),
                        suffix: check(self, &pick.suffix),
                    }
                }
                (None, Some(first)) => Var::First(first.iter().map(|t| check(self, t)).collect()),
                _ => {
                    self.error(
                        pos,
                        format!("`${name}` must have exactly one of `pick` and `first`"),
                        "say how the variable is computed",
                    );
                    continue;
                }
            };
            names.insert(name.clone());
            compiled.vars.push((name, var));
        }
        let template = |this: &mut Self, pos, text: &str| -> Template {
            let template = Template::parse(text);
            for name in template.vars() {
                if !names.contains(name) {
                    this.error(
                        pos,
                        format!("the template uses `${name}`, which the rule does not define"),
                        "define it in the rule or its transform, or bind it with `ensureImport`",
                    );
                }
            }
            template
        };
        for effect in &rule.effects {
            let pos = at(effect);
            let compiled_effect = match &effect.value {
                EffectSpec::InsertBefore(insert) | EffectSpec::InsertAfter(insert) => {
                    let anchor = match &insert.anchor {
                        Some(anchor) => match var(self, pos, anchor, "anchor") {
                            Some(name) => Some(name),
                            None => continue,
                        },
                        None => None,
                    };
                    Effect::Insert {
                        anchor,
                        place: if matches!(effect.value, EffectSpec::InsertBefore(_)) {
                            Place::Before
                        } else {
                            Place::After
                        },
                        template: template(self, pos, &insert.template),
                    }
                }
                EffectSpec::EnsureImport(import) => Effect::EnsureImport {
                    module: import.module.clone(),
                    alias: import.alias.clone(),
                    bind: import.bind.as_deref().and_then(metavar),
                    first: import.first,
                },
                EffectSpec::EnsureDependency(dependency) => {
                    let Some(ecosystem) = Ecosystem::of(lang) else {
                        self.error(
                            pos,
                            format!("`ensureDependency` needs a program language, not {lang}"),
                            "use it in TypeScript, JavaScript or Python rules",
                        );
                        continue;
                    };
                    Effect::EnsureDependency(DependencyRequest {
                        ecosystem,
                        package: dependency.package.clone(),
                        requirement: dependency.version.clone(),
                    })
                }
                EffectSpec::Replace(replace) => {
                    let target = match &replace.target {
                        Some(target) => match var(self, pos, target, "`replace.target`") {
                            Some(name) => Some(name),
                            None => continue,
                        },
                        None => None,
                    };
                    Effect::Replace {
                        target,
                        with: template(self, pos, &replace.with),
                    }
                }
                EffectSpec::ReplaceSame(replace) => {
                    let Some(of) = var(self, pos, &replace.of, "`replaceSame.of`") else {
                        continue;
                    };
                    Effect::ReplaceSame {
                        of,
                        with: template(self, pos, &replace.with),
                        enclosing: replace
                            .enclosing
                            .iter()
                            .map(|(callee, to)| (callee.clone(), template(self, pos, to)))
                            .collect(),
                    }
                }
                EffectSpec::ReplaceMatches(replace) => {
                    let related = match self.related_rule(lang, &replace.rule, compiled) {
                        Ok(related) => related,
                        Err(error) => {
                            let message = invalid_pattern(lang, &replace.rule)
                                .unwrap_or_else(|| chain(&error));
                            self.error(
                                pos,
                                format!("`replaceMatches` rule for {lang}: {message}"),
                                format!("check the rule; {RULE_HELP}"),
                            );
                            continue;
                        }
                    };
                    let own: HashSet<String> = related
                        .matcher
                        .defined_vars()
                        .into_iter()
                        .map(str::to_owned)
                        .collect();
                    let with = Template::parse(&replace.with);
                    for name in with.vars() {
                        if !names.contains(name) && !own.contains(name) {
                            self.error(
                                pos,
                                format!("the template uses `${name}`, which neither rule defines"),
                                "define it in one of the rules, a transform or a var",
                            );
                        }
                    }
                    Effect::ReplaceMatches {
                        rule: std::sync::Arc::new(related),
                        with,
                    }
                }
                EffectSpec::AddOption(option) => {
                    if lang == Lang::Yaml {
                        self.error(
                            pos,
                            "`addOption` needs a program language, not yaml",
                            "use it in TypeScript, JavaScript or Python rules",
                        );
                        continue;
                    }
                    let resource = match (&option.resource, &option.rule) {
                        (Some(_), Some(_)) => {
                            self.error(
                                pos,
                                "`addOption` has both `resource` and `rule`",
                                "name the resource with a metavariable, or find others with a rule",
                            );
                            continue;
                        }
                        (Some(resource), None) => {
                            match var(self, pos, resource, "`addOption.resource`") {
                                Some(name) => OptionTarget::Node(Some(name)),
                                None => continue,
                            }
                        }
                        (None, Some(rule)) => match self.related_rule(lang, rule, compiled) {
                            Ok(related) => OptionTarget::Matches(std::sync::Arc::new(related)),
                            Err(error) => {
                                let message =
                                    invalid_pattern(lang, rule).unwrap_or_else(|| chain(&error));
                                self.error(
                                    pos,
                                    format!("`addOption` rule for {lang}: {message}"),
                                    format!("check the rule; {RULE_HELP}"),
                                );
                                continue;
                            }
                        },
                        (None, None) => OptionTarget::Node(None),
                    };
                    Effect::AddOption {
                        resource,
                        key: option.key.clone(),
                        value: template(self, pos, &option.value),
                    }
                }
                EffectSpec::AddEntry(add) => {
                    if lang == Lang::Yaml {
                        self.error(
                            pos,
                            "`addEntry` needs a program language, not yaml",
                            "use it in TypeScript, JavaScript or Python rules",
                        );
                        continue;
                    }
                    let to = match &add.to {
                        Some(to) => match var(self, pos, to, "`addEntry.to`") {
                            Some(name) => Some(name),
                            None => continue,
                        },
                        None => None,
                    };
                    Effect::AddEntry {
                        to,
                        entry: template(self, pos, &add.entry),
                    }
                }
            };
            compiled.effects.push(compiled_effect);
        }
        for condition in spec.conditions.iter().chain(&rule.conditions) {
            let pos = at(condition);
            let compiled_condition = match &condition.value {
                ConditionSpec::Absent(related) | ConditionSpec::Present(related) => {
                    let scope = match related.scope {
                        ScopeSpec::File => Scope::File,
                        ScopeSpec::Program => Scope::Program,
                    };
                    let present = matches!(condition.value, ConditionSpec::Present(_));
                    match self.related_matcher(lang, &related.rule, related.transform.as_ref()) {
                        Ok(matcher) => Condition::from_related(
                            RelatedRule::new(matcher, compiled),
                            present,
                            scope,
                            related.distinct,
                            iacfix_core::required_literals(&related.rule, &BTreeMap::new()),
                        ),
                        Err(error) => {
                            let message = invalid_pattern(lang, &related.rule)
                                .unwrap_or_else(|| chain(&error));
                            self.error(
                                pos,
                                format!("condition rule for {lang}: {message}"),
                                format!("check the condition's rule; {RULE_HELP}"),
                            );
                            continue;
                        }
                    }
                }
                ConditionSpec::MissingFile(path) | ConditionSpec::ExistingFile(path) => {
                    let path = template(self, pos, path);
                    Condition::File {
                        path,
                        exists: matches!(condition.value, ConditionSpec::ExistingFile(_)),
                    }
                }
                ConditionSpec::FileCount(spec) => {
                    if let Err(error) = iacfix_core::path_globs(&spec.among) {
                        self.error(
                            pos,
                            format!("invalid glob in `fileCount.among`: {error}"),
                            "write globs relative to the program's root, e.g. `bin/*.ts`",
                        );
                        continue;
                    }
                    Condition::FileCount {
                        among: spec.among.clone(),
                        count: match spec.is {
                            FileCountIs::None => FileCount::None,
                            FileCountIs::One => FileCount::One,
                            FileCountIs::Many => FileCount::Many,
                        },
                    }
                }
                ConditionSpec::Provider(provider) => match VersionReq::parse(&provider.version) {
                    Ok(requirement) => Condition::Provider {
                        provider: provider.name.clone(),
                        requirement,
                    },
                    Err(message) => {
                        self.error(
                            pos,
                            message,
                            "write a major-version requirement: `>=7`, `<7`, `>=6,<8`",
                        );
                        continue;
                    }
                },
            };
            compiled.conditions.push(compiled_condition);
        }
    }

    fn cases(
        &mut self,
        specs: &[Spanned<CaseSpec>],
        languages: &HashSet<Lang>,
        codemod: &CodemodSpec,
    ) -> Vec<Case> {
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
            for name in spec.options.keys() {
                if !codemod.options.contains_key(name) {
                    self.error(
                        pos,
                        format!(
                            "test case `{}` sets option `{name}`, which the codemod does not have",
                            spec.name
                        ),
                        "declare the option under `options:`, or correct its name",
                    );
                }
            }
            cases.push(Case {
                name: spec.name.clone(),
                lang: spec.language,
                input: spec.input.clone(),
                expect,
                example: spec.example,
                line: pos.0,
                path: spec
                    .path
                    .clone()
                    .unwrap_or_else(|| default_case_path(spec.language).to_owned()),
                files: spec
                    .files
                    .iter()
                    .map(|(path, file)| {
                        (
                            path.clone(),
                            CaseFile {
                                input: file.input.clone(),
                                output: file.output.clone(),
                            },
                        )
                    })
                    .collect(),
                providers: spec.providers.clone(),
                options: spec.options.clone(),
                type_check: spec.type_check,
            });
        }
        cases
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn options_are_substituted_and_escaped_braces_kept() {
        let options = BTreeMap::from([("domain".to_owned(), "internal.test".to_owned())]);
        let text = "a: {{domain}}\nb: f\"\\{{x}}\"\nc: {{ domain }}\n";
        assert_eq!(
            substitute_options("c.yaml", text, &options).unwrap(),
            "a: internal.test\nb: f\"{{x}}\"\nc: internal.test\n"
        );
        let errors = substitute_options("c.yaml", "x\ny: {{nope}}", &options).unwrap_err();
        assert_eq!(errors.len(), 1);
        assert!(
            errors[0].to_string().contains("c.yaml:2:4"),
            "{}",
            errors[0]
        );
    }

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
