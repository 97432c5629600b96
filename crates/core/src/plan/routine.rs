//! The evening routine, timed back from the person's bedtime.

use serde::Serialize;

use super::steps::{Stage, Step};
use crate::knowledge::{Evidence, KnowledgeBase};
use crate::profile::Resolved;
use crate::safety::SafetyReport;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RoutineItem {
    pub minutes_before_bed: u32,
    pub id: String,
    pub title: String,
    /// Clock time, when the bedtime is known.
    pub at: Option<String>,
}

/// Calm, low-risk items that suit most evenings; the first remedy being tried joins them.
const CORE: &[(&str, &str)] = &[
    (
        "sleep-hygiene",
        "Dim the lights, screens away, bedroom cool and dark",
    ),
    ("stretching", "Five minutes of calf and hamstring stretches"),
    (
        "heat",
        "Warm the calves (heating pad or warm towel) if it helps you",
    ),
    (
        "breathing",
        "Slow breathing: 5 seconds in, 5 seconds out, for 5 minutes",
    ),
];

pub(super) fn evening(
    person: &Resolved,
    kb: &KnowledgeBase,
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
        items.push(RoutineItem {
            minutes_before_bed: minutes,
            id: id.to_string(),
            title,
            at,
        });
    };
    for (id, title) in CORE {
        add(id, (*title).to_string());
    }
    // Only the first change being tried belongs in the routine: one change at a time.
    if let Some(first) = steps.iter().find(|s| s.stage == Stage::Try) {
        add(&first.id, first.title.clone());
    }
    items.sort_by_key(|i| std::cmp::Reverse(i.minutes_before_bed));
    items
}
