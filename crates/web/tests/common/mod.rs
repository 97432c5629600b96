//! A test kit that drives the real router (every layer: host guard, sessions, CSRF) over a real
//! store: SQLite in a scratch file, and PostgreSQL when `QUIETLEGS_TEST_POSTGRES_URL` is set.
#![allow(dead_code)]

use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderMap, Method, Request, StatusCode, header};
use quietlegs_core::{knowledge, safety};
use quietlegs_store::Store;
use quietlegs_web::{AppState, WebConfig};
use sqlx::Connection;
use tower::ServiceExt;

pub struct Answer {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: String,
}

impl Answer {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }
}

/// The app over one store, with a scratch folder or database that is removed afterwards.
pub struct TestApp {
    pub router: Router,
    pub store: Arc<dyn Store>,
    pub host: String,
    scratch: Option<std::path::PathBuf>,
    pg: Option<(String, String)>,
}

pub fn scratch_dir(tag: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "quietlegs-web-{tag}-{}-{}",
        std::process::id(),
        jiff::Timestamp::now().as_nanosecond() % 1_000_000_000_000
    ));
    std::fs::create_dir_all(&dir).expect("scratch dir");
    dir
}

impl TestApp {
    pub async fn sqlite(tag: &str, config: WebConfig) -> Self {
        let dir = scratch_dir(tag);
        let store = quietlegs_store_sqlite::open(&dir.join("q.db"))
            .await
            .expect("sqlite store");
        Self::with_store(Arc::new(store), config, Some(dir), None)
    }

    /// `None` when no PostgreSQL is configured for tests.
    pub async fn postgres(tag: &str, config: WebConfig) -> Option<Self> {
        let admin = std::env::var("QUIETLEGS_TEST_POSTGRES_URL").ok()?;
        let name = format!(
            "quietlegs_web_{tag}_{}_{}",
            std::process::id(),
            jiff::Timestamp::now().as_nanosecond() % 1_000_000_000
        );
        let mut conn = sqlx::PgConnection::connect(&admin).await.expect("admin");
        sqlx::query(&format!("CREATE DATABASE {name}"))
            .execute(&mut conn)
            .await
            .expect("create database");
        let base = admin.rsplit_once('/').map_or(admin.as_str(), |(b, _)| b);
        let store = quietlegs_store_postgres::connect(&format!("{base}/{name}"))
            .await
            .expect("postgres store");
        Some(Self::with_store(
            Arc::new(store),
            config,
            None,
            Some((admin.clone(), name)),
        ))
    }

    fn with_store(
        store: Arc<dyn Store>,
        config: WebConfig,
        scratch: Option<std::path::PathBuf>,
        pg: Option<(String, String)>,
    ) -> Self {
        let kb = knowledge::bundled().expect("knowledge");
        let rules = safety::bundled_rules().expect("rules");
        let host = config
            .allowed_hosts
            .first()
            .cloned()
            .unwrap_or_else(|| "quietlegs.example".into());
        let state = AppState::new(kb, rules, store.clone(), config);
        Self {
            router: quietlegs_web::router(state),
            store,
            host,
            scratch,
            pg,
        }
    }

    /// The id of the account called `name` (which must exist).
    #[allow(dead_code)] // not every test file needs it
    pub async fn person(&self, name: &str) -> quietlegs_store::PersonId {
        self.store
            .find_person(name)
            .await
            .expect("find")
            .expect("exists")
    }

    pub fn client(&self) -> Client {
        Client {
            router: self.router.clone(),
            host: self.host.clone(),
            cookie: None,
            csrf: None,
        }
    }

    pub async fn finish(self) {
        if let Some(dir) = &self.scratch {
            let _ = std::fs::remove_dir_all(dir);
        }
        if let Some((admin, name)) = &self.pg {
            drop(self.router);
            drop(self.store);
            if let Ok(mut conn) = sqlx::PgConnection::connect(admin).await {
                let _ = sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                    .execute(&mut conn)
                    .await;
            }
        }
    }
}

/// A browser-like client: keeps the session cookie and the CSRF token it was given.
#[derive(Clone)]
pub struct Client {
    router: Router,
    pub host: String,
    pub cookie: Option<String>,
    pub csrf: Option<String>,
}

impl Client {
    pub async fn send(
        &mut self,
        method: Method,
        path: &str,
        content_type: Option<&str>,
        body: impl Into<Body>,
        with_csrf: bool,
    ) -> Answer {
        let mut request = Request::builder()
            .method(method)
            .uri(path)
            .header(header::HOST, &self.host);
        if let Some(cookie) = &self.cookie {
            request = request.header(header::COOKIE, cookie);
        }
        if let Some(ct) = content_type {
            request = request.header(header::CONTENT_TYPE, ct);
        }
        if with_csrf && let Some(token) = &self.csrf {
            request = request.header("x-csrf-token", token);
        }
        let response = self
            .router
            .clone()
            .oneshot(request.body(body.into()).expect("request"))
            .await
            .expect("router answers");
        let status = response.status();
        let headers = response.headers().clone();
        if let Some(set) = headers
            .get(header::SET_COOKIE)
            .and_then(|v| v.to_str().ok())
        {
            let pair = set.split(';').next().unwrap_or("").to_string();
            self.cookie = if pair.ends_with('=') {
                None
            } else {
                Some(pair)
            };
        }
        let bytes = axum::body::to_bytes(response.into_body(), 1 << 24)
            .await
            .expect("body");
        let answer = Answer {
            status,
            headers,
            body: String::from_utf8_lossy(&bytes).into_owned(),
        };
        if let Ok(v) = serde_json::from_str::<serde_json::Value>(&answer.body)
            && let Some(token) = v.get("csrf_token").and_then(|t| t.as_str())
        {
            self.csrf = Some(token.to_string());
        }
        answer
    }

    pub async fn get(&mut self, path: &str) -> Answer {
        self.send(Method::GET, path, None, Body::empty(), false)
            .await
    }

    pub async fn json(&mut self, method: Method, path: &str, body: &serde_json::Value) -> Answer {
        self.send(
            method,
            path,
            Some("application/json"),
            body.to_string(),
            true,
        )
        .await
    }

    /// A form post carrying the CSRF token as a hidden field, as the pages do.
    pub async fn form(&mut self, path: &str, fields: &[(&str, &str)]) -> Answer {
        let mut pairs: Vec<(String, String)> = fields
            .iter()
            .map(|(k, v)| ((*k).to_string(), (*v).to_string()))
            .collect();
        if let Some(token) = &self.csrf {
            pairs.push(("csrf_token".into(), token.clone()));
        }
        let body = serde_urlencoded::to_string(&pairs).expect("form");
        self.send(
            Method::POST,
            path,
            Some("application/x-www-form-urlencoded"),
            body,
            false,
        )
        .await
    }

    /// Stores a ferritin result (ng/mL) through the API; returns its id.
    pub async fn add_ferritin(&mut self, value: f64, date: &str) -> i64 {
        let a = self
            .json(
                Method::POST,
                "/api/v1/labs",
                &serde_json::json!({"test": "ferritin", "value": value, "unit": "ng/mL", "date": date}),
            )
            .await;
        assert_eq!(a.status, StatusCode::CREATED, "{}", a.body);
        a.json()["id"].as_i64().expect("lab id")
    }

    pub async fn signup(&mut self, name: &str) -> Answer {
        let a = self
            .json(
                Method::POST,
                "/api/v1/signup",
                &serde_json::json!({"username": name, "password": "a long enough password"}),
            )
            .await;
        assert_eq!(a.status, StatusCode::CREATED, "{}", a.body);
        a
    }
}

/// Declares a story (an `async fn(TestApp)`) as two tests: on SQLite always, and on PostgreSQL
/// when `QUIETLEGS_TEST_POSTGRES_URL` is set (otherwise it says so and passes).
#[allow(unused_macros)] // each test file uses its own subset
macro_rules! on_both_stores {
    ($sqlite:ident, $postgres:ident, $tag:literal, $story:ident) => {
        #[tokio::test]
        async fn $sqlite() {
            $story(common::TestApp::sqlite($tag, quietlegs_web::WebConfig::server(true)).await)
                .await;
        }

        #[tokio::test]
        async fn $postgres() {
            match common::TestApp::postgres($tag, quietlegs_web::WebConfig::server(true)).await {
                Some(app) => $story(app).await,
                None => eprintln!("QUIETLEGS_TEST_POSTGRES_URL is not set: PostgreSQL run skipped"),
            }
        }
    };
}

/// Everything logged while a test runs, at every level.
#[derive(Clone, Default)]
pub struct Captured(Arc<std::sync::Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().expect("lock").extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Captured {
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().expect("lock")).into_owned()
    }
}

/// Captures this thread's logs at every level while the guard lives. A file that captures in
/// one test should capture in all of them: tracing caches per call site whether anyone
/// listens, and a test thread with no subscriber could have it cached as "no one" while
/// another test is capturing.
pub fn capture_logs() -> (Captured, tracing::subscriber::DefaultGuard) {
    let logs = Captured::default();
    let writer = logs.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(move || writer.clone())
        .finish();
    (logs, tracing::subscriber::set_default(subscriber))
}
