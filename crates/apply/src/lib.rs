//! The edge of iacfix: walking trees, reading files, running the engine in parallel, and turning
//! the result into diffs and writes that lose nothing.
//!
//! **Architecture invariant:** this is the only library crate that touches the file system for
//! source files; the core sees text only.

mod diff;
pub mod git;
pub mod patch;
mod plan;
mod program;
mod run;
mod source;
mod write;

pub use diff::file_diff;
pub use plan::{ChangePlan, CodemodChange, PlannedFile};
pub use program::{PROJECT_FILES, Program, Programs, Project, program_at, projects_under};
pub use run::{
    DEFAULT_EXCLUDES, DEFAULT_MAX_FILESIZE, FileError, FileKind, FileResult, ManifestChange, Mode,
    PathError, RunOptions, RunReport, Skip, display_path, languages_in, run, source_walk,
};
pub use source::{ReadError, SourceText, decode, read_source};
pub use write::{Change, WriteError, write_atomic, write_changeset, write_changeset_until};
