//! Fresh stores for the storage stories, which run the same story against both back ends: a
//! SQLite file in its own folder, and a PostgreSQL database of its own on the server named by
//! `QUIETLEGS_TEST_POSTGRES_URL` (dropped afterwards), so parallel tests never share rows.
#![allow(dead_code)] // each story uses its own part

use std::path::PathBuf;

use sqlx::Connection;

/// A path for a SQLite file in a folder of its own.
pub fn temp_db(tag: &str, name: &str) -> PathBuf {
    std::env::temp_dir()
        .join(format!(
            "quietlegs-{tag}-{}-{}",
            std::process::id(),
            jiff::Timestamp::now().as_nanosecond()
        ))
        .join(name)
}

/// Removes the folder [`temp_db`] made.
pub fn remove_temp_db(path: &std::path::Path) {
    if let Some(dir) = path.parent() {
        std::fs::remove_dir_all(dir).ok();
    }
}

/// The PostgreSQL server's admin URL, or `None` (said on stderr) when the tests are not given
/// one.
pub fn postgres_admin(what: &str) -> Option<String> {
    let url = std::env::var("QUIETLEGS_TEST_POSTGRES_URL").ok();
    if url.is_none() {
        eprintln!("QUIETLEGS_TEST_POSTGRES_URL is not set: PostgreSQL {what} not run");
    }
    url
}

/// A fresh PostgreSQL database for this run, dropped afterwards.
pub struct FreshPg {
    admin: String,
    name: String,
}

impl FreshPg {
    /// Creates it; returns it with its URL.
    pub async fn create(admin: &str, tag: &str) -> (Self, String) {
        let name = format!(
            "quietlegs_{tag}_{}_{}",
            std::process::id(),
            jiff::Timestamp::now().as_nanosecond() % 1_000_000_000
        );
        let mut conn = sqlx::PgConnection::connect(admin)
            .await
            .expect("admin connection");
        sqlx::query(&format!("CREATE DATABASE {name}"))
            .execute(&mut conn)
            .await
            .expect("create database");
        let base = admin.rsplit_once('/').map_or(admin, |(b, _)| b);
        let url = format!("{base}/{name}");
        (
            Self {
                admin: admin.to_string(),
                name,
            },
            url,
        )
    }

    pub async fn drop(self) {
        if let Ok(mut conn) = sqlx::PgConnection::connect(&self.admin).await {
            let _ = sqlx::query(&format!(
                "DROP DATABASE IF EXISTS {} WITH (FORCE)",
                self.name
            ))
            .execute(&mut conn)
            .await;
        }
    }
}
