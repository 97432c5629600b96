//! Malformed knowledge files each give a clear error naming file, line, entry and field.

use quietlegs_core::knowledge::{KbIssue, KnowledgeBase};

const SOURCES: &str = r#"
[[source]]
id = "trial-1"
kind = "trial"
citation = "A randomised trial."
"#;

fn entry(id: &str, extra: &str) -> String {
    format!(
        r#"
[[entry]]
id = "{id}"
name = "Thing {id}"
kind = "supplement"
summary = "A thing."
evidence = "C"
evidence_note = "Small studies."
sources = ["trial-1"]
{extra}
"#
    )
}

fn issues(files: &[(&str, &str)]) -> Vec<KbIssue> {
    match KnowledgeBase::from_files(files) {
        Ok(_) => panic!("expected the knowledge files to be rejected"),
        Err(err) => err.issues,
    }
}

fn only_issue(files: &[(&str, &str)]) -> KbIssue {
    let mut all = issues(files);
    assert_eq!(all.len(), 1, "expected exactly one issue, got {all:#?}");
    all.remove(0)
}

#[test]
fn a_valid_pair_of_files_loads() {
    let a = entry("alpha", "related = [\"beta\"]");
    let b = entry(
        "beta",
        "dose = { min = 1, max = 2, unit = \"mg\", per = \"day\" }",
    );
    let kb = KnowledgeBase::from_files(&[
        ("sources.toml", SOURCES),
        ("a.toml", a.as_str()),
        ("b.toml", b.as_str()),
    ])
    .expect("valid files load");
    assert_eq!(kb.entries().len(), 2);
    assert_eq!(
        kb.get("beta").and_then(|e| e.dose.as_ref()).map(|d| d.max),
        Some(2.0)
    );
}

#[test]
fn duplicate_id_names_both_places() {
    let a = entry("alpha", "");
    let b = format!("\n\n{}", entry("alpha", ""));
    let issue = only_issue(&[
        ("sources.toml", SOURCES),
        ("a.toml", a.as_str()),
        ("b.toml", b.as_str()),
    ]);
    assert_eq!(issue.file, "b.toml");
    assert_eq!(issue.entry.as_deref(), Some("alpha"));
    assert_eq!(issue.field.as_deref(), Some("id"));
    assert_eq!(issue.line, Some(4));
    let text = issue.to_string();
    assert!(text.contains("duplicate id"), "{text}");
    assert!(text.contains("a.toml:2"), "{text}");
}

#[test]
fn dangling_reference_is_named() {
    let a = entry("alpha", "member_of = [\"ghost-class\"]");
    let issue = only_issue(&[("sources.toml", SOURCES), ("a.toml", a.as_str())]);
    assert_eq!(issue.entry.as_deref(), Some("alpha"));
    assert_eq!(issue.field.as_deref(), Some("member_of[0]"));
    assert!(issue.message.contains("ghost-class"), "{}", issue.message);
}

#[test]
fn dangling_source_is_named() {
    let a = entry("alpha", "").replace("[\"trial-1\"]", "[\"trial-1\", \"made-up-2031\"]");
    let issue = only_issue(&[("sources.toml", SOURCES), ("a.toml", a.as_str())]);
    assert_eq!(issue.field.as_deref(), Some("sources[1]"));
    assert!(issue.message.contains("made-up-2031"));
    assert!(issue.message.contains("sources.toml"));
}

#[test]
fn unknown_dose_unit_lists_the_accepted_ones() {
    let a = entry("alpha", "dose = { min = 1, max = 2, unit = \"grains\" }");
    let issue = only_issue(&[("sources.toml", SOURCES), ("a.toml", a.as_str())]);
    assert_eq!(issue.field.as_deref(), Some("dose.unit"));
    assert!(issue.message.contains("'grains'"));
    assert!(issue.message.contains("mg, mcg"));
}

#[test]
fn unknown_lab_unit_is_refused() {
    let a = entry(
        "alpha",
        "lab = { loinc = \"2276-4\", unit = \"ng/mL\", units = [{ unit = \"bushels/L\", factor = 1.0 }] }",
    );
    let issue = only_issue(&[("sources.toml", SOURCES), ("a.toml", a.as_str())]);
    assert_eq!(issue.field.as_deref(), Some("lab.units[0].unit"));
    assert!(issue.message.contains("bushels/L"));
}

#[test]
fn missing_grade_is_named() {
    let a = entry("alpha", "").replace("evidence = \"C\"\n", "");
    let issue = only_issue(&[("sources.toml", SOURCES), ("a.toml", a.as_str())]);
    assert_eq!(issue.field.as_deref(), Some("evidence"));
    assert!(issue.message.contains("missing"));
}

#[test]
fn unknown_grade_and_kind_list_what_is_accepted() {
    let a = entry("alpha", "")
        .replace("evidence = \"C\"", "evidence = \"maybe\"")
        .replace("kind = \"supplement\"", "kind = \"pill\"");
    let all = issues(&[("sources.toml", SOURCES), ("a.toml", a.as_str())]);
    let fields: Vec<_> = all.iter().filter_map(|i| i.field.as_deref()).collect();
    assert_eq!(fields, ["kind", "evidence"]);
    assert!(all[0].message.contains("mind-body"));
    assert!(all[1].message.contains("A, B, C, D, X"));
}

#[test]
fn dose_min_above_max_is_refused() {
    let a = entry("alpha", "dose = { min = 500, max = 350, unit = \"mg\" }");
    let issue = only_issue(&[("sources.toml", SOURCES), ("a.toml", a.as_str())]);
    assert_eq!(issue.field.as_deref(), Some("dose"));
    assert!(issue.message.contains("larger than max"));
}

#[test]
fn ungraded_unsourced_entry_is_refused() {
    let a = entry("alpha", "").replace("sources = [\"trial-1\"]", "sources = []");
    let issue = only_issue(&[("sources.toml", SOURCES), ("a.toml", a.as_str())]);
    assert_eq!(issue.field.as_deref(), Some("sources"));
}

#[test]
fn unknown_field_and_bad_syntax_name_the_line() {
    let a = entry("alpha", "colour = \"blue\"");
    let issue = only_issue(&[("sources.toml", SOURCES), ("a.toml", a.as_str())]);
    assert_eq!(issue.file, "a.toml");
    assert!(issue.line.is_some());
    assert!(issue.message.contains("colour"), "{}", issue.message);

    let broken = "[[entry]]\nid = \"alpha\nname = 1\n";
    let issue = only_issue(&[("sources.toml", SOURCES), ("broken.toml", broken)]);
    assert_eq!(issue.file, "broken.toml");
    assert_eq!(issue.line, Some(2));
}

#[test]
fn a_lab_entry_needs_its_lab_table() {
    let a = entry("alpha", "").replace("kind = \"supplement\"", "kind = \"lab\"");
    let issue = only_issue(&[("sources.toml", SOURCES), ("a.toml", a.as_str())]);
    assert_eq!(issue.field.as_deref(), Some("lab"));
}
