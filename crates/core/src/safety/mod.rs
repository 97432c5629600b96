//! The safety engine: red flags, look-alikes, drug triggers, augmentation risk, iron rules,
//! condition and medicine contraindications. It has the last word over the planner: a remedy it
//! blocks can never appear as a plan step.

mod flags;
mod iron;
mod rules;

pub use flags::{Flag, Level};
pub use iron::IronStatus;
pub use rules::{
    BUNDLED_RULES, Block, Ceiling, Habit, Interaction, IronThresholds, Rules, When, bundled_rules,
};

use jiff::civil::Date;
use serde::Serialize;

use crate::knowledge::{Kind, KnowledgeBase};
use crate::profile::Resolved;
use crate::screening::Screening;

/// A remedy the engine keeps out of the plan, and why.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Exclusion {
    pub id: String,
    pub reason: String,
    pub message: String,
}

/// An interaction between a remedy and something the person takes or does.
#[derive(Debug, Clone, PartialEq)]
pub struct InteractionHit<'r> {
    pub rule: &'r Interaction,
    /// What the person wrote (the medicine or supplement), or the habit's name.
    pub with: String,
}

/// Everything the engine found for one person.
#[derive(Debug, Clone)]
pub struct SafetyReport {
    pub flags: Vec<Flag>,
    pub excluded: Vec<Exclusion>,
    pub iron: IronStatus,
}

impl SafetyReport {
    pub fn blocks(&self, id: &str) -> bool {
        self.excluded.iter().any(|e| e.id == id)
    }

    fn exclude(&mut self, id: &str, reason: &str, message: &str) {
        if !self.blocks(id) {
            self.excluded.push(Exclusion {
                id: id.to_string(),
                reason: reason.to_string(),
                message: message.to_string(),
            });
        }
    }

    fn flag(&mut self, flag: Flag) {
        if !self
            .flags
            .iter()
            .any(|f| f.code == flag.code && f.subject == flag.subject)
        {
            self.flags.push(flag);
        }
    }
}

/// Whether `when` holds for this person; returns what they wrote that matched.
pub fn matches(when: &When, person: &Resolved) -> Option<String> {
    match when {
        When::Condition(id) => {
            if id == "pregnancy" && person.is_pregnant() {
                return Some("pregnancy".into());
            }
            if let Some(answer) = suspected_from_symptoms(person, id) {
                return Some(answer.into());
            }
            person
                .conditions
                .iter()
                .find(|c| c.groups.iter().any(|g| g == id))
                .map(|c| c.written.clone())
        }
        When::Medication(id) => person.medicines_in(id).first().map(|m| m.written.clone()),
        When::Supplement(id) => person
            .supplements
            .iter()
            .find(|s| s.groups.iter().any(|g| g == id))
            .map(|s| s.written.clone()),
        When::Habit(Habit::Caffeine) => person
            .profile
            .habits
            .caffeine_mg_per_day
            .filter(|&mg| mg > 0.0)
            .map(|_| "coffee or tea".into()),
        When::Habit(Habit::Alcohol) => person
            .profile
            .habits
            .alcohol_drinks_per_week
            .filter(|&d| d > 0.0)
            .map(|_| "alcohol".into()),
        When::Habit(Habit::Smoking) => {
            (person.profile.habits.smoker == Some(true)).then(|| "smoking".into())
        }
    }
}

/// A condition the symptom answers point to strongly enough for safety rules to assume it,
/// before any doctor has confirmed it: a suspected clot must not be squeezed.
fn suspected_from_symptoms(person: &Resolved, condition: &str) -> Option<&'static str> {
    let s = &person.profile.symptoms;
    let yes = |a: Option<bool>| a == Some(true);
    match condition {
        "dvt" if yes(s.one_leg_swollen_red_hot) => Some("one leg swollen, red and hot"),
        "neuropathy" if yes(s.numbness) || yes(s.burning_constant) => Some("numbness or burning"),
        _ => None,
    }
}

/// The interactions that apply when `remedy` is used by this person.
pub fn interactions_for<'r>(
    rules: &'r Rules,
    remedy: &str,
    person: &Resolved,
) -> Vec<InteractionHit<'r>> {
    rules
        .interactions
        .iter()
        .filter(|r| r.remedy == remedy)
        .filter_map(|rule| matches(&rule.when, person).map(|with| InteractionHit { rule, with }))
        .collect()
}

/// Conditions that can cause or come with RLS (secondary RLS).
const SECONDARY_CAUSES: &[&str] = &[
    "iron-deficiency-anemia",
    "iron-deficiency",
    "ckd",
    "dialysis",
    "pregnancy",
    "neuropathy",
    "diabetes",
    "parkinsons",
    "multiple-sclerosis",
    "spinal-cord-lesion",
];

pub fn assess(
    person: &Resolved,
    screening: &Screening,
    kb: &KnowledgeBase,
    rules: &Rules,
    today: Date,
) -> SafetyReport {
    let mut report = SafetyReport {
        flags: Vec::new(),
        excluded: Vec::new(),
        iron: IronStatus::Unknown {
            missing: Vec::new(),
        },
    };
    for flag in flags::red_flags(person, screening) {
        report.flag(flag);
    }
    for flag in flags::screening_flags(screening, kb) {
        report.flag(flag);
    }
    drug_flags(person, kb, rules, &mut report);
    for id in SECONDARY_CAUSES {
        let present = if *id == "pregnancy" {
            person.is_pregnant()
        } else {
            person.has_condition(id)
        };
        if present {
            let name = kb.get(id).map_or(*id, |e| e.name.as_str());
            report.flag(Flag::new(
                "secondary-rls",
                Level::Info,
                Some(id.to_string()),
                format!(
                    "{name} is linked with RLS; treating or managing it is part of treating the legs."
                ),
            ));
        }
    }
    if person.is_pregnant() {
        report.flag(Flag::new(
            "pregnancy",
            Level::Caution,
            None,
            "In pregnancy, non-drug measures come first; take no supplement or herb without your \
             midwife or obstetrician. RLS often eases within weeks of the birth.",
        ));
    }
    if person.has_condition("ckd") || person.has_condition("dialysis") {
        report.flag(Flag::new(
            "kidney",
            Level::Caution,
            None,
            "With kidney disease, magnesium and potassium are left out of the plan, and iron \
             thresholds differ: plan supplements with your kidney team.",
        ));
    }
    for (what, name) in person.unresolved() {
        report.flag(Flag::new(
            "unresolved-name",
            Level::Info,
            Some(name.written.clone()),
            format!(
                "We could not recognise the {what} '{}', so the plan cannot check it for \
                 interactions or RLS effects. Ask your pharmacist about it.",
                name.written
            ),
        ));
    }
    // Blocks from the rules file.
    for block in &rules.blocks {
        if matches(&block.when, person).is_some() {
            for remedy in &block.remedies {
                report.exclude(remedy, &block.reason, &block.message);
            }
        }
    }
    iron::apply(person, rules, today, &mut report);
    // Anything graded as harmful is never suggested, whatever else is true.
    for e in kb.entries() {
        if e.evidence == crate::Evidence::X && !matches!(e.kind, Kind::Trigger | Kind::Condition) {
            let message = e.verdict.clone().unwrap_or_else(|| e.evidence_note.clone());
            report.exclude(&e.id, "evidence-against", &message);
        }
    }
    report
}

fn drug_flags(person: &Resolved, kb: &KnowledgeBase, rules: &Rules, report: &mut SafetyReport) {
    for med in person.medications.iter().chain(&person.supplements) {
        let Some(id) = &med.id else { continue };
        if rules.not_aggravating.iter().any(|n| n == id) {
            continue;
        }
        let trigger = med
            .groups
            .iter()
            .filter_map(|g| kb.get(g))
            .find(|g| g.kind == Kind::Trigger);
        if let Some(group) = trigger {
            let otc = group.id == "sedating-antihistamine";
            let message = if otc {
                format!(
                    "{} is a sedating antihistamine, one of the commonest things that make RLS \
                     worse. Ask a pharmacist or doctor about a non-sedating option; if it was \
                     prescribed, talk to your prescriber before changing anything.",
                    med.written
                )
            } else {
                format!(
                    "{} belongs to a group of medicines ({}) that can worsen RLS in some people. \
                     Do not stop it on your own: ask your prescriber whether it could be playing \
                     a part and whether an alternative would suit you.",
                    med.written,
                    group.name.to_lowercase()
                )
            };
            report.flag(Flag::new(
                "drug-trigger",
                if otc { Level::Caution } else { Level::Doctor },
                Some(med.written.clone()),
                message,
            ));
        }
        if med
            .groups
            .iter()
            .any(|g| g == "dopamine-agonist" || g == "levodopa")
        {
            let worsening = person.profile.symptoms.earlier_or_spreading_on_treatment == Some(true);
            report.flag(Flag::new(
                "augmentation-risk",
                Level::Doctor,
                Some(med.written.clone()),
                if worsening {
                    format!(
                        "On {}, symptoms that start earlier, spread to the arms or break through \
                         sooner are the signs of augmentation. See your prescriber soon; do not \
                         raise the dose or stop on your own.",
                        med.written
                    )
                } else {
                    format!(
                        "{} can cause augmentation over time (symptoms earlier in the day, \
                         spreading, stronger; about 8 % of users a year) and impulse-control \
                         problems. Review it with your prescriber at least once a year.",
                        med.written
                    )
                },
            ));
        }
    }
}
