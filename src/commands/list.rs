//! `iacfix list`: the catalogue as a table.

use crate::args::CatalogueArgs;
use crate::{ExitStatus, Io, catalogue};
use clap::Args;

/// Arguments of `iacfix list`.
#[derive(Debug, Args)]
pub struct ListArgs {
    #[command(flatten)]
    pub catalogue: CatalogueArgs,
}

pub fn run(args: &ListArgs, io: &mut Io<'_>) -> anyhow::Result<ExitStatus> {
    let codemods = catalogue::load(&args.catalogue)?;
    let rows: Vec<[String; 5]> = codemods
        .iter()
        .map(|c| {
            let meta = &c.codemod.meta;
            let langs: Vec<&str> = c.codemod.languages().iter().map(|l| l.name()).collect();
            [
                meta.id.clone(),
                langs.join(","),
                meta.severity.to_string(),
                meta.applicability.to_string(),
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
