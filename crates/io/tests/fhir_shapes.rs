//! Lab results in the shapes real systems send them (our own fixtures, values invented): a
//! single Observation, a DiagnosticReport with its results contained, a panel sent as
//! components, a result reported as a bound, the alternate LOINC codes labs use, and results
//! with no usable value. Each imports what it can and counts the rest; none refuses the file.

use quietlegs_core::journal::Comparator;
use quietlegs_io::fhir::{FhirImport, import};
use serde_json::{Value, json};

fn read(doc: &Value) -> FhirImport {
    try_read(doc).unwrap_or_else(|e| panic!("imports: {e}"))
}

fn try_read(doc: &Value) -> Result<FhirImport, quietlegs_io::ImportError> {
    let kb = quietlegs_core::knowledge::bundled().expect("kb");
    import(
        &doc.to_string(),
        "labs.json",
        kb,
        jiff::civil::date(2026, 12, 2),
    )
}

fn quantity(value: f64, unit: &str) -> Value {
    json!({"value": value, "unit": unit, "system": "http://unitsofmeasure.org", "code": unit})
}

fn observation(loinc: &str, value: Value) -> Value {
    json!({
        "resourceType": "Observation",
        "status": "final",
        "category": [{"coding": [{"system": "http://terminology.hl7.org/CodeSystem/observation-category", "code": "laboratory"}]}],
        "code": {"coding": [{"system": "http://loinc.org", "code": loinc}]},
        "effectiveDateTime": "2026-09-14T08:10:00+02:00",
        "valueQuantity": value,
    })
}

#[test]
fn a_single_observation_is_read_as_a_file_of_one() {
    let read = read(&observation("2276-4", quantity(23.0, "ng/mL")));
    assert_eq!(read.bundle.labs.len(), 1);
    let lab = &read.bundle.labs[0];
    assert_eq!((lab.test.as_str(), lab.value), ("ferritin", 23.0));
    assert_eq!(lab.date, jiff::civil::date(2026, 9, 14));
    assert!(read.skipped.is_empty(), "{:?}", read.skipped);
}

#[test]
fn a_report_with_contained_results_gives_its_labs() {
    let report = json!({
        "resourceType": "DiagnosticReport",
        "status": "final",
        "code": {"text": "Iron studies"},
        "contained": [
            {"id": "f", "resourceType": "Observation", "status": "final",
             "code": {"coding": [{"system": "http://loinc.org", "code": "2276-4"}]},
             "issued": "2026-08-02T11:00:00Z", "valueQuantity": quantity(61.0, "ug/L")},
            {"id": "t", "resourceType": "Observation", "status": "final",
             "code": {"coding": [{"system": "http://loinc.org", "code": "2502-3"}]},
             "issued": "2026-08-02T11:00:00Z", "valueQuantity": quantity(19.0, "%")},
            {"id": "x", "resourceType": "Observation", "status": "final",
             "code": {"coding": [{"system": "http://loinc.org", "code": "2951-2"}], "text": "Sodium"},
             "issued": "2026-08-02T11:00:00Z", "valueQuantity": quantity(140.0, "mmol/L")}
        ],
        "result": [{"reference": "#f"}, {"reference": "#t"}, {"reference": "#x"}],
    });
    let bundle = json!({"resourceType": "Bundle", "type": "searchset",
                        "entry": [{"resource": report}]});
    let read = read(&bundle);
    let tests: Vec<&str> = read.bundle.labs.iter().map(|l| l.test.as_str()).collect();
    assert_eq!(tests, ["ferritin", "tsat"]);
    assert_eq!(read.skipped.len(), 1, "{:?}", read.skipped);
    // No category and a test we do not know: counted, never silently dropped.
    assert!(
        read.skipped[0].starts_with("skipped 1 Observation "),
        "{:?}",
        read.skipped
    );
}

#[test]
fn a_panel_sent_as_components_gives_one_result_per_known_component() {
    let mut panel = observation("50190-5", Value::Null);
    panel
        .as_object_mut()
        .expect("object")
        .remove("valueQuantity");
    panel["code"]["text"] = json!("Iron panel");
    panel["component"] = json!([
        {"code": {"coding": [{"system": "http://loinc.org", "code": "2498-4"}]}, "valueQuantity": quantity(48.0, "ug/dL")},
        {"code": {"coding": [{"system": "http://loinc.org", "code": "2502-3"}]}, "valueQuantity": quantity(11.0, "%")},
        {"code": {"coding": [{"system": "http://loinc.org", "code": "2500-7"}]},
         "dataAbsentReason": {"coding": [{"code": "error"}]}}
    ]);
    let read = read(&panel);
    let tests: Vec<&str> = read.bundle.labs.iter().map(|l| l.test.as_str()).collect();
    assert_eq!(tests, ["serum-iron", "tsat"]);
    assert!(
        read.bundle
            .labs
            .iter()
            .all(|l| l.date == jiff::civil::date(2026, 9, 14))
    );
    let said = read.skipped.join("; ");
    assert!(said.contains("the lab says: error"), "{said}");
    assert!(
        said.contains("50190-5"),
        "the panel itself is accounted for: {said}"
    );
}

#[test]
fn a_bound_stays_a_bound_and_goes_out_as_one() {
    let mut q = quantity(5.0, "ng/mL");
    q["comparator"] = json!("<");
    let read = read(&observation("2276-4", q));
    let lab = &read.bundle.labs[0];
    assert_eq!((lab.value, lab.comparator), (5.0, Some(Comparator::Below)));
    let kb = quietlegs_core::knowledge::bundled().expect("kb");
    let out = quietlegs_io::fhir::export(&read.bundle, kb, &Default::default());
    let exported = out["entry"]
        .as_array()
        .expect("entries")
        .iter()
        .find(|e| e["resource"]["code"]["coding"][0]["code"] == "2276-4")
        .expect("the ferritin");
    assert_eq!(exported["resource"]["valueQuantity"]["comparator"], "<");

    let mut odd = quantity(5.0, "ng/mL");
    odd["comparator"] = json!("about");
    let err = try_read(&observation("2276-4", odd)).expect_err("not a comparator");
    assert_eq!(
        err.column.as_deref(),
        Some("Observation.valueQuantity.comparator")
    );
}

#[test]
fn the_alternate_codes_labs_send_are_the_same_tests() {
    for (code, value, unit, test) in [
        ("1989-3", 31.0, "ng/mL", "vitamin-d-25oh"),
        ("14798-3", 15.0, "umol/L", "serum-iron"),
        ("33914-3", 58.0, "mL/min/{1.73_m2}", "egfr"),
        ("62238-1", 58.0, "mL/min/{1.73_m2}", "egfr"),
    ] {
        let read = read(&observation(code, quantity(value, unit)));
        assert_eq!(read.bundle.labs.len(), 1, "{code}: {:?}", read.skipped);
        assert_eq!(read.bundle.labs[0].test, test, "{code}");
    }
}

#[test]
fn results_without_a_usable_value_are_counted_not_fatal() {
    let mut absent = observation("2276-4", Value::Null);
    absent
        .as_object_mut()
        .expect("object")
        .remove("valueQuantity");
    absent["dataAbsentReason"] = json!({"coding": [{"code": "not-performed"}]});
    let mut text = observation("2276-4", Value::Null);
    text.as_object_mut()
        .expect("object")
        .remove("valueQuantity");
    text["valueString"] = json!("see comment");
    let good = observation("2502-3", quantity(22.0, "%"));
    let bundle = json!({"resourceType": "Bundle", "type": "collection", "entry": [
        {"resource": absent}, {"resource": text}, {"resource": good}]});
    let read = read(&bundle);
    assert_eq!(read.bundle.labs.len(), 1);
    let said = read.skipped.join("; ");
    assert!(
        said.contains("not-performed") && said.contains("as text"),
        "{said}"
    );
}

#[test]
fn other_resources_are_refused_naming_what_they_are() {
    let err = try_read(&json!({"resourceType": "Patient", "id": "p"})).expect_err("a patient");
    assert_eq!(err.column.as_deref(), Some("resourceType"));
    assert!(err.message.contains("Patient"));
    let err = try_read(&json!({"format": "quietlegs-export"})).expect_err("not FHIR");
    assert_eq!(err.column.as_deref(), Some("resourceType"));
}
