//! The doctor report: what a clinician needs in two minutes, built from what the person has
//! stored. [`Report::build`] is pure; [`html`] renders it as one printable page and [`pdf`] as
//! an A4 document; [`charts`] draws the SVG charts the report and the web pages share. Nothing
//! here knows about HTTP or the store: `quietlegs-app` gathers the inputs.

pub mod charts;
pub mod html;
pub mod pdf;
pub mod trial;
mod typeset;

use jiff::ToSpan;
use jiff::civil::Date;
use quietlegs_core::KnowledgeBase;
use quietlegs_core::journal::{Experiment, LabRecord, NightEntry};
use quietlegs_core::plan::Plan;
use quietlegs_core::profile::Profile;
use quietlegs_core::safety::{Level, Rules};
use quietlegs_stats::{ExperimentVerdict, Insights, TriggerVerdict, display_name};

/// How far back the severity chart looks.
pub const WINDOW_DAYS: i64 = 90;

/// What the report is made from; the edges (CLI, web) gather it from the store.
pub struct ReportInputs<'a> {
    pub profile: Option<&'a Profile>,
    pub plan: Option<&'a Plan>,
    pub labs: &'a [LabRecord],
    pub nights: &'a [NightEntry],
    pub experiments: &'a [Experiment],
    pub insights: &'a Insights,
    pub kb: &'a KnowledgeBase,
    pub rules: &'a Rules,
    pub today: Date,
}

pub struct TriedRow {
    pub name: String,
    pub dose: String,
    pub dates: String,
    pub verdict: &'static str,
    pub effect: String,
}

pub struct LabRow {
    pub date: String,
    pub name: String,
    pub value: String,
}

pub struct Report {
    pub today: Date,
    pub about: String,
    pub screening: Vec<String>,
    pub red_flags: Vec<String>,
    pub severity_summary: String,
    /// Nightly severity over the window, as SVG.
    pub severity_chart: String,
    /// The nights in the window, for charts drawn elsewhere (the PDF).
    pub recent: Vec<(Date, u8)>,
    /// Changes being tried, as shaded spans: from, to, name.
    pub phases: Vec<(Date, Date, String)>,
    pub ferritin: Vec<(Date, f64)>,
    pub ferritin_threshold: f64,
    pub iron_summary: String,
    pub ferritin_chart: Option<String>,
    pub labs: Vec<LabRow>,
    pub tried: Vec<TriedRow>,
    /// The same changes on a tracker's restlessness, where one measured it (a proxy).
    pub tracked: Vec<String>,
    /// Each experiment in CENT 2015 form.
    pub trials: Vec<trial::TrialReport>,
    pub triggers: Vec<String>,
    pub medicines: Vec<String>,
    pub supplements: Vec<String>,
    pub interactions: Vec<String>,
    pub questions: Vec<String>,
    pub disclaimer: &'static str,
}

fn signed(v: f64) -> String {
    if v > 0.0 {
        format!("+{v:.1}")
    } else {
        format!("{v:.1}")
    }
}

fn interval(effect: Option<f64>, ci: Option<[f64; 2]>) -> String {
    match (effect, ci) {
        (Some(e), Some([lo, hi])) => {
            format!("{} (95% CI {} to {})", signed(e), signed(lo), signed(hi))
        }
        _ => "—".into(),
    }
}

impl Report {
    pub fn build(i: &ReportInputs) -> Report {
        let kb = i.kb;
        let from = i.today.checked_sub(WINDOW_DAYS.days()).unwrap_or(i.today);
        let recent: Vec<(Date, u8)> = i
            .nights
            .iter()
            .filter_map(|n| n.night.map(|d| (d, n.severity)))
            .filter(|(d, _)| *d >= from && *d <= i.today)
            .collect();
        let about = match i.profile {
            Some(p) => {
                let mut parts = Vec::new();
                if let Some(a) = p.age {
                    parts.push(format!("age {a}"));
                }
                if let Some(s) = p.sex {
                    parts.push(format!("{s:?}").to_lowercase());
                }
                if p.pregnant == Some(true) {
                    parts.push("pregnant".into());
                }
                if !p.conditions.is_empty() {
                    parts.push(format!("conditions: {}", p.conditions.join(", ")));
                }
                if parts.is_empty() {
                    "No personal details given.".into()
                } else {
                    parts.join("; ")
                }
            }
            None => "No assessment stored yet.".into(),
        };
        let mut screening = Vec::new();
        let mut red_flags = Vec::new();
        let mut interactions = Vec::new();
        let mut questions = Vec::new();
        if let Some(plan) = i.plan {
            let s = &plan.screening;
            let met = s.criteria.iter().filter(|c| c.met == Some(true)).count();
            screening.push(format!(
                "IRLSSG essential criteria: {met} of 5 met ({}).",
                match s.criteria_met {
                    Some(true) => "criteria met",
                    Some(false) => "criteria not met",
                    None => "not yet determinable: a criterion is unanswered",
                }
            ));
            if let Some(c) = s.course {
                screening.push(format!(
                    "Course: {}.",
                    format!("{c:?}")
                        .replace("ChronicPersistent", "chronic-persistent")
                        .to_lowercase()
                ));
            }
            if let Some(j) = s.jhrlss {
                screening.push(format!("JHRLSS (onset) score: {j} of 3."));
            }
            if !s.mimics.is_empty() {
                screening.push(format!(
                    "Possible mimics to exclude: {}.",
                    s.mimics.join(", ")
                ));
            }
            for f in &plan.flags {
                match (f.level, f.code.as_str()) {
                    (
                        Level::Urgent | Level::Doctor,
                        "red-flag" | "not-rls" | "severe" | "augmentation-risk"
                        | "augmentation-signs" | "secondary-rls" | "iron-overload-risk" | "anaemia"
                        | "dose-above-limit" | "age" | "iv-iron-candidate" | "deficiency",
                    ) => red_flags.push(f.message.clone()),
                    (
                        _,
                        "interaction" | "drug-trigger" | "unresolved-name" | "tell-prescriber"
                        | "iron-use",
                    ) => interactions.push(f.message.clone()),
                    _ => {}
                }
            }
            for step in plan
                .steps
                .iter()
                .filter(|s| s.stage == quietlegs_core::plan::Stage::Escalate)
            {
                // The doctor sees which guideline stands behind each option raised.
                questions.push(match &step.guideline {
                    Some(g) => format!("{} ({g})", step.title),
                    None => step.title.clone(),
                });
            }
        }
        if screening.is_empty() {
            screening.push("No assessment stored yet.".into());
        }
        let ferritin: Vec<&LabRecord> = i.labs.iter().filter(|l| l.test == "ferritin").collect();
        let tsat: Vec<&LabRecord> = i.labs.iter().filter(|l| l.test == "tsat").collect();
        let iron = &i.rules.iron;
        let iron_summary = match (ferritin.last(), tsat.last()) {
            (Some(f), t) => format!(
                "Latest ferritin {} {} ({}){}. Oral iron at ferritin ≤ {} ng/mL; IV iron at ferritin ≤ {} ng/mL or TSAT < {} % (AASM 2024).",
                quietlegs_core::journal::bounded(
                    f.comparator,
                    &quietlegs_core::knowledge::entry_number(f.canonical_value)
                ),
                f.canonical_unit,
                f.date,
                t.map(|t| format!(
                    "; TSAT {} % ({})",
                    quietlegs_core::knowledge::entry_number(t.canonical_value),
                    t.date
                ))
                .unwrap_or_default(),
                quietlegs_core::knowledge::entry_number(iron.ferritin_oral_max),
                quietlegs_core::knowledge::entry_number(iron.ferritin_iv_only_max),
                quietlegs_core::knowledge::entry_number(iron.tsat_low),
            ),
            (None, _) => {
                questions.insert(
                    0,
                    "Could we check ferritin and transferrin saturation (fasting, morning)?".into(),
                );
                "No ferritin on record: iron studies are the first test for RLS.".into()
            }
        };
        let ferritin_chart = (!ferritin.is_empty()).then(|| {
            let points: Vec<(Date, f64)> = ferritin
                .iter()
                .map(|l| (l.date, l.canonical_value))
                .collect();
            charts::lab(
                &points,
                "ng/mL",
                Some((
                    iron.ferritin_oral_max,
                    format!("threshold {}", iron.ferritin_oral_max),
                )),
            )
        });
        let labs = i
            .labs
            .iter()
            .rev()
            .take(12)
            .map(|l| LabRow {
                date: l.date.to_string(),
                name: kb.get(&l.test).map_or(l.test.clone(), |e| e.name.clone()),
                value: format!(
                    "{} {}",
                    quietlegs_core::journal::bounded(
                        l.comparator,
                        &quietlegs_core::knowledge::entry_number(l.value)
                    ),
                    l.unit
                ),
            })
            .collect();
        let tried = i
            .insights
            .experiments
            .iter()
            .map(|e| {
                let end = i
                    .experiments
                    .iter()
                    .find(|x| x.remedy == e.id && x.start == e.start)
                    .and_then(|x| x.planned_end);
                TriedRow {
                    name: display_name(kb, &e.id),
                    dose: kb
                        .get(&e.id)
                        .and_then(|k| k.dose.as_ref())
                        .map(ToString::to_string)
                        .unwrap_or_else(|| "—".into()),
                    dates: match (e.ongoing, end) {
                        (true, _) => format!("since {}", e.start),
                        (false, Some(end)) => format!("{} to {end}", e.start),
                        (false, None) => format!("from {}", e.start),
                    },
                    verdict: e.verdict.in_words(),
                    effect: interval(e.effect, e.ci95),
                }
            })
            .collect();
        let trials = i
            .insights
            .experiments
            .iter()
            .filter(|e| e.effect.is_some())
            .map(|e| {
                // An on/off schedule may begin with nights off: the result starts at the first
                // night on, the stored experiment at the schedule's start.
                let stored = i
                    .experiments
                    .iter()
                    .filter(|x| x.remedy == e.id && x.start <= e.start)
                    .max_by_key(|x| x.start);
                trial::of(display_name(kb, &e.id), e, stored)
            })
            .collect();
        let tracked = i
            .insights
            .experiments
            .iter()
            .filter_map(|e| {
                let o = e.objective.as_ref()?;
                Some(format!(
                    "{}: {} ({} {}, {} nights before and {} with it)",
                    display_name(kb, &e.id),
                    o.verdict.in_words(),
                    interval(o.effect, o.ci95),
                    o.measure.unit(),
                    o.baseline_nights,
                    o.treatment_nights
                ))
            })
            .collect();
        let triggers = i
            .insights
            .triggers
            .iter()
            .filter(|t| {
                matches!(
                    t.verdict,
                    TriggerVerdict::LikelyTrigger | TriggerVerdict::LikelyProtective
                )
            })
            .map(|t| {
                format!(
                    "{}: {} ({})",
                    display_name(kb, &t.factor),
                    t.verdict.in_words(),
                    interval(t.effect, t.ci95)
                )
            })
            .collect();
        if i.insights
            .experiments
            .iter()
            .any(|e| e.verdict == ExperimentVerdict::NoClearEffect)
        {
            questions.push("Which change should come next, given what did not help?".into());
        }
        questions.push("Are any of my medicines known to worsen restless legs?".into());
        let mean = (!recent.is_empty())
            .then(|| recent.iter().map(|(_, s)| f64::from(*s)).sum::<f64>() / recent.len() as f64);
        let severity_summary = match mean {
            Some(m) => format!(
                "Average nightly severity {m:.1} of 10 over {} logged nights in the last {WINDOW_DAYS} days; {} of them at 7 or worse.",
                recent.len(),
                recent.iter().filter(|(_, s)| *s >= 7).count()
            ),
            None => format!("No nights logged in the last {WINDOW_DAYS} days."),
        };
        let phases: Vec<charts::Phase> = i
            .insights
            .experiments
            .iter()
            .map(|e| charts::Phase {
                from: e.start.max(from),
                to: i.today,
                label: display_name(kb, &e.id),
            })
            .collect();
        let ferritin_points: Vec<(Date, f64)> = ferritin
            .iter()
            .map(|l| (l.date, l.canonical_value))
            .collect();
        Report {
            recent: recent.clone(),
            phases: phases
                .iter()
                .map(|p| (p.from, p.to, p.label.clone()))
                .collect(),
            ferritin: ferritin_points,
            ferritin_threshold: iron.ferritin_oral_max,
            today: i.today,
            about,
            screening,
            red_flags,
            severity_summary,
            severity_chart: charts::severity(&recent, &[], &phases),
            iron_summary,
            ferritin_chart,
            labs,
            tried,
            tracked,
            trials,
            triggers,
            medicines: i.profile.map(|p| p.medications.clone()).unwrap_or_default(),
            supplements: i.profile.map(|p| p.supplements.clone()).unwrap_or_default(),
            interactions,
            questions,
            disclaimer: quietlegs_core::plan::DISCLAIMER,
        }
    }
}
