//! Every codemod case is checked against the real Pulumi SDKs: the fixed output of a changing
//! case must type-check (tsc with `@pulumi/aws` for TypeScript, pyright with `pulumi_aws` for
//! Python), and its input must fail or pass as the codemod's `typeCheck.inputs` says.
//!
//! A case for a program on `@pulumi/aws` 6 (`providers: { aws: 6 }`) is checked against
//! `@pulumi/aws` / `pulumi-aws` 6; every other case against 7. The correct programs of
//! `tests/corpus/` must type-check as they are (`legacy-v6-*` against 6, the others against 7).
//!
//! The SDKs are installed on first use, at the exact versions of `tests/sdk/package-lock.json`
//! and `tests/sdk/requirements.lock` (and `tests/sdk/v6/` for provider 6), into
//! `target/tmp/iacfix-sdk/` (reused while the lock files do not change). Installing needs the
//! npm and PyPI registries; checking does not. Each check writes its programs into a directory
//! of its own (`target/tmp/sdk-check/`), so the installed SDKs are only read.

use crate::util::repo_path;
use iacfix_catalog::{Case, Expectation, LoadedCodemod, load_builtin};
use iacfix_core::Lang;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;

/// One program the checker looks at: a case's input or output, in its own directory.
struct Program {
    codemod: String,
    case: String,
    variant: &'static str,
    /// Whether the checker must accept it.
    must_pass: bool,
    dir: String,
}

fn cache_dir(kind: &str, lock: &[u8]) -> PathBuf {
    // FNV-1a: a new directory whenever the lock file changes.
    let hash = lock.iter().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x100_0000_01b3)
    });
    Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("iacfix-sdk")
        .join(format!("{kind}-{hash:016x}"))
}

fn run(command: &mut Command, what: &str) -> std::process::Output {
    let output = command
        .output()
        .unwrap_or_else(|e| panic!("{what}: cannot start {command:?}: {e}"));
    assert!(
        output.status.success(),
        "{what} failed ({command:?}):\n{}\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    output
}

/// The directory of the pinned SDKs for provider major `aws`: `tests/sdk` or `tests/sdk/v6`.
fn lock_dir(aws: u64) -> &'static str {
    match aws {
        6 => "tests/sdk/v6",
        _ => "tests/sdk",
    }
}

/// `@pulumi/aws`, `@pulumi/pulumi`, `@pulumi/random` and TypeScript, installed with `npm ci`.
fn npm_sdk(aws: u64) -> PathBuf {
    let locks = lock_dir(aws);
    let lock = std::fs::read(repo_path(&format!("{locks}/package-lock.json"))).unwrap();
    let dir = cache_dir("npm", &lock);
    if !dir.join(".installed").exists() {
        std::fs::create_dir_all(&dir).unwrap();
        for file in ["package.json", "package-lock.json"] {
            std::fs::copy(repo_path(&format!("{locks}/{file}")), dir.join(file)).unwrap();
        }
        run(
            Command::new("npm")
                .args([
                    "ci",
                    "--no-audit",
                    "--no-fund",
                    "--ignore-scripts",
                    "--loglevel=error",
                ])
                .current_dir(&dir),
            "installing the npm SDKs",
        );
        std::fs::write(dir.join(".installed"), "").unwrap();
    }
    dir
}

/// `pulumi`, `pulumi-aws`, `pulumi-random` and pyright, in a virtualenv.
fn python_sdk(aws: u64) -> PathBuf {
    let lock_file = format!("{}/requirements.lock", lock_dir(aws));
    let lock = std::fs::read(repo_path(&lock_file)).unwrap();
    let dir = cache_dir("python", &lock);
    if !dir.join(".installed").exists() {
        std::fs::create_dir_all(&dir).unwrap();
        run(
            Command::new("python3")
                .args(["-m", "venv", "venv"])
                .current_dir(&dir),
            "creating a virtualenv",
        );
        run(
            Command::new(dir.join("venv/bin/pip"))
                .args(["install", "--quiet", "--disable-pip-version-check", "-r"])
                .arg(repo_path(&lock_file))
                .current_dir(&dir),
            "installing the Python SDKs",
        );
        std::fs::write(dir.join(".installed"), "").unwrap();
    }
    dir
}

/// A fresh directory for one check's programs (`<target tmp>/sdk-check/<name>`).
fn work_dir(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("sdk-check")
        .join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// The provider major a case's program is on: its `providers: { aws: N }`, else 7.
fn aws_major(case: &Case) -> u64 {
    case.providers.get("aws").copied().unwrap_or(7)
}

/// Writes every case of `langs` for provider major `aws` whose codemod is type-checked as
/// programs under `<root>/cases/`; returns them.
fn write_programs(root: &Path, langs: &[Lang], aws: u64) -> Vec<Program> {
    let cases_dir = root.join("cases");
    let _ = std::fs::remove_dir_all(&cases_dir);
    let codemods = load_builtin().unwrap_or_else(|e| panic!("{e}"));
    let mut programs = Vec::new();
    for loaded in &codemods {
        let LoadedCodemod {
            codemod,
            cases,
            inputs_type_check,
            ..
        } = loaded;
        let Some(inputs_pass) = *inputs_type_check else {
            continue;
        };
        for (index, case) in cases.iter().enumerate() {
            if !case.type_check || !langs.contains(&case.lang) || aws_major(case) != aws {
                continue;
            }
            let mut variants: Vec<(&'static str, &str, bool)> = Vec::new();
            match &case.expect {
                Expectation::Fixed(output) => {
                    variants.push(("input", &case.input, inputs_pass));
                    variants.push(("output", output, true));
                }
                Expectation::Reported => variants.push(("input", &case.input, inputs_pass)),
                Expectation::Unchanged => variants.push(("input", &case.input, true)),
            }
            for (variant, text, must_pass) in variants {
                let dir = format!("cases/{}/{index:02}-{variant}", codemod.meta.id);
                write_case(&root.join(&dir), case, text);
                programs.push(Program {
                    codemod: codemod.meta.id.clone(),
                    case: case.name.clone(),
                    variant,
                    must_pass,
                    dir,
                });
            }
        }
    }
    programs
}

/// The bundled broken example, as is (it must fail: it uses a type the provider does not have)
/// and after `iacfix apply --unsafe` (it must type-check), as programs under `cases/example/`.
fn write_example(root: &Path, project: &str, main: &str) -> Vec<Program> {
    let mut programs = Vec::new();
    for (variant, fix, must_pass) in [("input", false, false), ("output", true, true)] {
        let dir = format!("cases/example/{project}-{variant}");
        let target = root.join(&dir);
        std::fs::create_dir_all(&target).unwrap();
        let source = repo_path(&format!("tests/examples/{project}"));
        for entry in std::fs::read_dir(&source).unwrap() {
            let entry = entry.unwrap();
            std::fs::copy(entry.path(), target.join(entry.file_name())).unwrap();
        }
        if fix {
            // The cache is inside the iacfix checkout, a git work tree that may be dirty.
            let out = crate::util::run_in(&target, &["apply", "--unsafe", "--allow-dirty", "."]);
            assert_eq!(out.code, 0, "iacfix apply --unsafe on the example: {out:?}");
            let check = crate::util::run_in(&target, &["check", "."]);
            assert_eq!(
                check.code, 0,
                "the fixed example still has findings: {check:?}"
            );
        }
        // Only the program's source is type-checked (its tsconfig and package.json are the
        // project's, not the checker's).
        for entry in std::fs::read_dir(&target).unwrap() {
            let path = entry.unwrap().path();
            if path.file_name().is_some_and(|n| n != main) {
                std::fs::remove_file(path).unwrap();
            }
        }
        programs.push(Program {
            codemod: "bundled example".into(),
            case: project.into(),
            variant,
            must_pass,
            dir,
        });
    }
    programs
}

/// The correct programs of `tests/corpus/` for provider major `aws` (`legacy-v6-*` are on 6), as
/// they are, under `cases/corpus/<program>/`: each must type-check.
fn write_corpus(root: &Path, langs: &[Lang], aws: u64) -> Vec<Program> {
    let mut programs = Vec::new();
    let corpus = repo_path("tests/corpus");
    let mut entries: Vec<PathBuf> = std::fs::read_dir(&corpus)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    entries.sort();
    for source in entries {
        let name = source.file_name().unwrap().to_string_lossy().into_owned();
        let major = if name.starts_with("legacy-v6-") { 6 } else { 7 };
        let dir = format!("cases/corpus/{name}");
        if major != aws || copy_sources(&source, &root.join(&dir), langs) == 0 {
            continue;
        }
        programs.push(Program {
            codemod: "corpus".into(),
            case: name,
            variant: "as is",
            must_pass: true,
            dir,
        });
    }
    programs
}

/// Copies the source files of `langs` under `from` to `to`; returns how many.
fn copy_sources(from: &Path, to: &Path, langs: &[Lang]) -> usize {
    let mut copied = 0;
    for entry in std::fs::read_dir(from).unwrap() {
        let path = entry.unwrap().path();
        let target = to.join(path.file_name().unwrap());
        if path.is_dir() {
            copied += copy_sources(&path, &target, langs);
        } else if Lang::from_file_name(&path.file_name().unwrap().to_string_lossy())
            .is_some_and(|l| langs.contains(&l))
        {
            std::fs::create_dir_all(to).unwrap();
            std::fs::copy(&path, target).unwrap();
            copied += 1;
        }
    }
    copied
}

fn write_case(dir: &Path, case: &Case, text: &str) {
    std::fs::create_dir_all(dir).unwrap();
    std::fs::write(dir.join(&case.path), text).unwrap();
    // The case's other source files (modules it imports); manifests are not needed here.
    for (path, file) in &case.files {
        if Lang::from_file_name(path).is_some() {
            let target = dir.join(path);
            std::fs::create_dir_all(target.parent().unwrap()).unwrap();
            std::fs::write(target, file.output.as_deref().unwrap_or(&file.input)).unwrap();
        }
    }
}

/// Compares what the checker said (errors by program directory) with what each program must do.
fn assert_expected(programs: &[Program], errors: &BTreeMap<String, Vec<String>>, checker: &str) {
    let mut wrong = Vec::new();
    for program in programs {
        let found = errors.get(&program.dir);
        match (program.must_pass, found) {
            (true, Some(errors)) => wrong.push(format!(
                "{} / {} ({}): must type-check, but {checker} says:\n  {}",
                program.codemod,
                program.case,
                program.variant,
                errors.join("\n  ")
            )),
            (false, None) => wrong.push(format!(
                "{} / {} ({}): must fail to type-check (the codemod fixes a type error), but \
                 {checker} accepts it",
                program.codemod, program.case, program.variant
            )),
            _ => {}
        }
    }
    let known: BTreeSet<&str> = programs.iter().map(|p| p.dir.as_str()).collect();
    for dir in errors.keys().filter(|d| !known.contains(d.as_str())) {
        wrong.push(format!(
            "{checker} reported errors outside the cases: {dir}"
        ));
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n\n"));
}

/// The case directory (`cases/<codemod>/<nn>-<variant>`) of a path the checker printed.
fn case_dir(path: &str) -> Option<String> {
    let start = path.find("cases/")?;
    let parts: Vec<&str> = path[start..].splitn(4, '/').collect();
    (parts.len() == 4).then(|| parts[..3].join("/"))
}

#[test]
fn typescript_cases_type_check_against_the_real_sdk() {
    let root = work_dir("typescript");
    let mut programs = write_programs(&root, &[Lang::TypeScript, Lang::Tsx], 7);
    programs.extend(write_example(&root, "broken-typescript", "index.ts"));
    programs.extend(write_corpus(&root, &[Lang::TypeScript, Lang::Tsx], 7));
    assert!(
        programs.iter().any(|p| p.variant == "output"),
        "no TypeScript case is type-checked: declare `typeCheck` in the codemods"
    );
    check_typescript(&root, &npm_sdk(7), &programs);
}

#[test]
fn typescript_cases_for_provider_6_type_check_against_the_real_sdk_6() {
    let root = work_dir("typescript-aws6");
    let mut programs = write_programs(&root, &[Lang::TypeScript, Lang::Tsx], 6);
    programs.extend(write_corpus(&root, &[Lang::TypeScript, Lang::Tsx], 6));
    assert!(
        programs
            .iter()
            .any(|p| p.variant == "output" || p.must_pass),
        "no TypeScript case for @pulumi/aws 6 is type-checked"
    );
    check_typescript(&root, &npm_sdk(6), &programs);
}

/// Runs tsc over the programs under `root` with the SDK installed in `sdk`.
fn check_typescript(root: &Path, sdk: &Path, programs: &[Program]) {
    link(&sdk.join("node_modules"), &root.join("node_modules"));
    std::fs::write(
        root.join("tsconfig.json"),
        r#"{
  "compilerOptions": {
    "strict": true,
    "noEmit": true,
    "target": "es2022",
    "module": "nodenext",
    "moduleResolution": "nodenext",
    "skipLibCheck": true,
    "jsx": "preserve",
    "types": []
  },
  "include": ["cases/**/*.ts", "cases/**/*.tsx"]
}
"#,
    )
    .unwrap();
    let output = Command::new("node")
        .arg(sdk.join("node_modules/typescript/bin/tsc"))
        .args(["-p", "tsconfig.json", "--pretty", "false"])
        .current_dir(root)
        .output()
        .expect("run tsc");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let mut errors: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for line in stdout.lines().filter(|l| l.contains("): error TS")) {
        let dir = case_dir(line).unwrap_or_else(|| line.to_owned());
        errors.entry(dir).or_default().push(line.to_owned());
    }
    if !output.status.success() && errors.is_empty() {
        panic!(
            "tsc failed without case errors:\n{stdout}\n{}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    assert_expected(programs, &errors, "tsc");
}

#[test]
fn python_cases_type_check_against_the_real_sdk() {
    let root = work_dir("python");
    let mut programs = write_programs(&root, &[Lang::Python], 7);
    programs.extend(write_example(&root, "broken-python", "__main__.py"));
    programs.extend(write_corpus(&root, &[Lang::Python], 7));
    assert!(
        programs.iter().any(|p| p.variant == "output"),
        "no Python case is type-checked: declare `typeCheck` in the codemods"
    );
    check_python(&root, &python_sdk(7), &programs);
}

#[test]
fn python_cases_for_provider_6_type_check_against_the_real_sdk_6() {
    let root = work_dir("python-aws6");
    let mut programs = write_programs(&root, &[Lang::Python], 6);
    programs.extend(write_corpus(&root, &[Lang::Python], 6));
    assert!(
        programs
            .iter()
            .any(|p| p.variant == "output" || p.must_pass),
        "no Python case for pulumi-aws 6 is type-checked"
    );
    check_python(&root, &python_sdk(6), &programs);
}

/// Runs pyright over the programs under `root` with the virtualenv of `sdk`.
fn check_python(root: &Path, sdk: &Path, programs: &[Program]) {
    // One execution environment per case, so each case's modules import each other.
    let environments: Vec<String> = programs
        .iter()
        .map(|p| format!("{{\"root\": \"{}\"}}", p.dir))
        .collect();
    std::fs::write(
        root.join("pyrightconfig.json"),
        format!(
            "{{\"include\": [\"cases\"], \"venvPath\": {}, \"venv\": \"venv\", \
             \"pythonVersion\": \"3.11\", \"typeCheckingMode\": \"basic\", \
             \"executionEnvironments\": [{}]}}",
            serde_json::Value::String(sdk.display().to_string()),
            environments.join(", ")
        ),
    )
    .unwrap();
    let output = Command::new(sdk.join("venv/bin/pyright"))
        .args(["--outputjson", "-p", "pyrightconfig.json"])
        .current_dir(root)
        .output()
        .expect("run pyright");
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
        panic!(
            "pyright printed no JSON ({e}):\n{}\n{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        )
    });
    let mut errors: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for diagnostic in report["generalDiagnostics"]
        .as_array()
        .expect("diagnostics")
    {
        if diagnostic["severity"] != "error" {
            continue;
        }
        let file = diagnostic["file"].as_str().unwrap_or_default();
        let line = diagnostic["range"]["start"]["line"].as_u64().unwrap_or(0) + 1;
        let message = format!(
            "{file}:{line}: {}",
            diagnostic["message"].as_str().unwrap_or_default()
        );
        let dir = case_dir(file).unwrap_or_else(|| file.to_owned());
        errors.entry(dir).or_default().push(message);
    }
    assert_expected(programs, &errors, "pyright");
}

/// A symbolic link `at` → `to` (replacing an old one).
fn link(to: &Path, at: &Path) {
    let _ = std::fs::remove_file(at);
    std::os::unix::fs::symlink(to, at).unwrap_or_else(|e| panic!("link {}: {e}", at.display()));
}
