//! The person's profile (spec section 3): what they tell us about symptoms, labs, conditions,
//! medicines, supplements and habits. A missing answer means "unknown", never "no".

mod clock;
mod parse;
mod resolve;

pub use clock::ClockTime;
pub use parse::{ProfileError, ProfileFormat};
pub use resolve::{LabValue, Resolved, ResolvedName, check_lab};

use jiff::civil::Date;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Sex {
    Female,
    Male,
    Other,
}

/// The earliest time of day symptoms usually start (the JHRLSS idea).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Onset {
    None,
    Bedtime,
    Evening,
    Afternoon,
    Morning,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Distress {
    None,
    Mild,
    Moderate,
    Severe,
}

/// Answers about symptoms. Every field is optional: `None` is "not answered".
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Symptoms {
    pub urge_to_move: Option<bool>,
    pub worse_at_rest: Option<bool>,
    pub relieved_by_movement: Option<bool>,
    pub evening_or_night: Option<bool>,
    pub not_explained_by_other: Option<bool>,
    pub nights_per_week: Option<f64>,
    pub onset: Option<Onset>,
    pub distress: Option<Distress>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sensations: Vec<String>,
    pub painful_hard_muscle_knot: Option<bool>,
    pub eased_by_stretching_only: Option<bool>,
    pub eased_by_position_change_only: Option<bool>,
    pub numbness: Option<bool>,
    pub burning_constant: Option<bool>,
    pub pain_when_walking_eased_by_rest: Option<bool>,
    pub one_leg_swollen_red_hot: Option<bool>,
    pub new_weakness_or_bladder_change: Option<bool>,
    pub rapidly_worsening: Option<bool>,
    pub started_after_new_medicine: Option<bool>,
    /// Extension: inner restlessness of the whole body rather than the legs (akathisia).
    pub whole_body_restlessness: Option<bool>,
    /// Extension: legs heavy or swollen after standing, eased by raising them (venous).
    pub eased_by_leg_elevation: Option<bool>,
    /// Extension: only while standing still, gone when walking or sitting (orthostatic tremor).
    pub only_when_standing_still: Option<bool>,
    /// Extension: pain in one leg along a band, often with back pain (radiculopathy).
    pub one_sided_with_back_pain: Option<bool>,
    /// Extension: a clinician's IRLS total (0-40), typed in by the person.
    pub irls_total: Option<u32>,
    /// Extension: on a dopamine medicine, symptoms now start earlier, spread to the arms or the
    /// dose works for less time (augmentation).
    pub earlier_or_spreading_on_treatment: Option<bool>,
    /// Extension: thoughts of self-harm because of sleep loss or low mood.
    pub thoughts_of_self_harm: Option<bool>,
    // The spec's TOML example writes these three keys after `[symptoms]`, which TOML reads as
    // part of that table. Profiles written from the example must work, so they are accepted
    // here and moved to the top level by `Profile::parse`.
    #[serde(default, rename = "conditions", skip_serializing)]
    #[doc(hidden)]
    pub nested_conditions: Vec<String>,
    #[serde(default, rename = "medications", skip_serializing)]
    #[doc(hidden)]
    pub nested_medications: Vec<String>,
    #[serde(default, rename = "supplements", skip_serializing)]
    #[doc(hidden)]
    pub nested_supplements: Vec<String>,
}

/// The answer to one yes/no symptom question by its profile name; `None` for a name that is
/// not such a question.
pub fn symptom_answer(s: &Symptoms, name: &str) -> Option<Option<bool>> {
    Some(match name {
        "urge_to_move" => s.urge_to_move,
        "worse_at_rest" => s.worse_at_rest,
        "relieved_by_movement" => s.relieved_by_movement,
        "evening_or_night" => s.evening_or_night,
        "not_explained_by_other" => s.not_explained_by_other,
        "painful_hard_muscle_knot" => s.painful_hard_muscle_knot,
        "eased_by_stretching_only" => s.eased_by_stretching_only,
        "eased_by_position_change_only" => s.eased_by_position_change_only,
        "numbness" => s.numbness,
        "burning_constant" => s.burning_constant,
        "pain_when_walking_eased_by_rest" => s.pain_when_walking_eased_by_rest,
        "one_leg_swollen_red_hot" => s.one_leg_swollen_red_hot,
        "new_weakness_or_bladder_change" => s.new_weakness_or_bladder_change,
        "rapidly_worsening" => s.rapidly_worsening,
        "started_after_new_medicine" => s.started_after_new_medicine,
        "whole_body_restlessness" => s.whole_body_restlessness,
        "eased_by_leg_elevation" => s.eased_by_leg_elevation,
        "only_when_standing_still" => s.only_when_standing_still,
        "one_sided_with_back_pain" => s.one_sided_with_back_pain,
        "earlier_or_spreading_on_treatment" => s.earlier_or_spreading_on_treatment,
        "thoughts_of_self_harm" => s.thoughts_of_self_harm,
        _ => return None,
    })
}

/// One lab result as the person entered it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LabInput {
    pub test: String,
    pub value: f64,
    pub unit: String,
    pub date: Option<Date>,
    /// A bound ("<", "<=", ">=", ">") when the lab reported only that.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comparator: Option<crate::journal::Comparator>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Habits {
    pub caffeine_mg_per_day: Option<f64>,
    pub last_caffeine: Option<ClockTime>,
    pub alcohol_drinks_per_week: Option<f64>,
    pub exercise_minutes_per_week: Option<f64>,
    pub late_vigorous_exercise: Option<bool>,
    pub smoker: Option<bool>,
    /// Extension: usual hours of sleep.
    pub sleep_hours: Option<f64>,
}

/// The profile exactly as the spec's section 3 describes it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Profile {
    pub age: Option<u32>,
    pub sex: Option<Sex>,
    pub pregnant: Option<bool>,
    /// Round 2: weeks of pregnancy, or the trimester (1-3); either means pregnant.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pregnancy_weeks: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trimester: Option<u8>,
    /// Round 2: breastfeeding is its own condition; lactation advice differs from pregnancy's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub breastfeeding: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub weight_kg: Option<f64>,
    pub bedtime: Option<ClockTime>,
    pub timezone: Option<String>,
    pub symptoms: Symptoms,
    #[serde(default)]
    pub conditions: Vec<String>,
    #[serde(default)]
    pub medications: Vec<String>,
    #[serde(default)]
    pub supplements: Vec<String>,
    #[serde(default)]
    pub labs: Vec<LabInput>,
    #[serde(default)]
    pub habits: Habits,
}
