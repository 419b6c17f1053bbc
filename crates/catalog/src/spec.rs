//! The codemod file format, as serde types: what `codemods/<id>.yaml` may contain.
//!
//! Matching and fixing reuse ast-grep's rule language unchanged (`rule`, `constraints`,
//! `utils`, `transform`, `rewriters`, `fix` with `expandStart` / `expandEnd`); the rest is
//! iacfix's: metadata, fixed-heading docs, per-language rules in one file and inline test
//! cases. Every struct denies unknown keys. The JSON schema (`codemods/codemod.schema.json`) is
//! generated from these types by `cargo xtask codegen`.

use iacfix_core::ast_grep_config::{SerializableRewriter, SerializableRule, Transformation};
use iacfix_core::{Applicability, Lang, Severity};
use schemars::JsonSchema;
use serde::de::{self, MapAccess, Visitor};
use serde::{Deserialize, Deserializer};
use serde_saphyr::Spanned;
use serde_value::Value;
use std::collections::BTreeMap;
use std::fmt;

/// One codemod: `codemods/<id>.yaml`, the file name (without `.yaml`) being its id.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schemars(title = "iacfix codemod")]
pub struct CodemodSpec {
    /// One line saying what the fix does, in the imperative ("Use X instead of Y").
    pub title: String,
    /// How bad the problem is for the stack: deploy-blocker, security or hygiene.
    pub severity: Severity,
    /// safe: applied by `iacfix apply`; unsafe: only with `--unsafe`; manual: only reported.
    pub applicability: Applicability,
    /// The iacfix version that introduced the codemod, e.g. `0.1.0`.
    pub since: String,
    /// Run only when selected by id (`--select`, `--extend-select`, `select` or
    /// `extend-select` in iacfix.toml): a convention some teams want and others do not.
    #[serde(default)]
    pub opt_in: bool,
    /// The finding's message. It may use the rule's metavariables (`$NAME`); a rule may give
    /// its own `message`.
    pub message: String,
    /// Links to provider documentation or issues that back the codemod.
    #[serde(default)]
    pub references: Vec<String>,
    /// Documentation under fixed headings, shown by `iacfix explain`.
    pub docs: DocsSpec,
    /// Settings users can change (`--option <id>.<name>=<value>`); a codemod refers to one as
    /// `{{name}}` anywhere in its text, replaced before the codemod is read (`\{{` is a
    /// literal `{{`).
    #[serde(default)]
    pub options: BTreeMap<String, OptionSpec>,
    /// Conditions every rule's matches must meet (see a rule's `conditions`).
    #[serde(default)]
    #[schemars(with = "Vec<ConditionSpec>")]
    pub conditions: Vec<Spanned<ConditionSpec>>,
    /// Data the rules look values up in (`vars: [{ lookup: { table, key } }]`): tables by name,
    /// each mapping keys to values. Generated tables are refreshed by `cargo xtask
    /// refresh-data`.
    #[serde(default)]
    pub tables: BTreeMap<String, BTreeMap<String, String>>,
    /// The rules, each for one or more languages.
    #[schemars(with = "Vec<RuleSpec>")]
    pub rules: Vec<Spanned<RuleSpec>>,
    /// How the cases are checked against the real Pulumi SDKs (tsc, pyright): the outputs of
    /// changing cases and the inputs of unchanged ones must type-check; `inputs` says what the
    /// inputs of changing and reported cases do. Without it, cases are not type-checked.
    pub type_check: Option<TypeCheckSpec>,
    /// Inline test cases, run by `iacfix test` and `cargo test`.
    #[serde(default)]
    #[schemars(with = "Vec<CaseSpec>")]
    pub tests: Vec<Spanned<CaseSpec>>,
}

/// Documentation with the headings of ruff's rule docs. The example comes from the test cases
/// marked `example: true`, so it always runs.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct DocsSpec {
    /// "What it does": the code found and the rewrite made.
    pub what_it_does: String,
    /// "Why": what fails at deploy time (or later) without the fix.
    pub why: String,
    /// "Fix safety": what the next `pulumi up` does after the fix: no state impact, an update in
    /// place, new resources, or a replacement (and how it is avoided).
    pub fix_safety: String,
}

/// One ast-grep rule, compiled once for each of its languages.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct RuleSpec {
    /// The languages the rule's patterns are written in.
    pub languages: Vec<Lang>,
    /// Overrides the codemod's message for this rule's findings.
    pub message: Option<String>,
    /// An ast-grep rule object (pattern, kind, regex, inside, has, all, any, not, matches, ...).
    /// See <https://ast-grep.github.io/reference/rule.html>.
    #[schemars(with = "SerializableRule")]
    pub rule: Spanned<SerializableRule>,
    /// Extra conditions on metavariables, as ast-grep rules.
    pub constraints: Option<BTreeMap<String, SerializableRule>>,
    /// Utility rules usable with `matches`.
    pub utils: Option<BTreeMap<String, SerializableRule>>,
    /// Metavariable transformations (replace, substring, convert, rewrite).
    /// See <https://ast-grep.github.io/reference/yaml/transformation.html>.
    pub transform: Option<BTreeMap<String, Transformation>>,
    /// The rewrite of the matched node: a template string, or a `FixConfig` object with
    /// `template` and `expandStart` / `expandEnd` to widen the replaced range (for example to
    /// take a trailing comma with a removed property). Without `fix` the rule only reports.
    #[schemars(with = "Option<FixSpec>")]
    pub fix: Option<Spanned<FixSpec>>,
    /// Rewriters for the `rewrite` transformation.
    pub rewriters: Option<Vec<SerializableRewriter>>,
    /// Metavariables (`$SECRET`) whose text is a secret: masked in findings, diffs, reports and
    /// snapshots (only patch files meant for `git apply` carry it).
    #[serde(default)]
    pub secrets: Vec<String>,
    /// Variables iacfix computes from a match for the effects' templates, in order.
    #[serde(default)]
    #[schemars(with = "Vec<VarSpec>")]
    pub vars: Vec<Spanned<VarSpec>>,
    /// What the fix does beyond rewriting the matched node: all applied together, or nothing.
    #[serde(default)]
    #[schemars(with = "Vec<EffectSpec>")]
    pub effects: Vec<Spanned<EffectSpec>>,
    /// Conditions a match must meet to be reported.
    #[serde(default)]
    #[schemars(with = "Vec<ConditionSpec>")]
    pub conditions: Vec<Spanned<ConditionSpec>>,
    /// Strings of which a file must contain one (compared ignoring ASCII case) for the rule to
    /// match there: files without any are not parsed for it. iacfix derives them from the
    /// rule's patterns, regexes and `present` conditions; give them when it cannot (a rule that
    /// matches a kind and looks its text up in a table). The cases check them: a case that must
    /// change fails if its input lacks them.
    #[serde(default)]
    pub prefilter: Vec<String>,
}

/// A variable computed from a match: `name` and exactly one of `pick`, `first`, `lookup`,
/// `snap`, `truncate`, `number` or `file`. All but `pick` and `first` are usable in the rule's
/// `fix` and `message` too; when one cannot be computed, the match is not a finding.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct VarSpec {
    /// The variable (`$PASSWORD_OPTIONS`), usable in effect templates.
    pub name: String,
    /// The entries of a resource-options expression with these keys.
    pub pick: Option<PickSpec>,
    /// The first of these templates whose metavariables are all bound to non-empty text (a
    /// fallback: `[$VAR_NAME, dbPassword]`).
    pub first: Option<Vec<String>>,
    /// A value of one of the codemod's `tables`.
    pub lookup: Option<LookupSpec>,
    /// The allowed integer nearest to a value (the larger on a tie).
    pub snap: Option<SnapSpec>,
    /// A value cut to a maximum length, keeping a short hash of the whole.
    pub truncate: Option<TruncateSpec>,
    /// A value whose occurrences of a placeholder are numbered 1, 2, … (ids for the elements a
    /// rewriter produced).
    pub number: Option<NumberSpec>,
    /// The one file of the program that matches some globs (no finding when none or several
    /// do).
    pub file: Option<FileVarSpec>,
}

/// `file`: the program's one file matching `among`.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct FileVarSpec {
    /// Globs relative to the program's root, e.g. `[index.ts, "bin/*.ts", __main__.py]`.
    pub among: Vec<String>,
}

/// `number`: `value` with each occurrence of `placeholder` replaced by its number.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct NumberSpec {
    /// A template, e.g. `$RULES`.
    pub value: String,
    /// The text to number, e.g. `%N` (not empty).
    pub placeholder: String,
}

/// `lookup`: the value of `table` at the key `key` renders to.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct LookupSpec {
    /// A table of the codemod's `tables`.
    pub table: String,
    /// A template, e.g. `$ENGINE $VERSION`.
    pub key: String,
    /// Compare keys in lower case without `-`, `_` and quotes, so `"aurora-postgresql"`,
    /// `AuroraPostgresql` and `AURORA_POSTGRESQL` are one key.
    #[serde(default)]
    pub normalize: bool,
}

/// `snap`: the allowed integer nearest to the integer `value` renders to.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct SnapSpec {
    /// A template rendering to an integer, e.g. `$DAYS`.
    pub value: String,
    /// The allowed values.
    pub to: Vec<i64>,
}

/// `truncate`: `value` cut to `max` characters as `<start>-<8 hex digits of its hash>`.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct TruncateSpec {
    /// A template, e.g. `$NAME`.
    pub value: String,
    /// The maximum number of characters (at least 12).
    pub max: usize,
}

/// Entries to keep from an options object (`{ parent: this, provider }`) or a Python
/// `pulumi.ResourceOptions(...)` call.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct PickSpec {
    /// The metavariable bound to the options expression.
    pub from: String,
    /// The keys to keep, e.g. `[parent, provider, providers]`.
    pub keys: Vec<String>,
    /// Text before the kept entries, when there are any (a template).
    #[serde(default)]
    pub prefix: String,
    /// Text after the kept entries, when there are any (a template).
    #[serde(default)]
    pub suffix: String,
}

/// A setting of the codemod.
#[derive(Clone, Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct OptionSpec {
    /// The value used unless the user sets another.
    pub default: String,
    /// What the option changes.
    pub description: String,
    /// A regular expression every value must match (whole value).
    pub pattern: Option<String>,
}

/// Why an option value is refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum OptionError {
    #[error("`{value}` does not match `{pattern}`")]
    Mismatch { value: String, pattern: String },
    #[error("invalid pattern: {0}")]
    BadPattern(String),
}

impl OptionSpec {
    /// Whether `value` is one the option accepts (matches its whole pattern).
    pub fn check(&self, value: &str) -> Result<(), OptionError> {
        let Some(pattern) = &self.pattern else {
            return Ok(());
        };
        let regex = regex::Regex::new(&format!("^(?:{pattern})$"))
            .map_err(|e| OptionError::BadPattern(e.to_string()))?;
        if regex.is_match(value) {
            Ok(())
        } else {
            Err(OptionError::Mismatch {
                value: value.to_owned(),
                pattern: pattern.clone(),
            })
        }
    }
}

/// An effect of a fix.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub enum EffectSpec {
    /// Insert statements before the statement containing `anchor` (the matched node by
    /// default), or before the first place the fix rewrites if earlier, indented like it.
    InsertBefore(InsertSpec),
    /// Insert statements after the statement containing `anchor` (the matched node by default),
    /// indented like it.
    InsertAfter(InsertSpec),
    /// Make sure the file imports a module, reusing an existing import's alias.
    EnsureImport(ImportSpec),
    /// Make sure the program's manifest (package.json, requirements.txt, pyproject.toml)
    /// declares a package.
    EnsureDependency(DependencySpec),
    /// Replace the other string literals of the file equal to a metavariable's.
    ReplaceSame(ReplaceSameSpec),
    /// Replace a node (the matched one by default) with a template rendered by iacfix (so it
    /// may use `vars` and import aliases, unlike `fix`).
    Replace(ReplaceSpec),
    /// Replace the other nodes of the file another rule matches with the same text for the
    /// metavariables both rules use (`$DEPLOYMENT.invokeUrl` for this match's `$DEPLOYMENT`).
    ReplaceMatches(Box<ReplaceMatchesSpec>),
    /// Add an element to a list resource option (`dependsOn`, `aliases`) of a resource: to the
    /// option's list, as a new option, or as new options.
    AddOption(Box<AddOptionSpec>),
    /// Add an entry (a property, a keyword argument) at the end of an object literal or an
    /// argument list.
    AddEntry(AddEntrySpec),
}

/// An entry to add.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct AddEntrySpec {
    /// The metavariable bound to the object literal, argument list or call (whose arguments
    /// get the entry); the matched node when omitted.
    pub to: Option<String>,
    /// The entry (a template), e.g. `policy: $POLICY` or `policy=$POLICY`.
    pub entry: String,
}

/// Other places to rewrite with the match.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ReplaceMatchesSpec {
    /// An ast-grep rule, sharing metavariables with the codemod's rule; nodes inside the
    /// matched node are left to the rule's fix.
    pub rule: SerializableRule,
    /// What each matched node becomes (a template: the metavariables of both rules, `vars`,
    /// import aliases).
    pub with: String,
}

/// A resource option to extend.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct AddOptionSpec {
    /// The metavariable bound to the resource (`new` expression or Python call); the matched
    /// node when omitted (and no `rule` is given).
    pub resource: Option<String>,
    /// Instead of `resource`: every resource of the file this ast-grep rule matches with the
    /// same text for the metavariables it shares with the codemod's rule (a bucket's policies).
    #[schemars(with = "Option<SerializableRule>")]
    pub rule: Option<SerializableRule>,
    /// The option, spelt as the rule's language does: `dependsOn` (TypeScript), `depends_on`
    /// (Python).
    pub key: String,
    /// The element to add to the option's list (a template), e.g. `$CONTROLS`.
    pub value: String,
}

/// A node to replace.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ReplaceSpec {
    /// The metavariable bound to the node; the matched node when omitted.
    pub target: Option<String>,
    /// The replacement (a template).
    pub with: String,
}

/// Statements to insert.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct InsertSpec {
    /// A metavariable (`$VPC`) bound to a node inside the anchor statement.
    pub anchor: Option<String>,
    /// The statements, with metavariables, indented with 4 spaces per level (re-indented to the
    /// file's style).
    pub template: String,
}

/// An import to ensure.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ImportSpec {
    /// The module: `@pulumi/random` (TypeScript) or `pulumi_random` (Python).
    pub module: String,
    /// The alias to import it as when the file does not import it yet.
    pub alias: String,
    /// A metavariable (`$RANDOM`) bound to the alias in use, for the templates.
    pub bind: Option<String>,
    /// Add the import before the others (standard-library modules such as `json`).
    #[serde(default)]
    pub first: bool,
}

/// A dependency to ensure.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct DependencySpec {
    /// npm or PyPI package name, for the rule's languages.
    pub package: String,
    /// The version to add: an npm range (`^4.0.0`) or a PEP 508 specifier (`>=4.0.0,<5.0.0`).
    pub version: String,
}

/// Other occurrences of a literal.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ReplaceSameSpec {
    /// The metavariable bound to the literal (`$SECRET`).
    pub of: String,
    /// What each other occurrence becomes (a template).
    pub with: String,
    /// Calls whose callee changes when an occurrence is among their arguments, because the
    /// replacement is no longer plain text: `{ JSON.stringify: pulumi.jsonStringify }`.
    #[serde(default)]
    pub enclosing: BTreeMap<String, String>,
}

/// A condition on matches.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub enum ConditionSpec {
    /// Report the match only if this rule matches nothing in scope with the same text for the
    /// metavariables both rules use ("no FlowLog has `vpcId: $VPC.id`").
    Absent(RelatedSpec),
    /// Report the match only if this rule matches something in scope with the same text for the
    /// metavariables both rules use.
    Present(RelatedSpec),
    /// Report the match only if the program's provider version satisfies a requirement.
    Provider(ProviderSpec),
    /// Report the match only if this path (a template, relative to the program's root, e.g.
    /// `Pulumi.yaml`'s `main`) is neither a file of the program nor a directory holding one.
    MissingFile(String),
    /// Report the match only if this path (a template, relative to the program's root) is a
    /// file of the program or a directory holding one.
    ExistingFile(String),
    /// Report the match only if so many of the program's files match these globs.
    FileCount(FileCountSpec),
}

/// How many program files match some globs.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct FileCountSpec {
    /// Globs relative to the program's root (`*` stays within a directory): `index.ts`,
    /// `bin/*.ts`, `**/__main__.py`.
    pub among: Vec<String>,
    /// `none`, `one` or `many` (two or more).
    pub is: FileCountIs,
}

/// A number of files.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum FileCountIs {
    None,
    One,
    Many,
}

/// A rule another match is related to.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct RelatedSpec {
    /// `file` (default) or `program` (every file of the Pulumi program).
    #[serde(default)]
    pub scope: ScopeSpec,
    /// An ast-grep rule, sharing metavariables with the codemod's rule.
    pub rule: SerializableRule,
    /// Transformations of the rule's metavariables (shared with the codemod's rule by name,
    /// like its metavariables: `REGION` from a string's text).
    pub transform: Option<BTreeMap<String, Transformation>>,
    /// Require the shared metavariables to bind text *different* from the match's (another
    /// region than this one exists), instead of text referring to it.
    #[serde(default)]
    pub distinct: bool,
}

/// How far a condition looks.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum ScopeSpec {
    /// The file of the match.
    #[default]
    File,
    /// Every file of the program (the directory of its Pulumi.yaml).
    Program,
}

/// A provider version requirement.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ProviderSpec {
    /// The Pulumi provider: `aws` for `@pulumi/aws` / `pulumi-aws`.
    pub name: String,
    /// The major versions the rule is for: `>=7`, `<7`, `>=6,<8`, `7`. Read from the program's
    /// package.json, requirements.txt, pyproject.toml or lock files; the newest major when none
    /// says.
    pub version: String,
}

/// `fix`: a template string, or a FixConfig object.
#[derive(JsonSchema)]
#[serde(untagged)]
pub enum FixSpec {
    /// A template with the rule's metavariables, replacing the matched node.
    Template(String),
    /// A template and the ranges to widen the replacement to.
    Config(FixConfigSpec),
}

/// ast-grep's FixConfig.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct FixConfigSpec {
    /// The replacement text, with metavariables.
    pub template: String,
    /// Extend the replaced range backwards over the preceding siblings matching this rule.
    #[schemars(with = "Option<SerializableRule>")]
    pub expand_start: Option<Value>,
    /// Extend the replaced range forwards over the following siblings matching this rule
    /// (e.g. `{ regex: "^,$" }` to remove a trailing comma).
    #[schemars(with = "Option<SerializableRule>")]
    pub expand_end: Option<Value>,
}

impl FixSpec {
    /// The value ast-grep's own `SerializableFixer` deserialises from.
    pub(crate) fn to_value(&self) -> Value {
        match self {
            FixSpec::Template(template) => Value::String(template.clone()),
            FixSpec::Config(config) => {
                let mut map = BTreeMap::new();
                map.insert(
                    Value::String("template".into()),
                    Value::String(config.template.clone()),
                );
                for (key, value) in [
                    ("expandStart", &config.expand_start),
                    ("expandEnd", &config.expand_end),
                ] {
                    if let Some(value) = value {
                        map.insert(Value::String(key.into()), value.clone());
                    }
                }
                Value::Map(map)
            }
        }
    }
}

// Written by hand rather than `#[serde(untagged)]`: untagged enums lose the YAML position and
// the cause of an error ("data did not match any variant"), and catalogue errors need both.
impl<'de> Deserialize<'de> for FixSpec {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct FixVisitor;
        impl<'de> Visitor<'de> for FixVisitor {
            type Value = FixSpec;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a fix template string or a map with `template`")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<FixSpec, E> {
                Ok(FixSpec::Template(v.to_owned()))
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<FixSpec, A::Error> {
                FixConfigSpec::deserialize(de::value::MapAccessDeserializer::new(map))
                    .map(FixSpec::Config)
            }
        }
        deserializer.deserialize_any(FixVisitor)
    }
}

/// One test case: an input, and what the codemod must do with it.
///
/// A case with `output` must be rewritten to exactly that text; a case without `output` must
/// say `expect: unchanged` (no finding, no change) or `expect: reported` (a finding, no change).
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct CaseSpec {
    /// Unique within the codemod; names the case in test output and snapshots.
    pub name: String,
    /// The language the input is parsed as.
    pub language: Lang,
    /// The source text.
    pub input: String,
    /// The exact text the fix must produce.
    pub output: Option<String>,
    /// What the codemod must do: `fixed` (implied by `output`), `unchanged` or `reported`.
    pub expect: Option<ExpectSpec>,
    /// Show this case as the example in the codemod's docs.
    #[serde(default)]
    pub example: bool,
    /// The case file's name in its program (default `index.ts`, `index.tsx`, `index.js`,
    /// `__main__.py`, `Pulumi.yaml`).
    pub path: Option<String>,
    /// Other files of the program: manifests (`package.json`, `requirements.txt`, ...) and other
    /// sources, with the text each must have after the fix (`output`; unchanged when omitted).
    #[serde(default)]
    pub files: BTreeMap<String, FileSpec>,
    /// Provider majors for this case (`{ aws: 6 }`), over what the case's manifests say.
    #[serde(default)]
    pub providers: BTreeMap<String, u64>,
    /// Option values for this case (`{ domain: internal.test }`).
    #[serde(default)]
    pub options: BTreeMap<String, String>,
    /// `false` for a case that is not a whole program (a look-alike snippet): it is not
    /// type-checked against the SDKs.
    #[serde(default = "yes")]
    pub type_check: bool,
}

fn yes() -> bool {
    true
}

/// Another file of a case's program.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct FileSpec {
    pub input: String,
    /// The text the file must have after the fix; omitted: the file must not change.
    pub output: Option<String>,
}

/// How a codemod's cases type-check against the real SDKs.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct TypeCheckSpec {
    /// `fail` when the codemod fixes code the SDK's types reject (a resource type or property
    /// that does not exist), `pass` when the inputs type-check and fail only at deploy time.
    pub inputs: InputsSpec,
}

/// Whether the inputs of changing cases type-check.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum InputsSpec {
    Pass,
    Fail,
}

/// What a test case expects of the codemod.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum ExpectSpec {
    /// Rewritten to `output`.
    Fixed,
    /// No finding and no change.
    Unchanged,
    /// At least one finding, and no change.
    Reported,
}
