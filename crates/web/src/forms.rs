//! Submitted forms: their name/value pairs, and a check-in form read into a night. The checks
//! shared with the JSON API are in [`crate::input`].

use jiff::civil::Date;
use quietlegs_core::journal::NightEntry;

use crate::error::{ApiError, ApiResult};

/// A submitted form as name/value pairs, in order.
pub struct FormData(pub Vec<(String, String)>);

impl FormData {
    pub fn parse(bytes: &[u8]) -> ApiResult<Self> {
        serde_urlencoded::from_bytes(bytes)
            .map(FormData)
            .map_err(|e| ApiError::bad_request(format!("the form could not be read: {e}")))
    }

    /// The first non-empty value of `name`, trimmed.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.trim())
            .find(|v| !v.is_empty())
    }

    pub fn all(&self, name: &str) -> impl Iterator<Item = &str> {
        self.0
            .iter()
            .filter(move |(k, _)| k == name)
            .map(|(_, v)| v.trim())
            .filter(|v| !v.is_empty())
    }

    pub fn has(&self, name: &str) -> bool {
        self.0.iter().any(|(k, _)| k == name)
    }
}

/// A check-in form: the journal's columns by name, `took:ID` checkboxes for each item offered
/// in `offered` (an offered item left unticked was not taken).
/// The `id` field of a form that names one of the person's rows (to revoke or delete it).
pub fn form_id(bytes: &[u8], what: &str) -> ApiResult<i64> {
    let form = FormData::parse(bytes)?;
    crate::input::id_param("id", form.get("id").unwrap_or(""), what)
}

pub fn night_from_form(form: &FormData, base: NightEntry, today: Date) -> ApiResult<NightEntry> {
    let base_is_new = base.night.is_none();
    let mut entry = base;
    let night = form
        .get("night")
        .ok_or_else(|| ApiError::field("night", "is required"))?;
    entry.night = Some(crate::input::date_param("night", night)?);
    // A new night needs a rating the person chose: a missing one must never become 0 ("fine").
    if base_is_new && form.get("severity").is_none_or(str::is_empty) {
        return Err(ApiError::field(
            "severity",
            "choose how bad your legs were, from 0 (fine) to 10 (worst)",
        ));
    }
    for column in quietlegs_core::journal::columns::names() {
        if column == "night" || !form.has(column) {
            continue;
        }
        let value = form.get(column).unwrap_or("");
        if value.is_empty() {
            if column == "severity" {
                return Err(ApiError::field(
                    "severity",
                    "choose how bad your legs were, from 0 (fine) to 10 (worst)",
                ));
            }
            entry
                .clear_field(column)
                .map_err(|e| ApiError::field(e.field, e.message))?;
            continue;
        }
        entry
            .set_field(column, value)
            .map_err(|e| ApiError::field(e.field, e.message))?;
    }
    for id in form.all("offered") {
        let ticked = form.get(&format!("took:{id}")).is_some();
        entry
            .set_field(&format!("took:{id}"), if ticked { "1" } else { "0" })
            .map_err(|e| ApiError::field(e.field, e.message))?;
    }
    crate::input::check_night(&entry, today)?;
    Ok(entry)
}
