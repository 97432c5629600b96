//! n-of-1 statistics for Quietlegs: did a change help, and which habits go with worse nights.
//!
//! Pure functions over journal data (spec sections 5 and 6). Nights are correlated with the
//! nights around them, so every model here has AR(1) errors; missing nights are gaps, never
//! imputed; results carry their uncertainty and verdicts stay modest.

mod abab;
mod ar1;
mod experiment;
mod matrix;
mod posterior;
mod round;
mod series;
mod trend;
mod triggers;

pub use abab::{AbabSchedule, Order, exact_randomisation_p};
pub use experiment::{Design, ExperimentResult, ExperimentVerdict, PlannedExperiment};
pub use posterior::Posterior;
pub use trend::{Trend, Week, Window};
pub use triggers::{TriggerResult, TriggerVerdict};

use quietlegs_core::KnowledgeBase;
use quietlegs_core::journal::{Experiment, ExperimentStatus, NightEntry};
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
}

impl Default for RemedyTiming {
    fn default() -> Self {
        Self {
            onset_days: 7,
            reversible: true,
        }
    }
}

/// Remedy timing from the knowledge base; a remedy it does not know gets the default.
pub fn timing_from(kb: &KnowledgeBase) -> impl Fn(&str) -> RemedyTiming + '_ {
    move |id| {
        kb.get(id)
            .map_or_else(RemedyTiming::default, |e| RemedyTiming {
                onset_days: e.onset_days.unwrap_or(RemedyTiming::default().onset_days),
                reversible: e.reversible,
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
    let series = series::Series::new(nights);
    let experiments = experiment::analyse(&series, planned, timing, options);
    let tested: Vec<&str> = experiments.iter().map(|e| e.id.as_str()).collect();
    let triggers = triggers::analyse(&series, &tested, options);
    Insights {
        nights: series.len(),
        experiments,
        triggers,
        trend: trend::trend(&series, options),
        note: NOTE,
    }
}

/// Analyses what a person has stored: their nights, the experiments they declared, and their
/// bedtime (which decides what counts as late exercise), with the knowledge base's timings.
pub fn analyse_stored(
    nights: &[NightEntry],
    experiments: &[Experiment],
    bedtime: Option<quietlegs_core::profile::ClockTime>,
    kb: &KnowledgeBase,
    mut options: Options,
) -> Insights {
    options.bedtime_minutes = bedtime.map(|b| b.minutes());
    analyse(
        nights,
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
