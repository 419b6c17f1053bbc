//! Generated files: the JSON schemas of the codemod format and of the bulk report, and the
//! catalogue page.

use crate::{ensure_file_contents, project_root};
use anyhow::Context;
use iacfix_catalog::docs::{catalogue_page, json_schema};
use iacfix_catalog::load_builtin;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    Write,
    Check,
}

pub fn run(mode: Mode) -> anyhow::Result<()> {
    let root = project_root();
    let codemods = load_builtin().context("the built-in catalogue is invalid")?;
    ensure_file_contents(
        &root.join("codemods/codemod.schema.json"),
        &json_schema(),
        mode,
    )?;
    ensure_file_contents(
        &root.join("codemods/README.md"),
        &catalogue_page(&codemods),
        mode,
    )?;
    std::fs::create_dir_all(root.join("docs"))?;
    ensure_file_contents(
        &root.join("docs/report.schema.json"),
        &iacfix::summary::report_schema(),
        mode,
    )?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_files_are_fresh() {
        if let Err(error) = run(Mode::Check) {
            panic!("{error:#}");
        }
    }
}
