//! Turning submitted forms and bodies into domain values (every error names its field), and the
//! file answers shared by pages and API: exports, imports, the calendar.

use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use jiff::civil::Date;
use quietlegs_core::journal::{Bundle, LabRecord, NightEntry};
use quietlegs_core::profile::LabInput;
use quietlegs_io::formats::{self, Format};
use quietlegs_store::{OnConflict, PersonId, StoreError};

use crate::AppState;
use crate::api::ImportSummary;
use crate::auth::SignedIn;
use crate::error::{ApiError, ApiResult};
use crate::service;

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

/// A night as checked for the journal: the CSV rules, and not later than tomorrow.
pub fn check_night(entry: &NightEntry, today: Date) -> ApiResult<()> {
    entry
        .check(today)
        .map_err(|e| ApiError::field(e.field, e.message))
}

/// A check-in form: the journal's columns by name, `took:ID` checkboxes for each item offered
/// in `offered` (an offered item left unticked was not taken).
pub fn night_from_form(form: &FormData, base: NightEntry, today: Date) -> ApiResult<NightEntry> {
    let base_is_new = base.night.is_none();
    let mut entry = base;
    let night = form
        .get("night")
        .ok_or_else(|| ApiError::field("night", "is required"))?;
    entry.night = Some(crate::api::date_param("night", night)?);
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
    check_night(&entry, today)?;
    Ok(entry)
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

/// A download: the bytes with their content type and `Content-Disposition`.
pub fn attachment(content_type: &'static str, filename: &'static str, bytes: Vec<u8>) -> Response {
    (
        [
            (header::CONTENT_TYPE, HeaderValue::from_static(content_type)),
            (
                header::CONTENT_DISPOSITION,
                HeaderValue::from_static(filename),
            ),
        ],
        bytes,
    )
        .into_response()
}

pub fn export_response(app: &AppState, bundle: &Bundle, format: Format) -> ApiResult<Response> {
    if !format.exports() {
        return Err(ApiError::field(
            "format",
            format!("{} is import only", format.name()),
        ));
    }
    let mut bytes = Vec::new();
    formats::write(format, bundle, app.kb(), &Default::default(), &mut bytes).map_err(|err| {
        tracing::error!(%err, format = format.name(), "writing an export failed");
        ApiError::internal()
    })?;
    let disposition = format!("attachment; filename=\"{}\"", format.file_name());
    Ok((
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static(format.content_type()),
            ),
            (
                header::CONTENT_DISPOSITION,
                HeaderValue::from_str(&disposition).map_err(|_| ApiError::internal())?,
            ),
        ],
        bytes,
    )
        .into_response())
}

/// Reads a whole file, then imports it in one transaction: all of it or nothing.
pub async fn import(
    app: &AppState,
    person: PersonId,
    bytes: &[u8],
    format: Format,
    name: &str,
    overwrite: bool,
) -> ApiResult<ImportSummary> {
    let bad = |e: quietlegs_io::ImportError| {
        let mut err = ApiError::bad_request(e.to_string());
        err.status = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
        err.code = "invalid";
        err.field = e.column.clone();
        err
    };
    let today = service::today_of(app, person).await?;
    let read = formats::read(
        format,
        bytes,
        name,
        formats::ReadContext {
            kb: app.kb(),
            today,
            progress: &mut |_| {},
        },
    )
    .map_err(bad)?;
    let (bundle, skipped) = (read.bundle, read.skipped);
    let on_conflict = if overwrite {
        OnConflict::Overwrite
    } else {
        OnConflict::Refuse
    };
    match app.store().import(person, &bundle, on_conflict).await {
        Ok(r) => Ok(ImportSummary {
            added: r.added,
            updated: r.updated,
            unchanged: r.unchanged,
            skipped,
        }),
        Err(StoreError::Conflict(message)) => Err(ApiError::new(
            axum::http::StatusCode::CONFLICT,
            "conflict",
            format!("{name}: {message}; nothing was imported"),
        )),
        Err(StoreError::Invalid(message)) => Err(ApiError::field(
            "file",
            format!("{name}: {message}; nothing was imported"),
        )),
        Err(e) => Err(e.into()),
    }
}

pub async fn calendar_response(app: &AppState, me: &SignedIn) -> ApiResult<Response> {
    let derived = service::derived_for(app, me).await?;
    let (profile, Some(plan)) = (&derived.profile, &derived.plan) else {
        return Err(ApiError::new(
            axum::http::StatusCode::NOT_FOUND,
            "no-profile",
            "there is no plan yet: do the assessment first",
        ));
    };
    let tz = profile.as_ref().and_then(|p| p.profile.timezone.as_deref());
    Ok(attachment(
        "text/calendar; charset=utf-8",
        "attachment; filename=\"quietlegs-plan.ics\"",
        quietlegs_io::ics::plan_calendar(plan, tz).into_bytes(),
    ))
}
