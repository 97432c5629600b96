//! `quietlegs report`: the doctor report for a rich and an empty journal holds the key figures.

mod common;

use common::{Scratch, ok, run};

fn words(verdict: &str) -> &'static str {
    match verdict {
        "helps" => "helps",
        "no-clear-effect" => "no clear effect",
        "worse" => "worse",
        "too-early" => "too early to tell",
        _ => "not enough data",
    }
}

/// The date `n` days before today, as the CLI takes it.
fn days_ago(n: i64) -> String {
    jiff::Zoned::now()
        .date()
        .checked_sub(jiff::Span::new().days(n))
        .expect("date")
        .to_string()
}

/// `quietlegs labs add TEST VALUE UNIT --date` (`days` ago).
fn add_lab(db: &str, test: &str, value: &str, unit: &str, days: i64) {
    ok(
        db,
        &["labs", "add", test, value, unit, "--date", &days_ago(days)],
    );
}

/// Imports a journal CSV written to the scratch folder.
fn import_csv(s: &Scratch, db: &str, csv: &str) {
    let journal = s.path("journal.csv");
    std::fs::write(&journal, csv).expect("csv");
    ok(db, &["import", journal.to_str().expect("path")]);
}

#[test]
fn report_for_a_rich_journal_has_the_key_figures() {
    let s = Scratch::new("report-rich");
    let db = s.db("q");
    let profile = s.path("me.toml");
    std::fs::write(
        &profile,
        "age = 52\nbedtime = \"22:30\"\nmedications = [\"Zoloft\"]\n[symptoms]\nurge_to_move = true\n\
         worse_at_rest = true\nrelieved_by_movement = true\nevening_or_night = true\nonset = \"evening\"\n",
    )
    .expect("profile");
    ok(&db, &["profile", "set", profile.to_str().expect("path")]);
    add_lab(&db, "ferritin", "38", "ng/mL", 40);
    add_lab(&db, "tsat", "17", "%", 40);
    let mut csv = String::from("night,severity,caffeine_mg,took:magnesium\n");
    for n in (1..=60).rev() {
        let on = n <= 30;
        let severity = if on { 4 + (n % 3) } else { 6 + (n % 3) };
        csv.push_str(&format!(
            "{},{severity},{},{}\n",
            days_ago(n),
            100 * (n % 2),
            u8::from(on)
        ));
    }
    import_csv(&s, &db, &csv);

    let out = s.path("report.html");
    ok(&db, &["report", "--out", out.to_str().expect("path")]);
    let html = std::fs::read_to_string(&out).expect("report");
    assert!(html.contains("Latest ferritin 38 ng/mL"), "latest ferritin");
    assert!(html.contains("TSAT 17 %"));
    assert!(html.contains("Average nightly severity"));
    let insights: serde_json::Value =
        serde_json::from_slice(&ok(&db, &["insights", "--json"])).expect("json");
    let experiments = insights["experiments"].as_array().expect("experiments");
    assert!(!experiments.is_empty());
    for e in experiments {
        let verdict = words(e["verdict"].as_str().expect("verdict"));
        assert!(
            html.contains(&format!("<td>{verdict}</td>")),
            "verdict {verdict} missing"
        );
    }
    assert!(html.contains("<svg"), "the severity chart is inline SVG");
    assert!(html.contains("4 of 5 met") || html.contains("of 5 met"));
    assert!(html.contains("Zoloft"));
    assert!(html.contains("not medical advice"));
    assert!(!html.contains("<script"), "no scripts in the report");
}

#[test]
fn report_for_an_empty_journal_says_what_is_missing() {
    let s = Scratch::new("report-empty");
    let db = s.db("q");
    let out = s.path("report.html");
    ok(&db, &["report", "--out", out.to_str().expect("path")]);
    let html = std::fs::read_to_string(&out).expect("report");
    assert!(html.contains("No nights logged in the last 90 days."));
    assert!(html.contains("No ferritin on record"));
    assert!(html.contains("No changes tested yet."));
}

#[test]
fn report_refuses_an_unknown_output_type() {
    let s = Scratch::new("report-bad");
    let out = run(
        &s.db("q"),
        &["report", "--out", s.path("r.docx").to_str().expect("path")],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--out"));
}

/// Page count, page images and the text of a PDF, with poppler's tools (Debian poppler-utils);
/// `None` when they are missing and `.ci/run` did not demand them.
fn poppler(pdf: &std::path::Path, pages_dir: &std::path::Path) -> Option<(usize, String)> {
    // The structure elements a screen reader needs are in the file, whatever reads it.
    let bytes = std::fs::read(pdf).expect("the PDF");
    let has = |what: &[u8]| bytes.windows(what.len()).any(|w| w == what);
    for element in [
        &b"/StructTreeRoot"[..],
        b"/H1",
        b"/H2",
        b"/P",
        b"/L",
        b"/LI",
    ] {
        assert!(
            has(element),
            "{} in the structure tree",
            String::from_utf8_lossy(element)
        );
    }
    let required = std::env::var("QUIETLEGS_REQUIRE_POPPLER").is_ok_and(|v| v == "1");
    let have = std::process::Command::new("pdftotext")
        .arg("-v")
        .output()
        .is_ok();
    if !have {
        assert!(!required, "pdftotext (poppler-utils) is missing");
        eprintln!("poppler-utils missing: PDF text and pages not checked");
        return None;
    }
    let text = std::process::Command::new("pdftotext")
        .args(["-layout", pdf.to_str().expect("path"), "-"])
        .output()
        .expect("pdftotext");
    assert!(text.status.success(), "pdftotext failed");
    // Tagged: a structure tree (headings, lists, tables, figures with alternative text) that
    // screen readers follow.
    let info = std::process::Command::new("pdfinfo")
        .arg(pdf)
        .output()
        .expect("pdfinfo");
    let info = String::from_utf8_lossy(&info.stdout);
    assert!(info.contains("Tagged:          yes"), "{info}");
    // A report with nights has its chart as a figure with alternative text, and its tables
    // have header cells.
    if text.stdout.windows(7).any(|w| w == b"Ferriti") {
        assert!(
            has(b"/Figure") && has(b"/Alt"),
            "charts are figures with alt text"
        );
        assert!(has(b"/TH"), "table header cells");
    }
    std::fs::create_dir_all(pages_dir).expect("dir");
    let status = std::process::Command::new("pdftoppm")
        .args(["-png", "-r", "60", pdf.to_str().expect("path")])
        .arg(pages_dir.join("page"))
        .status()
        .expect("pdftoppm");
    assert!(status.success(), "pdftoppm failed");
    let pages = std::fs::read_dir(pages_dir).expect("pages").count();
    Some((pages, String::from_utf8_lossy(&text.stdout).into_owned()))
}

#[test]
fn pdf_reports_for_a_rich_and_an_empty_journal() {
    let s = Scratch::new("report-pdf");
    let rich = s.db("rich");
    add_lab(&rich, "ferritin", "41", "ng/mL", 200);
    add_lab(&rich, "ferritin", "38", "ng/mL", 40);
    let mut csv = String::from("night,severity,alcohol_drinks,took:magnesium\n");
    for n in (1..=80).rev() {
        let on = n <= 40;
        let severity = if on { 3 + (n % 3) } else { 6 + (n % 3) };
        csv.push_str(&format!(
            "{},{severity},{},{}\n",
            days_ago(n),
            n % 3,
            u8::from(on)
        ));
    }
    import_csv(&s, &rich, &csv);
    let insights: serde_json::Value =
        serde_json::from_slice(&ok(&rich, &["insights", "--json"])).expect("json");

    let shots = std::env::var("SCREENSHOTS")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|_| s.path("shots"));
    for (name, db) in [("rich", rich.clone()), ("empty", s.db("empty"))] {
        let pdf = s.path(&format!("{name}.pdf"));
        ok(&db, &["report", "--out", pdf.to_str().expect("path")]);
        let bytes = std::fs::read(&pdf).expect("pdf");
        assert!(bytes.starts_with(b"%PDF-"), "{name}: not a PDF");
        assert!(
            String::from_utf8_lossy(&bytes).contains("FontFile2"),
            "{name}: the font is not embedded"
        );
        let Some((pages, text)) = poppler(&pdf, &shots.join(format!("report-pdf-{name}"))) else {
            continue;
        };
        assert!((1..=2).contains(&pages), "{name}: {pages} pages");
        let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
        if name == "rich" {
            assert!(flat.contains("Latest ferritin 38 ng/mL"), "{flat}");
            assert!(flat.contains("Average nightly severity"), "{flat}");
            for e in insights["experiments"].as_array().expect("experiments") {
                let verdict = words(e["verdict"].as_str().expect("verdict"));
                assert!(flat.contains(verdict), "verdict {verdict} missing: {flat}");
            }
        } else {
            assert!(flat.contains("No ferritin on record"), "{flat}");
            assert!(flat.contains("No nights logged"), "{flat}");
        }
        assert!(flat.contains("not medical advice"));
    }
}

#[test]
fn every_surface_names_the_lines_it_could_not_read() {
    let s = Scratch::new("report-unresolved");
    let db = s.db("q");
    let profile = s.path("me.toml");
    std::fs::write(
        &profile,
        "age = 40\nmedications = [\"Zorblaxin 5mg\", \"warfarin\"]\n\
         supplements = [\"moonpetal extract\"]\n[symptoms]\n",
    )
    .expect("profile");
    ok(&db, &["profile", "set", profile.to_str().expect("path")]);

    let text = String::from_utf8(ok(&db, &["plan"])).expect("utf-8");
    // The terminal wraps lines: compare words.
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    for name in ["Zorblaxin 5mg", "moonpetal extract"] {
        assert!(
            text.contains(&format!("'{name}'")),
            "plan text names {name}"
        );
    }
    assert!(text.contains("ask your pharmacist"));

    let plan: serde_json::Value =
        serde_json::from_slice(&ok(&db, &["plan", "--json"])).expect("json");
    let unresolved: Vec<&str> = plan["flags"]
        .as_array()
        .expect("flags")
        .iter()
        .filter(|f| f["code"] == "unresolved-name")
        .filter_map(|f| f["subject"].as_str())
        .collect();
    assert_eq!(unresolved, ["Zorblaxin 5mg", "moonpetal extract"]);

    let out = s.path("report.html");
    ok(&db, &["report", "--out", out.to_str().expect("path")]);
    let html = std::fs::read_to_string(&out).expect("report");
    assert!(
        html.contains("Zorblaxin 5mg"),
        "the report names the unread line"
    );
    assert!(html.contains("moonpetal extract"));
}

#[test]
fn a_randomised_on_off_trial_is_reported_in_cent_form() {
    let s = Scratch::new("report-cent");
    let db = s.db("q");
    let schedule = quietlegs_stats::AbabSchedule {
        seed: 4242,
        pairs: 6,
        period_nights: 7,
    };
    // 14 nights before, then 84 nights of the schedule ending last night.
    let start_ago = 84;
    ok(
        &db,
        &[
            "experiment",
            "start",
            "magnesium",
            "--start",
            &days_ago(start_ago),
            "--on-off",
            "--pairs",
            "6",
            "--period",
            "7",
            "--seed",
            "4242",
        ],
    );
    let mut csv = String::from("night,severity,took:magnesium\n");
    for n in (1..=start_ago + 14).rev() {
        let day = start_ago - n;
        let on = schedule.on_at(day).unwrap_or(false);
        let severity = if on { 3 } else { 6 } + n % 2;
        // Every tenth night goes unlogged.
        if n % 10 != 3 {
            csv.push_str(&format!("{},{severity},{}\n", days_ago(n), u8::from(on)));
        }
    }
    import_csv(&s, &db, &csv);
    let out = s.path("report.html");
    ok(&db, &["report", "--out", out.to_str().expect("path")]);
    // The page escapes "/" in text.
    let html = std::fs::read_to_string(&out)
        .expect("report")
        .replace("&#x2f;", "/");
    assert!(
        html.contains("the experiment in CENT 2015 form"),
        "a CENT section"
    );
    assert!(html.contains("Randomised on/off (ABAB) schedule: 6 pairs of 7-night periods"));
    assert!(html.contains("seed 4242"));
    assert!(html.contains("as washout"), "washout said");
    assert!(html.contains("Taken on 100% of the nights"));
    assert!(html.contains("days not logged"));
    assert!(html.contains("AR(1) errors"), "the model in a sentence");
    assert!(
        html.contains("Exact test on the period means, one-sided p = 0.016"),
        "p said"
    );
    let pdf = s.path("report.pdf");
    ok(&db, &["report", "--out", pdf.to_str().expect("path")]);
    assert!(std::fs::metadata(&pdf).expect("pdf").len() > 1000);
}
