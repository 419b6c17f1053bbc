//! What commands print besides findings (those are in `output`): per-file errors and warnings,
//! and the counts of the closing summary.

use iacfix_apply::{FileKind, FileResult, PathError, RunReport, Skip};
use iacfix_core::{Applicability, Engine, Finding, FixOutcome, Problem};
use std::io::{self, Write};

/// Counts for the summary line.
#[derive(Debug, Default)]
pub struct Tally {
    pub findings: usize,
    pub files_with_findings: usize,
    /// Findings `iacfix apply` would fix.
    pub safe_fixes: usize,
    /// Findings `iacfix apply --unsafe` would also fix.
    pub unsafe_fixes: usize,
    /// Errors that make the exit code 2.
    pub errors: usize,
}

impl Tally {
    /// Counts findings (not printed here).
    pub fn add_findings(&mut self, engine: &Engine, findings: &[Finding]) {
        if findings.is_empty() {
            return;
        }
        self.files_with_findings += 1;
        self.findings += findings.len();
        for f in findings.iter().filter(|f| f.fix.is_some()) {
            match engine.codemods()[f.codemod].meta.applicability {
                Applicability::Safe => self.safe_fixes += 1,
                Applicability::Unsafe => self.unsafe_fixes += 1,
                Applicability::Manual => {}
            }
        }
    }
}

/// Prints the errors and warnings of a run (paths that could not be walked, files that could not
/// be processed or were skipped) and counts the errors.
pub fn problems(
    err: &mut dyn Write,
    engine: &Engine,
    report: &RunReport,
    tally: &mut Tally,
) -> io::Result<()> {
    for PathError { path, message } in &report.errors {
        writeln!(err, "error: {path}: {message}")?;
        tally.errors += 1;
    }
    for file in &report.files {
        file_problems(err, engine, file, tally)?;
    }
    Ok(())
}

fn file_problems(
    err: &mut dyn Write,
    engine: &Engine,
    file: &FileResult,
    tally: &mut Tally,
) -> io::Result<()> {
    let path = &file.display;
    match &file.kind {
        FileKind::Failed(error) => {
            tally.errors += 1;
            match error.point() {
                // The error's own text starts with the position.
                Some(_) => writeln!(err, "error: {path}:{error}"),
                None => writeln!(err, "error: {path}: {error}"),
            }
        }
        FileKind::Skipped(Skip::TooLarge { size, limit }) => writeln!(
            err,
            "warning: {path}: skipped: {size} bytes is over the {limit}-byte limit \
             (raise it with --max-filesize or `max-filesize` in iacfix.toml)"
        ),
        FileKind::Skipped(Skip::Binary { at }) => writeln!(
            err,
            "warning: {path}:{at}: skipped: a NUL byte, so the file is taken for binary"
        ),
        FileKind::Skipped(Skip::Symlink) => {
            writeln!(
                err,
                "warning: {path}: skipped: a symbolic link (iacfix does not follow links)"
            )
        }
        FileKind::Skipped(Skip::NotSource) => writeln!(
            err,
            "warning: {path}: skipped: not a file of a language the selected codemods cover"
        ),
        FileKind::Checked { .. } => Ok(()),
        FileKind::Fixed { outcome, .. } => refused_fixes(err, engine, path, outcome, tally),
    }
}

/// Prints the fixes the engine refused for a file (each an error: a codemod misbehaved).
fn refused_fixes(
    err: &mut dyn Write,
    engine: &Engine,
    path: &str,
    outcome: &FixOutcome,
    tally: &mut Tally,
) -> io::Result<()> {
    for problem in &outcome.problems {
        tally.errors += 1;
        match problem {
            Problem::BreaksSyntax { codemod, at, error } => writeln!(
                err,
                "error: {path}:{at}: the fix of `{}` was not applied: it would introduce a syntax \
                 error ({}: {}); please report this codemod bug",
                engine.codemods()[*codemod].meta.id,
                error.at,
                error.message
            )?,
            Problem::NotConverged { codemod, passes } => {
                let at = outcome
                    .findings
                    .iter()
                    .find(|f| f.codemod == *codemod)
                    .map_or_else(|| "1:1".to_owned(), |f| f.start.to_string());
                writeln!(
                    err,
                    "error: {path}:{at}: the fixes of `{}` were not applied: they did not settle \
                     after {passes} passes; please report this codemod bug",
                    engine.codemods()[*codemod].meta.id
                )?
            }
        }
    }
    Ok(())
}

/// "N findings" with the right plural.
pub fn plural(count: usize, one: &str, many: &str) -> String {
    format!("{count} {}", if count == 1 { one } else { many })
}
