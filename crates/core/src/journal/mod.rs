//! The nightly journal (spec section 5). A night is named by the date on which that evening
//! began, in the person's time zone; the store and every file format key entries by it.

use std::collections::BTreeMap;

use jiff::civil::Date;
use serde::{Deserialize, Serialize};

pub mod activity;
pub mod columns;
pub mod import;
pub mod lab_goal;

pub use activity::DayActivity;
pub use columns::COLUMNS;
pub use lab_goal::LabGoal;

use crate::limits;
use crate::profile::ClockTime;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum Intensity {
    Light,
    Moderate,
    Vigorous,
}

impl Intensity {
    pub fn as_str(self) -> &'static str {
        match self {
            Intensity::Light => "light",
            Intensity::Moderate => "moderate",
            Intensity::Vigorous => "vigorous",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "light" => Some(Intensity::Light),
            "moderate" => Some(Intensity::Moderate),
            "vigorous" => Some(Intensity::Vigorous),
            _ => None,
        }
    }
}

/// One night. `None` is "not recorded", never zero.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NightEntry {
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = Date))]
    pub night: Option<Date>,
    /// 0-10: how bad the legs were that evening and night.
    #[cfg_attr(feature = "openapi", schema(maximum = 10))]
    pub severity: u8,
    pub onset: Option<ClockTime>,
    pub sleep_hours: Option<f64>,
    pub awakenings: Option<u32>,
    pub caffeine_mg: Option<f64>,
    pub last_caffeine: Option<ClockTime>,
    pub alcohol_drinks: Option<f64>,
    pub exercise_minutes: Option<f64>,
    pub exercise_intensity: Option<Intensity>,
    pub exercise_end: Option<ClockTime>,
    pub sugar_late: Option<bool>,
    pub antihistamine: Option<bool>,
    /// `took:ID` columns: knowledge id -> taken that night.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub took: BTreeMap<String, bool>,
    pub notes: Option<String>,
    /// Symptoms that night also in the arms or elsewhere beyond the legs: on a dopamine
    /// medicine, spreading is a sign of augmentation. Left out of JSON when not recorded, so
    /// journals that never use it read and write exactly as before it existed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub beyond_legs: Option<bool>,
    /// `x:` columns, kept as written and ignored by analysis.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub extra: BTreeMap<String, String>,
}

impl NightEntry {
    /// The night this entry belongs to. Entries read from files and the store always have one;
    /// `Option` only lets a check-in form start empty.
    pub fn date(&self) -> Option<Date> {
        self.night
    }
}

/// What went wrong with one field of one night.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("field '{field}': {message}")]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

impl FieldError {
    pub fn new(field: &str, message: impl Into<String>) -> Self {
        Self {
            field: field.to_string(),
            message: message.into(),
        }
    }
}

/// The night a check-in most likely means at local time `now`: in the morning, last night; from
/// 15:00 on, the evening that is starting. Both edges ask this, with the person's own zone.
pub fn default_night(now: &jiff::civil::DateTime) -> Date {
    if now.hour() < 15 {
        now.date().yesterday().unwrap_or(now.date())
    } else {
        now.date()
    }
}

/// A night must have begun: `night` may be at most the day after the person's `today` (a
/// check-in made just after midnight for the evening before is common, one for next week is not).
pub fn check_not_future(night: Date, today: Date) -> Result<(), FieldError> {
    if today.tomorrow().is_ok_and(|t| night > t) {
        return Err(FieldError::new(
            "night",
            format!("{night} has not happened yet"),
        ));
    }
    Ok(())
}

impl NightEntry {
    /// Sets one field from its CSV text. An empty cell means "not recorded" and sets nothing.
    /// `took:` and `x:` columns are accepted; any other unknown column is an error.
    pub fn set_field(&mut self, column: &str, text: &str) -> Result<(), FieldError> {
        let text = text.trim();
        if let Some(fixed) = columns::column(column) {
            if text.is_empty() {
                return if fixed.required() {
                    Err(FieldError::new(column, "is required"))
                } else {
                    Ok(())
                };
            }
            let value = fixed.parse(text)?;
            fixed.set(self, Some(value));
            return Ok(());
        }
        if text.is_empty() {
            return Ok(());
        }
        match Item::named(column)? {
            Item::Took(id) => {
                let taken = columns::flag(column, text)?;
                self.took.insert(id.to_string(), taken);
            }
            Item::Extra(name) => {
                check_extra(name, text)?;
                self.extra.insert(name.to_string(), text.to_string());
            }
        }
        Ok(())
    }

    /// Empties one column, so a value removed on a form is removed from the night. Night and
    /// severity cannot be emptied.
    pub fn clear_field(&mut self, column: &str) -> Result<(), FieldError> {
        if let Some(fixed) = columns::column(column) {
            if fixed.required() {
                return Err(FieldError::new(column, "is required"));
            }
            fixed.set(self, None);
            return Ok(());
        }
        match Item::named(column)? {
            Item::Took(id) => {
                self.took.remove(id);
            }
            Item::Extra(name) => {
                self.extra.remove(name);
            }
        }
        Ok(())
    }

    /// Checks every value against the same rules as a CSV cell (ranges, known intensities, `x:`
    /// and `took:` names), for entries that arrive as JSON or through the API.
    pub fn validate(&self) -> Result<(), FieldError> {
        if self.night.is_none() {
            return Err(FieldError::new("night", "is required"));
        }
        for column in COLUMNS {
            if let Some(value) = column.get(self) {
                column.check(&value)?;
            }
        }
        for id in self.took.keys() {
            Item::named(&format!("took:{id}"))?;
        }
        for (name, text) in &self.extra {
            if !matches!(Item::named(name)?, Item::Extra(_)) {
                return Err(FieldError::new(name, "an x: column must start with 'x:'"));
            }
            check_extra(name, text)?;
        }
        Ok(())
    }

    /// A night as the journal takes it from a person: [`validate`](Self::validate), and not
    /// after the day after their own `today`.
    pub fn check(&self, today: Date) -> Result<(), FieldError> {
        self.validate()?;
        match self.night {
            Some(night) => check_not_future(night, today),
            None => Ok(()),
        }
    }

    /// The CSV text of one column ("" when not recorded).
    pub fn field(&self, column: &str) -> String {
        if let Some(fixed) = columns::column(column) {
            return fixed.get(self).map(|v| v.text()).unwrap_or_default();
        }
        match column.strip_prefix("took:") {
            Some(id) => self
                .took
                .get(id)
                .map(|b| columns::Value::Flag(*b).text())
                .unwrap_or_default(),
            None => self.extra.get(column).cloned().unwrap_or_default(),
        }
    }
}

/// A column beyond the fixed ones: `took:ID` (taken that night, 0 or 1) or `x:NAME` (kept as
/// written).
enum Item<'a> {
    Took(&'a str),
    Extra(&'a str),
}

impl<'a> Item<'a> {
    fn named(column: &'a str) -> Result<Self, FieldError> {
        if let Some(problem) = limits::text_problem(column, limits::NAME_MAX_CHARS) {
            let shown: String = column.chars().take(limits::NAME_MAX_CHARS).collect();
            return Err(FieldError::new(&shown, format!("column name {problem}")));
        }
        if let Some(id) = column.strip_prefix("took:") {
            if id.is_empty() {
                return Err(FieldError::new(column, "needs an id after 'took:'"));
            }
            return Ok(Item::Took(id));
        }
        if column.starts_with("x:") {
            return Ok(Item::Extra(column));
        }
        Err(FieldError::new(
            column,
            format!(
                "unknown column (accepted: {}, took:ID, or x:anything)",
                columns::names().collect::<Vec<_>>().join(", ")
            ),
        ))
    }
}

fn check_extra(name: &str, text: &str) -> Result<(), FieldError> {
    match limits::text_problem(text, limits::PHRASE_MAX_CHARS) {
        Some(problem) => Err(FieldError::new(name, problem)),
        None => Ok(()),
    }
}

/// A lab result as stored: what was entered and its value in the test's canonical unit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct LabRecord {
    pub test: String,
    pub value: f64,
    pub unit: String,
    pub canonical_value: f64,
    pub canonical_unit: String,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub date: Date,
    /// Where it came from: "manual", "import", "fhir"...
    pub source: String,
    /// Set when the lab reported only a bound ("< 5 ng/mL"): `value` is the bound.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comparator: Option<Comparator>,
}

/// A result reported as a bound rather than a number, as FHIR's `Quantity.comparator` and lab
/// reports write it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Comparator {
    #[serde(rename = "<")]
    Below,
    #[serde(rename = "<=")]
    AtMost,
    #[serde(rename = ">=")]
    AtLeast,
    #[serde(rename = ">")]
    Above,
}

impl Comparator {
    pub fn as_str(self) -> &'static str {
        match self {
            Comparator::Below => "<",
            Comparator::AtMost => "<=",
            Comparator::AtLeast => ">=",
            Comparator::Above => ">",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        [
            Comparator::Below,
            Comparator::AtMost,
            Comparator::AtLeast,
            Comparator::Above,
        ]
        .into_iter()
        .find(|c| c.as_str() == text.trim())
    }

    /// Splits "<5", "< 5", ">=1000" into the bound and its number text.
    pub fn split(text: &str) -> (Option<Self>, &str) {
        let t = text.trim();
        for c in [
            Comparator::AtMost,
            Comparator::AtLeast,
            Comparator::Below,
            Comparator::Above,
        ] {
            if let Some(rest) = t.strip_prefix(c.as_str()) {
                return (Some(c), rest.trim());
            }
        }
        (None, t)
    }
}

/// A value as people read it: "< 5" for a bound, "42" otherwise.
pub fn bounded(comparator: Option<Comparator>, value: &str) -> String {
    match comparator {
        Some(c) => format!("{} {value}", c.as_str()),
        None => value.to_string(),
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ExperimentStatus {
    Planned,
    Running,
    Finished,
    Abandoned,
}

impl ExperimentStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            ExperimentStatus::Planned => "planned",
            ExperimentStatus::Running => "running",
            ExperimentStatus::Finished => "finished",
            ExperimentStatus::Abandoned => "abandoned",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "planned" => Some(Self::Planned),
            "running" => Some(Self::Running),
            "finished" => Some(Self::Finished),
            "abandoned" => Some(Self::Abandoned),
            _ => None,
        }
    }
}

/// One change being tried: which remedy, from when, until when.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Experiment {
    pub remedy: String,
    pub start: Date,
    pub planned_end: Option<Date>,
    pub status: ExperimentStatus,
    /// Present when the change is switched on and off by a randomised schedule.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schedule: Option<OnOffSchedule>,
}

/// A randomised on/off schedule: `pairs` pairs of `period_nights`-night periods, each pair "on
/// then off" or "off then on" by a coin drawn from `seed` (kept so the draw can be audited).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OnOffSchedule {
    /// At most 2^53 - 1, so it survives JSON and a signed 64-bit column exactly.
    pub seed: u64,
    pub pairs: u32,
    pub period_nights: u32,
}

/// Sleep measured by a wearable for one night, summed over stages. "In bed" is never asleep.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SleepRecord {
    pub night: Option<Date>,
    pub source: String,
    pub asleep_minutes: f64,
    pub in_bed_minutes: f64,
    pub awake_minutes: f64,
    pub deep_minutes: f64,
    pub rem_minutes: f64,
    pub core_minutes: f64,
    /// Minutes the tracker measured as restless (Fitbit's "restless" level): an objective
    /// proxy for restless legs, when the device gives one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub restless_minutes: Option<f64>,
    /// How many restless spells the tracker counted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub restless_count: Option<u32>,
}

impl SleepRecord {
    /// Of two sources' records for one night, the one kept: the most sleep, ties to the
    /// alphabetically first source. Adding them up would count the same hours twice; the
    /// reader of a file and the import against what is stored apply the same rule.
    pub fn preferred<'a>(a: &'a SleepRecord, b: &'a SleepRecord) -> &'a SleepRecord {
        if b.outranks(a) { b } else { a }
    }

    /// Whether this record is kept over `other` for the same night.
    pub fn outranks(&self, other: &SleepRecord) -> bool {
        self.asleep_minutes > other.asleep_minutes
            || (self.asleep_minutes == other.asleep_minutes && self.source < other.source)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_column_round_trips_through_its_text() {
        let mut e = NightEntry::default();
        let cells = [
            ("night", "2026-11-02"),
            ("severity", "7"),
            ("onset", "21:15"),
            ("sleep_hours", "6.5"),
            ("awakenings", "3"),
            ("caffeine_mg", "150"),
            ("last_caffeine", "14:00"),
            ("alcohol_drinks", "2"),
            ("exercise_minutes", "30"),
            ("exercise_intensity", "vigorous"),
            ("exercise_end", "19:30"),
            ("sugar_late", "1"),
            ("antihistamine", "0"),
            ("took:magnesium", "1"),
            ("notes", "long drive"),
            ("beyond_legs", "1"),
            ("x:mood", "low"),
        ];
        for (c, v) in cells {
            e.set_field(c, v).expect(c);
        }
        for (c, v) in cells {
            assert_eq!(e.field(c), v, "{c}");
        }
    }

    #[test]
    fn empty_cells_are_not_recorded_but_night_and_severity_are_required() {
        let mut e = NightEntry::default();
        e.set_field("caffeine_mg", "").expect("empty is fine");
        assert_eq!(e.caffeine_mg, None);
        assert!(e.set_field("severity", "").is_err());
        assert!(e.set_field("night", " ").is_err());
    }

    #[test]
    fn bad_cells_name_their_column() {
        let mut e = NightEntry::default();
        for (c, v) in [
            ("severity", "11"),
            ("severity", "7.5"),
            ("onset", "9pm"),
            ("sugar_late", "yes"),
            ("exercise_intensity", "extreme"),
            ("caffeine_mg", "-5"),
            ("colour", "blue"),
        ] {
            let err = e.set_field(c, v).expect_err(c);
            assert_eq!(err.field, c);
        }
    }
}

/// One saved version of the profile.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProfileVersion {
    pub version: i64,
    /// RFC 3339 timestamp of when this version was saved.
    pub created_at: String,
    pub profile: crate::profile::Profile,
}

/// Everything one person has stored: the JSON export, and what a JSON import reads.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Bundle {
    /// Always "quietlegs-export".
    pub format: String,
    /// The export format's version (1).
    pub version: u32,
    pub profile_versions: Vec<ProfileVersion>,
    pub labs: Vec<LabRecord>,
    pub nights: Vec<NightEntry>,
    pub experiments: Vec<Experiment>,
    pub sleep: Vec<SleepRecord>,
    /// One record per day; absent from exports written before activity was imported, and
    /// left out when empty so those files stay byte for byte what they were.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub activity: Vec<DayActivity>,
}

impl Bundle {
    pub const FORMAT: &'static str = "quietlegs-export";
    pub const VERSION: u32 = 1;

    /// An empty bundle marked with this format and version, to fill with `..Bundle::new()`.
    pub fn new() -> Self {
        Self {
            format: Self::FORMAT.into(),
            version: Self::VERSION,
            ..Self::default()
        }
    }
}

impl LabRecord {
    /// This result as a profile lab entry (in its canonical unit), so stored results count in
    /// the plan exactly like results written into the profile.
    pub fn as_input(&self) -> crate::profile::LabInput {
        crate::profile::LabInput {
            test: self.test.clone(),
            value: self.canonical_value,
            unit: self.canonical_unit.clone(),
            date: Some(self.date),
            comparator: self.comparator,
        }
    }
}
