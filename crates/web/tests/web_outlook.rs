//! Tonight's outlook in the API and on the Tonight page: "still learning" on a short journal,
//! then an expected severity with its interval and what moves it.

#[macro_use]
mod common;

use axum::http::{Method, StatusCode};
use common::TestApp;
use quietlegs_web::WebConfig;
use serde_json::json;

#[tokio::test]
async fn the_outlook_learns_then_says_what_tonight_looks_like() {
    let app = TestApp::sqlite("outlook", WebConfig::server(true)).await;
    let mut ann = app.client();
    ann.signup("ann").await;
    let profile = json!({"bedtime": "22:30", "symptoms": {"urge_to_move": true,
        "worse_at_rest": true, "relieved_by_movement": true, "evening_or_night": true}});
    let a = ann.json(Method::PUT, "/api/v1/profile", &profile).await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.body);

    let early = ann.get("/api/v1/outlook").await.json();
    assert_eq!(early["ready"], false);
    assert!(early["expected"].is_null());
    assert!(ann.get("/tonight").await.body.contains("Still learning"));

    // 60 nights ending last night (the server's zone is the person's: no zone in the profile);
    // two drinks every third night add three points.
    let tonight = quietlegs_app::outlook::tonight_for(None);
    let mut csv = String::from("night,severity,alcohol_drinks\n");
    for n in (1..=60).rev() {
        let night = tonight
            .checked_sub(jiff::Span::new().days(n))
            .expect("date");
        let drinks = if n % 3 == 0 { 2 } else { 0 };
        let severity = 4 + if drinks > 0 { 3 } else { 0 } + n % 2;
        csv.push_str(&format!("{night},{severity},{drinks}\n"));
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
    let o = ann.get("/api/v1/outlook").await.json();
    assert_eq!(o["ready"], true, "{o}");
    assert_eq!(o["night"], tonight.to_string());
    let expected = o["expected"].as_f64().expect("expected");
    let [lo, hi] = [
        o["interval80"][0].as_f64().expect("lo"),
        o["interval80"][1].as_f64().expect("hi"),
    ];
    assert!(lo <= expected && expected <= hi, "{lo} {expected} {hi}");
    assert!(expected < 6.5, "a dry evening: {expected}");

    // Two drinks logged this evening move tonight up, and say so.
    let a = ann
        .json(
            Method::PUT,
            &format!("/api/v1/journal/{tonight}"),
            &json!({"severity": 0, "alcohol_drinks": 2}),
        )
        .await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.body);
    // A night logged for tonight is tonight's own rating, not a past night to learn from.
    let o = ann.get("/api/v1/outlook").await.json();
    let wet = o["expected"].as_f64().expect("expected");
    assert!(wet > expected + 2.0, "{wet} against {expected}");
    let alcohol = o["factors"]
        .as_array()
        .expect("factors")
        .iter()
        .find(|f| f["id"] == "alcohol")
        .expect("alcohol named");
    assert_eq!(alcohol["headwind"], true);
    let page = ann.get("/tonight").await.body;
    assert!(page.contains("Tonight&#x27;s outlook") || page.contains("Tonight's outlook"));
    assert!(page.contains("Headwind: 2 drinks logged today"), "{page}");
    assert!(page.contains("not a prediction of risk"));
    app.finish().await;
}
