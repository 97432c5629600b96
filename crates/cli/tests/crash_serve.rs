//! The server is killed (SIGKILL) in the middle of concurrent check-ins, 20 times over the same
//! SQLite file: every check-in it acknowledged is still there afterwards, sessions survive the
//! restarts, and the database passes SQLite's integrity check.

mod common;

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::{Scratch, ok, sign_up, start_server, try_check_in};

const CYCLES: u32 = 20;
const CLIENTS: u32 = 4;

#[test]
fn acknowledged_check_ins_survive_sigkill() {
    let s = Scratch::new("crash-serve");
    let db = s.db("q");
    let acknowledged: Arc<Mutex<BTreeMap<String, u8>>> = Arc::default();
    let mut session: Option<(String, String)> = None;
    let first: jiff::civil::Date = "1900-01-01".parse().expect("date");
    for cycle in 0..CYCLES {
        let (mut server, addr, log) = start_server(&db);
        let (cookie, csrf) = match &session {
            Some(s) => s.clone(),
            None => {
                let (cookie, csrf) = sign_up(&addr, "crash", "kill -9 all day long");
                session = Some((cookie.clone(), csrf.clone()));
                (cookie, csrf)
            }
        };
        let workers: Vec<_> = (0..CLIENTS)
            .map(|client| {
                let (addr, cookie, csrf) = (addr.clone(), cookie.clone(), csrf.clone());
                let acknowledged = Arc::clone(&acknowledged);
                std::thread::spawn(move || {
                    for i in 0..500u32 {
                        let offset = i64::from(cycle * 2000 + client * 500 + i);
                        let (night, severity, answer) =
                            try_check_in(&addr, (&cookie, &csrf), first, offset);
                        match answer {
                            Ok((200, _, _)) => {
                                acknowledged.lock().expect("lock").insert(night, severity);
                            }
                            // A killed server: the request was never acknowledged.
                            Ok((0, _, _)) | Err(_) => return,
                            Ok((status, _, body)) => panic!("{night}: {status} {body}"),
                        }
                    }
                })
            })
            .collect();
        std::thread::sleep(Duration::from_millis(60 + u64::from(cycle % 5) * 25));
        server.kill().expect("SIGKILL");
        let _ = server.wait();
        for w in workers {
            w.join().expect("client thread");
        }
        let _ = log.join();
    }
    let acknowledged = acknowledged.lock().expect("lock").clone();
    assert!(
        acknowledged.len() > usize::try_from(CYCLES).expect("n"),
        "too few check-ins were made: {}",
        acknowledged.len()
    );

    // Every acknowledged night is stored with its value.
    let csv =
        String::from_utf8(ok(&db, &["--user", "crash", "export", "--format", "csv"])).expect("csv");
    let stored: BTreeMap<String, u8> = csv
        .lines()
        .skip(1)
        .filter_map(|l| {
            let mut cells = l.split(',');
            Some((cells.next()?.to_string(), cells.next()?.parse().ok()?))
        })
        .collect();
    for (night, severity) in &acknowledged {
        assert_eq!(
            stored.get(night),
            Some(severity),
            "acknowledged night {night} lost"
        );
    }

    // The file is consistent.
    let path = db.trim_start_matches("sqlite://").to_string();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    rt.block_on(async {
        use sqlx::Connection;
        let mut conn = sqlx::SqliteConnection::connect(&format!("sqlite://{path}"))
            .await
            .expect("open");
        let row: (String,) = sqlx::query_as("PRAGMA integrity_check")
            .fetch_one(&mut conn)
            .await
            .expect("check");
        assert_eq!(row.0, "ok");
    });
    eprintln!(
        "{} acknowledged check-ins over {CYCLES} kills, none lost",
        acknowledged.len()
    );
}
