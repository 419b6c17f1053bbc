//! Every `$ iacfix …` command shown in a ```console block of the README is run, in a fresh copy
//! of `tests/examples` (commands of one block share it, in order), and must print exactly what
//! the README shows.

use crate::util::{Project, repo_path};

struct Command {
    args: Vec<String>,
    expected: String,
    line: usize,
}

/// The console blocks of the README: each a list of commands with their expected output.
fn console_blocks(readme: &str) -> Vec<Vec<Command>> {
    let mut blocks = Vec::new();
    let mut lines = readme.lines().enumerate().peekable();
    while let Some((_, line)) = lines.next() {
        if line != "```console" {
            continue;
        }
        let mut block: Vec<Command> = Vec::new();
        for (number, line) in lines.by_ref() {
            if line == "```" {
                break;
            }
            if let Some(command) = line.strip_prefix("$ iacfix ") {
                block.push(Command {
                    args: command.split_whitespace().map(str::to_owned).collect(),
                    expected: String::new(),
                    line: number + 1,
                });
            } else if let Some(last) = block.last_mut() {
                last.expected.push_str(line);
                last.expected.push('\n');
            }
        }
        if !block.is_empty() {
            blocks.push(block);
        }
    }
    blocks
}

#[test]
fn every_command_in_the_readme_prints_what_the_readme_shows() {
    let readme = std::fs::read_to_string(repo_path("README.md")).unwrap();
    let blocks = console_blocks(&readme);
    assert!(
        blocks.len() >= 8,
        "the README's console blocks were not found"
    );
    let mut wrong = Vec::new();
    for block in blocks {
        let project = Project::new();
        project.copy_from_repo("tests/examples", "tests/examples");
        for command in block {
            let args: Vec<&str> = command.args.iter().map(String::as_str).collect();
            let out = project.iacfix(&args);
            if out.stdout != command.expected {
                wrong.push(format!(
                    "README.md:{}: `iacfix {}` printed:\n{}",
                    command.line,
                    args.join(" "),
                    iacfix_catalog::testing::unified_diff(
                        &command.expected,
                        &out.stdout,
                        "README",
                        "actual"
                    )
                ));
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}
