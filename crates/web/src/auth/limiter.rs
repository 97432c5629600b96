//! Limits on sign-in and sign-up attempts, counted before any password is checked.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use axum::extract::ConnectInfo;
use axum::http::StatusCode;

use crate::error::ApiError;

use super::*;

pub(super) fn too_many(what: &str, wait: Duration) -> ApiError {
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
pub(super) fn limiter_keys(name: &str, client: Option<SocketAddr>) -> Vec<String> {
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

pub(super) const WINDOW: Duration = Duration::from_secs(15 * 60);

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
    pub(super) fn attempt(&self, keys: &[String]) -> Result<(), Duration> {
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
    pub(super) fn succeeded(&self, keys: &[String]) {
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
