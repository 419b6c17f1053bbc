//! `--format json`: a versioned document of findings (schema: docs/findings.schema.json).

use super::{Collected, Diagnostic};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::io::{self, Write};

/// The version of the findings document. Removing or renaming a field, or changing its
/// meaning, makes a new version.
pub const FINDINGS_VERSION: u32 = 1;

/// The findings of `iacfix check --format json` (or `apply`: the findings left).
#[derive(Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schemars(title = "iacfix findings")]
pub struct Document {
    /// The document format's version.
    pub version: u32,
    /// The iacfix version that wrote it.
    pub iacfix: String,
    /// In path, then position order.
    pub findings: Vec<JsonFinding>,
    /// Files and paths that could not be processed.
    pub errors: Vec<JsonError>,
    pub summary: Summary,
}

/// A finding.
#[derive(Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct JsonFinding {
    /// The file, relative to where iacfix ran, with `/` separators.
    pub path: String,
    /// The codemod's id (`unused-suppression` for a suppression comment that suppresses
    /// nothing).
    pub codemod: String,
    /// `deploy-blocker`, `security` or `hygiene`.
    pub severity: String,
    /// `safe`, `unsafe` or `manual`; null for unused suppressions.
    pub applicability: Option<String>,
    /// The message (secrets masked).
    pub message: String,
    pub range: Range,
    /// The rewrite the codemod proposes, if any.
    pub fix: Option<Fix>,
}

/// A span: 1-based lines and columns (columns count characters).
#[derive(Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Range {
    pub start: Position,
    pub end: Position,
}

#[derive(Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Position {
    pub line: usize,
    pub column: usize,
}

/// A fix: edits applied together.
#[derive(Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Fix {
    /// `safe` (applied by `iacfix apply`) or `unsafe` (with `--unsafe`).
    pub applicability: String,
    pub edits: Vec<JsonEdit>,
}

/// Replace `range` of the file by `content`.
#[derive(Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct JsonEdit {
    pub range: Range,
    pub content: String,
}

/// A file or path that could not be processed.
#[derive(Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct JsonError {
    pub path: String,
    pub position: Option<Position>,
    pub message: String,
}

/// Counts.
#[derive(Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Summary {
    pub findings: usize,
    pub files_checked: usize,
    /// Findings `iacfix apply` fixes.
    pub fixable: usize,
    /// Findings `iacfix apply --unsafe` also fixes.
    pub fixable_unsafe: usize,
}

fn position(point: iacfix_core::Point) -> Position {
    Position {
        line: point.line,
        column: point.column,
    }
}

fn finding(d: &Diagnostic) -> JsonFinding {
    JsonFinding {
        path: d.path.clone(),
        codemod: d.id.clone(),
        severity: d.severity.name().to_owned(),
        applicability: d.applicability.map(|a| a.name().to_owned()),
        message: d.message.clone(),
        range: Range {
            start: position(d.start),
            end: position(d.end),
        },
        fix: d.fix.as_ref().and_then(|edits| {
            let applicability = d.applicability?;
            (applicability != iacfix_core::Applicability::Manual).then(|| Fix {
                applicability: applicability.name().to_owned(),
                edits: edits
                    .iter()
                    .map(|e| JsonEdit {
                        range: Range {
                            start: position(e.start),
                            end: position(e.end),
                        },
                        content: e.content.clone(),
                    })
                    .collect(),
            })
        }),
    }
}

pub fn write(out: &mut dyn Write, collected: &Collected) -> io::Result<()> {
    let findings: Vec<JsonFinding> = collected.diagnostics.iter().map(finding).collect();
    let count = |want: &str| {
        findings
            .iter()
            .filter(|f| f.fix.as_ref().is_some_and(|fix| fix.applicability == want))
            .count()
    };
    let document = Document {
        version: FINDINGS_VERSION,
        iacfix: env!("CARGO_PKG_VERSION").to_owned(),
        summary: Summary {
            findings: findings.len(),
            files_checked: collected.files_checked,
            fixable: count("safe"),
            fixable_unsafe: count("unsafe"),
        },
        findings,
        errors: collected
            .problems
            .iter()
            .map(|p| JsonError {
                path: p.path.clone(),
                position: p.at.map(position),
                message: p.message.clone(),
            })
            .collect(),
    };
    serde_json::to_writer_pretty(&mut *out, &document)?;
    writeln!(out)
}

/// The JSON schema of the findings document, pretty-printed.
pub fn findings_schema() -> String {
    let schema = schemars::schema_for!(Document);
    let mut text = serde_json::to_string_pretty(&schema).expect("a schema serialises to JSON");
    text.push('\n');
    text
}
