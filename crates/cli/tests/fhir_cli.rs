//! FHIR R4 export and import through the binary: the Bundle validates against the official R4
//! models (Python `fhir.resources` 6.5, run when `QUIETLEGS_FHIR_PYTHON` names an interpreter
//! that has it; `.ci/run` sets one up and requires it), lab codes match the LOINC table, and
//! labs round-trip into an empty store.

mod common;

use std::process::Command;

use common::{Scratch, ok, run};

/// LOINC codes checked against the reference table (analysis-and-formats.md, section 3.2).
const LOINC: &[(&str, &str)] = &[
    ("ferritin", "2276-4"),
    ("tsat", "2502-3"),
    ("serum-iron", "2498-4"),
    ("tibc", "2500-7"),
    ("hemoglobin", "718-7"),
    ("vitamin-d-25oh", "62292-8"),
    ("vitamin-b12", "2132-9"),
    ("folate", "2284-8"),
    ("magnesium", "19123-9"),
    ("potassium", "2823-3"),
    ("creatinine", "2160-0"),
    ("egfr", "98979-8"),
];

fn json(bytes: &[u8]) -> serde_json::Value {
    serde_json::from_slice(bytes).expect("json")
}

fn labs(db: &str) -> Vec<(String, f64, String, String)> {
    let list = json(&ok(db, &["labs", "list", "--json"]));
    let mut rows: Vec<_> = list
        .as_array()
        .expect("array")
        .iter()
        .map(|l| {
            (
                l["test"].as_str().expect("test").to_string(),
                l["value"].as_f64().expect("value"),
                l["unit"].as_str().expect("unit").to_string(),
                l["date"].as_str().expect("date").to_string(),
            )
        })
        .collect();
    rows.sort_by(|a, b| a.partial_cmp(b).expect("comparable"));
    rows
}

#[test]
fn knowledge_base_lab_codes_match_the_loinc_table() {
    for (id, code) in LOINC {
        let entry = json(&ok(
            "sqlite:///dev/null/unused",
            &["kb", "show", id, "--json"],
        ));
        assert_eq!(entry["lab"]["loinc"], *code, "{id}");
    }
}

#[test]
fn fhir_export_validates_and_labs_round_trip() {
    let s = Scratch::new("fhir");
    let db = s.db("a");
    for (test, value, unit, date) in [
        ("ferritin", "38", "ng/mL", "2026-03-02"),
        ("ferritin", "61", "ug/L", "2026-07-01"),
        ("tsat", "17", "%", "2026-03-02"),
        ("vitamin-d-25oh", "55", "nmol/L", "2026-03-02"),
        ("egfr", "72", "mL/min/1.73m2", "2026-03-02"),
        ("creatinine", "88", "umol/L", "2026-03-02"),
    ] {
        ok(&db, &["labs", "add", test, value, unit, "--date", date]);
    }
    for (night, severity) in [("2026-10-01", "6"), ("2026-10-02", "4")] {
        ok(
            &db,
            &[
                "log",
                "--night",
                night,
                "--severity",
                severity,
                "caffeine_mg=120",
                "took:magnesium=1",
                "onset=21:30",
            ],
        );
    }
    let (file, doc) = export_fhir(&s, &db);
    let path = file.to_str().expect("path");
    assert_eq!(doc["resourceType"], "Bundle");
    let entries = doc["entry"].as_array().expect("entries");
    let kinds = |t: &str| {
        entries
            .iter()
            .filter(|e| e["resource"]["resourceType"] == t)
            .count()
    };
    assert_eq!(kinds("Patient"), 1);
    assert_eq!(kinds("Questionnaire"), 1);
    assert_eq!(kinds("QuestionnaireResponse"), 2);
    assert_eq!(kinds("Observation"), 6 + 2);
    // Lab codes in the Bundle are the table's; units are UCUM.
    for e in entries
        .iter()
        .filter(|e| e["resource"]["category"][0]["coding"][0]["code"] == "laboratory")
    {
        let r = &e["resource"];
        let code = r["code"]["coding"][0]["code"].as_str().expect("code");
        assert!(
            LOINC.iter().any(|(_, c)| *c == code),
            "unexpected LOINC {code}"
        );
        assert_eq!(r["valueQuantity"]["system"], "http://unitsofmeasure.org");
        if code == "98979-8" {
            assert_eq!(r["valueQuantity"]["code"], "mL/min/{1.73_m2}");
        }
    }
    // No identifiers unless asked for.
    let patient = &entries[0]["resource"];
    assert!(patient.get("identifier").is_none() && patient.get("name").is_none());

    validate(path);

    // Labs round-trip into an empty store.
    let empty = s.db("b");
    ok(&empty, &["import", path]);
    assert_eq!(labs(&empty), labs(&db));
    let nights = json(&ok(&empty, &["export", "--format", "json"]));
    assert_eq!(nights["nights"].as_array().expect("nights").len(), 2);

    // Our own export imported back where it came from adds nothing: a result entered by hand
    // and the same result read from FHIR are one result.
    let before = labs(&db);
    let again = run(&db, &["import", path]);
    assert_eq!(again.status.code(), Some(0));
    let said = String::from_utf8_lossy(&again.stderr);
    assert!(said.contains(": 0 added, 0 updated"), "{said}");
    assert_eq!(labs(&db), before);

    // A broken Bundle is refused naming the entry and field, and writes nothing.
    let bad = s.path("bad.json");
    let mut broken = doc.clone();
    broken["entry"][2]["resource"]["valueQuantity"]["value"] = serde_json::json!("lots");
    std::fs::write(&bad, broken.to_string()).expect("write");
    let third = s.db("c");
    let out = run(&third, &["import", bad.to_str().expect("path")]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("entry[2].resource.valueQuantity.value"),
        "{err}"
    );
    assert!(labs(&third).is_empty());
}

/// The R4 (4.0.1) JSON schema and the R4 invariants of what we export, in FHIRPath
/// (`browser-tests/fhir-validate.mjs`, npm), then the Python models.
/// `db` exported as FHIR to `bundle.json` in the scratch folder, and read back as JSON.
fn export_fhir(s: &Scratch, db: &str) -> (std::path::PathBuf, serde_json::Value) {
    let file = s.path("bundle.json");
    ok(
        db,
        &[
            "export",
            "--format",
            "fhir",
            "--out",
            file.to_str().expect("path"),
        ],
    );
    let doc = json(&std::fs::read(&file).expect("read"));
    (file, doc)
}

fn validate(path: &str) {
    validate_r4_schema(path);
    validate_with_models(path);
}

fn validate_r4_schema(path: &str) {
    let Some(dir) = common::node_tools() else {
        return;
    };
    let out = common::node_script(&dir, "fhir-validate.mjs", &[path]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success() && stdout.starts_with("valid"),
        "FHIR R4 schema or invariants: {stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The schema check catches what a validator is for: this one must fail on a broken export.
#[test]
fn the_r4_validator_refuses_a_broken_export() {
    let s = Scratch::new("fhir-broken");
    let db = s.db("a");
    ok(
        &db,
        &[
            "labs",
            "add",
            "ferritin",
            "38",
            "ng/mL",
            "--date",
            "2026-03-02",
        ],
    );
    let (file, mut doc) = export_fhir(&s, &db);
    let path = file.to_str().expect("path");
    let lab = doc["entry"]
        .as_array_mut()
        .expect("entries")
        .iter_mut()
        .find(|e| e["resource"]["resourceType"] == "Observation")
        .expect("the lab");
    // A value and a reason for its absence at once: obs-6; a status R4 does not have.
    lab["resource"]["dataAbsentReason"] = serde_json::json!({"text": "not done"});
    lab["resource"]["status"] = serde_json::json!("done");
    std::fs::write(&file, doc.to_string()).expect("write");
    let Some(dir) = common::node_tools() else {
        return;
    };
    let out = common::node_script(&dir, "fhir-validate.mjs", &[path]);
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(!out.status.success(), "{said}");
    assert!(said.contains("obs-6") && said.contains("schema"), "{said}");
}

fn validate_with_models(path: &str) {
    let required = std::env::var("QUIETLEGS_REQUIRE_FHIR_VALIDATOR").is_ok_and(|v| v == "1");
    let Ok(python) = std::env::var("QUIETLEGS_FHIR_PYTHON") else {
        assert!(!required, "QUIETLEGS_FHIR_PYTHON is not set");
        eprintln!("QUIETLEGS_FHIR_PYTHON is not set: FHIR schema validation not run");
        return;
    };
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fhir/validate.py");
    let out = Command::new(python)
        .arg(script)
        .arg(path)
        .output()
        .expect("python runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "FHIR validation failed: {stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.starts_with("valid"), "{stdout}");
}
