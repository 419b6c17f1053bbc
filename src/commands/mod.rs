//! One module per subcommand, each with its `Args` struct and its `run`.

pub mod apply;
pub mod check;
pub mod completions;
pub mod config;
pub mod explain;
pub mod list;
pub mod report;
pub mod test;

use crate::args::{Cli, Command};
use crate::{ExitStatus, Io};

pub fn run(cli: Cli, io: &mut Io<'_>) -> anyhow::Result<ExitStatus> {
    match cli.command {
        Command::Check(args) => check::run(&args, io),
        Command::Apply(args) => apply::run(&args, io),
        Command::List(args) => list::run(&args, io),
        Command::Explain(args) => explain::run(&args, io),
        Command::Test(args) => test::run(&args, io),
        Command::Report(args) => report::run(&args, io),
        Command::Config(args) => config::run(&args, io),
        Command::Completions(args) => completions::run(&args, io),
    }
}
