//! The Quietlegs web app. Handlers translate HTTP to domain calls and back; no rule is decided
//! here.
//!
//! Two modes share every route: *local* (one person, loopback only, signed in by a random link
//! the server prints) and *server* (accounts with passwords). Both use the same sessions, CSRF
//! tokens and per-person queries.

mod api;
mod assets;
mod auth;
mod cache;
mod connections;
mod episodes;
mod error;
mod feeds;
mod forms;
mod input;
mod lab_goals;
mod library;
mod openapi;
mod pages;
pub mod push;
mod pwa;
mod reminders;
mod security;
mod service;
mod state;
mod tokens;
mod transfer;

use std::future::Future;

use axum::Router;
use axum::middleware;
use axum::routing::{get, post};
use tokio::net::TcpListener;

pub use auth::{RandomError, check_password, check_username, hash_password, new_token, token_hash};
pub use connections::ConnectionLimits;
pub use state::{AppState, Mode, Settings, WebConfig, loopback_hosts};

use state::blocking;

/// Every route of the app.
pub fn router(state: AppState) -> Router {
    let api = Router::new()
        .route("/signup", post(api::signup))
        .route("/login", post(api::login))
        .route("/logout", post(api::logout))
        .route("/profile", get(api::get_profile).put(api::put_profile))
        .route("/plan", get(api::plan))
        .route("/journal", get(api::journal))
        .route(
            "/journal/{night}",
            get(api::get_night)
                .put(api::put_night)
                .delete(api::delete_night),
        )
        .route("/labs", get(api::labs).post(api::add_lab))
        .route("/labs/{id}", get(api::get_lab).delete(api::delete_lab))
        .route("/insights", get(api::insights))
        .route("/outlook", get(api::outlook))
        .route("/export", get(api::export))
        .route("/import", post(api::import))
        .route("/calendar", get(api::calendar))
        .route("/kb", get(library::api_list))
        .route("/episodes", get(episodes::list).post(episodes::add))
        .route("/kb/{id}", get(library::api_show))
        .route("/push/key", get(push::routes::key))
        .route(
            "/push/subscriptions",
            post(push::routes::subscribe).delete(push::routes::unsubscribe),
        )
        // Account routes (session only, never a bearer token): tokens, feeds, reminders.
        .route("/tokens", get(tokens::list).post(tokens::add))
        .route("/tokens/{id}", axum::routing::delete(tokens::revoke))
        .route("/calendar/feeds", get(feeds::list).post(feeds::add))
        .route("/calendar/feeds/{id}", axum::routing::delete(feeds::revoke))
        .route("/reminders", get(reminders::get).put(reminders::put))
        .fallback(api::not_found);
    Router::new()
        .route("/", get(pages::home::page))
        .route("/healthz", get(healthz))
        // Browsers ask for it on pages without an icon link (the report); nothing to send.
        .route(
            "/favicon.ico",
            get(|| async { axum::http::StatusCode::NO_CONTENT }),
        )
        .route("/api/openapi.json", get(openapi::document))
        .route("/static/{file}", get(assets::file))
        .route("/manifest.webmanifest", get(pwa::manifest))
        .route("/sw.js", get(pwa::worker))
        .route("/offline", get(pwa::offline))
        .route("/quick/severity", post(pages::quick::severity))
        .route("/episodes", post(pages::quick::episode))
        .route(
            "/login",
            get(pages::account::login_page).post(pages::account::login),
        )
        .route(
            "/signup",
            get(pages::account::signup_page).post(pages::account::signup),
        )
        .route("/logout", post(pages::account::logout))
        .route(
            "/assess",
            get(pages::assess::page).post(pages::assess::save),
        )
        .route("/assess/read", get(pages::assess::read))
        .route("/plan", get(pages::plan::page))
        .route("/report", get(pages::report::page))
        .route("/report.pdf", get(pages::report::pdf))
        .route("/tonight", get(pages::tonight::page))
        .route(
            "/checkin",
            get(pages::checkin::page).post(pages::checkin::save),
        )
        .route("/checkin/delete", post(pages::checkin::delete))
        .route("/journal", get(pages::journal::page))
        .route("/insights", get(pages::insights::page))
        .route(
            "/insights/severity.svg",
            get(pages::insights::severity_chart),
        )
        .route(
            "/insights/triggers.svg",
            get(pages::insights::trigger_chart),
        )
        .route("/labs", get(pages::labs::page).post(pages::labs::add))
        .route("/labs/delete", post(pages::labs::delete))
        .route("/labs/goals", post(pages::labs::save_goals))
        .route("/labs/chart.svg", get(pages::labs::chart))
        .route(
            "/settings",
            get(pages::settings::page).post(pages::settings::save),
        )
        .route("/settings/import", post(pages::settings::import))
        .route("/settings/share", post(pages::share::create))
        .route("/settings/share/revoke", post(pages::share::revoke))
        .route("/share/{token}", get(pages::share::open))
        .route("/share/{token}/report.pdf", get(pages::share::open_pdf))
        // `{file}` is `SECRET.ics`; the request log records this pattern, never the secret.
        .route("/calendar/feeds/{file}", get(feeds::serve))
        .route("/settings/reminder", post(pages::connect::save_reminder))
        .route("/settings/tokens", post(pages::connect::add_token))
        .route(
            "/settings/tokens/revoke",
            post(pages::connect::revoke_token),
        )
        .route("/settings/feeds", post(pages::connect::add_feed))
        .route("/settings/feeds/revoke", post(pages::connect::revoke_feed))
        .route("/library", get(library::page))
        .route("/library/{id}", get(library::entry_page))
        .nest("/api/v1", api)
        .fallback(pages::not_found)
        .layer(middleware::from_fn_with_state(
            state.clone(),
            pages::error_pages,
        ))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            auth::session_layer,
        ))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            security::guard,
        ))
        .layer(middleware::from_fn(log_request))
        .with_state(state)
}

/// Serves the app on `listener` until `shutdown` resolves, then finishes open requests.
pub async fn serve(
    listener: TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let limits = state.config().connections.clone();
    connections::serve(listener, router(state), limits, shutdown).await
}

/// One log line per request: the route pattern (never the actual path or query, which can hold
/// dates of nights or the sign-in token), the status and the time taken.
async fn log_request(
    request: axum::extract::Request,
    next: middleware::Next,
) -> axum::response::Response {
    let method = request.method().clone();
    let route = request
        .extensions()
        .get::<axum::extract::MatchedPath>()
        .map_or_else(|| "(unmatched)".to_string(), |p| p.as_str().to_string());
    let started = std::time::Instant::now();
    let response = next.run(request).await;
    tracing::info!(
        %method,
        route,
        status = response.status().as_u16(),
        ms = started.elapsed().as_secs_f64() * 1000.0,
        "request"
    );
    response
}

async fn healthz(
    axum::extract::State(app): axum::extract::State<AppState>,
) -> axum::response::Response {
    use axum::response::IntoResponse;
    match app.store().ping().await {
        Ok(()) => "ok".into_response(),
        Err(err) => {
            tracing::error!(%err, "health check: the database does not answer");
            (
                axum::http::StatusCode::SERVICE_UNAVAILABLE,
                "the database does not answer",
            )
                .into_response()
        }
    }
}
