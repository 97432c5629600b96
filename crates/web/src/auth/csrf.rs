//! CSRF: a state-changing request made with a session must carry its token.

use axum::body::Body;
use axum::extract::Request;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};

use crate::error::ApiError;

use super::*;

pub(super) fn csrf_refused(path: &str) -> Response {
    let err = ApiError::forbidden(
        "csrf",
        "this request is missing its CSRF token (send the X-CSRF-Token header from sign-in, or \
         reload the page and try again); nothing was changed",
    );
    if path.starts_with("/api/") {
        err.into_response()
    } else {
        (
            StatusCode::FORBIDDEN,
            axum::response::Html(
                "<!doctype html><title>Refused</title><p>This form was out of date, so nothing \
                 was saved. <a href=\"/\">Go back</a>, reload the page and try again.</p>",
            ),
        )
            .into_response()
    }
}

/// Whether the request carries `expected`; gives the request back (its body re-assembled when
/// it had to be read), or `None` when the body could not be read.
pub(super) async fn csrf_ok(request: Request, expected: &str) -> (bool, Option<Request>) {
    if let Some(value) = request.headers().get(CSRF_HEADER) {
        let ok = value.to_str().is_ok_and(|v| same_secret(v, expected));
        return (ok, Some(request));
    }
    let content_type = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_ascii_lowercase();
    if content_type.starts_with("multipart/form-data") {
        let ok = request
            .uri()
            .query()
            .and_then(|q| {
                serde_urlencoded::from_str::<Vec<(String, String)>>(q)
                    .ok()?
                    .into_iter()
                    .find(|(k, _)| k == CSRF_FIELD)
            })
            .is_some_and(|(_, v)| same_secret(&v, expected));
        return (ok, Some(request));
    }
    if !content_type.starts_with("application/x-www-form-urlencoded") {
        return (false, Some(request));
    }
    let (parts, body) = request.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, FORM_LIMIT).await else {
        return (false, None);
    };
    let ok = serde_urlencoded::from_bytes::<Vec<(String, String)>>(&bytes)
        .ok()
        .and_then(|pairs| pairs.into_iter().find(|(k, _)| k == CSRF_FIELD))
        .is_some_and(|(_, v)| same_secret(&v, expected));
    (ok, Some(Request::from_parts(parts, Body::from(bytes))))
}
