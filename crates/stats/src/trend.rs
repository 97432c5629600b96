//! How the nights are going: weekly means (and a three-week smoothing of them), the share of
//! bad nights, the last four weeks against the four before, and how regularly nights are logged.

use jiff::Span;
use jiff::civil::Date;
use serde::Serialize;

use crate::Options;
use crate::round;
use crate::series::Series;

const WINDOW_DAYS: i64 = 28;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Trend {
    pub first_night: Date,
    pub last_night: Date,
    pub logged_nights: usize,
    /// Logged nights as a share of the nights from the first to the last.
    #[serde(serialize_with = "round::three")]
    pub logging_adherence: Option<f64>,
    #[serde(serialize_with = "round::two")]
    pub mean_severity: Option<f64>,
    pub bad_night_threshold: u8,
    #[serde(serialize_with = "round::three")]
    pub bad_night_share: Option<f64>,
    pub recent: Option<Window>,
    pub previous: Option<Window>,
    pub weekly: Vec<Week>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Week {
    /// The Monday that starts the week.
    pub start: Date,
    pub nights: usize,
    #[serde(serialize_with = "round::two")]
    pub mean_severity: Option<f64>,
    /// Night-weighted mean of this week and its neighbours.
    #[serde(serialize_with = "round::two")]
    pub smoothed: Option<f64>,
    pub bad_nights: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Window {
    pub from: Date,
    pub to: Date,
    pub nights: usize,
    #[serde(serialize_with = "round::two")]
    pub mean_severity: Option<f64>,
    #[serde(serialize_with = "round::three")]
    pub bad_night_share: Option<f64>,
}

pub(crate) fn trend(series: &Series, options: &Options) -> Option<Trend> {
    let first = series.nights.first()?;
    let last = series.nights.last()?;
    let bad = f64::from(options.bad_night_threshold);
    let all: Vec<f64> = series.nights.iter().map(|n| n.severity).collect();
    let mut weekly: Vec<Week> = Vec::new();
    let mut sums: Vec<f64> = Vec::new();
    for n in &series.nights {
        let start = monday_of(n.date);
        match weekly.last_mut() {
            Some(w) if w.start == start => {
                w.nights += 1;
                w.bad_nights += usize::from(n.severity >= bad);
                *sums.last_mut().unwrap_or(&mut 0.0) += n.severity;
            }
            _ => {
                weekly.push(Week {
                    start,
                    nights: 1,
                    mean_severity: None,
                    smoothed: None,
                    bad_nights: usize::from(n.severity >= bad),
                });
                sums.push(n.severity);
            }
        }
    }
    for (i, w) in weekly.iter_mut().enumerate() {
        w.mean_severity = Some(sums[i] / w.nights as f64);
    }
    for i in 0..weekly.len() {
        let lo = i.saturating_sub(1);
        let hi = (i + 1).min(weekly.len() - 1);
        let nights: usize = weekly[lo..=hi].iter().map(|w| w.nights).sum();
        let total: f64 = sums[lo..=hi].iter().sum();
        weekly[i].smoothed = Some(total / nights as f64);
    }
    let span = last.day - first.day + 1;
    let window = |end_day: i64| -> Option<Window> {
        let from_day = end_day - WINDOW_DAYS + 1;
        let values: Vec<f64> = series
            .nights
            .iter()
            .filter(|n| n.day >= from_day && n.day <= end_day)
            .map(|n| n.severity)
            .collect();
        if values.is_empty() {
            return None;
        }
        Some(Window {
            from: shift(last.date, from_day - last.day),
            to: shift(last.date, end_day - last.day),
            nights: values.len(),
            mean_severity: mean(&values),
            bad_night_share: share(&values, bad),
        })
    };
    Some(Trend {
        first_night: first.date,
        last_night: last.date,
        logged_nights: series.len(),
        logging_adherence: Some(series.len() as f64 / span.max(1) as f64),
        mean_severity: mean(&all),
        bad_night_threshold: options.bad_night_threshold,
        bad_night_share: share(&all, bad),
        recent: window(last.day),
        previous: window(last.day - WINDOW_DAYS),
        weekly,
    })
}

fn mean(values: &[f64]) -> Option<f64> {
    (!values.is_empty()).then(|| values.iter().sum::<f64>() / values.len() as f64)
}

fn share(values: &[f64], bad: f64) -> Option<f64> {
    (!values.is_empty())
        .then(|| values.iter().filter(|&&v| v >= bad).count() as f64 / values.len() as f64)
}

fn monday_of(date: Date) -> Date {
    let back = i64::from(date.weekday().to_monday_zero_offset());
    shift(date, -back)
}

/// `date` moved by `days`; at the edges of the calendar it stays put rather than failing.
fn shift(date: Date, days: i64) -> Date {
    date.checked_add(Span::new().days(days)).unwrap_or(date)
}
