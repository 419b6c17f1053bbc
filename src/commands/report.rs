//! `iacfix report merge`: the reports of a sharded run (`--shard K/N --report FILE`) as one.

use crate::summary::Report;
use crate::{ExitStatus, Io};
use anyhow::Context;
use clap::{Args, Subcommand};
use std::path::PathBuf;

/// Arguments of `iacfix report`.
#[derive(Debug, Args)]
pub struct ReportArgs {
    #[command(subcommand)]
    pub command: ReportCommand,
}

#[derive(Debug, Subcommand)]
pub enum ReportCommand {
    /// Combine the JSON reports of the shards of one repository list into one report: prints
    /// its summary table, and writes it with --output.
    Merge(MergeArgs),
}

/// Arguments of `iacfix report merge`.
#[derive(Debug, Args)]
pub struct MergeArgs {
    /// The shards' reports (written by `--report`).
    #[arg(required = true, value_name = "REPORT.json")]
    pub reports: Vec<PathBuf>,
    /// Write the merged report to this file.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
}

pub fn run(args: &ReportArgs, io: &mut Io<'_>) -> anyhow::Result<ExitStatus> {
    match &args.command {
        ReportCommand::Merge(merge) => {
            let reports = merge
                .reports
                .iter()
                .map(|path| Report::read(path))
                .collect::<anyhow::Result<Vec<_>>>()?;
            let merged = Report::merge(reports)?;
            io.out.write_all(merged.table().as_bytes())?;
            if let Some(path) = &merge.output {
                let mut json = serde_json::to_string_pretty(&merged).expect("a report serialises");
                json.push('\n');
                std::fs::write(path, json)
                    .with_context(|| format!("cannot write {}", path.display()))?;
            }
            Ok(ExitStatus::Success)
        }
    }
}
