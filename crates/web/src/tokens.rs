//! Personal API tokens, made and revoked by their owner: `POST`/`GET /api/v1/tokens` and
//! `DELETE /api/v1/tokens/{id}`. These are account routes: they take the session (cookie and
//! CSRF token), never a bearer token, so a leaked token cannot mint more of itself. The secret
//! is handed out once, in the answer that made it; only its hash is stored.

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use quietlegs_store::{ApiToken, PersonId};
use serde::{Deserialize, Serialize};

use crate::AppState;
use crate::api::json_body;
use crate::auth::{self, SessionUser};
use crate::error::{ApiError, ApiResult};

/// Longest token name, in characters: a label such as "iPhone Shortcut", not a note.
pub const MAX_NAME: usize = 60;
/// Most tokens one person may hold at once; enough for every device and automation, and a
/// bound on what a runaway script can pile up.
pub const MAX_TOKENS: usize = 25;
/// Marks a Quietlegs token, so secret scanners and people can tell what a stray one is.
const PREFIX: &str = "qlt_";

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewToken {
    /// What the token is for, e.g. `iPhone Shortcut` (1-60 characters).
    #[schema(min_length = 1, max_length = 60)]
    pub name: String,
    /// `log-nights` (write and read nights), `read-insights` (insights, plan, outlook,
    /// journal); default both.
    #[schema(value_type = Option<Vec<Scope>>, min_items = 1)]
    pub scopes: Option<Vec<String>>,
}

/// A token's scope, as the document lists them (the handler checks the strings itself, so a
/// wrong one is named in its error).
#[derive(utoipa::ToSchema)]
#[schema(rename_all = "kebab-case")]
#[allow(dead_code)] // only its schema is used
pub enum Scope {
    LogNights,
    ReadInsights,
}

/// The answer that makes a token: the only time its secret is shown.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CreatedToken {
    pub id: i64,
    /// Send as `Authorization: Bearer TOKEN`. Shown once; only its hash is kept.
    pub token: String,
    pub name: String,
    pub scopes: Vec<String>,
}

/// A token as listed to its owner (never its secret).
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct TokenOut {
    pub id: i64,
    pub name: String,
    pub scopes: Vec<String>,
    #[schema(format = DateTime)]
    pub created_at: String,
    /// `null` until first used.
    #[schema(format = DateTime)]
    pub last_used_at: Option<String>,
}

impl From<ApiToken> for TokenOut {
    fn from(t: ApiToken) -> Self {
        Self {
            id: t.id,
            name: t.name,
            scopes: t.scopes,
            created_at: t.created_at,
            last_used_at: t.last_used_at,
        }
    }
}

/// A token name as stored: trimmed, 1-60 characters, no control characters.
pub fn check_name(name: &str) -> ApiResult<String> {
    let name = name.trim();
    if name.is_empty() {
        return Err(ApiError::field(
            "name",
            "give the token a name, e.g. \"iPhone Shortcut\"",
        ));
    }
    if name.chars().count() > MAX_NAME {
        return Err(ApiError::field(
            "name",
            format!("is longer than {MAX_NAME} characters"),
        ));
    }
    if name.chars().any(char::is_control) {
        return Err(ApiError::field("name", "may not hold control characters"));
    }
    Ok(name.to_string())
}

/// The scopes asked for, checked and in a stable order; `None` means every scope.
pub fn check_scopes<'a>(
    asked: Option<impl IntoIterator<Item = &'a str>>,
) -> ApiResult<Vec<String>> {
    let Some(asked) = asked else {
        return Ok(auth::SCOPES.iter().map(|s| (*s).to_string()).collect());
    };
    let asked: Vec<&str> = asked.into_iter().map(str::trim).collect();
    if let Some(unknown) = asked.iter().find(|s| !auth::SCOPES.contains(s)) {
        return Err(ApiError::field(
            "scopes",
            format!(
                "'{unknown}' is not a scope (accepted: {})",
                auth::SCOPES.join(", ")
            ),
        ));
    }
    let scopes: Vec<String> = auth::SCOPES
        .iter()
        .filter(|s| asked.contains(s))
        .map(|s| (*s).to_string())
        .collect();
    if scopes.is_empty() {
        return Err(ApiError::field(
            "scopes",
            format!("choose at least one scope ({})", auth::SCOPES.join(", ")),
        ));
    }
    Ok(scopes)
}

/// Makes a token for `person`; returns it with its secret (to show once).
pub async fn create(
    app: &AppState,
    person: PersonId,
    name: String,
    scopes: Vec<String>,
) -> ApiResult<CreatedToken> {
    if app.store().api_tokens(person).await?.len() >= MAX_TOKENS {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            "too-many-tokens",
            format!("you already have {MAX_TOKENS} tokens; revoke one you no longer use first"),
        ));
    }
    let token = format!("{PREFIX}{}", auth::new_token()?);
    let id = app
        .store()
        .create_api_token(person, &name, &auth::token_hash(&token), &scopes)
        .await?;
    Ok(CreatedToken {
        id,
        token,
        name,
        scopes,
    })
}

#[utoipa::path(post, path = "/api/v1/tokens", request_body = NewToken,
    responses((status = 201, body = CreatedToken), (status = 403, body = crate::error::ErrorBody),
              (status = 409, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
pub async fn add(
    State(app): State<AppState>,
    SessionUser(me): SessionUser,
    body: Bytes,
) -> ApiResult<Response> {
    let input: NewToken = json_body(&body)?;
    let name = check_name(&input.name)?;
    let scopes = check_scopes(input.scopes.as_ref().map(|s| s.iter().map(String::as_str)))?;
    let made = create(&app, me.person, name, scopes).await?;
    Ok((StatusCode::CREATED, Json(made)).into_response())
}

#[utoipa::path(get, path = "/api/v1/tokens",
    responses((status = 200, body = Vec<TokenOut>), (status = 403, body = crate::error::ErrorBody)))]
pub async fn list(
    State(app): State<AppState>,
    SessionUser(me): SessionUser,
) -> ApiResult<Response> {
    let tokens: Vec<TokenOut> = app
        .store()
        .api_tokens(me.person)
        .await?
        .into_iter()
        .map(TokenOut::from)
        .collect();
    Ok(Json(tokens).into_response())
}

#[utoipa::path(delete, path = "/api/v1/tokens/{id}", params(("id" = i64, Path)),
    responses((status = 204), (status = 404, body = crate::error::ErrorBody),
              (status = 422, body = crate::error::ErrorBody)))]
pub async fn revoke(
    State(app): State<AppState>,
    SessionUser(me): SessionUser,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let id = crate::input::id_param("id", &id, "token")?;
    if app.store().revoke_api_token(me.person, id).await? {
        Ok(StatusCode::NO_CONTENT.into_response())
    } else {
        Err(ApiError::not_found())
    }
}
