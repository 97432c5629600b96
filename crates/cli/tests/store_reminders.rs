//! Issue 20's per-person rows through the `Store` trait: the check-in reminder time, lab re-test
//! goals, API tokens and calendar feeds. Each is kept per person, never seen by another, and
//! gone with the person. Against SQLite always and against PostgreSQL when
//! `QUIETLEGS_TEST_POSTGRES_URL` is set.

use jiff::civil::date;
use quietlegs_core::journal::LabGoal;
use quietlegs_core::profile::ClockTime;
use quietlegs_store::{SqlStore, Store};

mod fresh_store;
use fresh_store::{FreshPg, postgres_admin, remove_temp_db, temp_db};

fn goal(test: &str, d: i8) -> LabGoal {
    LabGoal {
        test: test.into(),
        due: date(2027, 3, d),
    }
}

async fn reminders_story(store: &SqlStore) {
    let me = store.ensure_person("reminders").await.expect("person");
    let neighbour = store.ensure_person("neighbour").await.expect("person");

    // The reminder: none, then set, moved, and cleared; never the neighbour's.
    assert_eq!(store.checkin_reminder(me).await.expect("read"), None);
    let half_nine: ClockTime = "21:30".parse().expect("time");
    store
        .set_checkin_reminder(me, Some(half_nine))
        .await
        .expect("set");
    assert_eq!(
        store.checkin_reminder(me).await.expect("read"),
        Some(half_nine)
    );
    assert_eq!(store.checkin_reminder(neighbour).await.expect("read"), None);
    let late: ClockTime = "23:59".parse().expect("time");
    store
        .set_checkin_reminder(me, Some(late))
        .await
        .expect("move");
    assert_eq!(store.checkin_reminder(me).await.expect("read"), Some(late));
    store.set_checkin_reminder(me, None).await.expect("clear");
    assert_eq!(store.checkin_reminder(me).await.expect("read"), None);
    store
        .set_checkin_reminder(me, Some(half_nine))
        .await
        .expect("again");

    // Goals: one per test, moved in place, deleted, replaced as a whole.
    store
        .put_lab_goal(me, &goal("ferritin", 1))
        .await
        .expect("put");
    store.put_lab_goal(me, &goal("tsat", 2)).await.expect("put");
    store
        .put_lab_goal(me, &goal("ferritin", 9))
        .await
        .expect("move");
    assert_eq!(
        store.lab_goals(me).await.expect("read"),
        vec![goal("ferritin", 9), goal("tsat", 2)]
    );
    assert!(store.lab_goals(neighbour).await.expect("read").is_empty());
    assert!(store.delete_lab_goal(me, "tsat").await.expect("delete"));
    assert!(!store.delete_lab_goal(me, "tsat").await.expect("gone"));
    assert!(
        !store
            .delete_lab_goal(neighbour, "ferritin")
            .await
            .expect("not theirs")
    );
    store
        .replace_lab_goals(me, &[goal("hemoglobin", 4), goal("crp", 5)])
        .await
        .expect("replace");
    assert_eq!(
        store.lab_goals(me).await.expect("read"),
        vec![goal("crp", 5), goal("hemoglobin", 4)]
    );

    // Tokens: found only by their hash, listed without it, revoked by their owner only.
    let scopes = vec!["log-nights".to_string(), "read-insights".to_string()];
    let id = store
        .create_api_token(me, "Shortcut", "hash-1", &scopes)
        .await
        .expect("token");
    let listed = store.api_tokens(me).await.expect("list");
    assert_eq!(listed.len(), 1);
    assert_eq!((listed[0].id, listed[0].name.as_str()), (id, "Shortcut"));
    assert_eq!(listed[0].scopes, scopes);
    assert_eq!(listed[0].last_used_at, None);
    let grant = store
        .use_api_token("hash-1", "2027-01-01T00:00:00Z")
        .await
        .expect("use")
        .expect("known");
    assert_eq!((grant.person, grant.token_id), (me, id));
    assert_eq!(
        store.api_tokens(me).await.expect("list")[0]
            .last_used_at
            .as_deref(),
        Some("2027-01-01T00:00:00Z")
    );
    assert!(
        store
            .use_api_token("hash-2", "x")
            .await
            .expect("use")
            .is_none()
    );
    assert!(store.api_tokens(neighbour).await.expect("list").is_empty());
    assert!(
        !store
            .revoke_api_token(neighbour, id)
            .await
            .expect("not theirs")
    );
    assert!(
        store
            .use_api_token("hash-1", "x")
            .await
            .expect("use")
            .is_some()
    );
    assert!(store.revoke_api_token(me, id).await.expect("revoke"));
    assert!(
        store
            .use_api_token("hash-1", "x")
            .await
            .expect("use")
            .is_none()
    );
    store
        .create_api_token(me, "kept", "hash-3", &scopes[..1])
        .await
        .expect("token");

    // Feeds.
    let feed = store
        .create_calendar_feed(me, "feed-1")
        .await
        .expect("feed");
    assert_eq!(
        store.calendar_feed_owner("feed-1").await.expect("owner"),
        Some(me)
    );
    assert_eq!(store.calendar_feeds(me).await.expect("list")[0].id, feed);
    assert!(
        store
            .calendar_feeds(neighbour)
            .await
            .expect("list")
            .is_empty()
    );
    assert!(
        !store
            .revoke_calendar_feed(neighbour, feed)
            .await
            .expect("not theirs")
    );
    assert!(store.revoke_calendar_feed(me, feed).await.expect("revoke"));
    assert_eq!(
        store.calendar_feed_owner("feed-1").await.expect("owner"),
        None
    );
    store
        .create_calendar_feed(me, "feed-2")
        .await
        .expect("feed");

    // Gone with the person.
    sqlx::query("DELETE FROM people WHERE id = $1")
        .bind(me.0)
        .execute(store.pool())
        .await
        .expect("delete person");
    for table in [
        "checkin_reminders",
        "lab_goals",
        "api_tokens",
        "calendar_feeds",
    ] {
        let row: (i64,) = sqlx::query_as(&format!("SELECT COUNT(*) FROM {table}"))
            .fetch_one(store.pool())
            .await
            .expect("count");
        assert_eq!(row.0, 0, "{table} kept rows of a deleted person");
    }
    assert_eq!(
        store.calendar_feed_owner("feed-2").await.expect("owner"),
        None
    );
}

#[tokio::test]
async fn reminders_on_sqlite() {
    let path = temp_db("reminders", "r.db");
    let store = quietlegs_store_sqlite::open(&path).await.expect("open");
    reminders_story(&store).await;
    store.pool().close().await;
    remove_temp_db(&path);
}

#[tokio::test]
async fn reminders_on_postgres() {
    let Some(admin) = postgres_admin("reminders") else {
        return;
    };
    let (db, url) = FreshPg::create(&admin, "reminders").await;
    {
        let store = quietlegs_store_postgres::connect(&url)
            .await
            .expect("connect");
        reminders_story(&store).await;
        store.pool().close().await;
    }
    db.drop().await;
}
