//! `iacfix list`: the catalogue as a table — the built-in codemods and those of the
//! `iacfix.toml`'s and `--codemods` directories, with the file's applicability overrides (its
//! `select` / `ignore` do not hide any: `iacfix config` shows what runs). Opt-in codemods,
//! which run only when selected by id, say so in the FIX column.

use crate::args::CatalogueArgs;
use crate::config::{Config, ConfigArgs};
use crate::{ExitStatus, Io, catalogue};
use clap::Args;
use std::path::PathBuf;

/// Arguments of `iacfix list`.
#[derive(Debug, Args)]
pub struct ListArgs {
    #[command(flatten)]
    pub catalogue: CatalogueArgs,
    #[command(flatten)]
    pub config: ConfigArgs,
}

pub fn run(args: &ListArgs, io: &mut Io<'_>) -> anyhow::Result<ExitStatus> {
    let config = Config::load(Config::locate(&args.config, &[PathBuf::from(".")])?.as_deref())?;
    let all = catalogue::load_catalogue(&args.catalogue, &config)?;
    catalogue::check_flag_ids(&args.catalogue, &all)?;
    let wanted = |id: &String| {
        (args.catalogue.select.is_empty()
            || args.catalogue.select.contains(id)
            || args.catalogue.extend_select.contains(id))
            && !args.catalogue.ignore.contains(id)
    };
    let codemods: Vec<_> = all
        .into_iter()
        .filter(|c| wanted(&c.codemod.meta.id))
        .collect();
    let rows: Vec<[String; 5]> = codemods
        .iter()
        .map(|c| {
            let meta = &c.codemod.meta;
            let langs: Vec<&str> = c.codemod.languages().iter().map(|l| l.name()).collect();
            [
                meta.id.clone(),
                langs.join(","),
                meta.severity.to_string(),
                if meta.opt_in {
                    format!("{}, opt-in", meta.applicability)
                } else {
                    meta.applicability.to_string()
                },
                meta.title.clone(),
            ]
        })
        .collect();
    let header = ["ID", "LANGUAGES", "SEVERITY", "FIX", "TITLE"].map(String::from);
    let mut widths = [0usize; 4];
    for row in std::iter::once(&header).chain(&rows) {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.chars().count());
        }
    }
    for row in std::iter::once(&header).chain(&rows) {
        let mut line = String::new();
        for (i, cell) in row.iter().enumerate() {
            if i < 4 {
                line.push_str(&format!("{cell:<width$}  ", width = widths[i]));
            } else {
                line.push_str(cell);
            }
        }
        writeln!(io.out, "{}", line.trim_end())?;
    }
    Ok(ExitStatus::Success)
}
