//! `iacfix test`: run codemods' test cases and compare their snapshots.

use crate::report::plural;
use crate::{ExitStatus, Io};
use anyhow::{Context, bail};
use clap::Args;
use iacfix_catalog::testing::{self, CodemodOutcome, snapshot_contents, snapshots_match};
use iacfix_catalog::{LoadedCodemod, builtin_snapshot, load_builtin, load_dir};
use std::path::{Path, PathBuf};

/// Arguments of `iacfix test`.
#[derive(Debug, Args)]
pub struct TestArgs {
    /// Test the codemods of this directory (`<id>.yaml` files) instead of the built-in catalogue.
    #[arg(long = "codemods", value_name = "DIR")]
    pub dir: Option<PathBuf>,
    /// Where the directory's snapshots are [default: `snapshots` beside DIR].
    #[arg(long, value_name = "DIR", requires = "dir")]
    pub snapshots: Option<PathBuf>,
    /// Write new and changed snapshots (and delete orphaned ones) instead of failing on them.
    #[arg(long, requires = "dir")]
    pub update: bool,
    /// Test only these codemods (comma-separated ids).
    #[arg(long, value_delimiter = ',', value_name = "ID,...")]
    pub select: Vec<String>,
}

/// Where a codemod's reviewed snapshot comes from.
enum Snapshots {
    /// Embedded in the binary with the built-in catalogue.
    Builtin,
    Dir(PathBuf),
}

pub fn run(args: &TestArgs, io: &mut Io<'_>) -> anyhow::Result<ExitStatus> {
    let (codemods, snapshots) = match &args.dir {
        None => (
            load_builtin().context("the built-in catalogue is invalid")?,
            Snapshots::Builtin,
        ),
        Some(dir) => {
            let codemods = load_dir(dir)
                .with_context(|| format!("the codemods in {} are invalid", dir.display()))?;
            let snapshots = args
                .snapshots
                .clone()
                .unwrap_or_else(|| dir.parent().unwrap_or(Path::new("")).join("snapshots"));
            (codemods, Snapshots::Dir(snapshots))
        }
    };
    for id in &args.select {
        if !codemods.iter().any(|c| c.codemod.meta.id == *id) {
            bail!("unknown codemod `{id}` in --select");
        }
    }
    // Every id of the directory, selected or not, owns its snapshot.
    let ids: Vec<String> = codemods.iter().map(|c| c.codemod.meta.id.clone()).collect();
    let selected: Vec<LoadedCodemod> = codemods
        .into_iter()
        .filter(|c| args.select.is_empty() || args.select.contains(&c.codemod.meta.id))
        .collect();
    let total = selected.len();
    let mut failed = 0;
    for loaded in selected {
        let outcome = testing::run_cases(loaded);
        let snapshot_problem = check_snapshot(&outcome, &snapshots, args.update)?;
        let cases = plural(outcome.cases.len(), "case", "cases");
        if outcome.passed() && snapshot_problem.is_none() {
            writeln!(io.out, "ok    {} ({cases})", outcome.meta.id)?;
            continue;
        }
        failed += 1;
        writeln!(io.out, "FAIL  {} ({cases})", outcome.meta.id)?;
        for missing in &outcome.coverage {
            writeln!(io.out, "  {}: {missing}", outcome.meta.origin)?;
        }
        for case in outcome.cases.iter().filter(|c| !c.failures.is_empty()) {
            for failure in &case.failures {
                writeln!(
                    io.out,
                    "  {}:{}: case `{}` ({}): {}",
                    outcome.meta.origin,
                    case.line,
                    case.name,
                    case.lang,
                    indent(failure)
                )?;
            }
        }
        if let Some(problem) = snapshot_problem {
            writeln!(io.out, "  {}", indent(&problem))?;
        }
    }
    if let Snapshots::Dir(dir) = &snapshots {
        failed += orphans(dir, &ids, args.update, io)?;
    }
    writeln!(
        io.out,
        "\n{}: {} passed, {} failed.",
        plural(total, "codemod", "codemods"),
        total.saturating_sub(failed),
        failed
    )?;
    Ok(if failed > 0 {
        ExitStatus::Failure
    } else {
        ExitStatus::Success
    })
}

/// Compares the rendered snapshot with the reviewed one; with `update`, writes it instead.
fn check_snapshot(
    outcome: &CodemodOutcome,
    snapshots: &Snapshots,
    update: bool,
) -> anyhow::Result<Option<String>> {
    let id = &outcome.meta.id;
    let (reviewed, location) = match snapshots {
        Snapshots::Builtin => (
            builtin_snapshot(id).map(str::to_owned),
            format!("snapshots/{id}.snap"),
        ),
        Snapshots::Dir(dir) => {
            let path = dir.join(format!("{id}.snap"));
            let text = match std::fs::read_to_string(&path) {
                Ok(text) => Some(text),
                Err(error) if error.kind() == std::io::ErrorKind::NotFound => None,
                Err(error) => {
                    return Err(error).with_context(|| format!("cannot read {}", path.display()));
                }
            };
            if update
                && text
                    .as_deref()
                    .is_none_or(|t| !snapshots_match(snapshot_contents(t), &outcome.snapshot))
            {
                std::fs::create_dir_all(dir)
                    .with_context(|| format!("cannot create {}", dir.display()))?;
                let file = testing::snapshot_file(&outcome.meta.origin, &outcome.snapshot);
                std::fs::write(&path, file)
                    .with_context(|| format!("cannot write {}", path.display()))?;
                return Ok(None);
            }
            (text, path.display().to_string())
        }
    };
    Ok(match reviewed {
        None => Some(format!(
            "no snapshot at {location}: review the output of the cases and accept it with \
             `iacfix test --codemods DIR --update`"
        )),
        Some(text) if !snapshots_match(snapshot_contents(&text), &outcome.snapshot) => {
            Some(format!(
                "the snapshot differs from {location} (- reviewed, + now); if the change is right, \
             accept it with --update:\n{}",
                testing::unified_diff(
                    &format!("{}\n", snapshot_contents(&text).trim_end()),
                    &format!("{}\n", outcome.snapshot.trim_end()),
                    "reviewed",
                    "now"
                )
            ))
        }
        Some(_) => None,
    })
}

/// Snapshots with no codemod: failures, or deleted with `update`. Returns how many failed.
fn orphans(dir: &Path, ids: &[String], update: bool, io: &mut Io<'_>) -> anyhow::Result<usize> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Ok(0);
    };
    let mut orphaned: Vec<PathBuf> = entries
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| {
            p.extension().is_some_and(|ext| ext == "snap")
                && p.file_stem()
                    .is_some_and(|stem| !ids.iter().any(|id| stem == id.as_str()))
        })
        .collect();
    orphaned.sort();
    let mut failed = 0;
    for path in orphaned {
        if update {
            std::fs::remove_file(&path)
                .with_context(|| format!("cannot delete {}", path.display()))?;
            writeln!(io.out, "deleted orphaned snapshot {}", path.display())?;
        } else {
            failed += 1;
            writeln!(
                io.out,
                "FAIL  {}: a snapshot with no codemod (delete it, or run with --update)",
                path.display()
            )?;
        }
    }
    Ok(failed)
}

fn indent(text: &str) -> String {
    text.trim_end().replace('\n', "\n    ")
}
