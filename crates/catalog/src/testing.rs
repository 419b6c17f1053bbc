//! Runs codemods' inline test cases (`iacfix test`, and `cargo test` for the built-in
//! catalogue) and renders the snapshot a reviewer approves.
//!
//! A changing case must produce exactly its expected output, report a finding, leave text that
//! parses, and change nothing when run again; an unchanged case must produce no finding and no
//! change; a reported case must produce a finding and no change. Every codemod needs a changing
//! (or, if manual, reported) case, an unchanged case and an example, so a snapshot can never
//! approve a codemod that does nothing.

use crate::load::{Case, Expectation, LoadedCodemod, load_codemod_with};
use iacfix_core::manifest::{ManifestKind, ensure_dependency};
use iacfix_core::{
    Applicability, Context, Engine, Facts, Finding, FixOptions, FixOutcome, Lang, Meta, Problem,
    ProgramFacts, ProgramFiles, ProviderVersions, mask_secrets,
};
use similar::TextDiff;
use std::collections::BTreeMap;
use std::fmt::Write;

/// The result of one test case.
#[derive(Clone, Debug)]
pub struct CaseOutcome {
    pub name: String,
    pub lang: Lang,
    /// Line of the case in the codemod file.
    pub line: u64,
    /// Empty when the case passed.
    pub failures: Vec<String>,
}

/// The result of every case of one codemod, and its rendered snapshot.
#[derive(Clone, Debug)]
pub struct CodemodOutcome {
    pub meta: Meta,
    pub cases: Vec<CaseOutcome>,
    /// Problems with the set of cases itself (no changing case, no unchanged case, no example).
    pub coverage: Vec<String>,
    /// The text compared with the reviewed snapshot.
    pub snapshot: String,
}

impl CodemodOutcome {
    /// Whether every case passed and the cases cover what they must.
    pub fn passed(&self) -> bool {
        self.coverage.is_empty() && self.cases.iter().all(|c| c.failures.is_empty())
    }
}

/// Runs every case of `loaded` with fixes of any applicability enabled.
pub fn run_cases(loaded: LoadedCodemod) -> CodemodOutcome {
    let LoadedCodemod {
        codemod,
        cases,
        source,
        options,
        ..
    } = loaded;
    let meta = codemod.meta.clone();
    let coverage = coverage(&meta, &cases);
    let engine = Engine::new(vec![codemod]);
    let mut snapshot = format!("{}: {}\n", meta.id, meta.title);
    let outcomes = cases
        .iter()
        .map(|case| {
            if case.options.is_empty() {
                return run_case(&engine, case, &mut snapshot);
            }
            // The codemod as loaded with the case's option values.
            let mut values = options.clone();
            values.extend(case.options.clone());
            match load_codemod_with(&meta.origin, &meta.id, &source, &values) {
                Ok(with_options) => {
                    let engine = Engine::new(vec![with_options.codemod]);
                    run_case(&engine, case, &mut snapshot)
                }
                Err(errors) => CaseOutcome {
                    name: case.name.clone(),
                    lang: case.lang,
                    line: case.line,
                    failures: errors.iter().map(ToString::to_string).collect(),
                },
            }
        })
        .collect();
    CodemodOutcome {
        meta,
        cases: outcomes,
        coverage,
        snapshot,
    }
}

fn coverage(meta: &Meta, cases: &[Case]) -> Vec<String> {
    let mut missing = Vec::new();
    let has = |want: fn(&Expectation) -> bool| cases.iter().any(|c| want(&c.expect));
    if meta.applicability == Applicability::Manual {
        if !has(|e| matches!(e, Expectation::Reported)) {
            missing.push(
                "no case with `expect: reported` (a manual codemod must find something)".into(),
            );
        }
    } else if !has(|e| matches!(e, Expectation::Fixed(_))) {
        missing.push("no case with an `output` (a case the codemod must change)".into());
    }
    if !has(|e| matches!(e, Expectation::Unchanged)) {
        missing
            .push("no case with `expect: unchanged` (look-alike code that must not change)".into());
    }
    if !cases.iter().any(|c| c.example) {
        missing.push("no case marked `example: true` (the example `iacfix explain` shows)".into());
    }
    missing
}

/// The program of a case: its context for the engine, from the case's other files.
fn case_context(engine: &Engine, case: &Case) -> Result<Context, String> {
    let manifests = case.files.iter().filter_map(|(path, file)| {
        ManifestKind::from_file_name(file_name(path)).map(|kind| (kind, file.input.as_str()))
    });
    let mut providers = ProviderVersions::from_manifests(manifests);
    for (provider, major) in &case.providers {
        providers = providers.with(provider, *major);
    }
    let mut facts = Facts::default();
    let sources = std::iter::once((case.path.as_str(), case.input.as_str())).chain(
        case.files
            .iter()
            .map(|(path, file)| (path.as_str(), file.input.as_str())),
    );
    for (path, text) in sources {
        if let Some(lang) = Lang::from_file_name(file_name(path)).filter(|l| engine.handles(*l)) {
            facts.merge(
                engine
                    .facts(lang, text)
                    .map_err(|error| format!("{path} does not parse: {error}"))?,
            );
        }
    }
    // The case's program: its file and the other files it lists.
    let files =
        ProgramFiles::new(std::iter::once(case.path.clone()).chain(case.files.keys().cloned()));
    Ok(Context {
        providers,
        facts: ProgramFacts::ready(facts),
        files,
    })
}

fn file_name(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

/// The case's other files after the fix: the dependencies its steps need, added to the program's
/// manifests.
fn apply_dependencies(
    case: &Case,
    outcome: &FixOutcome,
) -> Result<BTreeMap<String, String>, String> {
    let mut files: BTreeMap<String, String> = case
        .files
        .iter()
        .map(|(path, file)| (path.clone(), file.input.clone()))
        .collect();
    for request in outcome.steps.iter().flat_map(|s| &s.dependencies) {
        let kinds = files.keys().filter_map(|path| {
            ManifestKind::from_file_name(file_name(path)).map(|k| (k, path.clone()))
        });
        let Some((kind, path)) = iacfix_core::manifest::manifest_for(request.ecosystem, kinds)
        else {
            return Err(format!(
                "the fix needs `{}` in the program's manifest, and the case's program has none \
                 (add it under `files:`)",
                request.package
            ));
        };
        let text = &files[&path];
        if let Some(new) =
            ensure_dependency(kind, text, request).map_err(|e| format!("{path}: {e}"))?
        {
            files.insert(path, new);
        }
    }
    Ok(files)
}

fn run_case(engine: &Engine, case: &Case, snapshot: &mut String) -> CaseOutcome {
    let options = FixOptions {
        unsafe_fixes: true,
        ..FixOptions::default()
    };
    let mut failures = Vec::new();
    let expect = match case.expect {
        Expectation::Fixed(_) => "fixed",
        Expectation::Unchanged => "unchanged",
        Expectation::Reported => "reported",
    };
    let _ = writeln!(snapshot, "\n=== {} ({}, {expect})", case.name, case.lang);
    let outcome = case_context(engine, case).and_then(|context| {
        engine
            .fix(case.lang, &case.input, &options, &context)
            .map(|outcome| (context, outcome))
            .map_err(|error| format!("the input does not parse: {error}"))
    });
    match outcome {
        Err(error) => failures.push(error),
        Ok((context, outcome)) => {
            let secrets: Vec<String> = outcome
                .findings
                .iter()
                .flat_map(|f| f.secrets.iter().cloned())
                .collect();
            let mut shown = String::new();
            render_findings(engine, &outcome.findings, &mut shown);
            for problem in &outcome.problems {
                failures.push(describe_problem(engine, problem));
            }
            let actual = outcome.fixed_text().unwrap_or(&case.input);
            if actual != case.input {
                shown.push_str(&unified_diff(&case.input, actual, &case.path, &case.path));
            }
            let files = match apply_dependencies(case, &outcome) {
                Ok(files) => files,
                Err(error) => {
                    failures.push(error);
                    BTreeMap::new()
                }
            };
            for (path, file) in &case.files {
                let Some(now) = files.get(path) else { continue };
                if *now != file.input {
                    shown.push_str(&unified_diff(&file.input, now, path, path));
                }
                let expected = file.output.as_ref().unwrap_or(&file.input);
                if now != expected {
                    failures.push(format!(
                        "{path} differs from its expected `output` (- expected, + actual):\n{}",
                        unified_diff(expected, now, "expected", "actual")
                    ));
                }
            }
            snapshot.push_str(&mask_secrets(&shown, &secrets));
            match &case.expect {
                Expectation::Fixed(expected) => {
                    if outcome.findings.is_empty() {
                        failures.push("expected a finding, found none".into());
                    }
                    if actual != expected {
                        failures.push(format!(
                            "the fixed text differs from `output` (- expected, + actual):\n{}",
                            unified_diff(expected, actual, "expected", "actual")
                        ));
                    }
                    if let Err(error) = engine.check(case.lang, expected, &context) {
                        failures.push(format!("`output` does not parse: {error}"));
                    }
                    match engine.fix(case.lang, actual, &options, &context) {
                        Ok(again) => {
                            if let Some(twice) = again.fixed_text() {
                                failures.push(format!(
                                    "a second run changed the fixed text (not idempotent):\n{}",
                                    unified_diff(actual, twice, "fixed", "fixed twice")
                                ));
                            }
                        }
                        Err(error) => {
                            failures.push(format!("the fixed text does not parse: {error}"))
                        }
                    }
                }
                Expectation::Unchanged => {
                    if !outcome.findings.is_empty() {
                        failures.push(format!(
                            "expected no finding, found {}",
                            outcome.findings.len()
                        ));
                    }
                    if actual != case.input {
                        failures.push("expected no change, but the text was rewritten".into());
                    }
                }
                Expectation::Reported => {
                    if outcome.findings.is_empty() {
                        failures.push("expected a finding, found none".into());
                    }
                    if actual != case.input {
                        failures.push("expected only a finding, but the text was rewritten".into());
                    }
                }
            }
        }
    }
    CaseOutcome {
        name: case.name.clone(),
        lang: case.lang,
        line: case.line,
        failures,
    }
}

fn render_findings(engine: &Engine, findings: &[Finding], snapshot: &mut String) {
    if findings.is_empty() {
        snapshot.push_str("findings: none\n");
        return;
    }
    snapshot.push_str("findings:\n");
    for finding in findings {
        let fix = match (
            &finding.fix,
            engine.codemods()[finding.codemod].meta.applicability,
        ) {
            (None, _) | (_, Applicability::Manual) => "no fix",
            (Some(_), Applicability::Safe) => "safe fix",
            (Some(_), Applicability::Unsafe) => "unsafe fix",
        };
        let _ = writeln!(
            snapshot,
            "  {}-{} [{fix}] {}",
            finding.start, finding.end, finding.message
        );
    }
}

fn describe_problem(engine: &Engine, problem: &Problem) -> String {
    match problem {
        Problem::BreaksSyntax { codemod, at, error } => format!(
            "the fix of `{}` at {at} would break the syntax ({error})",
            engine.codemods()[*codemod].meta.id
        ),
        Problem::NotConverged { codemod, passes } => format!(
            "`{}` did not converge after {passes} passes",
            engine.codemods()[*codemod].meta.id
        ),
    }
}

/// A unified diff with three lines of context.
pub fn unified_diff(old: &str, new: &str, old_name: &str, new_name: &str) -> String {
    TextDiff::from_lines(old, new)
        .unified_diff()
        .context_radius(3)
        .header(old_name, new_name)
        .missing_newline_hint(true)
        .to_string()
}

/// A snapshot file's text, in insta's format (so `cargo insta review` works on it too).
pub fn snapshot_file(source: &str, contents: &str) -> String {
    format!("---\nsource: {source}\n---\n{}\n", contents.trim_end())
}

/// The contents of a snapshot file (what follows its metadata header).
pub fn snapshot_contents(file: &str) -> &str {
    if let Some(rest) = file.strip_prefix("---\n")
        && let Some(end) = rest.find("\n---\n")
    {
        return &rest[end + "\n---\n".len()..];
    }
    file
}

/// Whether two snapshot contents are equal as insta compares them (trailing whitespace and line
/// endings aside).
pub fn snapshots_match(a: &str, b: &str) -> bool {
    a.trim_end().replace("\r\n", "\n") == b.trim_end().replace("\r\n", "\n")
}
