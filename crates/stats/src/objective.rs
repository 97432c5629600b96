//! A second outcome where a wearable measured it: the restlessness the tracker saw in the night
//! (restless minutes, or failing that restless spells). It is a proxy: the tracker sees the
//! body move, not the urge that made it move, so results on it stand beside the person's own
//! rating and never replace it.

use std::collections::BTreeMap;

use jiff::civil::Date;
use quietlegs_core::journal::SleepRecord;
use serde::Serialize;

use crate::round;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Measure {
    /// Minutes the tracker scored as restless.
    RestlessMinutes,
    /// Restless spells the tracker counted.
    RestlessSpells,
}

impl Measure {
    pub fn in_words(self) -> &'static str {
        match self {
            Measure::RestlessMinutes => "restless minutes",
            Measure::RestlessSpells => "restless spells",
        }
    }

    /// The unit a number of this measure is written with.
    pub fn unit(self) -> &'static str {
        match self {
            Measure::RestlessMinutes => "min",
            Measure::RestlessSpells => "spells",
        }
    }
}

/// Said wherever a result on the wearable's measure is shown.
pub const PROXY_NOTE: &str = "Measured by your tracker: it sees movement in the night, not the \
urge itself, so it is a proxy beside your own rating, never instead of it.";

/// The wearable's measure, night by night.
#[derive(Debug, Clone, PartialEq)]
pub struct Objective {
    pub measure: Measure,
    pub by_night: BTreeMap<Date, f64>,
}

impl Objective {
    /// From stored sleep records: restless minutes where the tracker gives them on at least as
    /// many nights as spell counts, else the counts; one measure for the whole journal, so that
    /// nights stay comparable. Of two records for one night, the one the import keeps.
    pub fn from_sleep(sleep: &[SleepRecord]) -> Option<Objective> {
        let mut kept: BTreeMap<Date, &SleepRecord> = BTreeMap::new();
        for s in sleep {
            let Some(night) = s.night else { continue };
            match kept.get(&night) {
                Some(k) if !s.outranks(k) => {}
                _ => {
                    kept.insert(night, s);
                }
            }
        }
        let minutes: BTreeMap<Date, f64> = kept
            .iter()
            .filter_map(|(d, s)| s.restless_minutes.map(|m| (*d, m)))
            .filter(|(_, m)| m.is_finite() && *m >= 0.0)
            .collect();
        let spells: BTreeMap<Date, f64> = kept
            .iter()
            .filter_map(|(d, s)| s.restless_count.map(|c| (*d, f64::from(c))))
            .collect();
        let (measure, by_night) = if minutes.len() >= spells.len() {
            (Measure::RestlessMinutes, minutes)
        } else {
            (Measure::RestlessSpells, spells)
        };
        (!by_night.is_empty()).then_some(Objective { measure, by_night })
    }
}

/// How the wearable's measure sits beside the person's ratings over the whole journal.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ObjectiveSummary {
    pub measure: Measure,
    /// Nights with both a rating and the tracker's measure.
    pub nights: usize,
    #[serde(serialize_with = "round::two")]
    pub mean: Option<f64>,
    /// Pearson correlation with the nightly severity, over those nights: how far this
    /// person's tracker follows what they feel.
    #[serde(serialize_with = "round::two")]
    pub correlation_with_severity: Option<f64>,
    pub note: &'static str,
}

impl ObjectiveSummary {
    pub(crate) fn of(pairs: &[(f64, f64)], measure: Measure) -> ObjectiveSummary {
        let n = pairs.len();
        let mean = |f: fn(&(f64, f64)) -> f64| pairs.iter().map(f).sum::<f64>() / n as f64;
        let correlation = (n >= 3).then(|| {
            let (ms, mo) = (mean(|p| p.0), mean(|p| p.1));
            let cov: f64 = pairs.iter().map(|(s, o)| (s - ms) * (o - mo)).sum();
            let vs: f64 = pairs.iter().map(|(s, _)| (s - ms).powi(2)).sum();
            let vo: f64 = pairs.iter().map(|(_, o)| (o - mo).powi(2)).sum();
            let denominator = (vs * vo).sqrt();
            (denominator > 0.0).then(|| cov / denominator)
        });
        ObjectiveSummary {
            measure,
            nights: n,
            mean: (n > 0).then(|| mean(|p| p.1)),
            correlation_with_severity: correlation.flatten(),
            note: PROXY_NOTE,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ObjectiveVerdict {
    Lower,
    NoClearChange,
    Higher,
    InsufficientData,
}

impl ObjectiveVerdict {
    pub fn in_words(self) -> &'static str {
        match self {
            ObjectiveVerdict::Lower => "less restlessness measured",
            ObjectiveVerdict::NoClearChange => "no clear change measured",
            ObjectiveVerdict::Higher => "more restlessness measured",
            ObjectiveVerdict::InsufficientData => "not enough tracked nights",
        }
    }
}

/// A change judged on the wearable's measure, with the same design and model as on severity.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ObjectiveResult {
    pub measure: Measure,
    /// Always true: a result on movement the tracker saw, labelled as such.
    pub proxy: bool,
    pub baseline_nights: usize,
    pub treatment_nights: usize,
    /// Change in the measure once the change had time to act (negative = less restless).
    #[serde(serialize_with = "round::two")]
    pub effect: Option<f64>,
    #[serde(serialize_with = "round::pair")]
    pub ci95: Option<[f64; 2]>,
    pub verdict: ObjectiveVerdict,
    pub explanation: String,
}

impl ObjectiveResult {
    pub(crate) fn too_few(measure: Measure, baseline: usize, treatment: usize, min: usize) -> Self {
        ObjectiveResult {
            measure,
            proxy: true,
            baseline_nights: baseline,
            treatment_nights: treatment,
            effect: None,
            ci95: None,
            verdict: ObjectiveVerdict::InsufficientData,
            explanation: format!(
                "Your tracker measured {} on {baseline} nights before and {treatment} with the \
                 change; at least {min} of each are needed to compare them.",
                measure.in_words()
            ),
        }
    }

    /// The verdict follows the same rule as on severity: the interval clear of zero and the
    /// posterior's lean at least 95 %.
    pub(crate) fn judged(
        measure: Measure,
        baseline: usize,
        treatment: usize,
        posterior: &crate::Posterior,
    ) -> Self {
        let effect = posterior.median();
        let ci = posterior.ci95();
        let p_lower = posterior.cdf(0.0);
        let verdict = if p_lower >= 0.95 && ci[1] < 0.0 {
            ObjectiveVerdict::Lower
        } else if p_lower <= 0.05 && ci[0] > 0.0 {
            ObjectiveVerdict::Higher
        } else {
            ObjectiveVerdict::NoClearChange
        };
        let what = measure.in_words();
        let unit = measure.unit();
        let range = format!("95% interval {:+.1} to {:+.1} {unit}", ci[0], ci[1]);
        let explanation = match verdict {
            ObjectiveVerdict::Lower => format!(
                "Your tracker measured fewer {what}: about {:.1} {unit} less a night ({range}).",
                -effect
            ),
            ObjectiveVerdict::Higher => format!(
                "Your tracker measured more {what}: about {effect:.1} {unit} more a night \
                 ({range})."
            ),
            _ => format!(
                "Your tracker measured no clear change in {what}: {effect:+.1} {unit} a night \
                 ({range})."
            ),
        };
        ObjectiveResult {
            measure,
            proxy: true,
            baseline_nights: baseline,
            treatment_nights: treatment,
            effect: Some(effect),
            ci95: Some(ci),
            verdict,
            explanation,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(
        night: &str,
        source: &str,
        asleep: f64,
        minutes: Option<f64>,
        count: Option<u32>,
    ) -> SleepRecord {
        SleepRecord {
            night: night.parse().ok(),
            source: source.into(),
            asleep_minutes: asleep,
            in_bed_minutes: asleep,
            awake_minutes: 0.0,
            deep_minutes: 0.0,
            rem_minutes: 0.0,
            core_minutes: 0.0,
            restless_minutes: minutes,
            restless_count: count,
        }
    }

    #[test]
    fn minutes_are_preferred_and_the_kept_record_counts() {
        let sleep = [
            record("2026-01-01", "a", 400.0, Some(30.0), Some(4)),
            record("2026-01-01", "b", 300.0, Some(90.0), None),
            record("2026-01-02", "a", 400.0, Some(12.5), Some(2)),
            record("2026-01-03", "a", 400.0, None, None),
        ];
        let o = Objective::from_sleep(&sleep).expect("measured");
        assert_eq!(o.measure, Measure::RestlessMinutes);
        assert_eq!(o.by_night.len(), 2, "a night not measured is not 0");
        assert_eq!(
            o.by_night.values().copied().collect::<Vec<_>>(),
            [30.0, 12.5]
        );
    }

    #[test]
    fn spells_when_only_counts_are_given_and_nothing_when_nothing_is() {
        let counts = [record("2026-01-01", "ring", 400.0, None, Some(7))];
        let o = Objective::from_sleep(&counts).expect("measured");
        assert_eq!(o.measure, Measure::RestlessSpells);
        let none = [record("2026-01-01", "phone", 400.0, None, None)];
        assert!(Objective::from_sleep(&none).is_none());
    }

    #[test]
    fn the_correlation_follows_the_pairs() {
        let up: Vec<(f64, f64)> = (0..10)
            .map(|i| (f64::from(i), 3.0 * f64::from(i) + 1.0))
            .collect();
        let s = ObjectiveSummary::of(&up, Measure::RestlessMinutes);
        assert!((s.correlation_with_severity.expect("r") - 1.0).abs() < 1e-9);
        let flat: Vec<(f64, f64)> = (0..10).map(|i| (f64::from(i), 5.0)).collect();
        assert_eq!(
            ObjectiveSummary::of(&flat, Measure::RestlessMinutes).correlation_with_severity,
            None
        );
    }
}
