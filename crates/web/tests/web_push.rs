//! Web Push's web side without a push service: a server without push (local mode, or push not
//! set up) says so plainly on every push route, the routes are in the OpenAPI document, and
//! the settings page carries the "Remind me on this phone" control and its script, which the
//! service worker's `push` and `notificationclick` handlers answer. The whole path to a
//! decrypted message is `crates/cli/tests/push_reminders.rs`.

mod common;

use axum::http::{Method, StatusCode};
use common::TestApp;
use serde_json::json;

#[tokio::test]
async fn without_push_every_push_route_says_push_is_off() {
    let app = TestApp::sqlite("push-off", quietlegs_web::WebConfig::server(true)).await;
    let mut client = app.client();
    let anonymous = client.get("/api/v1/push/key").await;
    assert_eq!(
        anonymous.status,
        StatusCode::UNAUTHORIZED,
        "a session first"
    );
    client.signup("pat").await;
    let subscription = json!({
        "endpoint": "https://push.example.net/send/abc",
        "keys": {"p256dh": "BAAA", "auth": "AAAA"},
    });
    for (method, path, body) in [
        (Method::GET, "/api/v1/push/key", None),
        (
            Method::POST,
            "/api/v1/push/subscriptions",
            Some(&subscription),
        ),
        (
            Method::DELETE,
            "/api/v1/push/subscriptions",
            Some(&json!({"endpoint": "https://push.example.net/send/abc"})),
        ),
    ] {
        let answer = match body {
            Some(body) => client.json(method.clone(), path, body).await,
            None => client.get(path).await,
        };
        assert_eq!(answer.status, StatusCode::NOT_FOUND, "{method} {path}");
        assert_eq!(
            answer.json()["error"]["code"],
            "push-off",
            "{}",
            answer.body
        );
        assert!(answer.body.contains("--multi-user"), "{}", answer.body);
    }
    app.finish().await;
}

#[tokio::test]
async fn the_push_routes_are_documented_and_the_page_has_the_control() {
    let app = TestApp::sqlite("push-doc", quietlegs_web::WebConfig::server(true)).await;
    let mut client = app.client();
    let doc = client.get("/api/openapi.json").await.json();
    assert!(doc["paths"]["/api/v1/push/key"]["get"].is_object());
    for method in ["post", "delete"] {
        assert!(
            doc["paths"]["/api/v1/push/subscriptions"][method].is_object(),
            "OpenAPI lacks {method} /api/v1/push/subscriptions"
        );
    }
    let keys = &doc["components"]["schemas"]["SubscriptionKeys"]["properties"];
    assert!(keys["p256dh"].is_object() && keys["auth"].is_object());

    client.signup("pat").await;
    let page = client.get("/settings").await;
    assert_eq!(page.status, StatusCode::OK);
    // Hidden until the script finds a browser that can take notifications.
    assert!(
        page.body
            .contains(r#"<div id="push-reminders" class="stack" hidden>"#),
        "no push control on the settings page"
    );
    assert!(page.body.contains(r#"id="push-remind""#));
    assert!(page.body.contains(r#"src="/static/push.js""#));
    let script = client.get("/static/push.js").await;
    assert_eq!(script.status, StatusCode::OK);
    assert!(script.body.contains("/api/v1/push/subscriptions"));
    let worker = client.get("/sw.js").await;
    assert!(worker.body.contains(r#"addEventListener("push""#));
    assert!(
        worker
            .body
            .contains(r#"addEventListener("notificationclick""#)
    );
    app.finish().await;
}
