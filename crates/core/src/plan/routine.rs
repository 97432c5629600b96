//! The evening routine, timed back from the person's bedtime.

use serde::Serialize;

use super::steps::{Stage, Step};
use crate::knowledge::{Evidence, KnowledgeBase};
use crate::profile::Resolved;
use crate::safety::{Rules, SafetyReport};

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RoutineItem {
    pub minutes_before_bed: u32,
    pub id: String,
    pub title: String,
    /// Clock time, when the bedtime is known.
    pub at: Option<String>,
    /// Interactions with what the person has or takes ("heat" with numb feet).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub cautions: Vec<String>,
}

pub(super) fn evening(
    person: &Resolved,
    kb: &KnowledgeBase,
    rules: &Rules,
    safety: &SafetyReport,
    steps: &[Step],
) -> Vec<RoutineItem> {
    let mut items: Vec<RoutineItem> = Vec::new();
    let mut add = |id: &str, title: String| {
        let Some(entry) = kb.get(id) else { return };
        let Some(minutes) = entry.minutes_before_bed else {
            return;
        };
        if safety.blocks(id) || entry.evidence == Evidence::X || items.iter().any(|i| i.id == id) {
            return;
        }
        let at = person
            .profile
            .bedtime
            .map(|b| b.minus_minutes(minutes).to_string());
        let cautions = crate::safety::interactions_for(rules, id, person)
            .into_iter()
            .map(|hit| hit.rule.message.clone())
            .collect();
        items.push(RoutineItem {
            minutes_before_bed: minutes,
            id: id.to_string(),
            title,
            at,
            cautions,
        });
    };
    for line in &rules.plan.routine {
        add(&line.id, line.title.clone());
    }
    // Only the first change being tried belongs in the routine: one change at a time.
    if let Some(first) = steps.iter().find(|s| s.stage == Stage::Try) {
        add(&first.id, first.title.clone());
    }
    items.sort_by_key(|i| std::cmp::Reverse(i.minutes_before_bed));
    items
}
