//! What the fuzz targets check, shared by the libFuzzer target (`fuzz_targets/engine.rs`) and
//! the stable replay test (`tests/replay.rs`).
//!
//! [`check_program`] runs every codemod of the built-in catalogue over one program, with
//! `FixOptions { unsafe_fixes: true, .. }` and a default `Context`, and panics when one of the
//! engine's invariants does not hold:
//!
//! 1. no panic anywhere in `check`, `fix` or a second `fix`;
//! 2. `check` and `fix` agree on the input: both return the same `SyntaxError`, or both accept
//!    it and `fix`'s `findings` and `unused_suppressions` are exactly `check_file`'s;
//! 3. a `SyntaxError` from the engine means the parser finds one too (`syntax_error`);
//! 4. an input that does not parse is never edited;
//! 5. each step is an enabled codemod with at least one fix, its text differs from the text
//!    before it and parses (a fix that would break the syntax must be refused and reported as
//!    `Problem::BreaksSyntax`, never returned); `fixed_text()` is the last step's text;
//! 6. without a fixable finding (a fix, and its codemod enabled) nothing changes and nothing is
//!    reported; with one, something changes or a problem is reported;
//! 7. `remaining` is exactly what `check` finds in the final text; with no problem reported,
//!    none of it is fixable (the fixpoint was reached);
//! 8. with no problem reported, a second `fix` on the output changes nothing and reports no
//!    problem (idempotence); either way the output passes 1–7 itself.

#![deny(unsafe_code)]

use iacfix_catalog::{Expectation, load_builtin};
use iacfix_core::{Context, Engine, Finding, FixOptions, FixOutcome, Lang, syntax_error};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

pub mod mutate;

/// The built-in catalogue, compiled once, as the command line builds it.
pub fn engine() -> &'static Engine {
    static ENGINE: OnceLock<Engine> = OnceLock::new();
    ENGINE.get_or_init(|| {
        let loaded = iacfix_catalog::load_builtin()
            .unwrap_or_else(|errors| panic!("the built-in catalogue is invalid: {errors}"));
        let ids = loaded.iter().map(|c| c.codemod.meta.id.clone()).collect();
        Engine::new(loaded.into_iter().map(|c| c.codemod).collect()).with_known_ids(ids)
    })
}

/// The options every run uses: unsafe codemods' fixes applied too.
pub fn options() -> FixOptions {
    FixOptions {
        unsafe_fixes: true,
        ..FixOptions::default()
    }
}

/// The language byte of an input file for `lang` (the inverse of [`split_input`]).
pub fn lang_byte(lang: Lang) -> u8 {
    match lang {
        Lang::TypeScript => b't',
        Lang::Tsx => b'x',
        Lang::JavaScript => b'j',
        Lang::Python => b'p',
        Lang::Yaml => b'y',
    }
}

/// A fuzz input: its first byte chooses the language (`t`, `x`, `j`, `p`, `y`; any other byte
/// TypeScript, Python or YAML by its value modulo 3), the rest is the program. `None` when the
/// input is empty or the program is not UTF-8 (the edge never hands such text to the engine).
pub fn split_input(data: &[u8]) -> Option<(Lang, &str)> {
    let (&first, rest) = data.split_first()?;
    let lang = match first {
        b't' => Lang::TypeScript,
        b'x' => Lang::Tsx,
        b'j' => Lang::JavaScript,
        b'p' => Lang::Python,
        b'y' => Lang::Yaml,
        other => [Lang::TypeScript, Lang::Python, Lang::Yaml][usize::from(other) % 3],
    };
    Some((lang, std::str::from_utf8(rest).ok()?))
}

/// Runs `check` and `fix` over `text`, then `fix` over the output, and panics when one of the
/// invariants of the module documentation does not hold.
pub fn check_program(lang: Lang, text: &str) {
    let Some(first) = check_once(lang, text) else {
        return;
    };
    let Some(output) = first.fixed_text() else {
        return;
    };
    let second = check_once(lang, output).expect("(5) a fixed output parses");
    if first.problems.is_empty() {
        assert!(
            second.steps.is_empty() && second.problems.is_empty(),
            "(8) a second fix on the output is not a no-op: it changes codemods {:?} \
             and reports {:?}\n--- output of the first fix:\n{output}\n--- after the second:\n{}",
            second
                .steps
                .iter()
                .map(|s| codemod_id(s.codemod))
                .collect::<Vec<_>>(),
            second.problems,
            second.fixed_text().unwrap_or(output),
        );
    }
}

fn codemod_id(index: usize) -> &'static str {
    &engine().codemods()[index].meta.id
}

/// Invariants 1–7 on one text; the outcome of `fix` (`None` when the engine refused the text).
fn check_once(lang: Lang, text: &str) -> Option<FixOutcome> {
    let engine = engine();
    let context = Context::default();
    let options = options();
    let parses = syntax_error(lang, text).is_none();
    let checked = engine.check_file(lang, text, &context);
    let fixed = engine.fix(lang, text, &options, &context);
    let (findings, unused, outcome) = match (checked, fixed) {
        (Err(a), Err(b)) => {
            assert_eq!(a, b, "(2) check and fix report different syntax errors");
            assert!(
                !parses,
                "(3) the engine reports {a:?} in a text the parser accepts"
            );
            return None;
        }
        (Ok((findings, unused)), Ok(outcome)) => (findings, unused, outcome),
        (checked, fixed) => panic!(
            "(2) check and fix disagree on whether the text parses: check {checked:?}, fix {:?}",
            fixed.map(|o| o.findings)
        ),
    };
    assert_eq!(
        outcome.findings, findings,
        "(2) fix's findings are not check's"
    );
    assert_eq!(
        outcome.unused_suppressions, unused,
        "(2) fix's unused suppressions are not check's"
    );
    if !parses {
        assert!(
            outcome.steps.is_empty(),
            "(4) a text that does not parse was edited by {:?}",
            outcome
                .steps
                .iter()
                .map(|s| codemod_id(s.codemod))
                .collect::<Vec<_>>()
        );
    }
    let mut before = text;
    for step in &outcome.steps {
        let id = codemod_id(step.codemod);
        assert!(
            engine.fix_enabled(step.codemod, &options),
            "(5) step of {id}, whose fixes are not enabled"
        );
        assert!(step.fixes > 0, "(5) step of {id} with no fix");
        assert_ne!(step.text, before, "(5) step of {id} changes nothing");
        if let Some(error) = syntax_error(lang, &step.text) {
            panic!(
                "(5) the step of {id} breaks the syntax: {error:?}\n--- before:\n{before}\n\
                 --- after:\n{}",
                step.text
            );
        }
        before = &step.text;
    }
    assert_eq!(
        outcome.fixed_text(),
        outcome.steps.last().map(|s| s.text.as_str()),
        "(5) fixed_text is the last step's text"
    );
    let fixable = |f: &Finding| f.fix.is_some() && engine.fix_enabled(f.codemod, &options);
    if findings.iter().any(fixable) {
        assert!(
            !outcome.steps.is_empty() || !outcome.problems.is_empty(),
            "(6) fixable findings ({:?}) neither fixed nor reported as a problem",
            findings
                .iter()
                .filter(|f| fixable(f))
                .map(|f| codemod_id(f.codemod))
                .collect::<Vec<_>>()
        );
    } else {
        assert!(
            outcome.steps.is_empty() && outcome.problems.is_empty(),
            "(6) no fixable finding, yet steps {:?} and problems {:?}",
            outcome
                .steps
                .iter()
                .map(|s| codemod_id(s.codemod))
                .collect::<Vec<_>>(),
            outcome.problems
        );
    }
    let last = outcome.fixed_text().unwrap_or(text);
    let after = engine
        .check(lang, last, &context)
        .unwrap_or_else(|error| panic!("(5) the final text does not parse: {error:?}"));
    assert_eq!(
        outcome.remaining, after,
        "(7) remaining is not what check finds in the final text"
    );
    if outcome.problems.is_empty() {
        let left: Vec<&str> = after
            .iter()
            .filter(|f| fixable(f))
            .map(|f| codemod_id(f.codemod))
            .collect();
        assert!(
            left.is_empty(),
            "(7) no problem reported, yet fixable findings remain: {left:?}\n--- final text:\n{last}"
        );
    }
    Some(outcome)
}

/// The seed inputs of the `engine` target, by name (`seed-…`), each in the target's input
/// format: the input (and expected output) of every case of every built-in codemod, and every
/// TypeScript, Python and YAML file of `tests/corpus/` and `tests/examples/`. Computed from the
/// repository, not committed: the `seeds` example writes them for libFuzzer, the replay test
/// reads them here.
pub fn seeds() -> BTreeMap<String, Vec<u8>> {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("fuzz/ is in the repository");
    // Content -> name, so that a program met twice is kept once.
    let mut seeds: BTreeMap<Vec<u8>, String> = BTreeMap::new();
    let mut add = |name: String, lang: Lang, text: &str| {
        let mut data = vec![lang_byte(lang)];
        data.extend_from_slice(text.as_bytes());
        seeds.entry(data).or_insert(name);
    };
    for loaded in load_builtin().unwrap_or_else(|e| panic!("{e}")) {
        let id = &loaded.codemod.meta.id;
        for (n, case) in loaded.cases.iter().enumerate() {
            add(format!("seed-case-{id}-{n}"), case.lang, &case.input);
            if let Expectation::Fixed(output) = &case.expect {
                add(format!("seed-case-{id}-{n}-fixed"), case.lang, output);
            }
            for (path, file) in &case.files {
                if let Some(lang) = Lang::from_file_name(path) {
                    add(
                        format!("seed-case-{id}-{n}-{}", flat(path)),
                        lang,
                        &file.input,
                    );
                }
            }
        }
    }
    for dir in ["tests/corpus", "tests/examples"] {
        for path in files(&repo.join(dir)) {
            let relative = path
                .strip_prefix(repo)
                .unwrap()
                .to_string_lossy()
                .into_owned();
            let Some(lang) = Lang::from_file_name(&relative) else {
                continue;
            };
            let text = std::fs::read_to_string(&path).unwrap();
            let name = relative.trim_start_matches("tests/");
            add(format!("seed-{}", flat(name)), lang, &text);
        }
    }
    seeds.into_iter().map(|(data, name)| (name, data)).collect()
}

fn flat(path: &str) -> String {
    path.replace(['/', '\\'], "_")
}

/// The files under `dir`, sorted, recursively.
fn files(dir: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            found.extend(files(&path));
        } else {
            found.push(path);
        }
    }
    found
}
