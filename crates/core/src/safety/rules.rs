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
    pub message: String,
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
    pub sources: Vec<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Rules {
    pub iron: IronThresholds,
    pub not_aggravating: Vec<String>,
    pub blocks: Vec<Block>,
    pub interactions: Vec<Interaction>,
    pub ceilings: Vec<Ceiling>,
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
    message: String,
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

impl Rules {
    /// Parses and validates rules against the knowledge base they refer to.
    pub fn from_toml(file: &str, text: &str, kb: &KnowledgeBase) -> Result<Rules, LoadError> {
        let raw: RawRules = toml::from_str(text).map_err(|e| LoadError {
            issues: vec![KbIssue {
                file: file.to_string(),
                line: e
                    .span()
                    .map(|s| text[..s.start.min(text.len())].matches('\n').count() + 1),
                entry: None,
                field: None,
                message: e.message().trim().to_string(),
            }],
        })?;
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
            ceilings.push(Ceiling {
                remedy: x.remedy,
                max: x.max,
                unit: x.unit,
                per: x.per,
                message: x.message,
                sources: x.sources,
            });
        }
        if c.issues.is_empty() {
            Ok(Rules {
                iron: raw.iron,
                not_aggravating: raw.triggers.not_aggravating,
                blocks,
                interactions,
                ceilings,
            })
        } else {
            Err(LoadError { issues: c.issues })
        }
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
