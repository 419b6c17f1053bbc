//! Compiled codemods: metadata plus one compiled ast-grep rule per language.
//!
//! The catalogue crate turns `codemods/<id>.yaml` into these types; the core only matches and
//! fixes with them.

use crate::Lang;
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

    /// Whether any rule can rewrite code (a rule without `fix` only reports).
    pub fn has_fix(&self) -> bool {
        self.rules.iter().any(|rule| !rule.config.fixer.is_empty())
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
}

impl Rule {
    /// Compiles an ast-grep rule. `config.language` must be `lang`'s grammar.
    pub fn compile(
        lang: Lang,
        config: SerializableRuleConfig<SupportLang>,
    ) -> Result<Rule, RuleConfigError> {
        debug_assert_eq!(config.language, lang.support_lang());
        Ok(Rule {
            lang,
            config: RuleConfig::try_from(config, &GlobalRules::default())?,
            effects: Vec::new(),
            conditions: Vec::new(),
        })
    }
}

/// A change a fix makes beyond replacing the matched text.
///
/// The types are part of the codemod model so that the engine's data flow has room for them;
/// the catalogue does not accept them yet (they arrive with the codemods that need them).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Effect {
    /// Make sure the file imports `module` (under `alias` when it has to add the import),
    /// reusing an existing import of the same module under any alias.
    EnsureImport { module: String, alias: String },
    /// Make sure the project's manifest (package.json, requirements.txt, pyproject.toml)
    /// depends on `package`, adding `requirement` when it does not.
    EnsureDependency {
        ecosystem: Ecosystem,
        package: String,
        requirement: String,
    },
    /// Insert `template` (with the match's metavariables) as new statements right after the
    /// statement that contains the node bound to the metavariable `anchor`, with its indentation.
    InsertAfterStatement { anchor: String, template: String },
}

/// Where a dependency is declared.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ecosystem {
    /// `package.json`
    Npm,
    /// `requirements.txt` or `pyproject.toml`
    PyPi,
}

/// A condition on a match beyond the ast-grep rule.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Condition {
    /// Nothing in `scope` matches `pattern` (with the match's metavariables substituted), e.g.
    /// "no `aws.ec2.FlowLog` refers to `$VPC`".
    Absent { pattern: String, scope: Scope },
    /// The project's manifest declares `package` at a version that satisfies `requirement`
    /// (e.g. `@pulumi/aws` `>=7`); with no manifest, the newest major is assumed.
    Provider {
        package: String,
        requirement: String,
    },
}

/// How far an [`Condition::Absent`] condition looks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scope {
    /// The file the match is in.
    File,
    /// Every file of the Pulumi program the match is in.
    Program,
}
