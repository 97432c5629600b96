//! The JSON side of "my legs are acting up now": `POST /api/v1/episodes` and
//! `GET /api/v1/episodes?night=D`, for the signed-in person only.

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};

use crate::AppState;
use crate::api::json_body;
use crate::auth::ApiUser;
use crate::error::{ApiError, ApiResult};
use crate::input::date_param;
use crate::service;

/// How far ahead of the server's clock a phone's clock may run before an episode is refused as
/// "in the future".
const CLOCK_SLACK_SECONDS: i64 = 300;
/// How old a queued episode (sent late by a phone that was offline) may be.
const OLDEST_DAYS: i64 = 7;

/// One episode as the API answers it.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct EpisodeOut {
    /// The evening the moment belongs to, YYYY-MM-DD.
    #[schema(format = Date)]
    pub night: String,
    /// The instant, RFC 3339 (UTC).
    #[schema(format = DateTime)]
    pub at: String,
    /// HH:MM on the person's own clock (their profile's time zone).
    pub local_time: String,
}

impl From<&quietlegs_store::Episode> for EpisodeOut {
    fn from(e: &quietlegs_store::Episode) -> Self {
        Self {
            night: e.night.to_string(),
            at: e.at.to_string(),
            local_time: e.local_time.to_string(),
        }
    }
}

/// The body of `POST /api/v1/episodes`: empty (or `{}`) for "now".
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewEpisode {
    /// RFC 3339; default now. A phone that was offline sends when it was tapped.
    #[schema(format = DateTime)]
    pub at: Option<String>,
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct NightParam {
    /// YYYY-MM-DD; default the night under way by the person's clock.
    #[param(format = Date)]
    night: Option<String>,
}

#[utoipa::path(post, path = "/api/v1/episodes", request_body(content = NewEpisode, description = "empty for now"),
    responses((status = 201, body = EpisodeOut), (status = 422, body = crate::error::ErrorBody)))]
pub async fn add(
    State(app): State<AppState>,
    ApiUser(me): ApiUser,
    body: Bytes,
) -> ApiResult<Response> {
    let input: NewEpisode = if body.iter().all(u8::is_ascii_whitespace) {
        NewEpisode::default()
    } else {
        json_body(&body)?
    };
    let now = jiff::Timestamp::now();
    let at = match input.at.as_deref() {
        None => now,
        Some(text) => {
            let at: jiff::Timestamp = text
                .parse()
                .map_err(|_| ApiError::field("at", format!("'{text}' is not an RFC 3339 time")))?;
            let age = now.as_second() - at.as_second();
            if age < -CLOCK_SLACK_SECONDS {
                return Err(ApiError::field("at", "is in the future"));
            }
            if age > OLDEST_DAYS * 86_400 {
                return Err(ApiError::field(
                    "at",
                    format!("is more than {OLDEST_DAYS} days ago"),
                ));
            }
            at
        }
    };
    let recorded = quietlegs_app::episodes::record(app.store(), me.person, at).await?;
    Ok((
        StatusCode::CREATED,
        Json(EpisodeOut::from(&recorded.episode)),
    )
        .into_response())
}

#[utoipa::path(get, path = "/api/v1/episodes", params(NightParam),
    responses((status = 200, body = Vec<EpisodeOut>), (status = 422, body = crate::error::ErrorBody)))]
pub async fn list(
    State(app): State<AppState>,
    ApiUser(me): ApiUser,
    uri: axum::http::Uri,
) -> ApiResult<Response> {
    let q: NightParam = serde_urlencoded::from_str(uri.query().unwrap_or(""))
        .map_err(|e| ApiError::bad_request(format!("the query string is not valid: {e}")))?;
    let night = match q.night.as_deref().filter(|n| !n.trim().is_empty()) {
        Some(text) => date_param("night", text)?,
        None => {
            let profile = service::profile(&app, me.person).await?;
            quietlegs_app::outlook::tonight_for(profile.as_ref().map(|p| &p.profile))
        }
    };
    let episodes = app.store().episodes(me.person, night).await?;
    let out: Vec<EpisodeOut> = episodes.iter().map(EpisodeOut::from).collect();
    Ok(Json(out).into_response())
}
