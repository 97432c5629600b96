//! Runs `browser-tests/story.mjs`: a new person's first week in a real headless Chromium
//! (Debian's), with screenshots at 375 and 1280 px and an axe-core check of every page. Needs
//! `node`, `npm` and `/usr/bin/chromium`; when they are missing the test says so and passes,
//! unless `QUIETLEGS_REQUIRE_BROWSER=1` (set by `.ci/run`) demands the run.

mod common;

use std::path::PathBuf;
use std::process::Command;

#[test]
fn a_new_persons_first_week_in_chromium() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    let chromium = std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
    let required = std::env::var("QUIETLEGS_REQUIRE_BROWSER").is_ok_and(|v| v == "1");
    if !std::path::Path::new(&chromium).exists() {
        assert!(!required, "{chromium} is missing");
        eprintln!("{chromium} missing: browser story not run");
        return;
    }
    let Some(dir) = common::node_tools() else {
        return;
    };
    let shots = std::env::var("SCREENSHOTS")
        .map(PathBuf::from)
        .unwrap_or_else(|_| root.join("target/screenshots"));
    let out = Command::new("node")
        .arg("story.mjs")
        .current_dir(&dir)
        .env("QUIETLEGS_BIN", env!("CARGO_BIN_EXE_quietlegs"))
        .env("CHROMIUM", &chromium)
        .env("SCREENSHOTS", &shots)
        .output()
        .expect("node runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    println!("{stdout}");
    assert!(
        out.status.success(),
        "browser story failed:\n{stdout}\n{stderr}"
    );
    assert!(stdout.contains("browser story: passed"), "{stdout}");
    assert!(shots.join("checkin-375.png").exists());
}
