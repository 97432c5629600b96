//! A person's insights and plan are cached between requests, and so are sessions for a few
//! seconds. Any change made through the app (nights added, edited, deleted; profile; labs)
//! shows up in the very next answer; a change made elsewhere (another app server, the CLI)
//! within the session cache's lifetime; a sign-out at once.

#[macro_use]
mod common;

use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::http::{Method, StatusCode};
use common::{Client, TestApp};
use quietlegs_core::journal::NightEntry;
use quietlegs_store::{PersonId, Store};
use quietlegs_web::WebConfig;
use serde_json::json;

fn nights(insights: &serde_json::Value) -> u64 {
    insights["nights"].as_u64().expect("nights")
}

async fn put_night(c: &mut Client, night: &str, severity: u8) {
    let a = c
        .json(
            Method::PUT,
            &format!("/api/v1/journal/{night}"),
            &json!({"severity": severity}),
        )
        .await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.body);
}

async fn derived_state_follows_every_change(app: TestApp) {
    let mut ann = app.client();
    ann.signup("ann").await;
    for d in 1..=5 {
        put_night(&mut ann, &format!("2026-10-0{d}"), 4).await;
    }
    let first = ann.get("/api/v1/insights").await.json();
    assert_eq!(nights(&first), 5);
    assert_eq!(
        ann.get("/api/v1/insights").await.json(),
        first,
        "a repeat answers the same"
    );

    put_night(&mut ann, "2026-10-06", 9).await;
    let with_nine = ann.get("/api/v1/insights").await.json();
    assert_eq!(nights(&with_nine), 6);

    // An edit that keeps the count still changes the answer.
    put_night(&mut ann, "2026-10-06", 0).await;
    let edited = ann.get("/api/v1/insights").await.json();
    assert_eq!(nights(&edited), 6);
    assert_ne!(edited["trend"], with_nine["trend"], "stale after an edit");

    let a = ann
        .send(
            Method::DELETE,
            "/api/v1/journal/2026-10-06",
            None,
            Body::empty(),
            true,
        )
        .await;
    assert_eq!(a.status, StatusCode::NO_CONTENT);
    assert_eq!(nights(&ann.get("/api/v1/insights").await.json()), 5);

    // The plan follows the profile and the labs.
    let profile = json!({"bedtime": "22:30", "symptoms": {"urge_to_move": true,
        "worse_at_rest": true, "relieved_by_movement": true, "evening_or_night": true}});
    assert_eq!(
        ann.get("/api/v1/plan").await.status,
        StatusCode::NOT_FOUND,
        "no profile, no plan"
    );
    let a = ann.json(Method::PUT, "/api/v1/profile", &profile).await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.body);
    let plan = ann.get("/api/v1/plan").await.json();
    assert!(plan["routine"].to_string().contains("22:"), "{plan}");
    let later = json!({"bedtime": "23:45", "symptoms": profile["symptoms"]});
    ann.json(Method::PUT, "/api/v1/profile", &later).await;
    let moved = ann.get("/api/v1/plan").await.json();
    assert_ne!(moved["routine"], plan["routine"], "routine follows bedtime");
    ann.add_ferritin(18.0, "2026-10-01").await;
    let with_lab = ann.get("/api/v1/plan").await.json();
    assert_ne!(with_lab, moved, "a low ferritin changes the plan");
    assert!(with_lab.to_string().contains("18"), "{with_lab}");

    // Someone else's cache is their own.
    let mut bob = app.client();
    bob.signup("bob").await;
    assert_eq!(nights(&bob.get("/api/v1/insights").await.json()), 0);
    assert_eq!(bob.get("/api/v1/plan").await.status, StatusCode::NOT_FOUND);
    app.finish().await;
}

on_both_stores!(
    derived_state_follows_every_change_on_sqlite,
    derived_state_follows_every_change_on_postgres,
    "cache",
    derived_state_follows_every_change
);

fn with_session_cache(seconds: u32) -> WebConfig {
    let mut config = WebConfig::server(true);
    config.session_cache_seconds = seconds;
    config
}

/// What another app server (or the CLI) does: write straight to the shared database.
async fn write_elsewhere(store: &Arc<dyn Store>, person: PersonId, night: &str) {
    let entry = NightEntry {
        night: Some(night.parse().expect("date")),
        severity: 3,
        ..NightEntry::default()
    };
    store.put_night(person, &entry).await.expect("put night");
}

fn cookie_token(c: &Client) -> String {
    let cookie = c.cookie.clone().expect("signed in");
    cookie
        .split_once('=')
        .map(|(_, v)| v.to_string())
        .expect("cookie value")
}

#[tokio::test]
async fn changes_made_elsewhere_arrive_within_the_session_cache_lifetime() {
    let app = TestApp::sqlite("cache-ttl", with_session_cache(1)).await;
    let mut ann = app.client();
    ann.signup("ann").await;
    put_night(&mut ann, "2026-10-01", 4).await;
    assert_eq!(nights(&ann.get("/api/v1/insights").await.json()), 1);
    write_elsewhere(&app.store, app.person("ann").await, "2026-10-02").await;
    tokio::time::sleep(Duration::from_millis(1_100)).await;
    assert_eq!(nights(&ann.get("/api/v1/insights").await.json()), 2);

    // A sign-out on this server ends the session at once, cache or not.
    let copy = ann.clone();
    let a = ann
        .send(Method::POST, "/api/v1/logout", None, Body::empty(), true)
        .await;
    assert!(a.status.is_success(), "{}", a.status);
    let mut copy = copy;
    assert_eq!(
        copy.get("/api/v1/insights").await.status,
        StatusCode::UNAUTHORIZED
    );

    // A sign-out elsewhere (the session row deleted) takes effect once the cache lapses.
    let mut bea = app.client();
    bea.signup("bea").await;
    assert_eq!(bea.get("/api/v1/insights").await.status, StatusCode::OK);
    app.store
        .delete_session(&quietlegs_web::token_hash(&cookie_token(&bea)))
        .await
        .expect("delete session");
    tokio::time::sleep(Duration::from_millis(1_100)).await;
    assert_eq!(
        bea.get("/api/v1/insights").await.status,
        StatusCode::UNAUTHORIZED
    );
    app.finish().await;
}

#[tokio::test]
async fn without_the_session_cache_changes_made_elsewhere_show_at_once() {
    let app = TestApp::sqlite("cache-off", with_session_cache(0)).await;
    let mut ann = app.client();
    ann.signup("ann").await;
    put_night(&mut ann, "2026-10-01", 4).await;
    assert_eq!(nights(&ann.get("/api/v1/insights").await.json()), 1);
    write_elsewhere(&app.store, app.person("ann").await, "2026-10-02").await;
    assert_eq!(nights(&ann.get("/api/v1/insights").await.json()), 2);
    app.store
        .delete_session(&quietlegs_web::token_hash(&cookie_token(&ann)))
        .await
        .expect("delete session");
    assert_eq!(
        ann.get("/api/v1/insights").await.status,
        StatusCode::UNAUTHORIZED
    );
    app.finish().await;
}
