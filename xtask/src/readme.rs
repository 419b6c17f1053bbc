//! `cargo xtask readme`: runs the README's console blocks that use iacfix (as `tests/readme.rs`
//! does) and writes their output into the README.

use crate::project_root;
use anyhow::{Context, bail};
use std::process::Command;

#[path = "../../tests/support/readme_runner.rs"]
mod readme_runner;

pub fn run() -> anyhow::Result<()> {
    let root = project_root();
    let status = Command::new(env!("CARGO"))
        .args(["build", "--quiet", "--bin", "iacfix"])
        .current_dir(&root)
        .status()
        .context("cannot run cargo build")?;
    if !status.success() {
        bail!("cargo build failed");
    }
    let iacfix = root.join("target/debug/iacfix");
    let path = root.join("README.md");
    let readme = std::fs::read_to_string(&path)?;
    let outputs: Vec<Vec<String>> = readme_runner::blocks(&readme)
        .iter()
        .map(|block| readme_runner::run(block, &iacfix, &root.join("tests/examples")))
        .collect();
    let updated = readme_runner::rewrite(&readme, &outputs);
    if updated != readme {
        std::fs::write(&path, updated)?;
        eprintln!("updated README.md");
    }
    Ok(())
}
