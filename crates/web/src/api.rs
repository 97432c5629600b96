//! The JSON API (spec section 7). Every handler that reads or writes health data takes an
//! [`ApiUser`] and passes its person id to the store, so no query can reach another person.

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use jiff::civil::Date;
use quietlegs_core::journal::{LabRecord, NightEntry};
use quietlegs_core::profile::{Profile, ProfileFormat};
use serde::{Deserialize, Serialize};

use crate::AppState;
use crate::auth::{self, ApiUser};
use crate::error::{ApiError, ApiResult};
use crate::input::{self, date_param};
use crate::service;
use crate::transfer;

/// Parses a JSON body, naming the field and line of the first problem.
pub fn json_body<T: serde::de::DeserializeOwned>(bytes: &[u8]) -> ApiResult<T> {
    let text = std::str::from_utf8(bytes)
        .map_err(|_| ApiError::bad_request("the body is not UTF-8 text"))?;
    let mut de = serde_json::Deserializer::from_str(text);
    serde_path_to_error::deserialize(&mut de).map_err(|e| {
        let mut path = e.path().to_string();
        let message = format!("line {}: {}", e.inner().line(), e.inner());
        // serde names a missing field only in its message; the client needs it as the field.
        if let Some(missing) = e
            .inner()
            .to_string()
            .strip_prefix("missing field `")
            .and_then(|rest| rest.split('`').next())
        {
            path = if path == "." || path.is_empty() {
                missing.to_string()
            } else {
                format!("{path}.{missing}")
            };
        }
        if path == "." || path.is_empty() {
            ApiError::bad_request(format!("the body is not the expected JSON: {message}"))
        } else {
            ApiError::field(path, message)
        }
    })
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Credentials {
    pub username: String,
    pub password: String,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct SessionInfo {
    pub username: String,
    /// Send this in the `X-CSRF-Token` header of every state-changing request.
    pub csrf_token: String,
}

fn session_answer(status: StatusCode, signed: auth::SignedIn, cookie: HeaderValue) -> Response {
    (
        status,
        [(header::SET_COOKIE, cookie)],
        Json(SessionInfo {
            username: signed.username,
            csrf_token: signed.csrf,
        }),
    )
        .into_response()
}

#[utoipa::path(post, path = "/api/v1/signup", request_body = Credentials,
    responses((status = 201, body = SessionInfo), (status = 403, body = crate::error::ErrorBody),
              (status = 409, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
pub async fn signup(
    State(app): State<AppState>,
    extensions: axum::http::Extensions,
    body: Bytes,
) -> ApiResult<Response> {
    let c: Credentials = json_body(&body)?;
    let client = auth::client_addr(&extensions);
    let (signed, session) = auth::sign_up(&app, &c.username, &c.password, client).await?;
    Ok(session_answer(StatusCode::CREATED, signed, session.cookie))
}

#[utoipa::path(post, path = "/api/v1/login", request_body = Credentials,
    responses((status = 200, body = SessionInfo), (status = 401, body = crate::error::ErrorBody),
              (status = 429, body = crate::error::ErrorBody)))]
pub async fn login(
    State(app): State<AppState>,
    extensions: axum::http::Extensions,
    body: Bytes,
) -> ApiResult<Response> {
    let c: Credentials = json_body(&body)?;
    let client = auth::client_addr(&extensions);
    let (signed, session) = auth::sign_in(&app, &c.username, &c.password, client).await?;
    Ok(session_answer(StatusCode::OK, signed, session.cookie))
}

#[utoipa::path(post, path = "/api/v1/logout", responses((status = 204)))]
pub async fn logout(State(app): State<AppState>, headers: HeaderMap) -> ApiResult<Response> {
    let cookie = auth::end_session(&app, &headers).await?;
    Ok((
        StatusCode::NO_CONTENT,
        [(header::SET_COOKIE, cookie), auth::clear_site_data()],
    )
        .into_response())
}

#[utoipa::path(get, path = "/api/v1/profile",
    responses((status = 200, description = "the profile (spec section 3)", body = Object),
              (status = 404, body = crate::error::ErrorBody)))]
pub async fn get_profile(State(app): State<AppState>, ApiUser(me): ApiUser) -> ApiResult<Response> {
    match service::profile(&app, me.person).await? {
        Some(v) => Ok(Json(v.profile).into_response()),
        None => Err(no_profile()),
    }
}

fn no_profile() -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        "no-profile",
        "there is no profile yet: PUT /api/v1/profile, or do the assessment at /assess",
    )
}

#[utoipa::path(put, path = "/api/v1/profile",
    request_body(content = Object, description = "the profile (spec section 3)"),
    responses((status = 200, description = "the saved profile", body = Object),
              (status = 422, body = crate::error::ErrorBody)))]
pub async fn put_profile(
    State(app): State<AppState>,
    ApiUser(me): ApiUser,
    body: Bytes,
) -> ApiResult<Response> {
    let text = std::str::from_utf8(&body)
        .map_err(|_| ApiError::bad_request("the body is not UTF-8 text"))?;
    let profile = Profile::parse(text, ProfileFormat::Json).map_err(|e| {
        if e.field.is_empty() {
            ApiError::bad_request(e.to_string())
        } else {
            ApiError::field(e.field.clone(), e.to_string())
        }
    })?;
    service::check_profile(&app, &profile)?;
    app.store().put_profile(me.person, &profile).await?;
    Ok(Json(profile).into_response())
}

#[utoipa::path(get, path = "/api/v1/plan",
    responses((status = 200, description = "the plan (spec section 4)", body = Object),
              (status = 404, body = crate::error::ErrorBody)))]
pub async fn plan(State(app): State<AppState>, ApiUser(me): ApiUser) -> ApiResult<Response> {
    match &service::derived_for(&app, &me).await?.plan {
        Some(plan) => Ok(Json(plan).into_response()),
        None => Err(no_profile()),
    }
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct Range {
    /// First night, YYYY-MM-DD.
    #[param(format = Date)]
    from: Option<String>,
    /// Last night, YYYY-MM-DD.
    #[param(format = Date)]
    to: Option<String>,
}

fn optional_date(field: &str, text: Option<&str>) -> ApiResult<Option<Date>> {
    text.filter(|t| !t.trim().is_empty())
        .map(|t| date_param(field, t))
        .transpose()
}

fn query<T: serde::de::DeserializeOwned>(uri: &axum::http::Uri) -> ApiResult<T> {
    serde_urlencoded::from_str(uri.query().unwrap_or(""))
        .map_err(|e| ApiError::bad_request(format!("the query string is not valid: {e}")))
}

#[utoipa::path(get, path = "/api/v1/journal", params(Range),
    responses((status = 200, body = Vec<NightEntry>), (status = 422, body = crate::error::ErrorBody)))]
pub async fn journal(
    State(app): State<AppState>,
    ApiUser(me): ApiUser,
    uri: axum::http::Uri,
) -> ApiResult<Response> {
    let range: Range = query(&uri)?;
    let from = optional_date("from", range.from.as_deref())?;
    let to = optional_date("to", range.to.as_deref())?;
    let nights = app.store().nights(me.person, from, to).await?;
    Ok(Json(nights).into_response())
}

#[utoipa::path(get, path = "/api/v1/journal/{night}", params(("night" = String, Path, format = Date, description = "YYYY-MM-DD")),
    responses((status = 200, body = NightEntry), (status = 404, body = crate::error::ErrorBody),
              (status = 422, body = crate::error::ErrorBody)))]
pub async fn get_night(
    State(app): State<AppState>,
    ApiUser(me): ApiUser,
    Path(night): Path<String>,
) -> ApiResult<Response> {
    let night = date_param("night", &night)?;
    match app.store().night(me.person, night).await? {
        Some(entry) => Ok(Json(entry).into_response()),
        None => Err(ApiError::not_found()),
    }
}

#[utoipa::path(put, path = "/api/v1/journal/{night}",
    // One `params` list: a second one replaces the first, and the path parameter goes missing.
    params(("night" = String, Path, format = Date, description = "YYYY-MM-DD"),
        ("If-None-Match" = Option<String>, Header, description = "`*`: write only if the night is not stored yet (412 otherwise), so a phone that was offline never overwrites a night saved elsewhere")),
    request_body = NightEntry,
    responses((status = 200, body = NightEntry), (status = 412, body = crate::error::ErrorBody),
              (status = 422, body = crate::error::ErrorBody)))]
pub async fn put_night(
    State(app): State<AppState>,
    ApiUser(me): ApiUser,
    Path(night): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Response> {
    let night = date_param("night", &night)?;
    let mut entry: NightEntry = json_body(&body)?;
    if entry.night.is_some_and(|n| n != night) {
        return Err(ApiError::field(
            "night",
            "the body's night differs from the one in the address",
        ));
    }
    entry.night = Some(night);
    input::check_night(&entry, service::today_of(&app, me.person).await?)?;
    let only_new = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.trim() == "*");
    if only_new && app.store().night(me.person, night).await?.is_some() {
        return Err(ApiError::new(
            StatusCode::PRECONDITION_FAILED,
            "exists",
            format!("the night of {night} is already stored; read it and choose which to keep"),
        ));
    }
    app.store().put_night(me.person, &entry).await?;
    Ok(Json(entry).into_response())
}

#[utoipa::path(delete, path = "/api/v1/journal/{night}", params(("night" = String, Path, format = Date, description = "YYYY-MM-DD")),
    responses((status = 204), (status = 404, body = crate::error::ErrorBody)))]
pub async fn delete_night(
    State(app): State<AppState>,
    ApiUser(me): ApiUser,
    Path(night): Path<String>,
) -> ApiResult<Response> {
    let night = date_param("night", &night)?;
    if app.store().delete_night(me.person, night).await? {
        Ok(StatusCode::NO_CONTENT.into_response())
    } else {
        Err(ApiError::not_found())
    }
}

/// A stored lab result with its id. Written out field by field (not flattened) so its schema
/// is one closed object that answers match exactly.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct StoredLab {
    pub id: i64,
    pub test: String,
    pub value: f64,
    pub unit: String,
    pub canonical_value: f64,
    pub canonical_unit: String,
    #[schema(format = Date)]
    pub date: String,
    pub source: String,
}

impl StoredLab {
    fn new(id: i64, lab: LabRecord) -> Self {
        Self {
            id,
            test: lab.test,
            value: lab.value,
            unit: lab.unit,
            canonical_value: lab.canonical_value,
            canonical_unit: lab.canonical_unit,
            date: lab.date.to_string(),
            source: lab.source,
        }
    }
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewLab {
    /// A lab id from the knowledge base, e.g. `ferritin`.
    pub test: String,
    pub value: f64,
    /// e.g. `ng/mL`; converted to the test's canonical unit.
    pub unit: String,
    /// YYYY-MM-DD; default today.
    pub date: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/labs", responses((status = 200, body = Vec<StoredLab>)))]
pub async fn labs(State(app): State<AppState>, ApiUser(me): ApiUser) -> ApiResult<Response> {
    let labs: Vec<StoredLab> = app
        .store()
        .labs(me.person)
        .await?
        .into_iter()
        .map(|(id, lab)| StoredLab::new(id, lab))
        .collect();
    Ok(Json(labs).into_response())
}

#[utoipa::path(post, path = "/api/v1/labs", request_body = NewLab,
    responses((status = 201, body = StoredLab), (status = 422, body = crate::error::ErrorBody)))]
pub async fn add_lab(
    State(app): State<AppState>,
    ApiUser(me): ApiUser,
    body: Bytes,
) -> ApiResult<Response> {
    let input: NewLab = json_body(&body)?;
    let today = service::today_of(&app, me.person).await?;
    let date = optional_date("date", input.date.as_deref())?.unwrap_or(today);
    let lab = input::check_lab(&app, &input.test, input.value, &input.unit, date, today)?;
    let id = app.store().add_lab(me.person, &lab).await?;
    Ok((StatusCode::CREATED, Json(StoredLab::new(id, lab))).into_response())
}

#[utoipa::path(get, path = "/api/v1/labs/{id}", params(("id" = i64, Path)),
    responses((status = 200, body = StoredLab), (status = 404, body = crate::error::ErrorBody)))]
pub async fn get_lab(
    State(app): State<AppState>,
    ApiUser(me): ApiUser,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let id = input::id_param("id", &id, "lab result")?;
    let found = app
        .store()
        .labs(me.person)
        .await?
        .into_iter()
        .find(|(i, _)| *i == id);
    match found {
        Some((id, lab)) => Ok(Json(StoredLab::new(id, lab)).into_response()),
        None => Err(ApiError::not_found()),
    }
}

#[utoipa::path(delete, path = "/api/v1/labs/{id}", params(("id" = i64, Path)),
    responses((status = 204), (status = 404, body = crate::error::ErrorBody)))]
pub async fn delete_lab(
    State(app): State<AppState>,
    ApiUser(me): ApiUser,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let id = input::id_param("id", &id, "lab result")?;
    if app.store().delete_lab(me.person, id).await? {
        Ok(StatusCode::NO_CONTENT.into_response())
    } else {
        Err(ApiError::not_found())
    }
}

#[utoipa::path(get, path = "/api/v1/insights",
    responses((status = 200, description = "insights (spec section 6)", body = Object)))]
pub async fn insights(State(app): State<AppState>, ApiUser(me): ApiUser) -> ApiResult<Response> {
    let derived = service::derived_for(&app, &me).await?;
    Ok(Json(&*derived.insights).into_response())
}

#[utoipa::path(get, path = "/api/v1/outlook",
    responses((status = 200, description = "tonight's outlook from the person's own journal: \
        expected severity with an 80% interval and what moves it, or ready: false while still \
        learning", body = Object)))]
pub async fn outlook(State(app): State<AppState>, ApiUser(me): ApiUser) -> ApiResult<Response> {
    let outlook = service::outlook(&app, me.person).await?;
    Ok(Json(&outlook).into_response())
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct FormatQuery {
    /// `csv`, `json` or `fhir` (an R4 Bundle).
    format: Option<String>,
    /// Import only: replace nights already stored with different values.
    overwrite: Option<bool>,
}

#[utoipa::path(get, path = "/api/v1/export", params(FormatQuery),
    responses((status = 200, description = "the journal CSV or the JSON export"),
              (status = 422, body = crate::error::ErrorBody)))]
pub async fn export(
    State(app): State<AppState>,
    ApiUser(me): ApiUser,
    uri: axum::http::Uri,
) -> ApiResult<Response> {
    let q: FormatQuery = query(&uri)?;
    let format = input::transfer_format(q.format.as_deref())?;
    let _turn = app.heavy_turn().await?;
    let bundle = app.store().export(me.person).await?;
    let render = app.clone();
    crate::blocking(move || transfer::export_response(&render, &bundle, format)).await?
}

#[utoipa::path(post, path = "/api/v1/import", params(FormatQuery),
    request_body(content = String, description = "a journal CSV or a JSON export"),
    responses((status = 200, body = crate::transfer::ImportSummary), (status = 409, body = crate::error::ErrorBody),
              (status = 422, body = crate::error::ErrorBody)))]
pub async fn import(
    State(app): State<AppState>,
    ApiUser(me): ApiUser,
    uri: axum::http::Uri,
    body: Bytes,
) -> ApiResult<Response> {
    let q: FormatQuery = query(&uri)?;
    let format = input::transfer_format(q.format.as_deref())?;
    let summary = transfer::import(
        &app,
        me.person,
        body,
        format,
        "request body",
        q.overwrite.unwrap_or(false),
    )
    .await?;
    Ok(Json(summary).into_response())
}

#[utoipa::path(get, path = "/api/v1/calendar",
    responses((status = 200, description = "the plan's routine and reviews as iCalendar", content_type = "text/calendar"),
              (status = 404, body = crate::error::ErrorBody)))]
pub async fn calendar(State(app): State<AppState>, ApiUser(me): ApiUser) -> ApiResult<Response> {
    transfer::calendar_response(&app, &me).await
}

pub async fn not_found() -> ApiError {
    ApiError::not_found()
}
