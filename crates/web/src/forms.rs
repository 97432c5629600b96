//! Turning submitted forms and bodies into domain values (every error names its field), and the
//! file answers shared by pages and API: exports, imports, the calendar.

use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use jiff::civil::Date;
use quietlegs_core::journal::{Bundle, LabRecord, NightEntry};
use quietlegs_core::profile::LabInput;
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

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TransferFormat {
    Csv,
    Json,
    Fhir,
}

pub fn transfer_format(text: Option<&str>) -> ApiResult<TransferFormat> {
    match text.unwrap_or("json") {
        "csv" => Ok(TransferFormat::Csv),
        "json" => Ok(TransferFormat::Json),
        "fhir" => Ok(TransferFormat::Fhir),
        other => Err(ApiError::field(
            "format",
            format!("'{other}' is not a format (accepted: csv, json, fhir)"),
        )),
    }
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

pub fn export_response(
    app: &AppState,
    bundle: &Bundle,
    format: TransferFormat,
) -> ApiResult<Response> {
    Ok(match format {
        TransferFormat::Fhir => {
            let mut bytes = Vec::new();
            quietlegs_io::fhir::write_export(&mut bytes, bundle, app.kb(), &Default::default())
                .map_err(|err| {
                    tracing::error!(%err, "writing the FHIR export failed");
                    ApiError::internal()
                })?;
            attachment(
                "application/fhir+json",
                "attachment; filename=\"quietlegs-fhir.json\"",
                bytes,
            )
        }
        TransferFormat::Json => attachment(
            "application/json",
            "attachment; filename=\"quietlegs-export.json\"",
            quietlegs_io::bundle_json::write(bundle),
        ),
        TransferFormat::Csv => {
            let mut bytes = Vec::new();
            quietlegs_io::journal_csv::write(&bundle.nights, &mut bytes).map_err(|err| {
                tracing::error!(%err, "writing the CSV export failed");
                ApiError::internal()
            })?;
            attachment(
                "text/csv; charset=utf-8",
                "attachment; filename=\"quietlegs-journal.csv\"",
                bytes,
            )
        }
    })
}

/// Reads a whole file, then imports it in one transaction: all of it or nothing.
pub async fn import(
    app: &AppState,
    person: PersonId,
    bytes: &[u8],
    format: TransferFormat,
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
    let mut skipped = Vec::new();
    let bundle = match format {
        TransferFormat::Csv => Bundle {
            nights: quietlegs_io::journal_csv::read(bytes, name).map_err(bad)?,
            ..Bundle::new()
        },
        TransferFormat::Json | TransferFormat::Fhir => {
            let text = std::str::from_utf8(bytes)
                .map_err(|_| ApiError::field("file", format!("{name}: is not UTF-8 text")))?;
            if format == TransferFormat::Json {
                quietlegs_io::bundle_json::read(text, name).map_err(bad)?
            } else {
                let today = service::today_of(app, person).await?;
                let read = quietlegs_io::fhir::import(text, name, app.kb(), today).map_err(bad)?;
                skipped = read.skipped;
                read.bundle
            }
        }
    };
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
