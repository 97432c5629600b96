//! Checks a parsed profile against the knowledge base: lab tests and units, value ranges, and
//! free-text names of medicines, conditions and supplements.

use jiff::civil::Date;
use serde::Serialize;

use super::{LabInput, Profile, ProfileError, Sex};
use crate::cabinet::{self, Field, Reading};
use crate::knowledge::KnowledgeBase;
use crate::limits;

/// A lab result converted to the test's canonical unit.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LabValue {
    pub test: String,
    pub value: f64,
    pub unit: String,
    pub date: Option<Date>,
    pub entered_value: f64,
    pub entered_unit: String,
    /// The lab reported only a bound: `value` is that bound.
    pub comparator: Option<crate::journal::Comparator>,
}

/// A name the person wrote and what it means in the knowledge base.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ResolvedName {
    pub written: String,
    /// The entry it resolved to, or `None` when we could not tell.
    pub id: Option<String>,
    /// The entry, every ingredient, and every group they belong to (class, trigger group...).
    pub groups: Vec<String>,
    /// Everything read from the line: ingredients, form, dose, frequency, leftovers.
    pub reading: Reading,
}

impl ResolvedName {
    /// A condition the engine works out from what the person told us (an eGFR, their age, a
    /// symptom answer), with the reason in words.
    pub fn derived(kb: &KnowledgeBase, id: &str, because: String) -> Self {
        let reading = Reading {
            written: because.clone(),
            id: Some(id.to_string()),
            ingredients: vec![id.to_string()],
            ..Reading::default()
        };
        ResolvedName {
            written: because,
            id: Some(id.to_string()),
            groups: kb.groups_of(id).into_iter().map(String::from).collect(),
            reading,
        }
    }
}

/// A profile whose values have been checked and whose names have been resolved.
#[derive(Debug, Clone, PartialEq)]
pub struct Resolved {
    pub profile: Profile,
    pub labs: Vec<LabValue>,
    pub medications: Vec<ResolvedName>,
    pub conditions: Vec<ResolvedName>,
    pub supplements: Vec<ResolvedName>,
    /// Conditions worked out from labs, age and answers (eGFR under 30 -> kidney rules), which
    /// the rules treat as if listed. Filled by the safety engine.
    pub derived: Vec<ResolvedName>,
}

fn check_range(
    errors: &mut Vec<ProfileError>,
    field: &str,
    value: Option<f64>,
    min: f64,
    max: f64,
) {
    if let Some(v) = value
        && !(v.is_finite() && (min..=max).contains(&v))
    {
        errors.push(ProfileError::field(
            field,
            format!("{v} is not possible here (expected {min} to {max})"),
        ));
    }
}

/// Upper bounds that no real result reaches; beyond them the number is a typo or a unit mix-up.
fn plausible_max(test: &str) -> f64 {
    match test {
        "tsat" => 100.0,
        "ferritin" => 20_000.0,
        "hemoglobin" => 30.0,
        "vitamin-d-25oh" => 300.0,
        "creatinine" => 30.0,
        "egfr" => 200.0,
        _ => 1_000_000.0,
    }
}

fn resolve_name(kb: &KnowledgeBase, written: &str, field: Field) -> ResolvedName {
    let reading = cabinet::read_line(kb, written, field);
    let mut groups: Vec<String> = Vec::new();
    let heads = reading.id.iter().chain(&reading.ingredients);
    for id in heads {
        for g in kb.groups_of(id) {
            if !groups.iter().any(|x| x == g) {
                groups.push(g.to_string());
            }
        }
    }
    ResolvedName {
        written: written.to_string(),
        id: reading.id.clone(),
        groups,
        reading,
    }
}

/// Checks one lab result and converts it to the test's canonical unit. `prefix` goes in front
/// of field names in errors (`labs[0].`), so the same check serves profiles and the CLI.
pub fn check_lab(
    kb: &KnowledgeBase,
    input: &LabInput,
    today: Date,
    prefix: &str,
) -> Result<LabValue, ProfileError> {
    let field = |f: &str| format!("{prefix}{f}");
    let entry = kb
        .get(input.test.trim())
        .filter(|e| e.lab.is_some())
        .or_else(|| kb.resolve(&input.test).filter(|e| e.lab.is_some()));
    let Some((entry, lab)) = entry.and_then(|e| e.lab.as_ref().map(|l| (e, l))) else {
        let lab_ids: Vec<&str> = kb
            .entries()
            .iter()
            .filter(|e| e.lab.is_some())
            .map(|e| e.id.as_str())
            .collect();
        return Err(ProfileError::field(
            field("test"),
            format!(
                "unknown lab test '{}' (accepted: {})",
                input.test,
                lab_ids.join(", ")
            ),
        ));
    };
    if !input.value.is_finite() || input.value < 0.0 {
        return Err(ProfileError::field(
            field("value"),
            format!(
                "{} is not possible for {} (must be zero or more)",
                input.value, entry.name
            ),
        ));
    }
    let Some(value) = lab.to_canonical(input.value, &input.unit) else {
        return Err(ProfileError::field(
            field("unit"),
            format!(
                "unknown unit '{}' for {} (accepted: {})",
                input.unit,
                entry.name,
                lab.accepted_units().join(", ")
            ),
        ));
    };
    if value > plausible_max(&entry.id) {
        return Err(ProfileError::field(
            field("value"),
            format!(
                "{} {} is not a possible {} result; check the number and the unit",
                input.value, input.unit, entry.name
            ),
        ));
    }
    if let Some(problem) = input.date.and_then(limits::date_problem) {
        return Err(ProfileError::field(field("date"), problem));
    }
    if let Some(date) = input.date
        && date > today
    {
        return Err(ProfileError::field(
            field("date"),
            format!("{date} is in the future (today is {today})"),
        ));
    }
    Ok(LabValue {
        test: entry.id.clone(),
        value,
        unit: lab.unit.clone(),
        date: input.date,
        entered_value: input.value,
        entered_unit: input.unit.clone(),
        comparator: input.comparator,
    })
}

impl Resolved {
    /// Checks every value and resolves every name. `today` decides which dates are in the future.
    pub fn new(
        profile: &Profile,
        kb: &KnowledgeBase,
        today: Date,
    ) -> Result<Resolved, Vec<ProfileError>> {
        let mut errors = Vec::new();
        if let Some(age) = profile.age
            && age > 120
        {
            errors.push(ProfileError::field(
                "age",
                format!("{age} is not a possible age"),
            ));
        }
        if let Some(tz) = &profile.timezone
            && (tz.trim().is_empty() || tz.contains(char::is_whitespace))
        {
            errors.push(ProfileError::field(
                "timezone",
                format!("'{tz}' is not an IANA time zone name (e.g. Europe/Berlin)"),
            ));
        }
        let s = &profile.symptoms;
        check_range(
            &mut errors,
            "symptoms.nights_per_week",
            s.nights_per_week,
            0.0,
            7.0,
        );
        if let Some(irls) = s.irls_total
            && irls > 40
        {
            errors.push(ProfileError::field(
                "symptoms.irls_total",
                format!("{irls} is above the IRLS maximum of 40"),
            ));
        }
        let h = &profile.habits;
        check_range(
            &mut errors,
            "habits.caffeine_mg_per_day",
            h.caffeine_mg_per_day,
            0.0,
            5000.0,
        );
        check_range(
            &mut errors,
            "habits.alcohol_drinks_per_week",
            h.alcohol_drinks_per_week,
            0.0,
            300.0,
        );
        check_range(
            &mut errors,
            "habits.exercise_minutes_per_week",
            h.exercise_minutes_per_week,
            0.0,
            7.0 * 24.0 * 60.0,
        );
        check_range(&mut errors, "habits.sleep_hours", h.sleep_hours, 0.0, 24.0);
        check_range(
            &mut errors,
            "pregnancy_weeks",
            profile.pregnancy_weeks,
            0.0,
            45.0,
        );
        check_range(&mut errors, "weight_kg", profile.weight_kg, 1.0, 400.0);
        if let Some(t) = profile.trimester
            && !(1..=3).contains(&t)
        {
            errors.push(ProfileError::field(
                "trimester",
                format!("{t} is not a trimester (expected 1, 2 or 3)"),
            ));
        }

        if let Some(problem) = profile
            .timezone
            .as_deref()
            .and_then(|tz| limits::text_problem(tz, limits::NAME_MAX_CHARS))
        {
            errors.push(ProfileError::field("timezone", problem));
        }
        if profile.labs.len() > limits::LIST_MAX_ITEMS {
            errors.push(ProfileError::field(
                "labs",
                format!(
                    "has {} results; the limit is {}",
                    profile.labs.len(),
                    limits::LIST_MAX_ITEMS
                ),
            ));
        }
        let mut labs = Vec::new();
        for (i, input) in profile.labs.iter().enumerate() {
            match check_lab(kb, input, today, &format!("labs[{i}].")) {
                Ok(lab) => labs.push(lab),
                Err(e) => errors.push(e),
            }
        }
        for (list, what) in [
            (&profile.medications, "medications"),
            (&profile.conditions, "conditions"),
            (&profile.supplements, "supplements"),
        ] {
            if list.len() > limits::LIST_MAX_ITEMS {
                errors.push(ProfileError::field(
                    what,
                    format!(
                        "has {} lines; the limit is {}",
                        list.len(),
                        limits::LIST_MAX_ITEMS
                    ),
                ));
            }
            for (i, name) in list.iter().enumerate() {
                if name.trim().is_empty() {
                    errors.push(ProfileError::field(format!("{what}[{i}]"), "is empty"));
                } else if let Some(problem) = limits::text_problem(name, limits::PHRASE_MAX_CHARS) {
                    errors.push(ProfileError::field(format!("{what}[{i}]"), problem));
                }
            }
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        let names = |list: &[String], field: Field| -> Vec<ResolvedName> {
            list.iter().map(|n| resolve_name(kb, n, field)).collect()
        };
        Ok(Resolved {
            profile: profile.clone(),
            labs,
            medications: names(&profile.medications, Field::Medication),
            conditions: names(&profile.conditions, Field::Condition),
            supplements: names(&profile.supplements, Field::Supplement),
            derived: Vec::new(),
        })
    }

    /// The most recent result of `test`, preferring dated results.
    pub fn latest_lab(&self, test: &str) -> Option<&LabValue> {
        self.labs
            .iter()
            .filter(|l| l.test == test)
            .max_by_key(|l| l.date)
    }

    /// Whether a listed or derived condition is, or belongs to, `id`.
    pub fn has_condition(&self, id: &str) -> bool {
        self.condition(id).is_some()
    }

    /// The listed (or else derived) condition that is, or belongs to, `id`.
    pub fn condition(&self, id: &str) -> Option<&ResolvedName> {
        self.conditions
            .iter()
            .chain(&self.derived)
            .find(|c| c.groups.iter().any(|g| g == id))
    }

    /// Every medicine and supplement line, medicines first.
    pub fn taken(&self) -> impl Iterator<Item = &ResolvedName> {
        self.medications.iter().chain(&self.supplements)
    }

    pub fn is_male(&self) -> bool {
        self.profile.sex == Some(Sex::Male)
    }

    /// The medicines (as written) that are, or belong to, `group`.
    pub fn medicines_in(&self, group: &str) -> Vec<&ResolvedName> {
        self.medications
            .iter()
            .filter(|m| m.groups.iter().any(|g| g == group))
            .collect()
    }

    /// Whether the person takes a supplement that is, or belongs to, `id`.
    pub fn takes_supplement(&self, id: &str) -> bool {
        self.supplements
            .iter()
            .any(|s| s.groups.iter().any(|g| g == id))
    }

    /// Pregnant by the profile's flag, its weeks or trimester, or a listed condition.
    pub fn is_pregnant(&self) -> bool {
        self.profile.pregnant == Some(true)
            || self.profile.pregnancy_weeks.is_some()
            || self.profile.trimester.is_some()
            || self.has_condition("pregnancy")
    }

    /// The trimester, from the profile or from weeks (on the profile or written with the
    /// condition, "pregnant 20 weeks").
    pub fn trimester(&self) -> Option<u8> {
        if let Some(t) = self.profile.trimester {
            return Some(t);
        }
        let weeks = self.profile.pregnancy_weeks.or_else(|| {
            self.conditions
                .iter()
                .filter(|c| c.groups.iter().any(|g| g == "pregnancy"))
                .find_map(|c| c.reading.weeks)
        })?;
        Some(match weeks {
            w if w < 14.0 => 1,
            w if w < 28.0 => 2,
            _ => 3,
        })
    }

    /// Names nobody could match: reported, never silently dropped.
    pub fn unresolved(&self) -> impl Iterator<Item = (&'static str, &ResolvedName)> {
        let medications = self.medications.iter().map(|r| ("medication", r));
        let conditions = self.conditions.iter().map(|r| ("condition", r));
        let supplements = self.supplements.iter().map(|r| ("supplement", r));
        medications
            .chain(conditions)
            .chain(supplements)
            .filter(|(_, r)| r.id.is_none())
    }
}
