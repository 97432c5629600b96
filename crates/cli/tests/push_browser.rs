//! Runs `browser-tests/push.mjs`: in a real headless Chromium (Debian's) against server mode, the
//! settings page offers "Remind me on this phone", a failed subscription is said in words, and a
//! push message delivered to the service worker is shown as the reminder's notification, opening
//! a page of this app only. Needs `node`, `npm` and `/usr/bin/chromium`; when they are missing
//! the test says so and passes, unless `QUIETLEGS_REQUIRE_BROWSER=1` (set by `.ci/run`) demands
//! the run.

mod common;

#[test]
fn a_push_message_becomes_the_reminders_notification_in_chromium() {
    common::browser_script("push.mjs", "push in the browser: passed", &[]);
}
