//! `iacfix apply`: write the fixes, or show them (`--dry-run`).

use crate::args::{CatalogueArgs, WalkArgs};
use crate::report::{self, Tally, plural};
use crate::{ExitStatus, Io, catalogue};
use clap::Args;
use iacfix_apply::{FileKind, Mode, RunOptions, file_diff, write_atomic};
use iacfix_core::{Engine, FixOptions};
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
    for file in &report.files {
        let FileKind::Fixed {
            source,
            original,
            outcome,
            ..
        } = &file.kind
        else {
            continue;
        };
        if let Some(new_text) = outcome.fixed_text() {
            if args.dry_run {
                io.out
                    .write_all(file_diff(&file.display, &source.text, new_text).as_bytes())?;
            } else if let Err(error) =
                write_atomic(&file.path, original, &source.to_bytes(new_text))
            {
                writeln!(io.err, "error: {}: not written: {error}", file.display)?;
                tally.errors += 1;
                continue;
            } else {
                let mut per_codemod: BTreeMap<usize, usize> = BTreeMap::new();
                for step in &outcome.steps {
                    *per_codemod.entry(step.codemod).or_default() += step.fixes;
                }
                let applied: Vec<String> = per_codemod
                    .iter()
                    .map(|(c, n)| format!("{} ×{n}", engine.codemods()[*c].meta.id))
                    .collect();
                writeln!(io.out, "fixed {} ({})", file.display, applied.join(", "))?;
            }
            files_changed += 1;
            fixed += outcome.steps.iter().map(|s| s.fixes).sum::<usize>();
        }
        if !args.dry_run {
            for finding in &outcome.remaining {
                report::finding(io.out, &engine, &file.display, finding)?;
            }
        }
        tally.add_findings(&engine, &outcome.remaining);
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
