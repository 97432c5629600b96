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
