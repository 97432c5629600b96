//! Sleep from the Oura API v2 (`GET /v2/usercollection/sleep`: `{"data": [...]}`, or the list
//! itself), with the restlessness the ring measures: `restless_periods`, and the restless and
//! tossing 30-second epochs of `movement_30_sec` (1 no motion, 2 restless, 3 tossing, 4 active).
//!
//! Rules: a sleep's night is the date of the evening it began, from `bedtime_start` on the clock
//! and offset it was written with (Oura's `day` is the morning's date). Only `long_sleep`
//! periods are nights; shorter sleeps, naps and rests are skipped and counted, and so are
//! periods Oura marks `deleted`. Of two long sleeps for one night, the longer is kept.

use quietlegs_core::journal::SleepRecord;
use serde_json::Value;

use crate::ImportError;

pub const SOURCE: &str = "Oura";

/// Whether `head` (a file's first bytes) looks like Oura sleep periods.
pub fn looks_like(head: &str) -> bool {
    head.contains("\"bedtime_start\"")
        && (head.contains("\"total_sleep_duration\"") || head.contains("\"time_in_bed\""))
}

pub fn read_sleep(text: &str, file: &str) -> Result<crate::formats::Read, ImportError> {
    let doc: Value = serde_json::from_str(text).map_err(|e| ImportError::not_json(file, &e))?;
    let (periods, prefix) = match (&doc, doc.get("data")) {
        (_, Some(Value::Array(list))) => (list, "data"),
        (Value::Array(list), _) => (list, ""),
        _ => {
            return Err(ImportError::new(
                file,
                None,
                None,
                "is not Oura sleep data (expected the API's {\"data\": [...]} or a list of sleep \
                 periods)",
            ));
        }
    };
    let mut nights = crate::wearable::Nights::default();
    let (mut short, mut deleted) = (0usize, 0usize);
    for (i, period) in periods.iter().enumerate() {
        let field = |f: &str| format!("{prefix}[{i}].{f}");
        let fail = |f: &str, m: String| ImportError::new(file, None, Some(&field(f)), m);
        match period.get("type").and_then(Value::as_str) {
            Some("long_sleep") | None => {}
            Some("deleted") => {
                deleted += 1;
                continue;
            }
            Some(_) => {
                short += 1;
                continue;
            }
        }
        let local = crate::wearable::local_time(period, "bedtime_start")
            .map_err(|m| fail("bedtime_start", m))?;
        let minutes = |key: &str| {
            period
                .get(key)
                .and_then(Value::as_f64)
                .map(|seconds| seconds / 60.0)
        };
        let asleep = minutes("total_sleep_duration")
            .ok_or_else(|| fail("total_sleep_duration", "is missing or not a number".into()))?;
        let restless_epochs = period
            .get("movement_30_sec")
            .and_then(Value::as_str)
            .map(|m| m.chars().filter(|c| matches!(c, '2' | '3')).count());
        nights.add(SleepRecord {
            night: Some(crate::wearable::night_began(local)),
            source: SOURCE.to_string(),
            asleep_minutes: asleep,
            in_bed_minutes: minutes("time_in_bed").unwrap_or(0.0),
            awake_minutes: minutes("awake_time").unwrap_or(0.0),
            deep_minutes: minutes("deep_sleep_duration").unwrap_or(0.0),
            rem_minutes: minutes("rem_sleep_duration").unwrap_or(0.0),
            core_minutes: minutes("light_sleep_duration").unwrap_or(0.0),
            restless_minutes: restless_epochs.map(|n| n as f64 / 2.0),
            restless_count: period
                .get("restless_periods")
                .and_then(Value::as_u64)
                .and_then(|c| u32::try_from(c).ok()),
        });
    }
    let skipped = crate::wearable::said(
        "Oura sleep period",
        &[
            (
                short,
                "that are not a long sleep (naps, rests): not a night's sleep",
            ),
            (deleted, "marked deleted by Oura"),
            (
                nights.others,
                "for a night another, longer sleep already covers",
            ),
        ],
    );
    Ok(crate::formats::sleep_read(nights.records(), skipped))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn period(kind: &str, start: &str, asleep_s: f64) -> Value {
        json!({"id": "x", "day": "2026-10-02", "type": kind, "bedtime_start": start,
               "bedtime_end": "2026-10-02T07:00:00+02:00", "total_sleep_duration": asleep_s,
               "time_in_bed": asleep_s + 1800.0, "awake_time": 1800, "deep_sleep_duration": 3600,
               "rem_sleep_duration": 5400, "light_sleep_duration": asleep_s - 9000.0,
               "restless_periods": 14, "movement_30_sec": "1112231111344"})
    }

    #[test]
    fn a_long_sleep_is_the_night_it_began_with_the_rings_restlessness() {
        let doc = json!({"data": [
            period("long_sleep", "2026-10-01T23:05:00+02:00", 25200.0),
            period("late_nap", "2026-10-02T15:00:00+02:00", 1800.0),
            period("deleted", "2026-10-03T23:00:00+02:00", 20000.0),
        ], "next_token": null});
        let read = read_sleep(&doc.to_string(), "oura.json").expect("reads");
        assert_eq!(read.bundle.sleep.len(), 1);
        let r = &read.bundle.sleep[0];
        assert_eq!(r.night, Some(jiff::civil::date(2026, 10, 1)));
        assert_eq!(r.asleep_minutes, 420.0);
        assert_eq!(
            (r.restless_count, r.restless_minutes),
            (Some(14), Some(2.0))
        );
        let said = read.skipped.join("; ");
        assert!(
            said.contains("1 Oura sleep period that are not a long sleep"),
            "{said}"
        );
        assert!(said.contains("marked deleted"), "{said}");
    }

    #[test]
    fn a_period_without_its_start_is_refused_naming_the_field() {
        let doc = json!({"data": [{"type": "long_sleep", "total_sleep_duration": 100}]});
        let err = read_sleep(&doc.to_string(), "oura.json").expect_err("no start");
        assert_eq!(err.column.as_deref(), Some("data[0].bedtime_start"));
    }
}
