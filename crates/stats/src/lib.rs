//! n-of-1 statistics for Quietlegs: did a change help, and which habits go with worse nights.
//!
//! Pure functions over journal data (spec sections 5 and 6). Nights are correlated with the
//! nights around them, so every model here has AR(1) errors; missing nights are gaps, never
//! imputed; results carry their uncertainty and verdicts stay modest.

mod abab;
mod ar1;
pub mod augmentation;
mod experiment;
mod matrix;
mod objective;
mod outlook;
mod posterior;
mod round;
mod series;
mod trend;
mod triggers;

pub use abab::{AbabSchedule, Order, exact_randomisation_p};
pub use experiment::{Design, ExperimentResult, ExperimentVerdict, Period, PlannedExperiment};
pub use objective::{
    Measure, Objective, ObjectiveResult, ObjectiveSummary, ObjectiveVerdict, PROXY_NOTE,
};
pub use outlook::{MIN_OUTLOOK_NIGHTS, OUTLOOK_NOTE, Outlook, OutlookFactor, outlook};
pub use posterior::Posterior;
pub use trend::{Trend, Week, Window};
pub use triggers::{TriggerResult, TriggerVerdict};

use quietlegs_core::KnowledgeBase;
use quietlegs_core::journal::{Experiment, ExperimentStatus, NightEntry, SleepRecord};
use serde::Serialize;

/// What the analysis needs to know about a remedy, from the knowledge base.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RemedyTiming {
    /// Typical days until an effect can be judged; the effect is modelled as building up
    /// linearly over them.
    pub onset_days: u32,
    /// Whether the effect fades when the remedy stops. Slow, cumulative changes (iron stores)
    /// are not, and cannot be tested by switching on and off.
    pub reversible: bool,
    /// The shortest and longest onsets the knowledge base knows; `None`: derived from the
    /// typical one (see [`RemedyTiming::onset_range`]).
    pub onset_range: Option<(u32, u32)>,
    /// Nights the effect lingers after stopping; `None`: [`DEFAULT_CARRYOVER`].
    pub carryover_days: Option<u32>,
}

/// Without a known carry-over, an effect is assumed to linger this many nights: on/off
/// schedules drop at least this many nights after each switch.
pub const DEFAULT_CARRYOVER: u32 = 3;

impl Default for RemedyTiming {
    fn default() -> Self {
        Self {
            onset_days: 7,
            reversible: true,
            onset_range: None,
            carryover_days: None,
        }
    }
}

impl RemedyTiming {
    /// The onsets the model averages over: the knowledge base's range, or a wide one around
    /// the typical value (a quarter of it to three times it, and up to six weeks for fast
    /// remedies), since real people's onsets stray far from the typical.
    pub fn onset_range(&self) -> (u32, u32) {
        let typical = self.onset_days.max(1);
        self.onset_range
            .map(|(lo, hi)| (lo.max(1), hi.max(typical)))
            .unwrap_or(((typical / 4).max(1), (typical * 3).clamp(42, 180)))
    }

    pub fn carryover(&self) -> u32 {
        self.carryover_days.unwrap_or(DEFAULT_CARRYOVER)
    }
}

/// Remedy timing from the knowledge base; a remedy it does not know gets the default.
pub fn timing_from(kb: &KnowledgeBase) -> impl Fn(&str) -> RemedyTiming + '_ {
    move |id| {
        kb.get(id)
            .map_or_else(RemedyTiming::default, |e| RemedyTiming {
                onset_days: e.onset_days.unwrap_or(RemedyTiming::default().onset_days),
                reversible: e.reversible,
                onset_range: e.onset_range,
                carryover_days: e.carryover_days,
            })
    }
}

/// The stored experiments as the analysis takes them. Abandoned ones are left out: their
/// nights still count as nights without the change only if a `took:` column says so.
pub fn planned_from(experiments: &[Experiment]) -> Vec<PlannedExperiment> {
    experiments
        .iter()
        .filter(|e| e.status != ExperimentStatus::Abandoned)
        .map(|e| PlannedExperiment {
            remedy: e.remedy.clone(),
            start: e.start,
            planned_end: e.planned_end,
            ongoing: matches!(
                e.status,
                ExperimentStatus::Running | ExperimentStatus::Planned
            ),
            schedule: e.schedule.map(AbabSchedule::from),
        })
        .collect()
}

/// The experiments' results as the planner takes them: judged ones mark their step, running
/// ones stay current; results that cannot be judged yet and are over change nothing.
pub fn tried(insights: &Insights) -> Vec<quietlegs_core::plan::Tried> {
    use quietlegs_core::plan::{Outcome, Tried};
    insights
        .experiments
        .iter()
        .filter_map(|e| {
            let outcome = match e.verdict {
                ExperimentVerdict::Helps => Outcome::Helps,
                ExperimentVerdict::NoClearEffect => Outcome::NoClearEffect,
                ExperimentVerdict::Worse => Outcome::Worse,
                ExperimentVerdict::TooEarly
                | ExperimentVerdict::InsufficientData
                | ExperimentVerdict::CannotSeparate
                    if e.ongoing =>
                {
                    Outcome::InProgress
                }
                _ => return None,
            };
            Some(Tried {
                id: e.id.clone(),
                outcome,
                summary: format!("From your own journal: {}", e.explanation),
            })
        })
        .collect()
}

/// Settings a person (or their clinician) may change.
#[derive(Debug, Clone, PartialEq)]
pub struct Options {
    /// The smallest change in nightly severity that matters to this person. Default: half the
    /// standard deviation of their own baseline nights (at least half a point).
    pub meaningful_change: Option<f64>,
    /// A night at or above this severity counts as a bad night.
    pub bad_night_threshold: u8,
    /// Bedtime, if known: "late" exercise is then the three hours before it.
    pub bedtime_minutes: Option<u16>,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            meaningful_change: None,
            bad_night_threshold: 7,
            bedtime_minutes: None,
        }
    }
}

/// Everything `insights --json` prints (spec section 6, plus `trend` and `note`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Insights {
    pub nights: usize,
    pub experiments: Vec<ExperimentResult>,
    pub triggers: Vec<TriggerResult>,
    pub trend: Option<Trend>,
    /// The wearable's restlessness beside the ratings, when a tracker measured it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub objective: Option<ObjectiveSummary>,
    pub note: &'static str,
}

/// Shown with every analysis.
pub const NOTE: &str = "These are statistics about your own nights, not medical advice. An \
association is not proof of cause: nights differ for many reasons. Talk to your doctor before \
changing any prescribed medicine.";

/// Analyses a journal. `planned` are experiments the person declared (they take precedence over
/// what the `took:` columns suggest for the same remedy); `timing` tells the analysis how fast
/// each remedy acts.
pub fn analyse(
    nights: &[NightEntry],
    planned: &[PlannedExperiment],
    timing: &dyn Fn(&str) -> RemedyTiming,
    options: &Options,
) -> Insights {
    analyse_with(nights, None, planned, timing, options)
}

/// [`analyse`], with a wearable's restlessness judged as a second outcome of each change.
pub fn analyse_with(
    nights: &[NightEntry],
    objective: Option<&Objective>,
    planned: &[PlannedExperiment],
    timing: &dyn Fn(&str) -> RemedyTiming,
    options: &Options,
) -> Insights {
    let series = series::Series::new(nights, objective);
    let experiments = experiment::analyse(&series, planned, timing, options);
    let tested: Vec<&str> = experiments.iter().map(|e| e.id.as_str()).collect();
    let triggers = triggers::analyse(&series, &tested, options);
    let summary = objective.map(|o| {
        let pairs: Vec<(f64, f64)> = series
            .nights
            .iter()
            .filter_map(|n| n.objective.map(|v| (n.severity, v)))
            .collect();
        ObjectiveSummary::of(&pairs, o.measure)
    });
    Insights {
        nights: series.len(),
        experiments,
        triggers,
        trend: trend::trend(&series, options),
        objective: summary,
        note: NOTE,
    }
}

/// Analyses what a person has stored: their nights, the experiments they declared, their
/// trackers' sleep records (for the second outcome) and their bedtime (which decides what
/// counts as late exercise), with the knowledge base's timings.
pub fn analyse_stored(
    nights: &[NightEntry],
    experiments: &[Experiment],
    sleep: &[SleepRecord],
    bedtime: Option<quietlegs_core::profile::ClockTime>,
    kb: &KnowledgeBase,
    mut options: Options,
) -> Insights {
    options.bedtime_minutes = bedtime.map(|b| b.minutes());
    analyse_with(
        nights,
        Objective::from_sleep(sleep).as_ref(),
        &planned_from(experiments),
        &timing_from(kb),
        &options,
    )
}

/// A knowledge-base name for an id, else the id in words ("caffeine-late" -> "Caffeine after
/// 14:00").
pub fn display_name(kb: &KnowledgeBase, id: &str) -> String {
    match (id, kb.get(id)) {
        ("caffeine-late", _) => "Caffeine after 14:00".into(),
        (_, Some(e)) => e.name.clone(),
        _ => quietlegs_core::text::capitalised(&id.replace('-', " ")),
    }
}

impl ExperimentVerdict {
    /// The verdict as a person reads it.
    pub fn in_words(self) -> &'static str {
        match self {
            ExperimentVerdict::Helps => "helps",
            ExperimentVerdict::NoClearEffect => "no clear effect",
            ExperimentVerdict::Worse => "worse",
            ExperimentVerdict::TooEarly => "too early to tell",
            ExperimentVerdict::InsufficientData => "not enough data",
            ExperimentVerdict::CannotSeparate => "cannot be told apart from another change",
        }
    }
}

impl TriggerVerdict {
    /// The verdict as a person reads it.
    pub fn in_words(self) -> &'static str {
        match self {
            TriggerVerdict::LikelyTrigger => "goes with worse nights",
            TriggerVerdict::LikelyProtective => "goes with better nights",
            TriggerVerdict::NoEvidence => "no clear link",
            TriggerVerdict::InsufficientData => "not enough nights",
        }
    }
}
