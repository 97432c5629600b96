//! Lines as people type them (tests/data/cabinet_corpus.toml): each must resolve to the right
//! ingredients, with its form, dose and stage, and raise the right flags in a plan. At least 97 %
//! must be read right; every miss is printed.

use jiff::civil::{Date, date};
use quietlegs_core::cabinet::{self, Field, Reading};
use quietlegs_core::knowledge::{self, KnowledgeBase};
use quietlegs_core::plan;
use quietlegs_core::profile::{Profile, ProfileFormat, Resolved};
use quietlegs_core::safety;
use serde::Deserialize;

const TODAY: Date = date(2026, 11, 23);
const CORPUS: &str = include_str!("data/cabinet_corpus.toml");

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Corpus {
    line: Vec<Line>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Line {
    text: String,
    field: String,
    ids: Vec<String>,
    #[serde(default)]
    flags: Vec<String>,
    #[serde(default)]
    no_flags: Vec<String>,
    form: Option<String>,
    amount: Option<f64>,
    unit: Option<String>,
    per_day: Option<f64>,
    stage: Option<u32>,
}

fn field(name: &str) -> Field {
    match name {
        "medication" => Field::Medication,
        "supplement" => Field::Supplement,
        "condition" => Field::Condition,
        other => panic!("unknown field {other}"),
    }
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-6 * b.abs().max(1.0)
}

/// What is wrong with the reading of one line; empty when it is right.
fn reading_problems(line: &Line, r: &Reading) -> Vec<String> {
    let mut out = Vec::new();
    let mut got: Vec<&str> = r.ingredients.iter().map(String::as_str).collect();
    let mut want: Vec<&str> = line.ids.iter().map(String::as_str).collect();
    got.sort_unstable();
    want.sort_unstable();
    if got != want {
        out.push(format!("ids {got:?}, expected {want:?}"));
    }
    if let Some(form) = &line.form
        && r.form.as_deref() != Some(form.as_str())
    {
        out.push(format!("form {:?}, expected {form}", r.form));
    }
    if let Some(amount) = line.amount {
        match r.amount {
            Some(a) if close(a.value, amount) => {}
            other => out.push(format!("amount {other:?}, expected {amount}")),
        }
    }
    if let Some(unit) = &line.unit {
        let got = r.amount.map(|a| a.unit.as_str());
        if got != Some(unit.as_str()) {
            out.push(format!("unit {got:?}, expected {unit}"));
        }
    }
    if let Some(per_day) = line.per_day {
        match r.per_day() {
            Some(a) if close(a.value, per_day) => {}
            other => out.push(format!("per day {other:?}, expected {per_day}")),
        }
    }
    if let Some(stage) = line.stage
        && r.stage.as_deref() != Some(stage.to_string().as_str())
    {
        out.push(format!("stage {:?}, expected {stage}", r.stage));
    }
    out
}

/// The flags a plan raises for a person with plain RLS, good iron and only this line.
fn plan_flags(kb: &KnowledgeBase, line: &Line) -> Vec<(String, String)> {
    let list = match line.field.as_str() {
        "medication" => "medications",
        "supplement" => "supplements",
        _ => "conditions",
    };
    let text = format!(
        "{list} = [{}]\n[symptoms]\nurge_to_move = true\nworse_at_rest = true\n\
         relieved_by_movement = true\nevening_or_night = true\nnot_explained_by_other = true\n\
         nights_per_week = 4\nonset = \"evening\"\ndistress = \"moderate\"\n\
         [[labs]]\ntest = \"ferritin\"\nvalue = 150\nunit = \"ng/mL\"\ndate = \"2026-10-01\"\n\
         [[labs]]\ntest = \"tsat\"\nvalue = 30\nunit = \"%\"\ndate = \"2026-10-01\"\n",
        toml_string(&line.text)
    );
    let rules = safety::bundled_rules().expect("rules");
    let profile = Profile::parse(&text, ProfileFormat::Toml).expect("profile parses");
    let Ok(person) = Resolved::new(&profile, kb, TODAY) else {
        return vec![("profile-refused".into(), String::new())];
    };
    plan::plan(&person, kb, rules, TODAY)
        .flags
        .into_iter()
        .map(|f| (f.code, f.subject.unwrap_or_default()))
        .collect()
}

fn toml_string(s: &str) -> String {
    toml::Value::String(s.to_string()).to_string()
}

#[test]
fn lines_people_type_are_read_right() {
    let kb = knowledge::bundled().expect("knowledge is valid");
    let corpus: Corpus = toml::from_str(CORPUS).expect("corpus parses");
    assert!(corpus.line.len() >= 300, "the corpus needs 300 lines");
    let mut misses = Vec::new();
    for line in &corpus.line {
        let reading = cabinet::read_line(kb, &line.text, field(&line.field));
        let mut problems = reading_problems(line, &reading);
        let flags = plan_flags(kb, line);
        for want in &line.flags {
            if !flags.iter().any(|(code, _)| code == want) {
                problems.push(format!("flag {want} missing"));
            }
        }
        for unwanted in &line.no_flags {
            if flags.iter().any(|(code, _)| code == unwanted) {
                problems.push(format!("flag {unwanted} raised"));
            }
        }
        if !problems.is_empty() {
            misses.push(format!(
                "  {:?} ({}): {}",
                line.text,
                line.field,
                problems.join("; ")
            ));
        }
    }
    let total = corpus.line.len();
    let right = total - misses.len();
    let share = right as f64 / total as f64;
    println!(
        "cabinet corpus: {right} of {total} lines read right ({:.1} %)",
        share * 100.0
    );
    for m in &misses {
        println!("{m}");
    }
    assert!(
        share >= 0.97,
        "{} of {total} lines misread (more than 3 %):\n{}",
        misses.len(),
        misses.join("\n")
    );
}
