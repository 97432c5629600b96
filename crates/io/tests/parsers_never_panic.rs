//! Property-based fuzzing of every parser that reads a person's files: arbitrary bytes, and
//! valid files with random edits (so the fuzzing reaches past the first line). Each parser must
//! answer with a value or an error, never a panic. Bounded (a few thousand cases per parser) so
//! it runs in every `cargo test`.

use proptest::prelude::*;
use quietlegs_core::journal::Bundle;
use quietlegs_core::profile::{Profile, ProfileFormat};

const CSV: &str = "night,severity,onset,sleep_hours,awakenings,caffeine_mg,last_caffeine,alcohol_drinks,\
exercise_minutes,exercise_intensity,exercise_end,sugar_late,antihistamine,took:magnesium,notes,x:mood\n\
2026-11-01,6,21:15,6.5,2,150,14:00,1,30,vigorous,19:30,1,0,1,\"long, drive\",low\n\
2026-11-02,3,,7,,0,,0,,,,0,0,0,,\n";

const PROFILE_TOML: &str = "age = 52\nsex = \"female\"\nbedtime = \"22:30\"\ntimezone = \"Europe/Berlin\"\n\
[symptoms]\nurge_to_move = true\nworse_at_rest = true\nonset = \"evening\"\nsensations = [\"crawling\"]\n\
conditions = [\"ckd\"]\n[[labs]]\ntest = \"ferritin\"\nvalue = 42\nunit = \"ng/mL\"\ndate = \"2026-10-01\"\n\
[habits]\ncaffeine_mg_per_day = 300\nlast_caffeine = \"15:00\"\n";

const PROFILE_JSON: &str = r#"{"age": 52, "bedtime": "22:30", "symptoms": {"urge_to_move": true,
"onset": "evening"}, "labs": [{"test": "ferritin", "value": 42, "unit": "ng/mL", "date": "2026-10-01"}],
"habits": {"caffeine_mg_per_day": 300}}"#;

const APPLE: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<HealthData locale="en_US">
 <Record type="HKCategoryTypeIdentifierSleepAnalysis" sourceName="Watch" startDate="2026-11-01 23:10:00 +0100" endDate="2026-11-02 03:00:00 +0100" value="HKCategoryValueSleepAnalysisAsleepCore"/>
 <Record type="HKCategoryTypeIdentifierSleepAnalysis" sourceName="Watch" startDate="2026-11-02 03:00:00 +0100" endDate="2026-11-02 04:00:00 +0100" value="HKCategoryValueSleepAnalysisAwake"/>
 <Record type="HKQuantityTypeIdentifierStepCount" sourceName="Phone" startDate="2026-11-01 10:00:00 +0100" endDate="2026-11-01 10:05:00 +0100" value="120"/>
 <Record type="HKQuantityTypeIdentifierRestingHeartRate" sourceName="Watch" startDate="2026-11-01 07:00:00 +0100" endDate="2026-11-01 07:00:00 +0100" value="57"/>
 <Workout sourceName="Watch" duration="30" durationUnit="min" startDate="2026-11-01 18:00:00 +0100" endDate="2026-11-01 18:30:00 +0100">
  <WorkoutEvent type="HKWorkoutEventTypePause" date="2026-11-01 18:10:00 +0100"/>
 </Workout>
 <Workout sourceName="Phone" duration="9" durationUnit="hr" startDate="2026-11-01 19:00:00 +0100"/>
</HealthData>
"#;

fn kb() -> &'static quietlegs_core::KnowledgeBase {
    quietlegs_core::knowledge::bundled().expect("knowledge base")
}

/// The sample journal as a bundle, for the JSON and FHIR samples.
fn sample_bundle() -> Bundle {
    Bundle {
        nights: quietlegs_io::journal_csv::read(CSV.as_bytes(), "s.csv").expect("sample csv"),
        ..Bundle::new()
    }
}

fn sample_json() -> String {
    String::from_utf8(quietlegs_io::bundle_json::write(&sample_bundle())).expect("utf8")
}

fn sample_fhir() -> String {
    quietlegs_io::fhir::export(&sample_bundle(), kb(), &Default::default()).to_string()
}

/// A valid text with `edits` random single-character changes (replace, insert or delete).
fn mutated(base: String) -> impl Strategy<Value = String> {
    let len = base.chars().count().max(1);
    prop::collection::vec((0..len, 0u8..3, any::<char>()), 1..8).prop_map(move |edits| {
        let mut chars: Vec<char> = base.chars().collect();
        for (at, kind, c) in edits {
            let at = at.min(chars.len());
            match kind {
                0 if at < chars.len() => chars[at] = c,
                1 => chars.insert(at, c),
                _ if at < chars.len() => {
                    chars.remove(at);
                }
                _ => chars.push(c),
            }
        }
        chars.into_iter().collect()
    })
}

fn text_or_mutation(base: String) -> impl Strategy<Value = String> {
    prop_oneof![
        1 => any::<String>(),
        1 => prop::collection::vec(any::<u8>(), 0..400).prop_map(|b| String::from_utf8_lossy(&b).into_owned()),
        4 => mutated(base),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 4000, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn journal_csv_never_panics(text in text_or_mutation(CSV.to_string())) {
        let _ = quietlegs_io::journal_csv::read(text.as_bytes(), "f.csv");
    }

    #[test]
    fn journal_csv_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..600)) {
        let _ = quietlegs_io::journal_csv::read(bytes.as_slice(), "f.csv");
    }

    #[test]
    fn profile_toml_never_panics(text in text_or_mutation(PROFILE_TOML.to_string())) {
        if let Ok(p) = Profile::parse(&text, ProfileFormat::Toml) {
            let _ = quietlegs_core::profile::Resolved::new(&p, kb(), "2026-11-23".parse().expect("date"));
        }
    }

    #[test]
    fn profile_json_never_panics(text in text_or_mutation(PROFILE_JSON.to_string())) {
        if let Ok(p) = Profile::parse(&text, ProfileFormat::Json) {
            let _ = quietlegs_core::profile::Resolved::new(&p, kb(), "2026-11-23".parse().expect("date"));
        }
    }

    #[test]
    fn json_export_never_panics(text in text_or_mutation(sample_json())) {
        let _ = quietlegs_io::bundle_json::read(&text, "f.json");
    }

    #[test]
    fn fhir_never_panics(text in text_or_mutation(sample_fhir())) {
        let _ = quietlegs_io::fhir::import(&text, "f.json", kb(), "2026-11-23".parse().expect("date"));
    }

    #[test]
    fn apple_health_never_panics(text in text_or_mutation(APPLE.to_string())) {
        let _ = quietlegs_io::apple_health::read_export(text.as_bytes(), "export.xml", |_| {});
    }
}
