//! Insights, experiments and the plan's feedback through the command line.

use serde_json::Value;

mod common;
use common::{Scratch, run};

fn ok(db: &str, args: &[&str]) -> String {
    String::from_utf8(common::ok(db, args)).expect("utf-8")
}

/// 90 nights: `took:ID` off for 30, then on, 2 points better with it; alcohol on every third
/// night adds 2 points. Noise is a fixed pseudo-random pattern, so the test is deterministic.
fn journal(id: &str) -> String {
    let mut csv = format!("night,severity,alcohol_drinks,took:{id},notes\n");
    let mut state: u32 = 12345;
    let mut day = jiff::civil::date(2026, 5, 1);
    for i in 0..90 {
        state = state.wrapping_mul(1_103_515_245).wrapping_add(12345);
        let noise = i32::try_from((state >> 16) % 3).expect("small") - 1;
        let on = i >= 30;
        let alcohol = i % 3 == 0;
        let severity =
            (6 + noise - if on { 2 } else { 0 } + if alcohol { 2 } else { 0 }).clamp(0, 10);
        csv.push_str(&format!(
            "{day},{severity},{},{},\n",
            if alcohol { 2 } else { 0 },
            u8::from(on)
        ));
        day = day.tomorrow().expect("date");
    }
    csv
}

#[test]
fn a_journal_file_is_analysed_without_a_database() {
    let s = Scratch::new("file");
    let file = s.path("journal.csv");
    std::fs::write(&file, journal("magnesium")).expect("write");
    let file = file.to_string_lossy().into_owned();
    // A database URL that cannot be opened proves none is touched.
    let v: Value = serde_json::from_str(&ok(
        "postgres://nobody@127.0.0.1:1/none",
        &["insights", "--journal", &file, "--json"],
    ))
    .expect("one JSON document");
    assert_eq!(v["nights"], 90);
    let e = &v["experiments"][0];
    assert_eq!(e["id"], "magnesium");
    assert_eq!(e["design"], "ab");
    assert_eq!(e["baseline_nights"], 30);
    assert_eq!(e["treatment_nights"], 60);
    assert_eq!(e["verdict"], "helps", "{e}");
    let [lo, hi] = [
        e["ci95"][0].as_f64().expect("lo"),
        e["ci95"][1].as_f64().expect("hi"),
    ];
    assert!(lo < -1.0 && hi < 0.0, "{lo} {hi}");
    let alcohol = v["triggers"]
        .as_array()
        .expect("triggers")
        .iter()
        .find(|t| t["factor"] == "alcohol" && t["lag"] == 0)
        .expect("alcohol is analysed");
    assert_eq!(alcohol["verdict"], "likely-trigger");
    // The first night has no night before it, so the model (which also tests the next-night
    // effect) starts on the second: 29 of the 30 alcohol nights.
    assert_eq!(alcohol["exposed_nights"], 29);
    assert!(alcohol["q_value"].as_f64().expect("q") < 0.05);

    let human = ok(
        "sqlite:///nonexistent/dir/q.db",
        &["insights", "--journal", &file],
    );
    assert!(human.contains("Magnesium: helps"), "{human}");
    assert!(human.contains("association, not proof"), "{human}");
    assert!(human.contains("not medical advice"), "{human}");
}

#[test]
fn a_bad_journal_is_named_and_exits_2() {
    let s = Scratch::new("bad");
    let file = s.path("bad.csv");
    std::fs::write(&file, "night,severity\n2026-05-01,4\n2026-05-02,eleven\n").expect("write");
    let out = run(
        &s.db("q.db"),
        &["insights", "--journal", &file.to_string_lossy()],
    );
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("bad.csv") && err.contains('3') && err.contains("severity"),
        "{err}"
    );
    assert!(!s.path("q.db").exists(), "no database is created");
    let out = run(&s.db("q.db"), &["insights", "--json", "--meaningful", "-1"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn experiments_are_checked_recorded_and_feed_the_plan() {
    let s = Scratch::new("plan");
    let db = s.db("q.db");
    let profile = concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples/profile.toml");
    ok(&db, &["profile", "set", profile]);

    // Refused: harmful, lasting (for on/off), unknown, not a change to try.
    for (args, needle) in [
        (vec!["experiment", "start", "melatonin"], "graded X"),
        (
            vec!["experiment", "start", "iron-oral", "--on-off"],
            "lasts after",
        ),
        (
            vec!["experiment", "start", "unicorn-dust"],
            "not in the knowledge base",
        ),
        (vec!["experiment", "start", "ckd"], "not a change to try"),
    ] {
        let out = run(&db, &args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(
            String::from_utf8_lossy(&out.stderr).contains(needle),
            "{args:?}"
        );
    }

    // A randomised schedule is rebuilt from its recorded seed.
    let started: Value = serde_json::from_str(&ok(
        &db,
        &[
            "experiment",
            "start",
            "compression-socks",
            "--on-off",
            "--seed",
            "42",
            "--period",
            "7",
            "--start",
            "2026-09-01",
            "--json",
        ],
    ))
    .expect("json");
    assert_eq!(started["experiment"]["schedule"]["seed"], 42);
    let periods = started["periods"].as_array().expect("periods");
    assert_eq!(periods.len(), 10);
    for pair in periods.chunks(2) {
        assert_ne!(
            pair[0]["on"], pair[1]["on"],
            "each pair has one on and one off period"
        );
    }
    let again = ok(&db, &["experiment", "list", "--json"]);
    assert!(again.contains("\"seed\": 42"), "{again}");
    let out = run(&db, &["experiment", "start", "compression-socks"]);
    assert_eq!(
        out.status.code(),
        Some(2),
        "one running experiment per change"
    );
    ok(&db, &["experiment", "abandon", "compression-socks"]);

    // Exercise tried and judged on the journal: the plan keeps it and moves the next change up.
    let before: Value =
        serde_json::from_str(&ok(&db, &["plan", "--json", "--today", "2026-12-01"])).expect("plan");
    let try_steps = |plan: &Value| -> Vec<(String, Value, Value)> {
        plan["steps"]
            .as_array()
            .expect("steps")
            .iter()
            .filter(|s| s["stage"] == "try")
            .map(|s| {
                (
                    s["id"].as_str().unwrap_or("").to_string(),
                    s["start_day"].clone(),
                    s["outcome"].clone(),
                )
            })
            .collect()
    };
    let yoga_before = try_steps(&before)
        .into_iter()
        .find(|s| s.0 == "yoga")
        .expect("yoga");
    let file = s.path("journal.csv");
    std::fs::write(&file, journal("exercise")).expect("write");
    ok(&db, &["import", &file.to_string_lossy()]);
    let after: Value =
        serde_json::from_str(&ok(&db, &["plan", "--json", "--today", "2026-12-01"])).expect("plan");
    let steps = try_steps(&after);
    let exercise = steps.iter().find(|s| s.0 == "exercise").expect("exercise");
    assert_eq!(exercise.2, "helps");
    assert!(exercise.1.is_null(), "a kept change has no start day");
    let yoga = steps.iter().find(|s| s.0 == "yoga").expect("yoga");
    assert!(
        yoga.1.as_u64() < yoga_before.1.as_u64(),
        "yoga moves up: {:?} -> {:?}",
        yoga_before.1,
        yoga.1
    );
    let human = ok(&db, &["plan", "--today", "2026-12-01"]);
    assert!(human.contains("it helped you"), "{human}");

    // A change in progress is the current step.
    ok(
        &db,
        &["experiment", "start", "yoga", "--start", "2026-11-28"],
    );
    let now: Value =
        serde_json::from_str(&ok(&db, &["plan", "--json", "--today", "2026-12-01"])).expect("plan");
    let steps = try_steps(&now);
    let yoga = steps.iter().find(|s| s.0 == "yoga").expect("yoga");
    assert_eq!(yoga.2, "in-progress");
    assert_eq!(yoga.1, 0);
}

/// A Fitbit Takeout sleep file of our own: one main sleep per night from 23:00, with the
/// restless minutes the tracker measured.
fn fitbit_sleep(nights: &[(jiff::civil::Date, u32)]) -> String {
    let logs: Vec<Value> = nights
        .iter()
        .enumerate()
        .map(|(i, (night, restless))| {
            let end = night.tomorrow().expect("date");
            serde_json::json!({
                "logId": 9_000_000 + i,
                "dateOfSleep": end.to_string(),
                "startTime": format!("{night}T23:00:00.000"),
                "endTime": format!("{end}T06:30:00.000"),
                "duration": 27_000_000,
                "minutesAsleep": 420,
                "minutesAwake": 30,
                "timeInBed": 450,
                "type": "classic",
                "mainSleep": true,
                "levels": {"summary": {
                    "restless": {"count": restless / 3, "minutes": restless},
                    "awake": {"count": 1, "minutes": 4},
                    "asleep": {"count": 0, "minutes": 420 - restless}
                }}
            })
        })
        .collect();
    Value::Array(logs).to_string()
}

#[test]
fn a_trackers_restlessness_is_shown_and_judged_as_a_second_outcome() {
    let s = Scratch::new("tracker");
    let db = s.db("q");
    let today = jiff::Zoned::now().date();
    let mut state: u32 = 777;
    let mut csv = String::from("night,severity,took:magnesium\n");
    let mut tracked = Vec::new();
    for n in (1..=60).rev() {
        let night = today.checked_sub(jiff::Span::new().days(n)).expect("date");
        state = state.wrapping_mul(1_103_515_245).wrapping_add(12345);
        let wobble = (state >> 16) % 7;
        let on = n <= 35;
        let severity = if on { 4 } else { 6 } + (wobble % 3) - 1;
        csv.push_str(&format!("{night},{severity},{}\n", u8::from(on)));
        // The watch is left off one night in five.
        if n % 5 != 0 {
            tracked.push((night, if on { 18 } else { 40 } + wobble * 2));
        }
    }
    let journal = s.path("journal.csv");
    std::fs::write(&journal, csv).expect("write");
    ok(&db, &["import", journal.to_str().expect("path")]);
    let sleep = s.path("sleep-2026-01-01.json");
    std::fs::write(&sleep, fitbit_sleep(&tracked)).expect("write");
    ok(&db, &["import", sleep.to_str().expect("path")]);

    let v: Value = serde_json::from_str(&ok(&db, &["insights", "--json"])).expect("json");
    assert_eq!(
        v["objective"]["measure"], "restless-minutes",
        "{}",
        v["objective"]
    );
    assert_eq!(v["objective"]["nights"], 48);
    assert!(
        v["objective"]["correlation_with_severity"]
            .as_f64()
            .expect("r")
            > 0.5
    );
    let e = &v["experiments"][0];
    assert_eq!(e["id"], "magnesium");
    let o = &e["objective"];
    assert_eq!(o["proxy"], true);
    assert_eq!(o["verdict"], "lower", "{o}");
    assert_eq!(o["baseline_nights"], 20);
    assert_eq!(o["treatment_nights"], 28);
    let effect = o["effect"].as_f64().expect("effect");
    let [lo, hi] = [
        o["ci95"][0].as_f64().expect("lo"),
        o["ci95"][1].as_f64().expect("hi"),
    ];
    assert!(lo < effect && effect < hi && hi < 0.0, "{lo} {effect} {hi}");
    assert!(
        (effect + 22.0).abs() < 6.0,
        "about 22 minutes fewer: {effect}"
    );

    let text = ok(&db, &["insights"]);
    assert!(
        text.contains("Tracker (a proxy): Your tracker measured fewer restless minutes"),
        "{text}"
    );

    let out = s.path("report.html");
    ok(&db, &["report", "--out", out.to_str().expect("path")]);
    let html = std::fs::read_to_string(&out).expect("report");
    assert!(
        html.contains("Measured by a sleep tracker."),
        "report names the proxy"
    );
    assert!(html.contains("less restlessness measured"));
}
