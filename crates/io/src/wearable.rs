//! What every sleep reader shares: which night a sleep belongs to, keeping one record per
//! night, and saying what was left out.

use std::collections::BTreeMap;

use jiff::civil::{Date, DateTime};
use quietlegs_core::journal::SleepRecord;

/// The night a sleep starting at `local` belongs to: the date of the evening it began (a start
/// at noon or later is that date, an earlier one the day before).
pub(crate) fn night_began(local: DateTime) -> Date {
    if local.hour() >= 12 {
        local.date()
    } else {
        local.date().yesterday().unwrap_or(local.date())
    }
}

/// The local date and time at the start of a timestamp as devices write it
/// (`2021-08-30T23:40:00.000`, `2026-10-01T23:05:00+02:00`): the clock the person slept by.
pub(crate) fn local_time(log: &serde_json::Value, key: &str) -> Result<DateTime, String> {
    let text = log
        .get(key)
        .and_then(serde_json::Value::as_str)
        .ok_or_else(|| "is missing".to_string())?;
    let local: DateTime = text
        .get(..19)
        .and_then(|t| t.parse().ok())
        .ok_or_else(|| format!("'{text}' is not a date and time"))?;
    match quietlegs_core::limits::date_problem(local.date()) {
        Some(_) => Err(format!("'{text}' is out of range")),
        None => Ok(local),
    }
}

/// One record per night: the one with the most sleep (the device's main sleep), the others
/// counted.
#[derive(Default)]
pub(crate) struct Nights {
    by_night: BTreeMap<Date, SleepRecord>,
    pub(crate) others: usize,
}

impl Nights {
    pub(crate) fn add(&mut self, record: SleepRecord) {
        let Some(night) = record.night else {
            return;
        };
        match self.by_night.get(&night) {
            Some(kept) if kept.asleep_minutes >= record.asleep_minutes => self.others += 1,
            Some(_) => {
                self.others += 1;
                self.by_night.insert(night, record);
            }
            None => {
                self.by_night.insert(night, record);
            }
        }
    }

    pub(crate) fn records(self) -> Vec<SleepRecord> {
        self.by_night.into_values().collect()
    }
}

/// "skipped N <what>s <why>" for each non-zero count.
pub(crate) fn said(what: &str, counts: &[(usize, &str)]) -> Vec<String> {
    counts
        .iter()
        .filter(|(n, _)| *n > 0)
        .map(|(n, why)| {
            let plural = if *n == 1 { "" } else { "s" };
            format!("skipped {n} {what}{plural} {why}")
        })
        .collect()
}
