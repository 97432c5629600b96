//! How a line was read, in words a person can check before saving: "Benadryl at night ->
//! diphenhydramine, a sedating antihistamine that can worsen RLS".

use serde::Serialize;

use super::{Field, Frequency, Reading, read_line};
use crate::knowledge::{Evidence, Kind, KnowledgeBase, entry_number};
use crate::safety::Rules;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Explanation {
    pub written: String,
    /// `None` when nothing was recognised.
    pub understood: Option<String>,
    /// What matters about it for RLS, one sentence each.
    pub notes: Vec<String>,
}

fn name_of(kb: &KnowledgeBase, id: &str) -> String {
    kb.get(id).map_or(id.to_string(), |e| e.name.clone())
}

fn how_often(f: Frequency) -> String {
    match f {
        Frequency::Day { times: 1.0 } => "once a day".into(),
        Frequency::Day { times: 2.0 } => "twice a day".into(),
        Frequency::Day { times: 0.5 } => "every other day".into(),
        Frequency::Day { times } => format!("{} times a day", entry_number(times)),
        Frequency::Week { times: 1.0 } => "once a week".into(),
        Frequency::Week { times } => format!("{} times a week", entry_number(times)),
        Frequency::AsNeeded => "as needed".into(),
    }
}

/// Explains a reading.
pub fn explain(kb: &KnowledgeBase, rules: &Rules, r: &Reading) -> Explanation {
    let Some(id) = &r.id else {
        return Explanation {
            written: r.written.clone(),
            understood: None,
            notes: vec![
                "Not recognised: check the spelling, or ask your pharmacist what it contains."
                    .into(),
            ],
        };
    };
    let mut what = name_of(kb, id);
    let parts: Vec<String> = r
        .ingredients
        .iter()
        .filter(|i| *i != id)
        .map(|i| name_of(kb, i).to_lowercase())
        .collect();
    if !parts.is_empty() {
        what.push_str(&format!(" ({})", parts.join(" + ")));
    }
    if let Some(form) = &r.form {
        what.push_str(&format!(", {form}"));
    }
    let mut dose = Vec::new();
    if let Some(a) = r.amount {
        let count = r
            .count
            .filter(|c| *c != 1.0)
            .map_or(String::new(), |c| format!("{} x ", entry_number(c)));
        dose.push(format!(
            "{count}{} {}",
            entry_number(a.value),
            a.unit.as_str()
        ));
    }
    if let Some(f) = r.frequency {
        dose.push(how_often(f));
    }
    if !dose.is_empty() {
        what.push_str(&format!(", {}", dose.join(" ")));
    }
    if let Some(stage) = &r.stage {
        what.push_str(&format!(", stage {stage}"));
    }
    let mut notes = Vec::new();
    if !r.implied.is_empty() {
        notes.push(format!(
            "Night-time ('PM') versions of this usually also contain {}; check the label.",
            r.implied
                .iter()
                .map(|i| name_of(kb, i).to_lowercase())
                .collect::<Vec<_>>()
                .join(" and ")
        ));
    }
    let calm = |i: &str| {
        kb.groups_of(i)
            .iter()
            .any(|g| rules.not_aggravating.iter().any(|n| n == g))
    };
    let mut seen_groups = Vec::new();
    for ingredient in &r.ingredients {
        if calm(ingredient) {
            continue;
        }
        for g in kb.groups_of(ingredient) {
            let Some(group) = kb.get(g) else { continue };
            if group.kind == Kind::Trigger && !seen_groups.contains(&g) {
                seen_groups.push(g);
                let article = if group
                    .name
                    .to_lowercase()
                    .starts_with(['a', 'e', 'i', 'o', 'u'])
                {
                    "an"
                } else {
                    "a"
                };
                let singular = group.name.trim_end_matches('s').to_lowercase();
                notes.push(format!(
                    "{} is {article} {singular}, which can worsen RLS.",
                    name_of(kb, ingredient)
                ));
            }
        }
    }
    if let Some(entry) = kb.get(id)
        && entry.evidence == Evidence::X
        && !matches!(entry.kind, Kind::Trigger | Kind::Condition)
    {
        notes.push(format!(
            "{} is not suggested for RLS (evidence against or of harm).",
            entry.name
        ));
    }
    Explanation {
        written: r.written.clone(),
        understood: Some(what),
        notes,
    }
}

/// Reads and explains every line of a list typed into `field` (one per line or comma).
pub fn explain_list(
    kb: &KnowledgeBase,
    rules: &Rules,
    text: &str,
    field: Field,
) -> Vec<Explanation> {
    split_list(text)
        .into_iter()
        .map(|line| explain(kb, rules, &read_line(kb, line, field)))
        .collect()
}

/// Splits a typed list the way the profile form stores it: commas, semicolons and new lines.
/// A comma between digits ("2,000 IU") is part of a number, not a separator.
pub fn split_list(text: &str) -> Vec<&str> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut start = 0;
    for (i, c) in text.char_indices() {
        let digit_around = c == ','
            && i > 0
            && bytes[i - 1].is_ascii_digit()
            && bytes.get(i + 1).is_some_and(u8::is_ascii_digit);
        if matches!(c, ',' | ';' | '\n') && !digit_around {
            out.push(&text[start..i]);
            start = i + c.len_utf8();
        }
    }
    out.push(&text[start..]);
    out.into_iter()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_split_on_separators_but_not_inside_numbers() {
        assert_eq!(
            split_list("Zoloft 50mg, Benadryl at night\nvitamin D 2,000 IU; omeprazole"),
            [
                "Zoloft 50mg",
                "Benadryl at night",
                "vitamin D 2,000 IU",
                "omeprazole"
            ]
        );
        assert!(split_list(" , ,\n").is_empty());
    }

    #[test]
    fn a_sedating_antihistamine_is_named_as_a_trigger() {
        let kb = crate::knowledge::bundled().expect("kb");
        let rules = crate::safety::bundled_rules().expect("rules");
        let e = explain(
            kb,
            rules,
            &read_line(kb, "Benadryl at night", Field::Medication),
        );
        assert!(
            e.understood
                .as_deref()
                .is_some_and(|u| u.starts_with("Diphenhydramine")),
            "{e:?}"
        );
        assert!(e.notes.iter().any(|n| n.contains("worsen RLS")), "{e:?}");
        let unknown = explain(kb, rules, &read_line(kb, "zzqqxx", Field::Medication));
        assert_eq!(unknown.understood, None);
        assert!(unknown.notes[0].contains("spelling"));
    }
}
