//! Real Apple Health exports from open-source parsers' test folders, and a Fitbit Takeout record (in
//! `../shared/real-samples/`, read from there, never copied): each is read, and whatever is not
//! turned into a night of sleep is said, never silently dropped.

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
        let read = quietlegs_io::apple_health::read_sleep_counted(text.as_bytes(), &name, |_| {})
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        let records = text.matches("<Record ").count();
        let sleep = text
            .matches("HKCategoryTypeIdentifierSleepAnalysis")
            .count();
        let said: usize = read
            .skipped
            .iter()
            .filter(|l| l.contains("not sleep"))
            .filter_map(|l| l.split_whitespace().nth(1)?.parse::<usize>().ok())
            .sum();
        assert_eq!(said, records - sleep, "{name}: {:?}", read.skipped);
        assert!(
            !read.records.is_empty() || !read.skipped.is_empty(),
            "{name}: an import that adds nothing says why"
        );
    }
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
