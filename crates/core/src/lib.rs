//! The matching core of iacfix.
//!
//! Languages ([`Lang`]), compiled codemods ([`Codemod`]), and the [`Engine`] that parses a file
//! once, matches every codemod of its language in one walk, composes non-overlapping fixes,
//! re-runs to a fixpoint and refuses fixes that would break the file's syntax.
//!
//! **Architecture invariant:** this crate does no I/O. It sees text and returns findings and
//! texts; reading, walking, writing, git and the command line live elsewhere.

mod codemod;
mod effects;
mod engine;
mod lang;
mod layout;
mod literals;
pub mod manifest;
mod options;
mod prefilter;
mod regexes;
mod secrets;
mod suppress;
mod syntax;
mod template;
mod text;

pub use codemod::{
    Applicability, Codemod, Condition, Docs, Effect, FileCount, Meta, OptionTarget, Place,
    RelatedRule, Rule, Scope, Severity, Var, normalize_key, path_globs, truncate_with_hash,
};
pub use effects::Fix;
pub use engine::{
    Context, DEFAULT_MAX_PASSES, Engine, Facts, Finding, FixOptions, FixOutcome, Problem,
    ProgramFacts, ProgramFiles, Step,
};
pub use lang::{Lang, UnknownLang};
pub use literals::{best as most_selective, required_literals};
pub use manifest::{DependencyRequest, Ecosystem, ManifestKind, ProviderVersions, VersionReq};
pub use regexes::{ascii_regex, ascii_regexes, with_ascii_regexes};
pub use secrets::mask_secrets;
pub use suppress::{Suppression, UnusedSuppression};
pub use syntax::{ErrorKind, MAX_DEPTH, SyntaxError, syntax_error};
pub use template::Template;
pub use text::{Edit, Point, apply_edits};

/// Re-exported so the catalogue builds rules with the same ast-grep types the core runs.
pub use ast_grep_config;
/// Re-exported so the catalogue builds rules with the same ast-grep types the core runs.
pub use ast_grep_language::SupportLang;
