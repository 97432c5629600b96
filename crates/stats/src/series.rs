//! The journal as the models see it: dated nights in order, one per date, with a day number
//! so that gaps are visible.

use std::collections::BTreeMap;

use jiff::civil::Date;
use quietlegs_core::journal::NightEntry;

use crate::objective::Objective;

pub(crate) struct Night<'a> {
    /// Position in the series.
    pub index: usize,
    pub date: Date,
    /// Days since the first night; consecutive nights differ by one.
    pub day: i64,
    pub severity: f64,
    /// The wearable's restlessness that night, when it measured it.
    pub objective: Option<f64>,
    pub entry: &'a NightEntry,
}

pub(crate) struct Series<'a> {
    pub nights: Vec<Night<'a>>,
    /// Each `took:` column, gathered once: per night, taken, not taken or not recorded.
    took: BTreeMap<&'a str, Vec<Option<bool>>>,
    measure: Option<crate::Measure>,
}

impl<'a> Series<'a> {
    /// Nights without a date are skipped; a repeated date keeps its first entry (files and the
    /// store never hold two, so this only guards the analysis against careless callers).
    pub fn new(entries: &'a [NightEntry], objective: Option<&Objective>) -> Self {
        let mut dated: Vec<(Date, &NightEntry)> = entries
            .iter()
            .filter_map(|e| e.night.map(|d| (d, e)))
            .collect();
        dated.sort_by_key(|(d, _)| *d);
        dated.dedup_by_key(|(d, _)| *d);
        let first = dated.first().map(|(d, _)| *d);
        let nights: Vec<Night> = dated
            .into_iter()
            .enumerate()
            .map(|(index, (date, entry))| Night {
                index,
                date,
                day: first.map_or(0, |f| days_between(f, date)),
                severity: f64::from(entry.severity.min(10)),
                objective: objective.and_then(|o| o.by_night.get(&date).copied()),
                entry,
            })
            .collect();
        let mut took: BTreeMap<&str, Vec<Option<bool>>> = BTreeMap::new();
        for n in &nights {
            for (id, &value) in &n.entry.took {
                took.entry(id.as_str())
                    .or_insert_with(|| vec![None; nights.len()])[n.index] = Some(value);
            }
        }
        Self {
            nights,
            took,
            measure: objective.map(|o| o.measure),
        }
    }

    /// The wearable's measure, when any analysed night has it.
    pub fn objective_measure(&self) -> Option<crate::Measure> {
        self.nights
            .iter()
            .any(|n| n.objective.is_some())
            .then_some(self.measure?)
    }

    pub fn len(&self) -> usize {
        self.nights.len()
    }

    /// Every remedy that has a `took:` column somewhere, in id order.
    pub fn took_ids(&self) -> impl Iterator<Item = &'a str> + '_ {
        self.took.keys().copied()
    }

    /// One `took:` column, night by night (all `None` for a remedy never recorded).
    pub fn took(&self, id: &str) -> std::borrow::Cow<'_, [Option<bool>]> {
        match self.took.get(id) {
            Some(column) => std::borrow::Cow::Borrowed(column),
            None => std::borrow::Cow::Owned(vec![None; self.nights.len()]),
        }
    }
}

pub(crate) fn days_between(from: Date, to: Date) -> i64 {
    to.duration_since(from).as_secs().div_euclid(86_400)
}
