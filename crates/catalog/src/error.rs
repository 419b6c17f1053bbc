//! Catalogue errors: each names the file, the line and column, and says how to fix it.

use std::fmt;

/// A problem in a codemod file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CatalogError {
    /// The codemod file, as given (or `builtin:<id>` for the embedded catalogue).
    pub path: String,
    /// 1-based; 0 when the problem is the file as a whole (e.g. it cannot be read).
    pub line: u64,
    pub column: u64,
    pub message: String,
    /// How to fix it.
    pub help: String,
}

impl CatalogError {
    pub(crate) fn new(
        path: &str,
        (line, column): (u64, u64),
        message: impl Into<String>,
        help: impl Into<String>,
    ) -> CatalogError {
        CatalogError {
            path: path.to_owned(),
            line,
            column,
            message: message.into(),
            help: help.into(),
        }
    }
}

impl fmt::Display for CatalogError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line == 0 {
            write!(f, "{}: {}", self.path, self.message)?;
        } else {
            write!(
                f,
                "{}:{}:{}: {}",
                self.path, self.line, self.column, self.message
            )?;
        }
        write!(f, "\n  help: {}", self.help)
    }
}

impl std::error::Error for CatalogError {}

/// Every error found while loading a catalogue (loading goes on past the first bad file).
#[derive(Debug)]
pub struct CatalogErrors(pub Vec<CatalogError>);

impl fmt::Display for CatalogErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, error) in self.0.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{error}")?;
        }
        Ok(())
    }
}

impl std::error::Error for CatalogErrors {}

/// The error and its sources, joined with `: `, without the wrappers that add nothing to
/// "rule for <language>" (ast-grep's errors say what is wrong in their causes).
pub(crate) fn chain(error: &dyn std::error::Error) -> String {
    const NOISE: &[&str] = &[
        "Fail to parse yaml as Rule",
        "Fail to parse yaml as RuleConfig",
        "`rule` is not configured correctly",
    ];
    let mut parts: Vec<String> = Vec::new();
    let mut next: Option<&dyn std::error::Error> = Some(error);
    while let Some(cause) = next {
        let text = cause.to_string();
        let mut text = text.trim().trim_end_matches('.').to_owned();
        if let Some(rest) = text.strip_prefix("Rule contains ") {
            text = rest.to_owned();
        }
        // "Invalid Kind: Kind `x` is invalid" after "invalid kind matcher": keep what is new.
        if let (Some(previous), Some((head, rest))) = (parts.last(), text.split_once(": "))
            && previous.to_lowercase().contains(&head.to_lowercase())
        {
            text = rest.to_owned();
        }
        let lower = text.to_lowercase();
        if !NOISE.contains(&text.as_str())
            && !parts.iter().any(|p| p.to_lowercase().contains(&lower))
        {
            parts.push(text);
        }
        next = cause.source();
    }
    parts.join(": ")
}

/// A help line for a YAML / schema error, from what the error says.
pub(crate) fn help_for_schema_error(message: &str) -> String {
    const SCHEMA: &str = "the format is in CONTRIBUTING.md (\"Adding a codemod\") and \
                          codemods/codemod.schema.json";
    if message.contains("unknown field") {
        format!("remove the key or correct its spelling to one of the expected keys; {SCHEMA}")
    } else if message.contains("missing field") {
        format!("add the missing key; {SCHEMA}")
    } else if message.contains("unknown variant") {
        "use one of the listed values".to_owned()
    } else if message.contains("invalid type") {
        format!("give the key a value of the expected type; {SCHEMA}")
    } else if message.contains("duplicate") {
        "remove one of the repeated keys".to_owned()
    } else {
        format!("fix the YAML at this position; {SCHEMA}")
    }
}
