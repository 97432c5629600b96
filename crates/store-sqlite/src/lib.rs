//! The embedded SQLite backend (the default for one person): one file, WAL journal, foreign
//! keys on, synchronous writes so an acknowledged night survives a crash.

use std::path::Path;

use quietlegs_store::{SqlStore, StoreError};
use sqlx::migrate::Migrator;

static MIGRATOR: Migrator = sqlx::migrate!("./migrations");

/// Run on every new connection: foreign keys are per connection in SQLite.
const INIT: &[&str] = &[
    "PRAGMA foreign_keys = ON",
    "PRAGMA journal_mode = WAL",
    "PRAGMA synchronous = FULL",
    "PRAGMA busy_timeout = 5000",
];

/// Opens (creating if needed) the SQLite database at `path`.
pub async fn open(path: &Path) -> Result<SqlStore, StoreError> {
    if let Some(dir) = path.parent()
        && !dir.as_os_str().is_empty()
    {
        std::fs::create_dir_all(dir).map_err(|e| {
            StoreError::Invalid(format!("cannot create the folder {}: {e}", dir.display()))
        })?;
    }
    let url = format!("sqlite://{}?mode=rwc", path.display());
    SqlStore::open(&url, &MIGRATOR, INIT, 4).await
}

/// The newest schema version this binary knows.
pub fn schema_version() -> i64 {
    MIGRATOR.iter().map(|m| m.version).max().unwrap_or(0)
}
