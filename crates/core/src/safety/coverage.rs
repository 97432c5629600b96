//! A caution that names another entry promises a rule: "do not combine with warfarin" on an
//! entry must be a block or interaction in `rules.toml`, or the plan would warn about less than
//! the knowledge base says. This finds the promises no rule keeps.

use super::{Habit, Rules, When};
use crate::knowledge::{Entry, KbIssue, Kind, KnowledgeBase};

/// Kinds a plan can suggest or a person can take as a remedy: the `remedy` side of a rule.
/// Foods are advice in the library, never a plan step, so a food's cautions stay prose.
fn remedy_like(kind: Kind) -> bool {
    matches!(
        kind,
        Kind::Supplement
            | Kind::Herb
            | Kind::Physical
            | Kind::Device
            | Kind::Lifestyle
            | Kind::MindBody
            | Kind::Procedure
    )
}

/// Things a rule can be conditional on: the `when` side. Of the triggers, only the habits the
/// profile records and the medicine groups: "sleep loss" or "stress" in a caution is advice, not
/// a rule waiting to be written.
fn when_like(kb: &KnowledgeBase, entry: &Entry) -> bool {
    match entry.kind {
        Kind::Condition | Kind::Medication | Kind::Supplement | Kind::Herb => true,
        Kind::Trigger => {
            matches!(entry.id.as_str(), "caffeine" | "alcohol" | "nicotine")
                || kb.members_of(&entry.id).any(|m| m.kind == Kind::Medication)
        }
        _ => false,
    }
}

/// The ids `when` refers to, habits by the trigger entry that names them.
fn when_id(when: &When) -> &str {
    match when {
        When::Condition(id) | When::Medication(id) | When::Supplement(id) => id,
        When::Habit(Habit::Caffeine) => "caffeine",
        When::Habit(Habit::Alcohol) => "alcohol",
        When::Habit(Habit::Smoking) => "nicotine",
    }
}

/// Every (remedy, when) pair a rule enforces.
fn rule_pairs(rules: &Rules) -> Vec<(&str, &str)> {
    let mut pairs: Vec<(&str, &str)> = rules
        .handled
        .iter()
        .map(|h| (h.remedy.as_str(), h.when.as_str()))
        .collect();
    for b in &rules.blocks {
        for r in &b.remedies {
            pairs.push((r.as_str(), when_id(&b.when)));
        }
    }
    for i in &rules.interactions {
        pairs.push((i.remedy.as_str(), when_id(&i.when)));
    }
    pairs
}

/// `a` and `b` are the same thing, one is a group the other belongs to, or one is an
/// ingredient of the other.
fn related(kb: &KnowledgeBase, a: &str, b: &str) -> bool {
    let part_of = |x: &str, y: &str| {
        kb.get(y).is_some_and(|e| {
            e.ingredients
                .iter()
                .any(|i| i == x || kb.groups_of(i).contains(&x))
        })
    };
    a == b
        || kb.groups_of(a).contains(&b)
        || kb.groups_of(b).contains(&a)
        || part_of(a, b)
        || part_of(b, a)
}

/// `phrase` (folded) names `entry` in prose: its name, an alias, a form, or its id, unless the
/// id is an ordinary word listed in `plain_words` ("cold" in "cold and flu" is not the cold pack).
fn names_entry(entry: &Entry, phrase: &str, plain_words: &[String]) -> bool {
    let fold = crate::knowledge::fold;
    (fold(&entry.id) == phrase && !plain_words.contains(&entry.id))
        || fold(&entry.name) == phrase
        || entry.aliases.iter().any(|a| fold(a) == phrase)
        || entry
            .forms
            .iter()
            .any(|f| fold(&f.name) == phrase || f.aliases.iter().any(|a| fold(a) == phrase))
}

/// The other entries a caution names, by id, name, alias or form, as whole words.
fn named_in<'k>(kb: &'k KnowledgeBase, text: &str, plain_words: &[String]) -> Vec<&'k Entry> {
    let folded = crate::knowledge::fold(text);
    let words: Vec<&str> = folded.split(' ').filter(|w| !w.is_empty()).collect();
    let mut out: Vec<&Entry> = Vec::new();
    let mut i = 0;
    while i < words.len() {
        let mut step = 1;
        for len in (1..=6).rev() {
            if i + len > words.len() {
                continue;
            }
            let phrase = words[i..i + len].join(" ");
            if let Some(e) = kb
                .exact(&phrase)
                .find(|e| names_entry(e, &phrase, plain_words))
            {
                if !out.iter().any(|o| o.id == e.id) {
                    out.push(e);
                }
                step = len;
                break;
            }
        }
        i += step;
    }
    out
}

/// Cautions naming an entry that no rule pairs with the entry they stand on.
pub fn uncovered_cautions(kb: &KnowledgeBase, rules: &Rules) -> Vec<KbIssue> {
    let pairs = rule_pairs(rules);
    let covered = |remedy: &str, when: &str| {
        pairs
            .iter()
            .any(|(r, w)| related(kb, r, remedy) && related(kb, w, when))
    };
    let mut issues = Vec::new();
    // Care advice is never a plan step a rule could stop, so its own cautions stay prose too.
    for entry in kb
        .entries()
        .iter()
        .filter(|e| !rules.care_advice.contains(&e.id))
    {
        for (i, caution) in entry.cautions.iter().enumerate() {
            for named in named_in(kb, caution, &rules.plain_words) {
                if named.id == entry.id
                    || related(kb, &named.id, &entry.id)
                    || rules.care_advice.contains(&named.id)
                {
                    continue;
                }
                let forward = remedy_like(entry.kind) && when_like(kb, named);
                let backward = remedy_like(named.kind) && when_like(kb, entry);
                if !(forward || backward) {
                    continue;
                }
                // A condition's caution about its own treatment ("iron blocks the thyroid
                // tablets" on hypothyroidism) is kept by the rules on the medicines for it.
                let treatments: Vec<&str> = if entry.kind == Kind::Condition {
                    kb.entries()
                        .iter()
                        .filter(|m| m.indications.iter().any(|c| c == &entry.id))
                        .map(|m| m.id.as_str())
                        .collect()
                } else {
                    Vec::new()
                };
                let ok = (forward && covered(&entry.id, &named.id))
                    || (backward && covered(&named.id, &entry.id))
                    || (backward && treatments.iter().any(|t| covered(&named.id, t)));
                if !ok {
                    issues.push(KbIssue {
                        file: entry.file.clone(),
                        line: None,
                        entry: Some(entry.id.clone()),
                        field: Some(format!("cautions[{i}]")),
                        message: format!(
                            "names '{}' ({}), but no block or interaction in rules.toml pairs \
                             '{}' with it: add the rule, or reword the caution so it no longer \
                             promises one",
                            named.id, named.name, entry.id
                        ),
                    });
                }
            }
        }
    }
    issues
}
