//! Files in and out, for the pages and the API alike: exports and imports over io's format
//! registry, and the plan's calendar.

use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use quietlegs_core::journal::Bundle;
use quietlegs_io::formats::{self, Format};
use quietlegs_store::{OnConflict, PersonId, StoreError};
use serde::Serialize;

use crate::AppState;
use crate::auth::SignedIn;
use crate::error::{ApiError, ApiResult};
use crate::service;

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ImportSummary {
    pub added: usize,
    pub updated: usize,
    pub unchanged: usize,
    /// What the file held that was left out on purpose, one line per kind, with its count.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub skipped: Vec<String>,
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

/// Reads a whole file, then imports it in one transaction: all of it or nothing. Reading holds
/// a heavy turn and runs on a blocking thread: a large Apple Health export takes seconds of CPU,
/// which must not stall the async workers that answer everyone else.
pub async fn import(
    app: &AppState,
    person: PersonId,
    bytes: axum::body::Bytes,
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
    let kb = app.kb();
    let file = name.to_string();
    let read = {
        let _turn = app.heavy_turn().await?;
        crate::blocking(move || {
            formats::read(
                format,
                std::io::Cursor::new(bytes),
                &file,
                formats::ReadContext {
                    kb,
                    today,
                    progress: &mut |_| {},
                },
            )
        })
        .await?
        .map_err(bad)?
    };
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
