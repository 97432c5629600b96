//! PostgreSQL restarts while people are checking in: requests during the outage fail cleanly
//! (503 with a JSON error, nothing half-written), and the same server process recovers by itself
//! once the database is back. Needs `QUIETLEGS_TEST_POSTGRES_URL` and a command that restarts
//! that PostgreSQL in `QUIETLEGS_PG_RESTART` (`.ci/run` sets `pg_ctlcluster <version> main
//! restart`); otherwise it says so and passes.

mod common;

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::{ok, sign_up, start_server, try_check_in};
use sqlx::Connection;

#[test]
fn a_postgres_restart_is_survived() {
    let (Ok(admin), Ok(restart)) = (
        std::env::var("QUIETLEGS_TEST_POSTGRES_URL"),
        std::env::var("QUIETLEGS_PG_RESTART"),
    ) else {
        eprintln!(
            "QUIETLEGS_TEST_POSTGRES_URL or QUIETLEGS_PG_RESTART not set: restart test not run"
        );
        return;
    };
    let name = format!("quietlegs_restart_{}", std::process::id());
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    rt.block_on(async {
        let mut conn = sqlx::PgConnection::connect(&admin).await.expect("admin");
        sqlx::query(&format!("CREATE DATABASE {name}"))
            .execute(&mut conn)
            .await
            .expect("create");
    });
    let base = admin.rsplit_once('/').map_or(admin.as_str(), |(b, _)| b);
    let db = format!("{base}/{name}");

    let (mut server, addr, log) = start_server(&db);
    let (cookie, csrf) = sign_up(&addr, "restart", "databases do restart");

    let stop = Arc::new(AtomicBool::new(false));
    let acknowledged: Arc<Mutex<BTreeMap<String, u8>>> = Arc::default();
    let statuses: Arc<Mutex<Vec<(Instant, u16)>>> = Arc::default();
    let client = {
        let (addr, stop) = (addr.clone(), Arc::clone(&stop));
        let (acknowledged, statuses) = (Arc::clone(&acknowledged), Arc::clone(&statuses));
        std::thread::spawn(move || {
            let first: jiff::civil::Date = "1990-01-01".parse().expect("date");
            let mut i = 0i64;
            while !stop.load(Ordering::Relaxed) {
                let (night, severity, answer) = try_check_in(&addr, (&cookie, &csrf), first, i);
                let status = match answer {
                    Ok((status, _, body)) => {
                        if status == 200 {
                            acknowledged.lock().expect("lock").insert(night, severity);
                        } else {
                            assert!(
                                body.contains("\"error\""),
                                "{status} without a JSON error: {body}"
                            );
                        }
                        status
                    }
                    Err(e) => panic!("the app stopped answering: {e}"),
                };
                statuses
                    .lock()
                    .expect("lock")
                    .push((Instant::now(), status));
                i += 1;
                std::thread::sleep(Duration::from_millis(10));
            }
        })
    };
    std::thread::sleep(Duration::from_millis(500));
    let restarted = std::process::Command::new("sh")
        .args(["-c", &restart])
        .status()
        .expect("restart");
    assert!(restarted.success(), "restart command failed");
    let back = Instant::now();
    std::thread::sleep(Duration::from_secs(4));
    stop.store(true, Ordering::Relaxed);
    client.join().expect("client");
    let _ = server.kill();
    let _ = server.wait();
    let _ = log.join();

    let statuses = statuses.lock().expect("lock").clone();
    for (_, s) in &statuses {
        assert!(matches!(s, 200 | 503), "unexpected status {s}");
    }
    // Recovered without restarting the app: the last second after the restart is all 200s.
    let late: Vec<u16> = statuses
        .iter()
        .filter(|(t, _)| t.duration_since(back) > Duration::from_secs(3))
        .map(|(_, s)| *s)
        .collect();
    assert!(
        !late.is_empty() && late.iter().all(|s| *s == 200),
        "did not recover: {late:?}"
    );
    let failed = statuses.iter().filter(|(_, s)| *s == 503).count();
    eprintln!(
        "{} requests, {failed} refused with 503 during the restart, then all answered",
        statuses.len()
    );

    let csv = String::from_utf8(ok(&db, &["--user", "restart", "export", "--format", "csv"]))
        .expect("csv");
    for (night, severity) in acknowledged.lock().expect("lock").iter() {
        assert!(
            csv.contains(&format!("{night},{severity}")),
            "acknowledged {night} lost"
        );
    }
    rt.block_on(async {
        if let Ok(mut conn) = sqlx::PgConnection::connect(&admin).await {
            let _ = sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                .execute(&mut conn)
                .await;
        }
    });
}
