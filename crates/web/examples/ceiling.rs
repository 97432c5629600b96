//! Ceilings for the load test (`benches/load/run.sh`): the fastest this machine answers HTTP with
//! axum, and with one single-row INSERT per request, on the same runtime and database settings
//! as `quietlegs serve`. Our own throughput is reported as a ratio of these.
//!
//! `cargo run --release -p quietlegs-web --example ceiling -- hello 127.0.0.1:9001`
//! `cargo run --release -p quietlegs-web --example ceiling -- insert 127.0.0.1:9002 sqlite:///tmp/c.db`

use axum::Router;
use axum::extract::{Path, State};
use axum::routing::{get, put};
use sqlx::AnyPool;
use sqlx::any::AnyPoolOptions;

async fn insert(State(pool): State<AnyPool>, Path(n): Path<i64>) -> &'static str {
    match sqlx::query("INSERT INTO ceiling (n, severity) VALUES ($1, 5)")
        .bind(n)
        .execute(&pool)
        .await
    {
        Ok(_) => "ok",
        Err(_) => "failed",
    }
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let (mode, addr) = (
        args.get(1).map(String::as_str),
        args.get(2).cloned().unwrap_or_default(),
    );
    let app = match mode {
        Some("hello") => Router::new().route("/", get(|| async { "hello" })),
        Some("insert") => {
            let url = args.get(3).cloned().ok_or("insert needs a database URL")?;
            sqlx::any::install_default_drivers();
            let sqlite = url.starts_with("sqlite:");
            let pool = AnyPoolOptions::new()
                .max_connections(if sqlite { 4 } else { 10 })
                .after_connect(move |conn, _| {
                    Box::pin(async move {
                        if sqlite {
                            for pragma in [
                                "PRAGMA journal_mode = WAL",
                                "PRAGMA synchronous = FULL",
                                "PRAGMA busy_timeout = 5000",
                            ] {
                                sqlx::query(pragma).execute(&mut *conn).await?;
                            }
                        }
                        Ok(())
                    })
                })
                .connect(&url)
                .await?;
            sqlx::query("CREATE TABLE IF NOT EXISTS ceiling (n BIGINT, severity BIGINT)")
                .execute(&pool)
                .await?;
            Router::new()
                .route("/insert/{n}", put(insert))
                .with_state(pool)
        }
        _ => return Err("usage: ceiling hello ADDR | ceiling insert ADDR DATABASE_URL".into()),
    };
    let listener = tokio::net::TcpListener::bind(&addr).await?;
    axum::serve(listener, app).await?;
    Ok(())
}
