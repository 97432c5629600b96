//! The assessment: the profile of spec section 3 as one short form in three parts. Saving it
//! stores a new profile version and leads to the plan.

use askama::Template;
use axum::body::Bytes;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use quietlegs_core::cabinet::{self, Explanation, Field};
use quietlegs_core::profile::{Profile, ProfileFormat};
use quietlegs_core::questionnaire::{self, QuestionKind};
use serde_json::{Map, Value, json};

use super::{Chrome, FormError, PageResult, render, render_invalid};
use crate::AppState;
use crate::auth::PageUser;
use crate::error::ApiError;
use crate::forms::FormData;
use crate::service;

/// The yes/no screening questions, from the one table the terminal `assess` also asks.
fn criteria() -> impl Iterator<Item = (&'static str, &'static str)> {
    questionnaire::of_kind(&[QuestionKind::Criterion]).map(|q| (q.id, q.text))
}

/// Look-alikes and red flags: ticked is yes, unticked is no (the person saw the question).
fn checks() -> impl Iterator<Item = (&'static str, &'static str)> {
    questionnaire::of_kind(&[QuestionKind::LookAlike, QuestionKind::RedFlag])
        .map(|q| (q.id, q.text))
}

fn question_text(id: &str) -> &'static str {
    questionnaire::QUESTIONS
        .iter()
        .find(|q| q.id == id)
        .map_or("", |q| q.text)
}

const YES_NO_TOP: &[(&str, &str)] = &[
    ("pregnant", "Are you pregnant?"),
    ("breastfeeding", "Are you breastfeeding?"),
];

const HABIT_FLAGS: &[(&str, &str)] = &[
    (
        "late_vigorous_exercise",
        "Hard exercise in the 3 hours before bed",
    ),
    ("smoker", "Smoking"),
];

/// A question with its current answer, for the template.
struct Question {
    name: &'static str,
    text: &'static str,
    answer: String,
}

#[derive(Template)]
#[template(path = "assess.html")]
struct AssessPage {
    chrome: Chrome,
    criteria: Vec<Question>,
    checks: Vec<Question>,
    top_flags: Vec<Question>,
    habit_flags: Vec<Question>,
    nights_text: &'static str,
    onset_text: &'static str,
    distress_text: &'static str,
    readings: Readings,
    v: Map<String, Value>,
    error: Option<FormError>,
}

/// How each typed line was read, per list, shown under its field.
#[derive(Default)]
struct Readings {
    conditions: Vec<Explanation>,
    medications: Vec<Explanation>,
    supplements: Vec<Explanation>,
}

/// The reading of one list, as a fragment the page swaps in while the person types.
#[derive(Template)]
#[template(path = "readings.html")]
struct ReadingsFragment {
    items: Vec<Explanation>,
}

const LISTS: [(&str, Field); 3] = [
    ("conditions", Field::Condition),
    ("medications", Field::Medication),
    ("supplements", Field::Supplement),
];

fn read_list(app: &AppState, text: &str, field: Field) -> Vec<Explanation> {
    cabinet::explain_list(app.kb(), app.rules(), text, field)
}

fn readings(app: &AppState, v: &Value) -> Readings {
    let text = |key: &str| -> String {
        match v.get(key) {
            Some(Value::Array(items)) => items
                .iter()
                .filter_map(Value::as_str)
                .collect::<Vec<_>>()
                .join("\n"),
            Some(Value::String(s)) => s.clone(),
            _ => String::new(),
        }
    };
    Readings {
        conditions: read_list(app, &text("conditions"), Field::Condition),
        medications: read_list(app, &text("medications"), Field::Medication),
        supplements: read_list(app, &text("supplements"), Field::Supplement),
    }
}

/// `GET /assess/read?medications=...`: how the typed lines of one list are read.
pub async fn read(
    State(app): State<AppState>,
    PageUser(_me): PageUser,
    axum::extract::Query(query): axum::extract::Query<std::collections::HashMap<String, String>>,
) -> Response {
    let items = LISTS
        .iter()
        .find_map(|(key, field)| query.get(*key).map(|text| read_list(&app, text, *field)))
        .unwrap_or_default();
    render(&ReadingsFragment { items })
}

impl AssessPage {
    /// The current text of a plain field (`age`, `symptoms.onset`, `habits.smoker`...).
    fn text(&self, path: &str) -> String {
        let mut value = Some(&Value::Object(self.v.clone())).cloned();
        for part in path.split('.') {
            value = value.and_then(|v| v.get(part).cloned());
        }
        match value {
            Some(Value::String(s)) => s,
            Some(Value::Number(n)) => n.to_string(),
            Some(Value::Array(items)) => items
                .iter()
                .filter_map(|i| i.as_str())
                .collect::<Vec<_>>()
                .join(", "),
            _ => String::new(),
        }
    }

    fn is(&self, path: &str, option: &str) -> bool {
        self.text(path) == option
    }
}

fn answer(v: &Value, path: &[&str]) -> String {
    let mut cur = v;
    for p in path {
        match cur.get(p) {
            Some(next) => cur = next,
            None => return String::new(),
        }
    }
    match cur {
        Value::Bool(true) => "yes".into(),
        Value::Bool(false) => "no".into(),
        _ => String::new(),
    }
}

fn questions(
    list: impl Iterator<Item = (&'static str, &'static str)>,
    v: &Value,
    section: &[&str],
) -> Vec<Question> {
    list.map(|(name, text)| {
        let mut path = section.to_vec();
        path.push(name);
        Question {
            name,
            text,
            answer: answer(v, &path),
        }
    })
    .collect()
}

fn assess_page(
    app: &AppState,
    me: &crate::auth::SignedIn,
    v: Value,
    error: Option<FormError>,
) -> AssessPage {
    AssessPage {
        chrome: Chrome::new(app, Some(me), "assess"),
        criteria: questions(criteria(), &v, &["symptoms"]),
        checks: questions(checks(), &v, &["symptoms"]),
        top_flags: questions(YES_NO_TOP.iter().copied(), &v, &[]),
        habit_flags: questions(HABIT_FLAGS.iter().copied(), &v, &["habits"]),
        nights_text: question_text("nights_per_week"),
        onset_text: question_text("onset"),
        distress_text: question_text("distress"),
        readings: readings(app, &v),
        v: v.as_object().cloned().unwrap_or_default(),
        error,
    }
}

pub async fn page(State(app): State<AppState>, PageUser(me): PageUser) -> PageResult {
    let current = service::profile(&app, me.person).await?;
    let v = current
        .map(|p| serde_json::to_value(p.profile).unwrap_or(Value::Null))
        .unwrap_or_else(|| json!({}));
    Ok(render(&assess_page(&app, &me, v, None)))
}

fn number(form: &FormData, name: &str, integer: bool) -> Result<Option<Value>, ApiError> {
    let Some(text) = form.get(name) else {
        return Ok(None);
    };
    let bad = || {
        ApiError::field(
            name,
            format!(
                "'{text}' is not a {}",
                if integer { "whole number" } else { "number" }
            ),
        )
    };
    if integer {
        text.parse::<u64>()
            .map(|n| Some(json!(n)))
            .map_err(|_| bad())
    } else {
        let v: f64 = text.parse().map_err(|_| bad())?;
        if !v.is_finite() || v < 0.0 {
            return Err(bad());
        }
        Ok(Some(json!(v)))
    }
}

fn yes_no(form: &FormData, name: &str) -> Result<Option<Value>, ApiError> {
    match form.get(name) {
        None => Ok(None),
        Some("yes") => Ok(Some(json!(true))),
        Some("no") => Ok(Some(json!(false))),
        Some(other) => Err(ApiError::field(
            name,
            format!("'{other}' must be yes or no"),
        )),
    }
}

fn list(form: &FormData, name: &str) -> Value {
    json!(cabinet::split_list(form.get(name).unwrap_or("")))
}

/// The form as a profile document; unanswered fields stay out (unknown, never "no").
fn profile_json(form: &FormData, previous: Option<&Profile>) -> Result<Value, ApiError> {
    let mut top = Map::new();
    let put = |map: &mut Map<String, Value>, key: &str, value: Option<Value>| {
        if let Some(v) = value {
            map.insert(key.to_string(), v);
        }
    };
    put(&mut top, "age", number(form, "age", true)?);
    for key in ["sex", "bedtime", "timezone"] {
        put(&mut top, key, form.get(key).map(|v| json!(v)));
    }
    for (name, _) in YES_NO_TOP {
        put(&mut top, name, yes_no(form, name)?);
    }
    let mut symptoms = Map::new();
    for (name, _) in criteria() {
        put(&mut symptoms, name, yes_no(form, name)?);
    }
    for (name, _) in checks() {
        symptoms.insert(name.into(), json!(form.get(name).is_some()));
    }
    put(
        &mut symptoms,
        "nights_per_week",
        number(form, "nights_per_week", false)?,
    );
    put(
        &mut symptoms,
        "irls_total",
        number(form, "irls_total", true)?,
    );
    for key in ["onset", "distress"] {
        put(&mut symptoms, key, form.get(key).map(|v| json!(v)));
    }
    top.insert("symptoms".into(), Value::Object(symptoms));
    for key in ["conditions", "medications", "supplements"] {
        top.insert(key.into(), list(form, key));
    }
    let mut habits = Map::new();
    for (key, integer) in [
        ("caffeine_mg_per_day", false),
        ("alcohol_drinks_per_week", false),
        ("exercise_minutes_per_week", false),
        ("sleep_hours", false),
    ] {
        put(&mut habits, key, number(form, key, integer)?);
    }
    put(
        &mut habits,
        "last_caffeine",
        form.get("last_caffeine").map(|v| json!(v)),
    );
    for (name, _) in HABIT_FLAGS {
        put(&mut habits, name, yes_no(form, name)?);
    }
    top.insert("habits".into(), Value::Object(habits));
    // Labs are entered on the labs page; ones written into an earlier profile are kept.
    if let Some(p) = previous {
        top.insert(
            "labs".into(),
            serde_json::to_value(&p.labs).unwrap_or(json!([])),
        );
    }
    Ok(Value::Object(top))
}

pub async fn save(State(app): State<AppState>, PageUser(me): PageUser, body: Bytes) -> PageResult {
    let form = match FormData::parse(&body) {
        Ok(f) => f,
        Err(e) => {
            return Ok(render_invalid(&assess_page(
                &app,
                &me,
                json!({}),
                Some(e.into()),
            )));
        }
    };
    let previous = service::profile(&app, me.person).await?.map(|p| p.profile);
    let doc = match profile_json(&form, previous.as_ref()) {
        Ok(doc) => doc,
        Err(e) => {
            let echo = echo(&form);
            return Ok(render_invalid(&assess_page(
                &app,
                &me,
                echo,
                Some(e.into()),
            )));
        }
    };
    // "Check how we read it": show the readings without saving (the no-script path).
    if form.get("action") == Some("check") {
        return Ok(render(&assess_page(&app, &me, doc, None)));
    }
    let checked = Profile::parse(&doc.to_string(), ProfileFormat::Json)
        .map_err(|e| ApiError::field(e.field.clone(), e.message.clone()))
        .and_then(|p| service::check_profile(&app, &p).map(|()| p));
    match checked {
        Ok(profile) => {
            app.store().put_profile(me.person, &profile).await?;
            Ok(Redirect::to("/plan").into_response())
        }
        Err(e) => Ok(render_invalid(&assess_page(&app, &me, doc, Some(e.into())))),
    }
}

/// What the person typed, shaped like a profile, so a refused form comes back filled in.
fn echo(form: &FormData) -> Value {
    let mut top = Map::new();
    let mut symptoms = Map::new();
    let mut habits = Map::new();
    for (k, v) in &form.0 {
        let value = match v.as_str() {
            "yes" => json!(true),
            "no" => json!(false),
            other => json!(other),
        };
        if criteria().chain(checks()).any(|(n, _)| n == k)
            || ["nights_per_week", "onset", "distress", "irls_total"].contains(&k.as_str())
        {
            symptoms.insert(k.clone(), value);
        } else if HABIT_FLAGS.iter().any(|(n, _)| n == k)
            || k.starts_with("caffeine")
            || k.starts_with("alcohol")
            || k.starts_with("exercise")
            || k == "last_caffeine"
            || k == "sleep_hours"
        {
            habits.insert(k.clone(), value);
        } else {
            top.insert(k.clone(), value);
        }
    }
    top.insert("symptoms".into(), Value::Object(symptoms));
    top.insert("habits".into(), Value::Object(habits));
    Value::Object(top)
}
