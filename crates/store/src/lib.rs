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
    Bundle, DayActivity, Experiment, LabGoal, LabRecord, NightEntry, ProfileVersion, SleepRecord,
};
use quietlegs_core::profile::{ClockTime, Profile};

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

/// A personal API token as listed to its owner.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiToken {
    pub id: i64,
    pub name: String,
    pub scopes: Vec<String>,
    /// RFC 3339.
    pub created_at: String,
    /// RFC 3339; `None` until first used.
    pub last_used_at: Option<String>,
}

/// What a presented API token opens: whose data, and which scopes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenGrant {
    pub token_id: i64,
    pub person: PersonId,
    pub scopes: Vec<String>,
}

/// A secret calendar feed as listed to its owner.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CalendarFeed {
    pub id: i64,
    /// RFC 3339.
    pub created_at: String,
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

    // Issue 20: reminders, lab goals, API tokens and calendar feeds (migration 0011). None of
    // these raise the data version: they change no derived result.

    /// The time of the person's nightly check-in reminder, in their own time zone; `None` when
    /// they chose none.
    async fn checkin_reminder(&self, person: PersonId) -> Result<Option<ClockTime>, StoreError>;
    async fn set_checkin_reminder(
        &self,
        person: PersonId,
        at: Option<ClockTime>,
    ) -> Result<(), StoreError>;

    /// The person's re-test goals, by test id.
    async fn lab_goals(&self, person: PersonId) -> Result<Vec<LabGoal>, StoreError>;
    /// Sets (or moves) the goal for one test.
    async fn put_lab_goal(&self, person: PersonId, goal: &LabGoal) -> Result<(), StoreError>;
    /// `false` if the person had no goal for `test`.
    async fn delete_lab_goal(&self, person: PersonId, test: &str) -> Result<bool, StoreError>;
    /// Replaces all of the person's goals with `goals`, in one transaction.
    async fn replace_lab_goals(
        &self,
        person: PersonId,
        goals: &[LabGoal],
    ) -> Result<(), StoreError>;

    /// Stores a personal API token under the hash of its secret; returns its id.
    async fn create_api_token(
        &self,
        person: PersonId,
        name: &str,
        token_hash: &str,
        scopes: &[String],
    ) -> Result<i64, StoreError>;
    /// The person's tokens, newest first (never their secrets: only hashes are stored).
    async fn api_tokens(&self, person: PersonId) -> Result<Vec<ApiToken>, StoreError>;
    /// Deletes one of the person's tokens; `false` if they have no such token.
    async fn revoke_api_token(&self, person: PersonId, id: i64) -> Result<bool, StoreError>;
    /// What the token with this hash grants, noting it as used at `now` (RFC 3339); `None`
    /// for an unknown or revoked token.
    async fn use_api_token(
        &self,
        token_hash: &str,
        now: &str,
    ) -> Result<Option<TokenGrant>, StoreError>;

    /// Stores a calendar feed under the hash of its secret; returns its id.
    async fn create_calendar_feed(
        &self,
        person: PersonId,
        token_hash: &str,
    ) -> Result<i64, StoreError>;
    /// The person's feeds, newest first.
    async fn calendar_feeds(&self, person: PersonId) -> Result<Vec<CalendarFeed>, StoreError>;
    /// Deletes one of the person's feeds; `false` if they have no such feed.
    async fn revoke_calendar_feed(&self, person: PersonId, id: i64) -> Result<bool, StoreError>;
    /// Whose calendar a feed secret opens; `None` for an unknown or revoked one.
    async fn calendar_feed_owner(&self, token_hash: &str) -> Result<Option<PersonId>, StoreError>;

    // Issue 20: "my legs are acting up now" (migration 0010). Each raises the data version.

    /// Records one episode; returns its id.
    async fn add_episode(&self, person: PersonId, episode: &Episode) -> Result<i64, StoreError>;
    /// The person's episodes of one night, earliest first.
    async fn episodes(&self, person: PersonId, night: Date) -> Result<Vec<Episode>, StoreError>;

    // Issue 20: Web Push (migration 0012). Subscriptions change no derived result, so none of
    // these raise the data version.

    /// Saves (or refreshes the keys of) one of the person's browser subscriptions.
    async fn put_push_subscription(
        &self,
        person: PersonId,
        subscription: &NewPushSubscription,
    ) -> Result<(), StoreError>;
    /// Removes the person's subscription for `endpoint`; `false` if they have none.
    async fn delete_push_subscription(
        &self,
        person: PersonId,
        endpoint: &str,
    ) -> Result<bool, StoreError>;
    /// The person's subscriptions, oldest first.
    async fn push_subscriptions(
        &self,
        person: PersonId,
    ) -> Result<Vec<PushSubscription>, StoreError>;
    /// Everyone with at least one subscription (whom the reminder scheduler looks at).
    async fn push_people(&self) -> Result<Vec<PersonId>, StoreError>;
    /// Forgets every subscription for an endpoint the push service said is gone (404/410).
    async fn forget_push_endpoint(&self, endpoint: &str) -> Result<u64, StoreError>;
    /// Claims the sending of one reminder to one subscription: `true` for the first caller,
    /// `false` when it was already claimed (sent, or being sent by another server).
    async fn claim_push_delivery(
        &self,
        subscription: i64,
        kind: &str,
        due_at: i64,
    ) -> Result<bool, StoreError>;
    /// Gives a claim back after a failure worth retrying.
    async fn release_push_delivery(
        &self,
        subscription: i64,
        kind: &str,
        due_at: i64,
    ) -> Result<(), StoreError>;
    /// Forgets deliveries of reminders due before `before` (Unix seconds); returns how many.
    async fn delete_old_push_deliveries(&self, before: i64) -> Result<u64, StoreError>;
}

/// A moment the person said their legs were acting up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Episode {
    /// The evening the moment belongs to (after midnight, still the evening before).
    pub night: Date,
    pub at: jiff::Timestamp,
    /// The wall clock where the person was at that moment.
    pub local_time: quietlegs_core::profile::ClockTime,
}

/// A browser's push subscription as it arrives (the `PushSubscription` JSON's fields).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewPushSubscription {
    pub endpoint: String,
    /// base64url, as the browser gave them.
    pub p256dh: String,
    pub auth: String,
}

/// A stored push subscription.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PushSubscription {
    pub id: i64,
    pub person: PersonId,
    pub endpoint: String,
    pub p256dh: String,
    pub auth: String,
}
