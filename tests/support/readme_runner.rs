//! Runs the README's ```console blocks that use iacfix: shared by `tests/readme.rs` (which checks
//! the README) and `cargo xtask readme` (which writes the outputs into it).
//!
//! Each block runs in a fresh directory holding a copy of `tests/examples` at `tests/examples`,
//! with a private HOME whose git identity is "Ada Lovelace <ada@example.org>", fixed dates, and
//! the built `iacfix` first on PATH. Every `$ ` line is run with `sh -c`, its standard output and
//! error together, as a terminal shows them. Commit ids are written `<commit>`.

// Each of the two users takes only part of this module.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;

/// A command of a block: its line in the README, the command, the output the README shows.
pub struct Shown {
    pub line: usize,
    pub command: String,
    pub output: String,
}

/// The console blocks that run iacfix, in order.
pub fn blocks(readme: &str) -> Vec<Vec<Shown>> {
    let mut blocks = Vec::new();
    let mut lines = readme.lines().enumerate();
    while let Some((_, line)) = lines.next() {
        if line != "```console" {
            continue;
        }
        let mut block: Vec<Shown> = Vec::new();
        for (number, line) in lines.by_ref() {
            if line == "```" {
                break;
            }
            if let Some(command) = line.strip_prefix("$ ") {
                block.push(Shown {
                    line: number + 1,
                    command: command.to_owned(),
                    output: String::new(),
                });
            } else if let Some(last) = block.last_mut() {
                last.output.push_str(line);
                last.output.push('\n');
            }
        }
        if block.iter().any(|c| c.command.starts_with("iacfix ")) {
            blocks.push(block);
        }
    }
    blocks
}

/// Runs a block's commands; returns what each printed (normalised).
pub fn run(block: &[Shown], iacfix: &Path, examples: &Path) -> Vec<String> {
    let dir = tempfile::tempdir().expect("a temporary directory");
    copy_dir(examples, &dir.path().join("tests/examples"));
    let home = dir.path().join(".home");
    std::fs::create_dir_all(&home).unwrap();
    std::fs::write(
        home.join(".gitconfig"),
        "[user]\n\tname = Ada Lovelace\n\temail = ada@example.org\n[init]\n\tdefaultBranch = main\n",
    )
    .unwrap();
    std::fs::write(dir.path().join(".git-exclude"), ".home/\n.git-exclude\n").unwrap();
    let bin_dir = iacfix.parent().expect("the binary is in a directory");
    let path = format!(
        "{}:{}",
        bin_dir.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    block
        .iter()
        .map(|shown| {
            let output = Command::new("sh")
                .arg("-c")
                .arg(format!("{} 2>&1", shown.command))
                .current_dir(dir.path())
                .env("PATH", &path)
                .env("HOME", &home)
                .env("XDG_CONFIG_HOME", &home)
                .env("GIT_CONFIG_NOSYSTEM", "1")
                .env("GIT_CONFIG_PARAMETERS", "'core.excludesFile=.git-exclude'")
                .env("GIT_AUTHOR_DATE", "2026-11-23T12:00:00Z")
                .env("GIT_COMMITTER_DATE", "2026-11-23T12:00:00Z")
                .env("SOURCE_DATE_EPOCH", "1795435200")
                .env_remove("NO_COLOR")
                .output()
                .expect("run sh");
            normalise(&String::from_utf8_lossy(&output.stdout))
        })
        .collect()
}

/// Commit ids (7 to 40 hex digits in brackets, or alone on a `From` line) as `<commit>`.
pub fn normalise(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find('[') {
        out.push_str(&rest[..=start]);
        rest = &rest[start + 1..];
        let hex = rest.bytes().take_while(|b| b.is_ascii_hexdigit()).count();
        if (7..=40).contains(&hex) && rest[hex..].starts_with(']') {
            out.push_str("<commit>");
            rest = &rest[hex..];
        }
    }
    out.push_str(rest);
    out
}

/// The README with every block's outputs replaced by `outputs`.
pub fn rewrite(readme: &str, outputs: &[Vec<String>]) -> String {
    let mut out = String::new();
    let mut blocks = outputs.iter();
    let mut lines = readme.lines().peekable();
    while let Some(line) = lines.next() {
        out.push_str(line);
        out.push('\n');
        if line != "```console" {
            continue;
        }
        let block: Vec<&str> = lines.by_ref().take_while(|l| *l != "```").collect();
        let runs_iacfix = block.iter().any(|l| l.starts_with("$ iacfix "));
        let fresh = if runs_iacfix { blocks.next() } else { None };
        match fresh {
            Some(outputs) => {
                let commands = block.iter().filter(|l| l.starts_with("$ "));
                for (command, output) in commands.zip(outputs) {
                    out.push_str(command);
                    out.push('\n');
                    out.push_str(output);
                }
            }
            None => {
                for line in &block {
                    out.push_str(line);
                    out.push('\n');
                }
            }
        }
        out.push_str("```\n");
    }
    out
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target: PathBuf = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}
