//! The storage interface for Quietlegs. One [`Store`] trait; one SQL implementation,
//! [`SqlStore`], written once against sqlx's `Any` driver so that the SQLite and PostgreSQL
//! backends (each in its own crate, with its own migrations) run the very same queries.
//!
//! Imports are all-or-nothing: one transaction, and a conflict or a bad row rolls it back.

mod error;
mod night_row;
mod sql;

pub use error::StoreError;
pub use sql::SqlStore;

use async_trait::async_trait;
use jiff::civil::Date;
use quietlegs_core::journal::{
    Bundle, DayActivity, Experiment, LabRecord, NightEntry, ProfileVersion, SleepRecord,
};
use quietlegs_core::profile::Profile;

/// A person's row id. Every call takes it, so no query can wander into another person's data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct PersonId(pub i64);

/// The account used when nobody signs in (the single-person, local default).
pub const LOCAL_PERSON: &str = "local";

/// How to treat a night that is already stored with different values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OnConflict {
    /// Refuse the whole import and name the conflicting nights.
    Refuse,
    /// Replace what is stored with what is imported.
    Overwrite,
}

/// A signed-in browser session, found by the hash of its cookie token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    pub person: PersonId,
    pub username: String,
    /// Sent back with every state-changing request (header or form field).
    pub csrf_token: String,
    /// Unix seconds.
    pub expires_at: i64,
    /// The person's data version when the session was read (see [`Store::data_version`]).
    pub data_version: i64,
}

/// A read-only link to a person's report, as listed to its owner (the token itself is never
/// stored, only its hash).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShareLink {
    pub id: i64,
    /// RFC 3339.
    pub created_at: String,
    /// Unix seconds.
    pub expires_at: i64,
    pub revoked: bool,
}

/// What an import did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImportReport {
    pub added: usize,
    pub updated: usize,
    pub unchanged: usize,
}

#[async_trait]
pub trait Store: Send + Sync {
    /// The person called `username`, created (without a password) if new.
    async fn ensure_person(&self, username: &str) -> Result<PersonId, StoreError>;
    async fn find_person(&self, username: &str) -> Result<Option<PersonId>, StoreError>;
    /// A new account; `Conflict` if the name is taken.
    async fn create_person(
        &self,
        username: &str,
        password_hash: Option<&str>,
    ) -> Result<PersonId, StoreError>;
    async fn password_hash(&self, person: PersonId) -> Result<Option<String>, StoreError>;

    /// Stores a session under the hash of its token.
    async fn create_session(
        &self,
        token_hash: &str,
        person: PersonId,
        csrf_token: &str,
        expires_at: i64,
    ) -> Result<(), StoreError>;
    /// The session with this token hash, unless it expired before `now` (Unix seconds).
    async fn session(&self, token_hash: &str, now: i64) -> Result<Option<Session>, StoreError>;
    async fn delete_session(&self, token_hash: &str) -> Result<(), StoreError>;
    /// Forgets sessions that expired before `now`; returns how many.
    async fn delete_expired_sessions(&self, now: i64) -> Result<u64, StoreError>;

    /// Stores a share link under the hash of its token; returns its id.
    async fn create_share_link(
        &self,
        person: PersonId,
        token_hash: &str,
        expires_at: i64,
    ) -> Result<i64, StoreError>;
    /// The person's share links, newest first.
    async fn share_links(&self, person: PersonId) -> Result<Vec<ShareLink>, StoreError>;
    /// Revokes one of the person's links; `false` if they have no such link.
    async fn revoke_share_link(&self, person: PersonId, id: i64) -> Result<bool, StoreError>;
    /// Whose report a token opens: only a link that exists, is not revoked and has not expired
    /// before `now` (Unix seconds).
    async fn share_link_owner(
        &self,
        token_hash: &str,
        now: i64,
    ) -> Result<Option<PersonId>, StoreError>;

    /// Saves the profile as a new version unless it equals the latest one; returns the version.
    async fn put_profile(&self, person: PersonId, profile: &Profile) -> Result<i64, StoreError>;
    async fn profile(&self, person: PersonId) -> Result<Option<ProfileVersion>, StoreError>;
    async fn profile_versions(&self, person: PersonId) -> Result<Vec<ProfileVersion>, StoreError>;

    async fn add_lab(&self, person: PersonId, lab: &LabRecord) -> Result<i64, StoreError>;
    /// Lab results with their ids, oldest first.
    async fn labs(&self, person: PersonId) -> Result<Vec<(i64, LabRecord)>, StoreError>;
    async fn delete_lab(&self, person: PersonId, id: i64) -> Result<bool, StoreError>;

    /// Records or replaces one night.
    async fn put_night(&self, person: PersonId, entry: &NightEntry) -> Result<(), StoreError>;
    async fn night(&self, person: PersonId, night: Date) -> Result<Option<NightEntry>, StoreError>;
    /// Nights from `from` to `to` inclusive (either open), in date order.
    async fn nights(
        &self,
        person: PersonId,
        from: Option<Date>,
        to: Option<Date>,
    ) -> Result<Vec<NightEntry>, StoreError>;
    async fn delete_night(&self, person: PersonId, night: Date) -> Result<bool, StoreError>;

    /// A counter raised in the same transaction as every change to the person's data (profile,
    /// labs, nights, experiments, sleep and activity records), so derived results can be cached until it
    /// moves. The session lookup returns it too, saving a query per page.
    async fn data_version(&self, person: PersonId) -> Result<i64, StoreError>;

    async fn put_experiment(&self, person: PersonId, e: &Experiment) -> Result<(), StoreError>;
    async fn experiments(&self, person: PersonId) -> Result<Vec<Experiment>, StoreError>;
    async fn sleep_records(&self, person: PersonId) -> Result<Vec<SleepRecord>, StoreError>;
    /// A wearable's activity, one record per day, in date order.
    async fn activity_records(&self, person: PersonId) -> Result<Vec<DayActivity>, StoreError>;

    /// Everything the person has stored, in a stable order.
    async fn export(&self, person: PersonId) -> Result<Bundle, StoreError>;
    /// Imports a bundle in one transaction: all of it, or nothing.
    async fn import(
        &self,
        person: PersonId,
        bundle: &Bundle,
        on_conflict: OnConflict,
    ) -> Result<ImportReport, StoreError>;

    /// Whether the database answers.
    async fn ping(&self) -> Result<(), StoreError>;
}
