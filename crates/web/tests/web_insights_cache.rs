//! Insights are cached per person between requests; any change to their nights (added, edited,
//! deleted) or experiments shows up in the very next answer.

mod common;

use axum::body::Body;
use axum::http::{Method, StatusCode};
use common::TestApp;
use quietlegs_web::WebConfig;
use serde_json::json;

#[tokio::test]
async fn cached_insights_follow_every_change() {
    let app = TestApp::sqlite("cache", WebConfig::server(true)).await;
    let mut ann = app.client();
    ann.signup("ann").await;
    let nights = |c: &serde_json::Value| c["nights"].as_u64().expect("nights");
    for d in 1..=5 {
        let a = ann
            .json(
                Method::PUT,
                &format!("/api/v1/journal/2026-10-0{d}"),
                &json!({"severity": 4}),
            )
            .await;
        assert_eq!(a.status, StatusCode::OK);
    }
    let first = ann.get("/api/v1/insights").await.json();
    assert_eq!(nights(&first), 5);
    assert_eq!(
        ann.get("/api/v1/insights").await.json(),
        first,
        "a repeat answers the same"
    );

    ann.json(
        Method::PUT,
        "/api/v1/journal/2026-10-06",
        &json!({"severity": 9}),
    )
    .await;
    assert_eq!(nights(&ann.get("/api/v1/insights").await.json()), 6);

    // An edit that keeps the count still changes the answer.
    ann.json(
        Method::PUT,
        "/api/v1/journal/2026-10-06",
        &json!({"severity": 0}),
    )
    .await;
    let edited = ann.get("/api/v1/insights").await.json();
    assert_ne!(
        edited["trend"],
        ann_trend_with(&app, 9).await,
        "stale after an edit"
    );
    assert_eq!(nights(&edited), 6);

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
    app.finish().await;
}

/// The trend a fresh person gets for the same six nights with the last one at `severity`.
async fn ann_trend_with(_app: &TestApp, severity: u8) -> serde_json::Value {
    let other = TestApp::sqlite("cache-ref", WebConfig::server(true)).await;
    let mut c = other.client();
    c.signup("ref").await;
    for d in 1..=5 {
        c.json(
            Method::PUT,
            &format!("/api/v1/journal/2026-10-0{d}"),
            &json!({"severity": 4}),
        )
        .await;
    }
    c.json(
        Method::PUT,
        "/api/v1/journal/2026-10-06",
        &json!({"severity": severity}),
    )
    .await;
    let trend = c.get("/api/v1/insights").await.json()["trend"].clone();
    other.finish().await;
    trend
}
