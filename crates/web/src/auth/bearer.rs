//! Personal API tokens (`Authorization: Bearer ...`): for shortcuts and home automations that
//! log a night or read the insights without a browser. A token stands in for the session on the
//! JSON API only, needs no CSRF token (a browser never attaches it by itself, so another site
//! cannot make one ride along), and opens only the routes of its scopes. Account routes
//! (sign-in, tokens, calendar feeds, reminders, export and import, the profile, labs) never
//! take one; their handlers also take [`super::SessionUser`], which refuses a token outright.

use axum::extract::{MatchedPath, Request};
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::AppState;
use crate::error::ApiError;

use super::*;

/// Write and read nights (and episodes, where the server has them).
pub const LOG_NIGHTS: &str = "log-nights";
/// Read the insights, the plan, tonight's outlook and the journal.
pub const READ_INSIGHTS: &str = "read-insights";
/// Every scope, and what a token gets when its maker names none.
pub const SCOPES: [&str; 2] = [LOG_NIGHTS, READ_INSIGHTS];

/// Who a request carrying a valid token acts for (set by the session layer).
#[derive(Debug, Clone)]
pub struct TokenUser(pub SignedIn);

/// The token in `Authorization: Bearer TOKEN`, if the request carries one.
pub(super) fn presented(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.trim().split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim())
        .filter(|t| !t.is_empty())
}

/// The scopes that open `route` (a route pattern) for `method`; empty for routes no token
/// opens.
pub fn scopes_for(method: &Method, route: &str) -> &'static [&'static str] {
    let reads = matches!(*method, Method::GET | Method::HEAD);
    match route {
        "/api/v1/journal" | "/api/v1/journal/{night}" if reads => &SCOPES,
        "/api/v1/journal/{night}" if matches!(*method, Method::PUT | Method::DELETE) => {
            &[LOG_NIGHTS]
        }
        r if r == "/api/v1/episodes" || r.starts_with("/api/v1/episodes/") => &[LOG_NIGHTS],
        "/api/v1/insights" | "/api/v1/plan" | "/api/v1/outlook" if reads => &[READ_INSIGHTS],
        _ => &[],
    }
}

fn refused(status: StatusCode, code: &'static str, message: &str) -> Response {
    ApiError::new(status, code, message).into_response()
}

/// Answers a request that carries a token: 401 for an unknown or revoked one, 403 outside its
/// scopes or off the JSON API, otherwise the route as the token's person.
pub(super) async fn serve(
    app: &AppState,
    mut request: Request,
    next: Next,
    token: &str,
) -> Response {
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_owned())
        .unwrap_or_default();
    let now = jiff::Timestamp::now().to_string();
    let grant = match app.store().use_api_token(&token_hash(token), &now).await {
        Ok(Some(grant)) => grant,
        Ok(None) => {
            return refused(
                StatusCode::UNAUTHORIZED,
                "unauthorized",
                "this API token is unknown or was revoked; make a new one in Settings",
            );
        }
        Err(err) => return ApiError::from(err).into_response(),
    };
    let allowed = scopes_for(request.method(), &route);
    if allowed.is_empty() {
        return refused(
            StatusCode::FORBIDDEN,
            "token-not-allowed",
            "API tokens open only the journal, insights, plan and outlook; sign in for the rest",
        );
    }
    if !allowed.iter().any(|s| grant.scopes.iter().any(|g| g == s)) {
        return refused(
            StatusCode::FORBIDDEN,
            "token-scope",
            &format!(
                "this token's scopes do not cover this request (it needs {})",
                allowed.join(" or ")
            ),
        );
    }
    let changes_state = !matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS
    );
    let person = grant.person;
    request.extensions_mut().insert(CurrentSession(None));
    request.extensions_mut().insert(TokenUser(SignedIn {
        person,
        username: String::new(),
        csrf: String::new(),
        // Read afresh: no session carries it here.
        data_version: None,
    }));
    let response = next.run(request).await;
    if changes_state {
        // The person's browser sessions cache their data version; this write moved it.
        app.0.sessions.wrote(person);
    }
    response
}
