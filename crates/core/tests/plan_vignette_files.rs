//! Clinical vignettes written as data (tests/vignettes/*.toml, from clinical.md and
//! clinical-review-2.md): a profile in, expectations on the plan out. Every failing expectation
//! of every case is listed, with the case's name and file.

use std::path::Path;

use jiff::civil::{Date, date};
use quietlegs_core::knowledge;
use quietlegs_core::plan::{self, Plan};
use quietlegs_core::profile::{Profile, ProfileFormat, Resolved};
use quietlegs_core::safety;
use serde::Deserialize;

mod common;

const TODAY: Date = date(2026, 11, 23);

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    case: Vec<Case>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Case {
    name: String,
    #[allow(dead_code)]
    source: String,
    #[serde(default)]
    symptoms: Option<String>,
    iron: Option<[f64; 2]>,
    #[serde(default)]
    profile: toml::Table,
    expect: Expect,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct Expect {
    criteria_met: Option<toml::Value>,
    #[serde(default)]
    flags: Vec<String>,
    #[serde(default)]
    no_flags: Vec<String>,
    #[serde(default)]
    excluded: Vec<String>,
    #[serde(default)]
    not_excluded: Vec<String>,
    #[serde(default)]
    steps: Vec<String>,
    #[serde(default)]
    no_steps: Vec<String>,
    #[serde(default)]
    routine: Vec<String>,
    #[serde(default)]
    no_routine: Vec<String>,
    #[serde(default)]
    cautions: Vec<String>,
    #[serde(default)]
    routine_cautions: Vec<String>,
    #[serde(default)]
    messages: Vec<String>,
    #[serde(default)]
    step_text: Vec<String>,
    #[serde(default)]
    dose_null: Vec<String>,
    #[serde(default)]
    dose_max_at_most: Vec<String>,
}

/// Plain RLS: all five criteria and every look-alike question answered.
fn typical_symptoms() -> toml::Table {
    toml::from_str(common::TYPICAL_SYMPTOMS).expect("typical symptoms parse")
}

fn profile_text(case: &Case) -> String {
    let mut p = case.profile.clone();
    let mut symptoms = match p.remove("symptoms") {
        Some(toml::Value::Table(t)) => t,
        _ => toml::Table::new(),
    };
    if case.symptoms.as_deref() != Some("none") {
        for (k, v) in typical_symptoms() {
            symptoms.entry(k).or_insert(v);
        }
    }
    p.insert("symptoms".into(), toml::Value::Table(symptoms));
    if let Some([ferritin, tsat]) = case.iron {
        let labs = p
            .entry("labs")
            .or_insert_with(|| toml::Value::Array(Vec::new()));
        if let toml::Value::Array(list) = labs {
            for (test, value, unit) in [("ferritin", ferritin, "ng/mL"), ("tsat", tsat, "%")] {
                let mut t = toml::Table::new();
                t.insert("test".into(), test.into());
                t.insert("value".into(), value.into());
                t.insert("unit".into(), unit.into());
                t.insert("date".into(), "2026-10-01".into());
                list.push(toml::Value::Table(t));
            }
        }
    }
    if !p.contains_key("bedtime") {
        p.insert("bedtime".into(), "22:30".into());
    }
    toml::to_string(&p).expect("profile serialises")
}

fn split2(s: &str, sep: char) -> (&str, Option<&str>) {
    match s.split_once(sep) {
        Some((a, b)) => (a, Some(b)),
        None => (s, None),
    }
}

fn stage_matches(step: &plan::Step, stage: &str) -> bool {
    stage == "*"
        || serde_json::to_value(step.stage)
            .ok()
            .and_then(|v| v.as_str().map(String::from))
            == Some(stage.to_string())
}

fn steps_of<'a>(plan: &'a Plan, spec: &str) -> Vec<&'a plan::Step> {
    let (stage, id) = split2(spec, ':');
    let id = id.unwrap_or("*");
    plan.steps
        .iter()
        .filter(|s| stage_matches(s, stage) && (id == "*" || s.id == id))
        .collect()
}

fn flag_matches(plan: &Plan, spec: &str) -> bool {
    let (code, subject) = split2(spec, ':');
    plan.flags.iter().any(|f| {
        f.code == code
            && subject.is_none_or(|want| {
                f.subject
                    .as_deref()
                    .is_some_and(|s| s.to_lowercase().starts_with(&want.to_lowercase()))
            })
    })
}

fn contains(hay: &str, needle: &str) -> bool {
    hay.to_lowercase().contains(&needle.to_lowercase())
}

fn check(plan: &Plan, e: &Expect) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(want) = &e.criteria_met {
        let want = match want {
            toml::Value::Boolean(b) => Some(*b),
            _ => None,
        };
        if plan.screening.criteria_met != want {
            out.push(format!(
                "criteria_met {:?}, expected {want:?}",
                plan.screening.criteria_met
            ));
        }
    }
    for f in &e.flags {
        if !flag_matches(plan, f) {
            out.push(format!("flag {f} missing"));
        }
    }
    for f in &e.no_flags {
        if flag_matches(plan, f) {
            out.push(format!("flag {f} raised"));
        }
    }
    let excluded = |spec: &str| {
        let (id, reason) = split2(spec, ':');
        plan.excluded
            .iter()
            .any(|x| x.id == id && reason.is_none_or(|r| x.reason == r))
    };
    for x in &e.excluded {
        if !excluded(x) {
            out.push(format!("{x} not excluded"));
        }
    }
    for x in &e.not_excluded {
        if excluded(x) {
            out.push(format!("{x} excluded"));
        }
    }
    for s in &e.steps {
        if steps_of(plan, s).is_empty() {
            out.push(format!("step {s} missing"));
        }
    }
    for s in &e.no_steps {
        if !steps_of(plan, s).is_empty() {
            out.push(format!("step {s} present"));
        }
    }
    for r in &e.routine {
        if !plan.routine.iter().any(|i| &i.id == r) {
            out.push(format!("routine {r} missing"));
        }
    }
    for r in &e.no_routine {
        if plan.routine.iter().any(|i| &i.id == r) {
            out.push(format!("routine {r} present"));
        }
    }
    // "where~text": some matching thing contains the text.
    type TextCheck = fn(&Plan, &str, &str) -> bool;
    let text_checks: [(&str, &Vec<String>, TextCheck); 4] = [
        ("caution", &e.cautions, |p, spec, t| {
            steps_of(p, spec)
                .iter()
                .any(|s| s.cautions.iter().any(|x| contains(x, t)))
        }),
        ("routine caution", &e.routine_cautions, |p, id, t| {
            p.routine
                .iter()
                .any(|i| i.id == id && i.cautions.iter().any(|x| contains(x, t)))
        }),
        ("message", &e.messages, |p, code, t| {
            p.flags
                .iter()
                .any(|f| f.code == code && contains(&f.message, t))
        }),
        ("step text", &e.step_text, |p, spec, t| {
            steps_of(p, spec)
                .iter()
                .any(|s| contains(&s.title, t) || contains(&s.why, t))
        }),
    ];
    for (label, list, holds) in text_checks {
        for item in list {
            let (spec, text) = split2(item, '~');
            if !holds(plan, spec, text.unwrap_or("")) {
                out.push(format!("{label} {item} missing"));
            }
        }
    }
    for d in &e.dose_null {
        let steps = steps_of(plan, d);
        if steps.is_empty() || steps.iter().any(|s| s.dose.is_some()) {
            out.push(format!("{d}: expected a step with no dose"));
        }
    }
    for d in &e.dose_max_at_most {
        let (spec, max) = split2(d, '=');
        let max: f64 = max.and_then(|m| m.parse().ok()).expect("a number after =");
        let steps = steps_of(plan, spec);
        if steps.is_empty()
            || steps
                .iter()
                .any(|s| s.dose.as_ref().is_none_or(|dose| dose.max > max))
        {
            out.push(format!("{d}: dose missing or above"));
        }
    }
    out
}

#[test]
fn every_vignette_file_holds() {
    let kb = knowledge::bundled().expect("knowledge is valid");
    let rules = safety::bundled_rules().expect("rules are valid");
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/vignettes");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .expect("vignette folder")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    files.sort();
    let mut failures = Vec::new();
    let mut total = 0;
    for path in &files {
        let text = std::fs::read_to_string(path).expect("read vignette file");
        let file: File =
            toml::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let name = path.file_name().map(|n| n.to_string_lossy().to_string());
        for case in &file.case {
            total += 1;
            let profile_text = profile_text(case);
            let problems = match Profile::parse(&profile_text, ProfileFormat::Toml) {
                Err(e) => vec![format!("profile does not parse: {e}")],
                Ok(p) => match Resolved::new(&p, kb, TODAY) {
                    Err(e) => vec![format!("profile refused: {e:?}")],
                    Ok(person) => check(&plan::plan(&person, kb, rules, TODAY), &case.expect),
                },
            };
            if !problems.is_empty() {
                failures.push(format!(
                    "{} / {}: {}",
                    name.as_deref().unwrap_or("?"),
                    case.name,
                    problems.join("; ")
                ));
            }
        }
    }
    println!("{} of {total} vignettes hold", total - failures.len());
    assert!(total >= 60, "expected at least 60 vignettes, found {total}");
    assert!(
        failures.is_empty(),
        "{} of {total} vignettes fail:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
