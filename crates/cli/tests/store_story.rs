//! The story: one person's life in Quietlegs, driven through the `Store` trait end to end,
//! against SQLite always and against PostgreSQL when `QUIETLEGS_TEST_POSTGRES_URL` is set.

use jiff::civil::date;
use quietlegs_core::journal::{
    Bundle, Experiment, ExperimentStatus, Intensity, LabRecord, NightEntry, OnOffSchedule,
    SleepRecord,
};
use quietlegs_core::profile::{Profile, ProfileFormat};
use quietlegs_store::{OnConflict, SqlStore, Store, StoreError};

mod fresh_store;
use fresh_store::{FreshPg, postgres_admin, remove_temp_db, temp_db};

fn night(day: i8, severity: u8) -> NightEntry {
    let mut n = NightEntry {
        night: Some(date(2026, 10, day)),
        severity,
        ..NightEntry::default()
    };
    if day % 2 == 0 {
        n.caffeine_mg = Some(150.5);
        // Not exactly representable in decimal: must come back bit for bit.
        n.sleep_hours = Some(0.1 + 0.2);
        n.last_caffeine = "15:30".parse().ok();
        n.exercise_intensity = Some(Intensity::Vigorous);
        n.sugar_late = Some(false);
        n.took.insert("magnesium".into(), true);
        n.extra.insert("x:mood".into(), "tired, \"grumpy\"".into());
        n.notes = Some("long day\nsecond line".into());
    }
    n
}

fn lab(test: &str, value: f64, unit: &str, day: i8) -> LabRecord {
    LabRecord {
        test: test.into(),
        value,
        unit: unit.into(),
        canonical_value: value,
        canonical_unit: unit.into(),
        date: date(2026, 9, day),
        source: "manual".into(),
        comparator: None,
    }
}

const PROFILE: &str = include_str!("../../../examples/profile.toml");

async fn story(a: &SqlStore, b: &SqlStore) {
    // A person, and a second one who must never see the first one's data.
    let me = a.ensure_person("local").await.expect("person");
    assert_eq!(
        a.ensure_person("local").await.expect("again"),
        me,
        "idempotent"
    );
    let other = a
        .create_person("someone-else", Some("hash"))
        .await
        .expect("other");
    assert!(matches!(
        a.create_person("someone-else", None).await,
        Err(StoreError::Conflict(_))
    ));

    // Profile versions: a change makes a new version, the same profile does not.
    let mut profile = Profile::parse(PROFILE, ProfileFormat::Toml).expect("profile");
    assert_eq!(a.put_profile(me, &profile).await.expect("v1"), 1);
    assert_eq!(a.put_profile(me, &profile).await.expect("same"), 1);
    profile.bedtime = "23:00".parse().ok();
    assert_eq!(a.put_profile(me, &profile).await.expect("v2"), 2);
    assert_eq!(a.profile_versions(me).await.expect("versions").len(), 2);
    assert_eq!(
        a.profile(me).await.expect("latest").map(|v| v.profile),
        Some(profile.clone())
    );

    // Labs, nights, experiments.
    let ferritin = a
        .add_lab(me, &lab("ferritin", 42.0, "ng/mL", 1))
        .await
        .expect("lab");
    a.add_lab(me, &lab("tsat", 18.0, "%", 1))
        .await
        .expect("lab");
    a.add_lab(other, &lab("ferritin", 300.0, "ng/mL", 2))
        .await
        .expect("lab");
    for day in 1..=28 {
        a.put_night(me, &night(day, (day % 11) as u8))
            .await
            .expect("night");
    }
    a.put_night(other, &night(3, 9))
        .await
        .expect("other's night");
    let updated = NightEntry {
        severity: 1,
        ..night(2, 5)
    };
    a.put_night(me, &updated).await.expect("update");
    assert_eq!(
        a.night(me, date(2026, 10, 2)).await.expect("read"),
        Some(updated.clone())
    );
    // Replacing a night replaces its items too: gone ones go, changed ones change.
    let mut other_items = updated.clone();
    other_items.took.clear();
    other_items.took.insert("iron".into(), false);
    other_items.took.insert("yoga".into(), true);
    other_items.extra.clear();
    other_items.extra.insert("x:pain".into(), "3".into());
    a.put_night(me, &other_items).await.expect("new items");
    assert_eq!(
        a.night(me, date(2026, 10, 2)).await.expect("read"),
        Some(other_items.clone())
    );
    other_items.took.insert("iron".into(), true);
    other_items.took.remove("yoga");
    a.put_night(me, &other_items).await.expect("changed items");
    assert_eq!(
        a.night(me, date(2026, 10, 2)).await.expect("read"),
        Some(other_items)
    );
    a.put_night(me, &updated).await.expect("back");
    assert_eq!(
        a.night(me, date(2026, 10, 2)).await.expect("read"),
        Some(updated)
    );

    // Every kind of write raises the writer's data version, and only theirs.
    let version = |p| async move { a.data_version(p).await.expect("version") };
    let (mut mine, theirs) = (version(me).await, version(other).await);
    let mut raised = |now: i64, what: &str| {
        assert!(now > mine, "{what} did not raise the data version");
        mine = now;
    };
    a.put_night(me, &night(9, 2)).await.expect("night");
    raised(version(me).await, "put_night");
    a.delete_night(me, date(2026, 10, 9)).await.expect("delete");
    raised(version(me).await, "delete_night");
    a.put_night(me, &night(9, 9)).await.expect("night");
    raised(version(me).await, "put_night");
    let lab_id = a
        .add_lab(me, &lab("vitamin-d", 20.0, "ng/mL", 3))
        .await
        .expect("lab");
    raised(version(me).await, "add_lab");
    a.delete_lab(me, lab_id).await.expect("delete lab");
    raised(version(me).await, "delete_lab");
    profile.bedtime = "22:15".parse().ok();
    a.put_profile(me, &profile).await.expect("v3");
    raised(version(me).await, "put_profile");
    assert_eq!(version(other).await, theirs, "someone else's writes");
    a.create_session("hash-of-token", me, "csrf", i64::MAX)
        .await
        .expect("session");
    let session = a.session("hash-of-token", 0).await.expect("read");
    assert_eq!(session.map(|s| s.data_version), Some(version(me).await));
    a.delete_session("hash-of-token").await.expect("delete");
    a.put_experiment(
        me,
        &Experiment {
            remedy: "magnesium".into(),
            start: date(2026, 10, 1),
            planned_end: Some(date(2026, 11, 26)),
            status: ExperimentStatus::Running,
            schedule: None,
        },
    )
    .await
    .expect("experiment");
    // A randomised on/off experiment keeps its seed exactly, even a large one.
    a.put_experiment(
        me,
        &Experiment {
            remedy: "compression-socks".into(),
            start: date(2026, 10, 3),
            planned_end: Some(date(2026, 12, 11)),
            status: ExperimentStatus::Planned,
            schedule: Some(OnOffSchedule {
                seed: (1 << 53) - 1,
                pairs: 5,
                period_nights: 7,
            }),
        },
    )
    .await
    .expect("scheduled experiment");
    raised(version(me).await, "put_experiment");
    let week = a
        .nights(me, Some(date(2026, 10, 5)), Some(date(2026, 10, 11)))
        .await
        .expect("range");
    assert_eq!(week.len(), 7);

    // Isolation: the other person sees only their own things, and cannot delete mine.
    assert_eq!(a.labs(other).await.expect("labs").len(), 1);
    assert_eq!(a.nights(other, None, None).await.expect("nights").len(), 1);
    assert!(!a.delete_lab(other, ferritin).await.expect("delete"));
    assert_eq!(a.labs(me).await.expect("labs").len(), 2);

    // Export, import into a fresh store, export again: identical.
    let exported = a.export(me).await.expect("export");
    assert_eq!(exported.nights.len(), 28);
    assert_eq!(exported.labs.len(), 2);
    let fresh = b.ensure_person("local").await.expect("person");
    let before_import = b.data_version(fresh).await.expect("version");
    let report = b
        .import(fresh, &exported, OnConflict::Refuse)
        .await
        .expect("import");
    assert!(b.data_version(fresh).await.expect("version") > before_import);
    assert_eq!(report.updated, 0);
    let again = b.export(fresh).await.expect("export");
    assert_eq!(again, exported);
    assert_eq!(
        serde_json::to_string_pretty(&again).expect("json"),
        serde_json::to_string_pretty(&exported).expect("json"),
        "byte-identical JSON"
    );

    // Re-importing the same bundle changes nothing.
    let report = b
        .import(fresh, &exported, OnConflict::Refuse)
        .await
        .expect("re-import");
    assert_eq!((report.added, report.updated), (0, 0));
    assert_eq!(b.export(fresh).await.expect("export"), exported);

    // A conflicting night is refused, names the night, and changes nothing at all.
    let mut changed = exported.clone();
    changed.nights[0].severity = 10;
    changed.labs.push(lab("hemoglobin", 13.0, "g/dL", 3));
    match b.import(fresh, &changed, OnConflict::Refuse).await {
        Err(StoreError::Conflict(message)) => assert!(message.contains("2026-10-01"), "{message}"),
        other => panic!("expected a conflict, got {other:?}"),
    }
    assert_eq!(
        b.export(fresh).await.expect("export"),
        exported,
        "nothing written"
    );
    // ...and overwritten on request.
    let report = b
        .import(fresh, &changed, OnConflict::Overwrite)
        .await
        .expect("overwrite");
    assert_eq!(report.updated, 1);
    assert_eq!(b.export(fresh).await.expect("export"), changed);

    // Sleep records arrive through imports too.
    let sleep = Bundle {
        sleep: vec![SleepRecord {
            night: Some(date(2026, 10, 4)),
            source: "Watch".into(),
            asleep_minutes: 401.0,
            in_bed_minutes: 470.0,
            awake_minutes: 20.0,
            deep_minutes: 60.0,
            rem_minutes: 90.0,
            core_minutes: 251.0,
            // Not exactly representable: must come back bit for bit.
            restless_minutes: Some(0.1 + 30.2),
            restless_count: Some(9),
        }],
        ..Bundle::new()
    };
    b.import(fresh, &sleep, OnConflict::Refuse)
        .await
        .expect("sleep");
    assert_eq!(b.sleep_records(fresh).await.expect("sleep"), sleep.sleep);

    assert!(a.delete_night(me, date(2026, 10, 3)).await.expect("delete"));
    assert!(
        a.night(me, date(2026, 10, 3))
            .await
            .expect("read")
            .is_none()
    );
    a.ping().await.expect("ping");
    every_journal_column(a).await;
}

/// A night with every fixed column of the journal's column table set to a value its kind
/// accepts (not its default), so a column added to the table is stored, read back, written
/// to CSV and read again here without anyone writing a line of this test for it.
fn night_with_every_column() -> NightEntry {
    use quietlegs_core::journal::columns::{Kind, Value};
    let mut entry = NightEntry::default();
    for column in quietlegs_core::journal::COLUMNS {
        let value = match column.kind {
            Kind::Date => Value::Date(date(2026, 11, 20)),
            Kind::Severity => Value::Severity(7),
            Kind::Clock => Value::Clock("21:45".parse().expect("time")),
            // Not exactly representable in binary; within the CSV's three decimals.
            Kind::Number { max } => Value::Number(max / 8.0 + 0.1),
            Kind::Count { max } => Value::Count(max),
            Kind::Intensity => Value::Intensity(Intensity::Moderate),
            Kind::Flag => Value::Flag(true),
            Kind::Text { .. } => Value::Text(format!("{}: \"quoted\", two\nlines", column.name)),
        };
        column.check(&value).expect(column.name);
        column.set(&mut entry, Some(value));
    }
    entry.took.insert("magnesium".into(), false);
    entry.extra.insert("x:mood".into(), "fine".into());
    entry
}

async fn every_journal_column(store: &SqlStore) {
    let person = store.ensure_person("columns").await.expect("person");
    let full = night_with_every_column();
    for column in quietlegs_core::journal::COLUMNS {
        assert!(column.get(&full).is_some(), "{} is set", column.name);
    }
    store.put_night(person, &full).await.expect("store it");
    let night = full.night.expect("night");
    assert_eq!(
        store.night(person, night).await.expect("read"),
        Some(full.clone())
    );

    // Emptied one by one, a column comes back empty: never as 0 or false.
    let mut emptied = full.clone();
    for column in quietlegs_core::journal::COLUMNS
        .iter()
        .filter(|c| !c.required())
    {
        emptied.clear_field(column.name).expect(column.name);
        store.put_night(person, &emptied).await.expect("store it");
        let back = store
            .night(person, night)
            .await
            .expect("read")
            .expect("night");
        assert_eq!(column.get(&back), None, "{} emptied", column.name);
        assert_eq!(back, emptied);
    }

    // And through the journal CSV.
    let mut csv = Vec::new();
    quietlegs_io::journal_csv::write(std::slice::from_ref(&full), &mut csv).expect("csv");
    let read = quietlegs_io::journal_csv::read(csv.as_slice(), "journal.csv").expect("read csv");
    assert_eq!(read, vec![full]);
}

#[tokio::test]
async fn story_on_sqlite() {
    let (pa, pb) = (temp_db("story", "a.db"), temp_db("story", "b.db"));
    let a = quietlegs_store_sqlite::open(&pa).await.expect("open a");
    let b = quietlegs_store_sqlite::open(&pb).await.expect("open b");
    story(&a, &b).await;
    remove_temp_db(&pa);
    remove_temp_db(&pb);
}

#[tokio::test]
async fn story_on_postgres() {
    let Some(admin) = postgres_admin("story") else {
        return;
    };
    let (db_a, url_a) = FreshPg::create(&admin, "story_a").await;
    let (db_b, url_b) = FreshPg::create(&admin, "story_b").await;
    {
        let a = quietlegs_store_postgres::connect(&url_a)
            .await
            .expect("connect a");
        let b = quietlegs_store_postgres::connect(&url_b)
            .await
            .expect("connect b");
        story(&a, &b).await;
        a.pool().close().await;
        b.pool().close().await;
    }
    db_a.drop().await;
    db_b.drop().await;
}
