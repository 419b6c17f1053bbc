//! `cargo xtask <task>`: the project's maintenance tasks.
//!
//! - `codegen [--check]`: regenerate `codemods/codemod.schema.json`, `codemods/README.md`,
//!   `docs/findings.schema.json`, `docs/report.schema.json` and the man pages `docs/man/*.1`
//!   (with `--check`, fail if they are stale instead of writing them).
//! - `readme`: re-run the README's `$ iacfix …` examples and write their output.
//! - `bench [--runs N]`: time `iacfix check` (whole catalogue, four codemods) against the
//!   ast-grep CLI with the same rules, reading and parsing alone, and `apply` against `check`,
//!   over a large tree of the repository's real-shaped code.
//! - `bench bulk [N ...]`: time `iacfix apply --commit` over N synthetic repositories.
//! - `refresh-data [--cdk VERSION]`: regenerate the codemods' data tables (RDS engine versions,
//!   Lambda runtimes) from `aws-cdk-lib` and the pinned Pulumi SDKs.
//! - `new-codemod <id> [--languages typescript,python]`: scaffold `codemods/<id>.yaml`.

mod bench;
mod codegen;
mod readme;
mod refresh;
mod scaffold;
mod scan_bench;

use anyhow::{Context, bail};
use std::path::{Path, PathBuf};

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    match args.as_slice() {
        ["codegen"] => codegen::run(codegen::Mode::Write),
        ["codegen", "--check"] => codegen::run(codegen::Mode::Check),
        ["readme"] => readme::run(),
        ["bench", "bulk", ..] => bench::run(&args[1..]),
        ["bench", rest @ ..] => scan_bench::run(rest),
        ["bench-probe", mode, dir] => scan_bench::probe(mode, dir),
        ["bench-exec", usage, program, rest @ ..] => scan_bench::exec(usage, program, rest),
        ["refresh-data", rest @ ..] => refresh::run(rest),
        ["new-codemod", id] => scaffold::new_codemod(id, &["typescript", "python"]),
        ["new-codemod", id, "--languages", languages] => {
            let languages: Vec<&str> = languages.split(',').collect();
            scaffold::new_codemod(id, &languages)
        }
        _ => bail!(
            "usage:\n  cargo xtask codegen [--check]\n  cargo xtask readme\n  cargo xtask \
             bench [--runs N] [--min-files N] [--min-mb N]\n  cargo xtask bench bulk [N ...]\n  cargo xtask refresh-data [--cdk VERSION]\n  cargo xtask new-codemod <id> [--languages typescript,python]"
        ),
    }
}

/// The repository's root.
pub fn project_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask is one level below the root")
        .to_owned()
}

/// Writes `contents` to `path` unless it already has them; `Err` instead of writing in check
/// mode (rust-analyzer's `ensure_file_contents`).
pub fn ensure_file_contents(
    path: &Path,
    contents: &str,
    mode: codegen::Mode,
) -> anyhow::Result<()> {
    let current = std::fs::read_to_string(path).unwrap_or_default();
    if current.replace("\r\n", "\n") == contents {
        return Ok(());
    }
    let shown = path.strip_prefix(project_root()).unwrap_or(path).display();
    match mode {
        codegen::Mode::Check => {
            bail!("{shown} is out of date: run `cargo xtask codegen` and commit it")
        }
        codegen::Mode::Write => {
            std::fs::write(path, contents).with_context(|| format!("cannot write {shown}"))?;
            eprintln!("updated {shown}");
            Ok(())
        }
    }
}
