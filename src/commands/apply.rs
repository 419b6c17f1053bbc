//! `iacfix apply`: write the fixes, show them (`--dry-run`), write them as a patch (`--patch`),
//! or commit them, one commit per codemod (`--commit`, `--branch`).

use crate::args::{CatalogueArgs, OutputArgs, WalkArgs};
use crate::bulk::{self, BulkArgs, UnitOutcome};
use crate::config::ConfigArgs;
use crate::output::{self, Collect};
use crate::report::{self, Tally, plural};
use crate::review::{self, Answer, ColorChoice, Palette};
use crate::settings::{Resolver, Settings};
use crate::summary::Status;
use crate::units::Unit;
use crate::{ExitStatus, Io};
use anyhow::{Context, bail};
use clap::{Args, ValueEnum};
use iacfix_apply::git::{Repo, commit_message};
use iacfix_apply::patch::{PatchMessage, mbox};
use iacfix_apply::{
    Change, ChangePlan, FileKind, Mode, RunOptions, RunReport, WriteError, display_path, file_diff,
    write_changeset_until,
};
use iacfix_core::{Ecosystem, Engine, FixOptions};
use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

/// Arguments of `iacfix apply`.
#[derive(Debug, Args)]
pub struct ApplyArgs {
    #[command(flatten)]
    pub walk: WalkArgs,
    #[command(flatten)]
    pub catalogue: CatalogueArgs,
    /// Print the changes, grouped by codemod, as unified diffs, and write nothing.
    #[arg(long, visible_alias = "diff", conflicts_with_all = ["patch", "commit", "branch"])]
    pub dry_run: bool,
    /// Also apply unsafe fixes: they change deployed infrastructure (see `iacfix explain ID`).
    #[arg(long = "unsafe")]
    pub unsafe_fixes: bool,
    /// Ask, for each codemod and file, whether to apply the change.
    #[arg(long, short = 'i')]
    pub interactive: bool,
    /// Commit the changes: one commit per codemod, on the current branch.
    #[arg(long)]
    pub commit: bool,
    /// Commit the changes on this branch, created from HEAD and checked out (implies --commit).
    #[arg(long, value_name = "NAME")]
    pub branch: Option<String>,
    /// What to do when the --branch exists: refuse (the default), or reuse it.
    #[arg(long, value_enum, default_value_t = BranchExists::Refuse, requires = "branch")]
    pub branch_exists: BranchExists,
    /// The commits' author and committer, "Name <email>" [default: git config user.name/email].
    #[arg(long, value_name = "NAME <EMAIL>")]
    pub author: Option<String>,
    /// Write even if tracked files have uncommitted changes.
    #[arg(long)]
    pub allow_dirty: bool,
    /// Write the changes as a patch series (mbox, one patch per codemod, for `git am` or
    /// `git apply`) to FILE, or to standard output with `-`, instead of changing files.
    #[arg(long, value_name = "FILE", conflicts_with_all = ["commit", "branch"])]
    pub patch: Option<PathBuf>,
    /// When to colour the output.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
    #[command(flatten)]
    pub config: ConfigArgs,
    #[command(flatten)]
    pub output: OutputArgs,
    #[command(flatten)]
    pub bulk: BulkArgs,
}

/// What `--branch` does with an existing branch.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum BranchExists {
    Refuse,
    Reuse,
}

/// Set by Ctrl-C: the write in progress finishes, then the changeset is rolled back.
static INTERRUPTED: AtomicBool = AtomicBool::new(false);

pub fn run(args: &ApplyArgs, io: &mut Io<'_>) -> anyhow::Result<ExitStatus> {
    args.output.validate()?;
    let (units, is_bulk) = bulk::plan(&args.walk, &args.bulk)?;
    let machine = !args.output.format.is_human();
    if machine {
        let format = args.output.format.name();
        if is_bulk {
            bail!(
                "--format {format} describes a run over one repository: for many, use --report \
                 FILE.json"
            );
        }
        if args.interactive {
            bail!("--interactive asks on the terminal: it does not go with --format {format}");
        }
        if args.patch.as_deref() == Some(Path::new("-")) {
            bail!(
                "--patch - writes the patch to standard output, where --format {format} writes \
                 its document: write the patch to a file"
            );
        }
    }
    let resolver = Resolver::new(&args.catalogue, &args.config, &args.output);
    if !is_bulk {
        let unit = units.into_iter().next().expect("a path at least");
        let settings = resolver.for_paths(&unit.paths)?;
        if !machine {
            let palette = Palette::new(args.color, io.out_is_terminal);
            return Ok(apply_unit(
                args,
                &settings,
                &palette,
                &unit,
                args.walk.jobs,
                false,
                None,
                io,
            )
            .exit);
        }
        // Standard output carries the document; what people read goes to standard error.
        let palette = Palette::new(args.color, false);
        let (mut human, mut document) = (Vec::new(), Vec::new());
        let outcome = apply_unit(
            args,
            &settings,
            &palette,
            &unit,
            args.walk.jobs,
            false,
            Some(&mut document),
            &mut Io {
                out: &mut human,
                err: io.err,
                input: io.input,
                out_is_terminal: false,
                err_is_terminal: io.err_is_terminal,
            },
        );
        io.err.write_all(&human)?;
        io.out.write_all(&document)?;
        return Ok(outcome.exit);
    }
    if args.interactive {
        bail!("--interactive asks about one repository at a time: run it in each");
    }
    let palette = Palette::new(args.color, false);
    bulk::run(
        "apply",
        units,
        &args.bulk,
        args.walk.jobs,
        io,
        |unit, io| match resolver.for_paths(&unit.paths) {
            Ok(settings) => apply_unit(args, &settings, &palette, unit, 1, true, None, io),
            Err(error) => bulk::failed(unit, &error, io),
        },
    )
}

/// Applies the fixes to one repository (or directory); an error makes a failed row.
///
/// With a `document` (`--format json` and the like), the findings are written there; else to
/// `io.out`, as text.
#[allow(clippy::too_many_arguments)]
fn apply_unit(
    args: &ApplyArgs,
    settings: &Settings,
    palette: &Palette,
    unit: &Unit,
    jobs: usize,
    in_bulk: bool,
    document: Option<&mut dyn Write>,
    io: &mut Io<'_>,
) -> UnitOutcome {
    let started = Instant::now();
    match apply_inner(
        args, settings, palette, unit, jobs, in_bulk, document, io, started,
    ) {
        Ok(outcome) => outcome,
        Err(error) => {
            crate::print_error(io.err, &error);
            let reason = error.to_string();
            UnitOutcome::not_processed(unit, Status::Failed, reason, ExitStatus::Error, started)
        }
    }
}

#[allow(clippy::too_many_arguments)]
fn apply_inner(
    args: &ApplyArgs,
    settings: &Settings,
    palette: &Palette,
    unit: &Unit,
    jobs: usize,
    in_bulk: bool,
    document: Option<&mut dyn Write>,
    io: &mut Io<'_>,
    started: Instant,
) -> anyhow::Result<UnitOutcome> {
    let engine = &settings.engine;
    let paths = unit.paths.clone();
    let writing = !args.dry_run && args.patch.is_none();
    let committing = args.commit || args.branch.is_some();
    if let Some(missing) = paths.iter().find(|p| !p.exists())
        && in_bulk
    {
        bail!("{}: no such file or directory", missing.display());
    }
    let projects = bulk::projects(unit);
    if in_bulk && projects.is_empty() {
        let reason = "no Pulumi project".to_owned();
        return Ok(UnitOutcome::not_processed(
            unit,
            Status::Skipped,
            reason,
            ExitStatus::Success,
            started,
        ));
    }

    // Everything that can refuse the run does so before anything is written.
    let repo = Repo::discover(&paths[0]);
    if committing {
        let Some(repo) = &repo else {
            bail!(
                "{} is not in a git repository: --commit and --branch need one (run `git init`, \
                 or apply without them)",
                display_path(&paths[0])
            );
        };
        for path in &paths {
            repo.relative(path)?;
        }
    }
    let signature = match (&repo, committing) {
        (Some(repo), true) => Some(repo.signature(args.author.as_deref())?),
        _ => None,
    };
    if writing
        && !args.allow_dirty
        && let Some(repo) = &repo
    {
        let dirty = repo.dirty_files()?;
        if !dirty.is_empty() {
            writeln!(
                io.err,
                "error: the git work tree at {} has uncommitted changes to tracked files:",
                repo.workdir().display()
            )?;
            for file in &dirty {
                writeln!(io.err, "  {file}")?;
            }
            writeln!(
                io.err,
                "  help: commit or stash them first, so iacfix's changes can be reviewed on their \
                 own; or pass --allow-dirty (or --dry-run to only look)"
            )?;
            let reason = format!(
                "uncommitted changes to {}",
                plural(dirty.len(), "tracked file", "tracked files")
            );
            return Ok(UnitOutcome::not_processed(
                unit,
                Status::Skipped,
                reason,
                ExitStatus::Error,
                started,
            ));
        }
    }
    if let (Some(repo), Some(branch)) = (&repo, &args.branch) {
        let created = repo.switch_to_branch(branch, args.branch_exists == BranchExists::Reuse)?;
        writeln!(
            io.out,
            "{} branch `{branch}`",
            if created {
                "switched to a new"
            } else {
                "switched to"
            }
        )?;
    }

    let fix = FixOptions {
        unsafe_fixes: args.unsafe_fixes,
        ..FixOptions::default()
    };
    let mut report = iacfix_apply::run(
        engine,
        &paths,
        &RunOptions {
            mode: Mode::Fix(fix),
            jobs,
            max_filesize: settings.max_filesize(args.walk.max_filesize),
            exclude: settings.exclude.clone(),
            force_exclude: args.walk.force_exclude,
        },
    );
    if args.interactive {
        choose(engine, &mut report, palette, io)?;
    }
    let plan = ChangePlan::of(&report);
    let mut tally = Tally::default();
    for file in &report.files {
        if let FileKind::Fixed {
            outcome, dropped, ..
        } = &file.kind
        {
            if let Some(reason) = dropped {
                writeln!(
                    io.err,
                    "error: {}: some fixes were not applied: {reason}",
                    file.display
                )?;
                tally.errors += 1;
            }
            tally.add_findings(engine, &outcome.remaining);
        }
    }
    let fixed: usize = plan.codemods.iter().map(|c| c.fixes).sum();
    let mut files_changed = plan.files.len() - report.manifests.len();
    let mut commits = 0;

    if args.dry_run {
        review::print_grouped(io.out, engine, &plan, palette)?;
    } else if let Some(path) = &args.patch {
        let text = patch_text(engine, &plan, repo.as_ref(), args.author.as_deref())?;
        if path.as_os_str() == "-" {
            io.out.write_all(text.as_bytes())?;
        } else {
            std::fs::write(path, &text)
                .with_context(|| format!("cannot write the patch to {}", path.display()))?;
            writeln!(
                io.err,
                "wrote {} to {}",
                plural(plan.codemods.len(), "patch", "patches"),
                path.display()
            )?;
        }
        if !plan.secrets().is_empty() {
            writeln!(
                io.err,
                "warning: the patch contains {} in clear text, as it must to apply; keep it \
                 private",
                plural(plan.secrets().len(), "secret", "secrets")
            )?;
        }
    } else if !plan.is_empty() {
        if let (Some(repo), true) = (&repo, committing) {
            // Committing a file with changes of the user's own would commit those too.
            let dirty = repo.dirty_files()?;
            let mixed: Vec<&str> = plan
                .files
                .iter()
                .filter(|f| repo.relative(&f.path).is_ok_and(|r| dirty.contains(&r)))
                .map(|f| f.display.as_str())
                .collect();
            if !mixed.is_empty() {
                bail!(
                    "cannot commit iacfix's changes to files that have uncommitted changes of \
                     their own: {}; commit or stash those first",
                    mixed.join(", ")
                );
            }
        }
        install_interrupt_handler();
        let changes: Vec<Change<'_>> = plan
            .files
            .iter()
            .map(|f| Change {
                path: &f.path,
                original: &f.original,
                new: f.source.to_bytes(&f.final_text),
            })
            .collect();
        match write_changeset_until(&changes, &INTERRUPTED) {
            Err((_, WriteError::Interrupted)) => {
                bail!("interrupted: no file was changed");
            }
            Err((index, error)) => {
                bail!(
                    "{}: not written: {error}; no file was changed",
                    display_path(changes[index].path)
                );
            }
            Ok(()) => {}
        }
        print_written(io, engine, &plan, &report)?;
        if let (Some(repo), Some(signature)) = (&repo, &signature) {
            let messages = commit_messages(engine, &plan, repo)?;
            let made = repo.commit_plan(&plan, &messages, signature)?;
            let written: Vec<PathBuf> = plan.files.iter().map(|f| f.path.clone()).collect();
            repo.stage(&written)?;
            for commit in &made {
                let meta = &engine.codemods()[commit.codemod].meta;
                let id = commit.id.to_string();
                writeln!(
                    io.out,
                    "[{}] iacfix: {}: {}",
                    &id[..10],
                    meta.id,
                    meta.title
                )?;
            }
            commits = made.len();
            if made.is_empty() {
                files_changed = 0;
            }
        }
    }
    // Written or patched: the findings that remain; dry run: all, each with its fix.
    let collected = output::collect(
        engine,
        &report,
        Collect {
            unused_suppressions: settings.report_unused_suppressions,
            remaining: !args.dry_run,
        },
    );
    match document {
        Some(document) => args.output.write(document, engine, &collected)?,
        None if writing || (args.output.statistics && args.patch.is_none()) => {
            args.output.write(io.out, engine, &collected)?
        }
        None => {}
    }
    report::problems(io.err, engine, &report, &mut tally)?;
    let remaining = if tally.findings == 0 {
        String::new()
    } else {
        let unsafe_hint = if tally.unsafe_fixes > 0 && !args.unsafe_fixes {
            format!(" ({} fixable with --unsafe)", tally.unsafe_fixes)
        } else {
            String::new()
        };
        format!(
            "; {} {}{unsafe_hint}",
            plural(tally.findings, "finding", "findings"),
            if writing { "remain" } else { "would remain" }
        )
    };
    let verb = if writing {
        "Fixed"
    } else if args.patch.is_some() {
        "The patch fixes"
    } else {
        "Would fix"
    };
    let summary = format!(
        "{verb} {} in {}{remaining}.",
        plural(fixed, "finding", "findings"),
        plural(files_changed, "file", "files"),
    );
    // With the patch on standard output, the summary goes to standard error.
    if args.patch.as_deref() == Some(Path::new("-")) {
        writeln!(io.err, "{summary}")?;
    } else {
        writeln!(io.out, "{summary}")?;
    }
    let exit = if tally.errors > 0 {
        ExitStatus::Error
    } else if settings.fails(&collected) {
        ExitStatus::Failure
    } else {
        ExitStatus::Success
    };
    let mut row = bulk::row(unit, engine, &report, &projects, started);
    row.commits = commits;
    if committing && commits == 0 {
        // Re-run on a branch that has the fixes: nothing changed.
        row.files_changed = 0;
        if row.status == Status::Changed {
            row.status = if row.remaining > 0 {
                Status::Findings
            } else {
                Status::Clean
            };
        }
    }
    Ok(UnitOutcome { exit, report: row })
}

fn install_interrupt_handler() {
    // Once per process; a second Ctrl-C while rolling back is not caught.
    let _ = ctrlc::set_handler(|| INTERRUPTED.store(true, Ordering::SeqCst));
}

/// `fixed <file> (<codemod> ×n, ...)` and `updated <manifest> (...)` lines.
fn print_written(
    io: &mut Io<'_>,
    engine: &Engine,
    plan: &ChangePlan,
    report: &RunReport,
) -> anyhow::Result<()> {
    for (index, file) in plan.files.iter().enumerate() {
        if let Some(manifest) = report.manifests.iter().find(|m| m.path == file.path) {
            writeln!(
                io.out,
                "updated {} (added {}; run {} to update the lock file)",
                manifest.display,
                manifest.packages().join(", "),
                match manifest.kind.ecosystem() {
                    Ecosystem::Npm => "`npm install`",
                    Ecosystem::PyPi => "your package manager",
                }
            )?;
            continue;
        }
        let mut per_codemod: BTreeMap<usize, usize> = BTreeMap::new();
        for change in &plan.codemods {
            if change.files.iter().any(|(f, _, _)| *f == index) {
                *per_codemod.entry(change.codemod).or_default() +=
                    fixes_in(report, file, change.codemod);
            }
        }
        let applied: Vec<String> = per_codemod
            .iter()
            .map(|(c, n)| format!("{} ×{n}", engine.codemods()[*c].meta.id))
            .collect();
        writeln!(io.out, "fixed {} ({})", file.display, applied.join(", "))?;
    }
    Ok(())
}

fn fixes_in(report: &RunReport, file: &iacfix_apply::PlannedFile, codemod: usize) -> usize {
    report
        .files
        .iter()
        .filter(|r| r.path == file.path)
        .filter_map(|r| match &r.kind {
            FileKind::Fixed { outcome, .. } => Some(
                outcome
                    .steps
                    .iter()
                    .filter(|s| s.codemod == codemod)
                    .map(|s| s.fixes)
                    .sum::<usize>(),
            ),
            _ => None,
        })
        .sum()
}

/// `--interactive`: asks per codemod and file; fixes again the files with refused changes.
fn choose(
    engine: &Engine,
    report: &mut RunReport,
    palette: &Palette,
    io: &mut Io<'_>,
) -> anyhow::Result<()> {
    let plan = ChangePlan::of(report);
    let manifests: Vec<PathBuf> = report.manifests.iter().map(|m| m.path.clone()).collect();
    let mut refused: BTreeMap<PathBuf, Vec<usize>> = BTreeMap::new();
    let mut all = false;
    let mut quit = false;
    for change in &plan.codemods {
        for (file, before, after) in &change.files {
            let planned = &plan.files[*file];
            if manifests.contains(&planned.path) {
                continue; // A manifest follows the changes that need it.
            }
            let yes = if all {
                true
            } else if quit {
                false
            } else {
                io.out.write_all(
                    review::group_heading(engine, change.codemod, change.fixes, palette).as_bytes(),
                )?;
                let diff = file_diff(&planned.display, before, after);
                io.out
                    .write_all(palette.diff(&plan.mask(&diff)).as_bytes())?;
                io.out.flush()?;
                match review::ask(
                    io.err,
                    io.input,
                    &format!("Apply this change to {}?", planned.display),
                )? {
                    Answer::Yes => true,
                    Answer::No => false,
                    Answer::All => {
                        all = true;
                        true
                    }
                    Answer::Quit => {
                        quit = true;
                        false
                    }
                }
            };
            if !yes {
                refused
                    .entry(planned.path.clone())
                    .or_default()
                    .push(change.codemod);
            }
        }
    }
    if refused.is_empty() {
        return Ok(());
    }
    for (path, codemods) in refused {
        if let Some(index) = report.files.iter().position(|f| f.path == path) {
            report.refix_without(engine, index, &codemods);
        }
    }
    report.declare_dependencies(engine);
    Ok(())
}

/// One commit message per codemod of the plan.
fn commit_messages(engine: &Engine, plan: &ChangePlan, repo: &Repo) -> anyhow::Result<Vec<String>> {
    plan.codemods
        .iter()
        .map(|change| {
            let meta = &engine.codemods()[change.codemod].meta;
            let files: Vec<String> = change
                .files
                .iter()
                .map(|(f, _, _)| repo.relative(&plan.files[*f].path))
                .collect::<Result<_, _>>()?;
            Ok(commit_message(
                &meta.id,
                &meta.title,
                &meta.docs.why,
                &files,
                env!("CARGO_PKG_VERSION"),
            ))
        })
        .collect()
}

/// The patch series of the plan: paths relative to the repository (or the current directory).
fn patch_text(
    engine: &Engine,
    plan: &ChangePlan,
    repo: Option<&Repo>,
    author: Option<&str>,
) -> anyhow::Result<String> {
    let paths: Vec<String> = plan
        .files
        .iter()
        .map(|f| match repo {
            Some(repo) => repo.relative(&f.path).map_err(anyhow::Error::from),
            None => Ok(f.display.trim_start_matches("./").to_owned()),
        })
        .collect::<anyhow::Result<_>>()?;
    let author = match (author, repo) {
        (Some(author), _) => author.to_owned(),
        (None, Some(repo)) => match repo.signature(None) {
            Ok(signature) => format!(
                "{} <{}>",
                signature.name().unwrap_or("iacfix"),
                signature.email().unwrap_or("iacfix@localhost")
            ),
            Err(_) => "iacfix <iacfix@localhost>".to_owned(),
        },
        (None, None) => "iacfix <iacfix@localhost>".to_owned(),
    };
    let messages: Vec<PatchMessage> = plan
        .codemods
        .iter()
        .map(|change| {
            let meta = &engine.codemods()[change.codemod].meta;
            let files: Vec<String> = change
                .files
                .iter()
                .map(|(f, _, _)| paths[*f].clone())
                .collect();
            let message = commit_message(
                &meta.id,
                &meta.title,
                &meta.docs.why,
                &files,
                env!("CARGO_PKG_VERSION"),
            );
            let (subject, body) = message.split_once("\n\n").unwrap_or((&message, ""));
            PatchMessage {
                subject: subject.to_owned(),
                body: body.to_owned(),
            }
        })
        .collect();
    let now = std::env::var("SOURCE_DATE_EPOCH")
        .ok()
        .and_then(|s| s.parse::<i64>().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_secs() as i64)
        });
    Ok(mbox(
        plan,
        &messages,
        &author,
        now,
        env!("CARGO_PKG_VERSION"),
        |i| paths[i].clone(),
    ))
}
