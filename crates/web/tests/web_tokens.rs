//! Personal API tokens: made with a session and shown once, then `Authorization: Bearer` on the
//! JSON API without cookie or CSRF token, within the token's scopes, for its own person only;
//! revoked -> 401; never on the account routes; never in the logs. The README's Shortcut body
//! is sent as written.

#[macro_use]
mod common;

use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use common::{Client, TestApp};
use serde_json::{Value, json};
use tower::ServiceExt;

/// A request as a shortcut sends it: the token, no cookie, no CSRF token.
async fn bearer(
    app: &TestApp,
    method: Method,
    path: &str,
    token: &str,
    body: Option<&str>,
) -> (StatusCode, String) {
    let mut request = Request::builder()
        .method(method)
        .uri(path)
        .header(header::HOST, &app.host)
        .header(header::AUTHORIZATION, format!("Bearer {token}"));
    if body.is_some() {
        request = request.header(header::CONTENT_TYPE, "application/json");
    }
    let body = body.map_or_else(Body::empty, |b| Body::from(b.to_string()));
    let response = app
        .router
        .clone()
        .oneshot(request.body(body).expect("request"))
        .await
        .expect("router answers");
    let status = response.status();
    let bytes = axum::body::to_bytes(response.into_body(), 1 << 24)
        .await
        .expect("body");
    (status, String::from_utf8_lossy(&bytes).into_owned())
}

async fn make_token(client: &mut Client, name: &str, scopes: &[&str]) -> (i64, String) {
    let a = client
        .json(
            Method::POST,
            "/api/v1/tokens",
            &json!({"name": name, "scopes": scopes}),
        )
        .await;
    assert_eq!(a.status, StatusCode::CREATED, "{}", a.body);
    let v = a.json();
    let token = v["token"].as_str().expect("token").to_string();
    (v["id"].as_i64().expect("id"), token)
}

/// The night a morning shortcut logs: the evening before today (UTC is close enough here; the
/// check only refuses nights after tomorrow).
fn last_night() -> String {
    jiff::Timestamp::now()
        .to_zoned(jiff::tz::TimeZone::UTC)
        .date()
        .yesterday()
        .expect("a yesterday")
        .to_string()
}

/// The first ```json block of the README's "Shortcuts and home automation" section.
fn readme_body() -> String {
    let readme = include_str!("../../../README.md");
    let section = readme
        .split("## Shortcuts and home automation")
        .nth(1)
        .expect("the README has a Shortcuts and home automation section");
    let block = section
        .split("```json\n")
        .nth(1)
        .and_then(|rest| rest.split("```").next())
        .expect("a JSON block in the section");
    block.to_string()
}

async fn tokens(app: TestApp) {
    let (logs, _guard) = common::capture_logs();

    let mut ann = app.client();
    ann.signup("ann").await;
    let (log_id, logger) = make_token(&mut ann, "iPhone Shortcut", &["log-nights"]).await;
    let (_, reader) = make_token(&mut ann, "Dashboard", &["read-insights"]).await;
    assert!(logger.len() > 60 && logger != reader);

    // Listed without the secret, ever.
    let a = ann.get("/api/v1/tokens").await;
    assert_eq!(a.status, StatusCode::OK);
    assert!(!a.body.contains(&logger) && !a.body.contains(&reader));
    let listed = a.json();
    let listed = listed.as_array().expect("a list");
    assert_eq!(listed.len(), 2);
    for t in listed {
        assert!(t.get("token").is_none(), "{t}");
        assert!(t["last_used_at"].is_null(), "unused so far: {t}");
    }
    let shortcut = listed
        .iter()
        .find(|t| t["id"] == log_id)
        .expect("the shortcut token");
    assert_eq!(shortcut["name"], "iPhone Shortcut");
    assert_eq!(shortcut["scopes"], json!(["log-nights"]));
    // Nor on the settings page, which lists it by name.
    let page = ann.get("/settings").await;
    assert!(page.body.contains("iPhone Shortcut") && !page.body.contains(&logger));

    // The README's body logs a night, with the token alone.
    let night = last_night();
    let path = format!("/api/v1/journal/{night}");
    let body = readme_body();
    let (status, answer) = bearer(&app, Method::PUT, &path, &logger, Some(&body)).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    let sent: Value = serde_json::from_str(&body).expect("the README body is JSON");
    let stored = ann.get(&path).await.json();
    assert_eq!(stored["severity"], sent["severity"]);
    let (status, _) = bearer(&app, Method::GET, &path, &logger, None).await;
    assert_eq!(status, StatusCode::OK);
    let a = ann.get("/api/v1/tokens").await.json();
    let used = a
        .as_array()
        .and_then(|l| l.iter().find(|t| t["id"] == log_id))
        .expect("still listed");
    assert!(used["last_used_at"].is_string(), "{used}");

    // Scopes: reading insights cannot write a night; logging nights cannot read insights.
    let put = json!({"severity": 2}).to_string();
    let (status, answer) = bearer(&app, Method::PUT, &path, &reader, Some(&put)).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{answer}");
    assert!(answer.contains("token-scope"), "{answer}");
    assert_eq!(ann.get(&path).await.json()["severity"], sent["severity"]);
    let (status, _) = bearer(&app, Method::DELETE, &path, &reader, None).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, answer) = bearer(&app, Method::GET, "/api/v1/insights", &reader, None).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    let (status, _) = bearer(&app, Method::GET, "/api/v1/insights", &logger, None).await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    // Never on the account routes, whatever the scopes, cookie or not.
    let (_, both) = make_token(&mut ann, "Everything", &["log-nights", "read-insights"]).await;
    let profile = json!({"bedtime": "22:00"}).to_string();
    let none = Some("{}");
    let account: [(Method, &str, Option<&str>); 14] = [
        (Method::GET, "/api/v1/tokens", None),
        (Method::POST, "/api/v1/tokens", Some(r#"{"name":"more"}"#)),
        (Method::DELETE, "/api/v1/tokens/1", None),
        (Method::GET, "/api/v1/calendar/feeds", None),
        (Method::POST, "/api/v1/calendar/feeds", none),
        (Method::GET, "/api/v1/reminders", None),
        (
            Method::PUT,
            "/api/v1/reminders",
            Some(r#"{"checkin":"21:00"}"#),
        ),
        (Method::GET, "/api/v1/export?format=json", None),
        (Method::POST, "/api/v1/import?format=json", none),
        (Method::GET, "/api/v1/profile", None),
        (Method::PUT, "/api/v1/profile", Some(&profile)),
        (Method::GET, "/api/v1/labs", None),
        (Method::POST, "/api/v1/logout", None),
        (Method::GET, "/api/v1/calendar", None),
    ];
    for (method, route, body) in account {
        let (status, answer) = bearer(&app, method.clone(), route, &both, body).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{method} {route}: {answer}");
    }
    let tokens_before = app
        .store
        .api_tokens(app.person("ann").await)
        .await
        .expect("tokens")
        .len();
    assert_eq!(tokens_before, 3, "no token made a token");
    // A token rides along with Ann's own browser session: still no account route.
    let mut with_cookie = Request::builder()
        .method(Method::GET)
        .uri("/api/v1/tokens")
        .header(header::HOST, &app.host)
        .header(header::AUTHORIZATION, format!("Bearer {both}"));
    if let Some(cookie) = &ann.cookie {
        with_cookie = with_cookie.header(header::COOKIE, cookie);
    }
    let response = app
        .router
        .clone()
        .oneshot(with_cookie.body(Body::empty()).expect("request"))
        .await
        .expect("answers");
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    // Off the JSON API a token means nothing: the settings page wants a session.
    let (status, _) = bearer(&app, Method::GET, "/settings", &both, None).await;
    assert!(status.is_redirection(), "{status}");

    // Another person's token never opens Ann's data.
    let mut bob = app.client();
    bob.signup("bob").await;
    let (_, bobs) = make_token(&mut bob, "Bob's button", &["log-nights", "read-insights"]).await;
    let (status, _) = bearer(&app, Method::GET, &path, &bobs, None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, answer) = bearer(&app, Method::GET, "/api/v1/journal", &bobs, None).await;
    assert_eq!((status, answer.as_str()), (StatusCode::OK, "[]"));
    let (status, _) = bearer(&app, Method::PUT, &path, &bobs, Some(&put)).await;
    assert_eq!(status, StatusCode::OK, "Bob logs his own night");
    assert_eq!(ann.get(&path).await.json()["severity"], sent["severity"]);
    assert_eq!(bob.get(&path).await.json()["severity"], 2);
    let a = bob
        .send(
            Method::DELETE,
            &format!("/api/v1/tokens/{log_id}"),
            None,
            Body::empty(),
            true,
        )
        .await;
    assert_eq!(
        a.status,
        StatusCode::NOT_FOUND,
        "Bob cannot revoke Ann's token"
    );

    // Revoked: 401, like a token that never existed.
    let a = ann
        .send(
            Method::DELETE,
            &format!("/api/v1/tokens/{log_id}"),
            None,
            Body::empty(),
            true,
        )
        .await;
    assert_eq!(a.status, StatusCode::NO_CONTENT);
    let (status, answer) = bearer(&app, Method::GET, &path, &logger, None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{answer}");
    let (status, _) = bearer(&app, Method::GET, &path, "qlt_not-a-token", None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let a = ann
        .send(
            Method::DELETE,
            &format!("/api/v1/tokens/{log_id}"),
            None,
            Body::empty(),
            true,
        )
        .await;
    assert_eq!(a.status, StatusCode::NOT_FOUND, "already revoked");

    // The secrets never reached the logs, though every request above was logged.
    let logged = logs.text();
    assert!(logged.contains("request"), "nothing was captured");
    for secret in [&logger, &reader, &both, &bobs] {
        assert!(!logged.contains(secret.as_str()), "a token is in the logs");
        let hex = secret.trim_start_matches("qlt_");
        assert!(!logged.contains(hex), "a token's secret is in the logs");
    }
    app.finish().await;
}

on_both_stores!(tokens_sqlite, tokens_postgres, "tokens", tokens);

#[tokio::test]
async fn making_a_token_needs_a_session_and_csrf_and_names_bad_fields() {
    let _logs = common::capture_logs();
    let app = TestApp::sqlite("token-input", quietlegs_web::WebConfig::server(true)).await;
    let mut nobody = app.client();
    let a = nobody
        .json(Method::POST, "/api/v1/tokens", &json!({"name": "x"}))
        .await;
    assert_eq!(a.status, StatusCode::UNAUTHORIZED, "{}", a.body);

    let mut ann = app.client();
    ann.signup("ann").await;
    let a = ann
        .send(
            Method::POST,
            "/api/v1/tokens",
            Some("application/json"),
            r#"{"name":"x"}"#,
            false,
        )
        .await;
    assert_eq!(a.status, StatusCode::FORBIDDEN, "no CSRF token: {}", a.body);

    for (body, field) in [
        (json!({}), "name"),
        (json!({"name": "  "}), "name"),
        (json!({"name": "x".repeat(61)}), "name"),
        (json!({"name": "tab\there"}), "name"),
        (json!({"name": "x", "scopes": ["admin"]}), "scopes"),
        (json!({"name": "x", "scopes": []}), "scopes"),
        (json!({"name": "x", "scopes": "log-nights"}), "scopes"),
        (json!({"name": "x", "colour": "red"}), "colour"),
    ] {
        let a = ann.json(Method::POST, "/api/v1/tokens", &body).await;
        assert_eq!(
            a.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{body}: {}",
            a.body
        );
        let named = a.json()["error"]["field"]
            .as_str()
            .unwrap_or("")
            .to_string();
        assert!(
            named.contains(field),
            "{body}: field {named}, wanted {field}"
        );
    }
    let a = ann
        .send(
            Method::DELETE,
            "/api/v1/tokens/abc",
            None,
            Body::empty(),
            true,
        )
        .await;
    assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY);

    // No scopes named: every scope.
    let a = ann
        .json(Method::POST, "/api/v1/tokens", &json!({"name": "all"}))
        .await;
    assert_eq!(a.status, StatusCode::CREATED);
    assert_eq!(a.json()["scopes"], json!(["log-nights", "read-insights"]));
    app.finish().await;
}

#[tokio::test]
async fn tokens_are_made_and_revoked_from_settings_and_shown_once() {
    let _logs = common::capture_logs();
    let app = TestApp::sqlite("token-page", quietlegs_web::WebConfig::server(true)).await;
    let mut ann = app.client();
    ann.signup("ann").await;
    let page = ann
        .form(
            "/settings/tokens",
            &[("name", "Kitchen button"), ("scope", "log-nights")],
        )
        .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let marker = "<code id=\"new-token\">";
    let start = page.body.find(marker).expect("the new token") + marker.len();
    let token: String = page.body[start..]
        .chars()
        .take_while(|c| *c != '<')
        .collect();
    assert!(token.starts_with("qlt_"), "{token}");
    let later = ann.get("/settings").await;
    assert!(later.body.contains("Kitchen button") && !later.body.contains(&token));

    let (status, _) = bearer(&app, Method::GET, "/api/v1/journal", &token, None).await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = bearer(&app, Method::GET, "/api/v1/plan", &token, None).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "only log-nights was ticked");

    let bad = ann.form("/settings/tokens", &[("name", "No scopes")]).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("scopes"), "the field is named");

    let id = app
        .store
        .api_tokens(app.person("ann").await)
        .await
        .expect("list")[0]
        .id;
    let page = ann
        .form("/settings/tokens/revoke", &[("id", &id.to_string())])
        .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(!page.body.contains("Kitchen button"));
    let (status, _) = bearer(&app, Method::GET, "/api/v1/journal", &token, None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    app.finish().await;
}

#[tokio::test]
async fn the_openapi_document_has_the_token_feed_and_reminder_routes() {
    let _logs = common::capture_logs();
    let app = TestApp::sqlite("token-doc", quietlegs_web::WebConfig::server(true)).await;
    let doc = app.client().get("/api/openapi.json").await.json();
    for (path, methods) in [
        ("/api/v1/tokens", &["get", "post"][..]),
        ("/api/v1/tokens/{id}", &["delete"][..]),
        ("/api/v1/calendar/feeds", &["get", "post"][..]),
        ("/api/v1/calendar/feeds/{id}", &["delete"][..]),
        ("/api/v1/reminders", &["get", "put"][..]),
    ] {
        for method in methods {
            assert!(
                doc["paths"][path][method].is_object(),
                "OpenAPI lacks {method} {path}"
            );
        }
    }
    let created = &doc["components"]["schemas"]["CreatedToken"]["properties"];
    assert!(created["token"].is_object() && created["id"].is_object());
    let listed = &doc["components"]["schemas"]["TokenOut"]["properties"];
    assert!(
        listed.get("token").is_none(),
        "a listed token has no secret"
    );
    assert_eq!(
        doc["components"]["securitySchemes"]["bearer"]["scheme"],
        "bearer"
    );
    assert_eq!(
        doc["components"]["schemas"]["Scope"]["enum"],
        json!(["log-nights", "read-insights"]),
        "the documented scopes are the accepted ones"
    );
    app.finish().await;
}
