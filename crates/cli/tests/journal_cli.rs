//! The journal through the command line: log, labs, profile, import and export, with
//! all-or-nothing imports, lossless round trips and crash safety.

use std::path::Path;
use std::process::{Output, Stdio};
use std::time::Duration;

mod common;
use common::{Scratch, cmd, ok, run};

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn fill(db: &str) {
    let profile = concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples/profile.toml");
    ok(db, &["profile", "set", profile]);
    ok(
        db,
        &[
            "labs",
            "add",
            "ferritin",
            "42",
            "ug/L",
            "--date",
            "2026-10-01",
        ],
    );
    ok(
        db,
        &["labs", "add", "tsat", "18", "%", "--date", "2026-10-01"],
    );
    for (night, severity, extra) in [
        (
            "2026-10-01",
            "7",
            vec!["caffeine_mg=250", "took:magnesium=0"],
        ),
        (
            "2026-10-02",
            "5",
            vec!["alcohol_drinks=2", "notes=late dinner, \"wine\""],
        ),
        ("2026-10-03", "4", vec!["took:magnesium=1", "x:mood=calm"]),
        (
            "2026-10-04",
            "3",
            vec!["exercise_minutes=40", "exercise_intensity=moderate"],
        ),
    ] {
        let mut args = vec!["log", "--night", night, "--severity", severity];
        args.extend(extra);
        ok(db, &args);
    }
}

#[test]
fn json_export_import_export_is_byte_identical() {
    let s = Scratch::new("json");
    let (a, b) = (s.db("a.db"), s.db("b.db"));
    fill(&a);
    let first = ok(&a, &["export", "--format", "json"]);
    let file = s.path("export.json");
    std::fs::write(&file, &first).expect("write");
    ok(&b, &["import", file.to_str().expect("utf-8")]);
    let second = ok(&b, &["export", "--format", "json"]);
    assert_eq!(
        String::from_utf8_lossy(&first),
        String::from_utf8_lossy(&second)
    );
    let doc: serde_json::Value = serde_json::from_slice(&first).expect("json");
    assert_eq!(doc["nights"].as_array().map(Vec::len), Some(4));
    assert_eq!(doc["labs"].as_array().map(Vec::len), Some(2));
    assert_eq!(doc["profile_versions"].as_array().map(Vec::len), Some(1));

    // Importing again is idempotent.
    let out = run(&b, &["import", file.to_str().expect("utf-8")]);
    assert!(
        stderr(&out).contains("0 added, 0 updated"),
        "{}",
        stderr(&out)
    );
    assert_eq!(ok(&b, &["export", "--format", "json"]), first);
}

#[test]
fn csv_export_import_export_is_byte_identical_and_conflicts_are_named() {
    let s = Scratch::new("csv");
    let (a, b) = (s.db("a.db"), s.db("b.db"));
    fill(&a);
    let first = ok(&a, &["export", "--format", "csv"]);
    let file = s.path("journal.csv");
    std::fs::write(&file, &first).expect("write");
    let path = file.to_str().expect("utf-8");
    ok(&b, &["import", path]);
    assert_eq!(ok(&b, &["export", "--format", "csv"]), first);

    // Same night, other values: refused and named, nothing changes; --overwrite replaces.
    let changed = String::from_utf8_lossy(&first).replace("2026-10-03,4,", "2026-10-03,9,");
    std::fs::write(&file, changed).expect("write");
    let out = run(&b, &["import", path]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("2026-10-03"), "{}", stderr(&out));
    assert_eq!(ok(&b, &["export", "--format", "csv"]), first);
    ok(&b, &["import", path, "--overwrite"]);
    let now = String::from_utf8_lossy(&ok(&b, &["export", "--format", "csv"])).into_owned();
    assert!(now.contains("2026-10-03,9,"));
}

#[test]
fn one_bad_row_in_ten_thousand_is_named_and_nothing_is_written() {
    let s = Scratch::new("bad");
    let db = s.db("q.db");
    fill(&db);
    let before = ok(&db, &["export", "--format", "json"]);
    let mut csv = String::from("night,severity,caffeine_mg\n");
    let mut day = jiff::civil::date(1990, 1, 1);
    for i in 0..10_001 {
        let severity = if i == 5_000 {
            "11".to_string()
        } else {
            (i % 11).to_string()
        };
        csv.push_str(&format!("{day},{severity},{}\n", i % 300));
        day = day.tomorrow().expect("date");
    }
    let file = s.path("big.csv");
    std::fs::write(&file, csv).expect("write");
    let out = run(&db, &["import", file.to_str().expect("utf-8")]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(err.contains("big.csv:5002"), "names the line: {err}");
    assert!(err.contains("severity"), "names the column: {err}");
    assert_eq!(
        ok(&db, &["export", "--format", "json"]),
        before,
        "database unchanged"
    );
}

#[test]
fn bad_cli_input_exits_2_and_changes_nothing() {
    let s = Scratch::new("input");
    let db = s.db("q.db");
    fill(&db);
    let before = ok(&db, &["export", "--format", "json"]);
    for args in [
        vec!["log", "--night", "2026-10-05", "--severity", "12"],
        vec![
            "log",
            "--night",
            "2026-10-05",
            "--severity",
            "3",
            "sugar_late=maybe",
        ],
        vec!["log", "--night", "yesterday", "--severity", "3"],
        vec!["labs", "add", "ferritin", "-3", "ng/mL"],
        vec!["labs", "add", "ferritin", "40", "furlongs"],
        vec!["labs", "add", "unobtainium", "40", "%"],
    ] {
        let out = run(&db, &args);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
    }
    assert_eq!(ok(&db, &["export", "--format", "json"]), before);
    let out = run("mysql://nope", &["labs", "list"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn a_newer_database_is_refused_with_a_clear_message() {
    let s = Scratch::new("newer");
    let db = s.db("q.db");
    fill(&db);
    // Pretend a later Quietlegs added migration 99.
    let path = s.path("q.db");
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    rt.block_on(async {
        use sqlx::Connection;
        let mut conn = sqlx::SqliteConnection::connect(&format!("sqlite://{}", path.display()))
            .await
            .expect("open");
        sqlx::query(
            "INSERT INTO _sqlx_migrations (version, description, installed_on, success, \
             checksum, execution_time) VALUES (99, 'future', CURRENT_TIMESTAMP, 1, x'00', 0)",
        )
        .execute(&mut conn)
        .await
        .expect("insert");
    });
    let out = run(&db, &["labs", "list"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("newer Quietlegs"), "{}", stderr(&out));
}

fn nights_in(db: &str) -> usize {
    let csv = ok(db, &["export", "--format", "csv"]);
    String::from_utf8_lossy(&csv)
        .lines()
        .count()
        .saturating_sub(1)
}

fn integrity_ok(path: &Path) -> bool {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    rt.block_on(async {
        use sqlx::{Connection, Row};
        let mut conn = sqlx::SqliteConnection::connect(&format!("sqlite://{}", path.display()))
            .await
            .expect("open");
        let row = sqlx::query("PRAGMA integrity_check")
            .fetch_one(&mut conn)
            .await
            .expect("check");
        row.get::<String, _>(0) == "ok"
    })
}

#[cfg(unix)]
#[test]
fn killing_an_import_midway_leaves_all_or_nothing() {
    let s = Scratch::new("crash-import");
    let mut csv = String::from("night,severity,caffeine_mg,took:magnesium,notes\n");
    let mut day = jiff::civil::date(1900, 1, 1);
    let rows = 60_000;
    for i in 0..rows {
        csv.push_str(&format!(
            "{day},{},{},{},night {i}\n",
            i % 11,
            i % 400,
            i % 2
        ));
        day = day.tomorrow().expect("date");
    }
    let file = s.path("huge.csv");
    std::fs::write(&file, csv).expect("write");
    let mut killed_midway = 0;
    for (attempt, delay_ms) in [150u64, 300, 500, 800, 1200, 2000].iter().enumerate() {
        let db = s.db(&format!("q{attempt}.db"));
        let mut child = cmd(&db, &["import", file.to_str().expect("utf-8")])
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn");
        std::thread::sleep(Duration::from_millis(*delay_ms));
        let still_running = child.try_wait().expect("poll").is_none();
        child.kill().ok();
        child.wait().ok();
        if still_running {
            killed_midway += 1;
        }
        let n = nights_in(&db);
        assert!(
            n == 0 || n == rows,
            "partial import after a kill: {n} nights"
        );
        assert!(integrity_ok(&s.path(&format!("q{attempt}.db"))));
    }
    assert!(killed_midway > 0, "no import was still running when killed");
}

#[cfg(unix)]
#[test]
fn killing_check_ins_loses_no_acknowledged_night() {
    let s = Scratch::new("crash-log");
    let db = s.db("q.db");
    let mut acknowledged = Vec::new();
    let mut day = jiff::civil::date(2026, 1, 1);
    for i in 0..30u64 {
        let night = day.to_string();
        day = day.tomorrow().expect("date");
        let mut child = cmd(
            &db,
            &[
                "log",
                "--night",
                &night,
                "--severity",
                "5",
                "caffeine_mg=100",
            ],
        )
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn");
        if i % 3 == 1 {
            // Kill some writes at varying moments, from start-up to mid-transaction.
            std::thread::sleep(Duration::from_millis(2 + (i * 7) % 60));
            child.kill().ok();
        }
        let status = child.wait().expect("wait");
        if status.success() {
            acknowledged.push(night);
        }
    }
    assert!(acknowledged.len() >= 20);
    let csv = String::from_utf8_lossy(&ok(&db, &["export", "--format", "csv"])).into_owned();
    for night in &acknowledged {
        assert!(
            csv.contains(&format!("{night},5,")),
            "acknowledged night {night} lost"
        );
    }
    assert!(integrity_ok(&s.path("q.db")));
}
