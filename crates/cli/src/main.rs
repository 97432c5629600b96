use std::process::ExitCode;

fn main() -> ExitCode {
    restore_default_sigpipe();
    return_large_blocks_to_the_os();
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

/// Password hashing (Argon2id) allocates 19 MiB per sign-in. glibc raises its mmap threshold
/// after the first such block is freed, so later ones come from per-thread arenas and stay in
/// the process: 50 sign-ins left the server 116 MB larger. A fixed threshold keeps large blocks
/// mmapped, so they go back to the OS when freed.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn return_large_blocks_to_the_os() {
    // SAFETY: called first thing in main, before any other thread exists or allocates much.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 1 << 20);
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn return_large_blocks_to_the_os() {}
