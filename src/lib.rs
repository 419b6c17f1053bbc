//! The `iacfix` command line: clap-derived subcommands over the catalogue, the engine and the
//! applier. [`main_with_args`] is the seam tests call in-process.
//!
//! Exit codes ([`ExitStatus`]): 0 clean, 1 findings or changes needed, 2 error.

mod args;
mod bulk;
mod catalogue;
mod commands;
mod config;
pub mod output;
mod report;
mod review;
mod settings;
pub mod summary;
mod units;

use clap::Parser;
use std::ffi::OsString;
use std::io::Write;
use std::process::ExitCode;

pub use args::{Cli, Command};

/// How a run ended; the process exit code.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum ExitStatus {
    /// 0: nothing found, nothing to change (or everything was fixed).
    Success,
    /// 1: findings remain, or changes are needed (`check`, `apply --dry-run`), or tests failed.
    Failure,
    /// 2: an error: bad arguments, a bad catalogue, a file that could not be processed.
    Error,
}

impl From<ExitStatus> for ExitCode {
    fn from(status: ExitStatus) -> ExitCode {
        ExitCode::from(match status {
            ExitStatus::Success => 0,
            ExitStatus::Failure => 1,
            ExitStatus::Error => 2,
        })
    }
}

/// The streams of a command.
pub struct Io<'a> {
    pub out: &'a mut dyn Write,
    pub err: &'a mut dyn Write,
    /// Answers to `--interactive` questions.
    pub input: &'a mut dyn std::io::BufRead,
    /// Whether `out` is a terminal (colour by default).
    pub out_is_terminal: bool,
    /// Whether `err` is a terminal (progress display).
    pub err_is_terminal: bool,
}

/// Parses `args` (the first being the program name) and runs the command, reading no input
/// and writing to streams that are not terminals.
pub fn main_with_args<I, T>(args: I, out: &mut dyn Write, err: &mut dyn Write) -> ExitCode
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    let mut input = std::io::empty();
    main_with_io(
        args,
        Io {
            out,
            err,
            input: &mut input,
            out_is_terminal: false,
            err_is_terminal: false,
        },
    )
}

/// [`main_with_args`] with all the streams given.
pub fn main_with_io<I, T>(args: I, io: Io<'_>) -> ExitCode
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    let Io {
        out,
        err,
        input,
        out_is_terminal,
        err_is_terminal,
    } = io;
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(error) => {
            let text = error.render().to_string();
            let write = if error.use_stderr() {
                err.write_all(text.as_bytes())
            } else {
                out.write_all(text.as_bytes())
            };
            if write.is_err() || !error.use_stderr() {
                return ExitCode::SUCCESS;
            }
            return ExitStatus::Error.into();
        }
    };
    let mut io = Io {
        out,
        err,
        input,
        out_is_terminal,
        err_is_terminal,
    };
    match commands::run(cli, &mut io) {
        Ok(status) => status.into(),
        Err(error) => {
            // A closed pipe (`iacfix check | head`) is not an error (as ripgrep).
            if is_broken_pipe(&error) {
                return ExitCode::SUCCESS;
            }
            print_error(io.err, &error);
            ExitStatus::Error.into()
        }
    }
}

/// `error: <error>` and a `caused by:` line per cause.
/// A closed pipe on standard output is not reported (`iacfix apply --dry-run | head`).
pub(crate) fn print_error(err: &mut dyn Write, error: &anyhow::Error) {
    if is_broken_pipe(error) {
        return;
    }
    let _ = writeln!(err, "error: {error}");
    for cause in error.chain().skip(1) {
        let _ = writeln!(err, "  caused by: {cause}");
    }
}

fn is_broken_pipe(error: &anyhow::Error) -> bool {
    error.chain().any(|cause| {
        cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}
