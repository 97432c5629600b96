//! Secret calendar feeds: made with a session, fetched with none; an independent iCalendar
//! parser reads the routine, the check-in reminder at the chosen time, the lab re-tests (the
//! plan's, then the person's own) and an on/off experiment's switch days, every event with an
//! alarm; revoked and unknown secrets answer 404; the secret never reaches the logs.

#[macro_use]
mod common;

use std::io::BufReader;

use axum::body::Body;
use axum::http::{Method, StatusCode, header};
use common::{Client, TestApp};
use jiff::civil::Date;
use quietlegs_core::journal::{Experiment, ExperimentStatus, OnOffSchedule};
use serde_json::json;

fn days(date: Date, n: i64) -> Date {
    date.checked_add(jiff::Span::new().days(n)).expect("a date")
}

/// Today in Berlin, Ann's zone (the plan and the feed count days there).
fn today() -> Date {
    jiff::Timestamp::now()
        .to_zoned(jiff::tz::TimeZone::get("Europe/Berlin").expect("zone"))
        .date()
}

fn ics_date(date: Date) -> String {
    date.strftime("%Y%m%d").to_string()
}

/// Ann: RLS by the criteria, iron-deficient a week ago, so the plan suggests iron and a re-test.
async fn ann(app: &TestApp) -> Client {
    let mut ann = app.client();
    ann.signup("ann").await;
    let profile = json!({"bedtime": "22:30", "timezone": "Europe/Berlin",
        "symptoms": {"urge_to_move": true, "worse_at_rest": true, "relieved_by_movement": true,
        "evening_or_night": true, "not_explained_by_other": true, "nights_per_week": 5}});
    let a = ann.json(Method::PUT, "/api/v1/profile", &profile).await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.body);
    let week_ago = days(today(), -7).to_string();
    ann.add_ferritin(30.0, &week_ago).await;
    let a = ann
        .json(
            Method::POST,
            "/api/v1/labs",
            &json!({"test": "tsat", "value": 15, "unit": "%", "date": week_ago}),
        )
        .await;
    assert_eq!(a.status, StatusCode::CREATED, "{}", a.body);
    ann
}

struct Event {
    summary: String,
    start: String,
    alarms: usize,
}

/// The feed through `ical`: its events' summaries, starts and alarm counts.
fn events(ics: &str) -> Vec<Event> {
    let mut parser = ical::IcalParser::new(BufReader::new(ics.as_bytes()));
    let cal = parser.next().expect("one calendar").expect("it parses");
    assert!(parser.next().is_none(), "exactly one calendar");
    let value = |props: &[ical::property::Property], name: &str| {
        props
            .iter()
            .find(|p| p.name == name)
            .and_then(|p| p.value.clone())
            .unwrap_or_default()
    };
    cal.events
        .iter()
        .map(|e| Event {
            summary: value(&e.properties, "SUMMARY"),
            start: value(&e.properties, "DTSTART"),
            alarms: e.alarms.len(),
        })
        .collect()
}

fn find<'a>(events: &'a [Event], summary: &str) -> &'a Event {
    events
        .iter()
        .find(|e| e.summary == summary)
        .unwrap_or_else(|| {
            let all: Vec<&str> = events.iter().map(|e| e.summary.as_str()).collect();
            panic!("no event '{summary}' in {all:?}")
        })
}

async fn fetch(app: &TestApp, path: &str) -> common::Answer {
    // A calendar app: no cookie, no CSRF token, nothing but the address.
    app.client().get(path).await
}

async fn feeds(app: TestApp) {
    let (logs, _guard) = common::capture_logs();

    let mut ann = ann(&app).await;
    let a = ann
        .json(
            Method::PUT,
            "/api/v1/reminders",
            &json!({"checkin": "21:30"}),
        )
        .await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.body);
    let start = days(today(), 2);
    app.store
        .put_experiment(
            app.person("ann").await,
            &Experiment {
                remedy: "magnesium".into(),
                start,
                planned_end: None,
                status: ExperimentStatus::Running,
                schedule: Some(OnOffSchedule {
                    seed: 5,
                    pairs: 3,
                    period_nights: 7,
                }),
            },
        )
        .await
        .expect("experiment");

    let a = ann
        .json(Method::POST, "/api/v1/calendar/feeds", &json!({}))
        .await;
    assert_eq!(a.status, StatusCode::CREATED, "{}", a.body);
    let made = a.json();
    let id = made["id"].as_i64().expect("id");
    let url = made["url"].as_str().expect("url").to_string();
    // No public_url: the path alone, never built from the request's Host.
    assert!(
        url.starts_with("/calendar/feeds/") && url.ends_with(".ics"),
        "{url}"
    );
    let secret = url
        .trim_start_matches("/calendar/feeds/")
        .trim_end_matches(".ics")
        .to_string();
    assert_eq!(secret.len(), 64);

    let a = fetch(&app, &url).await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.body);
    assert!(
        a.headers[header::CONTENT_TYPE]
            .to_str()
            .is_ok_and(|t| t.starts_with("text/calendar")),
        "{:?}",
        a.headers[header::CONTENT_TYPE]
    );
    let events = events(&a.body);
    assert!(events.len() >= 5, "routine, check-in, re-tests, switches");
    assert!(
        events.iter().all(|e| e.alarms >= 1),
        "every event rings: {:?}",
        events
            .iter()
            .filter(|e| e.alarms == 0)
            .map(|e| &e.summary)
            .collect::<Vec<_>>()
    );
    assert!(a.body.contains("BEGIN:VALARM"));
    let checkin = find(&events, "Quietlegs check-in");
    assert!(checkin.start.ends_with("T213000"), "{}", checkin.start);

    // The plan's re-test: its iron step's interval after the result it rests on.
    let plan = ann.get("/api/v1/plan").await.json();
    let interval = plan["steps"]
        .as_array()
        .and_then(|s| s.iter().find(|s| s["stage"] == "iron"))
        .and_then(|s| s["duration_days"].as_i64())
        .expect("the plan suggests iron, for a time");
    let suggested = days(today(), interval - 7);
    assert_eq!(find(&events, "Ferritin re-test").start, ics_date(suggested));
    find(&events, "Transferrin saturation (TSAT) re-test");

    // The experiment: its first night, and every later switch, as the schedule draws them.
    let first = events
        .iter()
        .find(|e| e.summary.starts_with("Magnesium: o") && e.start == ics_date(start))
        .expect("the first night of the on/off schedule");
    assert!(first.summary.ends_with("from tonight"), "{}", first.summary);
    let end = find(&events, "Magnesium: schedule finished");
    assert_eq!(end.start, ics_date(days(start, 42)));
    let schedule = quietlegs_stats::AbabSchedule {
        seed: 5,
        pairs: 3,
        period_nights: 7,
    };
    let switches = (1..42)
        .filter(|&n| schedule.on_at(n - 1) != schedule.on_at(n))
        .count();
    let drawn = events
        .iter()
        .filter(|e| e.summary.starts_with("Magnesium: o"))
        .count();
    assert_eq!(drawn, switches + 1);

    // The labs page prefills the plan's date; saved, Ann's own date is what the feed rings.
    let labs = ann.get("/labs").await;
    assert!(labs.body.contains("Re-test on") && labs.body.contains("(from your plan)"));
    assert!(labs.body.contains(&format!("value=\"{suggested}\"")));
    assert!(labs.body.contains("treatment threshold"));
    let mine = days(today(), 30);
    let page = ann
        .form(
            "/labs/goals",
            &[
                ("goal", "ferritin"),
                ("due:ferritin", &mine.to_string()),
                ("goal", "tsat"),
                ("due:tsat", ""),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains("Re-test dates saved"));
    let bad = ann
        .form(
            "/labs/goals",
            &[("goal", "ferritin"), ("due:ferritin", "soon")],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("due:ferritin"), "the field is named");
    let far = ann
        .form(
            "/labs/goals",
            &[("goal", "ferritin"), ("due:ferritin", "2099-01-01")],
        )
        .await;
    assert_eq!(far.status, StatusCode::UNPROCESSABLE_ENTITY);
    let events_now = self::events(&fetch(&app, &url).await.body);
    assert_eq!(find(&events_now, "Ferritin re-test").start, ics_date(mine));
    assert_eq!(
        find(&events_now, "Transferrin saturation (TSAT) re-test").start,
        ics_date(suggested),
        "a cleared date falls back to the plan"
    );

    // Listed without the secret; another person can neither see nor revoke it.
    let listed = ann.get("/api/v1/calendar/feeds").await;
    assert!(!listed.body.contains(&secret));
    assert_eq!(listed.json().as_array().map(Vec::len), Some(1));
    let mut bob = app.client();
    bob.signup("bob").await;
    assert_eq!(bob.get("/api/v1/calendar/feeds").await.body, "[]");
    let delete = |id: i64| format!("/api/v1/calendar/feeds/{id}");
    let a = bob
        .send(Method::DELETE, &delete(id), None, Body::empty(), true)
        .await;
    assert_eq!(a.status, StatusCode::NOT_FOUND);
    assert_eq!(fetch(&app, &url).await.status, StatusCode::OK);

    // Unknown and revoked secrets: 404.
    let unknown = format!("/calendar/feeds/{}.ics", "0".repeat(64));
    assert_eq!(fetch(&app, &unknown).await.status, StatusCode::NOT_FOUND);
    assert_eq!(
        fetch(&app, "/calendar/feeds/x.ics").await.status,
        StatusCode::NOT_FOUND
    );
    let a = ann
        .send(Method::DELETE, &delete(id), None, Body::empty(), true)
        .await;
    assert_eq!(a.status, StatusCode::NO_CONTENT);
    let a = fetch(&app, &url).await;
    assert_eq!(a.status, StatusCode::NOT_FOUND);
    assert!(!a.body.contains("VCALENDAR"));
    let a = ann
        .send(Method::DELETE, &delete(id), None, Body::empty(), true)
        .await;
    assert_eq!(a.status, StatusCode::NOT_FOUND, "already revoked");

    let logged = logs.text();
    assert!(
        logged.contains("/calendar/feeds/{file}"),
        "the route is logged: {logged}"
    );
    assert!(!logged.contains(&secret), "the feed secret is in the logs");
    app.finish().await;
}

on_both_stores!(feeds_sqlite, feeds_postgres, "feeds", feeds);

#[tokio::test]
async fn with_a_public_url_the_feed_address_is_whole_and_settings_make_and_revoke_it() {
    let _logs = common::capture_logs();
    let mut config = quietlegs_web::WebConfig::server(true);
    config.public_url = Some("https://rls.example.org/".into());
    let app = TestApp::sqlite("feed-page", config).await;
    let mut ann = app.client();
    ann.signup("ann").await;
    let nobody = app
        .client()
        .json(Method::POST, "/api/v1/calendar/feeds", &json!({}))
        .await;
    assert_eq!(nobody.status, StatusCode::UNAUTHORIZED);
    let a = ann
        .json(Method::POST, "/api/v1/calendar/feeds", &json!({"days": 3}))
        .await;
    assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", a.body);

    let page = ann.form("/settings/feeds", &[]).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let marker = "<code id=\"feed-url\">";
    let start = page.body.find(marker).expect("the address") + marker.len();
    let url: String = page.body[start..]
        .chars()
        .take_while(|c| *c != '<')
        .collect();
    let path = url
        .strip_prefix("https://rls.example.org")
        .expect("the public address, once");
    assert!(path.starts_with("/calendar/feeds/"), "{url}");
    assert!(
        page.body
            .contains("webcal://rls.example.org/calendar/feeds/")
    );
    // Without a profile the feed still serves (the reminder and re-tests come later).
    let a = app.client().get(path).await;
    assert_eq!(a.status, StatusCode::OK);
    assert!(a.body.starts_with("BEGIN:VCALENDAR"));
    let later = ann.get("/settings").await;
    assert!(!later.body.contains(path), "shown once");

    // The reminder time from settings, checked.
    let a = ann
        .form("/settings/reminder", &[("checkin", "25:00")])
        .await;
    assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(a.body.contains("checkin"));
    let a = ann
        .form("/settings/reminder", &[("checkin", "21:45")])
        .await;
    assert_eq!(a.status, StatusCode::OK);
    assert!(a.body.contains("value=\"21:45\""));
    assert_eq!(
        ann.get("/api/v1/reminders").await.json(),
        json!({"checkin": "21:45"})
    );
    for (body, status) in [
        (json!({"checkin": "7pm"}), StatusCode::UNPROCESSABLE_ENTITY),
        (json!({"checkin": null}), StatusCode::OK),
    ] {
        let a = ann.json(Method::PUT, "/api/v1/reminders", &body).await;
        assert_eq!(a.status, status, "{body}: {}", a.body);
    }
    assert_eq!(
        ann.get("/api/v1/reminders").await.json(),
        json!({"checkin": null})
    );

    let id = app
        .store
        .calendar_feeds(app.person("ann").await)
        .await
        .expect("feeds")[0]
        .id;
    let page = ann
        .form("/settings/feeds/revoke", &[("id", &id.to_string())])
        .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert_eq!(app.client().get(path).await.status, StatusCode::NOT_FOUND);
    app.finish().await;
}

#[tokio::test]
async fn in_local_mode_the_feed_is_on_this_computer_only() {
    let _logs = common::capture_logs();
    let config =
        quietlegs_web::WebConfig::local("127.0.0.1:8080".parse().expect("addr")).expect("random");
    let link = config
        .sign_in_url("127.0.0.1:8080".parse().expect("addr"))
        .expect("url");
    let app = TestApp::sqlite("feed-local", config).await;
    let mut me = app.client();
    let a = me
        .get(link.trim_start_matches("http://127.0.0.1:8080"))
        .await;
    assert!(a.status.is_redirection(), "{}", a.status);
    let page = me.get("/settings").await;
    let marker = "name=\"csrf_token\" value=\"";
    let start = page.body.find(marker).expect("a CSRF field") + marker.len();
    me.csrf = Some(page.body[start..].chars().take(64).collect());

    let a = me
        .json(Method::POST, "/api/v1/calendar/feeds", &json!({}))
        .await;
    assert_eq!(a.status, StatusCode::CREATED, "{}", a.body);
    let url = a.json()["url"].as_str().expect("url").to_string();
    let path = url
        .strip_prefix("http://127.0.0.1:8080/calendar/feeds/")
        .map(|rest| format!("/calendar/feeds/{rest}"))
        .unwrap_or_else(|| panic!("a whole local address: {url}"));
    assert_eq!(app.client().get(&path).await.status, StatusCode::OK);
    // Another name for this computer (a DNS-rebinding page) is refused, secret or not.
    let mut stranger = app.client();
    stranger.host = "evil.example:8080".into();
    assert_eq!(stranger.get(&path).await.status, StatusCode::FORBIDDEN);
    app.finish().await;
}
