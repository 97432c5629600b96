//! The `quietlegs kb` commands, run as a person or a script would run them.

use std::process::{Command, Output};

use serde_json::Value;

fn quietlegs(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_quietlegs"))
        .args(args)
        .env("COLUMNS", "80")
        .output()
        .expect("the quietlegs binary runs")
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn json(out: &Output) -> Value {
    assert!(out.status.success(), "failed: {}", stderr(out));
    serde_json::from_slice(&out.stdout).expect("stdout is one JSON document")
}

#[test]
fn list_json_has_the_spec_shape() {
    let doc = json(&quietlegs(&["kb", "list", "--json"]));
    let items = doc.as_array().expect("an array");
    assert!(items.len() > 150);
    let kinds = [
        "supplement",
        "herb",
        "food",
        "lifestyle",
        "mind-body",
        "device",
        "physical",
        "trigger",
        "medication",
        "condition",
        "lab",
        "cause",
        "procedure",
    ];
    for item in items {
        for key in ["id", "name", "kind", "aliases", "evidence", "sources"] {
            assert!(item.get(key).is_some(), "{key} missing in {item}");
        }
        assert!(
            kinds.contains(&item["kind"].as_str().unwrap_or("")),
            "{item}"
        );
        assert!(["A", "B", "C", "D", "X"].contains(&item["evidence"].as_str().unwrap_or("")));
        assert!(!item["sources"].as_array().expect("array").is_empty());
    }
    let magnesium = items
        .iter()
        .find(|i| i["id"] == "magnesium")
        .expect("magnesium");
    assert_eq!(magnesium["kind"], "supplement");
}

#[test]
fn list_filters_by_kind_and_refuses_an_unknown_kind() {
    let doc = json(&quietlegs(&["kb", "list", "--kind", "trigger", "--json"]));
    let items = doc.as_array().expect("array");
    assert!(items.iter().all(|i| i["kind"] == "trigger"));
    assert!(items.iter().any(|i| i["id"] == "caffeine"));

    let out = quietlegs(&["kb", "list", "--kind", "potion"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("potion"));
    assert!(stderr(&out).contains("supplement"), "lists accepted kinds");
}

#[test]
fn list_reads_well_in_a_terminal() {
    let out = quietlegs(&["kb", "list"]);
    assert!(out.status.success());
    let text = stdout(&out);
    assert!(text.contains("Supplements ("), "grouped by kind");
    assert!(text.contains("Triggers ("));
    let line = text
        .lines()
        .find(|l| l.contains(" magnesium "))
        .expect("magnesium listed");
    assert!(line.trim_start().starts_with('C'), "grade first: {line}");
}

#[test]
fn show_json_carries_everything_the_spec_asks_for() {
    let doc = json(&quietlegs(&["kb", "show", "magnesium", "--json"]));
    for key in [
        "summary",
        "dose",
        "timing",
        "onset_days",
        "cautions",
        "verdict",
        "evidence",
    ] {
        assert!(doc.get(key).is_some(), "{key} missing");
    }
    assert_eq!(doc["id"], "magnesium");
    assert!(doc["dose"]["min"].is_number());
    assert!(doc["dose"]["max"].is_number());
    assert_eq!(doc["dose"]["unit"], "mg");
    assert!(doc["cautions"].as_array().is_some_and(|c| !c.is_empty()));
    assert!(doc["source_details"][0]["citation"].is_string());

    let doc = json(&quietlegs(&["kb", "show", "ferritin", "--json"]));
    assert!(doc["dose"].is_null(), "a test has no dose");
    assert_eq!(doc["lab"]["loinc"], "2276-4");
}

#[test]
fn show_accepts_a_brand_name_and_explains_an_unknown_one() {
    let doc = json(&quietlegs(&["kb", "show", "Zoloft", "--json"]));
    assert_eq!(doc["id"], "sertraline");

    let out = quietlegs(&["kb", "show", "magnesum"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("did you mean"), "{}", stderr(&out));
    assert!(stderr(&out).contains("magnesium"));
}

#[test]
fn show_reads_well_in_a_terminal() {
    let out = quietlegs(&["kb", "show", "melatonin"]);
    assert!(out.status.success());
    let text = stdout(&out);
    assert!(text.contains("evidence X"));
    assert!(text.contains("Our verdict:"));
    assert!(text.contains("Sources:"));
    assert!(
        text.lines().all(|l| l.chars().count() <= 80),
        "wrapped to the terminal"
    );
}

#[test]
fn search_finds_brands_and_aliases() {
    for (query, expected) in [
        ("Zoloft", "sertraline"),
        ("Benadryl", "diphenhydramine"),
        ("Epsom", "epsom-bath"),
    ] {
        let doc = json(&quietlegs(&["kb", "search", query, "--json"]));
        assert_eq!(doc[0]["id"], expected, "searching {query}");
        assert!(doc[0]["score"].as_u64().is_some());
    }
    let doc = json(&quietlegs(&["kb", "search", "no such thing zzz", "--json"]));
    assert_eq!(doc.as_array().map(Vec::len), Some(0));
}

#[test]
fn lint_passes_on_the_repository_knowledge() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../knowledge");
    let out = quietlegs(&["kb", "lint", dir]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("no problems found"));
}

#[test]
fn lint_names_file_line_entry_and_field_and_exits_2() {
    let dir = std::env::temp_dir().join(format!("quietlegs-lint-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    std::fs::write(
        dir.join("sources.toml"),
        "[[source]]\nid = \"s1\"\nkind = \"trial\"\ncitation = \"A trial.\"\n",
    )
    .expect("write");
    std::fs::write(
        dir.join("remedies.toml"),
        "[[entry]]\nid = \"salt\"\nname = \"Salt\"\nkind = \"food\"\nsummary = \"s\"\n\
         evidence_note = \"n\"\nsources = [\"s1\"]\n",
    )
    .expect("write");
    let out = quietlegs(&["kb", "lint", dir.to_str().expect("utf-8 path")]);
    std::fs::remove_dir_all(&dir).ok();
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(err.contains("remedies.toml:1"), "{err}");
    assert!(err.contains("entry 'salt'"), "{err}");
    assert!(err.contains("field 'evidence'"), "{err}");
}

#[test]
fn lint_fails_on_a_caution_that_names_an_entry_no_rule_covers() {
    let src = std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../../knowledge"));
    let dir = std::env::temp_dir().join(format!("quietlegs-caution-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    for f in std::fs::read_dir(src).expect("knowledge dir") {
        let path = f.expect("entry").path();
        if path.extension().is_some_and(|x| x == "toml") {
            std::fs::copy(&path, dir.join(path.file_name().expect("name"))).expect("copy");
        }
    }
    let extra = r#"
[[entry]]
id = "test-tonic"
name = "Test tonic"
kind = "herb"
summary = "A made-up herb for this test."
evidence = "D"
evidence_note = "None."
sources = ["nhs-rls"]
cautions = ["Do not take it with warfarin: it thins the blood."]
"#;
    let herbs = dir.join("herbs.toml");
    let mut text = std::fs::read_to_string(&herbs).expect("herbs");
    text.push_str(extra);
    std::fs::write(&herbs, text).expect("write");
    let out = quietlegs(&["kb", "lint", dir.to_str().expect("utf-8 path")]);
    let err = stderr(&out);
    std::fs::remove_dir_all(&dir).ok();
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("herbs.toml"), "{err}");
    assert!(err.contains("test-tonic"), "{err}");
    assert!(err.contains("'warfarin'"), "{err}");
}
