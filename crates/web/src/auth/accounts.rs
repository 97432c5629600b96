//! Accounts: signing in and up, and which names and passwords are accepted.

use std::net::SocketAddr;

use axum::http::StatusCode;

use crate::error::ApiError;
use crate::{AppState, Mode};

use super::*;

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

pub(super) fn bad_credentials() -> ApiError {
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
