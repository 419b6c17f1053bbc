//! Runs the engine over paths: a parallel walk that respects `.gitignore`, one read and one parse
//! per file, results sorted by path so output is the same whatever the thread count.

use crate::source::{ReadError, SourceText, read_source};
use iacfix_core::{Engine, Finding, FixOptions, FixOutcome, Lang, Point, SyntaxError};
use ignore::{WalkBuilder, WalkState};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// Directories never walked into (unless given explicitly): dependencies and caches, which are
/// not the user's program and are large. Hidden directories (`.git`, `.venv`) are skipped too.
pub const DEFAULT_EXCLUDES: &[&str] = &["node_modules", "venv", "__pycache__", "site-packages"];

/// Files over this size are skipped (with a warning) unless `--max-filesize` says otherwise.
pub const DEFAULT_MAX_FILESIZE: u64 = 10 * 1024 * 1024;

/// What to do with each file.
#[derive(Clone, Copy, Debug)]
pub enum Mode {
    /// Report findings.
    Check,
    /// Compute fixes (nothing is written here: see [`crate::write_atomic`]).
    Fix(FixOptions),
}

/// Options of a run.
#[derive(Clone, Copy, Debug)]
pub struct RunOptions {
    pub mode: Mode,
    /// Worker threads; 0 picks one per core.
    pub jobs: usize,
    pub max_filesize: u64,
}

/// One file's result.
#[derive(Debug)]
pub struct FileResult {
    pub path: PathBuf,
    /// The path as printed: as walked, with `/` separators and no leading `./`.
    pub display: String,
    pub kind: FileKind,
}

/// What happened to a file.
#[derive(Debug)]
pub enum FileKind {
    Checked {
        lang: Lang,
        findings: Vec<Finding>,
    },
    Fixed {
        lang: Lang,
        /// The text the engine saw, and the file's exact bytes (to write back and compare).
        source: SourceText,
        original: Vec<u8>,
        outcome: FixOutcome,
    },
    /// Not a source file for iacfix (binary, too large, a symlink, an unknown language).
    Skipped(Skip),
    /// A source file that could not be processed: an error, reported; the run goes on.
    Failed(FileError),
}

/// Why a file was skipped.
#[derive(Debug)]
pub enum Skip {
    Binary,
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
    #[error("{at}: not valid UTF-8; the file is left as it is")]
    InvalidUtf8 { at: Point },
    #[error("{0}; the file is left as it is")]
    Syntax(SyntaxError),
}

impl FileError {
    /// Where in the file the problem is, when there is a position.
    pub fn point(&self) -> Option<Point> {
        match self {
            FileError::Read(_) => None,
            FileError::InvalidUtf8 { at } => Some(*at),
            FileError::Syntax(error) => Some(error.at),
        }
    }
}

/// A path that could not be walked (missing, unreadable directory).
#[derive(Debug)]
pub struct PathError {
    pub path: String,
    pub message: String,
}

/// Everything a run found, in path order.
#[derive(Debug, Default)]
pub struct RunReport {
    /// Files with something to say (findings, changes, skips worth a word, errors); clean files
    /// are only counted.
    pub files: Vec<FileResult>,
    pub errors: Vec<PathError>,
    /// Source files the engine looked at.
    pub files_checked: usize,
}

/// Walks `paths` (files or directories), running the engine on every source file.
pub fn run(engine: &Engine, paths: &[PathBuf], options: &RunOptions) -> RunReport {
    let report = Mutex::new(RunReport::default());
    if let Some((first, rest)) = paths.split_first() {
        let mut builder = WalkBuilder::new(first);
        for path in rest {
            builder.add(path);
        }
        builder
            .follow_links(false)
            .threads(options.jobs)
            .filter_entry(|entry| {
                entry.depth() == 0
                    || !entry.file_type().is_some_and(|t| t.is_dir())
                    || !DEFAULT_EXCLUDES
                        .iter()
                        .any(|name| entry.file_name() == *name)
            });
        builder.build_parallel().run(|| {
            let report = &report;
            Box::new(move |entry| {
                let entry = match entry {
                    Ok(entry) => entry,
                    Err(error) => {
                        let path = error_path(&error);
                        report.lock().unwrap().errors.push(PathError {
                            path,
                            message: io_message(&error),
                        });
                        return WalkState::Continue;
                    }
                };
                if entry.file_type().is_some_and(|t| t.is_dir()) {
                    return WalkState::Continue;
                }
                let explicit = entry.depth() == 0;
                let path = entry.path();
                let lang = path
                    .file_name()
                    .and_then(|n| n.to_str())
                    .and_then(Lang::from_file_name)
                    .filter(|lang| engine.handles(*lang));
                let kind = match lang {
                    None if explicit => Some(FileKind::Skipped(Skip::NotSource)),
                    None => None,
                    Some(_) if entry.path_is_symlink() => Some(FileKind::Skipped(Skip::Symlink)),
                    Some(lang) => Some(process(engine, path, lang, options)),
                };
                if let Some(kind) = kind {
                    let result = FileResult {
                        display: display_path(path),
                        path: path.to_owned(),
                        kind,
                    };
                    let mut report = report.lock().unwrap();
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
                WalkState::Continue
            })
        });
    }
    let mut report = report.into_inner().unwrap();
    report.files.sort_by(|a, b| a.path.cmp(&b.path));
    report.errors.sort_by(|a, b| a.path.cmp(&b.path));
    report
}

fn worth_reporting(kind: &FileKind) -> bool {
    match kind {
        FileKind::Checked { findings, .. } => !findings.is_empty(),
        FileKind::Fixed { outcome, .. } => {
            !outcome.findings.is_empty() || !outcome.problems.is_empty()
        }
        FileKind::Skipped(Skip::Binary) => false,
        FileKind::Skipped(_) | FileKind::Failed(_) => true,
    }
}

fn process(engine: &Engine, path: &Path, lang: Lang, options: &RunOptions) -> FileKind {
    let (source, original) = match read_source(path, options.max_filesize) {
        Ok(read) => read,
        Err(ReadError::Binary) => return FileKind::Skipped(Skip::Binary),
        Err(ReadError::TooLarge { size, limit }) => {
            return FileKind::Skipped(Skip::TooLarge { size, limit });
        }
        Err(ReadError::InvalidUtf8 { at }) => {
            return FileKind::Failed(FileError::InvalidUtf8 { at });
        }
        Err(ReadError::Io(error)) => return FileKind::Failed(FileError::Read(error)),
    };
    match options.mode {
        Mode::Check => match engine.check(lang, &source.text) {
            Ok(findings) => FileKind::Checked { lang, findings },
            Err(error) => FileKind::Failed(FileError::Syntax(error)),
        },
        Mode::Fix(fix) => match engine.fix(lang, &source.text, &fix) {
            Ok(outcome) => FileKind::Fixed {
                lang,
                source,
                original,
                outcome,
            },
            Err(error) => FileKind::Failed(FileError::Syntax(error)),
        },
    }
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
