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

/// The text of the README's fenced block of `lang` whose first line is `first`.
fn fenced_block(readme: &str, lang: &str, first: &str) -> String {
    let start = readme
        .find(&format!("```{lang}\n{first}\n"))
        .unwrap_or_else(|| panic!("no ```{lang} block starting with {first}"));
    let body = &readme[start + lang.len() + 4..];
    body[..body.find("```").unwrap()].to_owned()
}

#[test]
fn the_readme_configuration_example_is_a_valid_configuration() {
    let readme = std::fs::read_to_string(repo_path("README.md")).unwrap();
    let config = fenced_block(&readme, "toml", "# iacfix.toml");
    let project = crate::util::Project::new();
    project
        .file("iacfix.toml", &config)
        .file(
            "tools/codemods/rename-legacy-tags.yaml",
            crate::util::rename_codemod("safe"),
        )
        .file("legacy/index.ts", "const oldName = 1;\n")
        .file("index.ts", "const oldName = 1;\n");
    let out = project.iacfix(&["config"]);
    assert_eq!(out.code, 0, "{out:?}");
    // Every key of the configuration is in the example.
    let keys = [
        "select",
        "ignore",
        "extend-safe-fixes",
        "extend-unsafe-fixes",
        "unfixable",
        "exclude",
        "codemods",
        "fail-on",
        "report-unused-suppressions",
        "max-filesize",
        "options",
    ];
    let example: toml::Table = toml::from_str(&config).unwrap();
    let effective: toml::Table = toml::from_str(&out.stdout).unwrap();
    for key in keys {
        assert!(
            example.contains_key(key),
            "the README's example lacks `{key}`"
        );
        assert!(effective.contains_key(key), "`iacfix config` lacks `{key}`");
    }
    assert_eq!(effective.len(), keys.len(), "{effective}");
    // It takes effect: the team codemod runs, legacy/ is excluded, fail-on = security lets a
    // hygiene finding pass.
    let out = project.iacfix(&["check", "--format", "concise"]);
    assert_eq!(out.code, 0, "{out:?}");
    assert!(
        out.stdout.starts_with(
            "index.ts:1:7: rename-legacy-tags [*] `oldName` is called `newName` now\n"
        ),
        "{out:?}"
    );
    assert!(out.stdout.contains("in 1 of 1 file"), "{out:?}");
}

#[test]
fn the_readme_pre_commit_and_ci_snippets_name_real_hooks_and_flags() {
    let readme = std::fs::read_to_string(repo_path("README.md")).unwrap();
    let hooks = std::fs::read_to_string(repo_path(".pre-commit-hooks.yaml")).unwrap();
    let config = fenced_block(&readme, "yaml", "# .pre-commit-config.yaml");
    for id in ["iacfix-check", "iacfix-apply"] {
        assert!(hooks.contains(&format!("- id: {id}\n")), "hook {id}");
        assert!(config.contains(&format!("id: {id}")), "README names {id}");
    }
    let workflow = fenced_block(&readme, "yaml", "# .github/workflows/iacfix.yml");
    assert!(workflow.contains("iacfix check --format sarif > iacfix.sarif || [ $? -eq 1 ]"));
}

/// The README's "Data tables" section names the source the generated tables were taken from
/// (the header `cargo xtask refresh-data` writes), so the date it gives is the tables' date.
#[test]
fn the_readme_gives_the_source_and_date_of_the_data_tables() {
    let readme = std::fs::read_to_string(repo_path("README.md")).unwrap();
    let mut sources = std::collections::BTreeSet::new();
    for entry in std::fs::read_dir(repo_path("codemods")).unwrap() {
        let text = std::fs::read_to_string(entry.unwrap().path()).unwrap_or_default();
        for line in text.lines().filter(|l| l.contains("# BEGIN GENERATED")) {
            let source = line
                .split(" from ")
                .nth(1)
                .and_then(|rest| rest.split(')').next())
                .map(|s| format!("{s})"))
                .unwrap_or_else(|| panic!("a generated header without its source: {line}"));
            sources.insert(source);
        }
    }
    assert!(!sources.is_empty(), "no generated tables found");
    for source in sources {
        assert!(
            readme.contains(&format!("**{source}**")),
            "README.md does not give the tables' source `{source}` in its Data tables section"
        );
    }
}
