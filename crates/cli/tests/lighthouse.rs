//! Runs `browser-tests/lighthouse.mjs`: Lighthouse at its default mobile settings on home,
//! Tonight and check-in, signed in as a person with a profile and a few nights, in Debian's
//! Chromium. Performance, accessibility and best practices must each score at least 95. Needs
//! `node`, `npm` and `/usr/bin/chromium`; when they are missing the test says so and passes,
//! unless `QUIETLEGS_REQUIRE_BROWSER=1` (set by `.ci/run`) demands the run.

mod common;

use std::path::PathBuf;

#[test]
fn home_tonight_and_checkin_score_95_in_lighthouse() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    let reports = std::env::var("LIGHTHOUSE_REPORTS")
        .map(PathBuf::from)
        .unwrap_or_else(|_| root.join("target/lighthouse"));
    let ran = common::browser_script(
        "lighthouse.mjs",
        "lighthouse: passed",
        &[("LIGHTHOUSE_REPORTS", reports.as_os_str())],
    );
    if ran.is_some() {
        assert!(reports.join("checkin.html").exists());
    }
}
