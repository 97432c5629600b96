//! Each experiment as a trialist reads it, in the order of the CENT 2015 checklist for n-of-1
//! trials: design, periods, run-in and washout, adherence, carry-over, missing nights, the
//! model, the effect with its interval, and the randomisation test where there was one.

use quietlegs_core::journal::Experiment;
use quietlegs_stats::{Design, ExperimentResult};

/// One experiment's CENT items: (item, what happened).
pub struct TrialReport {
    pub name: String,
    pub items: Vec<(&'static str, String)>,
}

/// Periods listed one by one up to this many; longer schedules are summarised.
const PERIODS_LISTED: usize = 12;

pub fn of(name: String, e: &ExperimentResult, stored: Option<&Experiment>) -> TrialReport {
    let schedule = stored.and_then(|s| s.schedule);
    let design = match (e.design, schedule) {
        (Design::Abab, Some(s)) => format!(
            "Randomised on/off (ABAB) schedule: {} pairs of {}-night periods, the order within \
             each pair drawn from seed {} (recorded before it began).",
            s.pairs, s.period_nights, s.seed
        ),
        (Design::Abab, None) => {
            "On and off more than once, not randomised (from the took: column).".into()
        }
        (Design::Ab, _) => "A baseline without the change, then the change (AB), not \
                            randomised."
            .into(),
        (Design::Segmented, _) => "A lasting change (AB, not reversible): nights before \
                                   against nights after it began."
            .into(),
    };
    let mut periods: Vec<String> = e
        .periods
        .iter()
        .take(PERIODS_LISTED)
        .map(|p| {
            format!(
                "{} {} to {} ({} nights logged)",
                if p.with_change { "with" } else { "without" },
                p.from,
                p.to,
                p.nights
            )
        })
        .collect();
    if e.periods.len() > PERIODS_LISTED {
        periods.push(format!(
            "and {} more periods",
            e.periods.len() - PERIODS_LISTED
        ));
    }
    let run_in = match (e.design, e.washout_nights) {
        (Design::Segmented, _) => {
            "No run-in: level and slope are both estimated from the start.".to_string()
        }
        (_, Some(w)) => format!(
            "Build-up modelled over the onset (typically {} days); the randomisation test drops \
             the first {w} nights of every period as washout.",
            e.onset_days
        ),
        _ => format!(
            "Build-up modelled over the onset (typically {} days); no washout (no stop).",
            e.onset_days
        ),
    };
    let adherence = match e.adherence {
        Some(a) => format!(
            "Taken on {:.0}% of the nights with it where it was recorded.",
            a * 100.0
        ),
        None => "Not recorded night by night.".into(),
    };
    let carry = match e.design {
        Design::Segmented => "Not testable: the change is not expected to wear off.".to_string(),
        _ => format!(
            "Allowed for: the effect may linger up to {} nights after stopping (the fit \
             averages over none and that).",
            e.carryover_days
        ),
    };
    let effect = match (e.effect, e.ci95) {
        (Some(x), Some([lo, hi])) => format!(
            "{x:+.1} points on the 0-10 scale (95% interval {lo:+.1} to {hi:+.1}); verdict: {}.",
            e.verdict.in_words()
        ),
        _ => format!("Not estimated; verdict: {}.", e.verdict.in_words()),
    };
    let mut items = vec![
        ("Design", design),
        ("Periods", periods.join("; ")),
        ("Run-in and washout", run_in),
        ("Adherence", adherence),
        ("Carry-over", carry),
        (
            "Missing nights",
            format!(
                "{} of {} days not logged (gaps are left as gaps, never filled in).",
                e.missing_nights,
                e.missing_nights + e.baseline_nights + e.treatment_nights
            ),
        ),
        ("Model", e.model.clone()),
        ("Effect", effect),
    ];
    items.push((
        "Randomisation test",
        match e.randomisation_p {
            Some(p) => format!("Exact test on the period means, one-sided p = {p:.3}."),
            None => "None (not randomised).".into(),
        },
    ));
    if let Some(o) = &e.objective {
        items.push(("Second outcome (tracker, a proxy)", o.explanation.clone()));
    }
    TrialReport { name, items }
}
