//! Real Apple Health exports from open-source parsers' test folders, and a Fitbit Takeout record (in
//! `../shared/real-samples/`, read from there, never copied): each is read, and whatever is not
//! turned into a night of sleep or a day's activity is said, never silently dropped.

use std::path::PathBuf;

#[test]
fn real_apple_exports_are_read_and_account_for_every_record() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/real-samples");
    let Ok(listing) = std::fs::read_dir(&dir) else {
        eprintln!("../shared/real-samples is not here: real files not checked");
        return;
    };
    let mut files: Vec<PathBuf> = listing
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with("apple_") && n.ends_with(".xml"))
        })
        .collect();
    files.sort();
    assert!(
        !files.is_empty(),
        "the Apple samples are listed in SOURCES.md"
    );
    for file in &files {
        let text = std::fs::read_to_string(file).expect("read");
        let name = file.display().to_string();
        let read = quietlegs_io::apple_health::read_export(text.as_bytes(), &name, |_| {})
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        let records = text.matches("<Record ").count();
        let taken: usize = [
            "HKCategoryTypeIdentifierSleepAnalysis",
            "\"HKQuantityTypeIdentifierStepCount\"",
            "\"HKQuantityTypeIdentifierRestingHeartRate\"",
        ]
        .iter()
        .map(|t| text.matches(t).count())
        .sum();
        let said: usize = read
            .skipped
            .iter()
            .filter(|l| l.contains("not sleep"))
            .filter_map(|l| l.split_whitespace().nth(1)?.parse::<usize>().ok())
            .sum();
        assert_eq!(said, records - taken, "{name}: {:?}", read.skipped);
        assert!(
            !read.sleep.is_empty() || !read.activity.is_empty() || !read.skipped.is_empty(),
            "{name}: an import that adds nothing says why"
        );
    }
}

/// The real Apple exports' workouts and steps, against totals worked out by hand from the files.
#[test]
fn real_apple_exports_give_each_days_workouts_and_steps() {
    use jiff::civil::date;
    use quietlegs_core::journal::DayActivity;
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/real-samples");
    let read = |name: &str| {
        let file = dir.join(name);
        let text = std::fs::read_to_string(&file).ok()?;
        Some(
            quietlegs_io::apple_health::read_export(text.as_bytes(), name, |_| {})
                .unwrap_or_else(|e| panic!("{name}: {e}")),
        )
    };
    let Some(dogsheep) = read("apple_dogsheep_export.xml") else {
        eprintln!("../shared/real-samples is not here: real activity not checked");
        return;
    };
    // One run, 07:25:41-07:30:52 (-0700): 311 s. Its `duration` says 5.194 min; the interval
    // is what the watch recorded. The route's "Simon's iPhone" is a child, not a workout.
    assert_eq!(
        dogsheep.activity,
        vec![DayActivity {
            date: date(2016, 11, 14),
            // Apple writes the device name with a no-break space; it is kept as written.
            source: "Apple\u{a0}Watch".into(),
            exercise_minutes: Some(311.0 / 60.0),
            exercise_end: "07:30".parse().ok(),
            steps: None,
            resting_hr: None,
        }]
    );
    let tdda = read("apple_tdda_export6s3sample.xml").expect("the tdda sample is beside it");
    // Ten step counts on 2014-09-13 from "Health": 329 + 283 + 426 + 61 + 10 + 200 + 390 + 320
    // + 216 + 282 = 2517. One workout on 2016-04-02, 10:40:38-11:12:22: 31 min 44 s.
    assert_eq!(
        tdda.activity,
        vec![
            DayActivity {
                date: date(2014, 9, 13),
                source: "Health".into(),
                exercise_minutes: None,
                exercise_end: None,
                steps: Some(2517),
                resting_hr: None,
            },
            DayActivity {
                date: date(2016, 4, 2),
                source: "NJR Apple\u{a0}Watch".into(),
                exercise_minutes: Some(1904.0 / 60.0),
                exercise_end: "11:12".parse().ok(),
                steps: None,
                resting_hr: None,
            },
        ]
    );
    assert!(
        tdda.skipped
            .iter()
            .any(|l| l.starts_with("skipped 5 records that are not sleep")),
        "the five distances are said: {:?}",
        tdda.skipped
    );
}

#[test]
fn the_real_fitbit_takeout_record_is_read_with_its_restlessness() {
    let file = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/real-samples/fitbit_takeout_sleep-2021-08-30.json");
    let Ok(text) = std::fs::read_to_string(&file) else {
        eprintln!("../shared/real-samples is not here: the Fitbit file is not checked");
        return;
    };
    let name = file.display().to_string();
    let head = &text.as_bytes()[..text.len().min(quietlegs_io::formats::GUESS_BYTES)];
    assert_eq!(
        quietlegs_io::formats::Format::guess(&name, head),
        Some(quietlegs_io::formats::Format::Fitbit)
    );
    let read = quietlegs_io::fitbit::read_sleep(&text, &name).expect("reads");
    let logs: serde_json::Value = serde_json::from_str(&text).expect("json");
    let naps = logs
        .as_array()
        .expect("a list")
        .iter()
        .filter(|l| l["mainSleep"] == false)
        .count();
    // Every log is a night or said to be skipped.
    let said: usize = read
        .skipped
        .iter()
        .filter_map(|l| l.split_whitespace().nth(1)?.parse::<usize>().ok())
        .sum();
    assert_eq!(
        read.bundle.sleep.len() + said,
        logs.as_array().expect("list").len()
    );
    assert!(said >= naps, "{:?}", read.skipped);
    for r in &read.bundle.sleep {
        assert!(
            r.restless_minutes.is_some(),
            "classic logs carry restlessness"
        );
    }
}
