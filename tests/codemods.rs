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

#[test]
fn every_program_codemod_is_type_checked_and_covers_its_languages() {
    use iacfix_catalog::Expectation;
    use iacfix_core::Lang;
    let family = |lang: Lang| match lang {
        Lang::TypeScript | Lang::Tsx | Lang::JavaScript => "typescript",
        Lang::Python => "python",
        Lang::Yaml => "yaml",
    };
    let mut problems = Vec::new();
    for loaded in load_builtin().unwrap_or_else(|e| panic!("{e}")) {
        let id = loaded.codemod.meta.id.clone();
        let families: BTreeSet<&str> = loaded.codemod.languages().into_iter().map(family).collect();
        if families.iter().any(|f| *f != "yaml") && loaded.inputs_type_check.is_none() {
            problems.push(format!(
                "{id}: has TypeScript/Python rules but no `typeCheck`"
            ));
        }
        for f in &families {
            let changing = loaded
                .cases
                .iter()
                .filter(|c| family(c.lang) == *f && !matches!(c.expect, Expectation::Unchanged))
                .count();
            let unchanged = loaded
                .cases
                .iter()
                .filter(|c| family(c.lang) == *f && matches!(c.expect, Expectation::Unchanged))
                .count();
            // The four codemods users asked for by name carry the full set of shapes; every
            // other codemod at least two changing cases and one unchanged per language.
            let (min_changing, min_unchanged) = if NAMED.contains(&id.as_str()) {
                (4, 2)
            } else {
                (2, 1)
            };
            if changing < min_changing || unchanged < min_unchanged {
                problems.push(format!(
                    "{id}: {f} has {changing} changing and {unchanged} unchanged cases \
                     (at least {min_changing} and {min_unchanged})"
                ));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

const NAMED: &[&str] = &[
    "s3-bucket-replication-config",
    "route53-reserved-domain",
    "hardcoded-db-password",
    "vpc-flow-logs",
];

/// The catalogue on `tests/corpus/`, programs that deploy as they are: no `safe` codemod and no
/// deploy-blocker may find anything there (a finding would be a fix applied to correct code).
#[test]
fn the_catalogue_finds_nothing_to_fix_in_correct_programs() {
    let out = crate::util::run_in(
        &repo_path("."),
        &["check", "--format", "json", "tests/corpus"],
    );
    assert!(out.code <= 1, "iacfix check failed: {out:?}");
    let report: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    let findings = report["findings"].as_array().expect("findings");
    let wrong: Vec<String> = findings
        .iter()
        .filter(|f| f["applicability"] == "safe" || f["severity"] == "deploy-blocker")
        .map(|f| {
            format!(
                "{}:{}: {} {}",
                f["path"].as_str().unwrap_or_default(),
                f["range"]["start"]["line"],
                f["codemod"].as_str().unwrap_or_default(),
                f["message"].as_str().unwrap_or_default()
            )
        })
        .collect();
    assert!(
        wrong.is_empty(),
        "findings on correct programs:\n{}",
        wrong.join("\n")
    );
    // Every source file of the corpus was checked, none skipped or failed.
    assert_eq!(
        report["errors"].as_array().map(Vec::len),
        Some(0),
        "{}",
        out.stdout
    );
    let sources = corpus_sources(&repo_path("tests/corpus"));
    assert!(sources >= 10, "the corpus has {sources} source files");
    assert_eq!(report["summary"]["filesChecked"], sources, "{}", out.stdout);
}

fn corpus_sources(dir: &std::path::Path) -> usize {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .map(|p| {
            if p.is_dir() {
                corpus_sources(&p)
            } else {
                let name = p.file_name().unwrap().to_string_lossy();
                usize::from(iacfix_core::Lang::from_file_name(&name).is_some())
            }
        })
        .sum()
}

/// Every rule of the built-in catalogue names the literals a file needs for it to match
/// (derived from its patterns and regexes, or declared with `prefilter:`), so a file with none
/// of them is not parsed for it and the catalogue's cost does not grow with its size.
#[test]
fn every_rule_has_a_prefilter() {
    let mut missing = Vec::new();
    for loaded in load_builtin().unwrap_or_else(|e| panic!("{e}")) {
        for (i, rule) in loaded.codemod.rules.iter().enumerate() {
            if rule.literals.is_none() {
                missing.push(format!(
                    "{} (rule {i}, {}): no literal is known; add `prefilter: [...]`",
                    loaded.codemod.meta.id,
                    rule.lang.name()
                ));
            }
        }
    }
    assert!(missing.is_empty(), "{}", missing.join("\n"));
}
