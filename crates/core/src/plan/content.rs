//! `knowledge/plan.toml`: what the plan suggests and in which order, the bad-night toolkit,
//! trigger trials, form swaps and escalation options, with their words and sources. The engine
//! in `steps.rs` decides who gets what; the content is data a clinician can review.

use serde::Deserialize;

use crate::knowledge::{KbIssue, KnowledgeBase, LoadError};
use crate::safety::IronThresholds;

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlanContent {
    #[serde(rename = "try")]
    pub try_stage: TryStage,
    pub routine: Vec<RoutineLine>,
    pub acute: Acute,
    #[serde(default)]
    pub trigger_trial: Vec<TriggerTrial>,
    #[serde(default)]
    pub swap: Vec<Swap>,
    pub escalate: Escalate,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TryStage {
    /// Remedies worth trying, best first (evidence, then safety, then effort).
    pub order: Vec<String>,
    pub max_steps: usize,
    /// Weekly exercise minutes at which exercise is already part of life.
    pub exercise_enough_minutes: f64,
    pub how_to_judge: String,
    /// Said on the step when there is an evidence grade note to show.
    pub why: String,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RoutineLine {
    pub id: String,
    pub title: String,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Acute {
    pub ids: Vec<String>,
    pub why: String,
}

/// A habit that makes a trigger-removal trial worth doing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum HabitTest {
    /// Any alcohol in a usual week.
    DrinksAlcohol,
    /// Caffeine after noon, or 200 mg a day or more.
    LateOrHeavyCaffeine,
    LateVigorousExercise,
    Smokes,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TriggerTrial {
    pub id: String,
    pub when: HabitTest,
    pub title: String,
    /// May use {drinks} (alcoholic drinks a week).
    pub why: String,
    pub sources: Vec<String>,
}

/// Someone taking a poorly suited form gets a step to switch it.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Swap {
    pub remedy: String,
    pub from_form: String,
    pub title: String,
    pub why: String,
    pub sources: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Escalate {
    pub lead: String,
    pub lead_severe: String,
    pub option: Vec<EscalateOption>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EscalateOption {
    pub id: String,
    pub title: String,
    /// May use {lead} and the iron thresholds ({ferritin_iv_only_max}, {tsat_low}, ...).
    pub why: String,
    /// Offered only while iron is unknown or low.
    #[serde(default)]
    pub only_while_iron_open: bool,
}

/// The content compiled into the binary.
pub const BUNDLED_PLAN: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../knowledge/plan.toml"
));

/// Names a template may use, with their values.
pub(crate) fn iron_values(t: &IronThresholds) -> Vec<(&'static str, String)> {
    let n = crate::knowledge::entry_number;
    vec![
        ("ferritin_oral_max", n(t.ferritin_oral_max)),
        ("ferritin_iv_only_max", n(t.ferritin_iv_only_max)),
        ("tsat_low", n(t.tsat_low)),
        ("tsat_overload", n(t.tsat_overload)),
        ("ferritin_overload", n(t.ferritin_overload)),
        ("retest_weeks", n(f64::from(t.retest_days) / 7.0)),
        ("oral_elemental_mg", n(t.oral_elemental_mg)),
        ("child_ferritin_max", n(t.child_ferritin_max)),
    ]
}

/// Replaces each `{name}` with its value.
pub fn fill(template: &str, values: &[(&str, String)]) -> String {
    let mut out = template.to_string();
    for (name, value) in values {
        out = out.replace(&format!("{{{name}}}"), value);
    }
    out
}

/// The `{names}` a template uses.
fn placeholders(template: &str) -> Vec<&str> {
    template
        .split('{')
        .skip(1)
        .filter_map(|rest| rest.split_once('}').map(|(name, _)| name))
        .collect()
}

impl PlanContent {
    pub fn from_toml(
        file: &str,
        text: &str,
        kb: &KnowledgeBase,
        iron: &IronThresholds,
    ) -> Result<PlanContent, LoadError> {
        let content: PlanContent =
            toml::from_str(text).map_err(|e| LoadError::toml(file, text, &e))?;
        let mut issues = Vec::new();
        let mut issue = |entry: &str, field: &str, message: String| {
            issues.push(KbIssue {
                file: file.to_string(),
                line: None,
                entry: Some(entry.to_string()),
                field: Some(field.to_string()),
                message,
            })
        };
        let ids = content
            .try_stage
            .order
            .iter()
            .enumerate()
            .map(|(i, x)| ("try", format!("order[{i}]"), x))
            .chain(
                content
                    .routine
                    .iter()
                    .enumerate()
                    .map(|(i, x)| ("routine", format!("[{i}].id"), &x.id)),
            )
            .chain(
                content
                    .acute
                    .ids
                    .iter()
                    .enumerate()
                    .map(|(i, x)| ("acute", format!("ids[{i}]"), x)),
            )
            .chain(
                content
                    .trigger_trial
                    .iter()
                    .map(|x| (x.id.as_str(), "id".into(), &x.id)),
            )
            .chain(
                content
                    .swap
                    .iter()
                    .map(|x| (x.remedy.as_str(), "remedy".into(), &x.remedy)),
            )
            .chain(
                content
                    .escalate
                    .option
                    .iter()
                    .map(|x| (x.id.as_str(), "id".into(), &x.id)),
            );
        for (entry, field, id) in ids {
            if kb.get(id).is_none() {
                issue(
                    entry,
                    &field,
                    format!("'{id}' is not the id of any knowledge entry"),
                );
            }
        }
        let known: Vec<&str> = iron_values(iron)
            .iter()
            .map(|(n, _)| *n)
            .chain(["lead", "drinks", "days"])
            .collect();
        let templates = [
            ("try", "why", &content.try_stage.why),
            ("try", "how_to_judge", &content.try_stage.how_to_judge),
            ("acute", "why", &content.acute.why),
            ("escalate", "lead", &content.escalate.lead),
            ("escalate", "lead_severe", &content.escalate.lead_severe),
        ]
        .into_iter()
        .chain(
            content
                .trigger_trial
                .iter()
                .map(|x| (x.id.as_str(), "why", &x.why)),
        )
        .chain(
            content
                .escalate
                .option
                .iter()
                .map(|x| (x.id.as_str(), "why", &x.why)),
        );
        for (entry, field, template) in templates {
            for name in placeholders(template) {
                if !known.contains(&name) {
                    issue(
                        entry,
                        field,
                        format!(
                            "unknown placeholder {{{name}}} (accepted: {})",
                            known.join(", ")
                        ),
                    );
                }
            }
        }
        let sourced = content
            .trigger_trial
            .iter()
            .map(|t| (&t.id, &t.sources))
            .chain(content.swap.iter().map(|s| (&s.remedy, &s.sources)));
        for (entry, sources) in sourced {
            if sources.is_empty() {
                issue(
                    entry,
                    "sources",
                    "is empty: every suggestion needs a source".into(),
                );
            }
            for (i, s) in sources.iter().enumerate() {
                if kb.source(s).is_none() {
                    issue(
                        entry,
                        &format!("sources[{i}]"),
                        format!("'{s}' is not defined in sources.toml"),
                    );
                }
            }
        }
        if issues.is_empty() {
            Ok(content)
        } else {
            Err(LoadError { issues })
        }
    }
}
