//! Scaffolding shared by the command-line tests: a scratch folder and the binary.
#![allow(dead_code)] // each test file uses its own subset

use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

pub struct Scratch(PathBuf);

impl Scratch {
    pub fn new(name: &str) -> Self {
        let dir = std::env::temp_dir().join(format!(
            "quietlegs-test-{name}-{}-{}",
            std::process::id(),
            jiff::Timestamp::now().as_nanosecond()
        ));
        std::fs::create_dir_all(&dir).expect("scratch dir");
        Scratch(dir)
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.0.join(name)
    }

    pub fn db(&self, name: &str) -> String {
        format!("sqlite://{}", self.path(name).display())
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        std::fs::remove_dir_all(&self.0).ok();
    }
}

pub fn cmd(db: &str, args: &[&str]) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_quietlegs"));
    c.args(args)
        .env("QUIETLEGS_DATABASE_URL", db)
        .stdin(Stdio::null());
    c
}

pub fn run(db: &str, args: &[&str]) -> Output {
    cmd(db, args).output().expect("quietlegs runs")
}

pub fn ok(db: &str, args: &[&str]) -> Vec<u8> {
    let out = run(db, args);
    assert!(
        out.status.success(),
        "{args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

/// One HTTP/1.1 request; returns the status, the raw head and the body.
pub fn http(
    addr: &str,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &str,
) -> (u16, String, String) {
    try_http(addr, method, path, headers, body).expect("HTTP request")
}

/// [`http`], with connection failures returned (a server being killed mid-request).
pub fn try_http(
    addr: &str,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &str,
) -> std::io::Result<(u16, String, String)> {
    use std::io::{Read, Write};
    let mut stream = std::net::TcpStream::connect(addr)?;
    let mut request = format!(
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nContent-Length: {}\r\n",
        body.len()
    );
    for (k, v) in headers {
        request.push_str(&format!("{k}: {v}\r\n"));
    }
    request.push_str("\r\n");
    request.push_str(body);
    stream.write_all(request.as_bytes())?;
    let mut answer = String::new();
    stream.read_to_string(&mut answer)?;
    let (head, body) = answer.split_once("\r\n\r\n").unwrap_or((&answer, ""));
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    Ok((status, head.to_string(), body.to_string()))
}

/// A check-in for the night `offset` days after `first` (severity `offset % 11`), sent with a
/// session's cookie and CSRF token. Returns the night and severity it sent, and the answer
/// (connection failures included).
#[allow(dead_code)] // not every test file sends check-ins
pub fn try_check_in(
    addr: &str,
    (cookie, csrf): (&str, &str),
    first: jiff::civil::Date,
    offset: i64,
) -> (String, u8, std::io::Result<(u16, String, String)>) {
    let night = first
        .checked_add(jiff::Span::new().days(offset))
        .expect("date")
        .to_string();
    let severity = u8::try_from(offset % 11).expect("severity");
    let headers = [
        ("Content-Type", "application/json"),
        ("Cookie", cookie),
        ("X-CSRF-Token", csrf),
    ];
    let body = format!(r#"{{"severity":{severity}}}"#);
    let answer = try_http(
        addr,
        "PUT",
        &format!("/api/v1/journal/{night}"),
        &headers,
        &body,
    );
    (night, severity, answer)
}

/// Starts `quietlegs serve --multi-user` on a free port; returns the child and its address. The
/// server's log is drained on a thread (returned) so it never blocks on a full pipe.
pub fn start_server(
    db: &str,
) -> (
    std::process::Child,
    String,
    std::thread::JoinHandle<Vec<String>>,
) {
    start_server_with(db, &[])
}

/// [`start_server`] with extra environment for the server (a `TZ`, a setting).
pub fn start_server_with(
    db: &str,
    env: &[(&str, &str)],
) -> (
    std::process::Child,
    String,
    std::thread::JoinHandle<Vec<String>>,
) {
    let mut command = cmd(db, &["serve", "--multi-user", "--addr", "127.0.0.1:0"]);
    command.envs(env.iter().copied());
    spawn_server(command)
}

/// Runs a `serve` command, waits for the address it prints, and drains its log on a thread.
pub fn spawn_server(
    mut command: Command,
) -> (
    std::process::Child,
    String,
    std::thread::JoinHandle<Vec<String>>,
) {
    use std::io::BufRead;
    let mut server = command.stderr(Stdio::piped()).spawn().expect("serve");
    let mut lines = std::io::BufReader::new(server.stderr.take().expect("stderr")).lines();
    let addr = loop {
        let line = lines.next().expect("server output").expect("line");
        if let Some(rest) = line.split("http://").nth(1) {
            break rest.split('/').next().expect("addr").to_string();
        }
    };
    let log = std::thread::spawn(move || lines.map_while(Result::ok).collect::<Vec<_>>());
    (server, addr, log)
}

/// Creates an account over HTTP (`POST /api/v1/signup`); returns the session cookie
/// (`name=value`) and the CSRF token to send with state-changing requests.
pub fn sign_up(addr: &str, username: &str, password: &str) -> (String, String) {
    let body = serde_json::json!({"username": username, "password": password}).to_string();
    let (status, head, body) = http(
        addr,
        "POST",
        "/api/v1/signup",
        &[("Content-Type", "application/json")],
        &body,
    );
    assert_eq!(status, 201, "{body}");
    let cookie = head
        .lines()
        .find_map(|l| {
            l.to_ascii_lowercase()
                .starts_with("set-cookie: ")
                .then(|| l[12..].to_string())
        })
        .and_then(|c| c.split(';').next().map(str::to_string))
        .expect("session cookie");
    let csrf = serde_json::from_str::<serde_json::Value>(&body).expect("json")["csrf_token"]
        .as_str()
        .expect("csrf token")
        .to_string();
    (cookie, csrf)
}

/// `browser-tests/` with its npm packages installed, or `None` (and why, on stderr) when node or
/// npm is missing; with `QUIETLEGS_REQUIRE_BROWSER=1` (CI) a missing tool fails the test.
pub fn node_tools() -> Option<PathBuf> {
    let have = |p: &str| {
        Command::new(p)
            .arg("--version")
            .output()
            .is_ok_and(|o| o.status.success())
    };
    let required = std::env::var("QUIETLEGS_REQUIRE_BROWSER").is_ok_and(|v| v == "1");
    if !(have("node") && have("npm")) {
        assert!(!required, "node or npm is missing");
        eprintln!("node or npm missing: this check is not run");
        return None;
    }
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../browser-tests");
    // Tests run on threads: one installs while the others wait, or a half-written
    // node_modules fails whoever reads it first.
    static INSTALL: std::sync::Mutex<()> = std::sync::Mutex::new(());
    let _one_at_a_time = INSTALL
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    // Every package the checks use: a checkout from before one was added installs again.
    let packages = [
        "playwright-core",
        "fhirpath",
        "@lhncbc/ucum-lhc",
        "lighthouse",
        "chrome-launcher",
    ];
    if !packages
        .iter()
        .all(|p| dir.join("node_modules").join(p).exists())
    {
        let status = Command::new("npm")
            .args(["ci", "--no-audit", "--no-fund"])
            .current_dir(&dir)
            .status()
            .expect("npm runs");
        assert!(status.success(), "npm ci failed in browser-tests");
    }
    Some(dir)
}

/// Runs one of `browser-tests/`'s node scripts with `args`.
pub fn node_script(dir: &std::path::Path, script: &str, args: &[&str]) -> Output {
    Command::new("node")
        .arg(script)
        .args(args)
        .current_dir(dir)
        .output()
        .expect("node runs")
}

/// Runs `node SCRIPT` in `browser-tests/` against this build's binary with Debian's Chromium
/// (`CHROMIUM`, default `/usr/bin/chromium`, also given as chrome-launcher's `CHROME_PATH`) and
/// `env`; returns its stdout after checking it exited 0 and printed `PASSED_LINE`. `None` (and
/// why, on stderr) when Chromium, node or npm is missing; with `QUIETLEGS_REQUIRE_BROWSER=1`
/// (CI) a missing tool fails the test.
pub fn browser_script(
    script: &str,
    passed_line: &str,
    env: &[(&str, &std::ffi::OsStr)],
) -> Option<String> {
    let chromium = std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
    let required = std::env::var("QUIETLEGS_REQUIRE_BROWSER").is_ok_and(|v| v == "1");
    if !std::path::Path::new(&chromium).exists() {
        assert!(!required, "{chromium} is missing");
        eprintln!("{chromium} missing: {script} not run");
        return None;
    }
    let dir = node_tools()?;
    let out = Command::new("node")
        .arg(script)
        .current_dir(&dir)
        .env("QUIETLEGS_BIN", env!("CARGO_BIN_EXE_quietlegs"))
        .env("CHROMIUM", &chromium)
        .env("CHROME_PATH", &chromium)
        .envs(env.iter().copied())
        .output()
        .expect("node runs");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    println!("{stdout}");
    assert!(
        out.status.success(),
        "{script} failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains(passed_line), "{stdout}");
    Some(stdout)
}
