//! `iacfix check`: report findings, in one repository or many.

use crate::args::{CatalogueArgs, OutputArgs, WalkArgs};
use crate::bulk::{self, BulkArgs, UnitOutcome};
use crate::config::ConfigArgs;
use crate::output::{self, Collect};
use crate::report::{self, Tally};
use crate::settings::{Resolver, Settings};
use crate::summary::Status;
use crate::units::Unit;
use crate::{ExitStatus, Io};
use clap::Args;
use iacfix_apply::{Mode, RunOptions};
use std::time::Instant;

/// Arguments of `iacfix check`.
#[derive(Debug, Args)]
pub struct CheckArgs {
    #[command(flatten)]
    pub walk: WalkArgs,
    #[command(flatten)]
    pub catalogue: CatalogueArgs,
    #[command(flatten)]
    pub config: ConfigArgs,
    #[command(flatten)]
    pub output: OutputArgs,
    #[command(flatten)]
    pub bulk: BulkArgs,
}

pub fn run(args: &CheckArgs, io: &mut Io<'_>) -> anyhow::Result<ExitStatus> {
    args.output.validate()?;
    let (units, is_bulk) = bulk::plan(&args.walk, &args.bulk)?;
    if is_bulk && !args.output.format.is_human() {
        anyhow::bail!(
            "--format {} describes a run over one repository: for many, use --report FILE.json",
            args.output.format.name()
        );
    }
    let resolver = Resolver::new(&args.catalogue, &args.config, &args.output);
    if !is_bulk {
        let unit = units.into_iter().next().expect("a path at least");
        let settings = resolver.for_paths(&unit.paths)?;
        return Ok(check_unit(args, &settings, &unit, args.walk.jobs, false, io).exit);
    }
    bulk::run(
        "check",
        units,
        &args.bulk,
        args.walk.jobs,
        io,
        |unit, io| match resolver.for_paths(&unit.paths) {
            Ok(settings) => check_unit(args, &settings, unit, 1, true, io),
            Err(error) => bulk::failed(unit, &error, io),
        },
    )
}

/// Checks one repository (or directory): findings, then the summary line.
fn check_unit(
    args: &CheckArgs,
    settings: &Settings,
    unit: &Unit,
    jobs: usize,
    in_bulk: bool,
    io: &mut Io<'_>,
) -> UnitOutcome {
    let started = Instant::now();
    let engine = &settings.engine;
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
            max_filesize: settings.max_filesize(args.walk.max_filesize),
            exclude: settings.exclude.clone(),
            force_exclude: args.walk.force_exclude,
        },
    );
    let exit = print_findings(settings, &run, &args.output, io).unwrap_or(ExitStatus::Error);
    UnitOutcome {
        exit,
        report: bulk::row(unit, engine, &run, &projects, started),
    }
}

fn print_findings(
    settings: &Settings,
    run: &iacfix_apply::RunReport,
    options: &OutputArgs,
    io: &mut Io<'_>,
) -> std::io::Result<ExitStatus> {
    let engine = &settings.engine;
    let collected = output::collect(
        engine,
        run,
        Collect {
            unused_suppressions: settings.report_unused_suppressions,
            remaining: false,
        },
    );
    options.write(io.out, engine, &collected)?;
    // Errors and warnings also go to standard error in every format, for the person watching.
    let mut tally = Tally::default();
    report::problems(io.err, engine, run, &mut tally)?;
    if options.format.is_human() {
        writeln!(io.out, "{}", output::summary(&collected, run.files_checked))?;
    }
    let failing = settings.fails(&collected);
    Ok(if tally.errors > 0 {
        ExitStatus::Error
    } else if failing {
        ExitStatus::Failure
    } else {
        ExitStatus::Success
    })
}
