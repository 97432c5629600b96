//! The Quietlegs web app. Handlers translate HTTP to domain calls and back; no rule is decided
//! here.

mod library;
mod pages;

use std::future::Future;

use axum::Router;
use axum::http::{HeaderValue, header};
use axum::response::IntoResponse;
use axum::routing::get;
use quietlegs_core::KnowledgeBase;
use tokio::net::TcpListener;

/// Shared, read-only state of the app.
#[derive(Clone, Copy)]
pub struct AppState {
    pub kb: &'static KnowledgeBase,
}

/// Every route of the app.
pub fn router(kb: &'static KnowledgeBase) -> Router {
    Router::new()
        .route("/", get(pages::home))
        .route("/healthz", get(healthz))
        .route("/static/app.css", get(stylesheet))
        .route("/library", get(library::page))
        .route("/library/{id}", get(library::entry_page))
        .route("/api/v1/kb", get(library::api_list))
        .route("/api/v1/kb/{id}", get(library::api_show))
        .fallback(pages::not_found)
        .with_state(AppState { kb })
}

/// Serves the app on `listener` until `shutdown` resolves, then finishes open requests.
pub async fn serve(
    listener: TcpListener,
    kb: &'static KnowledgeBase,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(listener, router(kb))
        .with_graceful_shutdown(shutdown)
        .await
}

async fn healthz() -> &'static str {
    "ok"
}

async fn stylesheet() -> impl IntoResponse {
    (
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/css; charset=utf-8"),
            ),
            (
                header::CACHE_CONTROL,
                HeaderValue::from_static("public, max-age=3600"),
            ),
        ],
        include_str!("../static/app.css"),
    )
}
