//! Whatever the journal, the analysis answers without panicking, in the spec's JSON shape.

use jiff::civil::date;
use proptest::prelude::*;
use quietlegs_core::journal::{Intensity, NightEntry};
use quietlegs_core::profile::ClockTime;
use quietlegs_stats::{Options, RemedyTiming, analyse};
use serde_json::Value;

fn check_shape(nights: &[NightEntry]) -> Value {
    let timing = |id: &str| RemedyTiming {
        onset_days: if id == "iron-oral" { 84 } else { 7 },
        reversible: id != "iron-oral",
        ..RemedyTiming::default()
    };
    let insights = analyse(nights, &[], &timing, &Options::default());
    let v = serde_json::to_value(&insights).expect("serialises");
    // Valid JSON text too, not just a value.
    let text = serde_json::to_string(&insights).expect("text");
    let back: Value = serde_json::from_str(&text).expect("parses");
    assert_eq!(back, v);

    assert!(v["nights"].is_u64());
    let number_or_null = |x: &Value| x.is_number() || x.is_null();
    let interval = |x: &Value| {
        x.is_null()
            || x.as_array()
                .is_some_and(|a| a.len() == 2 && a.iter().all(Value::is_number))
    };
    for e in v["experiments"].as_array().expect("experiments array") {
        assert!(e["id"].is_string());
        assert!(["ab", "abab", "segmented"].contains(&e["design"].as_str().expect("design")));
        assert!(e["baseline_nights"].is_u64() && e["treatment_nights"].is_u64());
        for k in ["effect", "p_benefit", "p_meaningful"] {
            assert!(number_or_null(&e[k]), "{k}: {}", e[k]);
        }
        assert!(interval(&e["ci95"]), "{}", e["ci95"]);
        for k in ["p_benefit", "p_meaningful"] {
            if let Some(p) = e[k].as_f64() {
                assert!((0.0..=1.0).contains(&p));
            }
        }
        assert!(
            [
                "helps",
                "no-clear-effect",
                "worse",
                "too-early",
                "insufficient-data",
                // Spec section 8.
                "cannot-separate"
            ]
            .contains(&e["verdict"].as_str().expect("verdict"))
        );
    }
    for t in v["triggers"].as_array().expect("triggers array") {
        assert!(t["factor"].is_string());
        assert!(number_or_null(&t["effect"]) && number_or_null(&t["q_value"]));
        assert!(interval(&t["ci95"]));
        assert!(t["exposed_nights"].is_u64() && t["unexposed_nights"].is_u64());
        assert!(
            [
                "likely-trigger",
                "likely-protective",
                "no-evidence",
                "insufficient-data"
            ]
            .contains(&t["verdict"].as_str().expect("verdict"))
        );
    }
    v
}

fn nights_from(days: &[(u16, u8)]) -> Vec<NightEntry> {
    days.iter()
        .map(|&(d, s)| NightEntry {
            night: date(2025, 1, 1).checked_add(jiff::Span::new().days(d)).ok(),
            severity: s,
            ..NightEntry::default()
        })
        .collect()
}

#[test]
fn an_empty_journal() {
    let v = check_shape(&[]);
    assert_eq!(v["nights"], 0);
    assert!(v["trend"].is_null());
}

#[test]
fn one_night() {
    let v = check_shape(&nights_from(&[(0, 5)]));
    assert_eq!(v["nights"], 1);
}

#[test]
fn all_nights_equal_with_a_change() {
    let mut nights = nights_from(&(0..60).map(|d| (d, 4)).collect::<Vec<_>>());
    for (i, n) in nights.iter_mut().enumerate() {
        n.took.insert("magnesium".into(), i >= 30);
        n.alcohol_drinks = Some(if i % 3 == 0 { 1.0 } else { 0.0 });
    }
    let v = check_shape(&nights);
    let e = &v["experiments"][0];
    assert_eq!(e["id"], "magnesium");
    assert_ne!(e["verdict"], "helps");
    assert_ne!(e["verdict"], "worse");
}

#[test]
fn gaps_and_missing_columns() {
    let days: Vec<(u16, u8)> = (0..200)
        .filter(|d| d % 7 != 3 && d % 11 != 0)
        .map(|d| (d, (d % 9) as u8))
        .collect();
    let v = check_shape(&nights_from(&days));
    assert_eq!(v["experiments"].as_array().map(Vec::len), Some(0));
    assert_eq!(v["triggers"].as_array().map(Vec::len), Some(0));
}

#[test]
fn iron_is_judged_as_a_lasting_change() {
    let mut nights = nights_from(
        &(0..150)
            .map(|d| (d, if d < 30 { 7 } else { 5 }))
            .collect::<Vec<_>>(),
    );
    for (i, n) in nights.iter_mut().enumerate() {
        // Stopped after 90 nights: still "after" for a change that does not wear off.
        n.took.insert("iron-oral".into(), (30..120).contains(&i));
    }
    let v = check_shape(&nights);
    let e = &v["experiments"][0];
    assert_eq!(e["design"], "segmented");
    assert_eq!(e["baseline_nights"], 30);
    assert_eq!(e["treatment_nights"], 120);
}

fn arb_night() -> impl Strategy<Value = (u16, NightEntry)> {
    let clock = proptest::option::of(
        (0u8..24, 0u8..60).prop_map(|(h, m)| ClockTime::new(h, m).expect("valid")),
    );
    (
        0u16..400,
        0u8..=10,
        proptest::option::of(0.0f64..12.0),
        proptest::option::of(0.0f64..800.0),
        clock.clone(),
        proptest::option::of(0.0f64..6.0),
        proptest::option::of(0.0f64..180.0),
        proptest::option::of(prop_oneof![
            Just(Intensity::Light),
            Just(Intensity::Moderate),
            Just(Intensity::Vigorous)
        ]),
        clock,
        proptest::option::of(any::<bool>()),
        proptest::option::of(any::<bool>()),
        proptest::collection::btree_map(
            prop_oneof![
                Just("magnesium".to_string()),
                Just("iron-oral".to_string()),
                Just("heat".to_string())
            ],
            any::<bool>(),
            0..3,
        ),
    )
        .prop_map(
            |(
                day,
                severity,
                sleep,
                caffeine,
                last_caffeine,
                alcohol,
                exercise,
                intensity,
                end,
                sugar,
                antihistamine,
                took,
            )| {
                (
                    day,
                    NightEntry {
                        night: date(2024, 6, 1)
                            .checked_add(jiff::Span::new().days(day))
                            .ok(),
                        severity,
                        sleep_hours: sleep,
                        caffeine_mg: caffeine,
                        last_caffeine,
                        alcohol_drinks: alcohol,
                        exercise_minutes: exercise,
                        exercise_intensity: intensity,
                        exercise_end: end,
                        sugar_late: sugar,
                        antihistamine,
                        took,
                        ..NightEntry::default()
                    },
                )
            },
        )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn any_journal_gives_a_valid_answer(nights in proptest::collection::vec(arb_night(), 0..250)) {
        let entries: Vec<NightEntry> = nights.into_iter().map(|(_, n)| n).collect();
        let v = check_shape(&entries);
        let distinct: std::collections::BTreeSet<_> = entries.iter().filter_map(|n| n.night).collect();
        prop_assert_eq!(v["nights"].as_u64(), Some(distinct.len() as u64));
    }

    #[test]
    fn a_dense_journal_with_switching_columns(
        severities in proptest::collection::vec(0u8..=10, 0..200),
        switch_every in 1usize..30,
    ) {
        let entries: Vec<NightEntry> = severities.iter().enumerate().map(|(i, &s)| {
            let mut n = NightEntry {
                night: date(2025, 1, 1).checked_add(jiff::Span::new().days(i as i64)).ok(),
                severity: s,
                alcohol_drinks: Some((i % 4) as f64),
                ..NightEntry::default()
            };
            n.took.insert("magnesium".into(), (i / switch_every) % 2 == 1);
            n
        }).collect();
        check_shape(&entries);
    }
}
