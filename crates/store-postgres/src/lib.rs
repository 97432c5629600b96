//! The PostgreSQL backend (for servers with many people).

use quietlegs_store::{SqlStore, StoreError};
use sqlx::migrate::Migrator;

static MIGRATOR: Migrator = sqlx::migrate!("./migrations");

/// Connects to `url` (postgres://...) and brings the schema up to date.
pub async fn connect(url: &str) -> Result<SqlStore, StoreError> {
    SqlStore::open(url, &MIGRATOR, &[], 16).await
}

/// The newest schema version this binary knows.
pub fn schema_version() -> i64 {
    MIGRATOR.iter().map(|m| m.version).max().unwrap_or(0)
}
