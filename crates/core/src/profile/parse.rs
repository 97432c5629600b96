use std::fmt;

use super::Profile;

/// How a profile file is written; chosen from the file extension at the edge.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProfileFormat {
    Toml,
    Json,
}

impl ProfileFormat {
    /// The format a file name implies: `.json` is JSON, anything else TOML.
    pub fn from_path(path: &str) -> Self {
        if path.to_ascii_lowercase().ends_with(".json") {
            Self::Json
        } else {
            Self::Toml
        }
    }
}

/// A mistake in a profile: where it is and what would be accepted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct ProfileError {
    pub line: Option<usize>,
    /// The field's path, e.g. `labs[0].unit` or `symptoms.onset`.
    pub field: String,
    pub message: String,
}

impl fmt::Display for ProfileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.line, self.field.is_empty()) {
            (Some(line), false) => {
                write!(f, "line {line}, field '{}': {}", self.field, self.message)
            }
            (Some(line), true) => write!(f, "line {line}: {}", self.message),
            (None, false) => write!(f, "field '{}': {}", self.field, self.message),
            (None, true) => f.write_str(&self.message),
        }
    }
}

impl ProfileError {
    pub fn field(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            line: None,
            field: field.into(),
            message: message.into(),
        }
    }
}

fn line_of(text: &str, offset: usize) -> usize {
    text[..offset.min(text.len())].matches('\n').count() + 1
}

/// serde_path_to_error writes sequence indices as `labs[0]`; keep the path exactly that way.
fn path_string(path: &serde_path_to_error::Path) -> String {
    let p = path.to_string();
    if p == "." { String::new() } else { p }
}

/// The first line of a parser message, without the parser's own location prefix.
fn tidy(message: &str) -> String {
    let first = message.trim().lines().last().unwrap_or("").trim();
    first.to_string()
}

impl Profile {
    /// Parses a profile written as TOML or JSON. Only the shape is checked here; values that
    /// need the knowledge base (lab units, test names) are checked by [`super::Resolved::new`].
    pub fn parse(text: &str, format: ProfileFormat) -> Result<Profile, ProfileError> {
        let mut profile = Self::parse_as_written(text, format)?;
        let s = &mut profile.symptoms;
        profile.conditions.append(&mut s.nested_conditions);
        profile.medications.append(&mut s.nested_medications);
        profile.supplements.append(&mut s.nested_supplements);
        Ok(profile)
    }

    fn parse_as_written(text: &str, format: ProfileFormat) -> Result<Profile, ProfileError> {
        match format {
            ProfileFormat::Toml => {
                let de = toml::Deserializer::parse(text).map_err(|e| ProfileError {
                    line: e.span().map(|s| line_of(text, s.start)),
                    field: String::new(),
                    message: tidy(e.message()),
                })?;
                serde_path_to_error::deserialize(de).map_err(|e| {
                    let field = path_string(e.path());
                    let inner = e.inner();
                    ProfileError {
                        line: inner.span().map(|s| line_of(text, s.start)),
                        field,
                        message: tidy(inner.message()),
                    }
                })
            }
            ProfileFormat::Json => {
                let mut de = serde_json::Deserializer::from_str(text);
                let profile: Profile = serde_path_to_error::deserialize(&mut de).map_err(|e| {
                    let field = path_string(e.path());
                    let inner = e.inner();
                    let message = inner.to_string();
                    // serde_json appends " at line L column C"; the line is reported apart.
                    let message = message
                        .rsplit_once(" at line ")
                        .map_or(message.as_str(), |(m, _)| m)
                        .to_string();
                    ProfileError {
                        line: Some(inner.line()),
                        field,
                        message,
                    }
                })?;
                de.end().map_err(|e| ProfileError {
                    line: Some(e.line()),
                    field: String::new(),
                    message: "unexpected text after the profile".into(),
                })?;
                Ok(profile)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SPEC_EXAMPLE: &str = r#"
age = 52
sex = "female"
pregnant = false
bedtime = "22:30"
timezone = "Europe/Berlin"

[symptoms]
urge_to_move = true
worse_at_rest = true
relieved_by_movement = true
evening_or_night = true
not_explained_by_other = true
nights_per_week = 5
onset = "evening"
distress = "moderate"
sensations = ["crawling", "tingling"]
painful_hard_muscle_knot = false
eased_by_stretching_only = false
eased_by_position_change_only = false
numbness = false
burning_constant = false
pain_when_walking_eased_by_rest = false
one_leg_swollen_red_hot = false
new_weakness_or_bladder_change = false
rapidly_worsening = false
started_after_new_medicine = false

conditions = ["ckd"]
medications = ["Zoloft", "levothyroxine"]
supplements = ["magnesium oxide"]

[[labs]]
test = "ferritin"
value = 42
unit = "ng/mL"
date = "2026-10-01"

[habits]
caffeine_mg_per_day = 300
last_caffeine = "15:00"
alcohol_drinks_per_week = 7
exercise_minutes_per_week = 60
late_vigorous_exercise = true
smoker = false
"#;

    #[test]
    fn the_spec_example_parses() {
        let p = Profile::parse(SPEC_EXAMPLE, ProfileFormat::Toml).expect("parses");
        assert_eq!(p.age, Some(52));
        assert_eq!(p.bedtime.map(|b| b.to_string()), Some("22:30".into()));
        assert_eq!(p.labs[0].value, 42.0);
        assert_eq!(p.medications, ["Zoloft", "levothyroxine"]);
        assert_eq!(
            p.conditions,
            ["ckd"],
            "keys written after [symptoms] count as top level"
        );
        assert_eq!(p.habits.last_caffeine.map(|t| t.hour()), Some(15));
    }

    #[test]
    fn json_and_toml_mean_the_same() {
        let p = Profile::parse(SPEC_EXAMPLE, ProfileFormat::Toml).expect("parses");
        let json = serde_json::to_string(&p).expect("serialises");
        let back = Profile::parse(&json, ProfileFormat::Json).expect("parses");
        assert_eq!(p, back);
    }

    #[test]
    fn a_bad_time_names_the_field_and_line() {
        let text = "bedtime = \"25:61\"\n[symptoms]\n";
        let err = Profile::parse(text, ProfileFormat::Toml).expect_err("refused");
        assert_eq!(err.field, "bedtime");
        assert_eq!(err.line, Some(1));
        assert!(err.message.contains("HH:MM"), "{err}");

        let text = "{\"symptoms\": {},\n \"habits\": {\"last_caffeine\": \"3pm\"}}";
        let err = Profile::parse(text, ProfileFormat::Json).expect_err("refused");
        assert_eq!(err.field, "habits.last_caffeine");
        assert_eq!(err.line, Some(2));
    }

    #[test]
    fn unknown_fields_and_values_are_named() {
        let err = Profile::parse("[symptoms]\nonset = \"midnight\"\n", ProfileFormat::Toml)
            .expect_err("refused");
        assert_eq!(err.field, "symptoms.onset");
        assert!(
            err.message.contains("afternoon"),
            "lists accepted values: {err}"
        );

        let err =
            Profile::parse("[symptoms]\nurge = true\n", ProfileFormat::Toml).expect_err("refused");
        assert_eq!(err.field, "symptoms.urge");
        assert_eq!(err.line, Some(2));
    }

    #[test]
    fn symptoms_are_required_and_everything_else_optional() {
        let err = Profile::parse("age = 40\n", ProfileFormat::Toml).expect_err("refused");
        assert!(err.message.contains("symptoms"), "{err}");
        let p = Profile::parse("[symptoms]\n", ProfileFormat::Toml).expect("parses");
        assert_eq!(p.symptoms.urge_to_move, None, "missing is unknown, not no");
    }
}
