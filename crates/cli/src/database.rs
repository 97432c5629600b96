//! Which database to use: `--database URL`, `QUIETLEGS_DATABASE_URL`, or a SQLite file in the
//! platform data directory, created on first use.

use std::path::PathBuf;

use anyhow::{Context, Result};
use quietlegs_store::{PersonId, SqlStore, Store, StoreError};

use crate::error::UsageError;

/// `$XDG_DATA_HOME/quietlegs/quietlegs.db`, else `~/.local/share/quietlegs/quietlegs.db`.
pub fn default_sqlite_path() -> PathBuf {
    let base = std::env::var_os("XDG_DATA_HOME")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".local/share")))
        .unwrap_or_else(|| PathBuf::from("."));
    base.join("quietlegs").join("quietlegs.db")
}

/// The folder the server keeps its own files in (the Web Push key): the SQLite database's, or
/// the platform data folder when the data is in PostgreSQL.
pub fn data_folder(url: Option<&str>) -> PathBuf {
    let database = match url {
        Some(url) if url.starts_with("sqlite:") => {
            let path = url
                .trim_start_matches("sqlite://")
                .trim_start_matches("sqlite:");
            PathBuf::from(path.split('?').next().unwrap_or(path))
        }
        _ => default_sqlite_path(),
    };
    match database.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// Opens the store a URL names: `sqlite://PATH` or `postgres://...`.
pub async fn open(url: Option<&str>) -> Result<SqlStore> {
    let store = match url {
        None => {
            let path = default_sqlite_path();
            quietlegs_store_sqlite::open(&path).await
        }
        Some(url) if url.starts_with("sqlite:") => {
            let path = url
                .trim_start_matches("sqlite://")
                .trim_start_matches("sqlite:");
            let path = path.split('?').next().unwrap_or(path);
            if path.is_empty() {
                return Err(UsageError("--database: sqlite:// needs a file path".into()).into());
            }
            quietlegs_store_sqlite::open(std::path::Path::new(path)).await
        }
        Some(url) if url.starts_with("postgres://") || url.starts_with("postgresql://") => {
            quietlegs_store_postgres::connect(url).await
        }
        Some(other) => {
            return Err(UsageError(format!(
                "--database: '{other}' is not a database URL (accepted: sqlite://PATH, \
                 postgres://USER@HOST/DB)"
            ))
            .into());
        }
    };
    match store {
        Ok(store) => Ok(store),
        Err(e @ StoreError::TooNew { .. }) => Err(e.into()),
        Err(e) => Err(e).context("opening the database"),
    }
}

/// The account to act for: `--user`, or the local person.
pub async fn person(store: &SqlStore, user: Option<&str>) -> Result<PersonId> {
    match user {
        None => Ok(store.ensure_person(quietlegs_store::LOCAL_PERSON).await?),
        Some(name) => store.find_person(name).await?.ok_or_else(|| {
            UsageError(format!(
                "--user: there is no account '{name}' in this database (create it with \
                 'quietlegs user add {name}')"
            ))
            .into()
        }),
    }
}

/// The store `--database` names and the person `--user` names in it.
pub async fn open_person(global: &crate::Global) -> Result<(SqlStore, PersonId)> {
    let store = open(global.database.as_deref()).await?;
    let person = person(&store, global.user.as_deref()).await?;
    Ok((store, person))
}

/// Runs one async block on a small runtime: the CLI does one thing and exits.
pub fn block_on<F: std::future::Future>(future: F) -> Result<F::Output> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    Ok(rt.block_on(future))
}
