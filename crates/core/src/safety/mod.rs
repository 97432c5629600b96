//! The safety engine: red flags, look-alikes, drug triggers, augmentation risk, iron rules,
//! condition and medicine contraindications. It has the last word over the planner: a remedy it
//! blocks can never appear as a plan step.

mod coverage;
mod derive;
mod doses;
mod flags;
mod iron;
mod rules;

pub use coverage::uncovered_cautions;
pub use derive::{derive, egfr_from_creatinine};

pub use flags::{Flag, Level};
pub use iron::IronStatus;
pub use rules::{
    BUNDLED_RULES, Block, Ceiling, Deficiency, Derive, DeriveFrom, Equivalent, Habit, Interaction,
    IronThresholds, Rules, When, bundled_rules,
};

use jiff::civil::Date;
use serde::Serialize;

use crate::knowledge::{Kind, KnowledgeBase};
use crate::profile::{Resolved, ResolvedName};
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

/// Whether `when` holds for this person; returns what they wrote that matched (or, for a
/// derived condition, why we took it to hold).
pub fn matches(when: &When, person: &Resolved) -> Option<String> {
    match when {
        When::Condition(id) => {
            if id == "pregnancy" && person.is_pregnant() {
                return Some("pregnancy".into());
            }
            person.condition(id).map(|c| c.written.clone())
        }
        // People put medicines among supplements and the other way round: both lists count.
        When::Medication(id) | When::Supplement(id) => person
            .taken()
            .find(|m| m.groups.iter().any(|g| g == id))
            .map(|m| m.written.clone()),
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

/// A result the lab gave only as a bound ("< 5 ng/mL") is read as that bound by every
/// threshold. Say so, so nobody takes a decision for a number nobody measured.
fn bound_flags(person: &Resolved, kb: &KnowledgeBase, report: &mut SafetyReport) {
    for lab in person.labs.iter().filter(|l| l.comparator.is_some()) {
        let name = kb
            .get(&lab.test)
            .map_or(lab.test.as_str(), |e| e.name.as_str());
        let shown = crate::journal::bounded(
            lab.comparator,
            &format!(
                "{} {}",
                crate::knowledge::entry_number(lab.entered_value),
                lab.entered_unit
            ),
        );
        report.flag(Flag::new(
            "lab-bound",
            Level::Info,
            Some(lab.test.clone()),
            format!(
                "Your {name} was reported as {shown}, a bound rather than an exact number; the \
                 plan reads it as {} for its thresholds. If a decision turns on it, ask the lab \
                 or your doctor for the exact value.",
                crate::knowledge::entry_number(lab.entered_value)
            ),
        ));
    }
}

/// The person with the conditions the rules derive from their labs, age and answers added.
pub fn prepare(person: &Resolved, kb: &KnowledgeBase, rules: &Rules) -> Resolved {
    let mut p = person.clone();
    derive(&mut p, kb, rules);
    p
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
    "anaemia",
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
    let prepared;
    let person = if person.derived.is_empty() {
        prepared = prepare(person, kb, rules);
        &prepared
    } else {
        person
    };
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
    person_flags(person, &mut report);
    bound_flags(person, kb, &mut report);
    for (what, name) in person.unresolved() {
        let ask = if what == "condition" {
            "your doctor"
        } else {
            "your pharmacist"
        };
        report.flag(Flag::new(
            "unresolved-name",
            Level::Info,
            Some(name.written.clone()),
            format!(
                "We could not recognise the {what} '{}', so the plan cannot check it for \
                 interactions or RLS effects. Check the spelling or ask {ask} what it contains.",
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
    doses::ceilings(person, kb, rules, &mut report);
    for d in &rules.deficiencies {
        if let Some(lab) = person.latest_lab(&d.lab).filter(|l| l.value < d.below) {
            let name = kb.get(&d.lab).map_or(d.lab.as_str(), |e| e.name.as_str());
            report.flag(Flag::new(
                "deficiency",
                Level::Doctor,
                Some(d.lab.clone()),
                format!(
                    "Your {name} is {} {}, below {} {}: worth correcting with your doctor.",
                    crate::knowledge::entry_number(lab.entered_value),
                    lab.entered_unit,
                    crate::knowledge::entry_number(d.below),
                    lab.unit
                ),
            ));
        }
    }
    doses::iron_in_use(person, &mut report);
    // Anything graded as harmful is never suggested, whatever else is true.
    for e in kb.entries() {
        if e.evidence == crate::Evidence::X && !matches!(e.kind, Kind::Trigger | Kind::Condition) {
            let message = e.verdict.clone().unwrap_or_else(|| e.evidence_note.clone());
            report.exclude(&e.id, "evidence-against", &message);
        }
    }
    report
}

/// Pregnancy, breastfeeding, kidney function, age and anaemia: what they change.
fn person_flags(person: &Resolved, report: &mut SafetyReport) {
    if person.is_pregnant() {
        let when = match person.trimester() {
            Some(3) => {
                " RLS is commonest in the third trimester and usually eases within weeks of the birth."
            }
            _ => " RLS often eases within weeks of the birth.",
        };
        report.flag(Flag::new(
            "pregnancy",
            Level::Caution,
            None,
            format!(
                "In pregnancy, non-drug measures and iron (when tests show it is low) come first; \
                 take no supplement or herb without your midwife or obstetrician.{when}"
            ),
        ));
    }
    if person.has_condition("breastfeeding") {
        report.flag(Flag::new(
            "breastfeeding",
            Level::Caution,
            None,
            "While breastfeeding, many herbs have no safety data for the baby: take none without \
             your midwife, health visitor or doctor. Iron, when tests show it is low, is still \
             the first step.",
        ));
    }
    if let Some(kidney) = person
        .condition("dialysis")
        .or_else(|| person.condition("ckd"))
    {
        let why = if person.derived.iter().any(|d| d.written == kidney.written) {
            format!(" (from your {})", kidney.written)
        } else {
            String::new()
        };
        report.flag(Flag::new(
            "kidney",
            Level::Caution,
            None,
            format!(
                "With reduced kidney function{why}, magnesium and potassium are left out of the \
                 plan, some medicine doses need lowering, and iron thresholds differ: plan \
                 supplements with your kidney team."
            ),
        ));
    }
    if person.has_condition("under-18") {
        report.flag(Flag::new(
            "age",
            Level::Doctor,
            Some("under-18".into()),
            "RLS in children and teenagers should be assessed by a doctor. Iron is considered \
             when ferritin is below 50 ng/mL, at a dose the doctor sets by weight (about 3 mg per \
             kg a day), never the adult tablet dose.",
        ));
    }
    if person.has_condition("older-adult") {
        report.flag(Flag::new(
            "age",
            Level::Caution,
            Some("older-adult".into()),
            "At 65 and over, anything sedating (valerian, sleeping pills, gabapentin or \
             pregabalin, antihistamines) raises the risk of falls and confusion: start low, and \
             get up slowly at night.",
        ));
    }
    if let Some(anaemia) = person.condition("anaemia") {
        report.flag(Flag::new(
            "anaemia",
            Level::Doctor,
            Some(anaemia.written.clone()),
            format!(
                "{}: that is anaemia. With RLS it often means iron deficiency, which is a cause \
                 to find, not only to treat: ask your doctor to look for it (heavy periods, \
                 blood donation, loss from the gut).",
                crate::text::capitalised(&anaemia.written)
            ),
        ));
    }
}

/// A prescription medicine the person takes for something other than RLS: it is never paused
/// or questioned as an RLS treatment, only mentioned to the prescriber.
pub fn for_other_condition(kb: &KnowledgeBase, person: &Resolved, name: &ResolvedName) -> bool {
    let Some(entry) = name.id.as_deref().and_then(|id| kb.get(id)) else {
        return false;
    };
    if !entry.prescription {
        return false;
    }
    // Used for something other than RLS, or for a condition the person has listed.
    let treats = |e: &crate::Entry| {
        !e.indications.iter().any(|c| c == "rls")
            || e.indications
                .iter()
                .any(|c| c != "rls" && person.has_condition(c))
    };
    // A drug without its own list inherits its class's ("Sinemet" is levodopa).
    treats(entry)
        && name
            .groups
            .iter()
            .filter_map(|g| kb.get(g))
            .all(|g| g.indications.is_empty() || treats(g))
}

fn drug_flags(person: &Resolved, kb: &KnowledgeBase, rules: &Rules, report: &mut SafetyReport) {
    let calm = |id: &str| {
        kb.groups_of(id)
            .iter()
            .any(|g| rules.not_aggravating.iter().any(|n| n == g))
    };
    for med in person.taken() {
        let Some(id) = &med.id else { continue };
        // Every ingredient counts: "Tylenol PM" is a sedating antihistamine too.
        let parts: Vec<&str> = if med.reading.ingredients.is_empty() {
            vec![id.as_str()]
        } else {
            med.reading.ingredients.iter().map(String::as_str).collect()
        };
        let trigger = parts
            .iter()
            .filter(|p| !calm(p))
            .flat_map(|p| kb.groups_of(p))
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
        let graded_against = med
            .groups
            .iter()
            .filter_map(|g| kb.get(g))
            .any(|e| e.evidence == crate::Evidence::X && e.kind == Kind::Medication);
        if graded_against && for_other_condition(kb, person, med) {
            let dopamine = med
                .groups
                .iter()
                .any(|g| g == "dopamine-agonist" || g == "levodopa");
            report.flag(Flag::new(
                "tell-prescriber",
                Level::Info,
                Some(med.written.clone()),
                format!(
                    "You take {}. It is not suggested as an RLS treatment, but it may be exactly \
                     right for what it was prescribed for: keep taking it as prescribed and tell \
                     the prescriber you have RLS.{}",
                    med.written,
                    if dopamine {
                        " Dopamine medicines can make RLS come earlier or spread (augmentation): \
                         say so if you notice it."
                    } else {
                        ""
                    }
                ),
            ));
        }
    }
}
