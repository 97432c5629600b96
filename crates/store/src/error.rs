#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("{0}")]
    Conflict(String),
    #[error("{0}")]
    Invalid(String),
    #[error(
        "this database was written by a newer Quietlegs (schema version {found}); this binary \
         knows versions up to {known}. Upgrade Quietlegs, or point it at another database."
    )]
    TooNew { found: i64, known: i64 },
    #[error("database: {0}")]
    Database(#[from] sqlx::Error),
    #[error("database migration: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
}

impl StoreError {
    /// Whether the database could not be reached (down, restarting, out of connections), as
    /// opposed to refusing a request: worth "try again shortly", not "something is broken".
    pub fn is_unavailable(&self) -> bool {
        match self {
            StoreError::Database(e) => match e {
                sqlx::Error::Io(_)
                | sqlx::Error::PoolTimedOut
                | sqlx::Error::PoolClosed
                | sqlx::Error::WorkerCrashed
                | sqlx::Error::Tls(_) => true,
                // SQLSTATE class 08 (connection exception) and 57 (operator intervention, e.g.
                // the server shutting down).
                sqlx::Error::Database(db) => db
                    .code()
                    .is_some_and(|c| c.starts_with("08") || c.starts_with("57")),
                _ => false,
            },
            _ => false,
        }
    }
}
