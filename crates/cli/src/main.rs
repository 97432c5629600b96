use std::process::ExitCode;

fn main() -> ExitCode {
    quietlegs::main_with_args(std::env::args_os())
}
