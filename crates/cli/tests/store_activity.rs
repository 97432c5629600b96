//! A wearable's day activity through the `Store` trait: written by an import, read back bit for
//! bit, exported, re-imported without adding anything, replaced only by a fuller record for the
//! same day, and gone with the person. Against SQLite always and against PostgreSQL when
//! `QUIETLEGS_TEST_POSTGRES_URL` is set.

use std::path::PathBuf;

use jiff::civil::date;
use quietlegs_core::journal::{Bundle, DayActivity};
use quietlegs_store::{OnConflict, SqlStore, Store};

mod fresh_store;
use fresh_store::{FreshPg, postgres_admin, remove_temp_db, temp_db};

fn day(d: i8, source: &str, steps: Option<u32>, minutes: Option<f64>) -> DayActivity {
    DayActivity {
        date: date(2026, 10, d),
        source: source.into(),
        exercise_minutes: minutes,
        exercise_end: minutes.and_then(|_| "18:40".parse().ok()),
        steps,
        // As the reader computes it, a mean: not exactly representable, back bit for bit.
        resting_hr: Some(170.0 / 3.0),
    }
}

fn bundle(activity: Vec<DayActivity>) -> Bundle {
    Bundle {
        activity,
        ..Bundle::new()
    }
}

async fn activity_story(store: &SqlStore) {
    let me = store.ensure_person("activity").await.expect("person");
    let neighbour = store.ensure_person("neighbour").await.expect("person");

    // Written by an import, with "not measured" kept apart from 0.
    let file = bundle(vec![
        day(
            1,
            "Jane’s Apple\u{a0}Watch",
            Some(8123),
            Some(1904.0 / 60.0),
        ),
        DayActivity {
            resting_hr: None,
            ..day(2, "Jane's iPhone, Watch", None, Some(45.0))
        },
        day(3, "Watch", Some(0), None),
    ]);
    let before = store.data_version(me).await.expect("version");
    let report = store
        .import(me, &file, OnConflict::Refuse)
        .await
        .expect("import");
    assert_eq!((report.added, report.updated, report.unchanged), (3, 0, 0));
    assert!(store.data_version(me).await.expect("version") > before);
    assert_eq!(
        store.activity_records(me).await.expect("read"),
        file.activity
    );
    assert_eq!(
        store.export(me).await.expect("export").activity,
        file.activity
    );
    store
        .import(
            neighbour,
            &bundle(vec![day(1, "Ring", Some(50), None)]),
            OnConflict::Refuse,
        )
        .await
        .expect("their own");
    assert_eq!(
        store.activity_records(neighbour).await.expect("read").len(),
        1,
        "one person's days never reach another"
    );

    // The same file again, and the whole export again: nothing added, nothing changed.
    for again in [file.clone(), store.export(me).await.expect("export")] {
        let report = store
            .import(me, &again, OnConflict::Refuse)
            .await
            .expect("re-import");
        assert_eq!((report.added, report.updated), (0, 0), "{report:?}");
        assert_eq!(
            store.activity_records(me).await.expect("read"),
            file.activity
        );
    }

    // A later export saw more of day 1 (and another device): it replaces the stored record,
    // one per day, without a conflict to confirm. An older, smaller one changes nothing.
    let later = day(
        1,
        "Jane's iPhone, Jane’s Apple\u{a0}Watch",
        Some(9100),
        Some(40.0),
    );
    let report = store
        .import(me, &bundle(vec![later.clone()]), OnConflict::Refuse)
        .await
        .expect("later");
    assert_eq!((report.added, report.updated), (0, 1));
    let older = day(1, "Watch", Some(6000), Some(20.0));
    let report = store
        .import(me, &bundle(vec![older]), OnConflict::Refuse)
        .await
        .expect("older");
    assert_eq!((report.added, report.updated, report.unchanged), (0, 0, 1));
    let stored = store.activity_records(me).await.expect("read");
    assert_eq!(stored.len(), 3, "one record per day: {stored:?}");
    assert_eq!(stored[0], later);

    analysis_reads_the_days_exercise(store, me).await;

    // A real export's activity, imported twice: the second adds nothing.
    real_export_twice(store).await;

    // Gone with the person (the foreign key cascades); the neighbour keeps theirs.
    sqlx::query("DELETE FROM people WHERE id = $1")
        .bind(me.0)
        .execute(store.pool())
        .await
        .expect("delete person");
    let left = sqlx::query("SELECT night FROM activity_records WHERE person_id = $1")
        .bind(me.0)
        .fetch_all(store.pool())
        .await
        .expect("count");
    assert!(
        left.is_empty(),
        "{} activity rows outlived the person",
        left.len()
    );
    assert_eq!(
        store.activity_records(neighbour).await.expect("read").len(),
        1
    );
}

/// The analysis (insights, tonight's outlook) reads a night with the day's exercise where the
/// person wrote none; the journal they wrote is left as they wrote it.
async fn analysis_reads_the_days_exercise(store: &SqlStore, me: quietlegs_store::PersonId) {
    let night = |d: i8, minutes: Option<f64>| quietlegs_core::journal::NightEntry {
        night: Some(date(2026, 10, d)),
        severity: 4,
        exercise_minutes: minutes,
        ..Default::default()
    };
    let nights = vec![night(1, Some(0.0)), night(2, None), night(3, None)];
    store
        .import(
            me,
            &Bundle {
                nights: nights.clone(),
                ..Bundle::new()
            },
            OnConflict::Refuse,
        )
        .await
        .expect("nights");
    let read = quietlegs_app::derived::nights_for_analysis(store, me, None, None)
        .await
        .expect("analysis nights");
    let minutes: Vec<_> = read.iter().map(|n| n.exercise_minutes).collect();
    assert_eq!(
        minutes,
        vec![Some(0.0), Some(45.0), None],
        "their 0 stays; day 2's workout fills night 2; day 3 had none"
    );
    assert_eq!(read[1].exercise_end, "18:40".parse().ok());
    assert_eq!(
        store.nights(me, None, None).await.expect("stored"),
        nights,
        "the stored journal is what they wrote"
    );
}

async fn real_export_twice(store: &SqlStore) {
    let file = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/real-samples/apple_tdda_export6s3sample.xml");
    let Ok(bytes) = std::fs::read(&file) else {
        eprintln!("../shared/real-samples is not here: the real export is not imported");
        return;
    };
    let kb = quietlegs_core::knowledge::bundled().expect("kb");
    let read = quietlegs_io::formats::read(
        quietlegs_io::formats::Format::AppleHealth,
        std::io::Cursor::new(bytes),
        "export.xml",
        quietlegs_io::formats::ReadContext {
            kb,
            today: date(2026, 12, 1),
            progress: &mut |_| {},
        },
    )
    .expect("reads");
    assert_eq!(read.bundle.activity.len(), 2);
    let person = store.ensure_person("real-export").await.expect("person");
    let first = store
        .import(person, &read.bundle, OnConflict::Refuse)
        .await
        .expect("import");
    assert_eq!(first.added, 2);
    let version = store.data_version(person).await.expect("version");
    let second = store
        .import(person, &read.bundle, OnConflict::Refuse)
        .await
        .expect("again");
    assert_eq!((second.added, second.updated, second.unchanged), (0, 0, 2));
    assert_eq!(
        store.activity_records(person).await.expect("read"),
        read.bundle.activity
    );
    // An import raises the version even when it adds nothing; what matters is nothing new.
    assert!(store.data_version(person).await.expect("version") >= version);
}

#[tokio::test]
async fn activity_on_sqlite() {
    let path = temp_db("activity", "a.db");
    let store = quietlegs_store_sqlite::open(&path).await.expect("open");
    activity_story(&store).await;
    store.pool().close().await;
    remove_temp_db(&path);
}

#[tokio::test]
async fn activity_on_postgres() {
    let Some(admin) = postgres_admin("activity") else {
        return;
    };
    let (db, url) = FreshPg::create(&admin, "activity").await;
    {
        let store = quietlegs_store_postgres::connect(&url)
            .await
            .expect("connect");
        activity_story(&store).await;
        store.pool().close().await;
    }
    db.drop().await;
}
