//! `iacfix apply`: write the fixes, or show them (`--dry-run`).

use crate::args::{CatalogueArgs, WalkArgs};
use crate::report::{self, Tally, plural};
use crate::{ExitStatus, Io, catalogue};
use clap::Args;
use iacfix_apply::{Change, FileKind, Mode, RunOptions, display_path, file_diff, write_changeset};
use iacfix_core::{Ecosystem, Engine, FixOptions, mask_secrets};
use std::collections::BTreeMap;

/// Arguments of `iacfix apply`.
#[derive(Debug, Args)]
pub struct ApplyArgs {
    #[command(flatten)]
    pub walk: WalkArgs,
    #[command(flatten)]
    pub catalogue: CatalogueArgs,
    /// Print the unified diff of the changes and write nothing.
    #[arg(long, visible_alias = "diff")]
    pub dry_run: bool,
    /// Also apply unsafe fixes: they change deployed infrastructure (see `iacfix explain ID`).
    #[arg(long = "unsafe")]
    pub unsafe_fixes: bool,
}

pub fn run(args: &ApplyArgs, io: &mut Io<'_>) -> anyhow::Result<ExitStatus> {
    let codemods = catalogue::load(&args.catalogue)?;
    let engine = Engine::new(codemods.into_iter().map(|c| c.codemod).collect());
    let fix = FixOptions {
        unsafe_fixes: args.unsafe_fixes,
        ..FixOptions::default()
    };
    let report = iacfix_apply::run(
        &engine,
        &args.walk.paths(),
        &RunOptions {
            mode: Mode::Fix(fix),
            jobs: args.walk.jobs,
            max_filesize: args.walk.max_filesize,
        },
    );
    let mut tally = Tally::default();
    let mut fixed = 0;
    let mut files_changed = 0;
    let mut changes: Vec<Change<'_>> = Vec::new();
    let mut written: Vec<String> = Vec::new();
    for file in &report.files {
        let FileKind::Fixed {
            source,
            original,
            outcome,
            dropped,
            ..
        } = &file.kind
        else {
            continue;
        };
        if let Some(reason) = dropped {
            writeln!(
                io.err,
                "error: {}: some fixes were not applied: {reason}",
                file.display
            )?;
            tally.errors += 1;
        }
        if let Some(new_text) = outcome.fixed_text() {
            // Secrets the fixes are about never reach the terminal.
            let secrets: Vec<String> = outcome
                .findings
                .iter()
                .flat_map(|f| f.secrets.iter())
                .chain(outcome.steps.iter().flat_map(|s| s.secrets.iter()))
                .cloned()
                .collect();
            if args.dry_run {
                let diff = file_diff(&file.display, &source.text, new_text);
                io.out.write_all(mask_secrets(&diff, &secrets).as_bytes())?;
            } else {
                changes.push(Change {
                    path: &file.path,
                    original,
                    new: source.to_bytes(new_text),
                });
                let mut per_codemod: BTreeMap<usize, usize> = BTreeMap::new();
                for step in &outcome.steps {
                    *per_codemod.entry(step.codemod).or_default() += step.fixes;
                }
                let applied: Vec<String> = per_codemod
                    .iter()
                    .map(|(c, n)| format!("{} ×{n}", engine.codemods()[*c].meta.id))
                    .collect();
                written.push(format!("fixed {} ({})", file.display, applied.join(", ")));
            }
            files_changed += 1;
            fixed += outcome.steps.iter().map(|s| s.fixes).sum::<usize>();
        }
        tally.add_findings(&engine, &outcome.remaining);
    }
    for manifest in &report.manifests {
        if args.dry_run {
            let diff = file_diff(&manifest.display, &manifest.source.text, &manifest.new_text);
            io.out.write_all(diff.as_bytes())?;
        } else {
            changes.push(Change {
                path: &manifest.path,
                original: &manifest.original,
                new: manifest.source.to_bytes(&manifest.new_text),
            });
            written.push(format!(
                "updated {} (added {}; run {} to update the lock file)",
                manifest.display,
                manifest.packages.join(", "),
                match manifest.kind.ecosystem() {
                    Ecosystem::Npm => "`npm install`",
                    Ecosystem::PyPi => "your package manager",
                }
            ));
        }
    }
    if !changes.is_empty()
        && let Err((index, error)) = write_changeset(&changes)
    {
        writeln!(
            io.err,
            "error: {}: not written: {error}; no file was changed",
            display_path(changes[index].path)
        )?;
        tally.errors += 1;
        fixed = 0;
        files_changed = 0;
        written.clear();
    }
    for line in &written {
        writeln!(io.out, "{line}")?;
    }
    if !args.dry_run {
        for file in &report.files {
            if let FileKind::Fixed { outcome, .. } = &file.kind {
                for finding in &outcome.remaining {
                    report::finding(io.out, &engine, &file.display, finding)?;
                }
            }
        }
    }
    report::problems(io.err, &engine, &report, &mut tally)?;
    let remaining = if tally.findings == 0 {
        String::new()
    } else {
        let unsafe_hint = if tally.unsafe_fixes > 0 && !args.unsafe_fixes {
            format!(" ({} fixable with --unsafe)", tally.unsafe_fixes)
        } else {
            String::new()
        };
        format!(
            "; {} {}{unsafe_hint}",
            plural(tally.findings, "finding", "findings"),
            if args.dry_run {
                "would remain"
            } else {
                "remain"
            }
        )
    };
    let verb = if args.dry_run { "Would fix" } else { "Fixed" };
    writeln!(
        io.out,
        "{verb} {} in {}{remaining}.",
        plural(fixed, "finding", "findings"),
        plural(files_changed, "file", "files"),
    )?;
    Ok(if tally.errors > 0 {
        ExitStatus::Error
    } else if tally.findings > 0 || (args.dry_run && files_changed > 0) {
        ExitStatus::Failure
    } else {
        ExitStatus::Success
    })
}
