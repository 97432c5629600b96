use std::process::ExitCode;

fn main() -> ExitCode {
    restore_default_sigpipe();
    quietlegs::main_with_args(std::env::args_os())
}

/// Rust ignores SIGPIPE, so `quietlegs export --format csv | head` would panic on the closed
/// pipe; the default action ends the process quietly, as every Unix tool does.
#[cfg(unix)]
fn restore_default_sigpipe() {
    // SAFETY: called first thing in main, before any other thread exists.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
}

#[cfg(not(unix))]
fn restore_default_sigpipe() {}
