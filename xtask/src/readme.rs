//! `cargo xtask readme`: runs every `$ iacfix …` command of the README's ```console blocks (in a
//! fresh copy of `tests/examples`, as `tests/readme.rs` does) and writes their output under
//! them. The test fails while the README is stale; this task is how to refresh it.

use crate::project_root;
use anyhow::{Context, bail};
use std::path::Path;
use std::process::Command;

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
    let binary = root.join("target/debug/iacfix");
    let readme_path = root.join("README.md");
    let readme = std::fs::read_to_string(&readme_path)?;
    let mut out = String::new();
    let mut lines = readme.lines().peekable();
    while let Some(line) = lines.next() {
        out.push_str(line);
        out.push('\n');
        if line != "```console" {
            continue;
        }
        let block: Vec<&str> = lines.by_ref().take_while(|l| *l != "```").collect();
        let commands: Vec<&str> = block
            .iter()
            .filter(|l| l.starts_with("$ "))
            .copied()
            .collect();
        if commands.iter().all(|c| !c.starts_with("$ iacfix ")) {
            for line in &block {
                out.push_str(line);
                out.push('\n');
            }
        } else {
            let dir = tempfile::tempdir()?;
            copy_dir(
                &root.join("tests/examples"),
                &dir.path().join("tests/examples"),
            )?;
            for command in commands {
                out.push_str(command);
                out.push('\n');
                let args = command.trim_start_matches("$ iacfix ").split_whitespace();
                let output = Command::new(&binary)
                    .args(args)
                    .current_dir(dir.path())
                    .env_remove("NO_COLOR")
                    .output()?;
                out.push_str(&String::from_utf8(output.stdout)?);
            }
        }
        out.push_str("```\n");
    }
    if out != readme {
        std::fs::write(&readme_path, out)?;
        eprintln!("updated README.md");
    }
    Ok(())
}

fn copy_dir(from: &Path, to: &Path) -> anyhow::Result<()> {
    std::fs::create_dir_all(to)?;
    for entry in std::fs::read_dir(from)? {
        let entry = entry?;
        let target = to.join(entry.file_name());
        if entry.file_type()?.is_dir() {
            copy_dir(&entry.path(), &target)?;
        } else {
            std::fs::copy(entry.path(), target)?;
        }
    }
    Ok(())
}
