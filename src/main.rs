use std::io::IsTerminal;
use std::process::ExitCode;

fn main() -> ExitCode {
    let stdout = std::io::stdout();
    let stderr = std::io::stderr();
    let stdin = std::io::stdin();
    let out_is_terminal = stdout.is_terminal();
    let err_is_terminal = stderr.is_terminal();
    iacfix::main_with_io(
        std::env::args_os(),
        iacfix::Io {
            out: &mut stdout.lock(),
            // Not locked for the whole run: the progress display writes to stderr from its own
            // thread.
            err: &mut std::io::stderr(),
            input: &mut stdin.lock(),
            out_is_terminal,
            err_is_terminal,
        },
    )
}
