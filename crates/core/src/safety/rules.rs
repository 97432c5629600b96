//! `knowledge/rules.toml`: blocks, interactions, dose ceilings and iron thresholds as data.

use serde::Deserialize;

use crate::knowledge::{KbIssue, KnowledgeBase, LoadError};

/// What a rule is conditional on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum When {
    Condition(String),
    Medication(String),
    Supplement(String),
    Habit(Habit),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Habit {
    Caffeine,
    Alcohol,
    Smoking,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Block {
    pub remedies: Vec<String>,
    pub when: When,
    pub reason: String,
    pub message: String,
    pub sources: Vec<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Interaction {
    pub remedy: String,
    pub when: When,
    pub separate_hours: Option<u32>,
    pub message: String,
    pub sources: Vec<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Ceiling {
    pub remedy: String,
    pub max: f64,
    pub unit: String,
    pub per: String,
    /// Other units a dose of this remedy is written in: value in `unit` = value x factor.
    pub equivalents: Vec<Equivalent>,
    pub message: String,
    pub sources: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Equivalent {
    pub unit: String,
    pub factor: f64,
}

/// A condition the engine works out from what the person told us.
#[derive(Debug, Clone, PartialEq)]
pub struct Derive {
    pub condition: String,
    pub from: DeriveFrom,
    pub sources: Vec<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum DeriveFrom {
    /// The latest result below a cut-off (a different one for men, where it differs).
    LabBelow {
        lab: String,
        below: f64,
        below_if_male: Option<f64>,
    },
    AgeAtLeast(u32),
    AgeBelow(u32),
    /// A symptom answer of yes.
    Symptom(String),
    /// `breastfeeding = true` in the profile.
    Breastfeeding,
}

/// A pair a caution names that the engine enforces outside the block and interaction rules
/// (the iron decision, the dose ceilings), said in words so a reviewer can check it.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Handled {
    pub remedy: String,
    pub when: String,
    pub by: String,
}

/// A measured deficiency that deserves correcting with the doctor.
#[derive(Debug, Clone, PartialEq)]
pub struct Deficiency {
    pub lab: String,
    pub below: f64,
    pub remedy: String,
    pub title: String,
    pub why: String,
    pub sources: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IronThresholds {
    pub ferritin_oral_max: f64,
    pub tsat_low: f64,
    pub ferritin_iv_only_max: f64,
    pub tsat_overload: f64,
    pub ferritin_overload: f64,
    pub dialysis_ferritin_max: f64,
    pub lab_max_age_days: i64,
    pub retest_days: u32,
    pub oral_elemental_mg: f64,
    /// Under 18: iron below this ferritin (ng/mL), dose set by the doctor.
    pub child_ferritin_max: f64,
    /// CRP (mg/L) above which ferritin may be falsely reassuring.
    pub crp_high: f64,
    /// Conditions that stop iron tablets being absorbed: IV iron is often needed.
    pub malabsorption: Vec<String>,
    pub sources: Vec<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Rules {
    pub iron: IronThresholds,
    pub not_aggravating: Vec<String>,
    pub blocks: Vec<Block>,
    pub interactions: Vec<Interaction>,
    pub ceilings: Vec<Ceiling>,
    pub derived: Vec<Derive>,
    pub deficiencies: Vec<Deficiency>,
    pub handled: Vec<Handled>,
    /// Entries that are advice to get care or a test ("see a doctor", "iron studies"): a
    /// caution naming them asks for nothing a rule could enforce, as no plan blocks a visit.
    pub care_advice: Vec<String>,
    /// Entries whose id is an everyday word ("cold", "heat", "pain"): the id alone in a caution
    /// does not name them; their names and aliases still do.
    pub plain_words: Vec<String>,
    /// The plan's content (`plan.toml`), checked against the same knowledge base.
    pub plan: crate::plan::PlanContent,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawWhen {
    condition: Option<String>,
    medication: Option<String>,
    supplement: Option<String>,
    habit: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawBlock {
    remedies: Vec<String>,
    when: RawWhen,
    reason: String,
    message: String,
    sources: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawInteraction {
    remedy: String,
    when: RawWhen,
    separate_hours: Option<u32>,
    message: String,
    sources: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCeiling {
    remedy: String,
    max: f64,
    unit: String,
    per: String,
    #[serde(default)]
    equivalents: Vec<Equivalent>,
    message: String,
    sources: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawDeriveFrom {
    lab: Option<String>,
    below: Option<f64>,
    below_if_male: Option<f64>,
    age_at_least: Option<u32>,
    age_below: Option<u32>,
    symptom: Option<String>,
    profile: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawDerive {
    condition: String,
    from: RawDeriveFrom,
    sources: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawDeficiency {
    lab: String,
    below: f64,
    remedy: String,
    title: String,
    why: String,
    sources: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTriggers {
    not_aggravating: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRules {
    iron: IronThresholds,
    triggers: RawTriggers,
    #[serde(default)]
    block: Vec<RawBlock>,
    #[serde(default)]
    interaction: Vec<RawInteraction>,
    #[serde(default)]
    ceiling: Vec<RawCeiling>,
    #[serde(default)]
    derive: Vec<RawDerive>,
    #[serde(default)]
    deficiency: Vec<RawDeficiency>,
    #[serde(default)]
    handled: Vec<Handled>,
    #[serde(default)]
    coverage: RawCoverage,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawCoverage {
    #[serde(default)]
    care_advice: Vec<String>,
    #[serde(default)]
    plain_words: Vec<String>,
}

/// The rules compiled into the binary.
pub const BUNDLED_RULES: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../knowledge/rules.toml"
));

struct Checker<'a> {
    kb: &'a KnowledgeBase,
    file: &'a str,
    issues: Vec<KbIssue>,
}

impl Checker<'_> {
    fn issue(&mut self, entry: &str, field: &str, message: String) {
        self.issues.push(KbIssue {
            file: self.file.to_string(),
            line: None,
            entry: Some(entry.to_string()),
            field: Some(field.to_string()),
            message,
        });
    }

    fn id(&mut self, rule: &str, field: &str, id: &str) {
        if self.kb.get(id).is_none() {
            self.issue(
                rule,
                field,
                format!("'{id}' is not the id of any knowledge entry"),
            );
        }
    }

    fn sources(&mut self, rule: &str, sources: &[String]) {
        if sources.is_empty() {
            self.issue(
                rule,
                "sources",
                "is empty: every rule needs a source".into(),
            );
        }
        for (i, s) in sources.iter().enumerate() {
            if self.kb.source(s).is_none() {
                self.issue(
                    rule,
                    &format!("sources[{i}]"),
                    format!("'{s}' is not defined in sources.toml"),
                );
            }
        }
    }

    fn when(&mut self, rule: &str, raw: RawWhen) -> Option<When> {
        let given = [
            raw.condition.map(When::Condition),
            raw.medication.map(When::Medication),
            raw.supplement.map(When::Supplement),
        ];
        let mut all: Vec<When> = given.into_iter().flatten().collect();
        if let Some(h) = raw.habit {
            match h.as_str() {
                "caffeine" => all.push(When::Habit(Habit::Caffeine)),
                "alcohol" => all.push(When::Habit(Habit::Alcohol)),
                "smoking" => all.push(When::Habit(Habit::Smoking)),
                other => self.issue(
                    rule,
                    "when.habit",
                    format!("unknown habit '{other}' (accepted: caffeine, alcohol, smoking)"),
                ),
            }
        }
        if all.len() != 1 {
            self.issue(
                rule,
                "when",
                "needs exactly one of condition, medication, supplement or habit".into(),
            );
            return None;
        }
        let when = all.remove(0);
        match &when {
            When::Condition(id) | When::Medication(id) | When::Supplement(id) => {
                self.id(rule, "when", id)
            }
            When::Habit(_) => {}
        }
        Some(when)
    }
}

impl Checker<'_> {
    fn lab(&mut self, rule: &str, field: &str, id: &str) {
        if self.kb.get(id).is_none_or(|e| e.lab.is_none()) {
            self.issue(
                rule,
                field,
                format!("'{id}' is not a lab test in the knowledge base"),
            );
        }
    }

    fn derive_from(&mut self, rule: &str, raw: RawDeriveFrom) -> Option<DeriveFrom> {
        let mut all = Vec::new();
        if let Some(lab) = raw.lab {
            self.lab(rule, "from.lab", &lab);
            match raw.below {
                Some(below) => all.push(DeriveFrom::LabBelow {
                    lab,
                    below,
                    below_if_male: raw.below_if_male,
                }),
                None => self.issue(rule, "from.below", "a lab needs its cut-off".into()),
            }
        }
        if let Some(age) = raw.age_at_least {
            all.push(DeriveFrom::AgeAtLeast(age));
        }
        if let Some(age) = raw.age_below {
            all.push(DeriveFrom::AgeBelow(age));
        }
        if let Some(symptom) = raw.symptom {
            if crate::profile::symptom_answer(&Default::default(), &symptom).is_none() {
                self.issue(
                    rule,
                    "from.symptom",
                    format!("'{symptom}' is not a yes/no symptom question of the profile"),
                );
            }
            all.push(DeriveFrom::Symptom(symptom));
        }
        match raw.profile.as_deref() {
            Some("breastfeeding") => all.push(DeriveFrom::Breastfeeding),
            Some(other) => self.issue(
                rule,
                "from.profile",
                format!("unknown profile answer '{other}' (accepted: breastfeeding)"),
            ),
            None => {}
        }
        if all.len() != 1 {
            self.issue(
                rule,
                "from",
                "needs exactly one of lab (with below), age_at_least, age_below, symptom or profile"
                    .into(),
            );
            return None;
        }
        all.pop()
    }
}

impl Rules {
    /// Parses and validates rules against the knowledge base they refer to, with the bundled
    /// plan content.
    pub fn from_toml(file: &str, text: &str, kb: &KnowledgeBase) -> Result<Rules, LoadError> {
        Self::from_files((file, text), ("plan.toml", crate::plan::BUNDLED_PLAN), kb)
    }

    /// Parses and validates the rules and the plan content together.
    pub fn from_files(
        (file, text): (&str, &str),
        (plan_file, plan_text): (&str, &str),
        kb: &KnowledgeBase,
    ) -> Result<Rules, LoadError> {
        let raw: RawRules = toml::from_str(text).map_err(|e| LoadError::toml(file, text, &e))?;
        let mut c = Checker {
            kb,
            file,
            issues: Vec::new(),
        };
        c.sources("iron", &raw.iron.sources);
        for id in &raw.triggers.not_aggravating {
            c.id("triggers", "not_aggravating", id);
        }
        let mut blocks = Vec::new();
        for (i, b) in raw.block.into_iter().enumerate() {
            let name = format!("block[{i}] ({})", b.reason);
            for r in &b.remedies {
                c.id(&name, "remedies", r);
            }
            c.sources(&name, &b.sources);
            if let Some(when) = c.when(&name, b.when) {
                blocks.push(Block {
                    remedies: b.remedies,
                    when,
                    reason: b.reason,
                    message: b.message,
                    sources: b.sources,
                });
            }
        }
        let mut interactions = Vec::new();
        for (i, x) in raw.interaction.into_iter().enumerate() {
            let name = format!("interaction[{i}] ({})", x.remedy);
            c.id(&name, "remedy", &x.remedy);
            c.sources(&name, &x.sources);
            if let Some(when) = c.when(&name, x.when) {
                interactions.push(Interaction {
                    remedy: x.remedy,
                    when,
                    separate_hours: x.separate_hours,
                    message: x.message,
                    sources: x.sources,
                });
            }
        }
        let mut ceilings = Vec::new();
        for (i, x) in raw.ceiling.into_iter().enumerate() {
            let name = format!("ceiling[{i}] ({})", x.remedy);
            c.id(&name, "remedy", &x.remedy);
            c.sources(&name, &x.sources);
            if !(x.max.is_finite() && x.max > 0.0) {
                c.issue(&name, "max", "must be a positive number".into());
            }
            for (k, e) in x.equivalents.iter().enumerate() {
                if !(e.factor.is_finite() && e.factor > 0.0) {
                    c.issue(
                        &name,
                        &format!("equivalents[{k}].factor"),
                        "must be a positive number".into(),
                    );
                }
            }
            ceilings.push(Ceiling {
                remedy: x.remedy,
                max: x.max,
                unit: x.unit,
                per: x.per,
                equivalents: x.equivalents,
                message: x.message,
                sources: x.sources,
            });
        }
        let mut derived = Vec::new();
        for (i, d) in raw.derive.into_iter().enumerate() {
            let name = format!("derive[{i}] ({})", d.condition);
            c.id(&name, "condition", &d.condition);
            c.sources(&name, &d.sources);
            if let Some(from) = c.derive_from(&name, d.from) {
                derived.push(Derive {
                    condition: d.condition,
                    from,
                    sources: d.sources,
                });
            }
        }
        let mut deficiencies = Vec::new();
        for (i, d) in raw.deficiency.into_iter().enumerate() {
            let name = format!("deficiency[{i}] ({})", d.lab);
            c.lab(&name, "lab", &d.lab);
            c.id(&name, "remedy", &d.remedy);
            c.sources(&name, &d.sources);
            deficiencies.push(Deficiency {
                lab: d.lab,
                below: d.below,
                remedy: d.remedy,
                title: d.title,
                why: d.why,
                sources: d.sources,
            });
        }
        for (i, h) in raw.handled.iter().enumerate() {
            let name = format!("handled[{i}] ({})", h.remedy);
            c.id(&name, "remedy", &h.remedy);
            c.id(&name, "when", &h.when);
            if h.by.trim().is_empty() {
                c.issue(&name, "by", "must say what enforces it".into());
            }
        }
        for (i, id) in raw.coverage.care_advice.iter().enumerate() {
            c.id("coverage", &format!("care_advice[{i}]"), id);
        }
        for (i, id) in raw.coverage.plain_words.iter().enumerate() {
            c.id("coverage", &format!("plain_words[{i}]"), id);
        }
        for (i, id) in raw.iron.malabsorption.iter().enumerate() {
            c.id("iron", &format!("malabsorption[{i}]"), id);
        }
        let plan = crate::plan::PlanContent::from_toml(plan_file, plan_text, kb, &raw.iron);
        if let Err(e) = &plan {
            c.issues.extend(e.issues.iter().cloned());
        }
        let (true, Ok(plan)) = (c.issues.is_empty(), plan) else {
            return Err(LoadError { issues: c.issues });
        };
        let rules = Rules {
            plan,
            iron: raw.iron,
            not_aggravating: raw.triggers.not_aggravating,
            blocks,
            interactions,
            ceilings,
            derived,
            deficiencies,
            handled: raw.handled,
            care_advice: raw.coverage.care_advice,
            plain_words: raw.coverage.plain_words,
        };
        Ok(rules)
    }

    pub fn ceiling(&self, remedy: &str) -> Option<&Ceiling> {
        self.ceilings.iter().find(|c| c.remedy == remedy)
    }
}

/// The rules compiled into the binary, checked against the compiled-in knowledge base.
pub fn bundled_rules() -> Result<&'static Rules, &'static LoadError> {
    static RULES: std::sync::OnceLock<Result<Rules, LoadError>> = std::sync::OnceLock::new();
    RULES
        .get_or_init(|| {
            let kb = crate::knowledge::bundled().map_err(Clone::clone)?;
            Rules::from_toml("rules.toml", BUNDLED_RULES, kb)
        })
        .as_ref()
}
