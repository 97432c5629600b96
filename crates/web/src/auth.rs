//! Sign-in: random tokens, Argon2id passwords, database sessions, CSRF checks and a limit on
//! failed sign-ins. Only hashes of session tokens are stored.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use axum::body::Body;
use axum::extract::{ConnectInfo, FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use quietlegs_store::{PersonId, Session};
use sha2::{Digest, Sha256};

use crate::error::ApiError;
use crate::{AppState, Mode};

pub const SESSION_COOKIE: &str = "ql_session";
/// The form field and header that carry the CSRF token.
pub const CSRF_FIELD: &str = "csrf_token";
pub const CSRF_HEADER: &str = "x-csrf-token";
/// Largest form body read while looking for the CSRF token.
const FORM_LIMIT: usize = 2 << 20;

/// The operating system's random source failed; no secret can be made without it.
#[derive(Debug, thiserror::Error)]
#[error("the operating system's random source failed: {0}")]
pub struct RandomError(String);

/// 32 random bytes as hex: session tokens, CSRF tokens, share links, the local sign-in secret.
pub fn new_token() -> Result<String, RandomError> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| RandomError(e.to_string()))?;
    Ok(hex(&bytes))
}

impl From<RandomError> for ApiError {
    fn from(err: RandomError) -> Self {
        tracing::error!(%err, "no random secret could be made");
        ApiError::internal()
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// What the database keeps instead of a token.
pub fn token_hash(token: &str) -> String {
    hex(&Sha256::digest(token.as_bytes()))
}

/// Compares secrets without an early exit, so timing does not tell how much matched.
pub fn same_secret(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

/// An Argon2id hash in PHC format.
pub fn hash_password(password: &str) -> Result<String, String> {
    let mut salt = [0u8; 16];
    getrandom::fill(&mut salt).map_err(|e| e.to_string())?;
    let salt = SaltString::encode_b64(&salt).map_err(|e| e.to_string())?;
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| e.to_string())
}

fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash)
        .map(|parsed| {
            Argon2::default()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok()
        })
        .unwrap_or(false)
}

/// A hash of nothing anyone knows: checked when the account does not exist, so that a wrong
/// name takes as long as a wrong password.
fn decoy_hash() -> &'static str {
    static DECOY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    // Which password it hashes does not matter: it is only checked for names with no account.
    DECOY.get_or_init(|| hash_password("no account has this password").unwrap_or_default())
}

/// The session of this request, if it carries a valid cookie (set by [`session_layer`]).
#[derive(Debug, Clone)]
pub struct CurrentSession(pub Option<Session>);

/// The signed-in person. Every handler that touches health data takes one of these.
#[derive(Debug, Clone)]
pub struct SignedIn {
    pub person: PersonId,
    pub username: String,
    pub csrf: String,
    /// The person's data version as the session was read (derived state cached under it is
    /// current); `None` right after signing in.
    pub data_version: Option<i64>,
}

impl SignedIn {
    fn from_parts(parts: &Parts) -> Option<Self> {
        parts
            .extensions
            .get::<CurrentSession>()
            .and_then(|s| s.0.as_ref())
            .map(|s| SignedIn {
                person: s.person,
                username: s.username.clone(),
                csrf: s.csrf_token.clone(),
                data_version: Some(s.data_version),
            })
    }
}

/// The signed-in person for the JSON API: 401 otherwise.
pub struct ApiUser(pub SignedIn);

impl FromRequestParts<AppState> for ApiUser {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &AppState) -> Result<Self, ApiError> {
        SignedIn::from_parts(parts)
            .map(ApiUser)
            .ok_or_else(ApiError::unauthorized)
    }
}

/// The signed-in person for pages: otherwise a redirect to the sign-in page.
pub struct PageUser(pub SignedIn);

impl FromRequestParts<AppState> for PageUser {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, _: &AppState) -> Result<Self, Response> {
        SignedIn::from_parts(parts)
            .map(PageUser)
            .ok_or_else(|| Redirect::to("/login").into_response())
    }
}

fn cookie_value<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

/// Now, in the Unix seconds that session and share-link expiries are stored in.
pub fn unix_now() -> i64 {
    jiff::Timestamp::now().as_second()
}

/// Loads the session named by the cookie, and refuses a state-changing request made with it
/// unless it carries the session's CSRF token (header, form field, or for file uploads the
/// query string).
pub async fn session_layer(State(app): State<AppState>, request: Request, next: Next) -> Response {
    // Static files and the health check never need to know who is asking.
    let path = request.uri().path();
    if path.starts_with("/static/") || path == "/healthz" {
        return next.run(request).await;
    }
    let session = match cookie_value(request.headers(), SESSION_COOKIE) {
        Some(token) => match find_session(&app, &token_hash(token)).await {
            Ok(found) => found,
            Err(err) => return ApiError::from(err).into_response(),
        },
        None => None,
    };
    let changes_state = !matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS
    );
    let mut request = request;
    if changes_state && let Some(session) = &session {
        let (checked, rebuilt) = csrf_ok(request, &session.csrf_token).await;
        request = match (checked, rebuilt) {
            (true, Some(r)) => r,
            (_, None) => {
                return ApiError::bad_request("the request body could not be read").into_response();
            }
            (false, Some(r)) => return csrf_refused(r.uri().path()),
        };
    }
    let writer = session.as_ref().map(|s| s.person).filter(|_| changes_state);
    request.extensions_mut().insert(CurrentSession(session));
    let response = next.run(request).await;
    if let Some(person) = writer {
        // Whatever the request changed has committed by now.
        app.0.sessions.wrote(person);
    }
    response
}

/// The session for a token hash, from the short-lived cache or the database.
async fn find_session(
    app: &AppState,
    hash: &str,
) -> Result<Option<Session>, quietlegs_store::StoreError> {
    let now = unix_now();
    if let Some(hit) = app.0.sessions.get(hash, now) {
        return Ok(Some(hit));
    }
    let read_at = app.0.sessions.read_started();
    let found = app.store().session(hash, now).await?;
    if let Some(session) = &found {
        app.0.sessions.put(hash, session.clone(), read_at);
    }
    Ok(found)
}

fn csrf_refused(path: &str) -> Response {
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
async fn csrf_ok(request: Request, expected: &str) -> (bool, Option<Request>) {
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

/// A `Set-Cookie` value for a new session, or one that clears it.
fn session_cookie(app: &AppState, token: Option<&str>) -> HeaderValue {
    let secure = if app.config().secure_cookies {
        "; Secure"
    } else {
        ""
    };
    let text = match token {
        Some(token) => format!(
            "{SESSION_COOKIE}={token}; Path=/; HttpOnly; SameSite=Lax; Max-Age={}{secure}",
            u64::from(app.config().session_days) * 86_400
        ),
        None => format!("{SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0{secure}"),
    };
    HeaderValue::from_str(&text).unwrap_or_else(|_| HeaderValue::from_static(""))
}

/// A new session for `person`: the cookie to set and the CSRF token to hand the client.
pub struct NewSession {
    pub cookie: HeaderValue,
    pub csrf: String,
}

pub async fn start_session(app: &AppState, person: PersonId) -> Result<NewSession, ApiError> {
    let token = new_token()?;
    let csrf = new_token()?;
    let expires = unix_now() + i64::from(app.config().session_days) * 86_400;
    app.store()
        .create_session(&token_hash(&token), person, &csrf, expires)
        .await?;
    // Expired sessions are swept now and then, on sign-in rather than on a timer.
    if let Err(err) = app.store().delete_expired_sessions(unix_now()).await {
        tracing::warn!(%err, "could not sweep expired sessions");
    }
    Ok(NewSession {
        cookie: session_cookie(app, Some(&token)),
        csrf,
    })
}

/// Ends the session the request carries; returns the cookie that clears it.
pub async fn end_session(app: &AppState, headers: &HeaderMap) -> Result<HeaderValue, ApiError> {
    if let Some(token) = cookie_value(headers, SESSION_COOKIE) {
        let hash = token_hash(token);
        app.store().delete_session(&hash).await?;
        app.0.sessions.forget(&hash);
    }
    Ok(session_cookie(app, None))
}

/// Checks a name and password and opens a session. Failed attempts count against the name and
/// the client address.
pub async fn sign_in(
    app: &AppState,
    username: &str,
    password: &str,
    client: Option<SocketAddr>,
) -> Result<(SignedIn, NewSession), ApiError> {
    let Mode::Server { .. } = app.config().mode else {
        return Err(ApiError::forbidden(
            "local-mode",
            "this Quietlegs runs for one person on this machine: open the sign-in link it \
             printed when it started",
        ));
    };
    let name = username.trim().to_lowercase();
    let keys = limiter_keys(&name, client);
    app.0
        .limiter
        .attempt(&keys)
        .map_err(|w| too_many("sign-in attempts", w))?;
    if check_username(&name).is_err() {
        return Err(bad_credentials());
    }
    let person = app.store().find_person(&name).await?;
    let hash = match person {
        Some(p) => app.store().password_hash(p).await?,
        None => None,
    };
    let candidate = password.to_string();
    let stored = hash.clone().unwrap_or_else(|| decoy_hash().to_string());
    let matches = app
        .hashing(move || verify_password(&candidate, &stored))
        .await
        .unwrap_or(false);
    match (person, hash.is_some() && matches) {
        (Some(person), true) => {
            app.0.limiter.succeeded(&keys);
            let session = start_session(app, person).await?;
            Ok((
                SignedIn {
                    person,
                    username: name,
                    csrf: session.csrf.clone(),
                    data_version: None,
                },
                session,
            ))
        }
        _ => {
            tracing::info!("a sign-in failed");
            Err(bad_credentials())
        }
    }
}

fn bad_credentials() -> ApiError {
    ApiError::new(
        StatusCode::UNAUTHORIZED,
        "bad-credentials",
        "that name and password do not match an account",
    )
}

/// Creates an account and signs it in.
pub async fn sign_up(
    app: &AppState,
    username: &str,
    password: &str,
    client: Option<SocketAddr>,
) -> Result<(SignedIn, NewSession), ApiError> {
    match app.config().mode {
        Mode::Server { signup: true } => {}
        Mode::Server { signup: false } => {
            return Err(ApiError::forbidden(
                "signup-closed",
                "this server does not take new accounts; ask its operator",
            ));
        }
        Mode::Local { .. } => {
            return Err(ApiError::forbidden(
                "local-mode",
                "this Quietlegs runs for one person on this machine and has no accounts",
            ));
        }
    }
    let name = check_username(username)?;
    check_password(password)?;
    // Accounts cost a hash and a row each: one address gets a few an hour-quarter, not hundreds.
    let key = [format!(
        "signup:{}",
        client.map_or_else(|| "unknown-client".to_string(), |a| a.ip().to_string())
    )];
    app.0
        .limiter
        .attempt(&key)
        .map_err(|w| too_many("new accounts from this address", w))?;
    let candidate = password.to_string();
    let hash = app
        .hashing(move || hash_password(&candidate))
        .await?
        .map_err(|err| {
            tracing::error!(%err, "password hashing failed");
            ApiError::internal()
        })?;
    let person = app
        .store()
        .create_person(&name, Some(&hash))
        .await
        .map_err(|e| match e {
            quietlegs_store::StoreError::Conflict(_) => {
                ApiError::new(StatusCode::CONFLICT, "taken", "that name is already taken")
                    .with_field("username")
            }
            other => other.into(),
        })?;
    let session = start_session(app, person).await?;
    Ok((
        SignedIn {
            person,
            username: name,
            csrf: session.csrf.clone(),
            data_version: None,
        },
        session,
    ))
}

impl ApiError {
    pub fn with_field(mut self, field: &str) -> Self {
        self.field = Some(field.to_string());
        self
    }
}

/// Account names: 3-40 characters of a-z, 0-9, `.`, `_`, `-` (compared in lower case).
pub fn check_username(username: &str) -> Result<String, ApiError> {
    let name = username.trim().to_lowercase();
    let ok_chars = name
        .chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '_' | '-'));
    if !(3..=40).contains(&name.chars().count()) || !ok_chars {
        return Err(ApiError::field(
            "username",
            "use 3 to 40 letters, digits, dots, dashes or underscores",
        ));
    }
    if name == quietlegs_store::LOCAL_PERSON {
        return Err(ApiError::field(
            "username",
            "'local' is reserved for the single-person mode; pick another name",
        ));
    }
    Ok(name)
}

pub fn check_password(password: &str) -> Result<(), ApiError> {
    let n = password.chars().count();
    if n < 10 {
        return Err(ApiError::field(
            "password",
            "use at least 10 characters (a few unrelated words are easy to remember)",
        ));
    }
    if n > 1024 {
        return Err(ApiError::field("password", "use at most 1024 characters"));
    }
    Ok(())
}

fn too_many(what: &str, wait: Duration) -> ApiError {
    ApiError::new(
        StatusCode::TOO_MANY_REQUESTS,
        "rate-limited",
        format!(
            "too many {what}; try again in {} minutes",
            wait.as_secs().div_ceil(60).max(1)
        ),
    )
}

/// What a sign-in attempt counts against: the name from this address (so a stranger elsewhere
/// cannot lock the owner out), the address (so one client cannot try many names), and the name
/// from anywhere at a far higher limit (so many addresses cannot guess one password quickly).
/// A name no account could have is not kept at all: only the address counts.
fn limiter_keys(name: &str, client: Option<SocketAddr>) -> Vec<String> {
    let valid = check_username(name).is_ok();
    let mut keys = Vec::new();
    match (client, valid) {
        (Some(addr), true) => {
            keys.push(format!("name+addr:{name}|{}", addr.ip()));
            keys.push(format!("addr:{}", addr.ip()));
            keys.push(format!("name:{name}"));
        }
        (Some(addr), false) => keys.push(format!("addr:{}", addr.ip())),
        // No address to tell clients apart (an in-process caller): the name alone, strictly.
        (None, true) => keys.push(format!("name+addr:{name}|unknown")),
        (None, false) => keys.push("unknown-client".to_string()),
    }
    keys
}

/// The client address, when the server was started with connection info.
pub fn client_addr(parts: &axum::http::Extensions) -> Option<SocketAddr> {
    parts.get::<ConnectInfo<SocketAddr>>().map(|c| c.0)
}

const WINDOW: Duration = Duration::from_secs(15 * 60);

/// Counts sign-in attempts over a 15-minute window, each one *before* its password is checked,
/// so simultaneous guesses cannot slip past the limit while the hash is being verified. In
/// memory: a restart forgets, which only ever lets a person in sooner.
pub struct LoginLimiter {
    per_name: u32,
    attempts: Mutex<HashMap<String, (u32, Instant)>>,
}

impl LoginLimiter {
    pub fn new(per_name: u32) -> Self {
        Self {
            per_name: per_name.max(1),
            attempts: Mutex::new(HashMap::new()),
        }
    }

    fn limit(&self, key: &str) -> u32 {
        if key.starts_with("addr:") || key.starts_with("signup:") {
            self.per_name.saturating_mul(4)
        } else if key.starts_with("name:") {
            self.per_name.saturating_mul(20)
        } else {
            self.per_name
        }
    }

    /// Counts one attempt against every key, or refuses it (with how long to wait) when any key
    /// has used its limit. Checked and counted under one lock.
    fn attempt(&self, keys: &[String]) -> Result<(), Duration> {
        let mut map = self.attempts.lock().unwrap_or_else(|p| p.into_inner());
        if map.len() > 100_000 {
            map.retain(|_, (_, since)| since.elapsed() < WINDOW);
        }
        let wait = keys
            .iter()
            .filter_map(|k| {
                let (count, since) = map.get(k)?;
                let elapsed = since.elapsed();
                (*count >= self.limit(k) && elapsed < WINDOW).then(|| WINDOW - elapsed)
            })
            .max();
        if let Some(wait) = wait {
            return Err(wait);
        }
        for key in keys {
            let entry = map.entry(key.clone()).or_insert((0, Instant::now()));
            if entry.1.elapsed() >= WINDOW {
                *entry = (0, Instant::now());
            }
            entry.0 += 1;
        }
        Ok(())
    }

    /// A right password: the name's count from this address starts again, and the attempt
    /// no longer counts against the address or the name.
    fn succeeded(&self, keys: &[String]) {
        let mut map = self.attempts.lock().unwrap_or_else(|p| p.into_inner());
        for key in keys {
            if key.starts_with("name+addr:") {
                map.remove(key);
            } else if let Some((count, _)) = map.get_mut(key) {
                *count = count.saturating_sub(1);
            }
        }
    }
}

/// Whoever is looking, signed in or not (for pages anyone may read, like the library).
pub struct Viewer(pub Option<SignedIn>);

impl FromRequestParts<AppState> for Viewer {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        _: &AppState,
    ) -> Result<Self, std::convert::Infallible> {
        Ok(Viewer(SignedIn::from_parts(parts)))
    }
}

#[cfg(test)]
mod limiter_tests {
    use super::*;

    fn at(ip: &str) -> Option<SocketAddr> {
        Some(SocketAddr::new(ip.parse().expect("ip"), 40_000))
    }

    #[test]
    fn a_stranger_cannot_lock_the_owner_out() {
        let limiter = LoginLimiter::new(5);
        let stranger = limiter_keys("owner", at("203.0.113.9"));
        for _ in 0..5 {
            assert!(limiter.attempt(&stranger).is_ok());
        }
        assert!(limiter.attempt(&stranger).is_err(), "the sixth guess waits");
        let owner = limiter_keys("owner", at("198.51.100.7"));
        assert!(
            limiter.attempt(&owner).is_ok(),
            "the owner elsewhere is not locked out"
        );
    }

    #[test]
    fn many_addresses_guessing_one_name_are_stopped_too() {
        let limiter = LoginLimiter::new(5);
        let mut allowed = 0;
        for i in 0..200u32 {
            let keys = limiter_keys("owner", at(&format!("10.0.{}.{}", i / 250, i % 250)));
            if limiter.attempt(&keys).is_ok() {
                allowed += 1;
            }
        }
        assert_eq!(allowed, 100, "20x the per-name limit from anywhere");
    }

    #[test]
    fn a_name_no_account_could_have_is_not_kept() {
        let huge = "x".repeat(2 * 1024 * 1024);
        let keys = limiter_keys(&huge, at("203.0.113.9"));
        assert_eq!(keys, ["addr:203.0.113.9"]);
        assert!(keys.iter().all(|k| k.len() < 100));
    }

    #[test]
    fn a_success_starts_the_name_again_but_not_the_address() {
        let limiter = LoginLimiter::new(2);
        let keys = limiter_keys("owner", at("203.0.113.9"));
        assert!(limiter.attempt(&keys).is_ok(), "a wrong password");
        assert!(limiter.attempt(&keys).is_ok(), "the right one");
        limiter.succeeded(&keys);
        assert!(limiter.attempt(&keys).is_ok(), "the count started again");
        assert!(limiter.attempt(&keys).is_ok());
        assert!(
            limiter.attempt(&keys).is_err(),
            "and still stops at the limit"
        );
    }
}
