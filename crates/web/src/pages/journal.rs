//! The journal: a heat map of recent nights (tap one to edit it) and the list of them.

use askama::Template;
use axum::extract::{Query, State};
use jiff::ToSpan;
use jiff::civil::Date;
use std::collections::BTreeMap;

use quietlegs_core::journal::{DayActivity, NightEntry};
use serde::Deserialize;

use super::{Chrome, PageResult, render};
use crate::AppState;
use crate::auth::PageUser;
use crate::service;

const WEEKS: i64 = 13;

#[derive(Debug, Deserialize)]
pub struct JournalQuery {
    saved: Option<String>,
}

struct Cell {
    date: String,
    severity: Option<u8>,
    future: bool,
}

#[derive(Template)]
#[template(path = "journal.html")]
struct JournalPage {
    chrome: Chrome,
    saved: Option<String>,
    /// Columns are weeks (Monday first), rows days.
    weeks: Vec<Vec<Cell>>,
    nights: Vec<NightEntry>,
    logged: usize,
    /// The tracker's restlessness by night, when one measured it.
    tracked: BTreeMap<Date, String>,
    /// The day's measured activity (exercise, steps, resting heart rate), when a tracker had it.
    activity: BTreeMap<Date, String>,
}

impl JournalPage {
    fn date_of(&self, n: &NightEntry) -> String {
        n.night.map(|d| d.to_string()).unwrap_or_default()
    }

    fn field(&self, n: &NightEntry, column: &str) -> String {
        n.field(column)
    }

    fn tracked_of(&self, n: &NightEntry) -> String {
        n.night
            .and_then(|d| self.tracked.get(&d).cloned())
            .unwrap_or_default()
    }

    fn activity_of(&self, n: &NightEntry) -> String {
        n.night
            .and_then(|d| self.activity.get(&d).cloned())
            .unwrap_or_default()
    }
}

/// A day's activity in a few words; what was not measured is left out, never shown as 0.
fn describe_activity(day: &DayActivity) -> String {
    let mut parts = Vec::new();
    if let Some(minutes) = day.exercise_minutes {
        let mut part = format!("{} min exercise", super::num(minutes));
        if let Some(end) = day.exercise_end {
            part.push_str(&format!(" ending {end}"));
        }
        parts.push(part);
    }
    if let Some(steps) = day.steps {
        parts.push(format!("{steps} steps"));
    }
    if let Some(hr) = day.resting_hr {
        parts.push(format!("resting HR {}", super::num(hr)));
    }
    parts.join(" · ")
}

pub async fn page(
    State(app): State<AppState>,
    PageUser(me): PageUser,
    Query(query): Query<JournalQuery>,
) -> PageResult {
    let profile = service::profile(&app, me.person).await?;
    let today = service::today_for(profile.as_ref().map(|p| &p.profile));
    let monday = today
        .checked_sub((today.weekday().to_monday_zero_offset() as i64).days())
        .unwrap_or(today);
    let first = monday
        .checked_sub(((WEEKS - 1) * 7).days())
        .unwrap_or(monday);
    let nights = app
        .store()
        .nights(me.person, Some(first), Some(today))
        .await?;
    let mut weeks = Vec::new();
    for w in 0..WEEKS {
        let mut column = Vec::new();
        for d in 0..7 {
            let Ok(date) = first.checked_add((w * 7 + d).days()) else {
                continue;
            };
            column.push(Cell {
                date: date.to_string(),
                severity: nights
                    .iter()
                    .find(|n| n.night == Some(date))
                    .map(|n| n.severity),
                future: date > today,
            });
        }
        weeks.push(column);
    }
    let sleep = app.store().sleep_records(me.person).await?;
    let tracked = quietlegs_stats::Objective::from_sleep(&sleep)
        .map(|o| {
            let unit = o.measure.unit();
            o.by_night
                .range(first..=today)
                .map(|(d, v)| (*d, format!("{} {unit}", super::num(*v))))
                .collect()
        })
        .unwrap_or_default();
    let activity: BTreeMap<Date, String> = app
        .store()
        .activity_records(me.person)
        .await?
        .iter()
        .filter(|d| (first..=today).contains(&d.date))
        .map(|d| (d.date, describe_activity(d)))
        .filter(|(_, text)| !text.is_empty())
        .collect();
    let logged = nights.len();
    let mut nights = nights;
    nights.reverse();
    Ok(render(&JournalPage {
        chrome: Chrome::new(&app, Some(&me), "journal"),
        saved: query.saved.filter(|s| s.parse::<Date>().is_ok()),
        weeks,
        nights,
        logged,
        tracked,
        activity,
    }))
}
