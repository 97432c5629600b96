//! Apple Health's `export.zip` read as the phone hands it over: the sleep and steps from its
//! export.xml and the lab results from its clinical records (our own fixture, values invented).

use std::io::{Cursor, Write};

use quietlegs_io::formats::{self, Format};

fn zip(files: &[(&str, &str)]) -> Vec<u8> {
    let mut out = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (name, text) in files {
        out.start_file(*name, options).expect("entry");
        out.write_all(text.as_bytes()).expect("write");
    }
    out.finish().expect("zip").into_inner()
}

const EXPORT: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<HealthData locale="en_US">
 <Record type="HKCategoryTypeIdentifierSleepAnalysis" sourceName="Watch" startDate="2026-10-01 23:10:00 +0200" endDate="2026-10-02 06:40:00 +0200" value="HKCategoryValueSleepAnalysisAsleepCore"/>
 <Record type="HKQuantityTypeIdentifierStepCount" sourceName="Phone" startDate="2026-10-02 09:00:00 +0200" endDate="2026-10-02 09:10:00 +0200" value="800"/>
</HealthData>
"#;

const FERRITIN: &str = r#"{"resourceType": "Observation", "status": "final",
 "category": [{"coding": [{"system": "http://terminology.hl7.org/CodeSystem/observation-category", "code": "laboratory"}]}],
 "code": {"coding": [{"system": "http://loinc.org", "code": "2276-4"}], "text": "Ferritin"},
 "effectiveDateTime": "2026-09-20T08:00:00Z",
 "valueQuantity": {"value": 27, "unit": "ng/mL", "system": "http://unitsofmeasure.org", "code": "ng/mL"}}"#;

fn read(bytes: Vec<u8>) -> Result<formats::Read, quietlegs_io::ImportError> {
    let kb = quietlegs_core::knowledge::bundled().expect("kb");
    formats::read(
        Format::AppleHealth,
        Cursor::new(bytes),
        "export.zip",
        formats::ReadContext {
            kb,
            today: jiff::civil::date(2026, 12, 2),
            progress: &mut |_| {},
        },
    )
}

#[test]
fn the_phones_zip_gives_its_sleep_and_its_lab_results() {
    let bytes = zip(&[
        ("apple_health_export/export.xml", EXPORT),
        ("apple_health_export/export_cda.xml", "<ClinicalDocument/>"),
        (
            "apple_health_export/clinical-records/Observation-1.json",
            FERRITIN,
        ),
        (
            "apple_health_export/clinical-records/Patient-1.json",
            r#"{"resourceType": "Patient"}"#,
        ),
        (
            "apple_health_export/clinical-records/broken.json",
            "{not json",
        ),
    ]);
    assert_eq!(
        Format::guess("export.zip", &bytes[..64]),
        Some(Format::AppleHealth)
    );
    let read = read(bytes).expect("reads");
    assert_eq!(read.bundle.sleep.len(), 1);
    assert_eq!(read.bundle.sleep[0].asleep_minutes, 450.0);
    assert_eq!(read.bundle.labs.len(), 1);
    assert_eq!(read.bundle.labs[0].test, "ferritin");
    let said = read.skipped.join("; ");
    // The phone's steps are the day's activity, not a record left out.
    assert_eq!(read.bundle.activity.len(), 1);
    assert_eq!(read.bundle.activity[0].steps, Some(800));
    assert_eq!(read.bundle.activity[0].date, jiff::civil::date(2026, 10, 2));
    assert!(!said.contains("not sleep"), "{said}");
    assert!(said.contains("2 clinical record files"), "{said}");
}

#[test]
fn a_zip_without_an_export_is_refused_saying_so() {
    let bytes = zip(&[("notes.txt", "hello")]);
    let err = read(bytes).expect_err("no export.xml");
    assert!(
        err.message.contains("apple_health_export/export.xml"),
        "{err}"
    );
}
