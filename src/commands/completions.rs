//! `iacfix completions <shell>`: a completion script, generated from the command line's
//! definition by `clap_complete` (so it never goes stale).

use crate::args::Cli;
use crate::{ExitStatus, Io};
use clap::{Args, CommandFactory};
use clap_complete::Shell;

/// Arguments of `iacfix completions`.
#[derive(Debug, Args)]
#[command(after_help = "Install, e.g.:\n  \
    bash: iacfix completions bash > ~/.local/share/bash-completion/completions/iacfix\n  \
    zsh:  iacfix completions zsh > ~/.zfunc/_iacfix  (with `fpath+=~/.zfunc` before compinit)\n  \
    fish: iacfix completions fish > ~/.config/fish/completions/iacfix.fish")]
pub struct CompletionsArgs {
    /// The shell to complete in.
    #[arg(value_enum)]
    pub shell: Shell,
}

pub fn run(args: &CompletionsArgs, io: &mut Io<'_>) -> anyhow::Result<ExitStatus> {
    // Into a buffer: clap_complete panics on a write error (e.g. a closed pipe).
    let mut script = Vec::new();
    clap_complete::generate(args.shell, &mut Cli::command(), "iacfix", &mut script);
    io.out.write_all(&script)?;
    Ok(ExitStatus::Success)
}
