//! The app's shared state and its settings: what every handler reads (the knowledge base,
//! the rules, the store, the caches) and what the person running the server chose.

use std::net::SocketAddr;
use std::sync::Arc;

use quietlegs_core::KnowledgeBase;
use quietlegs_core::safety::Rules;
use quietlegs_store::Store;

use crate::auth::{self, RandomError, new_token};
use crate::cache;
use crate::connections::ConnectionLimits;
use crate::error::ApiError;

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

/// The server's settings that a person running it may change, with their defaults. The binary
/// reads them (from a file, the environment and flags) straight into this struct.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct Settings {
    /// Mark cookies `Secure` (set when the app is served over HTTPS, e.g. behind a proxy).
    pub secure_cookies: bool,
    /// How long a sign-in lasts, in days.
    pub session_days: u32,
    /// Failed sign-ins allowed per account name (and 4x per client address) in 15 minutes.
    pub login_attempts: u32,
    /// Seconds a session is trusted from memory (0: ask the database every request).
    pub session_cache_seconds: u32,
    /// People whose plan and insights are kept in memory.
    pub cached_people: usize,
    /// The address people reach this server at, e.g. `https://rls.example.org` (share links and
    /// the same-site check use it; never the request's Host).
    pub public_url: Option<String>,
    /// Seconds a client has to send a request's head; also how long an idle connection stays.
    pub header_timeout_seconds: u64,
    /// Seconds a whole request may take, body and answer included.
    pub request_timeout_seconds: u64,
    /// Connections held at once, and per client address (the longest-idle one makes room).
    pub max_connections: usize,
    pub max_connections_per_address: usize,
}

impl Default for Settings {
    fn default() -> Self {
        let limits = ConnectionLimits::default();
        Self {
            secure_cookies: false,
            session_days: 30,
            login_attempts: 5,
            // Short enough that a sign-out on another app server takes effect within a few
            // seconds.
            session_cache_seconds: 5,
            // About 20 KB each (a plan and its insights), so 2,000 people stay near 40 MB.
            cached_people: 2_000,
            public_url: None,
            header_timeout_seconds: limits.header_timeout.as_secs(),
            request_timeout_seconds: limits.request_timeout.as_secs(),
            max_connections: limits.max_connections,
            max_connections_per_address: limits.max_per_address,
        }
    }
}

impl WebConfig {
    /// The app in `mode` with `settings` (zeros that would stop it working are raised to 1).
    pub fn new(mode: Mode, allowed_hosts: Vec<String>, settings: &Settings) -> Self {
        let seconds = |s: u64| std::time::Duration::from_secs(s.max(1));
        Self {
            mode,
            secure_cookies: settings.secure_cookies,
            session_days: settings.session_days.max(1),
            allowed_hosts,
            login_attempts: settings.login_attempts,
            session_cache_seconds: settings.session_cache_seconds,
            cached_people: settings.cached_people.max(1),
            public_url: settings.public_url.clone(),
            connections: ConnectionLimits {
                header_timeout: seconds(settings.header_timeout_seconds),
                request_timeout: seconds(settings.request_timeout_seconds),
                max_connections: settings.max_connections.max(1),
                max_per_address: settings.max_connections_per_address.max(1),
            },
        }
    }

    /// Local mode on `addr` with a fresh sign-in token.
    pub fn local(addr: SocketAddr) -> Result<Self, RandomError> {
        Self::local_with(addr, &Settings::default())
    }

    pub fn local_with(addr: SocketAddr, settings: &Settings) -> Result<Self, RandomError> {
        let mode = Mode::Local {
            token: new_token()?,
        };
        Ok(Self::new(mode, loopback_hosts(addr.port()), settings))
    }

    /// Server mode with the default settings.
    pub fn server(signup: bool) -> Self {
        Self::new(Mode::Server { signup }, Vec::new(), &Settings::default())
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

pub(crate) struct Inner {
    kb: &'static KnowledgeBase,
    rules: &'static Rules,
    store: Arc<dyn Store>,
    config: WebConfig,
    pub(crate) limiter: auth::LoginLimiter,
    pub(crate) sessions: cache::SessionCache,
    pub(crate) derived: cache::DerivedCache,
    /// Rebuilding a person's derived state reads all their nights; a few at a time keeps a
    /// burst of cold pages from holding every journal in memory at once.
    pub(crate) rebuilds: tokio::sync::Semaphore,
    /// Argon2 costs ~20 MB and tens of milliseconds a hash: a few at a time, on blocking
    /// threads, so a burst of sign-ins neither exhausts memory nor stalls the other requests.
    hashing: tokio::sync::Semaphore,
    /// Reports and exports being built (see [`AppState::heavy_turn`]).
    heavy: tokio::sync::Semaphore,
    /// Web Push, set once at start in server mode (see [`AppState::enable_push`]).
    push: std::sync::OnceLock<crate::push::WebPush>,
}

/// Shared state of the app: read-only knowledge and rules, the store, the settings.
#[derive(Clone)]
pub struct AppState(pub(crate) Arc<Inner>);

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
            push: std::sync::OnceLock::new(),
        }))
    }

    /// Turns Web Push on (server mode): the push routes answer and the scheduler can send.
    /// Set once: `false` (and `push` dropped) when it was already on.
    pub fn enable_push(&self, push: crate::push::WebPush) -> bool {
        self.0.push.set(push).is_ok()
    }

    pub(crate) fn push(&self) -> Option<&crate::push::WebPush> {
        self.0.push.get()
    }

    /// Runs a password hash or check on a blocking thread, a few at a time.
    pub(crate) async fn hashing<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, ApiError> {
        let _permit = self
            .0
            .hashing
            .acquire()
            .await
            .map_err(|_| ApiError::internal())?;
        blocking(work).await
    }

    /// A place among the few reports and exports built at once: each holds a whole journal in
    /// memory and keeps a core busy, so a burst of them waits here instead of swamping the
    /// server. Hold it while loading and rendering.
    pub(crate) async fn heavy_turn(&self) -> Result<tokio::sync::SemaphorePermit<'_>, ApiError> {
        self.0
            .heavy
            .acquire()
            .await
            .map_err(|_| ApiError::internal())
    }

    pub(crate) fn kb(&self) -> &'static KnowledgeBase {
        self.0.kb
    }

    pub(crate) fn rules(&self) -> &'static Rules {
        self.0.rules
    }

    pub(crate) fn store(&self) -> &dyn Store {
        self.0.store.as_ref()
    }

    pub(crate) fn config(&self) -> &WebConfig {
        &self.0.config
    }
}

/// Runs CPU-bound work (a hash, a PDF) on a blocking thread, off the async workers that answer
/// everyone else.
pub(crate) async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> T + Send + 'static,
) -> Result<T, ApiError> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|_| ApiError::internal())
}
