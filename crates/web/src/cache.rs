//! Two small in-memory caches that keep the busiest requests off the database.
//!
//! - Sessions, for a few seconds: a page or a check-in no longer waits for a session query.
//!   A write made through this server makes the writer's cached sessions stale at once (so
//!   the next page sees the new data version); a sign-out forgets the session at once. Another
//!   server of the same deployment sees a sign-out or a change at most `ttl` later.
//! - Each person's derived state (profile, insights, plan), under the data version the session
//!   carries: rebuilt only when the person's data changed or the day turned.

use std::collections::HashMap;
use std::num::NonZeroUsize;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use jiff::civil::Date;
use lru::LruCache;
use quietlegs_store::{PersonId, Session};

/// A poisoned lock only means another request panicked while holding it; a cache can go on.
fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

fn capacity(n: usize) -> NonZeroUsize {
    NonZeroUsize::new(n).unwrap_or(NonZeroUsize::MIN)
}

struct CachedSession {
    session: Session,
    /// The write clock when the database read that produced it began.
    read_at: u64,
    until: Instant,
}

/// Sessions by the hash of their cookie token.
pub struct SessionCache {
    ttl: Duration,
    /// Counts writes; a cached session is good only if it was read after its person's last one.
    clock: AtomicU64,
    inner: Mutex<SessionsInner>,
}

struct SessionsInner {
    sessions: LruCache<String, CachedSession>,
    /// When each person last wrote through this server (write clock).
    last_write: HashMap<PersonId, u64>,
    /// Reads older than this are not cached (set when `last_write` is cleared to bound it).
    floor: u64,
}

/// Beyond this many people writing within one cache lifetime, the write log starts over.
const WRITERS_REMEMBERED: usize = 100_000;

impl SessionCache {
    /// `ttl` zero turns the cache off.
    pub fn new(ttl: Duration, sessions: usize) -> Self {
        Self {
            ttl,
            clock: AtomicU64::new(0),
            inner: Mutex::new(SessionsInner {
                sessions: LruCache::new(capacity(sessions)),
                last_write: HashMap::new(),
                floor: 0,
            }),
        }
    }

    /// Call before reading a session from the database; hand the value to [`Self::put`].
    pub fn read_started(&self) -> u64 {
        self.clock.load(Ordering::SeqCst)
    }

    /// A fresh, still valid session for this token hash.
    pub fn get(&self, token_hash: &str, now_unix: i64) -> Option<Session> {
        if self.ttl.is_zero() {
            return None;
        }
        let mut inner = lock(&self.inner);
        let inner = &mut *inner;
        let entry = inner.sessions.get(token_hash)?;
        let last_write = inner.last_write.get(&entry.session.person).copied();
        let good = entry.until > Instant::now()
            && entry.session.expires_at > now_unix
            && last_write.is_none_or(|w| entry.read_at >= w);
        if good {
            Some(entry.session.clone())
        } else {
            inner.sessions.pop(token_hash);
            None
        }
    }

    /// Keeps a session read from the database, unless its person wrote while it was being read.
    pub fn put(&self, token_hash: &str, session: Session, read_at: u64) {
        if self.ttl.is_zero() {
            return;
        }
        let mut inner = lock(&self.inner);
        let wrote_since = inner
            .last_write
            .get(&session.person)
            .is_some_and(|w| *w > read_at);
        if wrote_since || read_at < inner.floor {
            return;
        }
        let until = Instant::now() + self.ttl;
        inner.sessions.put(
            token_hash.to_owned(),
            CachedSession {
                session,
                read_at,
                until,
            },
        );
    }

    /// After a write by `person` has committed: their cached sessions no longer say the current
    /// data version.
    pub fn wrote(&self, person: PersonId) {
        let at = self.clock.fetch_add(1, Ordering::SeqCst) + 1;
        let mut inner = lock(&self.inner);
        if inner.last_write.len() >= WRITERS_REMEMBERED {
            inner.last_write.clear();
            inner.sessions.clear();
            inner.floor = at;
        }
        inner.last_write.insert(person, at);
    }

    /// After a sign-out.
    pub fn forget(&self, token_hash: &str) {
        lock(&self.inner).sessions.pop(token_hash);
    }
}

/// What every plan-bearing page needs of a person, derived from their stored data.
pub use quietlegs_app::Derived;

/// A person's derived state with the data version and local date it was built for.
type DerivedEntry = (i64, Date, Arc<Derived>);

/// [`Derived`] per person, keyed by their data version and their local date.
pub struct DerivedCache {
    entries: Mutex<LruCache<PersonId, DerivedEntry>>,
}

impl DerivedCache {
    pub fn new(people: usize) -> Self {
        Self {
            entries: Mutex::new(LruCache::new(capacity(people))),
        }
    }

    /// The entry for this data version, if it was built on the day `today` gives for it (the
    /// person's own date, which depends on the time zone in the cached profile).
    pub fn get(
        &self,
        person: PersonId,
        version: i64,
        today: impl FnOnce(&Derived) -> Date,
    ) -> Option<Arc<Derived>> {
        let mut entries = lock(&self.entries);
        match entries.get(&person) {
            Some((v, d, found)) if *v == version && *d == today(found) => Some(Arc::clone(found)),
            _ => None,
        }
    }

    pub fn put(&self, person: PersonId, version: i64, today: Date, derived: Arc<Derived>) {
        lock(&self.entries).put(person, (version, today, derived));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use quietlegs_stats::Insights;

    fn session(person: i64) -> Session {
        Session {
            person: PersonId(person),
            username: format!("p{person}"),
            csrf_token: "c".into(),
            expires_at: 2_000_000_000,
            data_version: 1,
        }
    }

    #[test]
    fn a_cached_session_is_returned_until_its_person_writes() {
        let cache = SessionCache::new(Duration::from_secs(60), 10);
        let read = cache.read_started();
        cache.put("h1", session(1), read);
        cache.put("h2", session(2), read);
        assert_eq!(cache.get("h1", 0), Some(session(1)));
        cache.wrote(PersonId(1));
        assert_eq!(cache.get("h1", 0), None, "stale after a write");
        assert_eq!(cache.get("h2", 0), Some(session(2)), "others untouched");
    }

    #[test]
    fn a_read_that_raced_a_write_is_not_kept() {
        let cache = SessionCache::new(Duration::from_secs(60), 10);
        let read = cache.read_started();
        cache.wrote(PersonId(1)); // committed while the session was being read
        cache.put("h1", session(1), read);
        assert_eq!(cache.get("h1", 0), None);
        let later = cache.read_started();
        cache.put("h1", session(1), later);
        assert_eq!(cache.get("h1", 0), Some(session(1)));
    }

    #[test]
    fn expired_forgotten_and_disabled_sessions_are_not_returned() {
        let cache = SessionCache::new(Duration::from_secs(60), 10);
        cache.put("h1", session(1), 0);
        assert_eq!(cache.get("h1", 2_000_000_001), None, "past its expiry");
        cache.put("h1", session(1), 0);
        cache.forget("h1");
        assert_eq!(cache.get("h1", 0), None, "signed out");
        let off = SessionCache::new(Duration::ZERO, 10);
        off.put("h1", session(1), 0);
        assert_eq!(off.get("h1", 0), None, "ttl 0 turns it off");
        let brief = SessionCache::new(Duration::from_millis(1), 10);
        brief.put("h1", session(1), 0);
        std::thread::sleep(Duration::from_millis(5));
        assert_eq!(brief.get("h1", 0), None, "past the ttl");
    }

    #[test]
    fn the_session_cache_holds_at_most_its_capacity() {
        let cache = SessionCache::new(Duration::from_secs(60), 2);
        for i in 0..5 {
            cache.put(&format!("h{i}"), session(i), 0);
        }
        assert_eq!(cache.get("h0", 0), None);
        assert!(cache.get("h4", 0).is_some());
        assert_eq!(lock(&cache.inner).sessions.len(), 2);
    }

    #[test]
    fn derived_state_is_keyed_by_version_and_day() {
        let cache = DerivedCache::new(2);
        let day = jiff::civil::date(2026, 11, 23);
        let derived = Arc::new(Derived {
            profile: None,
            insights: Arc::new(Insights {
                nights: 0,
                experiments: Vec::new(),
                triggers: Vec::new(),
                trend: None,
                objective: None,
                note: "",
            }),
            plan: None,
        });
        cache.put(PersonId(1), 3, day, Arc::clone(&derived));
        let on = |d: Date| move |_: &Derived| d;
        assert!(cache.get(PersonId(1), 3, on(day)).is_some());
        assert!(cache.get(PersonId(1), 4, on(day)).is_none(), "data changed");
        let next = day.tomorrow().unwrap();
        assert!(cache.get(PersonId(1), 3, on(next)).is_none(), "new day");
        assert!(cache.get(PersonId(2), 3, on(day)).is_none(), "someone else");
    }
}
