//! Runs `browser-tests/story.mjs`: a new person's first week in a real headless Chromium
//! (Debian's), with screenshots at 375 and 1280 px and an axe-core check of every page. Needs
//! `node`, `npm` and `/usr/bin/chromium`; when they are missing the test says so and passes,
//! unless `QUIETLEGS_REQUIRE_BROWSER=1` (set by `.ci/run`) demands the run.

mod common;

use std::path::PathBuf;

#[test]
fn a_new_persons_first_week_in_chromium() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    let shots = std::env::var("SCREENSHOTS")
        .map(PathBuf::from)
        .unwrap_or_else(|_| root.join("target/screenshots"));
    let ran = common::browser_script(
        "story.mjs",
        "browser story: passed",
        &[("SCREENSHOTS", shots.as_os_str())],
    );
    if ran.is_some() {
        assert!(shots.join("checkin-375.png").exists());
    }
}
