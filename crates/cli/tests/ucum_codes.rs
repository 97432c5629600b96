//! Every unit a lab result can be entered in, however it is spelled, is exported as a UCUM code
//! that the National Library of Medicine's validator (npm `@lhncbc/ucum-lhc`, run by node from
//! `browser-tests/`) accepts. CI requires it (`QUIETLEGS_REQUIRE_BROWSER=1`).

mod common;

#[test]
fn every_lab_unit_exports_as_valid_ucum() {
    let Some(dir) = common::node_tools() else {
        return;
    };
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
    let args: Vec<&str> = codes.iter().map(String::as_str).collect();
    let out = common::node_script(&dir, "ucum.mjs", &args);
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
