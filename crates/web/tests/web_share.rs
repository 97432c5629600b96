//! Share links to the doctor report: they open the owner's report for anyone holding them,
//! until they expire or are revoked; wrong, expired and revoked tokens answer 404; only the
//! token's hash is stored, and the token never reaches the logs.

#[macro_use]
mod common;

use axum::http::{StatusCode, header};
use common::{Client, TestApp};

fn token_in(html: &str) -> String {
    let start = html.find("/share/").expect("a share link on the page") + "/share/".len();
    html[start..]
        .chars()
        .take_while(char::is_ascii_hexdigit)
        .collect()
}

async fn ann(app: &TestApp) -> Client {
    let mut ann = app.client();
    ann.signup("ann").await;
    ann.add_ferritin(31.5, "2026-10-01").await;
    ann
}

async fn share_links(app: TestApp) {
    let (logs, _guard) = common::capture_logs();

    let mut ann = ann(&app).await;
    let page = ann.form("/settings/share", &[("days", "7")]).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let token = token_in(&page.body);
    assert_eq!(token.len(), 64);
    // No public_url is configured: the link is never built from the request's Host header.
    assert!(
        page.body.contains("<code id=\"share-link\">/share/"),
        "the link starts with the path alone"
    );

    // Anyone with the link sees the report (HTML and PDF), without signing in.
    let mut doctor = app.client();
    let a = doctor.get(&format!("/share/{token}")).await;
    assert_eq!(a.status, StatusCode::OK);
    assert!(a.body.contains("summary for the clinician") && a.body.contains("31.5"));
    assert!(
        a.headers[header::CONTENT_SECURITY_POLICY]
            .to_str()
            .expect("csp")
            .contains("default-src 'none'")
    );
    let a = doctor.get(&format!("/share/{token}/report.pdf")).await;
    assert_eq!(a.status, StatusCode::OK);
    assert_eq!(a.headers[header::CONTENT_TYPE], "application/pdf");
    // ...and nothing else of Ann's.
    assert_eq!(
        doctor.get("/api/v1/labs").await.status,
        StatusCode::UNAUTHORIZED
    );

    // A wrong token, one character off, answers 404.
    let mut off = token.clone();
    off.replace_range(0..1, if token.starts_with('0') { "1" } else { "0" });
    for wrong in [off.as_str(), "nope", ""] {
        let a = doctor.get(&format!("/share/{wrong}")).await;
        assert_eq!(a.status, StatusCode::NOT_FOUND, "{wrong}");
        assert!(!a.body.contains("31.5"));
    }

    // Only the hash is stored.
    assert!(
        app.store
            .share_link_owner(&token, 0)
            .await
            .expect("lookup")
            .is_none()
    );

    // An expired link answers 404.
    let person = app
        .store
        .find_person("ann")
        .await
        .expect("find")
        .expect("ann");
    let expired = quietlegs_web::new_token().expect("random");
    let hash = quietlegs_web::token_hash(&expired);
    app.store
        .create_share_link(person, &hash, jiff::Timestamp::now().as_second() - 1)
        .await
        .expect("create");
    assert_eq!(
        doctor.get(&format!("/share/{expired}")).await.status,
        StatusCode::NOT_FOUND
    );

    // Bob cannot revoke Ann's link; Ann can, and then it answers 404.
    let now = jiff::Timestamp::now().as_second();
    let links = app.store.share_links(person).await.expect("links");
    let live_id = links
        .iter()
        .find(|l| l.expires_at > now)
        .expect("the open link")
        .id;
    let mut bob = app.client();
    bob.signup("bob").await;
    let a = bob
        .form("/settings/share/revoke", &[("id", &live_id.to_string())])
        .await;
    assert_eq!(a.status, StatusCode::NOT_FOUND);
    assert_eq!(
        doctor.get(&format!("/share/{token}")).await.status,
        StatusCode::OK
    );
    let a = ann
        .form("/settings/share/revoke", &[("id", &live_id.to_string())])
        .await;
    assert_eq!(a.status, StatusCode::OK);
    assert!(a.body.contains("revoked"));
    assert_eq!(
        doctor.get(&format!("/share/{token}")).await.status,
        StatusCode::NOT_FOUND
    );

    // Bad input names its field and makes nothing.
    let before = app.store.share_links(person).await.expect("links").len();
    for days in ["0", "91", "soon"] {
        let a = ann.form("/settings/share", &[("days", days)]).await;
        assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY, "{days}");
        assert!(a.body.contains("<span class=\"field-name\">days"));
    }
    assert_eq!(
        app.store.share_links(person).await.expect("links").len(),
        before
    );

    let logged = logs.text();
    assert!(
        logged.contains("/share/{token}"),
        "requests were logged by route"
    );
    assert!(!logged.contains(&token), "the share token reached the logs");
    app.finish().await;
}

on_both_stores!(
    share_links_open_expire_and_revoke_sqlite,
    share_links_open_expire_and_revoke_postgres,
    "share",
    share_links
);

#[tokio::test]
async fn share_links_start_with_the_configured_public_url() {
    let mut config = quietlegs_web::WebConfig::server(true);
    config.public_url = Some("https://rls.example.org/".into());
    let app = TestApp::sqlite("share-public-url", config).await;
    let mut ann = ann(&app).await;
    let page = ann.form("/settings/share", &[("days", "7")]).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(
        page.body
            .contains("<code id=\"share-link\">https://rls.example.org/share/"),
        "{}",
        page.body
    );
    app.finish().await;
}
