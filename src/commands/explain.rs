//! `iacfix explain ID`: a codemod's docs.

use crate::args::CatalogueArgs;
use crate::config::{Config, ConfigArgs};
use crate::{ExitStatus, Io, catalogue};
use anyhow::bail;
use clap::Args;

/// Arguments of `iacfix explain`.
#[derive(Debug, Args)]
pub struct ExplainArgs {
    /// The codemod's id (see `iacfix list`).
    pub id: String,
    /// Also look in this directory of codemods; repeatable.
    #[arg(long = "codemods", value_name = "DIR")]
    pub codemod_dirs: Vec<std::path::PathBuf>,
    #[command(flatten)]
    pub config: ConfigArgs,
}

pub fn run(args: &ExplainArgs, io: &mut Io<'_>) -> anyhow::Result<ExitStatus> {
    // The codemods of the iacfix.toml's directories too.
    let config =
        Config::load(Config::locate(&args.config, &[std::path::PathBuf::from(".")])?.as_deref())?;
    let codemods = catalogue::load_catalogue(
        &CatalogueArgs {
            codemod_dirs: args.codemod_dirs.clone(),
            ..CatalogueArgs::default()
        },
        &config,
    )?;
    let Some(loaded) = codemods.iter().find(|c| c.codemod.meta.id == args.id) else {
        bail!(
            "unknown codemod `{}`{}",
            args.id,
            catalogue::suggestion(
                &args.id,
                codemods.iter().map(|c| c.codemod.meta.id.as_str())
            )
        );
    };
    let text = iacfix_catalog::docs::explain(
        &loaded.codemod.meta,
        &loaded.codemod.languages(),
        &loaded.cases,
    );
    io.out.write_all(text.as_bytes())?;
    Ok(ExitStatus::Success)
}
