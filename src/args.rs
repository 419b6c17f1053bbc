//! The command line, as clap derive types. Each subcommand's arguments live with its command.

use crate::commands::{
    apply::ApplyArgs, check::CheckArgs, completions::CompletionsArgs, config::ConfigCommandArgs,
    explain::ExplainArgs, list::ListArgs, report::ReportArgs, test::TestArgs,
};
use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;

/// Repairs Pulumi infrastructure-as-code before it fails to deploy.
///
/// Exit codes: 0 clean, 1 findings or changes needed, 2 error.
#[derive(Debug, Parser)]
#[command(
    name = "iacfix",
    version,
    about,
    long_about = None,
    propagate_version = true,
    after_help = "Exit codes: 0 clean, 1 findings or changes needed, 2 error."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Report what would fail to deploy (exit 1 if anything is found).
    Check(CheckArgs),
    /// Fix what can be fixed: writes the changes, or shows them with --dry-run.
    Apply(ApplyArgs),
    /// List the codemods of the catalogue.
    List(ListArgs),
    /// Show a codemod's documentation: what it does, why, an example, fix safety.
    Explain(ExplainArgs),
    /// Run codemods' test cases and compare their snapshots.
    Test(TestArgs),
    /// Work with the JSON reports of runs over many repositories (`--report`).
    Report(ReportArgs),
    /// Print the configuration in effect (iacfix.toml and defaults) for a path.
    Config(ConfigCommandArgs),
    /// Print a shell completion script: `iacfix completions bash > ~/.local/share/bash-completion/completions/iacfix`.
    Completions(CompletionsArgs),
}

/// Which codemods run.
#[derive(Debug, Args, Default, Clone)]
pub struct CatalogueArgs {
    /// Run only these codemods (comma-separated ids).
    #[arg(long, value_delimiter = ',', value_name = "ID,...")]
    pub select: Vec<String>,
    /// Also run these codemods: opt-in codemods, or more than `select` names (comma-separated
    /// ids).
    #[arg(long, value_delimiter = ',', value_name = "ID,...")]
    pub extend_select: Vec<String>,
    /// Do not run these codemods (comma-separated ids).
    #[arg(long, value_delimiter = ',', value_name = "ID,...")]
    pub ignore: Vec<String>,
    /// Also load the codemods of this directory (`<id>.yaml` files); repeatable.
    #[arg(long = "codemods", value_name = "DIR")]
    pub codemod_dirs: Vec<PathBuf>,
    /// Set a codemod's option, e.g. `route53-reserved-domain.domain=internal.test`; repeatable
    /// (`iacfix explain ID` lists a codemod's options).
    #[arg(long = "option", value_name = "ID.NAME=VALUE")]
    pub options: Vec<String>,
}

/// Which files are read, and how.
#[derive(Debug, Args, Clone)]
pub struct WalkArgs {
    /// Files or directories to process [default: .]. Directories are walked respecting
    /// .gitignore; node_modules, virtualenvs and hidden directories are skipped.
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    /// Worker threads [default: one per core].
    #[arg(
        long,
        short = 'j',
        value_name = "N",
        default_value_t = 0,
        hide_default_value = true
    )]
    pub jobs: usize,
    /// Skip files larger than this many bytes (reported). Overrides iacfix.toml's
    /// `max-filesize` [default: 10485760, 10 MiB]
    #[arg(long, value_name = "BYTES")]
    pub max_filesize: Option<u64>,
    /// Apply iacfix.toml's `exclude` to the paths given too (pre-commit hooks name every file).
    #[arg(long)]
    pub force_exclude: bool,
}

impl WalkArgs {
    pub fn paths(&self) -> Vec<PathBuf> {
        if self.paths.is_empty() {
            vec![PathBuf::from(".")]
        } else {
            self.paths.clone()
        }
    }
}

/// How findings are shown, and which fail the run.
#[derive(Debug, Args, Clone)]
pub struct OutputArgs {
    /// How to print findings.
    #[arg(long, value_enum, default_value_t = crate::output::Format::Text)]
    pub format: crate::output::Format,
    /// Print the number of findings per codemod instead of the findings.
    #[arg(long)]
    pub statistics: bool,
    /// The least severe findings that make the exit status 1 (more severe ones too)
    /// [default: `fail-on` of iacfix.toml, else hygiene: every finding].
    #[arg(long, value_enum, value_name = "SEVERITY")]
    pub fail_on: Option<FailOn>,
    /// Report `iacfix-ignore` comments that suppress nothing (as `unused-suppression` findings).
    #[arg(long)]
    pub report_unused_suppressions: bool,
}

impl OutputArgs {
    /// Refuses combinations that make no sense, before anything runs.
    pub fn validate(&self) -> anyhow::Result<()> {
        if self.statistics && !self.format.is_human() {
            anyhow::bail!(
                "--statistics prints a table for people: it does not go with --format {}",
                self.format.name()
            );
        }
        Ok(())
    }

    /// Writes the findings (or their statistics) in the chosen format.
    pub fn write(
        &self,
        out: &mut dyn std::io::Write,
        engine: &iacfix_core::Engine,
        collected: &crate::output::Collected,
    ) -> std::io::Result<()> {
        if self.statistics {
            crate::output::write_statistics(out, engine, collected)
        } else {
            crate::output::write(out, self.format, engine, collected)
        }
    }
}

/// `--fail-on`: a severity.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum FailOn {
    DeployBlocker,
    Security,
    Hygiene,
}

impl FailOn {
    /// The name `--fail-on` and `fail-on` take.
    pub fn name(self) -> &'static str {
        match self {
            FailOn::DeployBlocker => "deploy-blocker",
            FailOn::Security => "security",
            FailOn::Hygiene => "hygiene",
        }
    }

    pub fn severity(self) -> iacfix_core::Severity {
        match self {
            FailOn::DeployBlocker => iacfix_core::Severity::DeployBlocker,
            FailOn::Security => iacfix_core::Severity::Security,
            FailOn::Hygiene => iacfix_core::Severity::Hygiene,
        }
    }
}
