//! The nightly check-in reminder's time: `GET`/`PUT /api/v1/reminders`. It is a wall-clock time
//! in the person's own time zone (their profile's), which the calendar feed and Web Push both
//! ring at. An account route: session only.

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use quietlegs_core::profile::ClockTime;
use serde::{Deserialize, Serialize};

use crate::AppState;
use crate::api::json_body;
use crate::auth::SessionUser;
use crate::error::{ApiError, ApiResult};

#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Reminders {
    /// HH:MM (24-hour) in the person's time zone; `null` for no check-in reminder.
    #[serde(default)]
    #[schema(example = "21:30")]
    pub checkin: Option<String>,
}

/// A reminder time as typed: empty is "none", otherwise HH:MM.
pub fn parse_time(field: &str, text: Option<&str>) -> ApiResult<Option<ClockTime>> {
    match text.map(str::trim).filter(|t| !t.is_empty()) {
        None => Ok(None),
        Some(t) => t
            .parse::<ClockTime>()
            .map(Some)
            .map_err(|e| ApiError::field(field, e)),
    }
}

fn answer(at: Option<ClockTime>) -> Response {
    Json(Reminders {
        checkin: at.map(|t| t.to_string()),
    })
    .into_response()
}

#[utoipa::path(get, path = "/api/v1/reminders",
    responses((status = 200, body = Reminders), (status = 403, body = crate::error::ErrorBody)))]
pub async fn get(State(app): State<AppState>, SessionUser(me): SessionUser) -> ApiResult<Response> {
    Ok(answer(app.store().checkin_reminder(me.person).await?))
}

#[utoipa::path(put, path = "/api/v1/reminders", request_body = Reminders,
    responses((status = 200, body = Reminders), (status = 422, body = crate::error::ErrorBody)))]
pub async fn put(
    State(app): State<AppState>,
    SessionUser(me): SessionUser,
    body: Bytes,
) -> ApiResult<Response> {
    let input: Reminders = json_body(&body)?;
    let at = parse_time("checkin", input.checkin.as_deref())?;
    app.store().set_checkin_reminder(me.person, at).await?;
    Ok(answer(at))
}
