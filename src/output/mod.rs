//! Findings as users' tools want them: `--format text|concise|json|sarif|github|junit`, and
//! `--statistics`. Every format is made from the same [`Diagnostic`]s, secrets masked.

mod json;
mod junit;
mod sarif;
mod text;

use clap::ValueEnum;
use iacfix_apply::{FileKind, RunReport};
use iacfix_core::{
    Applicability, Engine, Finding, Point, Severity, UnusedSuppression, mask_secrets,
};
use std::io::{self, Write};

pub use json::findings_schema;

/// An output format.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// `path:line:col: id message`, with the source line underneath.
    #[default]
    Text,
    /// One line per finding: `path:line:col: id message`.
    Concise,
    /// A JSON document (schema: docs/findings.schema.json).
    Json,
    /// SARIF 2.1.0, for GitHub code scanning and other SARIF viewers.
    Sarif,
    /// GitHub Actions workflow commands (annotations on the pull request).
    Github,
    /// JUnit XML, for CI test reports.
    Junit,
}

impl Format {
    /// Whether the format is for people (`text`, `concise`): the summary line follows it.
    pub fn is_human(self) -> bool {
        matches!(self, Format::Text | Format::Concise)
    }

    /// The name given to `--format`.
    pub fn name(self) -> &'static str {
        match self {
            Format::Text => "text",
            Format::Concise => "concise",
            Format::Json => "json",
            Format::Sarif => "sarif",
            Format::Github => "github",
            Format::Junit => "junit",
        }
    }
}

/// The id of the finding for a suppression comment that suppresses nothing.
pub const UNUSED_SUPPRESSION: &str = "unused-suppression";

/// One finding, as shown.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    pub path: String,
    /// The codemod's id (or [`UNUSED_SUPPRESSION`]).
    pub id: String,
    pub severity: Severity,
    /// What happens to it with `iacfix apply`: `None` for unused suppressions.
    pub applicability: Option<Applicability>,
    pub message: String,
    pub start: Point,
    pub end: Point,
    /// The fix, when the rule has one: edits with their positions.
    pub fix: Option<Vec<Edit>>,
    /// The source line of `start` (secrets masked).
    pub line_text: String,
    /// The columns (0-based, in characters, end exclusive) of `line_text` to underline: the
    /// finding's span on its first line, as masked.
    pub underline: (usize, usize),
}

/// An edit of a fix, with positions.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Edit {
    pub start: Point,
    pub end: Point,
    pub content: String,
}

/// A file that could not be processed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FileProblem {
    pub path: String,
    pub at: Option<Point>,
    pub message: String,
}

/// Everything a run has to show.
#[derive(Clone, Debug, Default)]
pub struct Collected {
    pub diagnostics: Vec<Diagnostic>,
    pub problems: Vec<FileProblem>,
    pub files_checked: usize,
}

/// What to collect.
#[derive(Clone, Copy, Debug)]
pub struct Collect {
    /// Report suppression comments that suppress nothing.
    pub unused_suppressions: bool,
    /// For `apply`: the findings left after fixing (else those found).
    pub remaining: bool,
}

/// The diagnostics of a run, in path then position order.
pub fn collect(engine: &Engine, run: &RunReport, what: Collect) -> Collected {
    let mut collected = Collected {
        files_checked: run.files_checked,
        ..Collected::default()
    };
    for error in &run.errors {
        collected.problems.push(FileProblem {
            path: error.path.clone(),
            at: None,
            message: error.message.clone(),
        });
    }
    for file in &run.files {
        let (findings, unused, text): (&[Finding], &[UnusedSuppression], &str) = match &file.kind {
            FileKind::Checked {
                findings,
                unused_suppressions,
                text,
                ..
            } => (findings, unused_suppressions, text.as_deref().unwrap_or("")),
            FileKind::Fixed {
                source, outcome, ..
            } => {
                let (findings, text) = if what.remaining {
                    (
                        &outcome.remaining,
                        outcome.fixed_text().unwrap_or(&source.text),
                    )
                } else {
                    (&outcome.findings, source.text.as_str())
                };
                (
                    findings.as_slice(),
                    outcome.unused_suppressions.as_slice(),
                    text,
                )
            }
            FileKind::Failed(error) => {
                collected.problems.push(FileProblem {
                    path: file.display.clone(),
                    at: error.point(),
                    message: error.to_string(),
                });
                continue;
            }
            FileKind::Skipped(_) => continue,
        };
        let secrets: Vec<String> = findings
            .iter()
            .flat_map(|f| f.secrets.iter().cloned())
            .collect();
        let mask = |t: &str| mask_secrets(t, &secrets);
        for finding in findings {
            let meta = &engine.codemods()[finding.codemod].meta;
            collected.diagnostics.push(Diagnostic {
                path: file.display.clone(),
                id: meta.id.clone(),
                severity: meta.severity,
                applicability: Some(meta.applicability),
                message: mask(&finding.message),
                start: finding.start,
                end: finding.end,
                fix: finding.fix.as_ref().map(|fix| {
                    fix.edits
                        .iter()
                        .map(|edit| Edit {
                            start: Point::of_offset(text, edit.range.start),
                            end: Point::of_offset(text, edit.range.end),
                            content: mask(&edit.text),
                        })
                        .collect()
                }),
                line_text: mask(line_of(text, finding.start.line)),
                underline: underline(text, finding.start, finding.end, &mask),
            });
        }
        if what.unused_suppressions {
            for unused in unused {
                collected.diagnostics.push(Diagnostic {
                    path: file.display.clone(),
                    id: UNUSED_SUPPRESSION.to_owned(),
                    severity: Severity::Hygiene,
                    applicability: None,
                    message: unused_message(engine, &unused.ids),
                    start: unused.at,
                    end: unused.at,
                    fix: None,
                    line_text: line_of(text, unused.at.line).to_owned(),
                    underline: underline(text, unused.at, unused.at, &|t: &str| t.to_owned()),
                });
            }
        }
    }
    collected
        .diagnostics
        .sort_by(|a, b| (&a.path, a.start, &a.id).cmp(&(&b.path, b.start, &b.id)));
    collected
}

/// What is wrong with a suppression comment: ids that suppress nothing, ids that exist nowhere.
fn unused_message(engine: &Engine, ids: &[String]) -> String {
    let (known, unknown): (Vec<&str>, Vec<&str>) = ids
        .iter()
        .map(String::as_str)
        .partition(|id| *id == "all" || engine.knows(id));
    let mut parts = Vec::new();
    if !known.is_empty() {
        parts.push(format!("suppresses nothing for {}", known.join(", ")));
    }
    if !unknown.is_empty() {
        parts.push(format!(
            "names {} no codemod has ({})",
            if unknown.len() == 1 { "an id" } else { "ids" },
            unknown.join(", ")
        ));
    }
    format!(
        "this iacfix-ignore comment {}: remove {}",
        parts.join(" and "),
        if known.len() + unknown.len() == 1 {
            "it"
        } else {
            "them"
        }
    )
}

/// The masked columns of the span `start..end` on `start`'s line (to its end if it goes on).
fn underline(
    text: &str,
    start: Point,
    end: Point,
    mask: &dyn Fn(&str) -> String,
) -> (usize, usize) {
    let line = line_of(text, start.line);
    let byte = |column: usize| {
        line.char_indices()
            .nth(column.saturating_sub(1))
            .map_or(line.len(), |(i, _)| i)
    };
    let from = byte(start.column);
    let to = if end.line == start.line {
        byte(end.column).max(from)
    } else {
        line.len()
    };
    let before = mask(&line[..from]).chars().count();
    (before, before + mask(&line[from..to]).chars().count())
}

fn line_of(text: &str, line: usize) -> &str {
    text.lines()
        .nth(line.saturating_sub(1))
        .unwrap_or("")
        .trim_end_matches('\r')
}

/// Writes the diagnostics in `format` (text formats include the problems).
pub fn write(
    out: &mut dyn Write,
    format: Format,
    engine: &Engine,
    collected: &Collected,
) -> io::Result<()> {
    match format {
        Format::Text => text::write(out, collected, true),
        Format::Concise => text::write(out, collected, false),
        Format::Json => json::write(out, collected),
        Format::Sarif => sarif::write(out, engine, collected),
        Format::Github => text::write_github(out, collected),
        Format::Junit => junit::write(out, collected),
    }
}

/// `--statistics`: findings per codemod, most first.
pub fn write_statistics(
    out: &mut dyn Write,
    engine: &Engine,
    collected: &Collected,
) -> io::Result<()> {
    let mut counts: Vec<(usize, &str, bool)> = Vec::new();
    for diagnostic in &collected.diagnostics {
        let fixable =
            diagnostic.fix.is_some() && diagnostic.applicability == Some(Applicability::Safe);
        match counts.iter_mut().find(|(_, id, _)| *id == diagnostic.id) {
            Some(entry) => {
                entry.0 += 1;
                entry.2 |= fixable;
            }
            None => counts.push((1, &diagnostic.id, fixable)),
        }
    }
    counts.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(b.1)));
    let width = counts.iter().map(|(_, id, _)| id.len()).max().unwrap_or(0);
    for (count, id, fixable) in counts {
        let title = engine
            .codemods()
            .iter()
            .find(|c| c.meta.id == id)
            .map_or("a suppression comment that suppresses nothing", |c| {
                c.meta.title.as_str()
            });
        writeln!(
            out,
            "{count:>5}  {id:<width$}  {}{title}",
            if fixable { "[*] " } else { "    " }
        )?;
    }
    Ok(())
}

/// `Found N findings in M of K files (…).` or `No findings in K files.`
pub fn summary(collected: &Collected, files_checked: usize) -> String {
    let plural = crate::report::plural;
    let checked = plural(files_checked, "file", "files");
    if collected.diagnostics.is_empty() {
        return format!("No findings in {checked}.");
    }
    let fixable = |want: Applicability| {
        collected
            .diagnostics
            .iter()
            .filter(|d| d.fix.is_some() && d.applicability == Some(want))
            .count()
    };
    let mut files: Vec<&str> = collected
        .diagnostics
        .iter()
        .map(|d| d.path.as_str())
        .collect();
    files.dedup();
    let mut parts = Vec::new();
    if fixable(Applicability::Safe) > 0 {
        parts.push(format!(
            "{} fixable with `iacfix apply`",
            fixable(Applicability::Safe)
        ));
    }
    if fixable(Applicability::Unsafe) > 0 {
        parts.push(format!(
            "{} more with `iacfix apply --unsafe`",
            fixable(Applicability::Unsafe)
        ));
    }
    format!(
        "Found {} in {} of {checked}{}.",
        plural(collected.diagnostics.len(), "finding", "findings"),
        files.len(),
        if parts.is_empty() {
            String::new()
        } else {
            format!(" ({})", parts.join(", "))
        }
    )
}
