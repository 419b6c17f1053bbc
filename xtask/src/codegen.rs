//! Generated files: the JSON schemas of the codemod format, of `--format json` findings and of
//! the bulk report; the catalogue page; the man pages.

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
    ensure_file_contents(
        &root.join("docs/findings.schema.json"),
        &iacfix::output::findings_schema(),
        mode,
    )?;
    std::fs::create_dir_all(root.join("docs/man"))?;
    for (name, page) in man_pages()? {
        ensure_file_contents(&root.join("docs/man").join(name), &page, mode)?;
    }
    Ok(())
}

/// `iacfix.1`, and `iacfix-<command>.1` for each subcommand, from the clap definitions.
fn man_pages() -> anyhow::Result<Vec<(String, String)>> {
    use clap::CommandFactory;
    let command = iacfix::Cli::command();
    let mut pages = Vec::new();
    let render = |command: clap::Command| -> anyhow::Result<String> {
        let mut buffer = Vec::new();
        clap_mangen::Man::new(command).render(&mut buffer)?;
        Ok(String::from_utf8(buffer)?)
    };
    pages.push(("iacfix.1".to_owned(), render(command.clone())?));
    for sub in command.get_subcommands() {
        let name = format!("iacfix-{}", sub.get_name());
        let version = command.get_version().unwrap_or_default().to_owned();
        pages.push((
            format!("{name}.1"),
            render(sub.clone().name(name).version(version))?,
        ));
    }
    Ok(pages)
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
