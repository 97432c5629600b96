//! "Today" and "last night" are the person's, not the server's. A person in Kiritimati (UTC+14)
//! on a server in Pago Pago (UTC-11) lives a day or two ahead of the server's clock.

mod common;

use common::{Scratch, http, run, sign_up, start_server_with};

fn kiritimati_now() -> jiff::Zoned {
    jiff::Timestamp::now()
        .in_tz("Pacific/Kiritimati")
        .expect("zone")
}

fn days_after(date: jiff::civil::Date, n: i64) -> String {
    date.checked_add(jiff::Span::new().days(n))
        .expect("date")
        .to_string()
}

#[test]
fn a_person_ahead_of_the_server_logs_their_own_tonight() {
    let s = Scratch::new("time-zones");
    let (mut server, addr, _log) = start_server_with(&s.db("q"), &[("TZ", "Pacific/Pago_Pago")]);
    let (cookie, csrf) = sign_up(&addr, "kiri", "a long enough password");
    let json = [
        ("Content-Type", "application/json"),
        ("Cookie", cookie.as_str()),
        ("X-CSRF-Token", csrf.as_str()),
    ];
    let profile = r#"{"timezone": "Pacific/Kiritimati", "symptoms": {}}"#;
    let (status, _, body) = http(&addr, "PUT", "/api/v1/profile", &json, profile);
    assert_eq!(status, 200, "{body}");

    let today = kiritimati_now().date();
    let put = |night: &str| {
        http(
            &addr,
            "PUT",
            &format!("/api/v1/journal/{night}"),
            &json,
            r#"{"severity": 4}"#,
        )
    };
    // Their tonight, and just after their midnight the evening before: both are nights that
    // have begun where they live, though not yet on the server's calendar.
    for night in [days_after(today, 0), days_after(today, 1)] {
        let (status, _, body) = put(&night);
        assert_eq!(status, 200, "{night}: {body}");
    }
    let (status, _, body) = put(&days_after(today, 2));
    assert_eq!(status, 422, "two days ahead of them is the future: {body}");

    // The check-in page offers their own default night.
    let (status, _, page) = http(&addr, "GET", "/checkin", &[("Cookie", cookie.as_str())], "");
    assert_eq!(status, 200);
    let expected = quietlegs_core::journal::default_night(&kiritimati_now().datetime());
    assert!(
        page.contains(&format!("value=\"{expected}\"")),
        "the form starts on {expected}"
    );
    let _ = server.kill();
    let _ = server.wait();
}

#[test]
fn quietlegs_log_refuses_a_future_night_as_the_api_does() {
    let s = Scratch::new("log-future");
    let db = s.db("q");
    let far = days_after(jiff::Zoned::now().date(), 30);
    let out = run(&db, &["log", "--night", &far, "--severity", "3"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("has not happened yet"), "{err}");
    let csv = common::ok(&db, &["export", "--format", "csv"]);
    assert_eq!(
        String::from_utf8_lossy(&csv).lines().count(),
        1,
        "nothing was saved"
    );
    // A value the API refuses is refused here too, before anything is written.
    let long = format!("notes={}", "x".repeat(4_001));
    let out = run(&db, &["log", "--severity", "3", &long]);
    assert_eq!(out.status.code(), Some(2));
    let csv = common::ok(&db, &["export", "--format", "csv"]);
    assert_eq!(String::from_utf8_lossy(&csv).lines().count(), 1);
}
