//! Doses the person already takes: the ceilings hold for what is in the cabinet, not only for
//! what the plan suggests, summed over every product that contains the same thing.

use super::{Ceiling, Flag, IronStatus, Level, Rules, SafetyReport};
use crate::cabinet::{Amount, DoseUnit};
use crate::knowledge::{KnowledgeBase, entry_number};
use crate::profile::{Resolved, ResolvedName};

/// An amount in the ceiling's unit, when the units convert.
fn in_ceiling_unit(c: &Ceiling, a: Amount) -> Option<f64> {
    if a.unit.as_str().eq_ignore_ascii_case(&c.unit) {
        return Some(a.value);
    }
    if c.unit == "mg"
        && let Some(mg) = a.unit.to_mg(a.value)
    {
        return Some(mg);
    }
    c.equivalents
        .iter()
        .find(|e| DoseUnit::parse(&e.unit.to_lowercase()) == Some(a.unit))
        .map(|e| a.value * e.factor)
}

/// How much of `remedy` one line gives in a day, in the ceiling's unit.
fn line_amount(kb: &KnowledgeBase, rules: &Rules, c: &Ceiling, line: &ResolvedName) -> Option<f64> {
    let r = &line.reading;
    let contains = |id: &str| kb.groups_of(id).contains(&c.remedy.as_str());
    let holders: Vec<&String> = r
        .ingredients
        .iter()
        .filter(|i| !r.implied.contains(i))
        .collect();
    if !holders.iter().any(|i| contains(i)) {
        return None;
    }
    let amounts: Vec<Amount> = r.amount.iter().chain(&r.other_amounts).copied().collect();
    let amount = if holders.len() == 1 {
        amounts.first().copied()
    } else {
        // A combination: the amount whose unit fits this remedy's ceiling, when the other
        // ingredients with ceilings do not fit it as well ("D3 + K2 5000 IU" is vitamin D).
        amounts.iter().copied().find(|a| {
            in_ceiling_unit(c, *a).is_some()
                && !holders.iter().any(|h| {
                    !contains(h)
                        && rules
                            .ceilings
                            .iter()
                            .filter(|o| kb.groups_of(h).contains(&o.remedy.as_str()))
                            .any(|o| in_ceiling_unit(o, *a).is_some())
                })
        })
    }?;
    let mut value = in_ceiling_unit(c, amount)?;
    if let Some(fraction) = r
        .form
        .as_ref()
        .and_then(|f| elemental_fraction(kb, line, f))
    {
        value *= fraction;
    }
    let times = r.frequency.map_or(1.0, crate::cabinet::Frequency::per_day);
    Some(value * r.count.unwrap_or(1.0) * times)
}

fn elemental_fraction(kb: &KnowledgeBase, line: &ResolvedName, form: &str) -> Option<f64> {
    let entry = kb.get(line.id.as_deref()?)?;
    entry
        .forms
        .iter()
        .find(|f| f.name == form)
        .and_then(|f| f.elemental_fraction)
}

pub(super) fn ceilings(
    person: &Resolved,
    kb: &KnowledgeBase,
    rules: &Rules,
    report: &mut SafetyReport,
) {
    for c in &rules.ceilings {
        let lines: Vec<(&ResolvedName, f64)> = person
            .taken()
            .filter_map(|l| line_amount(kb, rules, c, l).map(|v| (l, v)))
            .collect();
        let total: f64 = lines.iter().map(|(_, v)| v).sum();
        if total <= c.max * (1.0 + 1e-9) {
            continue;
        }
        let name = kb
            .get(&c.remedy)
            .map_or(c.remedy.as_str(), |e| e.name.as_str());
        for (line, value) in &lines {
            let together = if lines.len() > 1 {
                format!(
                    ", {} {} with your other products",
                    entry_number(total.round()),
                    c.unit
                )
            } else {
                String::new()
            };
            report.flag(Flag::new(
                "dose-above-limit",
                Level::Doctor,
                Some(line.written.clone()),
                format!(
                    "'{}' gives about {} {} of {} a day{together}, above the upper limit of {} \
                     {} a day. {} Talk to your doctor or pharmacist before the next dose; if a \
                     doctor prescribed this amount, keep to their plan.",
                    line.written,
                    entry_number(value.round()),
                    c.unit,
                    name.to_lowercase(),
                    entry_number(c.max),
                    c.unit,
                    c.message
                ),
            ));
        }
    }
}

/// Iron the person already takes: without recent labs, more than once a day, with tea or
/// calcium, or despite signs of overload.
pub(super) fn iron_in_use(person: &Resolved, report: &mut SafetyReport) {
    let takes_calcium = person
        .taken()
        .any(|l| l.groups.iter().any(|g| g == "calcium"));
    let tea_or_coffee = person
        .profile
        .habits
        .caffeine_mg_per_day
        .is_some_and(|mg| mg > 0.0);
    for line in person
        .taken()
        .filter(|l| l.groups.iter().any(|g| g == "iron-oral"))
    {
        let mut advice = Vec::new();
        match &report.iron {
            IronStatus::Unknown { .. } => advice.push(
                "Iron is only worth taking when ferritin and TSAT from the last 12 months show it \
                 is low, and too much is harmful: ask for both tests."
                    .to_string(),
            ),
            IronStatus::Overload => advice.push(
                "Your results suggest too much iron: talk to your doctor before taking more."
                    .to_string(),
            ),
            IronStatus::Adequate { .. } => advice.push(
                "Your iron results are not low, so iron is not expected to help RLS: ask your \
                 doctor whether you still need it."
                    .to_string(),
            ),
            _ => {}
        }
        if line.reading.more_than_daily() {
            advice.push(
                "Taken more than once a day, iron is absorbed less well than one dose every \
                 other morning: ask your doctor about switching."
                    .to_string(),
            );
        }
        if tea_or_coffee || takes_calcium {
            advice.push(
                "Take it at least an hour before tea or coffee and two hours apart from calcium."
                    .to_string(),
            );
        }
        if advice.is_empty() {
            continue;
        }
        let level = if matches!(
            report.iron,
            IronStatus::Unknown { .. } | IronStatus::Overload
        ) {
            Level::Doctor
        } else {
            Level::Caution
        };
        report.flag(Flag::new(
            "iron-use",
            level,
            Some(line.written.clone()),
            format!("You take '{}'. {}", line.written, advice.join(" ")),
        ));
    }
}
