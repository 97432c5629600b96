//! Labs: enter a result with its unit; ferritin and TSAT over time against the treatment
//! thresholds at which iron is worth trying (never targets to reach); "re-test on" dates per
//! test, prefilled from the plan and saved as the person's lab goals, which their calendar feed
//! and reminders ring for.

use askama::Template;
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Redirect};
use jiff::civil::Date;
use quietlegs_core::journal::{LabGoal, LabRecord};
use serde::Deserialize;

use super::{Chrome, FormError, PageError, PageResult, num, render, render_invalid};
use crate::AppState;
use crate::auth::{PageUser, SignedIn};
use crate::error::ApiError;
use crate::forms::FormData;
use crate::service;
use quietlegs_report::charts;

struct TestOption {
    id: String,
    name: String,
    units: String,
}

struct Row {
    id: i64,
    date: String,
    name: String,
    entered: String,
    canonical: String,
}

/// One "re-test on" field.
struct GoalRow {
    test: String,
    name: String,
    /// YYYY-MM-DD, or empty for no date.
    due: String,
    /// The date shown is the plan's suggestion, not one the person saved.
    suggested: bool,
}

/// Furthest back and ahead a re-test date may be set (days): a saved date that just passed
/// must still save with the rest of the form; one years away is a typing slip.
const GOAL_PAST_DAYS: i64 = 366;
const GOAL_AHEAD_DAYS: i64 = 3 * 366;

#[derive(Template)]
#[template(path = "labs.html")]
struct LabsPage {
    chrome: Chrome,
    tests: Vec<TestOption>,
    rows: Vec<Row>,
    goals: Vec<GoalRow>,
    goals_saved: bool,
    charts: Vec<(String, String)>,
    today: String,
    form_test: String,
    form_value: String,
    form_unit: String,
    form_date: String,
    error: Option<FormError>,
}

fn tests(app: &AppState) -> Vec<TestOption> {
    let mut tests: Vec<TestOption> = app
        .kb()
        .entries()
        .iter()
        .filter_map(|e| {
            let lab = e.lab.as_ref()?;
            let mut units = vec![lab.unit.clone()];
            units.extend(lab.units.iter().map(|u| u.unit.clone()));
            units.dedup();
            Some(TestOption {
                id: e.id.clone(),
                name: e.name.clone(),
                units: units.join(", "),
            })
        })
        .collect();
    // Iron studies first: they decide the most.
    tests.sort_by_key(|t| {
        (
            !matches!(t.id.as_str(), "ferritin" | "tsat"),
            t.name.clone(),
        )
    });
    tests
}

/// The re-test rows: every test with a date (saved or suggested by the plan), then every other
/// test the person has results for, iron studies first; a form being re-shown keeps what was
/// typed.
async fn goal_rows(
    app: &AppState,
    me: &SignedIn,
    labs: &[(i64, LabRecord)],
    typed: Option<&FormData>,
) -> Result<Vec<GoalRow>, PageError> {
    let derived = service::derived_for(app, me).await?;
    let goals =
        quietlegs_app::lab_goals::effective(app.store(), me.person, derived.plan.as_ref()).await?;
    let mut rows: Vec<GoalRow> = goals
        .into_iter()
        .map(|g| GoalRow {
            name: crate::lab_goals::test_name(app, &g.goal.test),
            due: g.goal.due.to_string(),
            suggested: g.suggested,
            test: g.goal.test,
        })
        .collect();
    for (_, lab) in labs {
        if !rows.iter().any(|r| r.test == lab.test) {
            rows.push(GoalRow {
                name: crate::lab_goals::test_name(app, &lab.test),
                due: String::new(),
                suggested: false,
                test: lab.test.clone(),
            });
        }
    }
    if let Some(form) = typed {
        for row in &mut rows {
            row.due = form
                .get(&format!("due:{}", row.test))
                .unwrap_or("")
                .to_string();
            row.suggested = false;
        }
    }
    rows.sort_by_key(|r| {
        (
            !matches!(r.test.as_str(), "ferritin" | "tsat"),
            r.name.clone(),
        )
    });
    Ok(rows)
}

async fn labs_page(
    app: &AppState,
    me: &SignedIn,
    form: Option<&FormData>,
    error: Option<FormError>,
) -> PageResult {
    labs_page_with(app, me, form, None, false, error).await
}

async fn labs_page_with(
    app: &AppState,
    me: &SignedIn,
    form: Option<&FormData>,
    goal_form: Option<&FormData>,
    goals_saved: bool,
    error: Option<FormError>,
) -> PageResult {
    let labs = app.store().labs(me.person).await?;
    let today = service::today_of(app, me.person).await?.to_string();
    let mut rows: Vec<Row> = labs
        .iter()
        .map(|(id, l)| Row {
            id: *id,
            date: l.date.to_string(),
            name: app
                .kb()
                .get(&l.test)
                .map_or(l.test.clone(), |e| e.name.clone()),
            entered: format!(
                "{} {}",
                quietlegs_core::journal::bounded(l.comparator, &num(l.value)),
                l.unit
            ),
            canonical: format!("{} {}", num(l.canonical_value), l.canonical_unit),
        })
        .collect();
    rows.reverse();
    let charts = ["ferritin", "tsat"]
        .iter()
        .filter(|t| labs.iter().any(|(_, l)| l.test == **t))
        .map(|t| {
            let name = app.kb().get(t).map_or((*t).to_string(), |e| e.name.clone());
            (t.to_string(), name)
        })
        .collect();
    let goals = goal_rows(app, me, &labs, goal_form).await?;
    let field = |name: &str| form.and_then(|f| f.get(name)).unwrap_or("").to_string();
    let page = LabsPage {
        chrome: Chrome::new(app, Some(me), "labs"),
        tests: tests(app),
        rows,
        goals,
        goals_saved,
        charts,
        form_test: field("test"),
        form_value: field("value"),
        form_unit: field("unit"),
        form_date: form
            .and_then(|f| f.get("date"))
            .unwrap_or(&today)
            .to_string(),
        today,
        error,
    };
    Ok(if page.error.is_some() {
        render_invalid(&page)
    } else {
        render(&page)
    })
}

pub async fn page(State(app): State<AppState>, PageUser(me): PageUser) -> PageResult {
    labs_page(&app, &me, None, None).await
}

fn lab_from_form(app: &AppState, form: &FormData, today: Date) -> Result<LabRecord, ApiError> {
    let test = form
        .get("test")
        .ok_or_else(|| ApiError::field("test", "choose a test"))?;
    let value_text = form
        .get("value")
        .ok_or_else(|| ApiError::field("value", "is required"))?;
    let value: f64 = value_text
        .replace(',', ".")
        .parse()
        .map_err(|_| ApiError::field("value", format!("'{value_text}' is not a number")))?;
    let unit = form
        .get("unit")
        .ok_or_else(|| ApiError::field("unit", "is required (e.g. ng/mL)"))?;
    let date = match form.get("date") {
        Some(d) => crate::input::date_param("date", d)?,
        None => today,
    };
    crate::input::check_lab(app, test, value, unit, date, today)
}

pub async fn add(State(app): State<AppState>, PageUser(me): PageUser, body: Bytes) -> PageResult {
    let form = match FormData::parse(&body) {
        Ok(f) => f,
        Err(e) => return labs_page(&app, &me, None, Some(e.into())).await,
    };
    let today = service::today_of(&app, me.person).await?;
    match lab_from_form(&app, &form, today) {
        Ok(lab) => {
            app.store().add_lab(me.person, &lab).await?;
            Ok(Redirect::to("/labs").into_response())
        }
        Err(e) => labs_page(&app, &me, Some(&form), Some(e.into())).await,
    }
}

pub async fn delete(
    State(app): State<AppState>,
    PageUser(me): PageUser,
    body: Bytes,
) -> PageResult {
    let id = crate::forms::form_id(&body, "lab result");
    match id {
        Ok(id) => {
            if app.store().delete_lab(me.person, id).await? {
                Ok(Redirect::to("/labs").into_response())
            } else {
                Err(PageError(ApiError::not_found()))
            }
        }
        Err(e) => labs_page(&app, &me, None, Some(e.into())).await,
    }
}

/// The goals a "re-test on" form sets: one per listed test with a date, checked.
fn goals_from_form(app: &AppState, form: &FormData, today: Date) -> Result<Vec<LabGoal>, ApiError> {
    let earliest = today
        .checked_sub(jiff::Span::new().days(GOAL_PAST_DAYS))
        .unwrap_or(today);
    let latest = today
        .checked_add(jiff::Span::new().days(GOAL_AHEAD_DAYS))
        .unwrap_or(today);
    let mut goals: Vec<LabGoal> = Vec::new();
    for test in form.all("goal") {
        let field = format!("due:{test}");
        if app.kb().get(test).and_then(|e| e.lab.as_ref()).is_none() {
            return Err(ApiError::field(
                field,
                format!("'{test}' is not a lab test"),
            ));
        }
        let Some(text) = form.get(&field) else {
            continue;
        };
        let due = crate::input::date_param(&field, text)?;
        if due < earliest || due > latest {
            return Err(ApiError::field(
                field,
                format!("choose a date between {earliest} and {latest}"),
            ));
        }
        if !goals.iter().any(|g| g.test == test) {
            goals.push(LabGoal {
                test: test.to_string(),
                due,
            });
        }
    }
    Ok(goals)
}

/// Saves the "re-test on" dates: the form lists every test shown, so a cleared date removes
/// that goal (and the plan's suggestion, if any, shows again).
pub async fn save_goals(
    State(app): State<AppState>,
    PageUser(me): PageUser,
    body: Bytes,
) -> PageResult {
    let form = match FormData::parse(&body) {
        Ok(f) => f,
        Err(e) => return labs_page(&app, &me, None, Some(e.into())).await,
    };
    let today = service::today_of(&app, me.person).await?;
    match goals_from_form(&app, &form, today) {
        Ok(goals) => {
            app.store().replace_lab_goals(me.person, &goals).await?;
            labs_page_with(&app, &me, None, None, true, None).await
        }
        Err(e) => labs_page_with(&app, &me, None, Some(&form), false, Some(e.into())).await,
    }
}

#[derive(Debug, Deserialize)]
pub struct ChartQuery {
    test: Option<String>,
}

pub async fn chart(
    State(app): State<AppState>,
    PageUser(me): PageUser,
    Query(q): Query<ChartQuery>,
) -> PageResult {
    let test = q.test.unwrap_or_else(|| "ferritin".into());
    let labs = app.store().labs(me.person).await?;
    let mut points: Vec<_> = labs
        .iter()
        .filter(|(_, l)| l.test == test)
        .map(|(_, l)| (l.date, l.canonical_value))
        .collect();
    points.sort_by_key(|p| p.0);
    let unit = labs
        .iter()
        .find(|(_, l)| l.test == test)
        .map(|(_, l)| l.canonical_unit.clone())
        .unwrap_or_default();
    let iron = &app.rules().iron;
    let threshold = match test.as_str() {
        "ferritin" => Some((
            iron.ferritin_oral_max,
            format!(
                "treatment threshold: iron at or below {}",
                num(iron.ferritin_oral_max)
            ),
        )),
        "tsat" => Some((
            iron.tsat_low,
            format!("treatment threshold: iron below {} %", num(iron.tsat_low)),
        )),
        _ => None,
    };
    Ok((
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("image/svg+xml"),
        )],
        charts::lab(&points, &unit, threshold),
    )
        .into_response())
}
