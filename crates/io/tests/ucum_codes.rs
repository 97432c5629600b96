//! Every unit a lab result can be entered in, however it is spelled, is exported as a UCUM code
//! that the National Library of Medicine's validator (npm `@lhncbc/ucum-lhc`, run by node from
//! `browser-tests/`) accepts. CI requires it (`QUIETLEGS_REQUIRE_BROWSER=1`).

use std::path::PathBuf;
use std::process::Command;

fn have(program: &str) -> bool {
    Command::new(program).arg("--version").output().is_ok()
}

#[test]
fn every_lab_unit_exports_as_valid_ucum() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../browser-tests");
    let required = std::env::var("QUIETLEGS_REQUIRE_BROWSER").is_ok_and(|v| v == "1");
    if !(have("node") && have("npm")) {
        assert!(!required, "node or npm is missing");
        eprintln!("node or npm missing: UCUM codes not validated");
        return;
    }
    if !dir.join("node_modules/@lhncbc/ucum-lhc").exists() {
        let status = Command::new("npm")
            .args(["ci", "--no-audit", "--no-fund"])
            .current_dir(&dir)
            .status()
            .expect("npm runs");
        assert!(status.success(), "npm ci failed in browser-tests");
    }
    let kb = quietlegs_core::knowledge::bundled().expect("kb");
    let mut spelled: Vec<String> = kb
        .entries()
        .iter()
        .filter_map(|e| e.lab.as_ref())
        .flat_map(|l| l.accepted_units().into_iter().map(str::to_string))
        .collect();
    // As people and other systems write them.
    spelled.extend(
        [
            "µg/L",
            "μg/dL",
            "mcg/L",
            "MG/DL",
            "mmol/l",
            "mEq/L",
            "mL/min/1.73m²",
            "percent",
        ]
        .map(String::from),
    );
    let codes: Vec<String> = spelled
        .iter()
        .map(|u| quietlegs_io::fhir::ucum(u))
        .collect();
    let out = Command::new("node")
        .arg("ucum.mjs")
        .args(&codes)
        .current_dir(&dir)
        .output()
        .expect("node runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let verdicts: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    for (unit, code) in spelled.iter().zip(&codes) {
        assert_eq!(verdicts[code], "valid", "{unit} is exported as '{code}'");
    }
}
