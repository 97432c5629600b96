//! The library pages and knowledge API, exercised through the real router. Anyone may read
//! the library, signed in or not.

mod common;

use axum::http::StatusCode;
use common::TestApp;
use quietlegs_web::WebConfig;

async fn get(path: &str) -> (StatusCode, String) {
    let app = TestApp::sqlite("library", WebConfig::server(true)).await;
    let answer = app.client().get(path).await;
    app.finish().await;
    (answer.status, answer.body)
}

#[tokio::test]
async fn health_check_answers() {
    assert_eq!(get("/healthz").await, (StatusCode::OK, "ok".to_string()));
}

#[tokio::test]
async fn library_lists_and_searches() {
    let (status, html) = get("/library").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("Magnesium"));
    assert!(html.contains("not medical advice"));

    let (_, html) = get("/library?q=Zoloft").await;
    assert!(html.contains("/library/sertraline"));
    assert!(!html.contains("/library/magnesium\""));
}

#[tokio::test]
async fn entry_page_shows_verdict_and_sources_escaped() {
    let (status, html) = get("/library/melatonin").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("Our verdict"));
    assert!(html.contains("Whittom"));
    // The guideline behind a grade is shown with it.
    let (_, html) = get("/library/gabapentinoid").await;
    assert!(
        html.contains("<dt>Guideline</dt><dd>AASM 2024: strong recommendation for"),
        "gabapentinoid guideline"
    );
    let (status, _) = get("/library/no-such-thing").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn api_returns_entries_and_spec_errors() {
    let (status, body) = get("/api/v1/kb/magnesium").await;
    assert_eq!(status, StatusCode::OK);
    let doc: serde_json::Value = serde_json::from_str(&body).expect("json");
    assert_eq!(doc["id"], "magnesium");

    let (status, body) = get("/api/v1/kb/nothing-here").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let doc: serde_json::Value = serde_json::from_str(&body).expect("json");
    assert_eq!(doc["error"]["code"], "not-found");

    let (status, body) = get("/api/v1/kb?kind=potion").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(body.contains("\"field\":\"kind\""));
}
