//! The journal's fixed columns in one table: each column's name, what it holds, and where it
//! lives in a [`NightEntry`]. The CSV reader and writer, validation, clearing a field, the FHIR
//! questionnaire, the store's binding and row mapping, and the migrations check all derive
//! from [`COLUMNS`]; a new column is a field on `NightEntry`, a row here, a migration and its
//! place on the check-in form.

use jiff::civil::Date;

use super::{FieldError, Intensity, NightEntry};
use crate::limits;
use crate::profile::ClockTime;

/// What a column holds, with its limits.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Kind {
    /// The night's date, `YYYY-MM-DD` (required).
    Date,
    /// 0-10 (required).
    Severity,
    /// A local time, `HH:MM`.
    Clock,
    /// A decimal from 0 to `max`.
    Number { max: f64 },
    /// A whole number from 0 to `max`.
    Count { max: u32 },
    /// light, moderate or vigorous.
    Intensity,
    /// 0 or 1.
    Flag,
    /// Free text of at most `max` characters.
    Text { max: usize },
}

/// One column's value in a night.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Date(Date),
    Severity(u8),
    Clock(ClockTime),
    Number(f64),
    Count(u32),
    Intensity(Intensity),
    Flag(bool),
    Text(String),
}

/// One fixed column of the journal.
pub struct Column {
    pub name: &'static str,
    pub kind: Kind,
    get: fn(&NightEntry) -> Option<Value>,
    set: fn(&mut NightEntry, Option<Value>),
}

/// A column kept in an `Option` field of [`NightEntry`] with a `Copy` value.
macro_rules! optional {
    ($field:ident, $kind:expr, $variant:ident) => {
        Column {
            name: stringify!($field),
            kind: $kind,
            get: |e| e.$field.map(Value::$variant),
            set: |e, v| {
                e.$field = match v {
                    Some(Value::$variant(x)) => Some(x),
                    _ => None,
                }
            },
        }
    };
}

/// The fixed columns, in the journal CSV's order (spec section 5). `took:ID` and `x:` columns
/// follow them.
pub static COLUMNS: &[Column] = &[
    optional!(night, Kind::Date, Date),
    Column {
        name: "severity",
        kind: Kind::Severity,
        get: |e| Some(Value::Severity(e.severity)),
        set: |e, v| {
            if let Some(Value::Severity(s)) = v {
                e.severity = s;
            }
        },
    },
    optional!(onset, Kind::Clock, Clock),
    optional!(sleep_hours, Kind::Number { max: 24.0 }, Number),
    optional!(awakenings, Kind::Count { max: 100 }, Count),
    optional!(caffeine_mg, Kind::Number { max: 5000.0 }, Number),
    optional!(last_caffeine, Kind::Clock, Clock),
    optional!(alcohol_drinks, Kind::Number { max: 100.0 }, Number),
    optional!(exercise_minutes, Kind::Number { max: 1440.0 }, Number),
    optional!(exercise_intensity, Kind::Intensity, Intensity),
    optional!(exercise_end, Kind::Clock, Clock),
    optional!(sugar_late, Kind::Flag, Flag),
    optional!(antihistamine, Kind::Flag, Flag),
    Column {
        name: "notes",
        kind: Kind::Text {
            max: limits::NOTE_MAX_CHARS,
        },
        get: |e| e.notes.clone().map(Value::Text),
        set: |e, v| {
            e.notes = match v {
                Some(Value::Text(t)) => Some(t),
                _ => None,
            }
        },
    },
    // After notes: added in round 3, so a reader that goes by position still finds the
    // older columns where they were.
    optional!(beyond_legs, Kind::Flag, Flag),
];

/// The fixed column called `name`.
pub fn column(name: &str) -> Option<&'static Column> {
    COLUMNS.iter().find(|c| c.name == name)
}

/// The fixed columns' names, in order.
pub fn names() -> impl Iterator<Item = &'static str> {
    COLUMNS.iter().map(|c| c.name)
}

impl Column {
    /// Night and severity: a night without them is not a night.
    pub fn required(&self) -> bool {
        matches!(self.kind, Kind::Date | Kind::Severity)
    }

    pub fn get(&self, entry: &NightEntry) -> Option<Value> {
        (self.get)(entry)
    }

    /// Sets the value, or with `None` clears it (a required column keeps its value).
    pub fn set(&self, entry: &mut NightEntry, value: Option<Value>) {
        (self.set)(entry, value);
    }

    /// Reads a non-empty cell's text.
    pub fn parse(&self, text: &str) -> Result<Value, FieldError> {
        let name = self.name;
        let err = |m: String| FieldError::new(name, m);
        let value =
            match self.kind {
                Kind::Date => Value::Date(limits::parse_date(text).map_err(err)?),
                Kind::Severity => Value::Severity(
                    text.parse()
                        .map_err(|_| err(format!("'{text}' is not a whole number from 0 to 10")))?,
                ),
                Kind::Clock => Value::Clock(text.parse().map_err(err)?),
                Kind::Number { .. } => Value::Number(
                    text.parse()
                        .map_err(|_| err(format!("'{text}' is not a number")))?,
                ),
                Kind::Count { max } => Value::Count(
                    text.parse()
                        .map_err(|_| err(format!("'{text}' is not a whole number 0-{max}")))?,
                ),
                Kind::Intensity => Value::Intensity(Intensity::parse(text).ok_or_else(|| {
                    err(format!("'{text}' is not one of light, moderate, vigorous"))
                })?),
                Kind::Flag => Value::Flag(flag(name, text)?),
                Kind::Text { .. } => Value::Text(text.to_string()),
            };
        self.check(&value)?;
        Ok(value)
    }

    /// Checks a value against the column's limits, however it arrived (a CSV cell, JSON, a
    /// form).
    pub fn check(&self, value: &Value) -> Result<(), FieldError> {
        let problem = match (self.kind, value) {
            (Kind::Date, Value::Date(d)) => limits::date_problem(*d),
            (Kind::Severity, Value::Severity(s)) => {
                (*s > 10).then(|| format!("'{s}' is not a whole number from 0 to 10"))
            }
            (Kind::Number { max }, Value::Number(v)) => (!v.is_finite() || *v < 0.0 || *v > max)
                .then(|| format!("{v} is out of range (0 to {max})")),
            (Kind::Count { max }, Value::Count(v)) => {
                (*v > max).then(|| format!("'{v}' is not a whole number 0-{max}"))
            }
            (Kind::Text { max }, Value::Text(t)) => limits::text_problem(t, max),
            (Kind::Clock, Value::Clock(_))
            | (Kind::Intensity, Value::Intensity(_))
            | (Kind::Flag, Value::Flag(_)) => None,
            _ => Some("holds a value of the wrong kind".into()),
        };
        match problem {
            Some(message) => Err(FieldError::new(self.name, message)),
            None => Ok(()),
        }
    }
}

/// A 0-or-1 cell.
pub fn flag(name: &str, text: &str) -> Result<bool, FieldError> {
    match text {
        "1" => Ok(true),
        "0" => Ok(false),
        _ => Err(FieldError::new(name, format!("'{text}' must be 0 or 1"))),
    }
}

impl Value {
    /// The value as a CSV cell holds it.
    pub fn text(&self) -> String {
        match self {
            Value::Date(d) => d.to_string(),
            Value::Severity(s) => s.to_string(),
            Value::Clock(t) => t.to_string(),
            Value::Number(v) => crate::knowledge::entry_number(*v),
            Value::Count(v) => v.to_string(),
            Value::Intensity(i) => i.as_str().to_string(),
            Value::Flag(b) => if *b { "1" } else { "0" }.to_string(),
            Value::Text(t) => t.clone(),
        }
    }
}
