//! Request guard and response headers: the Host check that stops DNS rebinding in local mode,
//! and the security headers every answer carries (a CSP with no inline script).

use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::error::ApiError;
use crate::{AppState, Mode, WebConfig};

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
    if let Some(refusal) = cross_site(&request, app.config()).or_else(|| not_json(&request)) {
        return refusal.into_response();
    }
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    let set = |h: &mut axum::http::HeaderMap, name: header::HeaderName, value: &'static str| {
        h.entry(name).or_insert(HeaderValue::from_static(value));
    };
    set(headers, header::CONTENT_SECURITY_POLICY, CSP);
    set(headers, header::X_CONTENT_TYPE_OPTIONS, "nosniff");
    set(headers, header::X_FRAME_OPTIONS, "DENY");
    // Same-origin, not no-referrer: under no-referrer browsers send `Origin: null` on the app's
    // own form posts, which the cross-site check must refuse. Other sites still get nothing.
    set(headers, header::REFERRER_POLICY, "same-origin");
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

/// Whether a request changes something: the methods a cross-site page must never send here.
fn unsafe_method(method: &Method) -> bool {
    !matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

/// Refuses a request that changes something and that a browser says came from another site:
/// `Sec-Fetch-Site: cross-site`, or an `Origin` that is not this server. Without it a page
/// elsewhere could post to `/login` and sign the browser into the attacker's account, where
/// the person's next nights would be logged. Clients that are not browsers send neither header.
fn cross_site(request: &Request, config: &WebConfig) -> Option<ApiError> {
    if !unsafe_method(request.method()) {
        return None;
    }
    let headers = request.headers();
    let text = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    let refused = || {
        tracing::warn!("refused a cross-site request");
        Some(ApiError::new(
            StatusCode::FORBIDDEN,
            "cross-site",
            "this request came from another site; open Quietlegs itself and try again",
        ))
    };
    // Browsers that send Sec-Fetch-Site say exactly where a request came from; trust it.
    if let Some(site) = text("sec-fetch-site") {
        return if site == "cross-site" {
            refused()
        } else {
            None
        };
    }
    let origin = text("origin")?;
    let host = text("host").unwrap_or("");
    let origin_host = origin
        .strip_prefix("https://")
        .or_else(|| origin.strip_prefix("http://"));
    let public = config
        .public_url
        .as_deref()
        .map(|u| u.trim_end_matches('/'));
    let same = origin_host.is_some_and(|h| h.eq_ignore_ascii_case(host))
        || public.is_some_and(|p| p.eq_ignore_ascii_case(origin));
    if same { None } else { refused() }
}

/// The JSON API reads JSON only: a body sent as `text/plain` or a form is refused, because
/// those are the kinds a cross-site page can send without asking. The import takes its own
/// formats and says so itself.
fn not_json(request: &Request) -> Option<ApiError> {
    let path = request.uri().path();
    if !unsafe_method(request.method()) || !path.starts_with("/api/v1/") || path == "/api/v1/import"
    {
        return None;
    }
    let headers = request.headers();
    let has_body = headers.contains_key(header::TRANSFER_ENCODING)
        || headers
            .get(header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|n| n.trim() != "0");
    let json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|t| {
            let t = t.trim().to_ascii_lowercase();
            t == "application/json" || (t.starts_with("application/") && t.ends_with("+json"))
        });
    (has_body && !json).then(|| {
        ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported-media-type",
            "send the body as JSON with Content-Type: application/json",
        )
        .with_field("Content-Type")
    })
}
