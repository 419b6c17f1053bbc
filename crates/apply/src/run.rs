//! Runs the engine over paths: a parallel walk that respects `.gitignore`, files grouped into
//! Pulumi programs (for provider versions and program-wide conditions), one read and one parse
//! per file, and the manifest edits the fixes need. Results are sorted by path so output is the
//! same whatever the thread count.

use crate::program::{Program, Programs};
use crate::source::{Encoding, ReadError, SourceText, decode, read_source};
use iacfix_core::manifest::{ManifestKind, ensure_dependency, manifest_for};
use iacfix_core::{
    Context, DependencyRequest, Engine, Facts, Finding, FixOptions, FixOutcome, Lang, Point,
    ProgramFacts, ProgramFiles, SyntaxError, UnusedSuppression,
};
use ignore::gitignore::Gitignore;
use ignore::{WalkBuilder, WalkState};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

/// Directories never walked into (unless given explicitly): dependencies and caches, which are
/// not the user's program and are large. Hidden directories (`.git`, `.venv`) are skipped too.
pub const DEFAULT_EXCLUDES: &[&str] = &["node_modules", "venv", "__pycache__", "site-packages"];

/// Files over this size are skipped (with a warning) unless `--max-filesize` says otherwise.
pub const DEFAULT_MAX_FILESIZE: u64 = 10 * 1024 * 1024;

/// What to do with each file.
#[derive(Clone, Debug)]
pub enum Mode {
    /// Report findings.
    Check,
    /// Compute fixes (nothing is written here: see [`crate::write_changeset`]).
    Fix(FixOptions),
}

/// Options of a run.
#[derive(Clone, Debug)]
pub struct RunOptions {
    pub mode: Mode,
    /// Worker threads; 0 picks one per core.
    pub jobs: usize,
    pub max_filesize: u64,
    /// Files and directories not to walk into (an `iacfix.toml`'s `exclude`, gitignore-style
    /// patterns relative to its directory). Paths given explicitly are processed anyway unless
    /// `force_exclude`.
    pub exclude: Option<Arc<Gitignore>>,
    /// Exclude paths given explicitly too (for pre-commit hooks, which name every file).
    pub force_exclude: bool,
}

/// One file's result.
#[derive(Debug)]
pub struct FileResult {
    pub path: PathBuf,
    /// The path as printed: as walked, with `/` separators and no leading `./`.
    pub display: String,
    pub kind: FileKind,
    /// The root of the program the file belongs to (source files only).
    pub program: Option<PathBuf>,
}

/// What happened to a file.
#[derive(Debug)]
pub enum FileKind {
    Checked {
        lang: Lang,
        findings: Vec<Finding>,
        /// The file's text, kept when there are findings (for excerpts and fix positions).
        text: Option<String>,
        /// Suppression comments that suppressed nothing.
        unused_suppressions: Vec<UnusedSuppression>,
    },
    Fixed {
        lang: Lang,
        /// The text the engine saw, and the file's exact bytes (to write back and compare).
        source: SourceText,
        original: Vec<u8>,
        outcome: FixOutcome,
        /// Why some of the fixes were dropped (a dependency they need could not be declared).
        dropped: Option<String>,
        /// The fix options the outcome was computed with.
        options: FixOptions,
        /// The program context the outcome was computed in.
        context: Arc<Context>,
    },
    /// Not a source file for iacfix (binary, too large, a symlink, an unknown language).
    Skipped(Skip),
    /// A source file that could not be processed: an error, reported; the run goes on.
    Failed(FileError),
}

/// Why a file was skipped.
#[derive(Debug)]
pub enum Skip {
    /// A NUL byte, at `at`, in the first 8 KiB: not text.
    Binary {
        at: Point,
    },
    TooLarge {
        size: u64,
        limit: u64,
    },
    Symlink,
    /// Given explicitly but not a language iacfix reads (or no codemod is for it).
    NotSource,
}

/// Why a source file could not be processed.
#[derive(Debug, thiserror::Error)]
pub enum FileError {
    #[error("cannot read: {0}")]
    Read(std::io::Error),
    #[error("no longer there: deleted or moved since the walk found it; skipped")]
    Gone,
    #[error("{at}: not valid UTF-8; the file is left as it is")]
    InvalidUtf8 { at: Point },
    #[error("{at}: not valid {encoding}; the file is left as it is")]
    InvalidUtf16 { at: Point, encoding: Encoding },
    /// Read and checked (UTF-16 with a BOM), but iacfix writes only UTF-8.
    #[error(
        "encoded in {0}: iacfix checks it but writes only UTF-8, so its fixes are not applied \
         (convert it to UTF-8 to apply them); the file is left as it is"
    )]
    NotWritable(Encoding),
    #[error(
        "read-only: its fixes are not applied (make it writable to apply them); the file is left \
         as it is"
    )]
    ReadOnly,
    #[error("{0}; the file is left as it is")]
    Syntax(SyntaxError),
}

impl FileError {
    /// Where in the file the problem is, when there is a position.
    pub fn point(&self) -> Option<Point> {
        match self {
            FileError::Read(_)
            | FileError::Gone
            | FileError::NotWritable(_)
            | FileError::ReadOnly => None,
            FileError::InvalidUtf8 { at } | FileError::InvalidUtf16 { at, .. } => Some(*at),
            FileError::Syntax(error) => Some(error.at),
        }
    }
}

/// A path that could not be walked (missing, unreadable directory), or a program-level problem.
#[derive(Debug)]
pub struct PathError {
    pub path: String,
    pub message: String,
}

/// A manifest the fixes need changed: part of the same changeset as the source files.
#[derive(Debug)]
pub struct ManifestChange {
    pub path: PathBuf,
    pub display: String,
    pub kind: ManifestKind,
    pub source: SourceText,
    pub original: Vec<u8>,
    pub new_text: String,
    /// The dependencies added, each with the codemod whose fix needed it (in the order added).
    pub requests: Vec<(usize, DependencyRequest)>,
}

impl ManifestChange {
    /// The packages added.
    pub fn packages(&self) -> Vec<&str> {
        self.requests
            .iter()
            .map(|(_, r)| r.package.as_str())
            .collect()
    }
}

/// Everything a run found, in path order.
#[derive(Debug, Default)]
pub struct RunReport {
    /// Files with something to say (findings, changes, skips worth a word, errors); clean files
    /// are only counted.
    pub files: Vec<FileResult>,
    /// Manifests the fixes change.
    pub manifests: Vec<ManifestChange>,
    pub errors: Vec<PathError>,
    /// Source files the engine looked at.
    pub files_checked: usize,
    /// The programs the files belong to, by root.
    pub programs: BTreeMap<PathBuf, Program>,
    /// The paths given, absolute: nothing outside them is written.
    pub roots: Vec<PathBuf>,
}

/// A file found by the walk.
struct Candidate {
    path: PathBuf,
    explicit: bool,
    symlink: bool,
    lang: Option<Lang>,
}

/// Walks `paths` (files or directories), running the engine on every source file.
pub fn run(engine: &Arc<Engine>, paths: &[PathBuf], options: &RunOptions) -> RunReport {
    let mut report = RunReport::default();
    let exclude = options.exclude.clone().map(|e| (e, options.force_exclude));
    let (mut candidates, errors) = walk(paths, options.jobs, exclude, |name| {
        Lang::from_file_name(name).filter(|lang| engine.handles(*lang))
    });
    report.errors = errors;
    candidates.sort_by(|a, b| a.path.cmp(&b.path));
    candidates.dedup_by(|a, b| a.path == b.path);

    // Group source files into programs, each with its context.
    let mut programs = Programs::default();
    let mut roots: BTreeMap<PathBuf, Program> = BTreeMap::new();
    let mut root_of: Vec<Option<PathBuf>> = Vec::with_capacity(candidates.len());
    for candidate in &candidates {
        if candidate.lang.is_some() && !candidate.symlink {
            let root = programs.root_of(&candidate.path);
            if !roots.contains_key(&root) {
                let program = programs.program_at(&root);
                roots.insert(root.clone(), program);
            }
            root_of.push(Some(root));
        } else {
            root_of.push(None);
        }
    }
    let contexts: BTreeMap<PathBuf, Arc<Context>> = roots
        .iter()
        .map(|(root, program)| {
            // Read only when a match needs them.
            let facts = if Lang::ALL.iter().any(|lang| engine.needs_facts(*lang)) {
                let (engine, program, options) =
                    (Arc::clone(engine), program.clone(), options.clone());
                ProgramFacts::lazy(move || program_facts(&engine, &program, &options))
            } else {
                ProgramFacts::default()
            };
            let files = if engine.needs_files() {
                program_files(&program.root)
            } else {
                ProgramFiles::default()
            };
            (
                root.clone(),
                Arc::new(Context {
                    providers: program.providers(),
                    facts,
                    files,
                }),
            )
        })
        .collect();

    let results = parallel_map(&candidates, options.jobs, |index, candidate| {
        let kind = match candidate.lang {
            None if candidate.explicit => FileKind::Skipped(Skip::NotSource),
            None => return None,
            Some(_) if candidate.symlink => FileKind::Skipped(Skip::Symlink),
            Some(lang) => {
                let root = root_of[index]
                    .as_ref()
                    .expect("source files have a program");
                process(engine, &candidate.path, lang, options, &contexts[root])
            }
        };
        Some(FileResult {
            display: display_path(&candidate.path),
            path: candidate.path.clone(),
            kind,
            program: root_of[index].clone(),
        })
    });
    for result in results.into_iter().flatten() {
        if matches!(
            result.kind,
            FileKind::Checked { .. } | FileKind::Fixed { .. }
        ) {
            report.files_checked += 1;
        }
        if worth_reporting(&result.kind) {
            report.files.push(result);
        }
    }
    report.programs = roots;
    report.roots = paths
        .iter()
        .map(|p| std::path::absolute(p).unwrap_or_else(|_| p.clone()))
        .collect();
    report.declare_dependencies(engine);
    report
}

impl RunReport {
    /// Fixes file `index` again without the codemods in `skip` (their findings remain).
    pub fn refix_without(&mut self, engine: &Engine, index: usize, skip: &[usize]) {
        if let FileKind::Fixed {
            lang,
            source,
            outcome,
            options,
            context,
            ..
        } = &mut self.files[index].kind
        {
            options.skip.extend(skip.iter().copied());
            options.skip.sort_unstable();
            options.skip.dedup();
            if let Ok(again) = engine.fix(*lang, &source.text, options, context) {
                *outcome = again;
            }
        }
    }

    /// Plans the manifest edits every program's fixes need (replacing any earlier plan). A
    /// codemod whose fixes in a file need a dependency that cannot be declared is not applied to
    /// that file: the file is fixed again without it, so the others' fixes stay (all of a fix,
    /// or none of it).
    pub fn declare_dependencies(&mut self, engine: &Engine) {
        self.manifests.clear();
        // Each program's files, in one pass over the files (not one per program).
        let mut files_of: BTreeMap<PathBuf, Vec<usize>> = BTreeMap::new();
        for (index, file) in self.files.iter().enumerate() {
            if let Some(root) = &file.program {
                files_of.entry(root.clone()).or_default().push(index);
            }
        }
        let roots: Vec<PathBuf> = self.programs.keys().cloned().collect();
        for root in roots {
            let files = files_of.remove(&root).unwrap_or_default();
            let program = self.programs[&root].clone();
            declare_program_dependencies(engine, &program, &files, self);
        }
        self.manifests.sort_by(|a, b| a.path.cmp(&b.path));
    }
}

/// Walks the paths in parallel; returns the files (with their language, if iacfix reads it) and
/// the paths that could not be walked.
fn walk(
    paths: &[PathBuf],
    jobs: usize,
    exclude: Option<(Arc<Gitignore>, bool)>,
    lang_of: impl Fn(&str) -> Option<Lang> + Sync,
) -> (Vec<Candidate>, Vec<PathError>) {
    let found = Mutex::new((Vec::new(), Vec::new()));
    let Some((first, rest)) = paths.split_first() else {
        return (Vec::new(), Vec::new());
    };
    let mut builder = WalkBuilder::new(first);
    for path in rest {
        builder.add(path);
    }
    // Roots that are files reach the callback without the filter.
    let forced = exclude.clone().filter(|(_, force)| *force).map(|(e, _)| e);
    builder
        .follow_links(false)
        .threads(jobs)
        .filter_entry(move |entry| {
            let is_dir = entry.file_type().is_some_and(|t| t.is_dir());
            if let Some((exclude, force)) = &exclude
                && (entry.depth() > 0 || *force)
                && is_excluded(exclude, entry.path(), is_dir)
            {
                return false;
            }
            entry.depth() == 0
                || !is_dir
                || !DEFAULT_EXCLUDES
                    .iter()
                    .any(|name| entry.file_name() == *name)
        });
    builder.build_parallel().run(|| {
        let found = &found;
        let lang_of = &lang_of;
        let forced = &forced;
        Box::new(move |entry| {
            match entry {
                Err(error) => found.lock().unwrap().1.push(PathError {
                    path: error_path(&error),
                    message: io_message(&error),
                }),
                Ok(entry)
                    if entry.depth() == 0
                        && forced
                            .as_ref()
                            .is_some_and(|e| is_excluded(e, entry.path(), false)) => {}
                Ok(entry) if !entry.file_type().is_some_and(|t| t.is_dir()) => {
                    let path = entry.path();
                    let lang = path.file_name().and_then(|n| n.to_str()).and_then(lang_of);
                    let explicit = entry.depth() == 0;
                    if lang.is_some() || explicit {
                        found.lock().unwrap().0.push(Candidate {
                            path: path.to_owned(),
                            explicit,
                            symlink: entry.path_is_symlink(),
                            lang,
                        });
                    }
                }
                Ok(_) => {}
            }
            WalkState::Continue
        })
    });
    let (candidates, mut errors) = found.into_inner().unwrap();
    errors.sort_by(|a: &PathError, b| a.path.cmp(&b.path));
    (candidates, errors)
}

/// Whether `path` is excluded: it or a parent matches, for paths under the patterns' root.
fn is_excluded(exclude: &Gitignore, path: &Path, is_dir: bool) -> bool {
    let Ok(absolute) = std::path::absolute(path) else {
        return false;
    };
    absolute.starts_with(exclude.path())
        && exclude
            .matched_path_or_any_parents(&absolute, is_dir)
            .is_ignore()
}

/// What program-scope conditions find in every source file of a program (walked or not: a
/// FlowLog in a file the user did not name still counts).
/// A walk of `root` as a run walks it: `.gitignore` respected, symbolic links not followed, the
/// default excludes skipped below the root.
pub fn source_walk(root: &Path) -> WalkBuilder {
    let mut builder = WalkBuilder::new(root);
    builder.follow_links(false).filter_entry(|entry| {
        !(entry.depth() > 0
            && entry.file_type().is_some_and(|t| t.is_dir())
            && DEFAULT_EXCLUDES
                .iter()
                .any(|name| entry.file_name() == *name))
    });
    builder
}

/// The languages of the source files under `paths`, walked as a run walks them (`.gitignore`
/// respected, the default excludes skipped): what a run's catalogue must be compiled for.
pub fn languages_in(paths: &[PathBuf]) -> Vec<Lang> {
    let mut found: Vec<Lang> = Vec::new();
    for path in paths {
        let walk = source_walk(path).build();
        for entry in walk.filter_map(Result::ok) {
            if entry.file_type().is_some_and(|t| t.is_dir()) {
                continue;
            }
            let lang = entry.file_name().to_str().and_then(Lang::from_file_name);
            if let Some(lang) = lang
                && !found.contains(&lang)
            {
                found.push(lang);
                if found.len() == Lang::ALL.len() {
                    return Lang::ALL.to_vec();
                }
            }
        }
    }
    found.sort();
    found
}

/// The files under a program's root, relative to it: walked as the run walks (`.gitignore`
/// respected, the default excludes skipped, symbolic links not followed).
fn program_files(root: &Path) -> ProgramFiles {
    let walk = source_walk(root).build();
    ProgramFiles::new(walk.filter_map(Result::ok).filter_map(|entry| {
        let is_file = entry.file_type().is_some_and(|t| !t.is_dir());
        let relative = entry.path().strip_prefix(root).ok()?;
        is_file.then(|| relative.to_string_lossy().into_owned())
    }))
}

fn program_facts(engine: &Engine, program: &Program, options: &RunOptions) -> Facts {
    let mut facts = Facts::default();
    let (files, _) = walk(
        std::slice::from_ref(&program.root),
        options.jobs,
        None,
        |name| Lang::from_file_name(name).filter(|lang| engine.needs_facts(*lang)),
    );
    let found = parallel_map(&files, options.jobs, |_, file| {
        let lang = file.lang?;
        if file.symlink {
            return None;
        }
        let (source, _) = read_source(&file.path, options.max_filesize).ok()?;
        engine.facts(lang, &source.text).ok()
    });
    for file_facts in found.into_iter().flatten() {
        facts.merge(file_facts);
    }
    facts
}

/// Declares the dependencies the program's fixes need in its manifests. A codemod whose fixes
/// in a file need a dependency that cannot be declared is not applied to that file (the file is
/// fixed again without it, so the other codemods' fixes stay): all of a fix, or none of it.
fn declare_program_dependencies(
    engine: &Engine,
    program: &Program,
    files: &[usize],
    report: &mut RunReport,
) {
    for _ in 0..=engine.codemods().len() {
        let (manifests, failures) = plan_dependencies(program, files, report);
        if failures.is_empty() {
            report.manifests.extend(
                manifests
                    .into_values()
                    .filter(|change| change.new_text != change.source.text),
            );
            return;
        }
        for (index, codemod, reason) in failures {
            if let FileKind::Fixed { dropped, .. } = &mut report.files[index].kind {
                let why = format!("`{}` {reason}", engine.codemods()[codemod].meta.id);
                *dropped = Some(match dropped.take() {
                    Some(earlier) => format!("{earlier}; {why}"),
                    None => why,
                });
            }
            report.refix_without(engine, index, &[codemod]);
        }
    }
}

type Failure = (usize, usize, String);

/// The manifest edits the fixes of `files` need, and the fixes whose dependency cannot be
/// declared: (file index, codemod, why).
fn plan_dependencies(
    program: &Program,
    files: &[usize],
    report: &RunReport,
) -> (BTreeMap<PathBuf, ManifestChange>, Vec<Failure>) {
    let mut manifests: BTreeMap<PathBuf, ManifestChange> = BTreeMap::new();
    let mut failures = Vec::new();
    for &index in files {
        let FileKind::Fixed { outcome, .. } = &report.files[index].kind else {
            continue;
        };
        'steps: for step in &outcome.steps {
            for request in &step.dependencies {
                let editable = program
                    .manifests
                    .iter()
                    .filter(|(kind, _)| kind.is_editable())
                    .map(|(kind, path)| (*kind, path.clone()));
                let found = manifest_for(request.ecosystem, editable);
                if let Some((_, path)) = &found
                    && !report.is_inside_roots(path)
                {
                    failures.push((
                        index,
                        step.codemod,
                        format!(
                            "needs `{}` declared in {}, which is outside the paths given",
                            request.package,
                            display_path(path)
                        ),
                    ));
                    break 'steps;
                }
                let Some((kind, path)) = found else {
                    failures.push((
                        index,
                        step.codemod,
                        format!(
                            "needs `{}` declared, and the program at {} has no {}",
                            request.package,
                            display_path(&program.root),
                            match request.ecosystem {
                                iacfix_core::Ecosystem::Npm => "package.json",
                                iacfix_core::Ecosystem::PyPi =>
                                    "requirements.txt or pyproject.toml",
                            }
                        ),
                    ));
                    break 'steps;
                };
                if !manifests.contains_key(&path) && is_read_only(&path) {
                    failures.push((
                        index,
                        step.codemod,
                        format!(
                            "needs `{}` declared in {}, which is read-only",
                            request.package,
                            display_path(&path)
                        ),
                    ));
                    break 'steps;
                }
                if !manifests.contains_key(&path) {
                    let read = std::fs::read(&path)
                        .map_err(|e| e.to_string())
                        .and_then(|bytes| {
                            let source = decode(&bytes).map_err(|e| e.to_string())?;
                            Ok((source, bytes))
                        });
                    match read {
                        Ok((source, original)) => {
                            let change = ManifestChange {
                                display: display_path(&path),
                                path: path.clone(),
                                kind,
                                new_text: source.text.clone(),
                                source,
                                original,
                                requests: Vec::new(),
                            };
                            manifests.insert(path.clone(), change);
                        }
                        Err(error) => {
                            failures.push((
                                index,
                                step.codemod,
                                format!(
                                    "needs {}, which cannot be read: {error}",
                                    display_path(&path)
                                ),
                            ));
                            break 'steps;
                        }
                    }
                }
                let change = manifests.get_mut(&path).expect("inserted above");
                match ensure_dependency(kind, &change.new_text, request) {
                    Ok(Some(new)) => {
                        change.new_text = new;
                        change.requests.push((step.codemod, request.clone()));
                    }
                    Ok(None) => {}
                    Err(error) => {
                        failures.push((
                            index,
                            step.codemod,
                            format!(
                                "needs `{}` declared in {}: {error}",
                                request.package,
                                display_path(&path)
                            ),
                        ));
                        break 'steps;
                    }
                }
            }
        }
    }
    (manifests, failures)
}

impl RunReport {
    /// Whether `path` is inside one of the paths given (iacfix writes nothing outside them).
    pub fn is_inside_roots(&self, path: &Path) -> bool {
        let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
        self.roots.iter().any(|root| absolute.starts_with(root))
    }
}

fn worth_reporting(kind: &FileKind) -> bool {
    match kind {
        FileKind::Checked {
            findings,
            unused_suppressions,
            ..
        } => !findings.is_empty() || !unused_suppressions.is_empty(),
        FileKind::Fixed { outcome, .. } => {
            !outcome.findings.is_empty()
                || !outcome.problems.is_empty()
                || !outcome.unused_suppressions.is_empty()
        }
        FileKind::Skipped(_) | FileKind::Failed(_) => true,
    }
}

fn process(
    engine: &Engine,
    path: &Path,
    lang: Lang,
    options: &RunOptions,
    context: &Arc<Context>,
) -> FileKind {
    let (source, original) = match read_source(path, options.max_filesize) {
        Ok(read) => read,
        Err(ReadError::Binary { at }) => return FileKind::Skipped(Skip::Binary { at }),
        Err(ReadError::TooLarge { size, limit }) => {
            return FileKind::Skipped(Skip::TooLarge { size, limit });
        }
        Err(ReadError::InvalidUtf8 { at }) => {
            return FileKind::Failed(FileError::InvalidUtf8 { at });
        }
        Err(ReadError::InvalidUtf16 { at, encoding }) => {
            return FileKind::Failed(FileError::InvalidUtf16 { at, encoding });
        }
        Err(ReadError::NotUtf8(encoding)) => {
            return FileKind::Failed(FileError::NotWritable(encoding));
        }
        // Found by the walk, gone before it was read (deleted or moved meanwhile).
        Err(ReadError::Io(error)) if error.kind() == std::io::ErrorKind::NotFound => {
            return FileKind::Failed(FileError::Gone);
        }
        Err(ReadError::Io(error)) => return FileKind::Failed(FileError::Read(error)),
    };
    match &options.mode {
        Mode::Check => match engine.check_file(lang, &source.text, context) {
            Ok((findings, unused_suppressions)) => FileKind::Checked {
                lang,
                text: (!findings.is_empty() || !unused_suppressions.is_empty())
                    .then_some(source.text),
                findings,
                unused_suppressions,
            },
            Err(error) => FileKind::Failed(FileError::Syntax(error)),
        },
        Mode::Fix(fix) => match engine.fix(lang, &source.text, fix, context) {
            // A file the fixes would change must be one iacfix may write: refused here, so the
            // other files' changes are still written.
            Ok(outcome) if outcome.fixed_text().is_some() && !source.is_writable() => {
                FileKind::Failed(FileError::NotWritable(source.encoding))
            }
            Ok(outcome) if outcome.fixed_text().is_some() && is_read_only(path) => {
                FileKind::Failed(FileError::ReadOnly)
            }
            Ok(outcome) => FileKind::Fixed {
                lang,
                source,
                original,
                outcome,
                dropped: None,
                options: fix.clone(),
                context: Arc::clone(context),
            },
            Err(error) => FileKind::Failed(FileError::Syntax(error)),
        },
    }
}

/// Whether the file's permissions say it is not to be written (for root too, who could).
fn is_read_only(path: &Path) -> bool {
    std::fs::metadata(path).is_ok_and(|m| m.permissions().readonly())
}

/// `f` over `items` on `jobs` threads (0: one per core), results in `items`' order.
fn parallel_map<T: Sync, R: Send>(
    items: &[T],
    jobs: usize,
    f: impl Fn(usize, &T) -> R + Sync,
) -> Vec<R> {
    let threads = if jobs == 0 {
        std::thread::available_parallelism().map_or(1, |n| n.get())
    } else {
        jobs
    }
    .min(items.len())
    .max(1);
    let next = AtomicUsize::new(0);
    let mut results: Vec<(usize, R)> = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..threads)
            .map(|_| {
                scope.spawn(|| {
                    let mut done = Vec::new();
                    loop {
                        let index = next.fetch_add(1, Ordering::Relaxed);
                        let Some(item) = items.get(index) else { break };
                        done.push((index, f(index, item)));
                    }
                    done
                })
            })
            .collect();
        workers
            .into_iter()
            .flat_map(|w| w.join().expect("a worker thread panicked"))
            .collect()
    });
    results.sort_by_key(|(index, _)| *index);
    results.into_iter().map(|(_, r)| r).collect()
}

/// A path as printed: `/` separators, no leading `./`.
pub fn display_path(path: &Path) -> String {
    let text = path.to_string_lossy().replace('\\', "/");
    match text.strip_prefix("./") {
        Some(rest) => rest.to_owned(),
        None => text,
    }
}

fn error_path(error: &ignore::Error) -> String {
    match error {
        ignore::Error::WithPath { path, .. } => display_path(path),
        ignore::Error::WithDepth { err, .. } | ignore::Error::WithLineNumber { err, .. } => {
            error_path(err)
        }
        _ => String::from("<walk>"),
    }
}

fn io_message(error: &ignore::Error) -> String {
    match error {
        ignore::Error::WithPath { err, .. }
        | ignore::Error::WithDepth { err, .. }
        | ignore::Error::WithLineNumber { err, .. } => io_message(err),
        ignore::Error::Io(io) if io.kind() == std::io::ErrorKind::NotFound => {
            "no such file or directory".to_owned()
        }
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The walk found a file; it is gone when its turn comes to be read (another process
    /// deleted or moved it): an error naming it, not a panic or a silent skip.
    #[test]
    fn a_file_deleted_between_walk_and_read_is_an_error_naming_it() {
        let dir = tempfile::tempdir().unwrap();
        let kept = dir.path().join("kept.ts");
        let gone = dir.path().join("gone.ts");
        std::fs::write(&kept, "const a = 1;\n").unwrap();
        std::fs::write(&gone, "const b = 2;\n").unwrap();
        let (candidates, errors) = walk(&[dir.path().to_owned()], 1, None, |name| {
            Lang::from_file_name(name)
        });
        assert!(errors.is_empty());
        assert_eq!(candidates.len(), 2);
        std::fs::remove_file(&gone).unwrap();
        let engine = Engine::new(Vec::new());
        let options = RunOptions {
            mode: Mode::Check,
            jobs: 1,
            max_filesize: DEFAULT_MAX_FILESIZE,
            exclude: None,
            force_exclude: false,
        };
        let context = Arc::new(Context::default());
        for candidate in &candidates {
            let kind = process(
                &engine,
                &candidate.path,
                Lang::TypeScript,
                &options,
                &context,
            );
            if candidate.path == gone {
                match kind {
                    FileKind::Failed(error @ FileError::Gone) => assert_eq!(
                        error.to_string(),
                        "no longer there: deleted or moved since the walk found it; skipped"
                    ),
                    other => panic!("unexpected {other:?}"),
                }
            } else {
                assert!(matches!(kind, FileKind::Checked { .. }), "{kind:?}");
            }
        }
    }
}
