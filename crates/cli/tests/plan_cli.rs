//! `quietlegs plan` and `quietlegs assess`, run as a person or a script would.

use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

use serde_json::Value;

fn quietlegs(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_quietlegs"))
        .args(args)
        .env("COLUMNS", "80")
        .stdin(Stdio::null())
        .output()
        .expect("the quietlegs binary runs")
}

fn example() -> String {
    concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples/profile.toml").to_string()
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("quietlegs-plan-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

#[test]
fn plan_json_for_the_example_profile() {
    let out = quietlegs(&[
        "plan",
        "--profile",
        &example(),
        "--json",
        "--today",
        "2026-11-23",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let plan: Value = serde_json::from_slice(&out.stdout).expect("one JSON document");
    assert!(
        plan["disclaimer"]
            .as_str()
            .is_some_and(|d| d.contains("not medical advice"))
    );
    assert_eq!(plan["screening"]["criteria_met"], true);
    let codes: Vec<&str> = plan["flags"]
        .as_array()
        .expect("flags")
        .iter()
        .filter_map(|f| f["code"].as_str())
        .collect();
    assert!(codes.contains(&"drug-trigger"), "{codes:?}");
    assert!(codes.contains(&"iron-deficient"), "{codes:?}");
    let steps = plan["steps"].as_array().expect("steps");
    assert!(steps.iter().any(|s| s["id"] == "iron-oral"));
}

#[test]
fn plan_reads_well_in_a_terminal() {
    let out = quietlegs(&["plan", "--profile", &example(), "--today", "2026-11-23"]);
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("not medical advice"));
    assert!(text.contains("Changes to try, one at a time"));
    assert!(text.contains("Tonight's routine (bedtime 22:30)"));
    assert!(text.contains("22:00"), "stretching 30 minutes before bed");
}

#[test]
fn plan_writes_a_calendar_when_asked() {
    let dir = scratch("ics");
    let ics = dir.join("plan.ics");
    let out = quietlegs(&[
        "plan",
        "--profile",
        &example(),
        "--today",
        "2026-11-23",
        "--ics",
        ics.to_str().expect("utf-8"),
    ]);
    assert!(out.status.success());
    let text = std::fs::read_to_string(&ics).expect("calendar written");
    std::fs::remove_dir_all(&dir).ok();
    assert!(text.starts_with("BEGIN:VCALENDAR"));
    assert!(text.contains("RRULE:FREQ=DAILY"));
}

#[test]
fn a_bad_profile_exits_2_names_the_field_and_writes_nothing() {
    let dir = scratch("bad");
    let ics = dir.join("plan.ics");
    for (name, body, field) in [
        (
            "unit.toml",
            "[symptoms]\n[[labs]]\ntest = \"ferritin\"\nvalue = 40\nunit = \"bananas\"\n",
            "labs[0].unit",
        ),
        (
            "negative.toml",
            "[symptoms]\n[[labs]]\ntest = \"ferritin\"\nvalue = -3\nunit = \"ng/mL\"\n",
            "labs[0].value",
        ),
        ("time.toml", "bedtime = \"25:00\"\n[symptoms]\n", "bedtime"),
        (
            "tz.toml",
            "timezone = \"Mars/Olympus\"\n[symptoms]\n",
            "timezone",
        ),
        (
            "field.json",
            "{\"symptoms\": {\"onset\": \"noon\"}}",
            "symptoms.onset",
        ),
    ] {
        let path = dir.join(name);
        std::fs::write(&path, body).expect("write");
        let out = quietlegs(&[
            "plan",
            "--profile",
            path.to_str().expect("utf-8"),
            "--ics",
            ics.to_str().expect("utf-8"),
        ]);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{name}: {err}");
        assert!(err.contains(name), "names the file: {err}");
        assert!(err.contains(field), "{name} names {field}: {err}");
        assert!(out.stdout.is_empty(), "{name}: nothing on stdout");
        assert!(!ics.exists(), "{name}: nothing written");
    }
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn a_missing_profile_file_exits_2() {
    let out = quietlegs(&["plan", "--profile", "/no/such/profile.toml"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("/no/such/profile.toml"));
}

#[test]
fn assess_json_from_a_profile() {
    let out = quietlegs(&["assess", "--profile", &example(), "--json"]);
    assert!(out.status.success());
    let doc: Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(doc["screening"]["criteria_met"], true);
    assert_eq!(doc["screening"]["jhrlss"], 2);
    assert!(doc["disclaimer"].is_string());
}

#[test]
fn assess_without_a_profile_or_terminal_explains_itself() {
    let out = quietlegs(&["assess"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--profile"));
}
