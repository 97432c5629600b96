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
mod error;
mod forms;
mod library;
mod openapi;
mod pages;
mod security;
mod service;

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;
use axum::middleware;
use axum::routing::{get, post};
use quietlegs_core::KnowledgeBase;
use quietlegs_core::safety::Rules;
use quietlegs_store::Store;
use tokio::net::TcpListener;

pub use auth::{RandomError, check_password, check_username, hash_password, new_token, token_hash};
pub use connections::ConnectionLimits;

/// How people reach their data.
#[derive(Debug, Clone)]
pub enum Mode {
    /// One person on this machine; `token` is the secret in the sign-in link.
    Local { token: String },
    /// Many people with accounts.
    Server {
        /// Whether new people may create accounts from the sign-up page.
        signup: bool,
    },
}

/// Settings the app runs with; the binary reads them from flags, a file and the environment.
#[derive(Debug, Clone)]
pub struct WebConfig {
    pub mode: Mode,
    /// Mark cookies `Secure` (set when the app is served over HTTPS, e.g. behind a proxy).
    pub secure_cookies: bool,
    /// How long a sign-in lasts.
    pub session_days: u32,
    /// Local mode: the `Host` values that name this server (anything else is refused, which
    /// stops DNS-rebinding pages from reading the journal).
    pub allowed_hosts: Vec<String>,
    /// Failed sign-ins allowed per account name (and 4x per client address) in 15 minutes.
    pub login_attempts: u32,
    /// How long a session read from the database is trusted without asking again (0: always
    /// ask). With several app servers, a sign-out or a change made on one reaches the others'
    /// pages at most this late; on the server that made it, at once.
    pub session_cache_seconds: u32,
    /// People whose plan and insights are kept in memory (least recently used go first).
    pub cached_people: usize,
    /// The address people reach this server at (`https://rls.example.org`), for share links
    /// and the same-site check. Never taken from a request's `Host`, which a client can spoof.
    pub public_url: Option<String>,
    /// Timeouts and connection caps.
    pub connections: ConnectionLimits,
}

/// Short enough that a sign-out on another app server takes effect within a few seconds.
pub const DEFAULT_SESSION_CACHE_SECONDS: u32 = 5;
/// About 20 KB each (a plan and its insights), so 2,000 people stay near 40 MB.
pub const DEFAULT_CACHED_PEOPLE: usize = 2_000;

impl WebConfig {
    /// Local mode on `addr` with a fresh sign-in token.
    pub fn local(addr: SocketAddr) -> Result<Self, auth::RandomError> {
        Ok(Self {
            mode: Mode::Local {
                token: new_token()?,
            },
            secure_cookies: false,
            session_days: 30,
            allowed_hosts: loopback_hosts(addr.port()),
            login_attempts: 5,
            session_cache_seconds: DEFAULT_SESSION_CACHE_SECONDS,
            cached_people: DEFAULT_CACHED_PEOPLE,
            public_url: None,
            connections: ConnectionLimits::default(),
        })
    }

    /// Server mode.
    pub fn server(signup: bool) -> Self {
        Self {
            mode: Mode::Server { signup },
            secure_cookies: false,
            session_days: 30,
            allowed_hosts: Vec::new(),
            login_attempts: 5,
            session_cache_seconds: DEFAULT_SESSION_CACHE_SECONDS,
            cached_people: DEFAULT_CACHED_PEOPLE,
            public_url: None,
            connections: ConnectionLimits::default(),
        }
    }

    /// The link that signs the local person in (local mode only).
    pub fn sign_in_url(&self, bound: SocketAddr) -> Option<String> {
        match &self.mode {
            Mode::Local { token } => Some(format!(
                "http://{}:{}/login?token={token}",
                if bound.is_ipv6() {
                    "[::1]"
                } else {
                    "127.0.0.1"
                },
                bound.port()
            )),
            Mode::Server { .. } => None,
        }
    }
}

/// The names a browser may use for a loopback server on `port`.
pub fn loopback_hosts(port: u16) -> Vec<String> {
    ["127.0.0.1", "localhost", "[::1]"]
        .iter()
        .map(|h| format!("{h}:{port}"))
        .collect()
}

struct Inner {
    kb: &'static KnowledgeBase,
    rules: &'static Rules,
    store: Arc<dyn Store>,
    config: WebConfig,
    limiter: auth::LoginLimiter,
    sessions: cache::SessionCache,
    derived: cache::DerivedCache,
    /// Rebuilding a person's derived state reads all their nights; a few at a time keeps a
    /// burst of cold pages from holding every journal in memory at once.
    rebuilds: tokio::sync::Semaphore,
    /// Argon2 costs ~20 MB and tens of milliseconds a hash: a few at a time, on blocking
    /// threads, so a burst of sign-ins neither exhausts memory nor stalls the other requests.
    hashing: tokio::sync::Semaphore,
    /// Reports and exports being built (see [`AppState::heavy_turn`]).
    heavy: tokio::sync::Semaphore,
}

/// Shared state of the app: read-only knowledge and rules, the store, the settings.
#[derive(Clone)]
pub struct AppState(Arc<Inner>);

impl AppState {
    pub fn new(
        kb: &'static KnowledgeBase,
        rules: &'static Rules,
        store: Arc<dyn Store>,
        config: WebConfig,
    ) -> Self {
        let limiter = auth::LoginLimiter::new(config.login_attempts);
        let sessions = cache::SessionCache::new(
            std::time::Duration::from_secs(u64::from(config.session_cache_seconds)),
            config.cached_people.saturating_mul(4),
        );
        let derived = cache::DerivedCache::new(config.cached_people);
        let cores = std::thread::available_parallelism().map_or(2, std::num::NonZeroUsize::get);
        let rebuilds = tokio::sync::Semaphore::new(cores);
        let hashing = tokio::sync::Semaphore::new(cores);
        let heavy = tokio::sync::Semaphore::new(cores);
        Self(Arc::new(Inner {
            kb,
            rules,
            store,
            config,
            limiter,
            sessions,
            derived,
            rebuilds,
            hashing,
            heavy,
        }))
    }

    /// Runs a password hash or check on a blocking thread, a few at a time.
    async fn hashing<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, error::ApiError> {
        let _permit = self
            .0
            .hashing
            .acquire()
            .await
            .map_err(|_| error::ApiError::internal())?;
        blocking(work).await
    }

    /// A place among the few reports and exports built at once: each holds a whole journal in
    /// memory and keeps a core busy, so a burst of them waits here instead of swamping the
    /// server. Hold it while loading and rendering.
    async fn heavy_turn(&self) -> Result<tokio::sync::SemaphorePermit<'_>, error::ApiError> {
        self.0
            .heavy
            .acquire()
            .await
            .map_err(|_| error::ApiError::internal())
    }

    fn kb(&self) -> &'static KnowledgeBase {
        self.0.kb
    }

    fn rules(&self) -> &'static Rules {
        self.0.rules
    }

    fn store(&self) -> &dyn Store {
        self.0.store.as_ref()
    }

    fn config(&self) -> &WebConfig {
        &self.0.config
    }
}

/// Runs CPU-bound work (a hash, a PDF) on a blocking thread, off the async workers that answer
/// everyone else.
async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> T + Send + 'static,
) -> Result<T, error::ApiError> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|_| error::ApiError::internal())
}

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
        .route("/export", get(api::export))
        .route("/import", post(api::import))
        .route("/calendar", get(api::calendar))
        .route("/kb", get(library::api_list))
        .route("/kb/{id}", get(library::api_show))
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
        .route("/library", get(library::page))
        .route("/library/{id}", get(library::entry_page))
        .nest("/api/v1", api)
        .fallback(pages::not_found)
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
