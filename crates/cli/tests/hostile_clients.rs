//! The server against clients that misbehave on purpose, over real sockets: connections that
//! send half a request or nothing at all, thousands of idle connections, simultaneous password
//! guesses, and cross-site posts.

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use common::{Scratch, cmd, spawn_server};

/// `quietlegs serve --multi-user` on a free port with short timeouts; killed when dropped.
struct Server {
    child: Child,
    addr: String,
    _scratch: Scratch,
}

impl Server {
    fn start(tag: &str, db_setup: impl FnOnce(&str)) -> Server {
        let scratch = Scratch::new(tag);
        let db = scratch.db("q");
        db_setup(&db);
        // A small file-descriptor limit, so that a server holding every connection it is
        // offered would run out within this test.
        let mut command = std::process::Command::new("sh");
        command
            .args(["-c", "ulimit -n 1024 && exec \"$0\" \"$@\""])
            .arg(env!("CARGO_BIN_EXE_quietlegs"))
            .args(["serve", "--multi-user", "--addr", "127.0.0.1:0"])
            .env("QUIETLEGS_DATABASE_URL", &db)
            .stdin(Stdio::null())
            .env("QUIETLEGS_HEADER_TIMEOUT_SECONDS", "1")
            .env("QUIETLEGS_REQUEST_TIMEOUT_SECONDS", "2")
            .env("QUIETLEGS_MAX_CONNECTIONS_PER_ADDRESS", "64")
            .env("QUIETLEGS_MAX_CONNECTIONS", "256");
        let (child, addr, _log) = spawn_server(command);
        Server {
            child,
            addr,
            _scratch: scratch,
        }
    }

    fn connect(&self) -> TcpStream {
        let s = TcpStream::connect(&self.addr).expect("connect");
        s.set_read_timeout(Some(Duration::from_secs(15)))
            .expect("timeout");
        s
    }

    /// One request on a fresh connection; the status code (0 when the connection failed).
    fn status(&self, head: &str, body: &str) -> u16 {
        let Ok(mut s) = TcpStream::connect(&self.addr) else {
            return 0;
        };
        s.set_read_timeout(Some(Duration::from_secs(15))).ok();
        let request = format!(
            "{head}Host: {}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            self.addr,
            body.len()
        );
        if s.write_all(request.as_bytes()).is_err() {
            return 0;
        }
        let mut first = String::new();
        let _ = BufReader::new(s).read_line(&mut first);
        first
            .split_whitespace()
            .nth(1)
            .and_then(|c| c.parse().ok())
            .unwrap_or(0)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// How long until the server closes `stream` (reading and discarding whatever it sends).
fn closed_after(mut stream: TcpStream) -> Duration {
    let started = Instant::now();
    let mut buf = [0u8; 4096];
    loop {
        match stream.read(&mut buf) {
            Ok(0) => return started.elapsed(),
            Ok(_) => {}
            Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset => return started.elapsed(),
            Err(e) => panic!("the server kept the connection open: {e}"),
        }
    }
}

#[test]
fn half_sent_requests_and_idle_connections_are_closed_within_seconds() {
    let server = Server::start("slow-clients", |_| {});
    let addr = server.addr.clone();
    let cases: Vec<(&str, String)> = vec![
        ("sends nothing", String::new()),
        (
            "half a request head",
            format!("GET /healthz HTTP/1.1\r\nHost: {addr}\r\nX-Slow: "),
        ),
        (
            "half a body",
            format!(
                "POST /api/v1/login HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\n\
                 Content-Length: 400\r\n\r\n{{\"username\": \"a"
            ),
        ),
        (
            "an idle keep-alive after one request",
            format!("GET /healthz HTTP/1.1\r\nHost: {addr}\r\n\r\n"),
        ),
    ];
    for (what, sent) in cases {
        let mut s = server.connect();
        s.write_all(sent.as_bytes()).expect("send");
        let took = closed_after(s);
        assert!(
            took < Duration::from_secs(6),
            "{what}: open for {took:?} with 1 s header and 2 s request timeouts"
        );
    }
}

#[test]
fn thousands_of_idle_connections_do_not_shut_others_out() {
    let server = Server::start("idle-flood", |_| {});
    // Far more than the 64 per address and 256 in all that the server holds, and than the
    // 1,024 file descriptors it has.
    let idle: Vec<TcpStream> = (0..2_000)
        .filter_map(|_| TcpStream::connect(&server.addr).ok())
        .collect();
    assert!(
        idle.len() > 1_000,
        "the test could open its idle connections"
    );
    for i in 0..20 {
        assert_eq!(
            server.status("GET /healthz HTTP/1.1\r\n", ""),
            200,
            "health check {i} with {} idle connections open",
            idle.len()
        );
    }
    drop(idle);
}

#[test]
fn simultaneous_guesses_cannot_pass_the_sign_in_limit() {
    let server = Server::start("login-race", |db| {
        let mut child = cmd(db, &["user", "add", "owner"])
            .stdin(Stdio::piped())
            .spawn()
            .expect("user add");
        child
            .stdin
            .take()
            .expect("stdin")
            .write_all(b"the right horse battery\n")
            .expect("password");
        assert!(child.wait().expect("wait").success());
    });
    let login = |password: &str| format!("{{\"username\":\"owner\",\"password\":\"{password}\"}}");
    let statuses: Vec<u16> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..60)
            .map(|i| {
                let body = if i == 55 {
                    login("the right horse battery")
                } else {
                    login(&format!("wrong guess {i}"))
                };
                let server = &server;
                scope.spawn(move || {
                    server.status(
                        "POST /api/v1/login HTTP/1.1\r\nContent-Type: application/json\r\n",
                        &body,
                    )
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("thread"))
            .collect()
    });
    let answered = statuses.iter().filter(|s| matches!(s, 200 | 401)).count();
    let limited = statuses.iter().filter(|s| **s == 429).count();
    assert!(
        answered <= 5,
        "only the 5 allowed attempts may reach the password check: {statuses:?}"
    );
    assert_eq!(answered + limited, 60, "{statuses:?}");
}

#[test]
fn cross_site_sign_ins_and_non_json_bodies_are_refused() {
    let server = Server::start("cross-site", |_| {});
    let form = "username=attacker&password=attacker-password";
    let json = r#"{"username":"attacker","password":"attacker-password"}"#;
    let cases = [
        (
            "POST /login HTTP/1.1\r\nContent-Type: application/x-www-form-urlencoded\r\nOrigin: https://evil.example\r\n",
            form,
            403,
        ),
        (
            "POST /signup HTTP/1.1\r\nContent-Type: application/x-www-form-urlencoded\r\nSec-Fetch-Site: cross-site\r\n",
            form,
            403,
        ),
        (
            "POST /api/v1/login HTTP/1.1\r\nContent-Type: text/plain\r\n",
            json,
            415,
        ),
        (
            "POST /api/v1/signup HTTP/1.1\r\nContent-Type: application/json\r\nOrigin: null\r\n",
            json,
            403,
        ),
    ];
    for (head, body, want) in cases {
        assert_eq!(server.status(head, body), want, "{head}");
    }
    // The same requests from the app's own pages, or from a script, go through.
    let own = format!(
        "POST /api/v1/login HTTP/1.1\r\nContent-Type: application/json\r\nOrigin: http://{}\r\n\
         Sec-Fetch-Site: same-origin\r\n",
        server.addr
    );
    assert_eq!(
        server.status(&own, json),
        401,
        "no such account, but not refused"
    );
    assert_eq!(
        server.status(
            "POST /api/v1/login HTTP/1.1\r\nContent-Type: application/json\r\n",
            json
        ),
        401
    );
}
