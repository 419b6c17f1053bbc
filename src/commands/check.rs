//! `iacfix check`: report findings.

use crate::args::{CatalogueArgs, WalkArgs};
use crate::report::{self, Tally, plural};
use crate::{ExitStatus, Io, catalogue};
use clap::Args;
use iacfix_apply::{FileKind, Mode, RunOptions};
use iacfix_core::Engine;

/// Arguments of `iacfix check`.
#[derive(Debug, Args)]
pub struct CheckArgs {
    #[command(flatten)]
    pub walk: WalkArgs,
    #[command(flatten)]
    pub catalogue: CatalogueArgs,
}

pub fn run(args: &CheckArgs, io: &mut Io<'_>) -> anyhow::Result<ExitStatus> {
    let codemods = catalogue::load(&args.catalogue)?;
    let engine = Engine::new(codemods.into_iter().map(|c| c.codemod).collect());
    let report = iacfix_apply::run(
        &engine,
        &args.walk.paths(),
        &RunOptions {
            mode: Mode::Check,
            jobs: args.walk.jobs,
            max_filesize: args.walk.max_filesize,
        },
    );
    let mut tally = Tally::default();
    for file in &report.files {
        if let FileKind::Checked { findings, .. } = &file.kind {
            for finding in findings {
                report::finding(io.out, &engine, &file.display, finding)?;
            }
            tally.add_findings(&engine, findings);
        }
    }
    report::problems(io.err, &engine, &report, &mut tally)?;
    let checked = plural(report.files_checked, "file", "files");
    if tally.findings == 0 {
        writeln!(io.out, "No findings in {checked}.")?;
    } else {
        let mut fixable = Vec::new();
        if tally.safe_fixes > 0 {
            fixable.push(format!("{} fixable with `iacfix apply`", tally.safe_fixes));
        }
        if tally.unsafe_fixes > 0 {
            fixable.push(format!(
                "{} more with `iacfix apply --unsafe`",
                tally.unsafe_fixes
            ));
        }
        writeln!(
            io.out,
            "Found {} in {} of {checked}{}.",
            plural(tally.findings, "finding", "findings"),
            tally.files_with_findings,
            if fixable.is_empty() {
                String::new()
            } else {
                format!(" ({})", fixable.join(", "))
            }
        )?;
    }
    Ok(if tally.errors > 0 {
        ExitStatus::Error
    } else if tally.findings > 0 {
        ExitStatus::Failure
    } else {
        ExitStatus::Success
    })
}
