//! The JSON API fuzzed by schemathesis from its own OpenAPI document (`/api/openapi.json`),
//! signed in with a session and its CSRF token, against the real server on a fresh SQLite file:
//! no 5xx, and every answer matches the document. Runs when `QUIETLEGS_SCHEMATHESIS` names the
//! `st` program (`.ci/run` installs schemathesis from PyPI and requires the run).

mod common;

use std::process::Command;

use common::{Scratch, http, sign_up, start_server};

#[test]
fn the_api_survives_schemathesis() {
    let required = std::env::var("QUIETLEGS_REQUIRE_SCHEMATHESIS").is_ok_and(|v| v == "1");
    let Ok(st) = std::env::var("QUIETLEGS_SCHEMATHESIS") else {
        assert!(!required, "QUIETLEGS_SCHEMATHESIS is not set");
        eprintln!("QUIETLEGS_SCHEMATHESIS is not set: API fuzzing not run");
        return;
    };
    let s = Scratch::new("api-fuzz");
    let (mut server, addr, log) = start_server(&s.db("q"));

    let (cookie, csrf) = sign_up(&addr, "fuzz", "fuzzing is fun, right?");
    // Some data, so reads reach past "not found".
    let auth = [
        ("Content-Type", "application/json"),
        ("Cookie", cookie.as_str()),
        ("X-CSRF-Token", csrf.as_str()),
    ];
    for (method, path, body) in [
        (
            "PUT",
            "/api/v1/profile",
            r#"{"bedtime":"22:30","symptoms":{"urge_to_move":true}}"#,
        ),
        (
            "PUT",
            "/api/v1/journal/2026-11-01",
            r#"{"severity":5,"took":{"magnesium":true}}"#,
        ),
        (
            "POST",
            "/api/v1/labs",
            r#"{"test":"ferritin","value":40,"unit":"ng/mL","date":"2026-10-01"}"#,
        ),
    ] {
        let (status, _, body) = http(&addr, method, path, &auth, body);
        assert!(status < 300, "{method} {path}: {status} {body}");
    }

    let out = Command::new(&st)
        .args(["run", &format!("http://{addr}/api/openapi.json")])
        .args([
            "-H",
            &format!("Cookie: {cookie}"),
            "-H",
            &format!("X-CSRF-Token: {csrf}"),
        ])
        .args([
            "--checks",
            "not_a_server_error,response_schema_conformance,content_type_conformance",
        ])
        .args([
            "--exclude-path",
            "/api/v1/logout",
            "--phases",
            "coverage,fuzzing",
            "-n",
            "30",
        ])
        .env("NO_COLOR", "1")
        // schemathesis keeps a cache in its working folder; keep it out of the source tree.
        .current_dir(s.path(""))
        .output()
        .expect("schemathesis runs");
    let _ = server.kill();
    let _ = server.wait();
    let server_log = log.join().unwrap_or_default().join("\n");
    let report = String::from_utf8_lossy(&out.stdout);
    println!("{report}");
    assert!(
        out.status.success(),
        "schemathesis found problems:\n{report}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        !server_log.contains("panicked"),
        "the server panicked:\n{server_log}"
    );
}
