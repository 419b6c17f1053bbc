//! Compiled codemods: metadata plus one compiled ast-grep rule per language.
//!
//! The catalogue crate turns `codemods/<id>.yaml` into these types; the core only matches and
//! fixes with them.

use crate::Lang;
use crate::manifest::{DependencyRequest, VersionReq};
use crate::template::Template;
use ast_grep_config::{GlobalRules, RuleConfig, RuleConfigError, SerializableRuleConfig};
use ast_grep_language::SupportLang;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::fmt;

/// How bad a finding is for the stack it is in, most severe first.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "kebab-case")]
pub enum Severity {
    /// `pulumi up` fails: the code cannot deploy as written.
    DeployBlocker,
    /// The code deploys, but leaves a security weakness (a literal secret, no flow logs).
    Security,
    /// The code deploys, but is fragile or against convention.
    Hygiene,
}

impl Severity {
    /// The name used in codemod files and output.
    pub fn name(self) -> &'static str {
        match self {
            Severity::DeployBlocker => "deploy-blocker",
            Severity::Security => "security",
            Severity::Hygiene => "hygiene",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Whether, and when, a codemod's fix is written.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Applicability {
    /// Applied by `iacfix apply`: the fix cannot change what is deployed (the old code could not
    /// have deployed).
    Safe,
    /// Applied only with `--unsafe`: the fix changes deployed infrastructure (an update in place,
    /// new resources) and its docs say how.
    Unsafe,
    /// Reported, never rewritten: a human has to decide.
    Manual,
}

impl Applicability {
    /// The name used in codemod files and output.
    pub fn name(self) -> &'static str {
        match self {
            Applicability::Safe => "safe",
            Applicability::Unsafe => "unsafe",
            Applicability::Manual => "manual",
        }
    }
}

impl fmt::Display for Applicability {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A codemod's documentation, under fixed headings (ruff's rule docs are the model).
#[derive(Clone, Debug, Default)]
pub struct Docs {
    /// "What it does": the pattern found and the rewrite made.
    pub what_it_does: String,
    /// "Why": what goes wrong at deploy time, or later, without the fix.
    pub why: String,
    /// "Fix safety": what the next `pulumi up` does after the fix (state impact).
    pub fix_safety: String,
}

/// Everything about a codemod but its rules.
#[derive(Clone, Debug)]
pub struct Meta {
    /// Kebab-case identifier; also the codemod's file name.
    pub id: String,
    /// One line saying what the fix does.
    pub title: String,
    /// Default finding message (a rule may override it); may use the rule's metavariables.
    pub message: String,
    pub severity: Severity,
    pub applicability: Applicability,
    /// The iacfix version that introduced the codemod.
    pub since: String,
    /// Run only when selected by id: a convention, not a fix every program needs.
    pub opt_in: bool,
    /// Links to the provider documentation or issues behind the codemod.
    pub references: Vec<String>,
    pub docs: Docs,
    /// Where the codemod was loaded from (a path, or `builtin:<id>`), for messages.
    pub origin: String,
}

/// A codemod ready to run: its metadata and its compiled rules.
pub struct Codemod {
    pub meta: Meta,
    pub rules: Vec<Rule>,
}

impl fmt::Debug for Codemod {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Codemod")
            .field("meta", &self.meta)
            .field("rules", &self.rules.len())
            .finish()
    }
}

impl Codemod {
    /// The languages this codemod has rules for, in [`Lang::ALL`] order.
    pub fn languages(&self) -> Vec<Lang> {
        Lang::ALL
            .into_iter()
            .filter(|lang| self.rules.iter().any(|rule| rule.lang == *lang))
            .collect()
    }

    /// Whether any rule can rewrite code (a rule with neither `fix` nor effects only reports).
    pub fn has_fix(&self) -> bool {
        self.rules
            .iter()
            .any(|rule| !rule.config.fixer.is_empty() || !rule.effects.is_empty())
    }
}

/// One compiled ast-grep rule for one language.
pub struct Rule {
    pub lang: Lang,
    /// The ast-grep rule: matcher, fixer, message template (with metavariables).
    pub config: RuleConfig<SupportLang>,
    /// Effects of the fix beyond the matched node's text edit.
    pub effects: Vec<Effect>,
    /// Conditions that must hold for a match to be reported at all.
    pub conditions: Vec<Condition>,
    /// Metavariables whose text is a secret: masked in every output but patch files.
    pub secrets: Vec<String>,
    /// Variables iacfix computes after a match, in order, for the effect templates.
    pub vars: Vec<(String, Var)>,
    /// Literals of which a file must contain one for the rule to match there
    /// ([`crate::required_literals`]); `None`: it may match any file.
    pub literals: Option<Vec<String>>,
}

/// A variable computed from a match for effect templates.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Var {
    /// The entries of an options object (`{ parent: this, provider }` in TypeScript,
    /// `ResourceOptions(parent=self)` in Python) bound to `from` whose keys are in `keys`, joined
    /// by `, `, between `prefix` and `suffix`; empty when none is kept.
    Pick {
        from: String,
        keys: Vec<String>,
        prefix: Template,
        suffix: Template,
    },
    /// The first of these templates whose metavariables are all bound to non-empty text.
    First(Vec<Template>),
    /// The value of a table (a codemod's `tables`) at the key `key` renders to (normalised with
    /// [`normalize_key`] when `normalize`). A key not in the table: the match is not a finding.
    Lookup {
        table: std::sync::Arc<std::collections::BTreeMap<String, String>>,
        key: Template,
        normalize: bool,
    },
    /// The integer of `to` nearest to the integer `value` renders to (the larger on a tie). Not
    /// an integer: the match is not a finding.
    Snap { value: Template, to: Vec<i64> },
    /// What `value` renders to, cut to at most `max` characters keeping a short hash of the
    /// whole (`<start>-<hash>`), so distinct long names stay distinct and the result is the
    /// same on every run.
    Truncate { value: Template, max: usize },
    /// What `value` renders to, each occurrence of `placeholder` replaced by its number (1, 2,
    /// …), so elements a rewriter produced get distinct names (lifecycle rule ids).
    Number {
        value: Template,
        placeholder: String,
    },
    /// The one file of the program (a path relative to its root) that matches one of these
    /// globs. None or several: the match is not a finding.
    File { among: Vec<String> },
}

impl Var {
    /// Whether the match is not a finding when the variable cannot be computed.
    pub fn is_required(&self) -> bool {
        matches!(
            self,
            Var::Lookup { .. }
                | Var::Snap { .. }
                | Var::Truncate { .. }
                | Var::Number { .. }
                | Var::File { .. }
        )
    }
}

/// A table key as [`Var::Lookup`] with `normalize` compares it: lower case, without `-`, `_`
/// and quotes (`"aurora-postgresql"`, `AuroraPostgresql` and `AURORA_POSTGRESQL` are one key).
pub fn normalize_key(key: &str) -> String {
    key.chars()
        .filter(|c| !matches!(c, '-' | '_' | '"' | '\'' | '`'))
        .flat_map(char::to_lowercase)
        .collect()
}

/// `text` cut to at most `max` characters as `<start>-<hash>` (8 hex digits of FNV-1a of the
/// whole text), the start without trailing `-` or `.`; `text` itself when it fits.
pub fn truncate_with_hash(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_owned();
    }
    let hash = text.bytes().fold(0x811c_9dc5_u32, |h, b| {
        (h ^ u32::from(b)).wrapping_mul(0x0100_0193)
    });
    let suffix = format!("-{hash:08x}");
    let keep = max.saturating_sub(suffix.len());
    let start: String = text.chars().take(keep).collect();
    format!("{}{suffix}", start.trim_end_matches(['-', '.', '_']))
}

impl Rule {
    /// Compiles an ast-grep rule. `config.language` must be `lang`'s grammar.
    pub fn compile(
        lang: Lang,
        config: SerializableRuleConfig<SupportLang>,
    ) -> Result<Rule, RuleConfigError> {
        Rule::compile_with(lang, config, &GlobalRules::default())
    }

    /// [`Rule::compile`] with global utility rules (`matches:` them).
    pub fn compile_with(
        lang: Lang,
        config: SerializableRuleConfig<SupportLang>,
        globals: &GlobalRules,
    ) -> Result<Rule, RuleConfigError> {
        debug_assert_eq!(config.language, lang.support_lang());
        Ok(Rule {
            lang,
            config: RuleConfig::try_from(config, globals)?,
            effects: Vec::new(),
            conditions: Vec::new(),
            secrets: Vec::new(),
            vars: Vec::new(),
            literals: None,
        })
    }
}

/// A change a fix makes beyond replacing the matched text. Effects are part of the fix: all of
/// its edits (and the dependencies it needs) are applied together or not at all.
#[derive(Clone, Debug, PartialEq)]
pub enum Effect {
    /// Insert `template` as statements before or after the statement containing `anchor` (a
    /// metavariable; the matched node when `None`), indented like it. Before: when the fix
    /// rewrites other places too ([`Effect::ReplaceSame`]), the statements go before the first of
    /// them, in the innermost scope holding them all.
    Insert {
        anchor: Option<String>,
        place: Place,
        template: Template,
    },
    /// Make sure the file imports `module`: reuse an existing import under whatever alias it has,
    /// or add one under `alias` (with the other imports, or before them when `first`). The alias
    /// in use is bound to the metavariable `bind` for templates.
    EnsureImport {
        module: String,
        alias: String,
        bind: Option<String>,
        first: bool,
    },
    /// Make sure the program's manifest declares a dependency.
    EnsureDependency(DependencyRequest),
    /// Replace the node bound to `target` (the matched node when `None`) by `with`.
    Replace {
        target: Option<String>,
        with: Template,
    },
    /// Replace every other string literal of the file equal to the one bound to `of` by `with`;
    /// an occurrence inside a call to one of `enclosing`'s callees (`JSON.stringify`) also has the
    /// callee rewritten (`pulumi.jsonStringify`), since the replacement is no longer plain text.
    ReplaceSame {
        of: String,
        with: Template,
        enclosing: Vec<(String, Template)>,
    },
    /// Replace every other node of the file that `rule` matches with the same text for the
    /// metavariables it shares with the match (`$D.invokeUrl` for the match's `$D`) by `with`,
    /// which may use the metavariables of both rules. Nodes inside the matched node are left to
    /// the rule's own fix.
    ReplaceMatches {
        rule: std::sync::Arc<RelatedRule>,
        with: Template,
    },
    /// Add `value` to the list resource option `key` (`dependsOn` / `depends_on`, `aliases`) of
    /// the resource bound to `resource` (the matched node when `None`): appended to the
    /// option's list, or the option added to the resource's options, or options added to the
    /// resource.
    AddOption {
        resource: OptionTarget,
        key: String,
        value: Template,
    },
    /// Add `entry` as the last entry of the object literal or argument list bound to `to` (the
    /// matched node when `None`; a call stands for its arguments), in its style (same line, or a
    /// line of its own with a trailing comma when the others have one).
    AddEntry { to: Option<String>, entry: Template },
}

/// The resources an [`Effect::AddOption`] extends.
#[derive(Clone, Debug, PartialEq)]
pub enum OptionTarget {
    /// The node bound to a metavariable; the matched node when `None`.
    Node(Option<String>),
    /// Every node of the file another rule matches with the same text for the metavariables it
    /// shares with the match (the bucket policies of the matched bucket).
    Matches(std::sync::Arc<RelatedRule>),
}

/// Another ast-grep rule, compiled for a language, and the metavariables it shares with a
/// codemod's rule: a [`Condition::Related`] or an [`Effect::ReplaceMatches`].
pub struct RelatedRule {
    /// Shared between the rules that relate to the same rule (conditions written once and
    /// used by many rules through YAML anchors are compiled once).
    pub matcher: std::sync::Arc<ast_grep_config::RuleCore>,
    /// Sorted names of the metavariables both rules define.
    pub shared: Vec<String>,
}

impl fmt::Debug for RelatedRule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RelatedRule")
            .field("shared", &self.shared)
            .finish_non_exhaustive()
    }
}

impl PartialEq for RelatedRule {
    /// Compiled matchers cannot be compared: two related rules are equal only if they are one.
    fn eq(&self, other: &Self) -> bool {
        std::ptr::eq(self, other)
    }
}

impl RelatedRule {
    /// Compiles `rule` (with its `transform`) for `lang`, sharing metavariables with `main`
    /// (transformed ones included).
    pub fn compile(
        lang: Lang,
        rule: ast_grep_config::SerializableRule,
        transform: Option<std::collections::HashMap<String, ast_grep_config::Transformation>>,
        main: &Rule,
    ) -> Result<RelatedRule, RuleConfigError> {
        let matcher = RelatedRule::matcher(lang, rule, transform, &GlobalRules::default())?;
        Ok(RelatedRule::new(std::sync::Arc::new(matcher), main))
    }

    /// Compiles `rule` (with its `transform`) for `lang`, on its own, with global utility
    /// rules.
    pub fn matcher(
        lang: Lang,
        rule: ast_grep_config::SerializableRule,
        transform: Option<std::collections::HashMap<String, ast_grep_config::Transformation>>,
        globals: &GlobalRules,
    ) -> Result<ast_grep_config::RuleCore, RuleConfigError> {
        let config = SerializableRuleConfig {
            core: ast_grep_config::SerializableRuleCore {
                rule,
                constraints: None,
                utils: None,
                transform,
            },
            fix: None,
            rewriters: None,
            id: String::new(),
            language: lang.support_lang(),
            message: String::new(),
            note: None,
            severity: Default::default(),
            labels: None,
            files: None,
            ignores: None,
            url: None,
            metadata: None,
            unknown_keys: ast_grep_config::DenyUnknownKeys,
        };
        Ok(RuleConfig::try_from(config, globals)?.matcher)
    }

    /// A compiled rule related to `main`: the metavariables both define are shared.
    pub fn new(matcher: std::sync::Arc<ast_grep_config::RuleCore>, main: &Rule) -> RelatedRule {
        let main_vars = main.config.matcher.defined_vars();
        let mut shared: Vec<String> = matcher
            .defined_vars()
            .into_iter()
            .filter(|v| main_vars.contains(v))
            .map(str::to_owned)
            .collect();
        shared.sort();
        RelatedRule { matcher, shared }
    }
}

/// Before or after an anchor statement.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Place {
    Before,
    After,
}

/// A condition on a match beyond its ast-grep rule.
pub enum Condition {
    /// Another rule must match nothing (`Absent`) or something (`Present`) in `scope` whose
    /// metavariables shared with the match bind the same text, e.g. "no `aws.ec2.FlowLog` has
    /// `vpcId: $VPC.id`".
    Related {
        present: bool,
        scope: Scope,
        rule: std::sync::Arc<ast_grep_config::RuleCore>,
        shared: Vec<String>,
        /// The shared metavariables must bind text *different* from the match's (another
        /// region than this one), not text referring to it.
        distinct: bool,
        /// Literals of which a file must contain one for `rule` to match there.
        literals: Option<Vec<String>>,
    },
    /// The program's `provider` (e.g. `aws`) has a major version satisfying `requirement`.
    Provider {
        provider: String,
        requirement: VersionReq,
    },
    /// The path `path` renders to (relative to the program's root: a file, or a directory
    /// holding files) exists in the program (`exists`) or does not.
    File { path: Template, exists: bool },
    /// How many of the program's files match one of the globs `among`.
    FileCount {
        among: Vec<String>,
        count: FileCount,
    },
}

/// A number of files, for [`Condition::FileCount`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FileCount {
    None,
    One,
    Many,
}

/// A glob matcher for paths relative to a program's root (`*` does not cross `/`).
pub fn path_globs(patterns: &[String]) -> Result<globset::GlobSet, globset::Error> {
    let mut builder = globset::GlobSetBuilder::new();
    for pattern in patterns {
        builder.add(
            globset::GlobBuilder::new(pattern)
                .literal_separator(true)
                .build()?,
        );
    }
    builder.build()
}

impl fmt::Debug for Condition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Condition::Related {
                present,
                scope,
                shared,
                ..
            } => f
                .debug_struct(if *present { "Present" } else { "Absent" })
                .field("scope", scope)
                .field("shared", shared)
                .finish(),
            Condition::Provider {
                provider,
                requirement,
            } => write!(f, "Provider({provider} {requirement})"),
            Condition::File { path, exists } => write!(f, "File({path:?}, exists: {exists})"),
            Condition::FileCount { among, count } => write!(f, "FileCount({among:?}: {count:?})"),
        }
    }
}

impl Condition {
    /// Compiles a [`Condition::Related`] for `lang`, sharing metavariables with `main`.
    pub fn related(
        lang: Lang,
        present: bool,
        scope: Scope,
        rule: ast_grep_config::SerializableRule,
        transform: Option<std::collections::HashMap<String, ast_grep_config::Transformation>>,
        distinct: bool,
        main: &Rule,
    ) -> Result<Condition, RuleConfigError> {
        let literals = crate::literals::required_literals(&rule, &Default::default());
        let related = RelatedRule::compile(lang, rule, transform, main)?;
        Ok(Condition::from_related(
            related, present, scope, distinct, literals,
        ))
    }

    /// A [`Condition::Related`] on a compiled related rule.
    pub fn from_related(
        related: RelatedRule,
        present: bool,
        scope: Scope,
        distinct: bool,
        literals: Option<Vec<String>>,
    ) -> Condition {
        Condition::Related {
            present,
            scope,
            rule: related.matcher,
            shared: related.shared,
            distinct,
            literals,
        }
    }
}

/// How far a [`Condition::Related`] looks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scope {
    /// The file the match is in.
    File,
    /// Every file of the Pulumi program (the directory of its `Pulumi.yaml`).
    Program,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_normalized_across_spellings() {
        for spelling in [
            "\"aurora-postgresql\"",
            "AuroraPostgresql",
            "AURORA_POSTGRESQL",
        ] {
            assert_eq!(normalize_key(spelling), "aurorapostgresql");
        }
        assert_eq!(normalize_key("'nodejs16.x'"), "nodejs16.x");
    }

    #[test]
    fn truncation_keeps_short_text_and_hashes_long_text() {
        assert_eq!(truncate_with_hash("short-name", 32), "short-name");
        let long = "a-very-long-load-balancer-name-for-production";
        let cut = truncate_with_hash(long, 32);
        assert_eq!(cut.chars().count(), 32);
        assert!(cut.starts_with("a-very-long-load-balan"), "{cut}");
        assert_eq!(cut, truncate_with_hash(long, 32), "deterministic");
        assert_ne!(cut, truncate_with_hash(&format!("{long}-2"), 32));
        // No `-` left dangling before the hash.
        let cut = truncate_with_hash("abcdefghijklmnopqrstuv-wxyzabcdefgh", 32);
        assert!(!cut.contains("--"), "{cut}");
    }
}
