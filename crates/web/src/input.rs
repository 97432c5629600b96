//! Input checks the pages and the JSON API share: dates, nights, lab results and format names,
//! each error naming its field.

use jiff::civil::Date;
use quietlegs_core::journal::{LabRecord, NightEntry};
use quietlegs_core::profile::LabInput;
use quietlegs_io::formats::Format;

use crate::AppState;
use crate::error::{ApiError, ApiResult};

/// A row id from an address or a form field; the error names `field` and what it is the id of.
pub fn id_param(field: &str, text: &str, what: &str) -> ApiResult<i64> {
    text.parse()
        .map_err(|_| ApiError::field(field, format!("'{text}' is not a {what} id")))
}

pub fn date_param(field: &str, text: &str) -> ApiResult<Date> {
    quietlegs_core::limits::parse_date(text).map_err(|m| ApiError::field(field, m))
}

/// A night as checked for the journal: the CSV rules, and not later than tomorrow.
pub fn check_night(entry: &NightEntry, today: Date) -> ApiResult<()> {
    entry
        .check(today)
        .map_err(|e| ApiError::field(e.field, e.message))
}

/// Checks a lab result and converts it to the test's canonical unit.
pub fn check_lab(
    app: &AppState,
    test: &str,
    value: f64,
    unit: &str,
    date: Date,
    today: Date,
) -> ApiResult<LabRecord> {
    let input = LabInput {
        test: test.to_string(),
        value,
        unit: unit.to_string(),
        date: Some(date),
        comparator: None,
    };
    let checked = quietlegs_core::profile::check_lab(app.kb(), &input, today, "")
        .map_err(|e| ApiError::field(e.field, e.message))?;
    Ok(LabRecord {
        test: checked.test,
        value,
        unit: unit.to_string(),
        canonical_value: checked.value,
        canonical_unit: checked.unit,
        date,
        source: "manual".into(),
        comparator: None,
    })
}

/// `?format=` or a form's format field: any format of io's registry (JSON when not given).
pub fn transfer_format(text: Option<&str>) -> ApiResult<Format> {
    let name = text.unwrap_or("json");
    Format::parse(name).ok_or_else(|| {
        ApiError::field(
            "format",
            format!(
                "'{name}' is not a format (accepted: {})",
                Format::names(Format::ALL)
            ),
        )
    })
}
