//! A night as a row of the `nights` table: the column list, the upsert, binding and reading
//! back, all derived from the journal's column table ([`COLUMNS`]), so a new journal column
//! needs only its migration here.

use std::collections::BTreeMap;
use std::sync::LazyLock;

use jiff::civil::Date;
use quietlegs_core::journal::columns::{Column, Kind, Value};
use quietlegs_core::journal::{COLUMNS, Intensity, NightEntry};
use quietlegs_core::profile::ClockTime;
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::{PersonId, StoreError};

/// Raises the person's data version (see [`crate::Store::data_version`]).
pub(crate) const BUMP: &str = "UPDATE people SET data_version = data_version + 1 WHERE id = $1";

/// The row's columns beyond the journal's own, before and after them.
const KEY: &str = "person_id";
const TRAILING: [&str; 3] = ["updated_at", "took", "extra"];

/// Every column of a night's row, in binding order.
pub(crate) static NIGHT_COLUMNS: LazyLock<String> = LazyLock::new(|| {
    std::iter::once(KEY)
        .chain(COLUMNS.iter().map(|c| c.name))
        .chain(TRAILING)
        .collect::<Vec<_>>()
        .join(", ")
});

/// Parameters a night binds.
pub(crate) fn parameters() -> usize {
    1 + COLUMNS.len() + TRAILING.len()
}

/// One night's row, inserted or replaced in place; parameters as [`bind_night`] binds them.
pub(crate) static UPSERT_NIGHT: LazyLock<String> = LazyLock::new(|| upsert(Decimals::Numbers));

/// The PostgreSQL check-in in one statement: the upsert with its decimals sent as text and
/// cast back ([`Decimals::Text`]), and the data version raised.
pub(crate) static UPSERT_NIGHT_POSTGRES: LazyLock<String> = LazyLock::new(|| {
    format!(
        "WITH night AS ({}), version AS ({BUMP}) SELECT 1",
        upsert(Decimals::Text)
    )
});

fn upsert(decimals: Decimals) -> String {
    let placeholders: Vec<String> = (1..=parameters())
        .map(|i| {
            let decimal = i >= 2
                && COLUMNS
                    .get(i - 2)
                    .is_some_and(|c| matches!(c.kind, Kind::Number { .. }));
            if decimal && decimals == Decimals::Text {
                format!("${i}::float8")
            } else {
                format!("${i}")
            }
        })
        .collect();
    let updates: Vec<String> = COLUMNS
        .iter()
        .map(|c| c.name)
        .filter(|name| *name != "night")
        .chain(TRAILING)
        .map(|name| format!("{name} = excluded.{name}"))
        .collect();
    format!(
        "INSERT INTO nights ({}) VALUES ({}) ON CONFLICT (person_id, night) DO UPDATE SET {}",
        NIGHT_COLUMNS.as_str(),
        placeholders.join(", "),
        updates.join(", ")
    )
}

/// "$1, $2, ..." groups for a multi-row VALUES clause.
pub(crate) fn values_clause(rows: usize, columns: usize) -> String {
    (0..rows)
        .map(|r| {
            let cells: Vec<String> = (1..=columns)
                .map(|c| format!("${}", r * columns + c))
                .collect();
            format!("({})", cells.join(", "))
        })
        .collect::<Vec<_>>()
        .join(", ")
}

pub(crate) type AnyQuery<'q> = sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>>;

/// How a night's decimal columns travel to the database.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Decimals {
    /// As numbers.
    Numbers,
    /// As text, cast back to `float8` by the statement ([`UPSERT_NIGHT_POSTGRES`]). sqlx 0.8's
    /// `Any` driver sends a missing f64 as a `float4` NULL, and PostgreSQL fixes a prepared
    /// statement's parameter types at its first use, so a statement that saw a NULL first
    /// would refuse a number later. As text, every execution has the same types, the
    /// statement can stay prepared, and PostgreSQL stops parsing and planning it per check-in
    /// (pgbench: 2,913 -> 4,277 check-ins/s). Rust prints the shortest text that reads back as
    /// the same f64, and PostgreSQL reads it exactly.
    Text,
}

/// Binds one journal column: dates, times, intensities and text as text; scores, counts and
/// flags as integers (booleans are 0/1 in both schemas); decimals as [`Decimals`] says.
fn bind_column<'q>(
    q: AnyQuery<'q>,
    column: &Column,
    value: Option<Value>,
    decimals: Decimals,
) -> AnyQuery<'q> {
    match column.kind {
        Kind::Number { .. } => {
            let number = match value {
                Some(Value::Number(v)) => Some(v),
                _ => None,
            };
            match decimals {
                Decimals::Numbers => q.bind(number),
                Decimals::Text => q.bind(number.map(|v| v.to_string())),
            }
        }
        Kind::Severity | Kind::Count { .. } | Kind::Flag => q.bind(value.and_then(|v| match v {
            Value::Severity(s) => Some(i64::from(s)),
            Value::Count(c) => Some(i64::from(c)),
            Value::Flag(b) => Some(i64::from(b)),
            _ => None,
        })),
        Kind::Date | Kind::Clock | Kind::Intensity | Kind::Text { .. } => {
            q.bind(value.map(|v| v.text()))
        }
    }
}

/// Binds a night's columns in [`NIGHT_COLUMNS`] order.
pub(crate) fn bind_night<'q>(
    q: AnyQuery<'q>,
    person: PersonId,
    e: &NightEntry,
    stamp: String,
    decimals: Decimals,
) -> Result<AnyQuery<'q>, StoreError> {
    night_of(e)?;
    let mut q = q.bind(person.0);
    for column in COLUMNS {
        q = bind_column(q, column, column.get(e), decimals);
    }
    Ok(q.bind(stamp)
        .bind(items_json(&e.took)?)
        .bind(items_json(&e.extra)?))
}

fn night_of(entry: &NightEntry) -> Result<Date, StoreError> {
    entry
        .night
        .ok_or_else(|| StoreError::Invalid("a night entry needs its date".into()))
}

pub(crate) fn invalid(what: &str, value: &str) -> StoreError {
    StoreError::Invalid(format!("stored {what} '{value}' cannot be read"))
}

pub(crate) fn date(text: &str) -> Result<Date, StoreError> {
    text.parse().map_err(|_| invalid("date", text))
}

pub(crate) fn clock(text: Option<String>) -> Result<Option<ClockTime>, StoreError> {
    text.map(|t| t.parse().map_err(|_| invalid("time", &t)))
        .transpose()
}

/// One journal column's value as stored in `row`.
fn read_column(row: &AnyRow, column: &Column) -> Result<Option<Value>, StoreError> {
    let name = column.name;
    let value = match column.kind {
        Kind::Date => row
            .try_get::<Option<String>, _>(name)?
            .map(|t| date(&t).map(Value::Date))
            .transpose()?,
        Kind::Severity => row
            .try_get::<Option<i64>, _>(name)?
            .map(|s| {
                u8::try_from(s)
                    .map(Value::Severity)
                    .map_err(|_| invalid(name, &s.to_string()))
            })
            .transpose()?,
        Kind::Clock => clock(row.try_get(name)?)?.map(Value::Clock),
        Kind::Number { .. } => row.try_get::<Option<f64>, _>(name)?.map(Value::Number),
        Kind::Count { .. } => row
            .try_get::<Option<i64>, _>(name)?
            .and_then(|c| u32::try_from(c).ok())
            .map(Value::Count),
        Kind::Intensity => row
            .try_get::<Option<String>, _>(name)?
            .map(|i| {
                Intensity::parse(&i)
                    .map(Value::Intensity)
                    .ok_or_else(|| invalid("intensity", &i))
            })
            .transpose()?,
        Kind::Flag => row
            .try_get::<Option<i64>, _>(name)?
            .map(|v| Value::Flag(v != 0)),
        Kind::Text { .. } => row.try_get::<Option<String>, _>(name)?.map(Value::Text),
    };
    if value.is_none() && column.required() {
        return Err(invalid(name, "NULL"));
    }
    Ok(value)
}

/// A night read back from a row selected with [`NIGHT_COLUMNS`].
pub(crate) fn night_from_row(row: &AnyRow) -> Result<NightEntry, StoreError> {
    let mut entry = NightEntry::default();
    for column in COLUMNS {
        let value = read_column(row, column)?;
        column.set(&mut entry, value);
    }
    entry.took = items_from_json("took items", row.try_get("took")?)?;
    entry.extra = items_from_json("extra items", row.try_get("extra")?)?;
    Ok(entry)
}

/// A night's items as stored: a JSON object, or NULL when there are none.
fn items_json<V: serde::Serialize>(
    items: &BTreeMap<String, V>,
) -> Result<Option<String>, StoreError> {
    if items.is_empty() {
        return Ok(None);
    }
    serde_json::to_string(items)
        .map(Some)
        .map_err(|e| StoreError::Invalid(format!("a night's items cannot be saved: {e}")))
}

fn items_from_json<V: serde::de::DeserializeOwned>(
    what: &str,
    text: Option<String>,
) -> Result<BTreeMap<String, V>, StoreError> {
    match text {
        None => Ok(BTreeMap::new()),
        Some(text) => serde_json::from_str(&text).map_err(|_| invalid(what, &text)),
    }
}

#[cfg(test)]
mod tests {
    use super::{UPSERT_NIGHT, UPSERT_NIGHT_POSTGRES, parameters, values_clause};

    #[test]
    fn the_postgres_check_in_casts_every_decimal_back() {
        for p in ["$5::float8", "$7::float8", "$9::float8", "$10::float8"] {
            assert!(UPSERT_NIGHT_POSTGRES.contains(p), "{p} missing");
        }
        assert!(!UPSERT_NIGHT_POSTGRES.contains("$4::float8"));
        assert!(!UPSERT_NIGHT.contains("::float8"));
        assert!(UPSERT_NIGHT_POSTGRES.contains("data_version + 1"));
    }

    #[test]
    fn the_upsert_binds_every_column_once() {
        let last = format!("${}", parameters());
        assert!(UPSERT_NIGHT.contains(&format!("{last})")));
        assert!(!UPSERT_NIGHT.contains(&format!("${}", parameters() + 1)));
        assert!(UPSERT_NIGHT.contains("notes = excluded.notes"));
        assert!(!UPSERT_NIGHT.contains("night = excluded.night"));
    }

    #[test]
    fn values_clause_numbers_placeholders_across_rows() {
        assert_eq!(values_clause(2, 3), "($1, $2, $3), ($4, $5, $6)");
    }
}
