//! Building the plan's steps, stage by stage.

use serde::Serialize;

use crate::knowledge::{Dose, Entry, Evidence, KnowledgeBase};
use crate::profile::{ClockTime, Resolved};
use crate::safety::{self, Flag, IronStatus, Level, Rules, SafetyReport};
use crate::screening::Screening;

/// Where a step sits in the order of things to do (spec section 4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Stage {
    Safety,
    Test,
    Stop,
    Iron,
    Try,
    Routine,
    Acute,
    Escalate,
}

impl Stage {
    /// The heading a person reads above this stage's steps.
    pub fn heading(self) -> &'static str {
        match self {
            Stage::Safety => "First, your safety",
            Stage::Test => "Tests to ask for",
            Stage::Stop => "Things to discuss or pause",
            Stage::Iron => "Iron",
            Stage::Try => "Changes to try, one at a time",
            Stage::Routine => "Evening routine",
            Stage::Acute => "On a bad night",
            Stage::Escalate => "If it is not enough",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Step {
    pub order: u32,
    pub stage: Stage,
    pub id: String,
    pub title: String,
    pub why: String,
    pub dose: Option<Dose>,
    pub timing: Option<String>,
    pub duration_days: Option<u32>,
    pub evidence: Evidence,
    pub sources: Vec<String>,
    pub cautions: Vec<String>,
    /// Try steps: the day (from today) this change starts, so changes never overlap.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub start_day: Option<u32>,
    /// Try steps: how the person will know whether it helped.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub how_to_judge: Option<String>,
    /// Try steps already tested on this person's own nights: what their journal says.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub outcome: Option<Outcome>,
}

/// What a person's own journal says about a change they tried (from the insights).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Outcome {
    Helps,
    NoClearEffect,
    Worse,
    InProgress,
}

/// One change already tried, with the plain-words result to show in its step.
#[derive(Debug, Clone, PartialEq)]
pub struct Tried {
    pub id: String,
    pub outcome: Outcome,
    pub summary: String,
}

pub(super) struct Context<'a> {
    pub person: &'a Resolved,
    pub kb: &'a KnowledgeBase,
    pub rules: &'a Rules,
    pub safety: &'a SafetyReport,
    pub screening: &'a Screening,
    pub steps: Vec<Step>,
    pub flags: Vec<Flag>,
    pub tried: &'a [Tried],
}

/// The changes worth trying, best first: evidence, then safety, then effort. Trigger removal
/// experiments come first when the person's habits make them relevant (see `try_stage`).
const TRY_ORDER: &[&str] = &[
    "exercise",
    "yoga",
    "massage",
    "pneumatic-compression",
    "magnesium",
];

/// What to do when the legs act up tonight (counter-stimulation and distraction).
const ACUTE: &[&str] = &[
    "walking-when-restless",
    "stretching",
    "massage",
    "cold",
    "heat",
    "mental-alerting-activities",
    "breathing",
];

const MAX_TRY_STEPS: usize = 5;
/// A trial shorter than this cannot be told apart from night-to-night noise.
const MIN_TRIAL_DAYS: u32 = 14;

/// How long to try a change: the time it takes to act, and never less than two weeks.
pub fn trial_days(onset_days: Option<u32>) -> u32 {
    onset_days.unwrap_or(MIN_TRIAL_DAYS).max(MIN_TRIAL_DAYS)
}

impl Context<'_> {
    pub(super) fn build(&mut self) {
        self.safety_stage();
        self.test_stage();
        self.stop_stage();
        self.iron_stage();
        self.try_stage();
        self.routine_stage();
        self.acute_stage();
        self.escalate_stage();
        self.interaction_flags();
    }

    fn entry(&self, id: &str) -> Option<&Entry> {
        self.kb.get(id)
    }

    /// Adds a step built from a knowledge entry, unless the safety engine blocks it (stop steps
    /// are about the blocked thing itself, so they pass).
    fn push(&mut self, stage: Stage, id: &str, title: String, why: String) -> Option<&mut Step> {
        if stage != Stage::Stop && self.safety.blocks(id) {
            return None;
        }
        let entry = self.entry(id)?;
        let dose = entry.dose.clone().map(|d| self.capped(id, d));
        let step = Step {
            order: 0,
            stage,
            id: id.to_string(),
            title,
            why,
            dose,
            timing: entry.timing.clone(),
            duration_days: None,
            evidence: entry.evidence,
            sources: entry.sources.clone(),
            cautions: entry.cautions.clone(),
            start_day: None,
            how_to_judge: None,
            outcome: None,
        };
        self.steps.push(step);
        self.steps.last_mut()
    }

    /// The dose with its maximum held at the safety ceiling.
    fn capped(&self, id: &str, mut dose: Dose) -> Dose {
        if let Some(c) = self.rules.ceiling(id)
            && c.unit == dose.unit
            && dose.per.as_deref().is_none_or(|p| p == c.per)
        {
            dose.max = dose.max.min(c.max);
            dose.min = dose.min.min(dose.max);
        }
        dose
    }

    fn flags_at(&self, level: Level) -> Vec<&Flag> {
        self.flags.iter().filter(|f| f.level == level).collect()
    }

    fn safety_stage(&mut self) {
        let urgent: Vec<String> = self
            .flags_at(Level::Urgent)
            .iter()
            .map(|f| f.message.clone())
            .collect();
        if !urgent.is_empty() {
            self.push(
                Stage::Safety,
                "see-doctor",
                "Get medical help today".into(),
                urgent.join(" "),
            );
        }
        let doctor: Vec<String> = self
            .flags_at(Level::Doctor)
            .iter()
            .map(|f| f.message.clone())
            .collect();
        if !doctor.is_empty() {
            let why = format!(
                "{} reason{} to see a doctor: {}",
                doctor.len(),
                if doctor.len() == 1 { "" } else { "s" },
                doctor.join(" ")
            );
            self.push(
                Stage::Safety,
                "see-doctor",
                "Book an appointment with your doctor".into(),
                why,
            );
        }
    }

    fn test_stage(&mut self) {
        if let IronStatus::Unknown { missing } = &self.safety.iron {
            let why = format!(
                "Iron is the one supplement with guideline backing for RLS, but only when blood \
                 tests show it is low, and too much iron is harmful. Needed: {}.",
                missing.join("; ")
            );
            let timing =
                "Morning blood draw; no iron tablets or iron-rich meal for 24 hours before";
            for id in ["ferritin", "tsat"] {
                let title = format!(
                    "Ask for a {} test",
                    self.entry(id).map_or(id, |e| e.name.as_str())
                );
                if let Some(step) = self.push(Stage::Test, id, title, why.clone()) {
                    step.timing = Some(timing.into());
                }
            }
        }
        let nerve_signs = self.screening.mimics.contains(&"neuropathy")
            || self.person.has_condition("neuropathy")
            || self.person.has_condition("diabetes");
        if nerve_signs {
            let why = "Numbness or burning can come from nerve damage, and low vitamin B12 or \
                       folate is a treatable cause. Test rather than guess: high-dose B vitamins \
                       can hide the problem or, for B6, cause it.";
            for id in ["vitamin-b12", "folate"] {
                if self.person.latest_lab(id).is_none() {
                    let name = self.entry(id).map_or(id, |e| e.name.as_str()).to_string();
                    if let Some(step) = self.push(
                        Stage::Test,
                        id,
                        format!("Ask for a {name} blood test"),
                        why.into(),
                    ) {
                        // The remedy entry carries a dose; as a test step it has none.
                        step.dose = None;
                        step.timing = Some("Any time of day".into());
                    }
                }
            }
        }
    }

    fn stop_stage(&mut self) {
        let drug_flags: Vec<Flag> = self
            .flags
            .iter()
            .filter(|f| f.code == "drug-trigger")
            .cloned()
            .collect();
        for flag in drug_flags {
            let written = flag.subject.clone().unwrap_or_default();
            let Some(name) = self
                .person
                .medications
                .iter()
                .chain(&self.person.supplements)
                .find(|m| m.written == written)
            else {
                continue;
            };
            let Some(id) = name.id.clone() else { continue };
            let title = format!("Ask your prescriber or pharmacist about {written}");
            if let Some(step) = self.push(Stage::Stop, &id, title, flag.message.clone()) {
                step.dose = None;
                step.timing = None;
            }
        }
        // Supplements the person takes that the engine would never suggest.
        let taken: Vec<(String, String)> = self
            .person
            .supplements
            .iter()
            .chain(&self.person.medications)
            .filter_map(|s| s.id.clone().map(|id| (id, s.written.clone())))
            .collect();
        for (id, written) in taken {
            let Some(exclusion) = self.safety.excluded.iter().find(|e| e.id == id) else {
                continue;
            };
            if self.steps.iter().any(|s| s.id == id) {
                continue;
            }
            let prescribed = self
                .person
                .medications
                .iter()
                .any(|m| m.id.as_deref() == Some(id.as_str()));
            let title = if prescribed {
                format!("Talk to your prescriber about {written}")
            } else {
                format!("Pause {written} and ask your doctor or pharmacist")
            };
            let why = format!(
                "{} If a doctor recommended it, ask them before making any change.",
                exclusion.message
            );
            if let Some(step) = self.push(Stage::Stop, &id, title, why) {
                step.dose = None;
                step.timing = None;
            }
        }
    }

    fn iron_stage(&mut self) {
        let t = &self.rules.iron;
        match self.safety.iron.clone() {
            IronStatus::Deficient { ferritin, tsat } => {
                let why = format!(
                    "Your ferritin is {ferritin:.0} ng/mL and TSAT {tsat:.0} %: iron treatment \
                     is recommended for RLS at ferritin {:.0} or below, or TSAT below {:.0} % \
                     (AASM 2024). Taking it every other day absorbs better than daily or twice \
                     daily.",
                    t.ferritin_oral_max, t.tsat_low
                );
                let retest = t.retest_days;
                let elemental = t.oral_elemental_mg;
                let pregnant = self.person.is_pregnant();
                if let Some(step) = self.push(
                    Stage::Iron,
                    "iron-oral",
                    "Take iron every other morning, with vitamin C".into(),
                    why,
                ) {
                    step.dose = Some(Dose {
                        min: elemental,
                        max: elemental,
                        unit: "mg".into(),
                        per: Some("dose".into()),
                    });
                    step.timing = Some(
                        "Every other morning on an empty stomach, with about 100-200 mg of \
                         vitamin C (or a glass of orange juice); at least an hour before coffee \
                         or tea and two hours apart from calcium, magnesium or antacids"
                            .into(),
                    );
                    step.duration_days = Some(retest);
                    step.how_to_judge = Some(format!(
                        "Re-test ferritin and TSAT after {} weeks; keep logging your nights, \
                         since any benefit builds slowly.",
                        retest / 7
                    ));
                    if pregnant {
                        step.cautions.insert(
                            0,
                            "In pregnancy, take iron only as agreed with your midwife or obstetrician."
                                .into(),
                        );
                    }
                    step.cautions.push(
                        "Keep iron tablets locked away from children: an overdose is dangerous."
                            .into(),
                    );
                }
            }
            IronStatus::IvOnly { ferritin, .. } => {
                self.push(
                    Stage::Iron,
                    "iron-iv",
                    "Ask your doctor about an iron infusion".into(),
                    format!(
                        "Ferritin {ferritin:.0} ng/mL is between {:.0} and {:.0}: tablets are \
                         unlikely to raise brain iron, but intravenous iron can (AASM 2024).",
                        t.ferritin_oral_max, t.ferritin_iv_only_max
                    ),
                );
            }
            IronStatus::Dialysis { ferritin, tsat }
                if ferritin < t.dialysis_ferritin_max && tsat < t.tsat_low =>
            {
                self.push(
                    Stage::Iron,
                    "iron-iv",
                    "Ask your kidney team about intravenous iron".into(),
                    format!(
                        "On dialysis with ferritin {ferritin:.0} ng/mL and TSAT {tsat:.0} %, IV \
                         iron sucrose is suggested for RLS (AASM 2024)."
                    ),
                );
            }
            _ => {}
        }
    }

    /// Trigger-removal experiments that the person's own habits make worth testing.
    fn trigger_trials(&self) -> Vec<(&'static str, String, String)> {
        let h = &self.person.profile.habits;
        let mut out = Vec::new();
        if h.alcohol_drinks_per_week.is_some_and(|d| d > 0.0) {
            out.push((
                "alcohol",
                "Try two weeks of alcohol-free evenings".to_string(),
                format!(
                    "You drink about {} drinks a week. Alcohol near bedtime is a commonly \
                     reported aggravator; two weeks without it shows whether it matters for you.",
                    crate::knowledge::entry_number(h.alcohol_drinks_per_week.unwrap_or(0.0))
                ),
            ));
        }
        let noon = ClockTime::new(12, 0);
        let late_caffeine = h.last_caffeine.zip(noon).is_some_and(|(t, n)| t > n);
        if late_caffeine || h.caffeine_mg_per_day.is_some_and(|mg| mg >= 200.0) {
            out.push((
                "caffeine-curfew",
                "Try two weeks with no caffeine after noon".to_string(),
                "Caffeine did not predict new RLS in a large study, but some people are \
                 sensitive to it in the evening; a two-week test tells you whether you are."
                    .to_string(),
            ));
        }
        if h.late_vigorous_exercise == Some(true) {
            out.push((
                "late-vigorous-exercise",
                "Move hard workouts to earlier in the day".to_string(),
                "Vigorous exercise close to bedtime is often reported to set legs off; keep \
                 moving, but finish hard sessions by late afternoon for two weeks."
                    .to_string(),
            ));
        }
        if h.smoker == Some(true) {
            out.push((
                "smoking-cessation",
                "Plan to stop smoking".to_string(),
                "Smokers have RLS more often, and quitting helps almost everything else too."
                    .to_string(),
            ));
        }
        out
    }

    fn try_stage(&mut self) {
        let mut candidates: Vec<(String, String, String)> = self
            .trigger_trials()
            .into_iter()
            .map(|(id, title, why)| (id.to_string(), title, why))
            .collect();
        let h = &self.person.profile.habits;
        for id in TRY_ORDER {
            let already = match *id {
                "exercise" => h.exercise_minutes_per_week.is_some_and(|m| m >= 150.0),
                "magnesium" => self.person.takes_supplement("magnesium"),
                _ => false,
            };
            if already {
                continue;
            }
            let Some(entry) = self.entry(id) else {
                continue;
            };
            let why = format!(
                "Evidence {} ({}): {}",
                entry.evidence,
                entry.evidence.meaning(),
                entry.evidence_note
            );
            candidates.push((
                id.to_string(),
                format!("Try {}", entry.name.to_lowercase()),
                why,
            ));
        }
        // The change being tried now stays the current one.
        candidates.sort_by_key(|(id, _, _)| {
            !self
                .tried
                .iter()
                .any(|t| t.id == *id && t.outcome == Outcome::InProgress)
        });
        let mut day = 0;
        let mut added = 0;
        for (id, title, why) in candidates {
            let tried = self.tried.iter().rev().find(|t| t.id == id).cloned();
            let name = self
                .entry(&id)
                .map_or(id.clone(), |e| e.name.to_lowercase());
            if let Some(t) = tried.clone().filter(|t| t.outcome != Outcome::InProgress) {
                // Already judged on the person's own nights: say so, and move on to the next.
                let title = match t.outcome {
                    Outcome::Helps => format!("Keep {name}: it helped you"),
                    Outcome::Worse => format!(
                        "Tried {name}: your nights were worse with it; consider stopping it"
                    ),
                    _ => format!("Tried {name}: no clear effect; you may stop it"),
                };
                if let Some(step) = self.push(Stage::Try, &id, title, t.summary.clone()) {
                    step.outcome = Some(t.outcome);
                }
                continue;
            }
            if added == MAX_TRY_STEPS {
                continue;
            }
            let onset = self.entry(&id).and_then(|e| e.onset_days);
            let in_progress = tried.is_some();
            let Some(step) = self.push(Stage::Try, &id, title, why) else {
                continue;
            };
            let days = trial_days(onset);
            step.duration_days = Some(days);
            step.start_day = Some(day);
            if in_progress {
                step.outcome = Some(Outcome::InProgress);
            }
            step.how_to_judge = Some(format!(
                "Change only this for {days} days and log every night. Quietlegs then compares \
                 your nights with the weeks before; a drop of about 2 points on the 0-10 scale \
                 that holds is worth keeping."
            ));
            day += days;
            added += 1;
        }
    }

    /// The routine itself is listed in the plan's `routine`; this step says why it matters.
    fn routine_stage(&mut self) {
        let bedtime = self.person.profile.bedtime;
        let title = match bedtime {
            Some(b) => format!("Keep the same evening routine every night, bed at {b}"),
            None => "Keep the same evening routine every night".to_string(),
        };
        let why = "Sleep loss makes RLS worse, and a steady, calm wind-down with a fixed \
                   bedtime is the ground every other change stands on. The routine below is \
                   timed back from your bedtime."
            .to_string();
        if let Some(step) = self.push(Stage::Routine, "sleep-hygiene", title, why) {
            step.timing = Some("Every evening; see the routine for the times".into());
        }
    }

    fn acute_stage(&mut self) {
        for id in ACUTE {
            let Some(entry) = self.entry(id) else {
                continue;
            };
            let title = format!("Tonight, if the legs start: {}", entry.name.to_lowercase());
            let why = format!(
                "Counter-stimulation or distraction can ease an attack while it lasts. {}",
                entry.evidence_note
            );
            if let Some(step) = self.push(Stage::Acute, id, title, why) {
                step.dose = None;
            }
        }
    }

    fn escalate_stage(&mut self) {
        let severe = self.flags.iter().any(|f| f.code == "severe");
        let when = if severe {
            "Your symptoms sound severe: raise these with your doctor now rather than after \
             weeks of self-help."
        } else {
            "If, after the changes above, you still have symptoms on 2 or more nights a week \
             with at least moderate distress, these are the next options to discuss."
        };
        let iron_open = matches!(
            self.safety.iron,
            IronStatus::Unknown { .. } | IronStatus::Deficient { .. }
        );
        let mut options: Vec<(&str, &str, String)> = vec![(
            "gabapentinoid",
            "Ask about gabapentin or pregabalin",
            format!(
                "{when} The AASM (2024) strongly recommends these as first-line medicines for \
                 RLS; they do not cause augmentation. Dopamine agonists (pramipexole, \
                 ropinirole, rotigotine) work quickly but are now second-line: over the years \
                 many users develop augmentation (about 8 % a year), so guidelines suggest \
                 against their standard use. If you are offered one, ask about that risk."
            ),
        )];
        if iron_open && !self.steps.iter().any(|s| s.id == "iron-iv") {
            options.push((
                "iron-iv",
                "Ask about an iron infusion",
                "Intravenous ferric carboxymaltose is strongly recommended when ferritin is \
                 below 100 ng/mL and TSAT below 45 %, or when tablets fail or are not tolerated."
                    .into(),
            ));
        }
        options.push((
            "tomac",
            "Ask about a prescription nerve-stimulation device (TOMAC)",
            "For RLS that medicines have not settled, a prescription device that stimulates \
             the nerves below the knee helped about 45 % of users versus 16 % on sham."
                .into(),
        ));
        for (id, title, why) in options {
            if let Some(step) = self.push(Stage::Escalate, id, title.into(), why) {
                step.dose = None;
                step.timing = None;
            }
        }
    }

    /// Interaction flags for each remedy in the plan and each supplement already taken.
    fn interaction_flags(&mut self) {
        let mut remedies: Vec<String> = self
            .steps
            .iter()
            .filter(|s| matches!(s.stage, Stage::Iron | Stage::Try))
            .map(|s| s.id.clone())
            .collect();
        remedies.extend(self.person.supplements.iter().filter_map(|s| s.id.clone()));
        for remedy in remedies {
            for hit in safety::interactions_for(self.rules, &remedy, self.person) {
                let subject = format!("{remedy}+{}", hit.with);
                if self
                    .flags
                    .iter()
                    .any(|f| f.code == "interaction" && f.subject.as_deref() == Some(&subject))
                {
                    continue;
                }
                self.flags.push(Flag::new(
                    "interaction",
                    Level::Caution,
                    Some(subject),
                    hit.rule.message.clone(),
                ));
                if let Some(step) = self.steps.iter_mut().find(|s| s.id == remedy) {
                    step.cautions.insert(0, hit.rule.message.clone());
                }
            }
        }
    }
}
