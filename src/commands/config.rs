//! `iacfix config`: the configuration in effect for a path, as an `iacfix.toml` — which file was
//! used, the codemods that run, their fix applicability and every option's value.

use crate::args::{CatalogueArgs, FailOn};
use crate::config::{Config, ConfigArgs};
use crate::{ExitStatus, Io, catalogue};
use clap::Args;
use iacfix_core::Applicability;
use serde::Serialize;
use std::collections::BTreeMap;
use std::path::PathBuf;

/// Arguments of `iacfix config`.
#[derive(Debug, Args)]
pub struct ConfigCommandArgs {
    /// The files or directories whose configuration to show [default: .].
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    #[command(flatten)]
    pub config: ConfigArgs,
    #[command(flatten)]
    pub catalogue: CatalogueArgs,
}

/// The effective configuration, in `iacfix.toml` form.
#[derive(Serialize)]
#[serde(rename_all = "kebab-case")]
struct Effective {
    select: Vec<String>,
    ignore: Vec<String>,
    extend_safe_fixes: Vec<String>,
    extend_unsafe_fixes: Vec<String>,
    unfixable: Vec<String>,
    exclude: Vec<String>,
    codemods: Vec<String>,
    fail_on: &'static str,
    report_unused_suppressions: bool,
    max_filesize: u64,
    options: BTreeMap<String, BTreeMap<String, String>>,
}

pub fn run(args: &ConfigCommandArgs, io: &mut Io<'_>) -> anyhow::Result<ExitStatus> {
    let paths = if args.paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        args.paths.clone()
    };
    let file = Config::locate(&args.config, &paths)?;
    let config = Config::load(file.as_deref())?;
    let (codemods, _) = catalogue::load_configured(&args.catalogue, &config, None)?;
    let selected: Vec<String> = codemods.iter().map(|c| c.codemod.meta.id.clone()).collect();
    let fail_on = config.fail_on().unwrap_or(FailOn::Hygiene).name();
    let effective = Effective {
        ignore: config
            .ignore()
            .into_iter()
            .chain(args.catalogue.ignore.iter().cloned())
            .collect(),
        select: selected,
        extend_safe_fixes: config.list("extend-safe-fixes"),
        extend_unsafe_fixes: config.list("extend-unsafe-fixes"),
        unfixable: config.list("unfixable"),
        exclude: config.list("exclude"),
        codemods: config.list("codemods"),
        fail_on,
        report_unused_suppressions: config.report_unused_suppressions().unwrap_or(false),
        max_filesize: config
            .max_filesize()
            .unwrap_or(iacfix_apply::DEFAULT_MAX_FILESIZE),
        options: codemods
            .iter()
            .filter(|c| !c.options.is_empty())
            .map(|c| (c.codemod.meta.id.clone(), c.options.clone()))
            .collect(),
    };
    match &file {
        Some(file) => writeln!(io.out, "# Configuration file: {}", file.display())?,
        None if args.config.isolated => writeln!(
            io.out,
            "# No configuration file (--isolated): the defaults."
        )?,
        None => writeln!(
            io.out,
            "# No {} found from {} or its parents: the defaults.",
            crate::config::FILE_NAME,
            paths[0].display()
        )?,
    }
    writeln!(
        io.out,
        "# Command-line flags override it: --select replaces `select`, --extend-select adds to\n\
         # `extend-select`, --ignore adds to `ignore`, --option overrides [options], --fail-on\n\
         # overrides `fail-on`.\n#"
    )?;
    writeln!(
        io.out,
        "# What `iacfix apply` does with each selected codemod's fixes:"
    )?;
    let width = codemods
        .iter()
        .map(|c| c.codemod.meta.id.len())
        .max()
        .unwrap_or(0);
    for codemod in &codemods {
        let meta = &codemod.codemod.meta;
        let what = match meta.applicability {
            Applicability::Safe => "applied",
            Applicability::Unsafe => "applied with --unsafe",
            Applicability::Manual => "reported, never applied",
        };
        writeln!(
            io.out,
            "#   {:<width$}  {:<6}  {what}",
            meta.id,
            meta.applicability.to_string()
        )?;
    }
    writeln!(io.out)?;
    io.out.write_all(toml::to_string(&effective)?.as_bytes())?;
    Ok(ExitStatus::Success)
}
