//! Sleep from a Fitbit Google Takeout export (`Fitbit/Global Export Data/sleep-YYYY-MM-DD.json`):
//! a JSON array of sleep logs, each with its totals and, for "classic" logs, the restless
//! minutes and count the tracker measured, which is an objective proxy for restless legs.
//!
//! Rules: a log's night is the date of the evening it began, from its `startTime` (local time,
//! as Fitbit writes it): a start at noon or later is that date, an earlier one the day before
//! (Fitbit's own `dateOfSleep` is the morning's date). Only main sleeps are nights; naps
//! (`mainSleep: false`) are skipped and counted. A log repeated (same `logId`, as overlapping
//! monthly files repeat them) counts once; of two main sleeps for one night the longer is kept.

use std::collections::BTreeSet;

use quietlegs_core::journal::SleepRecord;
use serde_json::Value;

use crate::ImportError;

/// The source name records from this reader carry.
pub const SOURCE: &str = "Fitbit";

/// Whether `head` (a file's first bytes) looks like Fitbit sleep logs.
pub fn looks_like(head: &str) -> bool {
    head.contains("\"logId\"") && head.contains("\"dateOfSleep\"")
}

fn minutes(log: &Value, pointer: &str) -> Option<f64> {
    log.pointer(pointer).and_then(Value::as_f64)
}

pub fn read_sleep(text: &str, file: &str) -> Result<crate::formats::Read, ImportError> {
    let doc: Value = serde_json::from_str(text).map_err(|e| ImportError::not_json(file, &e))?;
    let logs = doc.as_array().ok_or_else(|| {
        ImportError::new(
            file,
            None,
            None,
            "is not a list of Fitbit sleep logs (Takeout's sleep-*.json files are a JSON array)",
        )
    })?;
    let mut seen = BTreeSet::new();
    let mut nights = crate::wearable::Nights::default();
    let (mut naps, mut repeated) = (0usize, 0usize);
    for (i, log) in logs.iter().enumerate() {
        let field = |f: &str| format!("[{i}].{f}");
        let fail = |f: &str, m: String| ImportError::new(file, None, Some(&field(f)), m);
        if let Some(id) = log.get("logId").and_then(Value::as_i64)
            && !seen.insert(id)
        {
            repeated += 1;
            continue;
        }
        if log.get("mainSleep").and_then(Value::as_bool) == Some(false) {
            naps += 1;
            continue;
        }
        let local =
            crate::wearable::local_time(log, "startTime").map_err(|m| fail("startTime", m))?;
        let night = crate::wearable::night_began(local);
        let asleep = minutes(log, "/minutesAsleep")
            .ok_or_else(|| fail("minutesAsleep", "is missing or not a number".into()))?;
        let stage = |name: &str| minutes(log, &format!("/levels/summary/{name}/minutes"));
        let record = SleepRecord {
            night: Some(night),
            source: SOURCE.to_string(),
            asleep_minutes: asleep,
            in_bed_minutes: minutes(log, "/timeInBed").unwrap_or(0.0),
            awake_minutes: minutes(log, "/minutesAwake").unwrap_or(0.0),
            deep_minutes: stage("deep").unwrap_or(0.0),
            rem_minutes: stage("rem").unwrap_or(0.0),
            core_minutes: stage("light").unwrap_or(0.0),
            restless_minutes: stage("restless"),
            restless_count: log
                .pointer("/levels/summary/restless/count")
                .and_then(Value::as_u64)
                .and_then(|c| u32::try_from(c).ok()),
        };
        nights.add(record);
    }
    let skipped = crate::wearable::said(
        "Fitbit sleep log",
        &[
            (
                naps,
                "that are naps (not a main sleep): not a night's sleep",
            ),
            (repeated, "repeated (the same logId): counted once"),
            (
                nights.others,
                "for a night another, longer main sleep already covers",
            ),
        ],
    );
    Ok(crate::formats::sleep_read(nights.records(), skipped))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn log(id: i64, start: &str, asleep: f64, main: bool) -> Value {
        json!({"logId": id, "dateOfSleep": "x", "startTime": start, "minutesAsleep": asleep,
               "minutesAwake": 12, "timeInBed": asleep + 20.0, "mainSleep": main, "type": "classic",
               "levels": {"summary": {"restless": {"count": 9, "minutes": 31},
                                      "awake": {"count": 1, "minutes": 4},
                                      "asleep": {"count": 0, "minutes": asleep}}}})
    }

    #[test]
    fn a_main_sleep_is_the_night_it_began_with_its_restlessness() {
        let text = json!([
            log(1, "2021-08-29T23:40:00.000", 410.0, true),
            log(1, "2021-08-29T23:40:00.000", 410.0, true),
            log(2, "2021-08-30T13:10:00.000", 40.0, false),
            log(3, "2021-08-31T01:15:00.000", 300.0, true),
        ])
        .to_string();
        let read = read_sleep(&text, "sleep-2021-08-30.json").expect("reads");
        let nights: Vec<_> = read.bundle.sleep.iter().map(|r| r.night).collect();
        assert_eq!(
            nights,
            [
                Some(jiff::civil::date(2021, 8, 29)),
                Some(jiff::civil::date(2021, 8, 30))
            ]
        );
        let first = &read.bundle.sleep[0];
        assert_eq!(
            (first.asleep_minutes, first.restless_minutes),
            (410.0, Some(31.0))
        );
        assert_eq!(first.restless_count, Some(9));
        let said = read.skipped.join("; ");
        assert!(said.contains("1 Fitbit sleep log that are naps"), "{said}");
        assert!(said.contains("repeated"), "{said}");
    }

    #[test]
    fn a_log_without_its_times_is_refused_naming_the_field() {
        let text =
            json!([{"logId": 1, "dateOfSleep": "2021-08-30", "minutesAsleep": 5}]).to_string();
        let err = read_sleep(&text, "sleep.json").expect_err("no start");
        assert_eq!(err.column.as_deref(), Some("[0].startTime"));
        let err = read_sleep("{\"a\": 1}", "sleep.json").expect_err("not a list");
        assert!(err.message.contains("JSON array"));
    }
}
