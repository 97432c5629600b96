//! A tracker's restlessness, imported from a Fitbit file, shows beside the ratings on the journal
//! and insights pages and in the API, labelled as a proxy.

#[macro_use]
mod common;

use axum::http::{Method, StatusCode};
use common::TestApp;
use quietlegs_web::WebConfig;

fn fitbit(nights: &[(jiff::civil::Date, u32)]) -> String {
    let logs: Vec<serde_json::Value> = nights
        .iter()
        .enumerate()
        .map(|(i, (night, restless))| {
            let end = night.tomorrow().expect("date");
            serde_json::json!({
                "logId": 1_000 + i, "dateOfSleep": end.to_string(),
                "startTime": format!("{night}T22:45:00.000"),
                "endTime": format!("{end}T06:15:00.000"),
                "minutesAsleep": 400, "minutesAwake": 50, "timeInBed": 450,
                "type": "classic", "mainSleep": true,
                "levels": {"summary": {"restless": {"count": 4, "minutes": restless},
                    "awake": {"count": 1, "minutes": 3}, "asleep": {"count": 0, "minutes": 400}}}
            })
        })
        .collect();
    serde_json::Value::Array(logs).to_string()
}

#[tokio::test]
async fn the_journal_and_insights_show_the_trackers_restlessness_as_a_proxy() {
    let app = TestApp::sqlite("tracker", WebConfig::server(true)).await;
    let mut ann = app.client();
    ann.signup("ann").await;
    let today = jiff::Zoned::now().date();
    let mut csv = String::from("night,severity,took:magnesium\n");
    let mut tracked = Vec::new();
    for n in (1..=40).rev() {
        let night = today.checked_sub(jiff::Span::new().days(n)).expect("date");
        let on = n <= 20;
        csv.push_str(&format!(
            "{night},{},{}\n",
            if on { 3 } else { 6 } + n % 2,
            u8::from(on)
        ));
        tracked.push((night, if on { 15 } else { 35 } + (n % 4) as u32));
    }
    let a = ann
        .send(
            Method::POST,
            "/api/v1/import?format=csv",
            Some("text/csv"),
            csv,
            true,
        )
        .await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.body);
    let a = ann
        .send(
            Method::POST,
            "/api/v1/import?format=fitbit",
            Some("application/json"),
            fitbit(&tracked),
            true,
        )
        .await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.body);

    let insights = ann.get("/api/v1/insights").await.json();
    assert_eq!(
        insights["objective"]["nights"], 40,
        "{}",
        insights["objective"]
    );
    assert_eq!(insights["experiments"][0]["objective"]["proxy"], true);
    assert_eq!(insights["experiments"][0]["objective"]["verdict"], "lower");

    let journal = ann.get("/journal").await;
    assert_eq!(journal.status, StatusCode::OK);
    assert!(
        journal.body.contains("Tracker: restless"),
        "a column for the tracker"
    );
    let latest = today.yesterday().expect("date");
    assert!(
        journal.body.contains(&format!(
            "<td>{latest}</td><td>4</td><td></td><td>16 min</td>"
        )),
        "yesterday's row shows 16 min restless"
    );

    let page = ann.get("/insights").await.body;
    assert!(page.contains("Your tracker measured restless minutes on 40 of your logged nights"));
    assert!(page.contains("not the urge itself"), "the proxy is said");
    assert!(page.contains("Tracker (proxy): less restlessness measured."));
    app.finish().await;
}
