//! `iacfix check`: report findings, in one repository or many.

use crate::args::{CatalogueArgs, WalkArgs};
use crate::bulk::{self, BulkArgs, UnitOutcome};
use crate::report::{self, Tally, plural};
use crate::summary::Status;
use crate::units::Unit;
use crate::{ExitStatus, Io, catalogue};
use clap::Args;
use iacfix_apply::{FileKind, Mode, RunOptions};
use iacfix_core::Engine;
use std::time::Instant;

/// Arguments of `iacfix check`.
#[derive(Debug, Args)]
pub struct CheckArgs {
    #[command(flatten)]
    pub walk: WalkArgs,
    #[command(flatten)]
    pub catalogue: CatalogueArgs,
    #[command(flatten)]
    pub bulk: BulkArgs,
}

pub fn run(args: &CheckArgs, io: &mut Io<'_>) -> anyhow::Result<ExitStatus> {
    let codemods = catalogue::load(&args.catalogue)?;
    let engine = Engine::new(codemods.into_iter().map(|c| c.codemod).collect());
    let (units, is_bulk) = bulk::plan(&args.walk, &args.bulk)?;
    if !is_bulk {
        let unit = units.into_iter().next().expect("a path at least");
        return Ok(check_unit(args, &engine, &unit, args.walk.jobs, false, io).exit);
    }
    bulk::run(
        "check",
        units,
        &args.bulk,
        args.walk.jobs,
        io,
        |unit, io| check_unit(args, &engine, unit, 1, true, io),
    )
}

/// Checks one repository (or directory): findings, then the summary line.
fn check_unit(
    args: &CheckArgs,
    engine: &Engine,
    unit: &Unit,
    jobs: usize,
    in_bulk: bool,
    io: &mut Io<'_>,
) -> UnitOutcome {
    let started = Instant::now();
    let projects = bulk::projects(unit);
    if in_bulk && let Some(missing) = unit.paths.iter().find(|p| !p.exists()) {
        let reason = format!("{}: no such file or directory", missing.display());
        let _ = writeln!(io.err, "error: {reason}");
        return UnitOutcome::not_processed(
            unit,
            Status::Failed,
            reason,
            ExitStatus::Error,
            started,
        );
    }
    if in_bulk && projects.is_empty() {
        let reason = "no Pulumi project".to_owned();
        return UnitOutcome::not_processed(
            unit,
            Status::Skipped,
            reason,
            ExitStatus::Success,
            started,
        );
    }
    let run = iacfix_apply::run(
        engine,
        &unit.paths,
        &RunOptions {
            mode: Mode::Check,
            jobs,
            max_filesize: args.walk.max_filesize,
        },
    );
    let exit = print_findings(engine, &run, io).unwrap_or(ExitStatus::Error);
    UnitOutcome {
        exit,
        report: bulk::row(unit, engine, &run, &projects, started),
    }
}

fn print_findings(
    engine: &Engine,
    run: &iacfix_apply::RunReport,
    io: &mut Io<'_>,
) -> std::io::Result<ExitStatus> {
    let mut tally = Tally::default();
    for file in &run.files {
        if let FileKind::Checked { findings, .. } = &file.kind {
            for finding in findings {
                report::finding(io.out, engine, &file.display, finding)?;
            }
            tally.add_findings(engine, findings);
        }
    }
    report::problems(io.err, engine, run, &mut tally)?;
    let checked = plural(run.files_checked, "file", "files");
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
