//! Building the plan's steps, stage by stage.

use serde::Serialize;

use super::content::{HabitTest, fill};
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
    /// The guideline recommendation behind the grade, in words, when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub guideline: Option<String>,
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
            guideline: entry
                .guideline
                .as_ref()
                .map(crate::knowledge::Guideline::describe),
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
        for name in self.person.taken() {
            let Some(id) = name.id.clone() else { continue };
            let Some(entry) = self.entry(&id) else {
                continue;
            };
            // Medicines for other conditions are never paused or questioned here: the
            // `tell-prescriber` and `drug-trigger` flags say what to tell the prescriber.
            if safety::for_other_condition(self.kb, self.person, name) {
                continue;
            }
            let written = name.written.clone();
            let trigger = self
                .flags
                .iter()
                .find(|f| f.code == "drug-trigger" && f.subject.as_deref() == Some(&written))
                .cloned();
            let exclusion = self.safety.excluded.iter().find(|e| e.id == id).cloned();
            if self.steps.iter().any(|s| s.id == id) {
                continue;
            }
            let prescription = entry.prescription;
            let (title, why) = match (trigger, exclusion) {
                (Some(flag), _) => (
                    format!("Ask your prescriber or pharmacist about {written}"),
                    flag.message,
                ),
                (None, Some(exclusion)) => (
                    if prescription {
                        format!("Talk to your prescriber about {written}")
                    } else {
                        format!("Pause {written} and ask your doctor or pharmacist")
                    },
                    format!(
                        "{} If a doctor recommended it, ask them before making any change.",
                        exclusion.message
                    ),
                ),
                (None, None) => continue,
            };
            if let Some(step) = self.push(Stage::Stop, &id, title, why) {
                step.dose = None;
                step.timing = None;
            }
        }
    }

    fn iron_stage(&mut self) {
        let t = &self.rules.iron;
        let values = super::content::iron_values(t);
        match self.safety.iron.clone() {
            IronStatus::Deficient { ferritin, tsat } => {
                let child = self.person.has_condition("under-18");
                let why = if child {
                    format!(
                        "Your ferritin is {ferritin:.0} ng/mL and TSAT {tsat:.0} %: in children and \
                         teenagers iron is considered when ferritin is below {:.0} ng/mL (AASM \
                         2024). The dose is set by the doctor from body weight (about 3 mg per kg \
                         a day), never the adult tablet.",
                        t.child_ferritin_max
                    )
                } else {
                    fill(
                        "Your ferritin is {ferritin} ng/mL and TSAT {tsat} %: iron treatment is \
                         recommended for RLS at ferritin {ferritin_oral_max} or below, or TSAT \
                         below {tsat_low} % (AASM 2024). Taking it every other day absorbs better \
                         than daily or twice daily.",
                        &[
                            values.clone(),
                            vec![
                                ("ferritin", format!("{ferritin:.0}")),
                                ("tsat", format!("{tsat:.0}")),
                            ],
                        ]
                        .concat(),
                    )
                };
                let retest = t.retest_days;
                let elemental = t.oral_elemental_mg;
                let pregnant = self.person.is_pregnant();
                let title = if child {
                    "Iron, at the dose your child's doctor sets".to_string()
                } else {
                    "Take iron every other morning, with vitamin C".to_string()
                };
                if let Some(step) = self.push(Stage::Iron, "iron-oral", title, why) {
                    step.dose = (!child).then(|| Dose {
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
            IronStatus::IvOnly { ferritin, tsat } => {
                let why = if ferritin <= t.ferritin_iv_only_max {
                    format!(
                        "Ferritin {ferritin:.0} ng/mL is between {:.0} and {:.0}: tablets are \
                         unlikely to raise brain iron, but intravenous iron can (AASM 2024).",
                        t.ferritin_oral_max, t.ferritin_iv_only_max
                    )
                } else {
                    format!(
                        "Ferritin {ferritin:.0} ng/mL with TSAT {tsat:.0} %: tablets have evidence \
                         only at ferritin {:.0} or below, and inflammation can block them. \
                         Intravenous iron through a doctor is the option (AASM 2024: IV iron when \
                         TSAT is below {:.0} %); ask for CRP to be checked too.",
                        t.ferritin_oral_max, t.tsat_low
                    )
                };
                self.push(
                    Stage::Iron,
                    "iron-iv",
                    "Ask your doctor about an iron infusion".into(),
                    why,
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
    fn trigger_trials(&self) -> Vec<(String, String, String)> {
        let h = &self.person.profile.habits;
        let noon = ClockTime::new(12, 0);
        let drinks = crate::knowledge::entry_number(h.alcohol_drinks_per_week.unwrap_or(0.0));
        self.rules
            .plan
            .trigger_trial
            .iter()
            .filter(|t| match t.when {
                HabitTest::DrinksAlcohol => h.alcohol_drinks_per_week.is_some_and(|d| d > 0.0),
                HabitTest::LateOrHeavyCaffeine => {
                    h.last_caffeine.zip(noon).is_some_and(|(t, n)| t > n)
                        || h.caffeine_mg_per_day.is_some_and(|mg| mg >= 200.0)
                }
                HabitTest::LateVigorousExercise => h.late_vigorous_exercise == Some(true),
                HabitTest::Smokes => h.smoker == Some(true),
            })
            .map(|t| {
                (
                    t.id.clone(),
                    t.title.clone(),
                    fill(&t.why, &[("drinks", drinks.clone())]),
                )
            })
            .collect()
    }

    /// Measured deficiencies, corrected with the doctor within the upper limits.
    fn deficiency_steps(&mut self) {
        for d in self.rules.deficiencies.clone() {
            let Some(lab) = self.person.latest_lab(&d.lab) else {
                continue;
            };
            if lab.value >= d.below {
                continue;
            }
            let values = [
                (
                    "value",
                    format!(
                        "{} {}",
                        crate::knowledge::entry_number(lab.entered_value),
                        lab.entered_unit
                    ),
                ),
                (
                    "below",
                    format!("{} {}", crate::knowledge::entry_number(d.below), lab.unit),
                ),
            ];
            let why = fill(&d.why, &values);
            let onset = self.entry(&d.remedy).and_then(|e| e.onset_days);
            if let Some(step) = self.push(Stage::Try, &d.remedy, d.title.clone(), why) {
                let days = trial_days(onset);
                step.sources.extend(d.sources.iter().cloned());
                step.duration_days = Some(days);
                step.start_day = Some(0);
                step.how_to_judge = Some(
                    "Agree the dose with your doctor and re-test after about three months.".into(),
                );
            }
        }
    }

    /// A poorly suited form the person already takes, and the better one (seed 002).
    fn swap_steps(&mut self) -> Vec<String> {
        let mut swapped = Vec::new();
        for swap in self.rules.plan.swap.clone() {
            let takes = self.person.taken().any(|l| {
                l.groups.iter().any(|g| g == &swap.remedy)
                    && l.reading.form.as_deref() == Some(swap.from_form.as_str())
            });
            if !takes {
                continue;
            }
            let onset = self.entry(&swap.remedy).and_then(|e| e.onset_days);
            let judge = self.rules.plan.try_stage.how_to_judge.clone();
            if let Some(step) = self.push(
                Stage::Try,
                &swap.remedy,
                swap.title.clone(),
                swap.why.clone(),
            ) {
                let days = trial_days(onset);
                step.sources.extend(swap.sources.iter().cloned());
                step.duration_days = Some(days);
                step.start_day = Some(0);
                step.how_to_judge = Some(fill(&judge, &[("days", days.to_string())]));
                swapped.push(swap.remedy.clone());
            }
        }
        swapped
    }

    fn try_stage(&mut self) {
        // While something needs medical help today, nothing new is started.
        if self.flags.iter().any(|f| f.level == Level::Urgent) {
            return;
        }
        self.deficiency_steps();
        let swapped = self.swap_steps();
        let content = self.rules.plan.try_stage.clone();
        let mut candidates = self.trigger_trials();
        let h = &self.person.profile.habits;
        for id in &content.order {
            let already = match id.as_str() {
                "exercise" => h
                    .exercise_minutes_per_week
                    .is_some_and(|m| m >= content.exercise_enough_minutes),
                _ => self.person.takes_supplement(id),
            };
            if already || swapped.contains(id) || self.steps.iter().any(|s| &s.id == id) {
                continue;
            }
            let Some(entry) = self.entry(id) else {
                continue;
            };
            let why = format!(
                "{} {} ({}): {}",
                content.why,
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
        let mut day = self
            .steps
            .iter()
            .filter(|s| s.stage == Stage::Try)
            .filter_map(|s| s.duration_days)
            .max()
            .unwrap_or(0);
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
            if added == content.max_steps {
                continue;
            }
            let onset = self.entry(&id).and_then(|e| e.onset_days);
            let in_progress = tried.is_some();
            let Some(step) = self.push(Stage::Try, &id, title, why) else {
                continue;
            };
            let days = trial_days(onset);
            step.duration_days = Some(days);
            // The change being tried now is the current one, whatever else waits.
            step.start_day = Some(if in_progress { 0 } else { day });
            if in_progress {
                step.outcome = Some(Outcome::InProgress);
                day = day.max(days);
                added += 1;
                continue;
            }
            step.how_to_judge = Some(fill(&content.how_to_judge, &[("days", days.to_string())]));
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
        let acute = self.rules.plan.acute.clone();
        for id in &acute.ids {
            let Some(entry) = self.entry(id) else {
                continue;
            };
            let title = format!("Tonight, if the legs start: {}", entry.name.to_lowercase());
            let why = format!("{} {}", acute.why, entry.evidence_note);
            if let Some(step) = self.push(Stage::Acute, id, title, why) {
                step.dose = None;
            }
        }
    }

    fn escalate_stage(&mut self) {
        let severe = self.flags.iter().any(|f| f.code == "severe");
        let content = self.rules.plan.escalate.clone();
        let lead = if severe {
            content.lead_severe.clone()
        } else {
            content.lead.clone()
        };
        let iron_open = matches!(
            self.safety.iron,
            IronStatus::Unknown { .. } | IronStatus::Deficient { .. }
        );
        let mut values = super::content::iron_values(&self.rules.iron);
        values.push(("lead", lead));
        for option in &content.option {
            if option.only_while_iron_open
                && (!iron_open || self.steps.iter().any(|s| s.id == option.id))
            {
                continue;
            }
            let why = fill(&option.why, &values);
            if let Some(step) = self.push(Stage::Escalate, &option.id, option.title.clone(), why) {
                step.dose = None;
                step.timing = None;
            }
        }
    }

    /// Interaction flags for every step of every stage and each thing already taken; the
    /// caution goes on each step it concerns.
    fn interaction_flags(&mut self) {
        let mut remedies: Vec<String> = self
            .steps
            .iter()
            .filter(|s| !matches!(s.stage, Stage::Safety | Stage::Test))
            .map(|s| s.id.clone())
            .collect();
        // What is taken counts with its classes: a rule on benzodiazepines concerns the
        // lorazepam the person wrote.
        for line in self.person.taken() {
            remedies.extend(line.reading.ingredients.iter().cloned());
            remedies.extend(line.id.iter().cloned());
            remedies.extend(line.groups.iter().cloned());
        }
        for item in &self.rules.plan.routine {
            remedies.push(item.id.clone());
        }
        let mut seen = Vec::new();
        for remedy in remedies {
            if seen.contains(&remedy) {
                continue;
            }
            seen.push(remedy.clone());
            for hit in safety::interactions_for(self.rules, &remedy, self.person) {
                // A thing does not interact with itself ("magnesium" with the magnesium taken).
                if hit.with.is_empty() {
                    continue;
                }
                let subject = format!("{remedy}+{}", hit.with);
                if !self
                    .flags
                    .iter()
                    .any(|f| f.code == "interaction" && f.subject.as_deref() == Some(&subject))
                {
                    self.flags.push(Flag::new(
                        "interaction",
                        Level::Caution,
                        Some(subject),
                        hit.rule.message.clone(),
                    ));
                }
                for step in self.steps.iter_mut().filter(|s| s.id == remedy) {
                    if !step.cautions.contains(&hit.rule.message) {
                        step.cautions.insert(0, hit.rule.message.clone());
                    }
                }
            }
        }
    }
}
