//! Tonight's outlook: what the person's own journal suggests for tonight, with an interval, and
//! what moves it. One regression with AR(1) errors over their nights (a trend, weekends,
//! alcohol and caffeine that day, short sleep the night before, a change being tried), read at
//! tonight's values. An observation of their own nights, never a risk score.

use jiff::civil::{Date, Weekday};
use quietlegs_core::journal::NightEntry;
use serde::Serialize;

use crate::ar1::Ar1Data;
use crate::round;
use crate::series::{Night, Series, days_between};

/// Below this many nights the outlook is "still learning".
pub const MIN_OUTLOOK_NIGHTS: usize = 28;
/// A factor is used once it has this many nights with it and without it.
const MIN_EACH_SIDE: usize = 10;
/// Sleep below this many hours counts as short.
const SHORT_SLEEP_HOURS: f64 = 6.0;
/// Nights used: the recent past says more about tonight than years ago.
const WINDOW_NIGHTS: usize = 180;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Outlook {
    pub night: Date,
    /// Nights the outlook learned from.
    pub nights: usize,
    /// `false` until there are enough nights: then nothing below is filled in.
    pub ready: bool,
    #[serde(serialize_with = "round::two")]
    pub expected: Option<f64>,
    /// Tonight's severity falls in this range on about 4 nights in 5 like it.
    #[serde(serialize_with = "round::pair")]
    pub interval80: Option<[f64; 2]>,
    /// What moves tonight up (headwinds) or down (tailwinds), largest first.
    pub factors: Vec<OutlookFactor>,
    pub explanation: String,
    pub note: &'static str,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OutlookFactor {
    pub id: &'static str,
    /// What it is tonight, in words ("2 drinks logged today").
    pub tonight: String,
    /// Its estimated share of tonight's expected severity, in points (positive: worse).
    #[serde(serialize_with = "round::two")]
    pub points: Option<f64>,
    #[serde(serialize_with = "round::pair")]
    pub ci95: Option<[f64; 2]>,
    pub headwind: bool,
}

pub const OUTLOOK_NOTE: &str = "From your own journal: what nights like tonight have been like \
for you. It is not a prediction of risk, and not medical advice.";

/// What tonight looks like: `nights` the journal (tonight's entry, when the person has logged
/// part of today already, included), `tonight` the evening's date, `trying` a change being
/// tried with its start.
pub fn outlook(nights: &[NightEntry], tonight: Date, trying: Option<(&str, Date)>) -> Outlook {
    let today = nights.iter().find(|n| n.night == Some(tonight));
    let past: Vec<NightEntry> = nights
        .iter()
        .filter(|n| n.night.is_some_and(|d| d < tonight))
        .cloned()
        .collect();
    let skip = past.len().saturating_sub(WINDOW_NIGHTS);
    let series = Series::new(&past[skip..], None);
    let mut out = Outlook {
        night: tonight,
        nights: series.len(),
        ready: false,
        expected: None,
        interval80: None,
        factors: Vec::new(),
        explanation: format!(
            "Still learning: after {MIN_OUTLOOK_NIGHTS} logged nights this shows what nights \
             like tonight have been like for you ({} so far).",
            series.len()
        ),
        note: OUTLOOK_NOTE,
    };
    if series.len() < MIN_OUTLOOK_NIGHTS {
        return out;
    }
    let Some(first) = series.nights.first().map(|n| n.date) else {
        return out;
    };
    let columns = Columns::chosen(&series, trying);
    let row = |date: Date, entry: Option<&NightEntry>, before: Option<&NightEntry>| {
        columns.row(days_between(first, date), date, entry, before, trying)
    };
    let mut data = Ar1Data::new(columns.len());
    let mut last: Option<(i64, Vec<f64>, f64)> = None;
    let mut prev: Option<&Night> = None;
    for n in &series.nights {
        let before = prev.filter(|p| p.day + 1 == n.day).map(|p| p.entry);
        let x = row(n.date, Some(n.entry), before);
        data.push(n.day, &x, n.severity);
        last = Some((n.day, x, n.severity));
        prev = Some(n);
    }
    let tonight_day = days_between(first, tonight);
    let yesterday = series
        .nights
        .last()
        .filter(|n| n.day + 1 == tonight_day)
        .map(|n| n.entry);
    let x = row(tonight, today, yesterday);
    let previous = last
        .as_ref()
        .filter(|(day, _, _)| day + 1 == tonight_day)
        .map(|(_, xp, yp)| (xp.as_slice(), *yp));
    let Some(predictive) = data.predict(&x, previous) else {
        return out;
    };
    let expected = predictive.median().clamp(0.0, 10.0);
    let lo = predictive.quantile(0.10).clamp(0.0, 10.0);
    let hi = predictive.quantile(0.90).clamp(0.0, 10.0);
    out.ready = true;
    out.expected = Some(expected);
    out.interval80 = Some([lo, hi]);
    out.factors = columns.factors(&data, &x, today, yesterday, trying);
    out.explanation = format!(
        "Nights like tonight have been about {expected:.1} of 10 for you (most between {lo:.0} \
         and {hi:.0})."
    );
    out
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Column {
    Intercept,
    Trend,
    Weekend,
    Alcohol,
    Caffeine,
    ShortSleep,
    Trying,
}

struct Columns(Vec<Column>);

fn alcohol(e: Option<&NightEntry>) -> Option<bool> {
    e?.alcohol_drinks.map(|d| d > 0.0)
}

fn caffeine(e: Option<&NightEntry>) -> Option<bool> {
    e?.caffeine_mg.map(|mg| mg > 0.0)
}

fn short_sleep(before: Option<&NightEntry>) -> Option<bool> {
    before?.sleep_hours.map(|h| h < SHORT_SLEEP_HOURS)
}

fn is_weekend(d: Date) -> bool {
    matches!(d.weekday(), Weekday::Friday | Weekday::Saturday)
}

fn flag(b: Option<bool>) -> f64 {
    if b == Some(true) { 1.0 } else { 0.0 }
}

impl Columns {
    /// The factors this journal can speak to: each with enough nights with and without it.
    fn chosen(series: &Series, trying: Option<(&str, Date)>) -> Columns {
        let enough = |values: Vec<Option<bool>>| {
            let yes = values.iter().filter(|v| **v == Some(true)).count();
            let no = values.iter().filter(|v| **v == Some(false)).count();
            yes >= MIN_EACH_SIDE && no >= MIN_EACH_SIDE
        };
        let nights = &series.nights;
        let mut columns = vec![Column::Intercept, Column::Trend];
        if enough(nights.iter().map(|n| Some(is_weekend(n.date))).collect()) {
            columns.push(Column::Weekend);
        }
        if enough(nights.iter().map(|n| alcohol(Some(n.entry))).collect()) {
            columns.push(Column::Alcohol);
        }
        if enough(nights.iter().map(|n| caffeine(Some(n.entry))).collect()) {
            columns.push(Column::Caffeine);
        }
        let sleep: Vec<Option<bool>> = nights
            .windows(2)
            .map(|w| short_sleep((w[0].day + 1 == w[1].day).then_some(w[0].entry)))
            .collect();
        if enough(sleep) {
            columns.push(Column::ShortSleep);
        }
        if let Some((_, start)) = trying
            && enough(nights.iter().map(|n| Some(n.date >= start)).collect())
        {
            columns.push(Column::Trying);
        }
        Columns(columns)
    }

    fn len(&self) -> usize {
        self.0.len()
    }

    fn row(
        &self,
        day: i64,
        date: Date,
        entry: Option<&NightEntry>,
        before: Option<&NightEntry>,
        trying: Option<(&str, Date)>,
    ) -> Vec<f64> {
        self.0
            .iter()
            .map(|c| match c {
                Column::Intercept => 1.0,
                // Months keep the columns on similar scales.
                Column::Trend => day as f64 / 30.0,
                Column::Weekend => flag(Some(is_weekend(date))),
                Column::Alcohol => flag(alcohol(entry)),
                Column::Caffeine => flag(caffeine(entry)),
                Column::ShortSleep => flag(short_sleep(before)),
                Column::Trying => flag(trying.map(|(_, start)| date >= start)),
            })
            .collect()
    }

    /// Each factor's share of tonight: its coefficient where it is present tonight, and the
    /// trend over the last four weeks.
    fn factors(
        &self,
        data: &Ar1Data,
        x: &[f64],
        today: Option<&NightEntry>,
        yesterday: Option<&NightEntry>,
        trying: Option<(&str, Date)>,
    ) -> Vec<OutlookFactor> {
        let mut out = Vec::new();
        for (k, c) in self.0.iter().enumerate() {
            let mut contrast = vec![0.0; self.0.len()];
            let (id, tonight) = match c {
                Column::Intercept => continue,
                Column::Trend => {
                    contrast[k] = 28.0 / 30.0;
                    (
                        "trend",
                        "how your nights have been moving over the last four weeks".into(),
                    )
                }
                _ if x[k] == 0.0 => continue,
                Column::Weekend => {
                    contrast[k] = 1.0;
                    ("weekend", "a Friday or Saturday night".to_string())
                }
                Column::Alcohol => {
                    contrast[k] = 1.0;
                    let drinks = today.and_then(|e| e.alcohol_drinks).unwrap_or(0.0);
                    ("alcohol", format!("{drinks} drinks logged today"))
                }
                Column::Caffeine => {
                    contrast[k] = 1.0;
                    let mg = today.and_then(|e| e.caffeine_mg).unwrap_or(0.0);
                    ("caffeine", format!("{mg} mg caffeine logged today"))
                }
                Column::ShortSleep => {
                    contrast[k] = 1.0;
                    let hours = yesterday.and_then(|e| e.sleep_hours).unwrap_or(0.0);
                    ("sleep-loss", format!("{hours} hours of sleep last night"))
                }
                Column::Trying => {
                    contrast[k] = 1.0;
                    let (id, start) = trying.unwrap_or(("", Date::MIN));
                    ("trying", format!("trying {id} since {start}"))
                }
            };
            let Some(p) = data.fit(&contrast) else {
                continue;
            };
            let points = p.median();
            out.push(OutlookFactor {
                id,
                tonight,
                points: Some(points),
                ci95: Some(p.ci95()),
                headwind: points > 0.0,
            });
        }
        out.sort_by(|a, b| {
            let size = |f: &OutlookFactor| f.points.map_or(0.0, f64::abs);
            size(b).total_cmp(&size(a))
        });
        out
    }
}
