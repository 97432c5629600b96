//! A day's activity as a wearable measured it: exercise, steps and resting heart rate, kept as
//! context for the night that follows (the evening of `date` is the night of `date`). These are
//! measurements, not answers a person typed: where they feed a journal night
//! ([`DayActivity::fill_exercise`]), what the person wrote wins.

use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use super::{FieldError, NightEntry};
use crate::profile::ClockTime;

/// No day has more minutes than this; the journal's `exercise_minutes` column has the same
/// ceiling.
pub const MAX_EXERCISE_MINUTES: f64 = 1440.0;
/// Far above any resting heart rate a person has; a value beyond it is a unit mix-up.
pub const MAX_RESTING_HR: f64 = 300.0;

/// One day's activity, merged from every record of that day. `None` is "not measured", never 0.
///
/// How a reader builds it from a device export:
/// - **Workouts**: the length of the union of the day's workout intervals, whatever their
///   source, so a workout recorded by the watch and again by the phone counts once.
///   `exercise_end` is the local clock time (on the record's own offset) at which the day's
///   last-ending workout ended.
/// - **Steps**: one source per day, the one with the larger total, ties going to the
///   alphabetically first name. A phone and a watch both count the same steps, so adding them
///   would count them twice.
/// - **Resting heart rate**: the mean of the day's resting heart rate records from one source,
///   the one with the most records that day (ties to the first name).
/// - **Source**: every source whose values were kept, sorted and joined by ", ".
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DayActivity {
    /// The local date of the day, on the device's own clock.
    pub date: Date,
    pub source: String,
    pub exercise_minutes: Option<f64>,
    pub exercise_end: Option<ClockTime>,
    pub steps: Option<u32>,
    /// Beats per minute.
    pub resting_hr: Option<f64>,
}

impl DayActivity {
    /// Of two records for one date, whether this one is kept over `other`: the one that saw
    /// more of the day (more steps, then more exercise, then a resting heart rate at all), ties
    /// to the alphabetically first source. A later export of the same day only ever knows
    /// more, so re-importing an older one keeps the fuller record whichever came first.
    pub fn outranks(&self, other: &DayActivity) -> bool {
        let minutes = |a: &DayActivity| a.exercise_minutes.unwrap_or(-1.0);
        let fuller = self
            .steps
            .cmp(&other.steps)
            .then_with(|| minutes(self).total_cmp(&minutes(other)))
            .then_with(|| self.resting_hr.is_some().cmp(&other.resting_hr.is_some()));
        match fuller {
            std::cmp::Ordering::Greater => true,
            std::cmp::Ordering::Less => false,
            std::cmp::Ordering::Equal => self.source < other.source,
        }
    }

    /// Fills the night of this date with the day's exercise (minutes and end time) when the
    /// person recorded neither: what they wrote wins, and one account of the day's exercise is
    /// never half theirs and half the watch's. Intensity is left alone: a watch's workout type
    /// does not say how hard it felt. Returns whether anything was filled.
    pub fn fill_exercise(&self, night: &mut NightEntry) -> bool {
        if night.night != Some(self.date)
            || self.exercise_minutes.is_none()
            || night.exercise_minutes.is_some()
            || night.exercise_end.is_some()
        {
            return false;
        }
        night.exercise_minutes = self.exercise_minutes;
        night.exercise_end = self.exercise_end;
        true
    }

    /// Checks the values a file brings (a JSON export can say anything), naming the field.
    pub fn validate(&self) -> Result<(), FieldError> {
        if let Some(problem) = crate::limits::date_problem(self.date) {
            return Err(FieldError::new("date", problem));
        }
        if let Some(problem) =
            crate::limits::text_problem(&self.source, crate::limits::PHRASE_MAX_CHARS)
        {
            return Err(FieldError::new("source", problem));
        }
        if let Some(m) = self.exercise_minutes
            && !(m.is_finite() && (0.0..=MAX_EXERCISE_MINUTES).contains(&m))
        {
            return Err(FieldError::new(
                "exercise_minutes",
                format!("{m} is not a number of minutes from 0 to {MAX_EXERCISE_MINUTES}"),
            ));
        }
        if let Some(hr) = self.resting_hr
            && !(hr.is_finite() && hr > 0.0 && hr <= MAX_RESTING_HR)
        {
            return Err(FieldError::new(
                "resting_hr",
                format!(
                    "{hr} is not a heart rate in beats per minute (above 0, at most {MAX_RESTING_HR})"
                ),
            ));
        }
        Ok(())
    }
}

/// Fills every night of a journal with its day's exercise where the person wrote none
/// ([`DayActivity::fill_exercise`]); `days` holds one record per date, as stored. Returns how
/// many nights were filled.
pub fn fill_nights(nights: &mut [NightEntry], days: &[DayActivity]) -> usize {
    let by_date: std::collections::HashMap<Date, &DayActivity> =
        days.iter().map(|d| (d.date, d)).collect();
    let mut filled = 0;
    for night in nights.iter_mut() {
        if let Some(day) = night.night.and_then(|date| by_date.get(&date))
            && day.fill_exercise(night)
        {
            filled += 1;
        }
    }
    filled
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    fn day(source: &str, steps: Option<u32>, minutes: Option<f64>) -> DayActivity {
        DayActivity {
            date: date(2026, 10, 1),
            source: source.into(),
            exercise_minutes: minutes,
            exercise_end: None,
            steps,
            resting_hr: None,
        }
    }

    #[test]
    fn the_fuller_day_outranks_and_ties_go_to_the_first_name() {
        assert!(day("Phone", Some(9000), None).outranks(&day("Watch", Some(8000), Some(30.0))));
        assert!(day("Watch", Some(8000), Some(30.0)).outranks(&day("Watch", Some(8000), None)));
        assert!(day("Watch", Some(1), None).outranks(&day("Watch", None, Some(60.0))));
        assert!(day("A", Some(5), None).outranks(&day("B", Some(5), None)));
        assert!(!day("B", Some(5), None).outranks(&day("A", Some(5), None)));
        let same = day("A", Some(5), None);
        assert!(!same.outranks(&same.clone()), "never over itself");
    }

    #[test]
    fn a_night_takes_the_days_exercise_only_where_the_person_wrote_none() {
        let watch = DayActivity {
            exercise_end: "19:10".parse().ok(),
            ..day("Watch", Some(9000), Some(42.5))
        };
        let mut night = NightEntry {
            night: Some(date(2026, 10, 1)),
            severity: 4,
            ..NightEntry::default()
        };
        assert!(watch.fill_exercise(&mut night));
        assert_eq!(night.exercise_minutes, Some(42.5));
        assert_eq!(night.exercise_end, "19:10".parse().ok());

        let mut theirs = NightEntry {
            night: Some(date(2026, 10, 1)),
            exercise_minutes: Some(0.0),
            ..NightEntry::default()
        };
        assert!(!watch.fill_exercise(&mut theirs), "their 0 is an answer");
        assert_eq!(
            (theirs.exercise_minutes, theirs.exercise_end),
            (Some(0.0), None)
        );

        let mut other_day = NightEntry {
            night: Some(date(2026, 10, 2)),
            ..NightEntry::default()
        };
        assert!(!watch.fill_exercise(&mut other_day));
        let mut no_workout = night.clone();
        no_workout.exercise_minutes = None;
        no_workout.exercise_end = None;
        assert!(!day("Watch", Some(9000), None).fill_exercise(&mut no_workout));
        assert_eq!(no_workout.exercise_minutes, None, "not measured is not 0");
    }

    #[test]
    fn a_journal_takes_each_days_exercise_on_its_own_night() {
        let days = [
            DayActivity {
                exercise_end: "07:30".parse().ok(),
                ..day("Watch", Some(4000), Some(25.0))
            },
            DayActivity {
                date: date(2026, 10, 3),
                ..day("Watch", Some(4000), Some(60.0))
            },
        ];
        let night = |d: u8, minutes: Option<f64>| NightEntry {
            night: Some(date(2026, 10, d as i8)),
            exercise_minutes: minutes,
            ..NightEntry::default()
        };
        let mut nights = vec![night(1, None), night(2, None), night(3, Some(10.0))];
        assert_eq!(fill_nights(&mut nights, &days), 1);
        assert_eq!(nights[0].exercise_minutes, Some(25.0));
        assert_eq!(nights[0].exercise_end, "07:30".parse().ok());
        assert_eq!(nights[1].exercise_minutes, None, "no record that day");
        assert_eq!(nights[2].exercise_minutes, Some(10.0), "theirs wins");
    }

    #[test]
    fn impossible_values_name_their_field() {
        let mut d = day("Watch", Some(5), Some(2000.0));
        assert_eq!(d.validate().expect_err("minutes").field, "exercise_minutes");
        d.exercise_minutes = Some(30.0);
        d.resting_hr = Some(f64::NAN);
        assert_eq!(d.validate().expect_err("hr").field, "resting_hr");
        d.resting_hr = Some(58.5);
        assert!(d.validate().is_ok());
    }

    #[test]
    fn not_measured_is_null_and_reads_back() {
        let d = day("Watch", None, Some(12.5));
        let text = serde_json::to_string(&d).expect("json");
        assert!(text.contains("\"steps\":null"), "{text}");
        assert_eq!(serde_json::from_str::<DayActivity>(&text).expect("back"), d);
    }
}
