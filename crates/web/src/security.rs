//! Request guard and response headers: the Host check that stops DNS rebinding in local mode,
//! and the security headers every answer carries (a CSP with no inline script).

use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::error::ApiError;
use crate::{AppState, Mode};

const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
    font-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; \
    base-uri 'none'; object-src 'none'";

pub async fn guard(State(app): State<AppState>, request: Request, next: Next) -> Response {
    if let Mode::Local { .. } = app.config().mode {
        let host = request
            .headers()
            .get(header::HOST)
            .and_then(|h| h.to_str().ok())
            .map(str::to_ascii_lowercase);
        let known = host
            .as_deref()
            .is_some_and(|h| app.config().allowed_hosts.iter().any(|a| a == h));
        if !known {
            tracing::warn!("refused a request for an unknown Host (DNS rebinding?)");
            return ApiError::new(
                StatusCode::FORBIDDEN,
                "unknown-host",
                "this local Quietlegs only answers to 127.0.0.1, localhost or [::1] on its own \
                 port",
            )
            .into_response();
        }
    }
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    let set = |h: &mut axum::http::HeaderMap, name: header::HeaderName, value: &'static str| {
        h.entry(name).or_insert(HeaderValue::from_static(value));
    };
    set(headers, header::CONTENT_SECURITY_POLICY, CSP);
    set(headers, header::X_CONTENT_TYPE_OPTIONS, "nosniff");
    set(headers, header::X_FRAME_OPTIONS, "DENY");
    set(headers, header::REFERRER_POLICY, "no-referrer");
    set(
        headers,
        header::HeaderName::from_static("permissions-policy"),
        "camera=(), microphone=(), geolocation=(), interest-cohort=()",
    );
    // Health data should not linger in shared caches or the back/forward cache of a shared
    // computer; static files set their own, longer policy.
    set(headers, header::CACHE_CONTROL, "no-store");
    if app.config().secure_cookies {
        set(
            headers,
            header::STRICT_TRANSPORT_SECURITY,
            "max-age=31536000; includeSubDomains",
        );
    }
    response
}
