//! Did a change help? Each change is compared with the nights without it, in one regression
//! with AR(1) errors. The remedy's onset is modelled as a linear ramp (and, for reversible
//! remedies, its fading as a ramp down), so slow remedies are not judged on their first nights.
//! Slow, non-reversible changes (iron) use segmented regression: a change of level and slope
//! from the night they started.

use jiff::civil::Date;
use serde::Serialize;

use crate::abab::{self, AbabSchedule};
use crate::ar1::Ar1Data;
use crate::objective::ObjectiveResult;
use crate::round;
use crate::series::{Night, Series, days_between};
use crate::{Options, RemedyTiming};

/// At least this many nights on each side before any verdict.
pub(crate) const MIN_NIGHTS: usize = 7;
/// An on-period shorter than this, before the last, is a one-off, not a change.
const MIN_ON_RUN: usize = 3;
/// An off-period shorter than this between two on-periods is missed doses, not a withdrawal.
const MIN_OFF_RUN: usize = 7;
/// Below this share of the posterior on the other side, a verdict is drawn.
const CONFIDENT: f64 = 0.95;
/// Baselines at least this long are enough to estimate a trend before the change.
const TREND_BASELINE: usize = 42;

/// A change the person declared, with its dates (from the store).
#[derive(Debug, Clone, PartialEq)]
pub struct PlannedExperiment {
    pub remedy: String,
    pub start: Date,
    pub planned_end: Option<Date>,
    /// Still running: an inconclusive result is then "too early", not "no clear effect".
    pub ongoing: bool,
    /// A randomised on/off schedule, when the person chose one.
    pub schedule: Option<AbabSchedule>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Design {
    /// A baseline, then the change.
    Ab,
    /// The change switched on and off more than once.
    Abab,
    /// A slow, lasting change: level and slope from the night it started.
    Segmented,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ExperimentVerdict {
    Helps,
    NoClearEffect,
    Worse,
    TooEarly,
    InsufficientData,
    /// Overlaps another change so closely that the nights cannot tell the two apart.
    CannotSeparate,
}

impl ExperimentVerdict {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Helps => "helps",
            Self::NoClearEffect => "no-clear-effect",
            Self::Worse => "worse",
            Self::TooEarly => "too-early",
            Self::InsufficientData => "insufficient-data",
            Self::CannotSeparate => "cannot-separate",
        }
    }
}

/// One experiment's result (spec section 6, with extra fields after the spec's).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ExperimentResult {
    pub id: String,
    pub design: Design,
    pub baseline_nights: usize,
    pub treatment_nights: usize,
    /// Change in nightly severity once the remedy has had time to act (negative = better).
    #[serde(serialize_with = "round::two")]
    pub effect: Option<f64>,
    #[serde(serialize_with = "round::pair")]
    pub ci95: Option<[f64; 2]>,
    #[serde(serialize_with = "round::three")]
    pub p_benefit: Option<f64>,
    #[serde(serialize_with = "round::three")]
    pub p_meaningful: Option<f64>,
    pub verdict: ExperimentVerdict,
    pub start: Date,
    pub ongoing: bool,
    pub onset_days: u32,
    #[serde(serialize_with = "round::two")]
    pub meaningful_change: Option<f64>,
    /// Share of nights in the change's periods on which it was recorded as taken.
    #[serde(serialize_with = "round::three")]
    pub adherence: Option<f64>,
    /// Estimated night-to-night correlation of the noise.
    #[serde(serialize_with = "round::two")]
    pub autocorrelation: Option<f64>,
    /// Exact randomisation-test p-value (one-sided, benefit), for randomised schedules.
    #[serde(
        serialize_with = "round::three",
        skip_serializing_if = "Option::is_none"
    )]
    pub randomisation_p: Option<f64>,
    /// The change began right after a week clearly worse than the nights before it, so part of
    /// any improvement may be regression to the mean (said in the explanation).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub after_bad_run: bool,
    /// With `cannot-separate`: the other change it overlaps.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub overlaps_with: Option<String>,
    pub explanation: String,
    /// The same change judged on the wearable's restlessness, where a tracker measured it: a
    /// proxy, labelled as one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub objective: Option<ObjectiveResult>,
    /// The periods with and without the change, in order (for a report in CENT 2015 form).
    pub periods: Vec<Period>,
    /// Days within the analysed span with no night logged.
    pub missing_nights: usize,
    /// Nights dropped after each switch by the randomisation test (on/off schedules only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub washout_nights: Option<u32>,
    /// Nights an effect was allowed to linger after stopping.
    pub carryover_days: u32,
    /// The model in one sentence.
    pub model: String,
}

/// One run of nights with or without the change.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Period {
    pub from: Date,
    pub to: Date,
    pub with_change: bool,
    /// Nights logged in it.
    pub nights: usize,
}

/// Per night: `Some(true)` on the change, `Some(false)` without it, `None` not analysed.
type Assignment = Vec<Option<bool>>;

pub(crate) fn analyse(
    series: &Series,
    planned: &[PlannedExperiment],
    timing: &dyn Fn(&str) -> RemedyTiming,
    options: &Options,
) -> Vec<ExperimentResult> {
    // Every change first, so that each is fitted with the others that ran in its nights.
    let mut candidates: Vec<Candidate> = planned
        .iter()
        .map(|p| Candidate {
            id: p.remedy.clone(),
            assignment: planned_assignment(series, p),
            ongoing: p.ongoing,
            planned: Some(p),
        })
        .collect();
    for id in series.took_ids() {
        if planned.iter().any(|p| p.remedy == id) {
            continue;
        }
        let states = series.took(id);
        if is_night_by_night(&states) {
            continue;
        }
        let Some(assignment) = phases(&states) else {
            continue;
        };
        let ongoing = assignment.last() == Some(&Some(true));
        candidates.push(Candidate {
            id: id.to_string(),
            assignment,
            ongoing,
            planned: None,
        });
    }
    let mut out = Vec::new();
    let mut judged: Vec<(usize, Assignment)> = Vec::new();
    for (k, c) in candidates.iter().enumerate() {
        let others: Vec<&Assignment> = candidates
            .iter()
            .enumerate()
            .filter(|(j, _)| *j != k)
            .map(|(_, o)| &o.assignment)
            .collect();
        let t = timing(&c.id);
        match judge(series, c, t, &others, options) {
            Some(mut r) => {
                if let Some(p) = c.planned {
                    // A declared change is known by the night it was declared to begin (an
                    // on/off schedule may open with nights off).
                    r.start = p.start;
                }
                judged.push((out.len(), c.assignment.clone()));
                out.push(r);
            }
            // Started, but no night logged on it yet.
            None => {
                if let Some(p) = c.planned.filter(|p| p.ongoing) {
                    out.push(not_started(p, t, &c.assignment));
                }
            }
        }
    }
    mark_overlaps(&mut out, &judged);
    out
}

/// A change to judge: declared (`planned`) or read from a `took:` column.
struct Candidate<'p> {
    id: String,
    assignment: Assignment,
    ongoing: bool,
    planned: Option<&'p PlannedExperiment>,
}

/// Nights with one change on and not the other that it takes to tell their effects apart: the
/// slower onset plus a week, and never under two weeks.
fn alone_needed(onset_days: u32) -> usize {
    (onset_days as usize + MIN_NIGHTS).max(2 * MIN_NIGHTS)
}

/// Two changes that ran together are fitted together (see [`joint_columns`]); when they had
/// too few nights with one on and not the other, the data cannot tell their effects apart, and
/// both get `cannot-separate`, naming the other, instead of a confident verdict for either.
fn mark_overlaps(results: &mut [ExperimentResult], judged: &[(usize, Assignment)]) {
    let decided = |v: ExperimentVerdict| {
        matches!(
            v,
            ExperimentVerdict::Helps | ExperimentVerdict::Worse | ExperimentVerdict::NoClearEffect
        )
    };
    let mut marks: Vec<(usize, String)> = Vec::new();
    for (x, (i, a)) in judged.iter().enumerate() {
        for (j, b) in judged.iter().skip(x + 1) {
            let on = |v: &Option<bool>| *v == Some(true);
            let together = a.iter().zip(b).filter(|(p, q)| on(p) && on(q)).count();
            let a_alone = a.iter().zip(b).filter(|(p, q)| on(p) && !on(q)).count();
            let b_alone = a.iter().zip(b).filter(|(p, q)| !on(p) && on(q)).count();
            let (ra, rb) = (&results[*i], &results[*j]);
            // Fitted together, the two are told apart by the nights on which one was on without
            // the other (either way round): too few of those, and neither can be credited.
            let tangled = together >= MIN_NIGHTS
                && a_alone + b_alone < alone_needed(ra.onset_days.max(rb.onset_days));
            if tangled && (decided(ra.verdict) || decided(rb.verdict)) {
                marks.push((*i, rb.id.clone()));
                marks.push((*j, ra.id.clone()));
            }
        }
    }
    for (i, other) in marks {
        let r = &mut results[i];
        if r.verdict == ExperimentVerdict::CannotSeparate {
            continue;
        }
        r.verdict = ExperimentVerdict::CannotSeparate;
        r.explanation = format!(
            "{} and {other} ran together for most of these nights, so the journal cannot tell \
             which one made the difference. To learn, keep one of them steady and change the \
             other alone for a few weeks (or use an on/off schedule).",
            quietlegs_core::text::capitalised(&r.id)
        );
        r.overlaps_with = Some(other);
    }
}

/// A column that flips every few nights records night-by-night use (a hot bath on bad
/// evenings), which the trigger analysis handles, not a change tried for weeks.
pub(crate) fn is_night_by_night(states: &[Option<bool>]) -> bool {
    let explicit: Vec<bool> = states.iter().flatten().copied().collect();
    let switches = explicit.windows(2).filter(|w| w[0] != w[1]).count();
    switches >= 6 && explicit.len() < 4 * (switches + 1)
}

/// Turns a `took:` column into periods: empty cells continue the period they are in (before the
/// first answer: without), brief blips are smoothed away. `None` when there is nothing to
/// compare: the column never switches.
fn phases(states: &[Option<bool>]) -> Option<Assignment> {
    let mut filled = Vec::with_capacity(states.len());
    let mut current = false;
    for s in states {
        if let Some(v) = s {
            current = *v;
        }
        filled.push(current);
    }
    let last_run_start = runs(&filled).last().map_or(0, |r| r.0);
    for (start, len, on) in runs(&filled) {
        if on && len < MIN_ON_RUN && start != last_run_start {
            filled[start..start + len].fill(false);
        }
    }
    let rs = runs(&filled);
    for (k, &(start, len, on)) in rs.iter().enumerate() {
        let between_on = k > 0 && k + 1 < rs.len();
        if !on && len < MIN_OFF_RUN && between_on {
            filled[start..start + len].fill(true);
        }
    }
    let any_on = filled.iter().any(|&v| v);
    let any_off = filled.iter().any(|&v| !v);
    (any_on && any_off).then(|| filled.into_iter().map(Some).collect())
}

/// (start, length, value) of each run of equal values.
fn runs(values: &[bool]) -> Vec<(usize, usize, bool)> {
    let mut out: Vec<(usize, usize, bool)> = Vec::new();
    for (i, &v) in values.iter().enumerate() {
        match out.last_mut() {
            Some(run) if run.2 == v => run.1 += 1,
            _ => out.push((i, 1, v)),
        }
    }
    out
}

fn planned_assignment(series: &Series, p: &PlannedExperiment) -> Assignment {
    series
        .nights
        .iter()
        .map(|n| {
            if n.date < p.start {
                return Some(false);
            }
            if p.planned_end.is_some_and(|end| n.date > end) {
                return None;
            }
            match &p.schedule {
                Some(s) => s.on_at(days_between(p.start, n.date)),
                None => Some(true),
            }
        })
        .collect()
}

fn judge(
    series: &Series,
    change: &Candidate,
    timing: RemedyTiming,
    // The other changes, night by night: fitted beside this one where they ran in its nights.
    others: &[&Assignment],
    options: &Options,
) -> Option<ExperimentResult> {
    let (id, assignment, ongoing) = (change.id.as_str(), &change.assignment, change.ongoing);
    // A randomised schedule, with the night it began: its periods count from there, whether
    // the first is on or off.
    let schedule: Option<(&AbabSchedule, Date)> = change
        .planned
        .and_then(|p| p.schedule.as_ref().map(|s| (s, p.start)));
    let (analysed, covariates): (Vec<(&Night, bool)>, Vec<usize>) = series
        .nights
        .iter()
        .zip(assignment)
        .enumerate()
        .filter_map(|(i, (n, a))| a.map(|on| ((n, on), i)))
        .unzip();
    let covariates = joint_columns(&analysed, &covariates, others);
    let first_on = analysed.iter().position(|(_, on)| *on)?;
    let on_runs = runs(&analysed.iter().map(|(_, on)| *on).collect::<Vec<_>>())
        .iter()
        .filter(|r| r.2)
        .count();
    let design = if !timing.reversible {
        Design::Segmented
    } else if on_runs > 1 {
        Design::Abab
    } else {
        Design::Ab
    };
    let start = analysed[first_on].0.date;
    let after = after_of(design, first_on);
    let baseline: Vec<f64> = analysed
        .iter()
        .enumerate()
        .filter(|(i, (_, on))| !after(*i, *on))
        .map(|(_, (n, _))| n.severity)
        .collect();
    let treatment_nights = analysed.len() - baseline.len();
    let column = series.took(id);
    let took: Vec<bool> = analysed
        .iter()
        .enumerate()
        .filter(|(i, (_, on))| after(*i, *on))
        .filter_map(|(_, (n, _))| column[n.index])
        .collect();
    let adherence =
        (!took.is_empty()).then(|| took.iter().filter(|&&t| t).count() as f64 / took.len() as f64);
    let last_day = analysed.last().map_or(0, |(n, _)| n.day);
    let span_days = last_day - analysed[first_on].0.day + 1;
    let meaningful = options
        .meaningful_change
        .unwrap_or_else(|| (0.5 * sample_sd(&baseline)).max(0.5));

    let first_day = analysed.first().map_or(0, |(n, _)| n.day);
    let mut result = ExperimentResult {
        baseline_nights: baseline.len(),
        treatment_nights,
        meaningful_change: Some(meaningful),
        adherence,
        periods: periods_of(&analysed, &after),
        missing_nights: usize::try_from(last_day - first_day + 1)
            .unwrap_or(0)
            .saturating_sub(analysed.len()),
        washout_nights: schedule.map(|(s, _)| washout_nights(timing).min(s.period_nights / 2)),
        carryover_days: if design == Design::Segmented {
            0
        } else {
            timing.carryover()
        },
        model: model_sentence(design, timing, first_on >= TREND_BASELINE, span_days),
        ..ExperimentResult::unjudged(id, design, start, ongoing, timing.onset_days)
    };
    if baseline.len() < MIN_NIGHTS {
        result.explanation = format!(
            "Not enough nights without {id} to compare with: {} logged, at least {MIN_NIGHTS} \
             needed.",
            baseline.len()
        );
        return Some(result);
    }
    if treatment_nights < MIN_NIGHTS {
        if ongoing {
            result.verdict = ExperimentVerdict::TooEarly;
            result.explanation = format!(
                "Too early to judge {id}: {treatment_nights} nights logged since the change, at \
                 least {MIN_NIGHTS} needed (and it usually takes about {} days to act).",
                timing.onset_days
            );
        } else {
            result.explanation = format!(
                "Not enough nights with {id} to judge it: {treatment_nights} logged, at least \
                 {MIN_NIGHTS} needed."
            );
        }
        return Some(result);
    }

    let severity = |n: &Night| Some(n.severity);
    let posterior = fit(design, &analysed, first_on, timing, &severity, &covariates);
    result.objective = series.objective_measure().map(|m| {
        judge_objective(
            m,
            design,
            &analysed,
            start,
            after_of(design, first_on),
            timing,
            &covariates,
        )
    });
    let Some(posterior) = posterior else {
        result.explanation =
            format!("The nights logged so far cannot separate {id} from the rest.");
        return Some(result);
    };
    let p_benefit = posterior.cdf(0.0);
    let p_meaningful = posterior.cdf(-meaningful);
    let p_worse = 1.0 - p_benefit;
    let p_meaningfully_worse = 1.0 - posterior.cdf(meaningful);
    let effect = posterior.median();
    let ci = posterior.ci95();
    result.effect = Some(effect);
    result.ci95 = Some(ci);
    result.p_benefit = Some(p_benefit);
    result.p_meaningful = Some(p_meaningful);
    result.autocorrelation = Some(posterior.rho);
    result.randomisation_p = schedule.and_then(|(s, began)| {
        let nights: Vec<(i64, f64)> = analysed
            .iter()
            .filter(|(n, _)| n.date >= began)
            .map(|(n, _)| (days_between(began, n.date), n.severity))
            .collect();
        abab::randomisation_p(s, &nights, washout_nights(timing))
    });

    let too_early =
        ongoing && (span_days < i64::from(timing.onset_days) || treatment_nights < 2 * MIN_NIGHTS);
    // A verdict needs the 95 % interval clear of zero as well as the posterior's lean, and,
    // where the schedule was randomised, the exact test to agree: so that with no effect at all
    // "helps" and "worse" together come up in at most about 5 % of journals.
    // The exact test is one-sided for benefit: "worse" needs it at the other end.
    let randomised_helps = result.randomisation_p.is_none_or(|p| p <= 0.05);
    let randomised_worse = result.randomisation_p.is_none_or(|p| p >= 0.95);
    result.verdict = if p_benefit >= CONFIDENT
        && p_meaningful >= 0.5
        && ci[1] < 0.0
        && randomised_helps
    {
        ExperimentVerdict::Helps
    } else if p_worse >= CONFIDENT && p_meaningfully_worse >= 0.5 && ci[0] > 0.0 && randomised_worse
    {
        ExperimentVerdict::Worse
    } else if too_early {
        ExperimentVerdict::TooEarly
    } else {
        ExperimentVerdict::NoClearEffect
    };
    result.explanation = explain(&result, ci, meaningful);
    let before: Vec<f64> = analysed[..first_on]
        .iter()
        .map(|(n, _)| n.severity)
        .collect();
    if let Some((run, usual)) = bad_run_before(&before)
        && effect < 0.0
    {
        result.after_bad_run = true;
        result.explanation.push_str(&format!(
            " It began right after a week worse than usual ({run:.1} against {usual:.1}): bad \
             spells pass by themselves, so part of this improvement may be the nights returning \
             to normal. A longer baseline, or an on/off schedule, would tell them apart."
        ));
    }
    Some(result)
}

/// Runs of analysed nights with and without the change.
fn periods_of(analysed: &[(&Night, bool)], after: &impl Fn(usize, bool) -> bool) -> Vec<Period> {
    let mut out: Vec<Period> = Vec::new();
    for (i, (n, on)) in analysed.iter().enumerate() {
        let with = after(i, *on);
        match out.last_mut() {
            Some(p) if p.with_change == with => {
                p.to = n.date;
                p.nights += 1;
            }
            _ => out.push(Period {
                from: n.date,
                to: n.date,
                with_change: with,
                nights: 1,
            }),
        }
    }
    out
}

/// What was fitted, in one sentence a trialist can check.
/// `span_days`: the days from the change's first night to the last, which cap the onsets
/// fitted (see [`onset_grid`]), so the sentence names the range actually averaged over.
fn model_sentence(
    design: Design,
    timing: RemedyTiming,
    with_trend: bool,
    span_days: i64,
) -> String {
    let noise = "with AR(1) errors (the night-to-night correlation averaged over its range)";
    match design {
        Design::Segmented => format!(
            "Segmented regression of nightly severity (change of level and of slope from the \
             start{}) {noise}, judged at the last night.",
            if with_trend {
                ", with the trend before it"
            } else {
                ""
            }
        ),
        Design::Ab | Design::Abab => {
            let (lo, hi) = timing.onset_range();
            let span = u32::try_from(span_days.max(1)).unwrap_or(u32::MAX);
            let range = if hi > span {
                format!(
                    "{} to {span} days (the knowledge base's {lo} to {hi}, cut at the {span} days \
                     since it began, as longer onsets look alike so far)",
                    lo.min(span)
                )
            } else {
                format!("{lo} to {hi} days")
            };
            format!(
                "Regression of nightly severity on the change's exposure, which builds up over \
                 its onset (averaged over an immediate effect and {range}, centred on {}, by \
                 marginal likelihood) and fades \
                 after a carry-over of up to {} nights{}, {noise}; the effect is the one reached \
                 over the latest nights on it.",
                timing.onset_days,
                timing.carryover(),
                if with_trend {
                    ", plus a linear trend"
                } else {
                    ""
                }
            )
        }
    }
}

fn not_started(
    p: &PlannedExperiment,
    timing: RemedyTiming,
    assignment: &Assignment,
) -> ExperimentResult {
    let design = if !timing.reversible {
        Design::Segmented
    } else if p.schedule.is_some() {
        Design::Abab
    } else {
        Design::Ab
    };
    ExperimentResult {
        baseline_nights: assignment.iter().filter(|a| **a == Some(false)).count(),
        verdict: ExperimentVerdict::TooEarly,
        explanation: format!(
            "Too early to judge {}: it starts on {} and no night with it is logged yet.",
            p.remedy, p.start
        ),
        ..ExperimentResult::unjudged(&p.remedy, design, p.start, true, timing.onset_days)
    }
}

impl ExperimentResult {
    /// A result with no numbers yet; callers fill in what the nights allow.
    fn unjudged(id: &str, design: Design, start: Date, ongoing: bool, onset_days: u32) -> Self {
        Self {
            id: id.to_string(),
            design,
            baseline_nights: 0,
            treatment_nights: 0,
            effect: None,
            ci95: None,
            p_benefit: None,
            p_meaningful: None,
            verdict: ExperimentVerdict::InsufficientData,
            start,
            ongoing,
            onset_days,
            meaningful_change: None,
            adherence: None,
            autocorrelation: None,
            randomisation_p: None,
            overlaps_with: None,
            after_bad_run: false,
            explanation: String::new(),
            objective: None,
            periods: Vec::new(),
            missing_nights: 0,
            washout_nights: None,
            carryover_days: 0,
            model: String::new(),
        }
    }
}

fn explain(r: &ExperimentResult, [lo, hi]: [f64; 2], meaningful: f64) -> String {
    let id = &r.id;
    let effect = r.effect.unwrap_or(0.0);
    let range = format!("95% interval {} to {}", signed(lo), signed(hi));
    let chance = percent(r.p_benefit.unwrap_or(0.0));
    match r.verdict {
        ExperimentVerdict::Helps => format!(
            "Nights with {id} were about {:.1} points better on the 0-10 scale ({range}); the \
             chance it helps at all is {chance}, and that the gain reaches the {meaningful:.1} \
             points that matter to you is {}.",
            -effect,
            percent(r.p_meaningful.unwrap_or(0.0))
        ),
        ExperimentVerdict::Worse => format!(
            "Nights with {id} were about {:.1} points worse ({range}), unlikely to be chance. \
             Consider stopping it if it is a supplement or habit; if it is prescribed, talk to \
             the prescriber first.",
            effect
        ),
        ExperimentVerdict::TooEarly => format!(
            "Too early to judge {id}: so far {} ({range}); it usually takes about {} days to \
             act. Keep logging.",
            signed_points(effect),
            r.onset_days
        ),
        _ => format!(
            "No clear effect of {id} so far: {} ({range}), which is within what nights vary by \
             anyway.",
            signed_points(effect)
        ),
    }
}

/// A probability in words that never claims certainty.
fn percent(p: f64) -> String {
    if p >= 0.995 {
        "over 99%".into()
    } else if p < 0.005 {
        "under 1%".into()
    } else {
        format!("{:.0}%", p * 100.0)
    }
}

fn signed(x: f64) -> String {
    let x = round::to(x, 1);
    if x > 0.0 {
        format!("+{x:.1}")
    } else {
        format!("{x:.1}")
    }
}

fn signed_points(effect: f64) -> String {
    format!("{} points", signed(effect))
}

/// Nights dropped after each switch of an on/off schedule before its periods are compared: the
/// remedy's onset or its carry-over, whichever is longer, and never under three.
fn washout_nights(timing: RemedyTiming) -> u32 {
    timing
        .onset_days
        .max(timing.carryover())
        .max(crate::DEFAULT_CARRYOVER)
}

/// What a fit reads from a night: the severity, or the wearable's measure.
type Outcome<'o> = &'o dyn Fn(&Night) -> Option<f64>;

fn fit(
    design: Design,
    analysed: &[(&Night, bool)],
    first_on: usize,
    timing: RemedyTiming,
    y: Outcome,
    others: Columns,
) -> Option<crate::Posterior> {
    match design {
        Design::Segmented => segmented_fit(analysed, first_on, y, others),
        Design::Ab | Design::Abab => {
            ramp_fit(analysed, timing, first_on >= TREND_BASELINE, y, others)
        }
    }
}

/// Other changes' exposure (1 on, 0 off) at each analysed night, one column per change.
type Columns<'c> = &'c [Vec<f64>];

/// Most other changes fitted beside one (the model's columns are bounded).
const MAX_JOINT: usize = 3;

/// The columns of the other changes that were on in some of this change's nights and off in
/// others, most-overlapping first. A column that repeats this change's own (always on together,
/// or always one without the other) could not be told from it and is left out: those pairs get
/// `cannot-separate` (see [`mark_overlaps`]).
fn joint_columns(
    analysed: &[(&Night, bool)],
    at: &[usize],
    others: &[&Assignment],
) -> Vec<Vec<f64>> {
    let mine: Vec<f64> = analysed
        .iter()
        .map(|(_, on)| f64::from(u8::from(*on)))
        .collect();
    let mut columns: Vec<(usize, Vec<f64>)> = others
        .iter()
        .map(|b| {
            at.iter()
                .map(|&i| f64::from(u8::from(b.get(i) == Some(&Some(true)))))
                .collect::<Vec<f64>>()
        })
        .filter(|c| c.contains(&0.0) && c.contains(&1.0))
        .filter(|c| *c != mine && c.iter().zip(&mine).any(|(x, m)| x + m != 1.0))
        .map(|c| {
            let together = c
                .iter()
                .zip(&mine)
                .filter(|(x, m)| **x == 1.0 && **m == 1.0)
                .count();
            (together, c)
        })
        .collect();
    columns.sort_by_key(|c| std::cmp::Reverse(c.0));
    columns
        .into_iter()
        .take(MAX_JOINT)
        .map(|(_, c)| c)
        .collect()
}

/// Whether the analysed night at `i`, with the column saying `on`, counts as after the change.
/// A lasting change counts every night from its start, whatever the column says.
fn after_of(design: Design, first_on: usize) -> impl Fn(usize, bool) -> bool {
    move |i, on| {
        if design == Design::Segmented {
            i >= first_on
        } else {
            on
        }
    }
}

/// The change judged on the tracker's nights: the journal's nights that have its measure, with
/// the same periods and model as the severity.
fn judge_objective(
    measure: crate::Measure,
    design: Design,
    analysed: &[(&Night, bool)],
    start: Date,
    after: impl Fn(usize, bool) -> bool,
    timing: RemedyTiming,
    others: Columns,
) -> ObjectiveResult {
    let tracked: Vec<(usize, (&Night, bool))> = analysed
        .iter()
        .copied()
        .enumerate()
        .filter(|(_, (n, _))| n.objective.is_some())
        .collect();
    let treatment = tracked.iter().filter(|(i, (_, on))| after(*i, *on)).count();
    let baseline = tracked.len() - treatment;
    if baseline < MIN_NIGHTS || treatment < MIN_NIGHTS {
        return ObjectiveResult::too_few(measure, baseline, treatment, MIN_NIGHTS);
    }
    // The other changes on the tracked nights only; one that does not vary there says nothing.
    let others: Vec<Vec<f64>> = others
        .iter()
        .map(|c| tracked.iter().map(|(i, _)| c[*i]).collect::<Vec<f64>>())
        .filter(|c| c.contains(&0.0) && c.contains(&1.0))
        .collect();
    let nights: Vec<(&Night, bool)> = tracked.into_iter().map(|(_, x)| x).collect();
    let first_on = nights
        .iter()
        .position(|(n, on)| {
            if design == Design::Segmented {
                n.date >= start
            } else {
                *on
            }
        })
        .unwrap_or(0);
    let objective = |n: &Night| n.objective;
    match fit(design, &nights, first_on, timing, &objective, &others) {
        Some(p) => ObjectiveResult::judged(measure, baseline, treatment, &p),
        None => ObjectiveResult::too_few(measure, baseline, treatment, MIN_NIGHTS),
    }
}

/// The remedy's effect as a ramp: the exposure climbs by 1/onset each day on it and, once
/// it stops and its carry-over has passed, falls as fast; unlogged days continue what came
/// before. Onsets are not known in advance (people differ, and the knowledge base's value is a
/// typical one), so the fit averages over a grid of onsets and, where the remedy stopped, over
/// carry-overs, each weighted by how well it explains the nights and by a prior centred on the
/// knowledge base's values. The effect reported is the one reached by the last night: never
/// one extrapolated past what was observed.
///
/// With a long enough baseline (`with_trend`) the model has a linear trend too, so that nights
/// drifting by themselves (seasons, pregnancy) are not credited to the change; with a short one
/// the trend would cost more than it saves.
fn ramp_fit(
    analysed: &[(&Night, bool)],
    timing: RemedyTiming,
    with_trend: bool,
    y: Outcome,
    others: Columns,
) -> Option<crate::Posterior> {
    let stops = analysed.windows(2).any(|w| w[0].1 && !w[1].1);
    let carries: Vec<u32> = if stops && timing.carryover() > 0 {
        vec![0, timing.carryover()]
    } else {
        vec![timing.carryover_days.unwrap_or(0)]
    };
    let mut models = Vec::new();
    let first = analysed
        .iter()
        .find(|(_, on)| *on)
        .map_or(0, |(n, _)| n.day);
    let span = analysed.last().map_or(0, |(n, _)| n.day) - first + 1;
    for (onset, log_prior) in onset_grid(timing, u32::try_from(span).unwrap_or(u32::MAX)) {
        for &carry in &carries {
            let (data, reached) = ramp_data(analysed, onset, carry, with_trend, y, others);
            if reached <= 0.0 {
                continue;
            }
            let mut contrast = vec![0.0, reached];
            if with_trend {
                contrast.push(0.0);
            }
            contrast.extend(others.iter().map(|_| 0.0));
            if let Some(fits) = data.fit_grid(&contrast) {
                models.push((log_prior, fits));
            }
        }
    }
    crate::Posterior::averaged(models)
}

/// Spread of the onset prior, on the log scale: an onset three times the typical one is still
/// well within it.
const ONSET_PRIOR_SD: f64 = 2.0;
/// Onsets tried between the range's ends.
const ONSET_POINTS: u32 = 6;

/// Onsets to average over with their log prior weights: a geometric grid over the range, with
/// the typical value itself and an immediate effect (people differ more than onsets in the
/// literature suggest).
///
/// Onsets longer than the nights since the start all look alike within them (a straight climb
/// to wherever it has reached): one of them, at the span, stands for all, so that they do not
/// crowd out the rest of the grid.
fn onset_grid(timing: RemedyTiming, span: u32) -> Vec<(u32, f64)> {
    let typical = f64::from(timing.onset_days.max(1));
    let (lo, hi) = timing.onset_range();
    let hi = hi.min(span.max(1));
    let lo = lo.min(hi);
    let longest = hi;
    let (lo, hi) = (f64::from(lo.max(1)), f64::from(hi.max(1)));
    let mut onsets: Vec<u32> = (0..ONSET_POINTS)
        .map(|k| {
            let t = f64::from(k) / f64::from(ONSET_POINTS - 1);
            (lo * (hi / lo).powf(t)).round() as u32
        })
        .chain([1, timing.onset_days.clamp(1, longest.max(1))])
        .collect();
    onsets.sort_unstable();
    onsets.dedup();
    onsets
        .into_iter()
        .map(|o| {
            let z = (f64::from(o) / typical).ln() / ONSET_PRIOR_SD;
            (o, -0.5 * z * z)
        })
        .collect()
}

/// Nights at the end over which the effect reached is read: the level at the very last night
/// leans on the ramp's straight line, the mean over the last two weeks on the nights.
const REACHED_OVER: usize = 14;

/// The ramp's rows for one onset and carry-over, and the level the remedy had reached: its mean
/// over the last [`REACHED_OVER`] nights on it.
fn ramp_data(
    analysed: &[(&Night, bool)],
    onset_days: u32,
    carryover: u32,
    with_trend: bool,
    y: Outcome,
    others: Columns,
) -> (Ar1Data, f64) {
    let step = 1.0 / f64::from(onset_days.max(1));
    let mut level: f64 = 0.0;
    let mut off_for: u32 = 0;
    let mut on_levels: Vec<f64> = Vec::new();
    let mut advance = |on: bool, level: &mut f64| {
        if on {
            off_for = 0;
            *level = (*level + step).min(1.0);
        } else {
            off_for = off_for.saturating_add(1);
            if off_for > carryover {
                *level = (*level - step).max(0.0);
            }
        }
    };
    let mut prev: Option<(i64, bool)> = None;
    let mut data = Ar1Data::new(if with_trend { 3 } else { 2 } + others.len());
    // Time in months keeps the columns on similar scales.
    let t0 = analysed.first().map_or(0, |(n, _)| n.day);
    for (i, (night, on)) in analysed.iter().enumerate() {
        if let Some((day, was_on)) = prev {
            // Days not logged continue what came before, for as long as the ramp can move.
            let missed = (night.day - day - 1).clamp(0, 400);
            for _ in 0..missed {
                advance(was_on, &mut level);
            }
        }
        advance(*on, &mut level);
        if let Some(value) = y(night) {
            if *on {
                on_levels.push(level);
            }
            let months = (night.day - t0) as f64 / 30.0;
            let mut row = vec![1.0, level];
            if with_trend {
                row.push(months);
            }
            row.extend(others.iter().map(|c| c[i]));
            data.push(night.day, &row, value);
        }
        prev = Some((night.day, *on));
    }
    let over = (on_levels.len() / 2).max(REACHED_OVER);
    let last = &on_levels[on_levels.len().saturating_sub(over)..];
    let reached = if last.is_empty() {
        0.0
    } else {
        last.iter().sum::<f64>() / last.len() as f64
    };
    (data, reached)
}

/// Level change plus slope change, judged at the last night: where the nights are now,
/// compared with where they would be had nothing changed.
fn segmented_fit(
    analysed: &[(&Night, bool)],
    first_on: usize,
    y: Outcome,
    others: Columns,
) -> Option<crate::Posterior> {
    let t0 = analysed[first_on].0.day;
    let with_trend = first_on >= TREND_BASELINE;
    // Time in months keeps the columns on similar scales.
    let months = |day: i64| day as f64 / 30.0;
    let p = if with_trend { 4 } else { 3 };
    let mut data = Ar1Data::new(p + others.len());
    for (i, (night, _)) in analysed.iter().enumerate() {
        let after = if i >= first_on { 1.0 } else { 0.0 };
        let mut x = vec![1.0, after, after * months(night.day - t0)];
        if with_trend {
            x.push(months(night.day - t0));
        }
        x.extend(others.iter().map(|c| c[i]));
        if let Some(value) = y(night) {
            data.push(night.day, &x, value);
        }
    }
    let last = analysed.last()?.0.day;
    let mut contrast = vec![0.0, 1.0, months(last - t0)];
    if with_trend {
        contrast.push(0.0);
    }
    contrast.extend(others.iter().map(|_| 0.0));
    data.fit(&contrast)
}

/// The last week before a change against the nights before it, when that week was clearly worse
/// (by a point, or by two standard errors of a week's mean if more, nights being correlated):
/// the moment people start something new, and the one after which nights improve anyway
/// (regression to the mean).
fn bad_run_before(before: &[f64]) -> Option<(f64, f64)> {
    if before.len() < 2 * MIN_NIGHTS {
        return None;
    }
    let (rest, last) = before.split_at(before.len() - MIN_NIGHTS);
    let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len() as f64;
    let (run, usual) = (mean(last), mean(rest));
    let r = lag_one_correlation(rest).clamp(0.0, 0.9);
    let week_se = sample_sd(rest) * ((1.0 + r) / (1.0 - r) / MIN_NIGHTS as f64).sqrt();
    (run - usual >= (2.0 * week_se).max(1.0)).then_some((run, usual))
}

fn lag_one_correlation(values: &[f64]) -> f64 {
    let n = values.len();
    if n < 3 {
        return 0.0;
    }
    let mean = values.iter().sum::<f64>() / n as f64;
    let var: f64 = values.iter().map(|v| (v - mean).powi(2)).sum();
    let cov: f64 = values
        .windows(2)
        .map(|w| (w[0] - mean) * (w[1] - mean))
        .sum();
    if var > 0.0 { cov / var } else { 0.0 }
}

fn sample_sd(values: &[f64]) -> f64 {
    if values.len() < 2 {
        return 0.0;
    }
    let mean = values.iter().sum::<f64>() / values.len() as f64;
    let var = values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (values.len() - 1) as f64;
    var.sqrt()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(v: &[i8]) -> Vec<Option<bool>> {
        v.iter()
            .map(|&x| match x {
                0 => Some(false),
                1 => Some(true),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn the_model_names_the_onsets_actually_fitted() {
        let slow = RemedyTiming {
            onset_days: 28,
            reversible: true,
            onset_range: Some((14, 56)),
            carryover_days: Some(3),
        };
        let early = model_sentence(Design::Ab, slow, false, 20);
        assert!(early.contains("14 to 20 days"), "{early}");
        assert!(early.contains("14 to 56"), "{early}");
        let late = model_sentence(Design::Ab, slow, false, 90);
        assert!(
            late.contains("an immediate effect and 14 to 56 days, centred on 28"),
            "{late}"
        );
        // Onsets the fit cannot have seen (onset_grid) are not claimed either.
        let grid = onset_grid(slow, 20);
        assert!(grid.iter().all(|(o, _)| *o <= 20), "{grid:?}");
    }

    #[test]
    fn a_baseline_then_a_change_is_one_switch() {
        let a = phases(&s(&[-1, -1, 0, 0, 1, -1, 1, 1])).expect("experiment");
        assert_eq!(a.iter().filter(|x| **x == Some(true)).count(), 4);
    }

    #[test]
    fn a_column_that_never_switches_is_no_experiment() {
        assert!(phases(&s(&[1, 1, 1, -1, 1])).is_none());
        assert!(phases(&s(&[0, 0, -1, 0])).is_none());
    }

    #[test]
    fn missed_doses_do_not_make_a_withdrawal() {
        let mut v = vec![0; 10];
        v.extend([1; 10]);
        v.extend([0, 0]);
        v.extend([1; 10]);
        let a = phases(&s(&v)).expect("experiment");
        assert!(a[10..].iter().all(|x| *x == Some(true)));
    }

    #[test]
    fn night_by_night_use_is_not_an_experiment() {
        let v: Vec<i8> = (0..40).map(|i| ((i * 7 + i / 3) % 3 == 0) as i8).collect();
        assert!(is_night_by_night(&s(&v)));
        let mut ab = vec![0; 20];
        ab.extend([1; 20]);
        assert!(!is_night_by_night(&s(&ab)));
    }
}
