//! Sessions: the cookie, the session a request carries, and who is signed in.

use axum::extract::{FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use quietlegs_store::{PersonId, Session};

use crate::AppState;
use crate::error::ApiError;

use super::*;

/// The session of this request, if it carries a valid cookie (set by [`session_layer`]).
#[derive(Debug, Clone)]
pub struct CurrentSession(pub Option<Session>);

/// The signed-in person. Every handler that touches health data takes one of these.
#[derive(Debug, Clone)]
pub struct SignedIn {
    pub person: PersonId,
    pub username: String,
    pub csrf: String,
    /// The person's data version as the session was read (derived state cached under it is
    /// current); `None` right after signing in.
    pub data_version: Option<i64>,
}

impl SignedIn {
    fn from_parts(parts: &Parts) -> Option<Self> {
        Self::from_extensions(&parts.extensions)
    }

    /// Who a request is from, once [`session_layer`] has looked.
    pub fn from_extensions(extensions: &axum::http::Extensions) -> Option<Self> {
        extensions
            .get::<CurrentSession>()
            .and_then(|s| s.0.as_ref())
            .map(|s| SignedIn {
                person: s.person,
                username: s.username.clone(),
                csrf: s.csrf_token.clone(),
                data_version: Some(s.data_version),
            })
            .or_else(|| extensions.get::<TokenUser>().map(|t| t.0.clone()))
    }
}

/// The signed-in person for the JSON API: 401 otherwise.
pub struct ApiUser(pub SignedIn);

impl FromRequestParts<AppState> for ApiUser {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &AppState) -> Result<Self, ApiError> {
        SignedIn::from_parts(parts)
            .map(ApiUser)
            .ok_or_else(ApiError::unauthorized)
    }
}

/// The person signed in with a session cookie, for account routes (tokens, calendar feeds,
/// reminders): 401 otherwise. A bearer token never counts here, whatever its scopes; the
/// bearer layer already refuses these routes, and this keeps them shut if its list changes.
pub struct SessionUser(pub SignedIn);

impl FromRequestParts<AppState> for SessionUser {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &AppState) -> Result<Self, ApiError> {
        if parts.extensions.get::<TokenUser>().is_some() {
            return Err(ApiError::forbidden(
                "token-not-allowed",
                "API tokens cannot manage the account; sign in",
            ));
        }
        SignedIn::from_parts(parts)
            .map(SessionUser)
            .ok_or_else(ApiError::unauthorized)
    }
}

/// The signed-in person for pages: otherwise a redirect to the sign-in page.
pub struct PageUser(pub SignedIn);

impl FromRequestParts<AppState> for PageUser {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, _: &AppState) -> Result<Self, Response> {
        SignedIn::from_parts(parts)
            .map(PageUser)
            .ok_or_else(|| Redirect::to("/login").into_response())
    }
}

pub(super) fn cookie_value<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

/// Now, in the Unix seconds that session and share-link expiries are stored in.
pub fn unix_now() -> i64 {
    jiff::Timestamp::now().as_second()
}

/// Loads the session named by the cookie, and refuses a state-changing request made with it
/// unless it carries the session's CSRF token (header, form field, or for file uploads the
/// query string).
pub async fn session_layer(State(app): State<AppState>, request: Request, next: Next) -> Response {
    // Static files and the health check never need to know who is asking.
    let path = request.uri().path();
    if path.starts_with("/static/") || path == "/healthz" {
        return next.run(request).await;
    }
    // A token speaks for itself on the JSON API, whatever cookie came along; elsewhere it
    // means nothing.
    if path.starts_with("/api/")
        && let Some(token) = bearer::presented(request.headers()).map(str::to_owned)
    {
        return bearer::serve(&app, request, next, &token).await;
    }
    let session = match cookie_value(request.headers(), SESSION_COOKIE) {
        Some(token) => match find_session(&app, &token_hash(token)).await {
            Ok(found) => found,
            Err(err) => return ApiError::from(err).into_response(),
        },
        None => None,
    };
    let changes_state = !matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS
    );
    let mut request = request;
    if changes_state && let Some(session) = &session {
        let (checked, rebuilt) = csrf_ok(request, &session.csrf_token).await;
        request = match (checked, rebuilt) {
            (true, Some(r)) => r,
            (_, None) => {
                return ApiError::bad_request("the request body could not be read").into_response();
            }
            (false, Some(r)) => return csrf_refused(r.uri().path()),
        };
    }
    let writer = session.as_ref().map(|s| s.person).filter(|_| changes_state);
    request.extensions_mut().insert(CurrentSession(session));
    let response = next.run(request).await;
    if let Some(person) = writer {
        // Whatever the request changed has committed by now.
        app.0.sessions.wrote(person);
    }
    response
}

/// The session for a token hash, from the short-lived cache or the database.
pub(super) async fn find_session(
    app: &AppState,
    hash: &str,
) -> Result<Option<Session>, quietlegs_store::StoreError> {
    let now = unix_now();
    if let Some(hit) = app.0.sessions.get(hash, now) {
        return Ok(Some(hit));
    }
    let read_at = app.0.sessions.read_started();
    let found = app.store().session(hash, now).await?;
    if let Some(session) = &found {
        app.0.sessions.put(hash, session.clone(), read_at);
    }
    Ok(found)
}

/// A `Set-Cookie` value for a new session, or one that clears it.
pub(super) fn session_cookie(app: &AppState, token: Option<&str>) -> HeaderValue {
    let secure = if app.config().secure_cookies {
        "; Secure"
    } else {
        ""
    };
    let text = match token {
        Some(token) => format!(
            "{SESSION_COOKIE}={token}; Path=/; HttpOnly; SameSite=Lax; Max-Age={}{secure}",
            u64::from(app.config().session_days) * 86_400
        ),
        None => format!("{SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0{secure}"),
    };
    HeaderValue::from_str(&text).unwrap_or_else(|_| HeaderValue::from_static(""))
}

/// A new session for `person`: the cookie to set and the CSRF token to hand the client.
pub struct NewSession {
    pub cookie: HeaderValue,
    pub csrf: String,
}

pub async fn start_session(app: &AppState, person: PersonId) -> Result<NewSession, ApiError> {
    let token = new_token()?;
    let csrf = new_token()?;
    let expires = unix_now() + i64::from(app.config().session_days) * 86_400;
    app.store()
        .create_session(&token_hash(&token), person, &csrf, expires)
        .await?;
    // Expired sessions are swept now and then, on sign-in rather than on a timer.
    if let Err(err) = app.store().delete_expired_sessions(unix_now()).await {
        tracing::warn!(%err, "could not sweep expired sessions");
    }
    Ok(NewSession {
        cookie: session_cookie(app, Some(&token)),
        csrf,
    })
}

/// Ends the session the request carries; returns the cookie that clears it.
pub async fn end_session(app: &AppState, headers: &HeaderMap) -> Result<HeaderValue, ApiError> {
    if let Some(token) = cookie_value(headers, SESSION_COOKIE) {
        let hash = token_hash(token);
        app.store().delete_session(&hash).await?;
        app.0.sessions.forget(&hash);
    }
    Ok(session_cookie(app, None))
}

/// Sent with every sign-out: the browser drops this site's caches and storage, so check-ins
/// queued on a shared phone and the worker's caches go with the session.
pub fn clear_site_data() -> (axum::http::HeaderName, HeaderValue) {
    (
        axum::http::HeaderName::from_static("clear-site-data"),
        HeaderValue::from_static("\"cache\", \"storage\""),
    )
}

/// Whoever is looking, signed in or not (for pages anyone may read, like the library).
pub struct Viewer(pub Option<SignedIn>);

impl FromRequestParts<AppState> for Viewer {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        _: &AppState,
    ) -> Result<Self, std::convert::Infallible> {
        Ok(Viewer(SignedIn::from_parts(parts)))
    }
}
