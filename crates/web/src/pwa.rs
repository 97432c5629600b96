//! The installable app: the web manifest, the service worker and the offline shell it falls
//! back to. The worker caches static files and the shell only: every page drawn for a person
//! holds health data and is never cached (see `static/sw.js`).

use std::hash::{Hash, Hasher};
use std::sync::LazyLock;

use askama::Template;
use axum::extract::State;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};

use crate::AppState;
use crate::pages::{Chrome, render};

// The theme colour is app.css's light `--bg` (the status bar blends in); base.html gives the
// dark one (#14171c) to browsers that read `theme-color` per colour scheme, which a manifest
// cannot.
const MANIFEST: &str = r##"{
  "name": "Quietlegs",
  "short_name": "Quietlegs",
  "description": "Restless legs self-care: tonight's routine, a nightly check-in, your journal.",
  "id": "/",
  "start_url": "/",
  "scope": "/",
  "display": "standalone",
  "background_color": "#f7f6f2",
  "theme_color": "#f7f6f2",
  "icons": [
    {"src": "/static/icon-192.png", "sizes": "192x192", "type": "image/png", "purpose": "any"},
    {"src": "/static/icon-512.png", "sizes": "512x512", "type": "image/png", "purpose": "any"},
    {"src": "/static/icon-maskable-512.png", "sizes": "512x512", "type": "image/png", "purpose": "maskable"}
  ]
}
"##;

const WORKER: &str = include_str!("../static/sw.js");

/// The worker's source with its cache named after everything it caches, so a new build with
/// changed files installs a new worker that drops the old cache, and the list of static files
/// it keeps.
static WORKER_SOURCE: LazyLock<String> = LazyLock::new(|| {
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    crate::assets::FILES.hash(&mut hasher);
    WORKER.hash(&mut hasher);
    include_str!("../templates/offline.html").hash(&mut hasher);
    let files: Vec<String> = crate::assets::FILES
        .iter()
        .map(|(name, _, _)| format!("/static/{name}"))
        .collect();
    WORKER
        .replace(
            "__QUIETLEGS_VERSION__",
            &format!("{:016x}", hasher.finish()),
        )
        .replace(
            "__QUIETLEGS_STATIC__",
            &serde_json::to_string(&files).unwrap_or_else(|_| "[]".into()),
        )
});

pub async fn manifest() -> Response {
    (
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/manifest+json"),
            ),
            (
                header::CACHE_CONTROL,
                HeaderValue::from_static("public, max-age=3600"),
            ),
        ],
        MANIFEST,
    )
        .into_response()
}

pub async fn worker() -> Response {
    (
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/javascript; charset=utf-8"),
            ),
            // Revalidated on every check, so a fixed worker reaches phones at once.
            (header::CACHE_CONTROL, HeaderValue::from_static("no-cache")),
            (
                header::HeaderName::from_static("service-worker-allowed"),
                HeaderValue::from_static("/"),
            ),
        ],
        WORKER_SOURCE.as_str(),
    )
        .into_response()
}

#[derive(Template)]
#[template(path = "offline.html")]
struct Offline {
    chrome: Chrome,
    toolkit: Vec<String>,
    toolkit_why: &'static str,
}

/// The shell the worker shows for the home, check-in and Tonight pages when there is no
/// network. Drawn for nobody: no name, no CSRF token, no nights, so it is safe to cache.
pub async fn offline(State(app): State<AppState>) -> Response {
    let acute = &app.rules().plan.acute;
    let toolkit = acute
        .ids
        .iter()
        .filter_map(|id| app.kb().get(id).map(|e| e.name.clone()))
        .collect();
    let mut response = render(&Offline {
        chrome: Chrome::new(&app, None, "checkin"),
        toolkit,
        toolkit_why: acute.why.as_str(),
    });
    // Unlike every personal page this one may be kept; the worker stores it at install.
    response.headers_mut().insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=3600"),
    );
    response
}
