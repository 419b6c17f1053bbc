//! `cargo xtask bench [--runs N] [--min-files N] [--min-mb N]`: how fast `iacfix check` scans a
//! large tree of real-shaped code, against the ast-grep CLI with the same rules, in one run.
//!
//! The corpus is built from what the repository commits: the correct Pulumi programs of
//! `tests/corpus/`, the broken ones of `tests/examples/`, every case input of the built-in
//! codemods (programs with the catalogue's failures) and the application code of
//! `tests/bench/app/` (Lambda handlers, tests, an API: no Pulumi), copied under
//! `target/bench/scan/` until it holds at least 5,000 source files and 40 MB.
//!
//! Measured, interleaved (one round runs every variant once, in order) and reported as the
//! median of `--runs` rounds (5 by default): `iacfix check` with the whole catalogue; with the
//! four named codemods; the ast-grep CLI (`@ast-grep/cli` from npm, installed into
//! `target/bench/ast-grep/`) with the four codemods' rules written in its YAML (their ast-grep
//! part: iacfix's conditions and effects have no ast-grep equivalent); reading every file only;
//! reading and parsing every file only. Then `iacfix apply` against `iacfix check` on a copy
//! of the tree where few files change. Wall time, CPU time (user + system, of the child
//! only), files per second and peak resident memory.

use crate::bench::wait_with_usage;
use crate::project_root;
use anyhow::{Context, bail};
use iacfix_core::Lang;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

/// The ast-grep CLI compared against (npm `@ast-grep/cli`), the ast-grep version iacfix uses.
const AST_GREP: &str = "0.51.1";
/// The four codemods named in the product brief.
const NAMED: &[&str] = &[
    "s3-bucket-replication-config",
    "route53-reserved-domain",
    "hardcoded-db-password",
    "vpc-flow-logs",
];

struct Args {
    runs: usize,
    min_files: usize,
    min_bytes: u64,
}

pub fn run(args: &[&str]) -> anyhow::Result<()> {
    let mut parsed = Args {
        runs: 5,
        min_files: 5_000,
        min_bytes: 40 * 1024 * 1024,
    };
    let mut rest = args.iter();
    while let Some(arg) = rest.next() {
        let value = rest.next().context("a value after each flag")?;
        match *arg {
            "--runs" => parsed.runs = value.parse()?,
            "--min-files" => parsed.min_files = value.parse()?,
            "--min-mb" => parsed.min_bytes = value.parse::<u64>()? * 1024 * 1024,
            _ => bail!(
                "usage: cargo xtask bench [--runs N] [--min-files N] [--min-mb N] | bench bulk [N ...]"
            ),
        }
    }
    let root = project_root();
    let status = Command::new(env!("CARGO"))
        .args([
            "build",
            "--release",
            "--quiet",
            "--bin",
            "iacfix",
            "--bin",
            "xtask",
            "-p",
            "iacfix",
            "-p",
            "xtask",
        ])
        .current_dir(&root)
        .status()?;
    if !status.success() {
        bail!("cargo build --release failed");
    }
    let iacfix = root.join("target/release/iacfix");
    let probe = root.join("target/release/xtask");
    let work = root.join("target/bench");
    let ast_grep = install_ast_grep(&work.join("ast-grep"))?;
    let rules = write_ast_grep_rules(&work.join("ast-grep-rules"))?;

    let corpus = work.join("scan");
    let (files, bytes) = build_corpus(&corpus, parsed.min_files, parsed.min_bytes, true)?;
    eprintln!(
        "corpus: {files} source files, {:.1} MB in {}",
        bytes as f64 / 1e6,
        corpus.display()
    );
    let named = NAMED.join(",");
    let corpus_arg = corpus.to_str().context("a UTF-8 path")?.to_owned();
    let variants: Vec<(&str, Vec<String>, PathBuf)> = vec![
        (
            "iacfix check, whole catalogue",
            args_of(&["check", "--quiet", "--isolated", &corpus_arg]),
            iacfix.clone(),
        ),
        (
            "iacfix check, 4 named codemods",
            args_of(&[
                "check",
                "--quiet",
                "--isolated",
                "--select",
                &named,
                &corpus_arg,
            ]),
            iacfix.clone(),
        ),
        (
            "ast-grep scan, the same 4 codemods' rules",
            args_of(&[
                "scan",
                "--config",
                rules.to_str().context("a UTF-8 path")?,
                "--report-style",
                "short",
                &corpus_arg,
            ]),
            ast_grep.clone(),
        ),
        (
            "read every file",
            args_of(&["bench-probe", "read", &corpus_arg]),
            probe.clone(),
        ),
        (
            "read and parse every file",
            args_of(&["bench-probe", "parse", &corpus_arg]),
            probe.clone(),
        ),
    ];
    let mut samples: Vec<Vec<Sample>> = variants.iter().map(|_| Vec::new()).collect();
    for round in 0..parsed.runs {
        for (i, (name, args, program)) in variants.iter().enumerate() {
            let sample = time(program, args, None)?;
            eprintln!(
                "round {}/{}: {name}: {:.2} s wall, {:.2} s CPU, {:.1} MB",
                round + 1,
                parsed.runs,
                sample.wall,
                sample.cpu,
                sample.rss_mb
            );
            samples[i].push(sample);
        }
    }
    let medians: Vec<Sample> = samples.iter().map(|s| median(s)).collect();
    println!(
        "Corpus: {files} source files, {:.1} MB (median of {} interleaved runs, {} threads)\n",
        bytes as f64 / 1e6,
        parsed.runs,
        std::thread::available_parallelism().map_or(1, usize::from)
    );
    println!("| run | wall (s) | CPU (s) | files/s | peak RSS (MB) |");
    println!("|---|---:|---:|---:|---:|");
    for ((name, ..), m) in variants.iter().zip(&medians) {
        println!(
            "| {name} | {:.2} | {:.2} | {:.0} | {:.1} |",
            m.wall,
            m.cpu,
            files as f64 / m.wall,
            m.rss_mb
        );
    }
    let ratio = |a: &Sample, b: &Sample| (a.wall / b.wall, a.cpu / b.cpu);
    let (wall, cpu) = ratio(&medians[1], &medians[2]);
    println!(
        "\niacfix / ast-grep, same rules: {wall:.2} wall, {cpu:.2} CPU (goal: at most 0.5; stretch 0.33)"
    );
    let (wall, cpu) = ratio(&medians[0], &medians[1]);
    println!("whole catalogue / 4 codemods: {wall:.2} wall, {cpu:.2} CPU (goal: at most 1.3)");
    let peak = medians[0].rss_mb.max(medians[1].rss_mb);
    println!("iacfix peak RSS: {peak:.1} MB (goal: at most 64)");

    // `apply` where few files change: the tree without the catalogue's failures, but for the
    // bundled examples once.
    let clean = work.join("scan-clean");
    let (clean_files, _) = build_corpus(&clean, parsed.min_files, parsed.min_bytes, false)?;
    let clean_arg = clean.to_str().context("a UTF-8 path")?.to_owned();
    // `apply` as users run it: in a git repository of its own, whose clean tree it checks.
    // Each round restores the files the previous one fixed (not timed).
    let copy = work.join("scan-apply");
    let _ = std::fs::remove_dir_all(&copy);
    link_tree(&clean, &copy)?;
    git(&copy, &["init", "--quiet"])?;
    git(&copy, &["add", "--all"])?;
    git(
        &copy,
        &["commit", "--quiet", "--no-gpg-sign", "-m", "bench"],
    )?;
    let copy_arg = copy.to_str().context("a UTF-8 path")?.to_owned();
    let mut check_samples = Vec::new();
    let mut apply_samples = Vec::new();
    for _ in 0..parsed.runs {
        check_samples.push(time(
            &iacfix,
            &args_of(&["check", "--quiet", "--isolated", &clean_arg]),
            None,
        )?);
        git(&copy, &["checkout", "--quiet", "--", "."])?;
        apply_samples.push(time(
            &iacfix,
            &args_of(&["apply", "--quiet", "--isolated", &copy_arg]),
            None,
        )?);
    }
    let (check, apply) = (median(&check_samples), median(&apply_samples));
    println!(
        "\nFew files changing ({clean_files} files): check {:.2} s, apply {:.2} s wall; apply / check: {:.2} (goal: at most 1.2)",
        check.wall,
        apply.wall,
        apply.wall / check.wall
    );
    Ok(())
}

/// `git ARGS` in `dir`, with an identity of its own (the machine may have none).
fn git(dir: &Path, args: &[&str]) -> anyhow::Result<()> {
    let status = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args([
            "-c",
            "user.name=iacfix bench",
            "-c",
            "user.email=bench@iacfix.invalid",
        ])
        .args(args)
        .stdout(Stdio::null())
        .status()
        .context("running git")?;
    if !status.success() {
        bail!(
            "git {} in {} failed: {status}",
            args.join(" "),
            dir.display()
        );
    }
    Ok(())
}

fn args_of(args: &[&str]) -> Vec<String> {
    args.iter().map(|a| (*a).to_owned()).collect()
}

/// One measured run.
#[derive(Clone, Copy)]
struct Sample {
    wall: f64,
    cpu: f64,
    rss_mb: f64,
}

fn median(samples: &[Sample]) -> Sample {
    let pick = |key: fn(&Sample) -> f64| {
        let mut values: Vec<f64> = samples.iter().map(key).collect();
        values.sort_by(f64::total_cmp);
        values[values.len() / 2]
    };
    Sample {
        wall: pick(|s| s.wall),
        cpu: pick(|s| s.cpu),
        rss_mb: pick(|s| s.rss_mb),
    }
}

/// Runs `program` with `args` (output discarded), measuring it; exit statuses 0 and 1
/// (findings) are successes.
fn time(program: &Path, args: &[String], dir: Option<&Path>) -> anyhow::Result<Sample> {
    // Its error output kept in a file, to show when it fails.
    let stderr_path =
        std::env::temp_dir().join(format!("iacfix-bench-{}.stderr", std::process::id()));
    let usage_path =
        std::env::temp_dir().join(format!("iacfix-bench-{}.usage", std::process::id()));
    // Through `xtask bench-exec`, a fresh small process: Linux counts the memory of the process
    // a child is forked from in the child's peak RSS (`ru_maxrss`), and this one holds the
    // corpus list and the catalogue.
    let mut command = Command::new(project_root().join("target/release/xtask"));
    command
        .arg("bench-exec")
        .arg(&usage_path)
        .arg(program)
        .args(args)
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(&stderr_path)?);
    if let Some(dir) = dir {
        command.current_dir(dir);
    }
    let started = Instant::now();
    let status = command
        .status()
        .with_context(|| format!("cannot start {}", program.display()))?;
    let wall = started.elapsed().as_secs_f64();
    let stderr = std::fs::read_to_string(&stderr_path).unwrap_or_default();
    let _ = std::fs::remove_file(&stderr_path);
    let usage = std::fs::read_to_string(&usage_path).unwrap_or_default();
    let _ = std::fs::remove_file(&usage_path);
    let fields: Vec<f64> = usage
        .split_whitespace()
        .filter_map(|f| f.parse().ok())
        .collect();
    let [code, cpu, rss_mb] = fields[..] else {
        bail!(
            "{} {args:?} was not measured ({status}):\n{stderr}",
            program.display()
        );
    };
    if !(0.0..=1.0).contains(&code) {
        bail!("{} {args:?} exited {code}:\n{stderr}", program.display());
    }
    Ok(Sample { wall, cpu, rss_mb })
}

/// `xtask bench-exec USAGE_FILE PROGRAM ARGS...`: runs the program (standard output discarded,
/// errors passed on) and writes its exit code, CPU seconds (user + system) and peak RSS (MB)
/// to USAGE_FILE.
pub fn exec(usage_file: &str, program: &str, args: &[&str]) -> anyhow::Result<()> {
    let child = Command::new(program)
        .args(args)
        .stdout(Stdio::null())
        .spawn()
        .with_context(|| format!("cannot start {program}"))?;
    let (code, (cpu, rss_mb)) = wait_with_usage(child.id())?;
    std::fs::write(usage_file, format!("{code} {cpu} {rss_mb}\n"))?;
    Ok(())
}

/// `npm install`s the ast-grep CLI into `dir` (once) and returns its binary.
fn install_ast_grep(dir: &Path) -> anyhow::Result<PathBuf> {
    let binary = dir.join("node_modules/.bin/ast-grep");
    let marker = dir.join(format!(".installed-{AST_GREP}"));
    if marker.exists() && binary.exists() {
        return Ok(binary);
    }
    std::fs::create_dir_all(dir)?;
    eprintln!("installing @ast-grep/cli {AST_GREP} into {}", dir.display());
    let status = Command::new("npm")
        .args([
            "install",
            "--no-audit",
            "--no-fund",
            "--loglevel=error",
            "--prefix",
        ])
        .arg(dir)
        .arg(format!("@ast-grep/cli@{AST_GREP}"))
        .status()
        .context("npm is needed to install the ast-grep CLI")?;
    if !status.success() || !binary.exists() {
        bail!("installing @ast-grep/cli {AST_GREP} failed");
    }
    std::fs::write(marker, "")?;
    Ok(binary)
}

/// Writes the ast-grep rules of the named codemods (one rule file per rule and language, with
/// their `rule`, `constraints`, `utils` and `transform`) and an `sgconfig.yml`; returns its
/// path.
fn write_ast_grep_rules(dir: &Path) -> anyhow::Result<PathBuf> {
    let _ = std::fs::remove_dir_all(dir);
    let rules_dir = dir.join("rules");
    std::fs::create_dir_all(&rules_dir)?;
    for id in NAMED {
        let source = iacfix_catalog::builtin_source(id).context("a built-in codemod")?;
        let spec: serde_json::Value = serde_saphyr::from_str(&with_option_defaults(source)?)
            .with_context(|| format!("reading {id}"))?;
        let rules = spec["rules"].as_array().context("rules")?;
        for (index, rule) in rules.iter().enumerate() {
            for language in rule["languages"].as_array().context("languages")? {
                let language = match language.as_str() {
                    Some("typescript") => "TypeScript",
                    Some("tsx") => "Tsx",
                    Some("javascript") => "JavaScript",
                    Some("python") => "Python",
                    _ => continue,
                };
                let mut out = serde_json::Map::new();
                out.insert("id".into(), format!("{id}-{index}-{language}").into());
                out.insert("language".into(), language.into());
                out.insert("severity".into(), "warning".into());
                out.insert("message".into(), id.to_string().into());
                for key in ["rule", "constraints", "utils", "transform"] {
                    if let Some(value) = rule.get(key) {
                        out.insert(key.into(), value.clone());
                    }
                }
                // JSON is YAML: ast-grep reads it as is.
                std::fs::write(
                    rules_dir.join(format!("{id}-{index}-{language}.yml")),
                    serde_json::to_string_pretty(&out)?,
                )?;
            }
        }
    }
    let config = dir.join("sgconfig.yml");
    std::fs::write(&config, "ruleDirs:\n  - rules\n")?;
    Ok(config)
}

/// A codemod's text with its `{{option}}`s replaced by their defaults.
fn with_option_defaults(source: &str) -> anyhow::Result<String> {
    let spec: serde_json::Value = serde_saphyr::from_str(source)?;
    let mut text = source.to_owned();
    if let Some(options) = spec.get("options").and_then(|o| o.as_object()) {
        for (name, option) in options {
            if let Some(default) = option["default"].as_str() {
                text = text.replace(&format!("{{{{{name}}}}}"), default);
            }
        }
    }
    Ok(text)
}

/// The files every copy of the corpus holds: path inside a copy, and text.
fn base_files(with_failures: bool) -> anyhow::Result<Vec<(PathBuf, String)>> {
    let root = project_root();
    let mut files = Vec::new();
    let mut add_tree = |dir: &str, prefix: &str| -> anyhow::Result<()> {
        let base = root.join(dir);
        for entry in walk_files(&base)? {
            let relative = entry.strip_prefix(&base)?;
            files.push((
                Path::new(prefix).join(relative),
                std::fs::read_to_string(&entry)?,
            ));
        }
        Ok(())
    };
    add_tree("tests/corpus", "corpus")?;
    add_tree("tests/bench/app", "app")?;
    if with_failures {
        add_tree("tests/examples", "examples")?;
        for loaded in iacfix_catalog::load_builtin().map_err(|e| anyhow::anyhow!("{e}"))? {
            for (index, case) in loaded.cases.iter().enumerate() {
                let dir = Path::new("cases")
                    .join(&loaded.codemod.meta.id)
                    .join(format!("{index:02}"));
                files.push((dir.join(&case.path), case.input.clone()));
                for (path, file) in &case.files {
                    files.push((dir.join(path), file.input.clone()));
                }
            }
        }
    }
    Ok(files)
}

/// Writes copies of the base files under `dir` until it holds `min_files` source files and
/// `min_bytes` of source; returns how many source files and bytes it holds. The bundled
/// examples (failures) are in every copy only `with_failures`; without, once.
fn build_corpus(
    dir: &Path,
    min_files: usize,
    min_bytes: u64,
    with_failures: bool,
) -> anyhow::Result<(usize, u64)> {
    let base = base_files(with_failures)?;
    let is_source = |path: &Path| {
        path.file_name()
            .and_then(|n| n.to_str())
            .and_then(Lang::from_file_name)
            .is_some()
    };
    let (mut files, mut bytes) = (0usize, 0u64);
    for (path, text) in &base {
        if is_source(path) {
            files += 1;
            bytes += text.len() as u64;
        }
    }
    if files == 0 {
        bail!("no source files to build the corpus from");
    }
    let copies = (min_files.div_ceil(files)).max((min_bytes.div_ceil(bytes)) as usize);
    let _ = std::fs::remove_dir_all(dir);
    for copy in 0..copies {
        let target = dir.join(format!("copy-{copy:03}"));
        for (path, text) in &base {
            let path = target.join(path);
            std::fs::create_dir_all(path.parent().expect("a file in a directory"))?;
            std::fs::write(path, text)?;
        }
    }
    if !with_failures {
        // A few files to change: the bundled examples, once.
        let examples = project_root().join("tests/examples");
        for entry in walk_files(&examples)? {
            let target = dir.join("examples").join(entry.strip_prefix(&examples)?);
            std::fs::create_dir_all(target.parent().expect("a file in a directory"))?;
            std::fs::copy(&entry, target)?;
        }
    }
    Ok((files * copies, bytes * copies as u64))
}

/// Every file under `dir`, sorted.
fn walk_files(dir: &Path) -> anyhow::Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_owned()];
    while let Some(current) = stack.pop() {
        for entry in
            std::fs::read_dir(&current).with_context(|| format!("reading {}", current.display()))?
        {
            let path = entry?.path();
            if path.is_dir() {
                stack.push(path);
            } else {
                out.push(path);
            }
        }
    }
    out.sort();
    Ok(out)
}

/// A copy of `from` at `to` made of hard links (apply writes by renaming a new file over the
/// old one, so the source tree is not changed).
fn link_tree(from: &Path, to: &Path) -> anyhow::Result<()> {
    for file in walk_files(from)? {
        let target = to.join(file.strip_prefix(from)?);
        std::fs::create_dir_all(target.parent().expect("a file in a directory"))?;
        std::fs::hard_link(&file, &target)?;
    }
    Ok(())
}

/// `xtask bench-probe read|parse DIR`: reads (and parses) every source file under DIR the way
/// iacfix walks (`.gitignore`, default excludes, both cores), for the baseline rows.
pub fn probe(mode: &str, dir: &str) -> anyhow::Result<()> {
    let parse = match mode {
        "read" => false,
        "parse" => true,
        _ => bail!("usage: xtask bench-probe read|parse DIR"),
    };
    let total = std::sync::atomic::AtomicUsize::new(0);
    let walk = iacfix_apply::source_walk(Path::new(dir)).build_parallel();
    walk.run(|| {
        let total = &total;
        Box::new(move |entry| {
            let Ok(entry) = entry else {
                return ignore::WalkState::Continue;
            };
            let Some(lang) = entry.file_name().to_str().and_then(Lang::from_file_name) else {
                return ignore::WalkState::Continue;
            };
            if let Ok(text) = std::fs::read_to_string(entry.path()) {
                let size = if parse {
                    use ast_grep_core::tree_sitter::LanguageExt;
                    let root = lang.support_lang().ast_grep(&text);
                    usize::from(root.root().kind_id())
                } else {
                    text.len()
                };
                total.fetch_add(size, std::sync::atomic::Ordering::Relaxed);
            }
            ignore::WalkState::Continue
        })
    });
    println!("{}", total.into_inner());
    Ok(())
}
