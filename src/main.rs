use std::process::ExitCode;

fn main() -> ExitCode {
    let stdout = std::io::stdout();
    let stderr = std::io::stderr();
    iacfix::main_with_args(std::env::args_os(), &mut stdout.lock(), &mut stderr.lock())
}
