//! `serve` settings and `user add`: bad settings are refused before anything listens, and an
//! account made on the command line can sign in to the server.

mod common;

use std::io::{BufRead, BufReader, Write};
use std::process::Stdio;

use common::{Scratch, cmd, run};

#[test]
fn settings_file_with_an_unknown_key_is_refused_naming_the_file() {
    let s = Scratch::new("serve-config");
    let file = s.path("config.toml");
    std::fs::write(&file, "addr = \"127.0.0.1:0\"\ncolour = \"blue\"\n").expect("write");
    let out = run(
        &s.db("q"),
        &["serve", "--config", file.to_str().expect("path")],
    );
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("config.toml") && err.contains("colour"),
        "{err}"
    );
}

#[test]
fn a_public_address_needs_multi_user_mode() {
    let s = Scratch::new("serve-public");
    let out = run(&s.db("q"), &["serve", "--addr", "0.0.0.0:0"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--multi-user"));
}

#[test]
fn user_add_creates_an_account_that_signs_in() {
    let s = Scratch::new("user-add");
    let db = s.db("q");
    let add = |name: &str, password: &str| {
        let mut child = cmd(&db, &["user", "add", name])
            .stdin(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn");
        child
            .stdin
            .take()
            .expect("stdin")
            .write_all(format!("{password}\n").as_bytes())
            .expect("write");
        child.wait_with_output().expect("wait")
    };
    assert_eq!(add("dora", "short").status.code(), Some(2));
    assert!(add("dora", "a sufficiently long one").status.success());
    let again = add("dora", "a sufficiently long one");
    assert_eq!(again.status.code(), Some(2));

    // The server, in multi-user mode on a free port, lets dora in with that password.
    let mut server = cmd(&db, &["serve", "--multi-user", "--addr", "127.0.0.1:0"])
        .stderr(Stdio::piped())
        .spawn()
        .expect("serve");
    let stderr = server.stderr.take().expect("stderr");
    let mut lines = BufReader::new(stderr).lines();
    let addr = loop {
        let line = lines.next().expect("server output").expect("line");
        if let Some(rest) = line.split("http://").nth(1) {
            break rest.split('/').next().expect("addr").to_string();
        }
    };
    let status = login(&addr, "dora", "a sufficiently long one");
    let wrong = login(&addr, "dora", "not the password!");
    let _ = server.kill();
    let _ = server.wait();
    assert_eq!(status, 200);
    assert_eq!(wrong, 401);
}

/// A bare HTTP/1.1 sign-in request; returns the status code.
fn login(addr: &str, user: &str, password: &str) -> u16 {
    let body = format!("{{\"username\":\"{user}\",\"password\":\"{password}\"}}");
    let mut stream = std::net::TcpStream::connect(addr).expect("connect");
    write!(
        stream,
        "POST /api/v1/login HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .expect("send");
    let mut first = String::new();
    BufReader::new(stream)
        .read_line(&mut first)
        .expect("status line");
    first
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0)
}

#[test]
fn dev_seed_fills_people_and_nights_and_is_hidden() {
    let s = Scratch::new("dev-seed");
    let db = s.db("q");
    let out = run(&db, &["dev", "seed", "--people", "3", "--years", "1"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let csv = common::ok(&db, &["--user", "seed000002", "export", "--format", "csv"]);
    assert_eq!(String::from_utf8_lossy(&csv).lines().count(), 1 + 365);
    // Seeding the same people again is refused and names the account.
    let again = run(&db, &["dev", "seed", "--people", "1"]);
    assert_eq!(again.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&again.stderr).contains("seed000001"));
    let help = common::ok(&db, &["--help"]);
    assert!(
        !String::from_utf8_lossy(&help).contains("dev "),
        "dev is hidden from help"
    );
}
