//! Runs `browser-tests/lighthouse.mjs`: Lighthouse at its default mobile settings on home,
//! Tonight and check-in, signed in as a person with a profile and a few nights, in Debian's
//! Chromium. Performance, accessibility and best practices must each score at least 95. Needs
//! `node`, `npm` and `/usr/bin/chromium`; when they are missing the test says so and passes,
//! unless `QUIETLEGS_REQUIRE_BROWSER=1` (set by `.ci/run`) demands the run.

mod common;

use std::path::PathBuf;
use std::process::Command;

#[test]
fn home_tonight_and_checkin_score_95_in_lighthouse() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    let chromium = std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
    let required = std::env::var("QUIETLEGS_REQUIRE_BROWSER").is_ok_and(|v| v == "1");
    if !std::path::Path::new(&chromium).exists() {
        assert!(!required, "{chromium} is missing");
        eprintln!("{chromium} missing: Lighthouse not run");
        return;
    }
    let Some(dir) = common::node_tools() else {
        return;
    };
    let reports = std::env::var("LIGHTHOUSE_REPORTS")
        .map(PathBuf::from)
        .unwrap_or_else(|_| root.join("target/lighthouse"));
    let out = Command::new("node")
        .arg("lighthouse.mjs")
        .current_dir(&dir)
        .env("QUIETLEGS_BIN", env!("CARGO_BIN_EXE_quietlegs"))
        // chrome-launcher reads CHROME_PATH; without it, it would look for Google Chrome.
        .env("CHROME_PATH", &chromium)
        .env("LIGHTHOUSE_REPORTS", &reports)
        .output()
        .expect("node runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    println!("{stdout}");
    assert!(
        out.status.success(),
        "Lighthouse failed:\n{stdout}\n{stderr}"
    );
    assert!(stdout.contains("lighthouse: passed"), "{stdout}");
    assert!(reports.join("checkin.html").exists());
}
