//! Every ```console block of the README that runs iacfix is run again (see
//! `tests/support/readme_runner.rs`) and must print exactly what the README shows; `cargo xtask
//! readme` refreshes them.

use crate::util::repo_path;

#[path = "support/readme_runner.rs"]
mod readme_runner;

#[test]
fn every_command_in_the_readme_prints_what_the_readme_shows() {
    let readme = std::fs::read_to_string(repo_path("README.md")).unwrap();
    let blocks = readme_runner::blocks(&readme);
    assert!(
        blocks.len() >= 8,
        "the README's console blocks were not found"
    );
    let iacfix = std::path::Path::new(env!("CARGO_BIN_EXE_iacfix"));
    let mut wrong = Vec::new();
    for block in blocks {
        let outputs = readme_runner::run(&block, iacfix, &repo_path("tests/examples"));
        for (shown, output) in block.iter().zip(outputs) {
            if readme_runner::normalise(&shown.output) != output {
                wrong.push(format!(
                    "README.md:{}: `{}` printed:\n{}",
                    shown.line,
                    shown.command,
                    iacfix_catalog::testing::unified_diff(
                        &shown.output,
                        &output,
                        "README",
                        "actual"
                    )
                ));
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "{}\nrun `cargo xtask readme` if the new output is right",
        wrong.join("\n")
    );
}
