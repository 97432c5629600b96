//! Web Push end to end (issue 20): a person in Tokyo asks for a check-in reminder at 21:30 on a
//! server running in UTC. The server's push messages go to a receiver in this test, and an
//! independent implementation (Python `http_ece` and `cryptography`, run when
//! `QUIETLEGS_PUSH_PYTHON` names an interpreter that has them; `.ci/run` sets one up and
//! requires it) checks the VAPID token (RFC 8292) and decrypts the message (RFC 8291).
//!
//! The server's reminder clock is a file this test writes (`QUIETLEGS_TEST_PUSH_CLOCK`). A
//! second person, the witness, has a reminder a minute earlier or later at each step: their
//! message arriving proves the scheduler looked at that time, so "nothing for Tokyo yet" and
//! "nothing more for Tokyo" are observed, not assumed.

mod common;

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::{Scratch, http, sign_up, start_server_with};

/// One POST the push receiver got.
#[derive(Debug, Clone)]
struct Pushed {
    path: String,
    headers: BTreeMap<String, String>,
    body: Vec<u8>,
}

type Inbox = Arc<Mutex<Vec<Pushed>>>;

/// A push service on 127.0.0.1: records every request and answers 201 Created.
fn start_receiver() -> (String, Inbox) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind the receiver");
    let origin = format!("http://{}", listener.local_addr().expect("addr"));
    let inbox: Inbox = Arc::default();
    let keep = Arc::clone(&inbox);
    std::thread::spawn(move || {
        for stream in listener.incoming().map_while(Result::ok) {
            if let Some(pushed) = read_request(stream) {
                keep.lock().expect("inbox").push(pushed);
            }
        }
    });
    (origin, inbox)
}

fn read_request(mut stream: TcpStream) -> Option<Pushed> {
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .ok()?;
    let mut raw = Vec::new();
    let mut chunk = [0u8; 4096];
    let head_end = loop {
        let n = stream.read(&mut chunk).ok()?;
        if n == 0 {
            return None;
        }
        raw.extend_from_slice(&chunk[..n]);
        if let Some(at) = raw.windows(4).position(|w| w == b"\r\n\r\n") {
            break at;
        }
    };
    let head = String::from_utf8_lossy(&raw[..head_end]).to_string();
    let mut lines = head.lines();
    let request_line = lines.next()?;
    let path = request_line.split_whitespace().nth(1)?.to_string();
    let headers: BTreeMap<String, String> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    let length: usize = headers.get("content-length")?.parse().ok()?;
    let mut body = raw[head_end + 4..].to_vec();
    while body.len() < length {
        let n = stream.read(&mut chunk).ok()?;
        if n == 0 {
            break;
        }
        body.extend_from_slice(&chunk[..n]);
    }
    let _ =
        stream.write_all(b"HTTP/1.1 201 Created\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
    assert!(request_line.starts_with("POST "), "{request_line}");
    Some(Pushed {
        path,
        headers,
        body,
    })
}

/// Messages to `path` about `topic` (the reminder's kind).
fn count(inbox: &Inbox, path: &str, topic: &str) -> usize {
    inbox
        .lock()
        .expect("inbox")
        .iter()
        .filter(|p| p.path == path && p.headers.get("topic").is_some_and(|t| t == topic))
        .count()
}

/// Waits until `path` has had `n` messages about `topic` (slow machines: up to two minutes).
fn wait_for(inbox: &Inbox, path: &str, topic: &str, n: usize) {
    let started = Instant::now();
    while count(inbox, path, topic) < n {
        assert!(
            started.elapsed() < Duration::from_secs(120),
            "{path} got {} {topic} messages, expected {n}",
            count(inbox, path, topic)
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// The python that has `http_ece` and `cryptography`, or `None` with the reason printed; with
/// `QUIETLEGS_REQUIRE_PUSH=1` (CI) a missing one fails the test.
fn python() -> Option<String> {
    let required = std::env::var("QUIETLEGS_REQUIRE_PUSH").is_ok_and(|v| v == "1");
    let Ok(python) = std::env::var("QUIETLEGS_PUSH_PYTHON") else {
        assert!(!required, "QUIETLEGS_PUSH_PYTHON is not set");
        eprintln!("QUIETLEGS_PUSH_PYTHON is not set: the Web Push end-to-end test is not run");
        return None;
    };
    let has = Command::new(&python)
        .args(["-c", "import http_ece, cryptography"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !has {
        assert!(
            !required,
            "{python} cannot import http_ece and cryptography"
        );
        eprintln!("{python} lacks http_ece or cryptography: the Web Push test is not run");
        return None;
    }
    Some(python)
}

fn receiver_py(python: &str, args: &[&str], input: Option<&str>) -> serde_json::Value {
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/push/receiver.py");
    let mut child = Command::new(python)
        .arg(script)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("python runs");
    if let Some(input) = input {
        child
            .stdin
            .take()
            .expect("stdin")
            .write_all(input.as_bytes())
            .expect("write");
    }
    drop(child.stdin.take());
    let out = child.wait_with_output().expect("python finishes");
    assert!(
        out.status.success(),
        "receiver.py {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("receiver.py prints JSON")
}

fn b64url(bytes: &[u8]) -> String {
    const ABC: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, b)| n | (u32::from(*b) << (16 - 8 * i)));
        for i in 0..=chunk.len() {
            out.push(char::from(ABC[((n >> (18 - 6 * i)) & 63) as usize]));
        }
    }
    out
}

/// Sets the server's reminder clock (written whole, then moved into place).
fn set_clock(file: &Path, at: jiff::Timestamp) {
    let tmp = file.with_extension("tmp");
    std::fs::write(&tmp, at.to_string()).expect("write clock");
    std::fs::rename(&tmp, file).expect("move clock");
}

struct Person {
    name: &'static str,
    cookie: String,
    csrf: String,
    keys: serde_json::Value,
}

impl Person {
    fn headers(&self) -> [(&str, &str); 3] {
        [
            ("Content-Type", "application/json"),
            ("Cookie", self.cookie.as_str()),
            ("X-CSRF-Token", self.csrf.as_str()),
        ]
    }

    fn call(&self, addr: &str, method: &str, path: &str, body: &str) -> (u16, String) {
        let (status, _, body) = http(addr, method, path, &self.headers(), body);
        (status, body)
    }

    fn remind_at(&self, addr: &str, time: &str) {
        let body = format!(r#"{{"checkin": "{time}"}}"#);
        let (status, answer) = self.call(addr, "PUT", "/api/v1/reminders", &body);
        assert_eq!(status, 200, "{answer}");
    }

    fn path(&self) -> String {
        format!("/push/{}", self.name)
    }
}

const CONTACT: &str = "mailto:ops@example.org";

fn serve(
    db: &str,
    clock: &Path,
) -> (
    std::process::Child,
    String,
    std::thread::JoinHandle<Vec<String>>,
) {
    let clock = clock.to_str().expect("utf-8 path");
    start_server_with(
        db,
        &[
            ("TZ", "UTC"),
            ("QUIETLEGS_PUSH_CONTACT", CONTACT),
            ("QUIETLEGS_TEST_PUSH_CLOCK", clock),
            ("QUIETLEGS_TEST_PUSH_LOOPBACK", "1"),
        ],
    )
}

fn public_key(addr: &str, person: &Person) -> String {
    let (status, body) = person.call(addr, "GET", "/api/v1/push/key", "");
    assert_eq!(status, 200, "{body}");
    let value: serde_json::Value = serde_json::from_str(&body).expect("json");
    value["public_key"]
        .as_str()
        .expect("public_key")
        .to_string()
}

#[test]
fn a_tokyo_reminder_at_21_30_arrives_once_encrypted_and_says_nothing_about_health() {
    let Some(python) = python() else { return };
    let s = Scratch::new("push");
    let db = s.db("q");
    let clock = s.path("clock");
    // Tomorrow (UTC), so the server's tokens expire after the real now as well as its own.
    let day = jiff::Timestamp::now()
        .to_zoned(jiff::tz::TimeZone::UTC)
        .date()
        .tomorrow()
        .expect("date");
    let at = |h: i8, m: i8, sec: i8| {
        day.at(h, m, sec, 0)
            .to_zoned(jiff::tz::TimeZone::UTC)
            .expect("instant")
            .timestamp()
    };
    // The evening before `day` in Tokyo: nothing is due.
    set_clock(&clock, at(0, 0, 0) - jiff::SignedDuration::from_hours(3));
    let (receiver, inbox) = start_receiver();
    let (mut server, addr, log) = serve(&db, &clock);

    // The key is made in the data folder (the database's), for its owner only.
    let key_file: PathBuf = s.path("push-vapid-key.pem");
    assert!(key_file.exists(), "no key at {}", key_file.display());
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = std::fs::metadata(&key_file)
            .expect("meta")
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }

    let mut people = Vec::new();
    for name in ["tokyo", "witness"] {
        let (cookie, csrf) = sign_up(&addr, name, "a long enough password");
        let keys = receiver_py(&python, &["keys"], None);
        let person = Person {
            name,
            cookie,
            csrf,
            keys,
        };
        let profile = r#"{"timezone": "Asia/Tokyo", "symptoms": {}}"#;
        let (status, body) = person.call(&addr, "PUT", "/api/v1/profile", profile);
        assert_eq!(status, 200, "{body}");
        people.push(person);
    }
    let (tokyo, witness) = (&people[0], &people[1]);
    let vapid_key = public_key(&addr, tokyo);
    assert_eq!(public_key(&addr, witness), vapid_key, "one server, one key");

    // Health data the server holds and a reminder must never carry.
    let last_night = jiff::Timestamp::now()
        .in_tz("Asia/Tokyo")
        .expect("zone")
        .date()
        .yesterday()
        .expect("date");
    let night = r#"{"severity": 7, "notes": "magnesium helped a bit"}"#;
    let (status, body) = tokyo.call(
        &addr,
        "PUT",
        &format!("/api/v1/journal/{last_night}"),
        night,
    );
    assert_eq!(status, 200, "{body}");
    let lab_day = day.checked_sub(jiff::Span::new().days(3)).expect("date");
    let lab =
        format!(r#"{{"test": "ferritin", "value": 23, "unit": "ng/mL", "date": "{lab_day}"}}"#);
    let lab = lab.as_str();
    let (status, body) = tokyo.call(&addr, "POST", "/api/v1/labs", lab);
    assert_eq!(status, 201, "{body}");

    // Subscriptions are checked before they are kept, each problem naming its field.
    let subscription = |p: &Person, endpoint: &str, p256dh: &str, auth: &str| {
        serde_json::json!({
            "endpoint": endpoint,
            "expirationTime": null,
            "keys": {"p256dh": p256dh, "auth": auth},
        })
        .to_string()
        .replace("{me}", p.name)
    };
    let (p256dh, auth) = (
        tokyo.keys["p256dh"].as_str().expect("p256dh"),
        tokyo.keys["auth"].as_str().expect("auth"),
    );
    let endpoint = format!("{receiver}/push/{{me}}");
    for (body, field) in [
        (
            subscription(tokyo, "http://push.example.net/x", p256dh, auth),
            "endpoint",
        ),
        (subscription(tokyo, "not a url", p256dh, auth), "endpoint"),
        (
            subscription(tokyo, &endpoint, p256dh, &b64url(&[7; 15])),
            "keys.auth",
        ),
        (
            subscription(tokyo, &endpoint, &b64url(&[4; 65]), auth),
            "keys.p256dh",
        ),
        (subscription(tokyo, &endpoint, "***", auth), "keys.p256dh"),
    ] {
        let (status, answer) = tokyo.call(&addr, "POST", "/api/v1/push/subscriptions", &body);
        assert_eq!(status, 422, "{body}: {answer}");
        let error: serde_json::Value = serde_json::from_str(&answer).expect("json");
        assert_eq!(error["error"]["field"], field, "{answer}");
    }
    let body = subscription(tokyo, &endpoint, p256dh, auth);
    let (status, _, _) = http(
        &addr,
        "POST",
        "/api/v1/push/subscriptions",
        &[
            ("Content-Type", "application/json"),
            ("Cookie", tokyo.cookie.as_str()),
        ],
        &body,
    );
    assert_eq!(status, 403, "no CSRF token, no subscription");
    let (status, _, _) = http(&addr, "GET", "/api/v1/push/key", &[], "");
    assert_eq!(status, 401);
    for p in &people {
        let body = subscription(
            p,
            &endpoint,
            p.keys["p256dh"].as_str().expect("p256dh"),
            p.keys["auth"].as_str().expect("auth"),
        );
        let (status, answer) = p.call(&addr, "POST", "/api/v1/push/subscriptions", &body);
        assert_eq!(status, 201, "{answer}");
    }
    tokyo.remind_at(&addr, "21:30");
    witness.remind_at(&addr, "21:29");
    // A ferritin re-test due on `day` and an on/off magnesium experiment whose phase switches
    // that night (a pair of 4-night periods always flips after the fourth night). Neither has a
    // JSON route, so they go into the database as the labs page and the CLI would put them.
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async {
        use quietlegs_store::Store as _;
        let store = quietlegs_store_sqlite::open(&s.path("q"))
            .await
            .expect("store");
        let me = store
            .find_person("tokyo")
            .await
            .expect("find")
            .expect("tokyo");
        let goal = quietlegs_core::journal::LabGoal {
            test: "ferritin".into(),
            due: day,
        };
        store.put_lab_goal(me, &goal).await.expect("goal");
        let experiment = quietlegs_core::journal::Experiment {
            remedy: "magnesium".into(),
            start: day.checked_sub(jiff::Span::new().days(4)).expect("date"),
            planned_end: None,
            status: quietlegs_core::journal::ExperimentStatus::Running,
            schedule: Some(quietlegs_core::journal::OnOffSchedule {
                seed: 7,
                pairs: 3,
                period_nights: 4,
            }),
        };
        store
            .put_experiment(me, &experiment)
            .await
            .expect("experiment");
    });

    // 09:00:20 in Tokyo (00:00:20 UTC): the re-test reminder; 18:00:20 (09:00:20 UTC): the
    // experiment's switch.
    set_clock(&clock, at(0, 0, 20));
    wait_for(&inbox, &tokyo.path(), "lab-retest", 1);
    set_clock(&clock, at(9, 0, 20));
    wait_for(&inbox, &tokyo.path(), "schedule-switch", 1);

    // 21:29:20 in Tokyo: the witness's reminder comes, Tokyo's 21:30 not yet.
    set_clock(&clock, at(12, 29, 20));
    wait_for(&inbox, &witness.path(), "checkin", 1);
    assert_eq!(
        count(&inbox, &tokyo.path(), "checkin"),
        0,
        "sent before 21:30 Tokyo time"
    );

    // 21:30:20 in Tokyo, 12:30:20 on the server: Tokyo's reminder.
    set_clock(&clock, at(12, 30, 20));
    wait_for(&inbox, &tokyo.path(), "checkin", 1);

    // Ten minutes on, still inside the reminder's window: looked at again, not sent again.
    witness.remind_at(&addr, "21:40");
    set_clock(&clock, at(12, 40, 20));
    wait_for(&inbox, &witness.path(), "checkin", 2);
    assert_eq!(count(&inbox, &tokyo.path(), "checkin"), 1, "sent twice");

    // A restart inside the window: the same key, and still once.
    let _ = server.kill();
    let _ = server.wait();
    let _ = log.join();
    set_clock(&clock, at(12, 41, 20));
    let (mut server, addr, log) = serve(&db, &clock);
    assert_eq!(
        public_key(&addr, tokyo),
        vapid_key,
        "a restart made a new key"
    );
    witness.remind_at(&addr, "21:41");
    wait_for(&inbox, &witness.path(), "checkin", 3);
    let messages = inbox.lock().expect("inbox").clone();
    let tokyo_topics: Vec<&str> = messages
        .iter()
        .filter(|m| m.path == tokyo.path())
        .filter_map(|m| m.headers.get("topic").map(String::as_str))
        .collect();
    assert_eq!(
        tokyo_topics,
        ["lab-retest", "schedule-switch", "checkin"],
        "each reminder once, also across the restart"
    );
    let message = messages
        .iter()
        .find(|m| m.path == tokyo.path() && m.headers.get("topic").is_some_and(|t| t == "checkin"))
        .expect("Tokyo's message");
    // What a push service sees: the standard headers, and an opaque body.
    let header = |name: &str| message.headers.get(name).cloned().unwrap_or_default();
    assert_eq!(header("content-encoding"), "aes128gcm");
    assert!(
        header("ttl").parse::<u32>().is_ok_and(|t| t > 0),
        "TTL: {:?}",
        header("ttl")
    );
    assert!(!header("urgency").is_empty(), "no Urgency header");
    assert_eq!(header("topic"), "checkin");
    let body_text = String::from_utf8_lossy(&message.body).to_lowercase();
    for clear in ["check-in", "quietlegs", "title", "checkin", "tokyo"] {
        assert!(!body_text.contains(clear), "'{clear}' readable in the body");
    }

    // What the phone reads: the independent implementation checks and decrypts.
    let opened = |m: &Pushed, p: &Person, now: jiff::Timestamp| {
        let request = serde_json::json!({
            "body": b64url(&m.body),
            "authorization": m.headers.get("authorization").cloned().unwrap_or_default(),
            "private": p.keys["private"],
            "auth": p.keys["auth"],
            "vapid_key": vapid_key,
            "audience": receiver,
            "now": now.as_second(),
        });
        receiver_py(&python, &["open"], Some(&request.to_string()))
    };
    let sent_at = at(12, 30, 20);
    let opened_tokyo = opened(message, tokyo, sent_at);
    // The token was signed at the server's 12:30:20, that is after 21:30 in Tokyo.
    assert_eq!(
        opened_tokyo["claims"]["exp"].as_i64(),
        Some(sent_at.as_second() + 12 * 3600)
    );
    assert_eq!(opened_tokyo["claims"]["sub"], CONTACT);
    let mut opened_all = vec![(opened_tokyo, "checkin", "/checkin")];
    for (topic, sent_at, url) in [
        ("lab-retest", at(0, 0, 20), "/labs"),
        ("schedule-switch", at(9, 0, 20), "/tonight"),
    ] {
        let m = messages
            .iter()
            .find(|m| m.path == tokyo.path() && m.headers.get("topic").is_some_and(|t| t == topic))
            .expect("message");
        opened_all.push((opened(m, tokyo, sent_at), topic, url));
    }
    for (opened, tag, url) in &opened_all {
        let payload = opened["payload"].as_str().expect("payload");
        let value: serde_json::Value = serde_json::from_str(payload).expect("payload is JSON");
        assert_eq!(value["tag"], *tag, "{payload}");
        assert_eq!(value["url"], *url, "{payload}");
        assert!(
            value["title"].as_str().is_some_and(|t| !t.is_empty()),
            "{payload}"
        );
        // Generic words only: no value, no remedy or test, no score, no place.
        let lower = payload.to_lowercase();
        assert!(
            !lower.chars().any(|c| c.is_ascii_digit()),
            "a number in {payload}"
        );
        for health in [
            "severity",
            "magnesium",
            "ferritin",
            "ng/ml",
            "tokyo",
            "helped",
            "iron",
        ] {
            assert!(!lower.contains(health), "'{health}' in {payload}");
        }
    }
    let witness_first = messages
        .iter()
        .find(|m| m.path == witness.path())
        .expect("witness");
    let opened_witness = opened(witness_first, witness, at(12, 29, 20));
    assert!(
        opened_witness["payload"]
            .as_str()
            .is_some_and(|p| p.contains("checkin"))
    );

    // Turning reminders off on a device forgets it.
    let body = serde_json::json!({"endpoint": format!("{receiver}/push/tokyo")}).to_string();
    let (status, answer) = tokyo.call(&addr, "DELETE", "/api/v1/push/subscriptions", &body);
    assert_eq!(status, 204, "{answer}");
    let (status, _) = tokyo.call(&addr, "DELETE", "/api/v1/push/subscriptions", &body);
    assert_eq!(status, 404);

    let _ = server.kill();
    let _ = server.wait();
    let lines = log.join().unwrap_or_default().join("\n");
    // The log names the push service's host, never a capability endpoint's path.
    assert!(!lines.contains("/push/tokyo"), "an endpoint in the log");
    assert!(lines.contains("push: reminder sent"), "{lines}");
}
