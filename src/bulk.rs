//! Runs over many repositories: units in parallel (`--jobs`), each exactly as in a single run,
//! their output printed in list order, an indicatif progress display on a terminal (a line per
//! repository otherwise, nothing with `--quiet`), then the summary table and `--report` JSON.

use crate::args::WalkArgs;
use crate::summary::{ProjectReport, RepoReport, Report, Severities, Status};
use crate::units::{Unit, parse_shard, read_repo_list, shard, units};
use crate::{ExitStatus, Io};
use anyhow::Context;
use clap::Args;
use iacfix_apply::{FileKind, Project, RunReport, display_path};
use iacfix_core::{Applicability, Engine, Finding};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::collections::{BTreeMap, BTreeSet, HashMap};

use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// Options of runs over many repositories.
#[derive(Debug, Args, Default, Clone)]
pub struct BulkArgs {
    /// Also process the repositories listed in FILE (one path per line; blank lines and `#`
    /// comments ignored; relative to the current directory).
    #[arg(long, value_name = "FILE")]
    pub repos: Option<PathBuf>,
    /// Process only shard K of N of the repository list (a stable hash of each path decides), so
    /// N CI jobs cover every repository once.
    #[arg(long, value_name = "K/N")]
    pub shard: Option<String>,
    /// Write the run's report as JSON (schema: docs/report.schema.json).
    #[arg(long, value_name = "FILE")]
    pub report: Option<PathBuf>,
    /// No progress display and no per-repository output: the summary table and errors only.
    #[arg(long, short = 'q')]
    pub quiet: bool,
}

/// A unit's result: its exit status and its report row.
pub struct UnitOutcome {
    pub exit: ExitStatus,
    pub report: RepoReport,
}

/// The row of a unit whose settings could not be resolved (e.g. a bad `iacfix.toml`): the
/// error is printed, the run goes on with the other units.
pub fn failed(unit: &Unit, error: &anyhow::Error, io: &mut Io<'_>) -> UnitOutcome {
    crate::print_error(io.err, error);
    UnitOutcome::not_processed(
        unit,
        Status::Failed,
        error.to_string(),
        ExitStatus::Error,
        Instant::now(),
    )
}

impl UnitOutcome {
    /// A unit that was not processed, and the exit status that says so.
    pub fn not_processed(
        unit: &Unit,
        status: Status,
        reason: String,
        exit: ExitStatus,
        started: Instant,
    ) -> Self {
        UnitOutcome {
            exit,
            report: RepoReport {
                index: unit.index,
                repo: unit.label.clone(),
                status,
                reason: Some(reason),
                projects: Vec::new(),
                findings: Severities::default(),
                fixed: 0,
                remaining: 0,
                manual: 0,
                codemods: Vec::new(),
                files_changed: 0,
                commits: 0,
                errors: 0,
                elapsed_ms: elapsed_ms(started),
            },
        }
    }
}

pub fn elapsed_ms(started: Instant) -> u64 {
    u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX)
}

/// The units of a command line: its paths and `--repos` list, grouped by repository, sharded.
/// The second value says whether this is a bulk run (several units, or a bulk option given).
pub fn plan(walk: &WalkArgs, bulk: &BulkArgs) -> anyhow::Result<(Vec<Unit>, bool)> {
    let mut paths: Vec<(PathBuf, bool)> = walk.paths.iter().map(|p| (p.clone(), false)).collect();
    if let Some(file) = &bulk.repos {
        paths.extend(read_repo_list(file)?.into_iter().map(|p| (p, true)));
    }
    if paths.is_empty() {
        paths.push((PathBuf::from("."), false));
    }
    let mut all = units(&paths);
    let is_bulk =
        all.len() > 1 || bulk.repos.is_some() || bulk.shard.is_some() || bulk.report.is_some();
    if let Some(text) = &bulk.shard {
        all = shard(all, parse_shard(text)?);
    }
    Ok((all, is_bulk))
}

/// The Pulumi projects under a unit's paths.
pub fn projects(unit: &Unit) -> Vec<Project> {
    let mut projects: Vec<Project> = unit
        .paths
        .iter()
        .flat_map(|p| iacfix_apply::projects_under(p))
        .collect();
    projects.sort_by(|a, b| a.root.cmp(&b.root));
    projects.dedup_by(|a, b| a.root == b.root);
    projects
}

/// Whether a finding is left for a human: its codemod is manual, or its rule has no fix.
fn is_manual(engine: &Engine, finding: &Finding) -> bool {
    finding.fix.is_none()
        || engine.codemods()[finding.codemod].meta.applicability == Applicability::Manual
}

/// A unit's report row from its run: findings (as found) by severity, fixes, what remains, and
/// the same per project.
pub fn row(
    unit: &Unit,
    engine: &Engine,
    run: &RunReport,
    projects: &[Project],
    started: Instant,
) -> RepoReport {
    let canonical = |p: &Path| std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf());
    let mut project_rows: Vec<ProjectReport> = projects
        .iter()
        .map(|p| ProjectReport {
            path: display_path(&p.root),
            name: p.name.clone(),
            runtime: p.runtime.clone(),
            main: p.main.clone(),
            stacks: p.stacks.clone(),
            findings: Severities::default(),
            fixed: 0,
            files_changed: 0,
            manual: 0,
        })
        .collect();
    let roots: Vec<PathBuf> = projects.iter().map(|p| canonical(&p.root)).collect();
    let mut repo = RepoReport {
        index: unit.index,
        repo: unit.label.clone(),
        status: Status::Clean,
        reason: None,
        projects: Vec::new(),
        findings: Severities::default(),
        fixed: 0,
        remaining: 0,
        manual: 0,
        codemods: Vec::new(),
        files_changed: 0,
        commits: 0,
        errors: 0,
        elapsed_ms: 0,
    };
    let mut codemods = BTreeSet::new();
    // The project of each program root, found once per root (not once per file and project:
    // a canonical path costs a system call per component).
    let mut project_of: HashMap<&Path, Option<usize>> = HashMap::new();
    for file in &run.files {
        let project = file.program.as_deref().and_then(|root| {
            *project_of.entry(root).or_insert_with(|| {
                let root = canonical(root);
                roots.iter().position(|r| *r == root)
            })
        });
        let (found, remaining, fixed, changed): (&[Finding], &[Finding], usize, bool) =
            match &file.kind {
                FileKind::Checked { findings, .. } => (findings, findings, 0, false),
                FileKind::Fixed { outcome, .. } => {
                    for step in &outcome.steps {
                        codemods.insert(step.codemod);
                    }
                    (
                        &outcome.findings,
                        &outcome.remaining,
                        outcome.steps.iter().map(|s| s.fixes).sum(),
                        !outcome.steps.is_empty(),
                    )
                }
                FileKind::Failed(_) => {
                    repo.errors += 1;
                    continue;
                }
                FileKind::Skipped(_) => continue,
            };
        let manual = remaining.iter().filter(|f| is_manual(engine, f)).count();
        for finding in found {
            let severity = engine.codemods()[finding.codemod].meta.severity;
            repo.findings.add(severity);
            if let Some(p) = project {
                project_rows[p].findings.add(severity);
            }
        }
        repo.fixed += fixed;
        repo.remaining += remaining.len();
        repo.manual += manual;
        repo.files_changed += usize::from(changed);
        if let Some(p) = project {
            project_rows[p].fixed += fixed;
            project_rows[p].manual += manual;
            project_rows[p].files_changed += usize::from(changed);
        }
    }
    repo.files_changed += run.manifests.len();
    repo.errors += run.errors.len();
    repo.codemods = codemods
        .into_iter()
        .map(|c| engine.codemods()[c].meta.id.clone())
        .collect();
    repo.projects = project_rows;
    repo.status = if run.files_checked == 0
        && let Some(error) = run.errors.first()
    {
        // Nothing could be read: the repository failed (unreadable).
        repo.reason = Some(format!("{}: {}", error.path, error.message));
        Status::Failed
    } else if repo.files_changed > 0 {
        Status::Changed
    } else if repo.remaining > 0 {
        Status::Findings
    } else {
        Status::Clean
    };
    repo.elapsed_ms = elapsed_ms(started);
    repo
}

/// Runs `per_unit` over the units in parallel and reports.
pub fn run<F>(
    command: &str,
    units: Vec<Unit>,
    bulk: &BulkArgs,
    jobs: usize,
    io: &mut Io<'_>,
    per_unit: F,
) -> anyhow::Result<ExitStatus>
where
    F: Fn(&Unit, &mut Io<'_>) -> UnitOutcome + Sync,
{
    let total = units.len();
    let threads = if jobs == 0 {
        std::thread::available_parallelism().map_or(1, |n| n.get())
    } else {
        jobs
    }
    .min(total)
    .max(1);
    let next = AtomicUsize::new(0);
    let running: Mutex<BTreeMap<usize, String>> = Mutex::new(BTreeMap::new());
    let progress = if bulk.quiet || !io.err_is_terminal {
        None
    } else {
        let bar = ProgressBar::with_draw_target(Some(total as u64), ProgressDrawTarget::stderr());
        bar.set_style(
            ProgressStyle::with_template(
                "{spinner} [{bar:30}] {pos}/{len} repos · {eta} left · {wide_msg}",
            )
            .expect("a valid template")
            .progress_chars("=> "),
        );
        bar.enable_steady_tick(Duration::from_millis(120));
        Some(bar)
    };
    let mut reports = Vec::with_capacity(total);
    let mut exit = ExitStatus::Success;
    let mut failure: anyhow::Result<()> = Ok(());
    std::thread::scope(|scope| {
        let (sender, receiver) = std::sync::mpsc::channel();
        for _ in 0..threads {
            let sender = sender.clone();
            let (units, next, running, per_unit) = (&units, &next, &running, &per_unit);
            scope.spawn(move || {
                loop {
                    let position = next.fetch_add(1, Ordering::Relaxed);
                    let Some(unit) = units.get(position) else {
                        break;
                    };
                    running.lock().unwrap().insert(position, unit.label.clone());
                    let (mut out, mut err) = (Vec::new(), Vec::new());
                    let mut input = std::io::empty();
                    let outcome = per_unit(
                        unit,
                        &mut Io {
                            out: &mut out,
                            err: &mut err,
                            input: &mut input,
                            out_is_terminal: false,
                            err_is_terminal: false,
                        },
                    );
                    running.lock().unwrap().remove(&position);
                    if sender.send((position, out, err, outcome)).is_err() {
                        break;
                    }
                }
            });
        }
        drop(sender);
        // In list order, whatever order the units finish in.
        let mut finished = BTreeMap::new();
        let mut printed = 0;
        let mut done = 0;
        for (position, out, err, outcome) in receiver {
            done += 1;
            let line = status_line(done, total, &outcome.report);
            match &progress {
                Some(bar) => {
                    bar.inc(1);
                    let names: Vec<String> = running.lock().unwrap().values().cloned().collect();
                    bar.set_message(names.join(", "));
                }
                None if !bulk.quiet => {
                    let _ = writeln!(io.err, "{line}");
                }
                None => {}
            }
            finished.insert(position, (out, err, outcome));
            while let Some((out, err, outcome)) = finished.remove(&printed) {
                printed += 1;
                let write = |io: &mut Io<'_>| -> std::io::Result<()> {
                    if !bulk.quiet && !out.is_empty() {
                        writeln!(io.out, "== {}", outcome.report.repo)?;
                        io.out.write_all(&out)?;
                    }
                    io.err.write_all(&err)
                };
                let result = match &progress {
                    Some(bar) => bar.suspend(|| write(io)),
                    None => write(io),
                };
                if let Err(error) = result
                    && failure.is_ok()
                {
                    failure = Err(error.into());
                }
                exit = exit.max(outcome.exit);
                reports.push(outcome.report);
            }
        }
    });
    if let Some(bar) = progress {
        bar.finish_and_clear();
    }
    failure?;
    let report = Report::new(command, bulk.shard.clone(), reports);
    if !bulk.quiet {
        writeln!(io.out)?;
    }
    io.out.write_all(report.table().as_bytes())?;
    if let Some(path) = &bulk.report {
        let mut json = serde_json::to_string_pretty(&report).expect("a report serialises");
        json.push('\n');
        std::fs::write(path, json)
            .with_context(|| format!("cannot write the report to {}", path.display()))?;
    }
    Ok(exit)
}

fn status_line(done: usize, total: usize, report: &RepoReport) -> String {
    let detail = match (&report.reason, report.status) {
        (Some(reason), _) => format!(" ({reason})"),
        (None, Status::Changed) => format!(
            " ({} fixed, {} files{})",
            report.fixed,
            report.files_changed,
            if report.commits > 0 {
                format!(", {} commits", report.commits)
            } else {
                String::new()
            }
        ),
        (None, Status::Findings) => format!(" ({} findings)", report.remaining),
        _ => String::new(),
    };
    format!(
        "[{done}/{total}] {}: {}{detail}",
        report.repo,
        report.status.name()
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use iacfix_apply::PathError;

    #[test]
    fn a_repository_nothing_could_be_read_of_failed() {
        let unit = Unit {
            index: 3,
            label: "repos/locked".into(),
            paths: vec![PathBuf::from("repos/locked")],
        };
        let engine = Engine::new(Vec::new());
        let run = RunReport {
            errors: vec![PathError {
                path: "repos/locked".into(),
                message: "permission denied".into(),
            }],
            ..RunReport::default()
        };
        let failed = row(&unit, &engine, &run, &[], Instant::now());
        assert_eq!(failed.status, Status::Failed);
        assert_eq!(
            failed.reason.as_deref(),
            Some("repos/locked: permission denied")
        );
        assert_eq!((failed.index, failed.errors), (3, 1));
        // Something was read: the errors are counted, the status is the run's.
        let run = RunReport {
            files_checked: 2,
            ..run
        };
        assert_eq!(
            row(&unit, &engine, &run, &[], Instant::now()).status,
            Status::Clean
        );
    }
}
