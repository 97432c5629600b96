//! Static files, compiled into the binary so the app works with no internet and no install
//! folder. htmx is vendored (2.0.11, BSD Zero Clause licence).

use axum::extract::Path;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};

use crate::error::ApiError;

pub(crate) const FILES: &[(&str, &str, &[u8])] = &[
    (
        "app.css",
        "text/css; charset=utf-8",
        include_bytes!("../static/app.css"),
    ),
    (
        "app.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../static/app.js"),
    ),
    (
        "outbox.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../static/outbox.js"),
    ),
    // "Remind me on this phone" (Web Push, server mode).
    (
        "push.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../static/push.js"),
    ),
    // The app's icons (drawn by `static/icons/make_icons.py`), for the manifest.
    (
        "icon-192.png",
        "image/png",
        include_bytes!("../static/icons/icon-192.png"),
    ),
    (
        "icon-512.png",
        "image/png",
        include_bytes!("../static/icons/icon-512.png"),
    ),
    (
        "icon-maskable-512.png",
        "image/png",
        include_bytes!("../static/icons/icon-maskable-512.png"),
    ),
    (
        "htmx.min.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../static/vendor/htmx.min.js"),
    ),
];

pub async fn file(Path(name): Path<String>) -> Response {
    match FILES.iter().find(|(n, _, _)| *n == name) {
        Some((_, content_type, bytes)) => (
            [
                (header::CONTENT_TYPE, HeaderValue::from_static(content_type)),
                (
                    header::CACHE_CONTROL,
                    HeaderValue::from_static("public, max-age=3600"),
                ),
            ],
            *bytes,
        )
            .into_response(),
        None => ApiError::not_found().into_response(),
    }
}
