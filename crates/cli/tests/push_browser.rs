//! Runs `browser-tests/push.mjs`: in a real headless Chromium (Debian's) against server mode, the
//! settings page offers "Remind me on this phone", a failed subscription is said in words, and a
//! push message delivered to the service worker is shown as the reminder's notification, opening
//! a page of this app only. Needs `node`, `npm` and `/usr/bin/chromium`; when they are missing
//! the test says so and passes, unless `QUIETLEGS_REQUIRE_BROWSER=1` (set by `.ci/run`) demands
//! the run.

mod common;

use std::process::Command;

#[test]
fn a_push_message_becomes_the_reminders_notification_in_chromium() {
    let chromium = std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
    let required = std::env::var("QUIETLEGS_REQUIRE_BROWSER").is_ok_and(|v| v == "1");
    if !std::path::Path::new(&chromium).exists() {
        assert!(!required, "{chromium} is missing");
        eprintln!("{chromium} missing: the Web Push browser check is not run");
        return;
    }
    let Some(dir) = common::node_tools() else {
        return;
    };
    let out = Command::new("node")
        .arg("push.mjs")
        .current_dir(&dir)
        .env("QUIETLEGS_BIN", env!("CARGO_BIN_EXE_quietlegs"))
        .env("CHROMIUM", &chromium)
        .output()
        .expect("node runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    println!("{stdout}");
    assert!(
        out.status.success(),
        "push browser check failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("push in the browser: passed"), "{stdout}");
}
