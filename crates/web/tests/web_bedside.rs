//! The phone at the bedside, server side: "my legs are acting up now" (`POST /api/v1/episodes`
//! and the page's button), last night's severity in one tap (`POST /quick/severity`), and the
//! installable app's manifest, worker and offline shell, which hold nothing personal.

#[macro_use]
mod common;

use axum::http::{Method, StatusCode, header};
use common::{Client, TestApp};
use jiff::{Timestamp, ToSpan};
use serde_json::json;

/// A person whose clock is UTC, so the test can say which night a moment belongs to.
async fn person(app: &TestApp, name: &str) -> Client {
    let mut c = app.client();
    c.signup(name).await;
    let profile = json!({"bedtime": "22:30", "timezone": "UTC", "symptoms": {"urge_to_move": true,
        "worse_at_rest": true, "relieved_by_movement": true, "evening_or_night": true}});
    let a = c.json(Method::PUT, "/api/v1/profile", &profile).await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.body);
    c
}

/// The night `at` belongs to and its HH:MM, on a UTC clock.
fn night_and_time(at: Timestamp) -> (String, String) {
    let local = at.to_zoned(jiff::tz::TimeZone::UTC);
    (
        quietlegs_app::clock::night_of(&local).to_string(),
        format!("{:02}:{:02}", local.hour(), local.minute()),
    )
}

/// `hours` before now, on a whole minute, moved so it and the minute after stay in one night.
fn moment(hours: i64) -> Timestamp {
    let mut at = Timestamp::now() - hours.hours();
    at = Timestamp::from_second(at.as_second() - at.as_second() % 60).expect("time");
    if night_and_time(at).0 != night_and_time(at + 1.minutes()).0 {
        at -= 2.minutes();
    }
    at
}

async fn episode(c: &mut Client, at: Timestamp) -> common::Answer {
    c.json(
        Method::POST,
        "/api/v1/episodes",
        &json!({"at": at.to_string()}),
    )
    .await
}

async fn bedside_story(app: TestApp) {
    let mut ann = person(&app, "ann").await;

    // A night in the journal without an onset: the first episode fills it, the second does not.
    let first = moment(3);
    let (night, time) = night_and_time(first);
    let a = ann
        .json(
            Method::PUT,
            &format!("/api/v1/journal/{night}"),
            &json!({"severity": 5, "caffeine_mg": 100}),
        )
        .await;
    assert!(a.status.is_success(), "{}", a.body);
    let a = episode(&mut ann, first).await;
    assert_eq!(a.status, StatusCode::CREATED, "{}", a.body);
    let e = a.json();
    assert_eq!(e["night"], night.as_str());
    assert_eq!(e["local_time"], time.as_str());
    let stored = ann.get(&format!("/api/v1/journal/{night}")).await.json();
    assert_eq!(stored["onset"], time.as_str(), "{stored}");
    assert_eq!(stored["severity"], 5);
    assert_eq!(stored["caffeine_mg"].as_f64(), Some(100.0), "{stored}");
    let second = first + 1.minutes();
    let a = episode(&mut ann, second).await;
    assert_eq!(a.status, StatusCode::CREATED, "{}", a.body);
    let stored = ann.get(&format!("/api/v1/journal/{night}")).await.json();
    assert_eq!(
        stored["onset"],
        time.as_str(),
        "only the first episode is the onset"
    );
    let list = ann
        .get(&format!("/api/v1/episodes?night={night}"))
        .await
        .json();
    let times: Vec<&str> = list
        .as_array()
        .expect("list")
        .iter()
        .filter_map(|e| e["local_time"].as_str())
        .collect();
    assert_eq!(times, [time.as_str(), night_and_time(second).1.as_str()]);

    // A night whose onset the person wrote keeps it.
    let written = moment(50);
    let (written_night, _) = night_and_time(written);
    let a = ann
        .json(
            Method::PUT,
            &format!("/api/v1/journal/{written_night}"),
            &json!({"severity": 6, "onset": "21:05"}),
        )
        .await;
    assert!(a.status.is_success(), "{}", a.body);
    assert_eq!(episode(&mut ann, written).await.status, StatusCode::CREATED);
    let stored = ann
        .get(&format!("/api/v1/journal/{written_night}"))
        .await
        .json();
    assert_eq!(stored["onset"], "21:05");

    // A night not in the journal is not created (nobody gave its severity) ...
    let unlogged = moment(98);
    let (unlogged_night, unlogged_time) = night_and_time(unlogged);
    assert_eq!(
        episode(&mut ann, unlogged).await.status,
        StatusCode::CREATED
    );
    let a = ann.get(&format!("/api/v1/journal/{unlogged_night}")).await;
    assert_eq!(a.status, StatusCode::NOT_FOUND, "{}", a.body);
    // ... until one tap rates it: the rating, with the first episode as its onset.
    let a = ann
        .form(
            "/quick/severity",
            &[
                ("night", unlogged_night.as_str()),
                ("severity", "7"),
                ("from", "tonight"),
            ],
        )
        .await;
    assert_eq!(a.status, StatusCode::SEE_OTHER, "{}", a.body);
    let to = a.headers[header::LOCATION].to_str().expect("location");
    assert!(to.starts_with("/tonight?"), "{to}");
    let stored = ann
        .get(&format!("/api/v1/journal/{unlogged_night}"))
        .await
        .json();
    assert_eq!(stored["severity"], 7);
    assert_eq!(stored["onset"], unlogged_time.as_str(), "{stored}");

    // One tap on a stored night changes the rating and nothing else.
    let a = ann
        .form(
            "/quick/severity",
            &[("night", night.as_str()), ("severity", "2")],
        )
        .await;
    assert_eq!(a.status, StatusCode::SEE_OTHER, "{}", a.body);
    assert!(
        a.headers[header::LOCATION]
            .to_str()
            .expect("location")
            .starts_with("/?"),
        "home by default"
    );
    let stored = ann.get(&format!("/api/v1/journal/{night}")).await.json();
    assert_eq!(stored["severity"], 2);
    assert_eq!(stored["caffeine_mg"].as_f64(), Some(100.0), "{stored}");
    assert_eq!(stored["onset"], time.as_str());

    // Another person: their episode at the same moment touches none of ann's nights, and they
    // see none of ann's episodes.
    let mut bob = person(&app, "bob").await;
    let none = bob
        .get(&format!("/api/v1/episodes?night={night}"))
        .await
        .json();
    assert_eq!(none, json!([]));
    assert_eq!(episode(&mut bob, first).await.status, StatusCode::CREATED);
    assert_eq!(
        bob.get(&format!("/api/v1/journal/{night}")).await.status,
        StatusCode::NOT_FOUND,
        "bob's episode does not create a night"
    );
    let anns = ann
        .get(&format!("/api/v1/episodes?night={night}"))
        .await
        .json();
    assert_eq!(anns.as_array().map(Vec::len), Some(2), "{anns}");
    let a = bob
        .form(
            "/quick/severity",
            &[("night", night.as_str()), ("severity", "9")],
        )
        .await;
    assert_eq!(a.status, StatusCode::SEE_OTHER);
    let stored = ann.get(&format!("/api/v1/journal/{night}")).await.json();
    assert_eq!(stored["severity"], 2, "bob's tap is bob's night");

    // Bad input is refused, and says which field.
    for (body, why) in [
        (json!({"at": "last night"}), "not a time"),
        (
            json!({"at": (Timestamp::now() + 1.hours()).to_string()}),
            "future",
        ),
        (
            json!({"at": (Timestamp::now() - 200.hours()).to_string()}),
            "too old",
        ),
        (json!({"when": "now"}), "unknown field"),
        (json!({"at": 12}), "not a string"),
    ] {
        let a = ann.json(Method::POST, "/api/v1/episodes", &body).await;
        assert_eq!(
            a.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{why}: {}",
            a.body
        );
    }
    let a = ann.get("/api/v1/episodes?night=yesterday").await;
    assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", a.body);
    for fields in [
        vec![("night", night.as_str()), ("severity", "11")],
        vec![("night", night.as_str()), ("severity", "-1")],
        vec![("night", night.as_str())],
        vec![("night", "2999-01-01"), ("severity", "3")],
        vec![("night", "soon"), ("severity", "3")],
    ] {
        let a = ann.form("/quick/severity", &fields).await;
        assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY, "{fields:?}");
    }
    let stored = ann.get(&format!("/api/v1/journal/{night}")).await.json();
    assert_eq!(stored["severity"], 2, "refused taps change nothing");

    // Without the CSRF token, or signed out, nothing is recorded.
    let a = ann
        .send(
            Method::POST,
            "/api/v1/episodes",
            Some("application/json"),
            "{}",
            false,
        )
        .await;
    assert_eq!(a.status, StatusCode::FORBIDDEN, "{}", a.body);
    let a = ann
        .send(
            Method::POST,
            "/quick/severity",
            Some("application/x-www-form-urlencoded"),
            format!("night={night}&severity=8"),
            false,
        )
        .await;
    assert_eq!(a.status, StatusCode::FORBIDDEN, "{}", a.body);
    let mut stranger = app.client();
    let a = stranger
        .json(Method::POST, "/api/v1/episodes", &json!({}))
        .await;
    assert_eq!(a.status, StatusCode::UNAUTHORIZED, "{}", a.body);
    let stored = ann.get(&format!("/api/v1/journal/{night}")).await.json();
    assert_eq!(stored["severity"], 2);

    // The page's button: noted now, then the bad-night toolkit.
    let a = ann.form("/episodes", &[]).await;
    assert_eq!(a.status, StatusCode::SEE_OTHER, "{}", a.body);
    let to = a.headers[header::LOCATION]
        .to_str()
        .expect("location")
        .to_string();
    assert!(
        to.starts_with("/tonight?noted=") && to.ends_with("#toolkit"),
        "{to}"
    );
    let page = ann.get(to.trim_end_matches("#toolkit")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("Noted: your legs started acting up at"));
    assert!(page.body.contains(r#"id="toolkit""#));
    // Only a time of day is echoed back.
    let page = ann.get("/tonight?noted=%3Cscript%3E").await;
    assert!(!page.body.contains("Noted:") && !page.body.contains("<script>alert"));

    app.finish().await;
}

on_both_stores!(
    bedside_on_sqlite,
    bedside_on_postgres,
    "bedside",
    bedside_story
);

#[tokio::test]
async fn home_offers_one_tap_with_nothing_chosen_then_shows_the_rating() {
    let app = TestApp::sqlite("quick-home", quietlegs_web::WebConfig::server(true)).await;
    let mut ann = person(&app, "ann").await;
    let home = ann.get("/").await;
    assert_eq!(home.status, StatusCode::OK);
    let body = &home.body;
    assert!(body.contains(r#"class="quick-severity""#), "{body}");
    for v in 0..=10 {
        assert!(
            body.contains(&format!(r#"name="severity" value="{v}""#)),
            "button {v}"
        );
    }
    assert!(!body.contains("aria-pressed") && !body.contains(" checked"));
    assert!(
        body.contains(r#"href="/checkin?night="#),
        "the full form one tap away"
    );
    assert!(body.contains("My legs are acting up now"));
    let night = quietlegs_app::clock::default_night(Some(&quietlegs_core::profile::Profile {
        timezone: Some("UTC".into()),
        ..Default::default()
    }))
    .to_string();
    assert!(body.contains(&format!(r#"name="night" value="{night}""#)));
    let a = ann
        .form("/quick/severity", &[("night", &night), ("severity", "3")])
        .await;
    assert_eq!(a.status, StatusCode::SEE_OTHER);
    let home = ann.get("/").await;
    assert!(home.body.contains("severity <strong>3</strong> of 10"));
    assert!(!home.body.contains(r#"class="quick-severity""#));
    let tonight = ann.get("/tonight").await;
    assert!(tonight.body.contains("severity <strong>3</strong> of 10"));
    app.finish().await;
}

#[tokio::test]
async fn the_manifest_worker_and_shell_hold_nothing_personal() {
    let app = TestApp::sqlite("pwa", quietlegs_web::WebConfig::server(true)).await;
    let mut ann = person(&app, "zoltan").await;

    let m = ann.get("/manifest.webmanifest").await;
    assert_eq!(m.status, StatusCode::OK);
    assert_eq!(m.headers[header::CONTENT_TYPE], "application/manifest+json");
    let manifest = m.json();
    assert_eq!(manifest["display"], "standalone");
    assert_eq!(manifest["start_url"], "/");
    assert!(manifest["short_name"].is_string() && manifest["name"].is_string());
    let icons = manifest["icons"].as_array().expect("icons");
    for (size, purpose) in [
        ("192x192", "any"),
        ("512x512", "any"),
        ("512x512", "maskable"),
    ] {
        let icon = icons
            .iter()
            .find(|i| i["sizes"] == size && i["purpose"] == purpose)
            .unwrap_or_else(|| panic!("{size} {purpose}"));
        let a = ann.get(icon["src"].as_str().expect("src")).await;
        assert_eq!(a.status, StatusCode::OK);
        assert_eq!(a.headers[header::CONTENT_TYPE], "image/png");
    }

    let w = ann.get("/sw.js").await;
    assert_eq!(w.status, StatusCode::OK);
    assert_eq!(w.headers["service-worker-allowed"], "/");
    assert!(
        !w.body.contains("__QUIETLEGS_VERSION__"),
        "the cache is versioned"
    );
    assert!(w.body.contains("\"/offline\""));
    assert!(!w.body.contains("__QUIETLEGS_STATIC__"));
    for file in [
        "/static/app.js",
        "/static/outbox.js",
        "/static/icon-192.png",
    ] {
        assert!(
            w.body.contains(&format!("\"{file}\"")),
            "{file} is kept offline"
        );
    }

    // The shell is the same for everybody: no name, no token, no nights.
    let shell = ann.get("/offline").await;
    assert_eq!(shell.status, StatusCode::OK);
    assert!(!shell.body.contains("zoltan") && !shell.body.contains("csrf"));
    assert!(!shell.body.contains("quietlegs-user"));
    assert!(shell.body.contains("data-offline-checkin"));
    let stranger = app.client().get("/offline").await;
    assert_eq!(stranger.body, shell.body);

    // Every page links the manifest; personal pages are never stored by a cache.
    for path in ["/", "/tonight", "/checkin", "/journal", "/settings"] {
        let a = ann.get(path).await;
        assert!(
            a.body
                .contains(r#"<link rel="manifest" href="/manifest.webmanifest">"#),
            "{path}"
        );
        let cache = a.headers[header::CACHE_CONTROL].to_str().expect("ascii");
        assert!(cache.contains("no-store"), "{path}: {cache}");
    }
    let a = app.client().get("/login").await;
    assert!(a.body.contains(r#"rel="manifest""#));

    // Signing out tells the browser to forget this site's caches and storage.
    let a = ann.form("/logout", &[]).await;
    assert_eq!(a.status, StatusCode::SEE_OTHER);
    assert_eq!(a.headers["clear-site-data"], "\"cache\", \"storage\"");
    let mut bob = person(&app, "bob").await;
    let a = bob
        .send(Method::POST, "/api/v1/logout", None, "", true)
        .await;
    assert_eq!(a.status, StatusCode::NO_CONTENT);
    assert_eq!(a.headers["clear-site-data"], "\"cache\", \"storage\"");
    app.finish().await;
}
