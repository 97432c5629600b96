//! Real public FHIR files (HL7's own example bundles and single resources, a patient portal's
//! Observation, in `../shared/real-samples/`, read from
//! there and never copied): each imports or is refused with a named field, and nothing is left
//! out without being counted.

use std::path::PathBuf;

fn samples() -> Option<Vec<PathBuf>> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/real-samples");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .ok()?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.file_name().and_then(|n| n.to_str()).is_some_and(|n| {
                (n.starts_with("hl7r5_") || n.starts_with("applecr_")) && n.ends_with(".json")
            })
        })
        .collect();
    files.sort();
    Some(files)
}

/// Observations anywhere in a document, a panel's components counted one by one too: each is
/// a result the import must take or say it skipped.
fn results_in(v: &serde_json::Value) -> usize {
    match v {
        serde_json::Value::Object(map) => {
            let own = if map.get("resourceType").and_then(|t| t.as_str()) == Some("Observation") {
                1 + map
                    .get("component")
                    .and_then(|c| c.as_array())
                    .map_or(0, Vec::len)
            } else {
                0
            };
            own + map.values().map(results_in).sum::<usize>()
        }
        serde_json::Value::Array(list) => list.iter().map(results_in).sum(),
        _ => 0,
    }
}

#[test]
fn hl7_example_bundles_import_and_say_what_they_skipped() {
    let Some(files) = samples() else {
        eprintln!("../shared/real-samples is not here: real files not checked");
        return;
    };
    let kb = quietlegs_core::knowledge::bundled().expect("kb");
    let today = jiff::civil::date(2026, 12, 2);
    let mut skipped_somewhere = 0;
    for file in &files {
        let text = std::fs::read_to_string(file).expect("read");
        let name = file.display().to_string();
        match quietlegs_io::fhir::import(&text, &name, kb, today) {
            Ok(read) => {
                let observations = results_in(&serde_json::from_str(&text).expect("json"));
                let accounted = read.bundle.labs.len()
                    + read
                        .skipped
                        .iter()
                        .filter_map(|l| l.split_whitespace().nth(1)?.parse::<usize>().ok())
                        .sum::<usize>();
                assert_eq!(
                    accounted, observations,
                    "{name}: every Observation is imported or counted as skipped: {:?}",
                    read.skipped
                );
                if !read.skipped.is_empty() {
                    skipped_somewhere += 1;
                }
            }
            Err(e) => assert!(
                e.column.is_some() && e.file == name,
                "{name}: a refusal names the file and field: {e}"
            ),
        }
    }
    assert!(
        skipped_somewhere >= 2,
        "the lab bundles say what they skipped"
    );
}
