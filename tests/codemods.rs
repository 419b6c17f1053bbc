//! The catalogue harness: every built-in codemod's cases pass, and its reviewed snapshot (in
//! `snapshots/`, insta's format) matches. Plus tidy checks on the catalogue's files.

use crate::util::repo_path;
use iacfix_catalog::testing::run_cases;
use iacfix_catalog::{builtin_ids, load_builtin};
use std::collections::BTreeSet;

#[test]
fn every_codemod_passes_its_cases_and_matches_its_snapshot() {
    let codemods = load_builtin().unwrap_or_else(|errors| panic!("{errors}"));
    assert!(!codemods.is_empty());
    let mut failures = Vec::new();
    for loaded in codemods {
        let outcome = run_cases(loaded);
        for missing in &outcome.coverage {
            failures.push(format!("{}: {missing}", outcome.meta.id));
        }
        for case in &outcome.cases {
            for failure in &case.failures {
                failures.push(format!("{} / {}: {failure}", outcome.meta.id, case.name));
            }
        }
        insta::with_settings!({
            snapshot_path => "../snapshots",
            prepend_module_to_snapshot => false,
            omit_expression => true,
        }, {
            insta::assert_snapshot!(outcome.meta.id.as_str(), outcome.snapshot);
        });
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

fn stems(dir: &str, extension: &str) -> BTreeSet<String> {
    std::fs::read_dir(repo_path(dir))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == extension))
        .map(|p| p.file_stem().unwrap().to_string_lossy().into_owned())
        .collect()
}

#[test]
fn every_codemod_has_a_snapshot_and_every_snapshot_a_codemod() {
    let codemods = stems("codemods", "yaml");
    let snapshots = stems("snapshots", "snap");
    let orphaned: Vec<_> = snapshots.difference(&codemods).collect();
    let missing: Vec<_> = codemods.difference(&snapshots).collect();
    assert!(
        orphaned.is_empty(),
        "snapshots without a codemod: {orphaned:?}"
    );
    assert!(
        missing.is_empty(),
        "codemods without a snapshot: {missing:?}"
    );
    let pending: Vec<_> = std::fs::read_dir(repo_path("snapshots"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| !name.ends_with(".snap"))
        .collect();
    assert!(
        pending.is_empty(),
        "unreviewed files in snapshots/: {pending:?}"
    );
    // The binary embeds exactly the files on disk.
    assert_eq!(
        builtin_ids().map(str::to_owned).collect::<BTreeSet<_>>(),
        codemods
    );
}
