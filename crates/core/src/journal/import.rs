//! An import's decision, pure: given what a person has stored and what a file brings, which
//! records are new, which repeat what is there, and which would replace something stored with
//! different values. The store reads, asks this, and writes what it says in one transaction.

use std::collections::{BTreeMap, HashMap};

use jiff::civil::Date;

use super::{Bundle, DayActivity, Experiment, LabRecord, NightEntry, ProfileVersion, SleepRecord};

/// Conflicts named in a refusal; the rest are left at "...".
pub const CONFLICTS_NAMED: usize = 20;

/// What to write, and what the import will report.
#[derive(Debug, Default)]
pub struct Decision<'a> {
    pub new_versions: Vec<&'a ProfileVersion>,
    pub new_labs: Vec<&'a LabRecord>,
    /// Stored nights the file replaces (deleted before `write_nights` are inserted).
    pub replace_nights: Vec<Date>,
    pub write_nights: Vec<&'a NightEntry>,
    pub write_experiments: Vec<&'a Experiment>,
    pub write_sleep: Vec<&'a SleepRecord>,
    /// Stored sleep records (night, source) another source replaces: one source per night.
    pub replace_sleep: Vec<(Date, String)>,
    pub write_activity: Vec<&'a DayActivity>,
    /// Stored activity records (date, source) the file's record for that date replaces: one
    /// record per day.
    pub replace_activity: Vec<(Date, String)>,
    pub added: usize,
    pub updated: usize,
    pub unchanged: usize,
    /// Records stored with different values, by name (at most [`CONFLICTS_NAMED`]).
    pub conflicts: Vec<String>,
}

impl Decision<'_> {
    fn conflict(&mut self, what: String) {
        if self.conflicts.len() < CONFLICTS_NAMED {
            self.conflicts.push(what);
        }
    }

    /// The refusal's wording when conflicts stop an import that may not overwrite.
    pub fn refusal(&self) -> Option<String> {
        (!self.conflicts.is_empty()).then(|| {
            format!(
                "already stored with different values: {}{}. Nothing was imported; import \
                 again with --overwrite to replace them.",
                self.conflicts.join(", "),
                if self.conflicts.len() == CONFLICTS_NAMED {
                    ", ..."
                } else {
                    ""
                }
            )
        })
    }
}

/// The same test, value, unit and date, whatever the source.
fn same_result(a: &LabRecord, b: &LabRecord) -> bool {
    a.test == b.test && a.value == b.value && a.date == b.date && {
        let unit = |l: &LabRecord| crate::units::normalise(&l.unit);
        unit(a) == unit(b)
    }
}

/// Compares `incoming` with `stored`. A night without its date is an error (it cannot be
/// matched, nor stored).
pub fn decide<'a>(stored: &Bundle, incoming: &'a Bundle) -> Result<Decision<'a>, String> {
    let mut d = Decision::default();

    let versions: HashMap<i64, &ProfileVersion> = stored
        .profile_versions
        .iter()
        .map(|v| (v.version, v))
        .collect();
    for v in &incoming.profile_versions {
        match versions.get(&v.version) {
            Some(s) if s.profile == v.profile => d.unchanged += 1,
            Some(_) => {
                d.conflict(format!("profile version {}", v.version));
                d.new_versions.push(v);
            }
            None => d.new_versions.push(v),
        }
    }

    for lab in &incoming.labs {
        // Where a result came from is not part of what it is: our own FHIR export of a
        // manually entered result, imported back, is the same result.
        let same = |other: &&LabRecord| same_result(other, lab);
        if stored.labs.iter().any(|s| same(&s)) || d.new_labs.iter().any(same) {
            d.unchanged += 1;
        } else {
            d.new_labs.push(lab);
        }
    }

    let nights: HashMap<Date, &NightEntry> = stored
        .nights
        .iter()
        .filter_map(|n| n.night.map(|date| (date, n)))
        .collect();
    for entry in &incoming.nights {
        let night = entry
            .night
            .ok_or_else(|| "a night entry needs its date".to_string())?;
        match nights.get(&night) {
            Some(s) if *s == entry => d.unchanged += 1,
            Some(_) => {
                d.conflict(format!("night {night}"));
                d.replace_nights.push(night);
                d.write_nights.push(entry);
                d.updated += 1;
            }
            None => {
                d.write_nights.push(entry);
                d.added += 1;
            }
        }
    }

    for e in &incoming.experiments {
        match stored
            .experiments
            .iter()
            .find(|s| s.remedy == e.remedy && s.start == e.start)
        {
            Some(s) if s == e => d.unchanged += 1,
            Some(_) => {
                d.conflict(format!("experiment {} from {}", e.remedy, e.start));
                d.write_experiments.push(e);
            }
            None => d.write_experiments.push(e),
        }
    }

    for s in &incoming.sleep {
        // Another source already holds this night: keep whichever the rule prefers, so a
        // second app's night never sits beside the first, whatever order they arrive in.
        if let Some(other) = stored
            .sleep
            .iter()
            .find(|x| x.night == s.night && x.source != s.source)
        {
            if !s.outranks(other) {
                d.unchanged += 1;
                continue;
            }
            if let Some(night) = other.night {
                d.replace_sleep.push((night, other.source.clone()));
            }
        }
        match stored
            .sleep
            .iter()
            .find(|x| x.night == s.night && x.source == s.source)
        {
            Some(x) if x == s => d.unchanged += 1,
            Some(_) => {
                let night = s.night.map(|n| n.to_string()).unwrap_or_default();
                d.conflict(format!("sleep record {night} ({})", s.source));
                d.write_sleep.push(s);
            }
            None => d.write_sleep.push(s),
        }
    }

    decide_activity(&mut d, stored, incoming);

    // Versions, labs, experiments and sleep records count as added when written (a replaced
    // one too, as before); nights count as added or updated.
    d.added +=
        d.new_versions.len() + d.new_labs.len() + d.write_experiments.len() + d.write_sleep.len();
    Ok(d)
}

/// One activity record per day, whatever the source: of the file's record and what is stored
/// for that date, the fuller one ([`DayActivity::outranks`]) is kept. A different value is not a
/// conflict to refuse: activity is measured, never typed by the person, and the export taken
/// later in the day simply saw more of it. A record replacing a stored one counts as updated.
fn decide_activity<'a>(d: &mut Decision<'a>, stored: &Bundle, incoming: &'a Bundle) {
    let mut best: BTreeMap<Date, &'a DayActivity> = BTreeMap::new();
    for a in &incoming.activity {
        match best.get(&a.date) {
            Some(kept) if !a.outranks(kept) => d.unchanged += 1,
            Some(_) => {
                d.unchanged += 1;
                best.insert(a.date, a);
            }
            None => {
                best.insert(a.date, a);
            }
        }
    }
    for (date, a) in best {
        let held: Vec<&DayActivity> = stored.activity.iter().filter(|x| x.date == date).collect();
        if held.is_empty() {
            d.write_activity.push(a);
            d.added += 1;
        } else if held.contains(&a) || !held.iter().all(|x| a.outranks(x)) {
            d.unchanged += 1;
        } else {
            d.replace_activity
                .extend(held.iter().map(|x| (date, x.source.clone())));
            d.write_activity.push(a);
            d.updated += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn night(day: i8, severity: u8) -> NightEntry {
        NightEntry {
            night: Some(jiff::civil::date(2026, 10, day)),
            severity,
            ..NightEntry::default()
        }
    }

    fn bundle(nights: Vec<NightEntry>) -> Bundle {
        Bundle {
            nights,
            ..Bundle::new()
        }
    }

    #[test]
    fn new_same_and_different_nights_are_told_apart() {
        let stored = bundle(vec![night(1, 3), night(2, 4)]);
        let incoming = bundle(vec![night(1, 3), night(2, 6), night(3, 2)]);
        let d = decide(&stored, &incoming).expect("decides");
        assert_eq!((d.added, d.updated, d.unchanged), (1, 1, 1));
        assert_eq!(d.replace_nights, vec![jiff::civil::date(2026, 10, 2)]);
        assert_eq!(d.write_nights.len(), 2);
        assert_eq!(d.conflicts, vec!["night 2026-10-02".to_string()]);
        assert!(d.refusal().expect("refused").contains("--overwrite"));
    }

    #[test]
    fn the_same_file_twice_changes_nothing() {
        let stored = bundle(vec![night(1, 3)]);
        let d = decide(&stored, &stored).expect("decides");
        assert_eq!((d.added, d.updated, d.unchanged), (0, 0, 1));
        assert!(d.refusal().is_none());
    }

    #[test]
    fn many_conflicts_are_named_up_to_a_limit() {
        let stored = bundle((1..=28).map(|d| night(d, 1)).collect());
        let incoming = bundle((1..=28).map(|d| night(d, 2)).collect());
        let d = decide(&stored, &incoming).expect("decides");
        assert_eq!(d.conflicts.len(), CONFLICTS_NAMED);
        assert!(d.refusal().expect("refused").contains(", ..."));
    }

    #[test]
    fn a_result_imported_back_from_our_own_export_is_not_added_again() {
        let lab = |source: &str, unit: &str| LabRecord {
            test: "ferritin".into(),
            value: 40.0,
            unit: unit.into(),
            canonical_value: 40.0,
            canonical_unit: "ng/mL".into(),
            date: jiff::civil::date(2026, 9, 1),
            source: source.into(),
            comparator: None,
        };
        let stored = Bundle {
            labs: vec![lab("manual", "µg/L")],
            ..Bundle::new()
        };
        let incoming = Bundle {
            labs: vec![lab("fhir", "ug/L"), lab("fhir", "ug/L")],
            ..Bundle::new()
        };
        let d = decide(&stored, &incoming).expect("decides");
        assert_eq!((d.added, d.unchanged), (0, 2));
        let other_day = Bundle {
            labs: vec![LabRecord {
                date: jiff::civil::date(2026, 9, 2),
                ..lab("fhir", "ug/L")
            }],
            ..Bundle::new()
        };
        assert_eq!(decide(&stored, &other_day).expect("decides").added, 1);
    }

    #[test]
    fn one_source_per_night_holds_across_imports() {
        let record = |source: &str, asleep: f64| SleepRecord {
            night: Some(jiff::civil::date(2026, 10, 1)),
            source: source.into(),
            asleep_minutes: asleep,
            ..SleepRecord::default()
        };
        let stored = Bundle {
            sleep: vec![record("Watch", 400.0)],
            ..Bundle::new()
        };
        let less = Bundle {
            sleep: vec![record("Phone", 300.0)],
            ..Bundle::new()
        };
        let d = decide(&stored, &less).expect("decides");
        assert!(d.write_sleep.is_empty() && d.replace_sleep.is_empty());
        let more = Bundle {
            sleep: vec![record("Ring", 430.0)],
            ..Bundle::new()
        };
        let d = decide(&stored, &more).expect("decides");
        assert_eq!(d.write_sleep.len(), 1);
        assert_eq!(
            d.replace_sleep,
            vec![(jiff::civil::date(2026, 10, 1), "Watch".to_string())]
        );
    }

    #[test]
    fn one_activity_record_per_day_and_the_fuller_one_stays() {
        let day = |source: &str, steps: u32| DayActivity {
            date: jiff::civil::date(2026, 10, 1),
            source: source.into(),
            exercise_minutes: Some(31.5),
            exercise_end: "18:40".parse().ok(),
            steps: Some(steps),
            resting_hr: Some(58.0),
        };
        let stored = Bundle {
            activity: vec![day("Watch", 8000)],
            ..Bundle::new()
        };
        let d = decide(&stored, &stored).expect("decides");
        assert!(d.write_activity.is_empty());
        assert_eq!((d.added, d.updated, d.unchanged), (0, 0, 1));

        let older = Bundle {
            activity: vec![day("Watch", 6000)],
            ..Bundle::new()
        };
        let d = decide(&stored, &older).expect("decides");
        assert!(d.write_activity.is_empty() && d.replace_activity.is_empty());
        assert_eq!(d.unchanged, 1);

        let later = Bundle {
            activity: vec![day("Phone, Watch", 9100)],
            ..Bundle::new()
        };
        let d = decide(&stored, &later).expect("decides");
        assert_eq!(d.write_activity.len(), 1);
        assert_eq!(
            d.replace_activity,
            vec![(jiff::civil::date(2026, 10, 1), "Watch".to_string())]
        );
        assert_eq!((d.added, d.updated), (0, 1));
        assert!(d.refusal().is_none(), "measured, not a conflict");

        let twice = Bundle {
            activity: vec![day("B", 10), day("A", 10)],
            ..Bundle::new()
        };
        let d = decide(&Bundle::new(), &twice).expect("decides");
        assert_eq!(d.write_activity.len(), 1);
        assert_eq!(d.write_activity[0].source, "A");
        assert_eq!(d.added, 1);
    }

    #[test]
    fn a_night_without_its_date_is_refused() {
        let incoming = bundle(vec![NightEntry::default()]);
        assert!(decide(&Bundle::new(), &incoming).is_err());
    }
}
