//! The library pages and knowledge API, exercised through the real router.

use axum::body::Body;
use axum::http::{Request, StatusCode};
use quietlegs_core::knowledge;
use tower::ServiceExt;

async fn get(path: &str) -> (StatusCode, String) {
    let kb = knowledge::bundled().expect("bundled knowledge is valid");
    let response = quietlegs_web::router(kb)
        .oneshot(Request::get(path).body(Body::empty()).expect("request"))
        .await
        .expect("router answers");
    let status = response.status();
    let bytes = axum::body::to_bytes(response.into_body(), 1 << 22)
        .await
        .expect("body");
    (status, String::from_utf8_lossy(&bytes).into_owned())
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
