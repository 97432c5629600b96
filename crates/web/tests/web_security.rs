//! The web app's promises about people's data, checked through the real router on SQLite and
//! PostgreSQL: one person never sees another's data (404), state changes need the CSRF token,
//! bad input names its field and writes nothing, and local mode refuses foreign hosts.

#[macro_use]
mod common;

use axum::body::Body;
use axum::http::{Method, StatusCode, header};
use common::{Client, TestApp};
use jiff::civil::date;
use quietlegs_web::WebConfig;
use serde_json::json;

/// A form path, its fields, and the field its error must name.
type FormCase<'a> = (&'a str, Vec<(&'a str, &'a str)>, &'a str);

const SECRET_NOTE: &str = "ann-private-note-7f3";
const NIGHT: &str = "2026-11-02";
/// Longer than the 4,000 characters a night's notes may hold.
static LONG_NOTE: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| "é".repeat(4_001));

/// Everything a person has stored, to compare before and after a refused request.
async fn snapshot(app: &TestApp, name: &str) -> String {
    let bundle = app
        .store
        .export(app.person(name).await)
        .await
        .expect("export");
    format!("{bundle:?}")
}

/// Ann: a profile, a night with a private note, a ferritin result.
async fn ann_with_data(app: &TestApp) -> (Client, i64) {
    let mut ann = app.client();
    ann.signup("ann").await;
    let profile = json!({"bedtime": "22:30", "symptoms": {"urge_to_move": true,
        "worse_at_rest": true, "relieved_by_movement": true, "evening_or_night": true}});
    let a = ann.json(Method::PUT, "/api/v1/profile", &profile).await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.body);
    let a = ann
        .json(
            Method::PUT,
            &format!("/api/v1/journal/{NIGHT}"),
            &json!({"severity": 6, "notes": SECRET_NOTE, "took": {"magnesium": true}}),
        )
        .await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.body);
    let lab_id = ann.add_ferritin(31.5, "2026-10-01").await;
    (ann, lab_id)
}

async fn isolation(app: TestApp) {
    let (mut ann, lab_id) = ann_with_data(&app).await;
    let before = snapshot(&app, "ann").await;
    let mut bob = app.client();
    bob.signup("bob").await;

    // Every read route, as Bob: nothing of Ann's appears anywhere.
    let reads = [
        "/",
        "/plan",
        "/tonight",
        "/checkin",
        &format!("/checkin?night={NIGHT}"),
        "/journal",
        "/insights",
        "/insights/severity.svg",
        "/insights/triggers.svg",
        "/labs",
        "/labs/chart.svg?test=ferritin",
        "/settings",
        "/assess",
        "/report",
        "/report.pdf",
        "/api/v1/profile",
        "/api/v1/plan",
        "/api/v1/journal",
        &format!("/api/v1/journal/{NIGHT}"),
        "/api/v1/labs",
        &format!("/api/v1/labs/{lab_id}"),
        "/api/v1/insights",
        "/api/v1/export?format=json",
        "/api/v1/export?format=csv",
        "/api/v1/calendar",
    ];
    for path in reads {
        let a = bob.get(path).await;
        assert!(!a.status.is_server_error(), "{path}: {}", a.status);
        assert!(!a.body.contains(SECRET_NOTE), "{path} leaked Ann's note");
        assert!(!a.body.contains("31.5"), "{path} leaked Ann's ferritin");
    }
    // Ann's own resources answer 404 to Bob.
    for path in [
        format!("/api/v1/journal/{NIGHT}"),
        format!("/api/v1/labs/{lab_id}"),
    ] {
        assert_eq!(bob.get(&path).await.status, StatusCode::NOT_FOUND, "{path}");
    }
    // Bob's writes and deletes aimed at Ann's data change nothing of hers.
    let a = bob
        .send(
            Method::DELETE,
            &format!("/api/v1/labs/{lab_id}"),
            None,
            Body::empty(),
            true,
        )
        .await;
    assert_eq!(a.status, StatusCode::NOT_FOUND);
    let a = bob
        .send(
            Method::DELETE,
            &format!("/api/v1/journal/{NIGHT}"),
            None,
            Body::empty(),
            true,
        )
        .await;
    assert_eq!(a.status, StatusCode::NOT_FOUND);
    let a = bob
        .form("/labs/delete", &[("id", &lab_id.to_string())])
        .await;
    assert_eq!(a.status, StatusCode::NOT_FOUND);
    let a = bob.form("/checkin/delete", &[("night", NIGHT)]).await;
    assert!(a.status.is_redirection(), "{}", a.status);
    let a = bob
        .json(
            Method::PUT,
            &format!("/api/v1/journal/{NIGHT}"),
            &json!({"severity": 1}),
        )
        .await;
    assert_eq!(a.status, StatusCode::OK);
    assert_eq!(snapshot(&app, "ann").await, before, "Ann's data changed");
    // ...and Ann still sees her own.
    let a = ann.get(&format!("/api/v1/journal/{NIGHT}")).await;
    assert!(a.body.contains(SECRET_NOTE));
    app.finish().await;
}

on_both_stores!(
    one_person_never_sees_or_changes_anothers_data_sqlite,
    one_person_never_sees_or_changes_anothers_data_postgres,
    "iso",
    isolation
);

async fn csrf(app: TestApp) {
    let (mut ann, lab_id) = ann_with_data(&app).await;
    let before = snapshot(&app, "ann").await;
    let good = ann.csrf.clone();
    // Without the token, and with a wrong one: every state-changing route refuses.
    for token in [None, Some("0".repeat(64))] {
        ann.csrf = token.clone();
        let attempts: Vec<(Method, String, &str, String)> = vec![
            (
                Method::PUT,
                format!("/api/v1/journal/{NIGHT}"),
                "application/json",
                json!({"severity": 1}).to_string(),
            ),
            (
                Method::DELETE,
                format!("/api/v1/journal/{NIGHT}"),
                "application/json",
                String::new(),
            ),
            (
                Method::POST,
                "/api/v1/labs".into(),
                "application/json",
                json!({"test": "ferritin", "value": 1, "unit": "ng/mL"}).to_string(),
            ),
            (
                Method::DELETE,
                format!("/api/v1/labs/{lab_id}"),
                "application/json",
                String::new(),
            ),
            (
                Method::PUT,
                "/api/v1/profile".into(),
                "application/json",
                json!({"symptoms": {}}).to_string(),
            ),
            (
                Method::POST,
                "/api/v1/import?format=csv".into(),
                "text/csv",
                "night,severity\n2026-11-05,3\n".into(),
            ),
            (
                Method::POST,
                "/api/v1/logout".into(),
                "application/json",
                String::new(),
            ),
        ];
        for (method, path, ct, body) in attempts {
            let a = ann.send(method.clone(), &path, Some(ct), body, true).await;
            assert_eq!(
                a.status,
                StatusCode::FORBIDDEN,
                "{method} {path}: {}",
                a.body
            );
            assert_eq!(a.json()["error"]["code"], "csrf");
        }
        let forms: [(&str, Vec<(&str, &str)>); 7] = [
            ("/checkin", vec![("night", "2026-11-06"), ("severity", "2")]),
            ("/checkin/delete", vec![("night", NIGHT)]),
            (
                "/labs",
                vec![("test", "ferritin"), ("value", "9"), ("unit", "ng/mL")],
            ),
            ("/labs/delete", vec![("id", "1")]),
            ("/assess", vec![("age", "40")]),
            ("/settings", vec![("bedtime", "21:00")]),
            ("/logout", vec![]),
        ];
        for (path, fields) in forms {
            let a = ann.form(path, &fields).await;
            assert_eq!(a.status, StatusCode::FORBIDDEN, "form {path}");
        }
    }
    assert_eq!(
        snapshot(&app, "ann").await,
        before,
        "a refused request wrote something"
    );
    // With the token the same request works.
    ann.csrf = good;
    let a = ann
        .form("/checkin", &[("night", "2026-11-06"), ("severity", "2")])
        .await;
    assert_eq!(a.status, StatusCode::SEE_OTHER, "{}", a.body);
    app.finish().await;
}

on_both_stores!(
    state_changes_without_the_csrf_token_fail_sqlite,
    state_changes_without_the_csrf_token_fail_postgres,
    "csrf",
    csrf
);

async fn bad_input(app: TestApp) {
    let (mut ann, _) = ann_with_data(&app).await;
    let before = snapshot(&app, "ann").await;
    let night = format!("/api/v1/journal/{NIGHT}");
    let api: Vec<(Method, &str, &str, &str, &str)> = vec![
        (
            Method::PUT,
            &night,
            "application/json",
            r#"{"severity": 11}"#,
            "severity",
        ),
        (
            Method::PUT,
            &night,
            "application/json",
            r#"{"severity": 3, "caffeine_mg": -5}"#,
            "caffeine_mg",
        ),
        (
            Method::PUT,
            &night,
            "application/json",
            r#"{"severity": 3, "onset": "9pm"}"#,
            "onset",
        ),
        (
            Method::PUT,
            &night,
            "application/json",
            r#"{"severity": 3, "colour": "blue"}"#,
            "",
        ),
        (
            Method::PUT,
            &night,
            "application/json",
            r#"{"severity": 3, "night": "2026-11-03"}"#,
            "night",
        ),
        (
            Method::PUT,
            "/api/v1/journal/yesterday",
            "application/json",
            r#"{"severity": 3}"#,
            "night",
        ),
        (
            Method::PUT,
            "/api/v1/journal/2999-01-01",
            "application/json",
            r#"{"severity": 3}"#,
            "night",
        ),
        (Method::PUT, &night, "application/json", "not json", ""),
        // Text every store can keep: PostgreSQL refuses NUL, so it is refused everywhere.
        (
            Method::PUT,
            &night,
            "application/json",
            r#"{"severity": 3, "notes": "a\u0000b"}"#,
            "notes",
        ),
        (
            Method::PUT,
            &night,
            "application/json",
            r#"{"severity": 3, "x:mood": "low\u0000"}"#,
            "x:mood",
        ),
        (
            Method::PUT,
            "/api/v1/journal/-000001-01-01",
            "application/json",
            r#"{"severity": 3}"#,
            "night",
        ),
        (
            Method::POST,
            "/api/v1/import?format=csv",
            "text/csv",
            "night,severity,notes\n2026-11-07,3,\"nul \u{0}here\"\n",
            "notes",
        ),
        (
            Method::PUT,
            "/api/v1/profile",
            "application/json",
            r#"{"symptoms": {}, "medications": ["Zoloft\u0000"]}"#,
            "medications[0]",
        ),
        (
            Method::PUT,
            &night,
            "application/json",
            r#"{"sleep_hours": 7}"#,
            "severity",
        ),
        (
            Method::POST,
            "/api/v1/labs",
            "application/json",
            r#"{"test": "unobtainium", "value": 1, "unit": "ng/mL"}"#,
            "test",
        ),
        (
            Method::POST,
            "/api/v1/labs",
            "application/json",
            r#"{"test": "ferritin", "value": 1, "unit": "furlongs"}"#,
            "unit",
        ),
        (
            Method::POST,
            "/api/v1/labs",
            "application/json",
            r#"{"test": "ferritin", "value": "x", "unit": "ng/mL"}"#,
            "value",
        ),
        (
            Method::POST,
            "/api/v1/labs",
            "application/json",
            r#"{"test": "ferritin", "value": 1, "unit": "ng/mL", "date": "soon"}"#,
            "date",
        ),
        (
            Method::PUT,
            "/api/v1/profile",
            "application/json",
            r#"{"age": 300, "symptoms": {}}"#,
            "age",
        ),
        (
            Method::PUT,
            "/api/v1/profile",
            "application/json",
            r#"{"symptoms": {}, "timezone": "Mars/Olympus"}"#,
            "timezone",
        ),
        (
            Method::PUT,
            "/api/v1/profile",
            "application/json",
            r#"{"symptoms": {"onset": "noon"}}"#,
            "symptoms.onset",
        ),
        (
            Method::POST,
            "/api/v1/import?format=csv",
            "text/csv",
            "night,severity\n2026-11-07,3\n2026-11-08,eleven\n",
            "severity",
        ),
        (
            Method::POST,
            "/api/v1/import?format=xml",
            "text/csv",
            "night,severity\n",
            "format",
        ),
        (
            Method::POST,
            "/api/v1/import?format=json",
            "application/json",
            r#"{"format": "other"}"#,
            "",
        ),
        (Method::GET, "/api/v1/journal?from=someday", "", "", "from"),
        (Method::GET, "/api/v1/labs/abc", "", "", "id"),
        (Method::GET, "/api/v1/export?format=pdf", "", "", "format"),
        (
            Method::POST,
            "/api/v1/import?format=fhir",
            "application/fhir+json",
            r#"{"resourceType": "Patient"}"#,
            "resourceType",
        ),
    ];
    for (method, path, ct, body, field) in api {
        let ct = (!ct.is_empty()).then_some(ct);
        let a = ann
            .send(method.clone(), path, ct, body.to_string(), true)
            .await;
        assert!(
            a.status.is_client_error(),
            "{method} {path} {body}: {} {}",
            a.status,
            a.body
        );
        let doc = a.json();
        let message = doc["error"]["message"].as_str().unwrap_or("");
        assert!(!message.is_empty(), "{path}: no message");
        if !field.is_empty() {
            let named = doc["error"]["field"].as_str().unwrap_or("");
            assert!(
                named.contains(field),
                "{method} {path} {body}: field {named:?}, want {field}"
            );
        }
    }
    let forms: Vec<FormCase> = vec![
        // A new night the person did not rate is refused, never stored as 0 ("fine").
        ("/checkin", vec![("night", "2026-10-15")], "severity"),
        (
            "/checkin",
            vec![
                ("night", "2026-10-15"),
                ("severity", "3"),
                ("notes", LONG_NOTE.as_str()),
            ],
            "notes",
        ),
        (
            "/checkin",
            vec![
                ("night", "2026-10-15"),
                ("severity", "3"),
                ("notes", "a\0b"),
            ],
            "notes",
        ),
        (
            "/checkin",
            vec![("night", "2026-10-15"), ("severity", "")],
            "severity",
        ),
        (
            "/checkin",
            vec![("night", NIGHT), ("severity", "12")],
            "severity",
        ),
        (
            "/checkin",
            vec![("night", "02/11/2026"), ("severity", "3")],
            "night",
        ),
        (
            "/checkin",
            vec![
                ("night", NIGHT),
                ("severity", "3"),
                ("alcohol_drinks", "lots"),
            ],
            "alcohol_drinks",
        ),
        (
            "/checkin",
            vec![
                ("night", NIGHT),
                ("severity", "3"),
                ("last_caffeine", "25:00"),
            ],
            "last_caffeine",
        ),
        (
            "/labs",
            vec![("test", "ferritin"), ("value", "abc"), ("unit", "ng/mL")],
            "value",
        ),
        (
            "/labs",
            vec![("test", "ferritin"), ("value", "40"), ("unit", "bananas")],
            "unit",
        ),
        (
            "/labs",
            vec![
                ("test", "ferritin"),
                ("value", "40"),
                ("unit", "ng/mL"),
                ("date", "2999-01-01"),
            ],
            "date",
        ),
        ("/assess", vec![("age", "very old")], "age"),
        ("/assess", vec![("urge_to_move", "maybe")], "urge_to_move"),
        ("/assess", vec![("timezone", "Nowhere/Land")], "timezone"),
        ("/assess", vec![("bedtime", "late")], "bedtime"),
        ("/settings", vec![("bedtime", "99:99")], "bedtime"),
    ];
    for (path, fields, field) in forms {
        let a = ann.form(path, &fields).await;
        assert_eq!(
            a.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "form {path} {fields:?}: {}",
            a.status
        );
        assert!(
            a.body.contains("Nothing was saved"),
            "form {path}: no message"
        );
        assert!(
            a.body
                .contains(&format!("<span class=\"field-name\">{field}")),
            "form {path} {fields:?} does not name {field}"
        );
    }
    assert_eq!(
        snapshot(&app, "ann").await,
        before,
        "bad input wrote something"
    );
    // The form for a night not yet logged has no rating chosen for the person.
    let page = ann.get("/checkin?night=2026-10-15").await;
    let ratings = page
        .body
        .split_once("id=\"severity\"")
        .and_then(|(_, rest)| rest.split_once("</fieldset>"))
        .map(|(inside, _)| inside.to_string())
        .expect("the severity choices");
    assert_eq!(ratings.matches("type=\"radio\"").count(), 11);
    assert!(!ratings.contains("checked"), "a new night starts unrated");
    app.finish().await;
}

on_both_stores!(
    bad_input_names_its_field_and_writes_nothing_sqlite,
    bad_input_names_its_field_and_writes_nothing_postgres,
    "bad",
    bad_input
);

#[tokio::test]
async fn signed_out_requests_are_refused_or_sent_to_sign_in() {
    let app = TestApp::sqlite("anon", WebConfig::server(true)).await;
    let mut anon = app.client();
    for path in [
        "/api/v1/journal",
        "/api/v1/profile",
        "/api/v1/insights",
        "/api/v1/labs",
    ] {
        let a = anon.get(path).await;
        assert_eq!(a.status, StatusCode::UNAUTHORIZED, "{path}");
        assert_eq!(a.json()["error"]["code"], "unauthorized");
    }
    for path in [
        "/checkin",
        "/journal",
        "/insights",
        "/labs",
        "/settings",
        "/plan",
        "/tonight",
    ] {
        let a = anon.get(path).await;
        assert!(a.status.is_redirection(), "{path}: {}", a.status);
        assert_eq!(a.headers[header::LOCATION], "/login");
    }
    app.finish().await;
}

#[tokio::test]
async fn sign_in_works_is_rate_limited_and_sign_out_ends_the_session() {
    let app = TestApp::sqlite("login", WebConfig::server(true)).await;
    let mut ann = app.client();
    ann.signup("ann").await;
    let a = ann
        .send(Method::POST, "/api/v1/logout", None, Body::empty(), true)
        .await;
    assert_eq!(a.status, StatusCode::NO_CONTENT);
    assert_eq!(
        ann.get("/api/v1/journal").await.status,
        StatusCode::UNAUTHORIZED
    );

    let mut other = app.client();
    for _ in 0..5 {
        let a = other
            .json(
                Method::POST,
                "/api/v1/login",
                &json!({"username": "ann", "password": "wrong password!"}),
            )
            .await;
        assert_eq!(a.status, StatusCode::UNAUTHORIZED);
    }
    let a = other
        .json(
            Method::POST,
            "/api/v1/login",
            &json!({"username": "ann", "password": "a long enough password"}),
        )
        .await;
    assert_eq!(a.status, StatusCode::TOO_MANY_REQUESTS, "{}", a.body);

    let mut bob = app.client();
    bob.signup("bob").await;
    bob.send(Method::POST, "/api/v1/logout", None, Body::empty(), true)
        .await;
    let a = bob
        .json(
            Method::POST,
            "/api/v1/login",
            &json!({"username": "BOB", "password": "a long enough password"}),
        )
        .await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.body);
    assert_eq!(bob.get("/api/v1/journal").await.status, StatusCode::OK);
    // The session is stored hashed: the cookie's token is not in the database.
    let token = bob.cookie.clone().unwrap_or_default();
    let token = token.trim_start_matches("ql_session=");
    assert!(app.store.session(token, 0).await.expect("lookup").is_none());

    let a = app
        .client()
        .json(
            Method::POST,
            "/api/v1/signup",
            &json!({"username": "bob", "password": "another long password"}),
        )
        .await;
    assert_eq!(a.status, StatusCode::CONFLICT);
    let a = app
        .client()
        .json(
            Method::POST,
            "/api/v1/signup",
            &json!({"username": "x", "password": "short"}),
        )
        .await;
    assert_eq!(a.json()["error"]["field"], "username");
    app.finish().await;
}

#[tokio::test]
async fn closed_sign_up_refuses_new_accounts() {
    let app = TestApp::sqlite("closed", WebConfig::server(false)).await;
    let a = app
        .client()
        .json(
            Method::POST,
            "/api/v1/signup",
            &json!({"username": "carol", "password": "a long enough password"}),
        )
        .await;
    assert_eq!(a.status, StatusCode::FORBIDDEN);
    assert!(
        app.store
            .find_person("carol")
            .await
            .expect("find")
            .is_none()
    );
    app.finish().await;
}

#[tokio::test]
async fn local_mode_signs_in_by_link_and_refuses_foreign_hosts() {
    let config = WebConfig::local("127.0.0.1:8080".parse().expect("addr")).expect("random");
    let url = config
        .sign_in_url("127.0.0.1:8080".parse().expect("addr"))
        .expect("url");
    let path = url.trim_start_matches("http://127.0.0.1:8080");
    let app = TestApp::sqlite("local", config).await;

    let mut stranger = app.client();
    stranger.host = "evil.example:8080".into();
    let a = stranger.get(path).await;
    assert_eq!(a.status, StatusCode::FORBIDDEN);
    assert!(stranger.cookie.is_none());

    let mut guess = app.client();
    let a = guess.get("/login?token=0123").await;
    assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(guess.cookie.is_none());
    assert_eq!(
        guess.get("/api/v1/journal").await.status,
        StatusCode::UNAUTHORIZED
    );

    let mut me = app.client();
    let a = me.get(path).await;
    assert!(a.status.is_redirection(), "{}", a.status);
    assert!(me.cookie.is_some());
    assert_eq!(me.get("/api/v1/journal").await.status, StatusCode::OK);
    // A DNS-rebinding page reaches the same server under another name: refused, even with the
    // cookie.
    me.host = "rebind.example:8080".into();
    assert_eq!(
        me.get("/api/v1/journal").await.status,
        StatusCode::FORBIDDEN
    );
    // No accounts in local mode.
    me.host = "localhost:8080".into();
    let a = me
        .json(
            Method::POST,
            "/api/v1/signup",
            &json!({"username": "zed", "password": "a long enough password"}),
        )
        .await;
    assert_eq!(a.status, StatusCode::FORBIDDEN);
    app.finish().await;
}

#[tokio::test]
async fn security_headers_and_openapi_document() {
    let app = TestApp::sqlite("headers", WebConfig::server(true)).await;
    let mut c = app.client();
    let a = c.get("/login").await;
    let csp = a.headers[header::CONTENT_SECURITY_POLICY]
        .to_str()
        .expect("csp");
    assert!(
        csp.contains("script-src 'self'") && !csp.contains("unsafe-inline"),
        "{csp}"
    );
    assert_eq!(a.headers[header::X_FRAME_OPTIONS], "DENY");
    assert!(!a.body.contains("<script>"), "inline script on the page");
    let doc = c.get("/api/openapi.json").await.json();
    for path in [
        "/api/v1/signup",
        "/api/v1/login",
        "/api/v1/logout",
        "/api/v1/profile",
        "/api/v1/plan",
        "/api/v1/journal",
        "/api/v1/journal/{night}",
        "/api/v1/labs",
        "/api/v1/labs/{id}",
        "/api/v1/insights",
        "/api/v1/export",
        "/api/v1/import",
    ] {
        assert!(doc["paths"].get(path).is_some(), "OpenAPI lacks {path}");
    }
    assert!(doc["components"]["schemas"]["NightEntry"]["properties"]["severity"].is_object());
    app.finish().await;
}

#[tokio::test]
async fn one_client_cannot_make_accounts_without_end() {
    let app = TestApp::sqlite("signup-limit", WebConfig::server(true)).await;
    let mut made = 0;
    let mut refused = None;
    for i in 0..25 {
        let a = app
            .client()
            .json(
                Method::POST,
                "/api/v1/signup",
                &json!({"username": format!("user{i:02}"), "password": "a long enough password"}),
            )
            .await;
        if a.status == StatusCode::CREATED {
            made += 1;
        } else {
            refused = Some(a);
            break;
        }
    }
    assert_eq!(made, 20, "4x the sign-in limit per address in 15 minutes");
    let refused = refused.expect("the 21st was refused");
    assert_eq!(refused.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(refused.body.contains("new accounts"), "{}", refused.body);
    app.finish().await;
}

/// An import and check-ins of the same nights at the same moment: each request ends cleanly
/// (saved, or refused as a conflict with nothing imported), never a 500.
async fn import_races_check_ins(app: TestApp) {
    let mut ann = app.client();
    ann.signup("ann").await;
    let mut races = 0;
    for round in 0..8i64 {
        let first = date(2025, 1, 1)
            .checked_add(jiff::Span::new().days(round * 40))
            .expect("date");
        let nights: Vec<String> = (0..30)
            .map(|i| {
                first
                    .checked_add(jiff::Span::new().days(i))
                    .expect("date")
                    .to_string()
            })
            .collect();
        let csv = std::iter::once("night,severity".to_string())
            .chain(nights.iter().map(|n| format!("{n},5")))
            .collect::<Vec<_>>()
            .join("\n");
        let mut importer = ann.clone();
        let import = tokio::spawn(async move {
            importer
                .send(
                    Method::POST,
                    "/api/v1/import?format=csv",
                    Some("text/csv"),
                    Body::from(csv),
                    true,
                )
                .await
        });
        let check_ins: Vec<_> = nights
            .iter()
            .map(|n| {
                let mut c = ann.clone();
                let path = format!("/api/v1/journal/{n}");
                tokio::spawn(
                    async move { c.json(Method::PUT, &path, &json!({"severity": 2})).await },
                )
            })
            .collect();
        let imported = import.await.expect("import task");
        assert!(
            matches!(imported.status, StatusCode::OK | StatusCode::CONFLICT),
            "import: {} {}",
            imported.status,
            imported.body
        );
        if imported.body.contains("another request") {
            races += 1;
        }
        for c in check_ins {
            let a = c.await.expect("check-in task");
            assert_eq!(a.status, StatusCode::OK, "check-in: {}", a.body);
        }
        let stored = ann
            .get(&format!(
                "/api/v1/journal?from={}&to={}",
                nights[0], nights[29]
            ))
            .await;
        let stored: Vec<serde_json::Value> = serde_json::from_str(&stored.body).expect("json");
        assert_eq!(
            stored.len(),
            30,
            "every night is there, from one request or the other"
        );
    }
    eprintln!("imports that met a check-in mid-write: {races} of 8");
    app.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_import_racing_check_ins_never_fails_sqlite() {
    import_races_check_ins(TestApp::sqlite("race", WebConfig::server(true)).await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_import_racing_check_ins_never_fails_postgres() {
    match TestApp::postgres("race", WebConfig::server(true)).await {
        Some(app) => import_races_check_ins(app).await,
        None => eprintln!("QUIETLEGS_TEST_POSTGRES_URL is not set: PostgreSQL run skipped"),
    }
}
