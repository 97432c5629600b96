//! Migration 0006 moves every night's `took:` and `x:` items from their own tables into the
//! night's row. A database written by the previous schema (0001-0005) must come through with
//! every item intact: on SQLite always, on PostgreSQL when `QUIETLEGS_TEST_POSTGRES_URL` is set.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use jiff::civil::date;
use quietlegs_store::{PersonId, Store};
use sqlx::any::AnyPoolOptions;
use sqlx::migrate::Migrator;
use sqlx::{AnyPool, Connection};

/// A folder holding a backend's migrations up to and including `last`.
fn migrations_up_to(backend: &str, last: i64, tag: &str) -> PathBuf {
    let source = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join(format!("store-{backend}"))
        .join("migrations");
    let dir = std::env::temp_dir().join(format!(
        "quietlegs-migrate-{tag}-{}-{}",
        std::process::id(),
        jiff::Timestamp::now().as_nanosecond() % 1_000_000_000
    ));
    std::fs::create_dir_all(&dir).expect("dir");
    for file in std::fs::read_dir(&source).expect("migrations") {
        let file = file.expect("entry").path();
        let name = file.file_name().and_then(|n| n.to_str()).expect("name");
        let version: i64 = name[..4].parse().expect("numbered");
        if version <= last {
            std::fs::copy(&file, dir.join(name)).expect("copy");
        }
    }
    dir
}

/// The old schema, with Ann's nights and their items written the old way.
async fn old_database(url: &str, backend: &str) {
    sqlx::any::install_default_drivers();
    let pool: AnyPool = AnyPoolOptions::new()
        .max_connections(1)
        .connect(url)
        .await
        .expect("connect");
    let dir = migrations_up_to(backend, 5, backend);
    Migrator::new(dir.as_path())
        .await
        .expect("migrator")
        .run(&pool)
        .await
        .expect("old schema");
    let _ = std::fs::remove_dir_all(&dir);
    for sql in [
        "INSERT INTO people (id, username, created_at) VALUES (1, 'ann', 'x')",
        "INSERT INTO people (id, username, created_at) VALUES (2, 'bob', 'x')",
        "INSERT INTO nights (person_id, night, severity, updated_at) VALUES (1, '2026-10-01', 6, 'x')",
        "INSERT INTO nights (person_id, night, severity, updated_at) VALUES (1, '2026-10-02', 3, 'x')",
        "INSERT INTO nights (person_id, night, severity, updated_at) VALUES (2, '2026-10-01', 9, 'x')",
        "INSERT INTO night_took (person_id, night, item, taken) VALUES (1, '2026-10-01', 'magnesium', 1)",
        "INSERT INTO night_took (person_id, night, item, taken) VALUES (1, '2026-10-01', 'iron', 0)",
        "INSERT INTO night_took (person_id, night, item, taken) VALUES (2, '2026-10-01', 'yoga', 1)",
        "INSERT INTO night_extra (person_id, night, name, value) VALUES (1, '2026-10-01', 'x:mood', 'tired, \"grumpy\"')",
        "INSERT INTO night_extra (person_id, night, name, value) VALUES (1, '2026-10-01', 'x:pain', '3')",
    ] {
        sqlx::query(sql).execute(&pool).await.expect(sql);
    }
    pool.close().await;
}

async fn items_survive(store: &impl Store) {
    let ann = store.find_person("ann").await.expect("find");
    assert_eq!(ann, Some(PersonId(1)));
    let nights = store.nights(PersonId(1), None, None).await.expect("nights");
    assert_eq!(nights.len(), 2);
    let first = &nights[0];
    assert_eq!(first.night, Some(date(2026, 10, 1)));
    assert_eq!(first.severity, 6);
    assert_eq!(
        first.took,
        BTreeMap::from([("iron".to_string(), false), ("magnesium".to_string(), true)])
    );
    assert_eq!(
        first.extra,
        BTreeMap::from([
            ("x:mood".to_string(), "tired, \"grumpy\"".to_string()),
            ("x:pain".to_string(), "3".to_string()),
        ])
    );
    assert!(nights[1].took.is_empty() && nights[1].extra.is_empty());
    let bob = store.nights(PersonId(2), None, None).await.expect("nights");
    assert_eq!(
        bob[0].took,
        BTreeMap::from([("yoga".to_string(), true)]),
        "each night keeps its own items"
    );
}

#[tokio::test]
async fn night_items_move_into_the_night_row_on_sqlite() {
    let dir = std::env::temp_dir().join(format!("quietlegs-migrate-db-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let path = dir.join("old.db");
    let _ = std::fs::remove_file(&path);
    old_database(&format!("sqlite://{}?mode=rwc", path.display()), "sqlite").await;
    let store = quietlegs_store_sqlite::open(&path).await.expect("migrate");
    items_survive(&store).await;
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn night_items_move_into_the_night_row_on_postgres() {
    let Ok(admin) = std::env::var("QUIETLEGS_TEST_POSTGRES_URL") else {
        eprintln!("QUIETLEGS_TEST_POSTGRES_URL is not set: PostgreSQL run skipped");
        return;
    };
    let name = format!("quietlegs_migrate_{}", std::process::id());
    let mut conn = sqlx::PgConnection::connect(&admin).await.expect("admin");
    sqlx::query(&format!("DROP DATABASE IF EXISTS {name}"))
        .execute(&mut conn)
        .await
        .expect("drop");
    sqlx::query(&format!("CREATE DATABASE {name}"))
        .execute(&mut conn)
        .await
        .expect("create");
    let url = format!(
        "{}/{name}",
        admin.rsplit_once('/').map_or(admin.as_str(), |(b, _)| b)
    );
    old_database(&url, "postgres").await;
    let store = quietlegs_store_postgres::connect(&url)
        .await
        .expect("migrate");
    items_survive(&store).await;
    drop(store);
    let _ = sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        .execute(&mut conn)
        .await;
}
