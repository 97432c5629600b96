//! The plan: what to test, what to stop, what to try and for how long, each with its reason.

use askama::Template;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect};
use quietlegs_core::plan::{Outcome, Plan, Step};
use quietlegs_core::safety::Level;

use super::{Chrome, PageResult, render};
use crate::AppState;
use crate::auth::PageUser;
use crate::service;

struct StageGroup<'a> {
    heading: &'static str,
    steps: Vec<&'a Step>,
}

#[derive(Template)]
#[template(path = "plan.html")]
struct PlanPage<'a> {
    chrome: Chrome,
    plan: &'a Plan,
    criteria_met_count: usize,
    urgent: Vec<&'a str>,
    doctor: Vec<&'a str>,
    cautions: Vec<&'a str>,
    info: Vec<&'a str>,
    groups: Vec<StageGroup<'a>>,
    excluded: Vec<(String, &'a str)>,
}

/// What the person's own journal says about a step, in words.
fn outcome_text(step: &Step) -> Option<&'static str> {
    step.outcome.map(|o| match o {
        Outcome::Helps => "Your journal says this helped you",
        Outcome::NoClearEffect => "Your journal shows no clear effect",
        Outcome::Worse => "Your journal says your nights were worse with it",
        Outcome::InProgress => "You are trying this now",
    })
}

impl PlanPage<'_> {
    fn outcome(&self, step: &Step) -> String {
        outcome_text(step).unwrap_or("").to_string()
    }

    fn dose(&self, step: &Step) -> String {
        step.dose
            .as_ref()
            .map(ToString::to_string)
            .unwrap_or_default()
    }
}

pub async fn page(State(app): State<AppState>, PageUser(me): PageUser) -> PageResult {
    let derived = service::derived_for(&app, &me).await?;
    let Some(plan) = &derived.plan else {
        return Ok(Redirect::to("/assess").into_response());
    };
    let by_level = |level: Level| -> Vec<&str> {
        plan.flags
            .iter()
            .filter(|f| f.level == level)
            .map(|f| f.message.as_str())
            .collect()
    };
    let mut groups: Vec<StageGroup> = Vec::new();
    for step in &plan.steps {
        match groups.last_mut() {
            Some(g) if g.heading == step.stage.heading() => g.steps.push(step),
            _ => groups.push(StageGroup {
                heading: step.stage.heading(),
                steps: vec![step],
            }),
        }
    }
    let excluded = plan
        .excluded
        .iter()
        .map(|x| {
            let name = app.kb().get(&x.id).map_or(x.id.clone(), |e| e.name.clone());
            (name, x.message.as_str())
        })
        .collect();
    Ok(render(&PlanPage {
        chrome: Chrome::new(&app, Some(&me), "plan"),
        criteria_met_count: plan
            .screening
            .criteria
            .iter()
            .filter(|c| c.met == Some(true))
            .count(),
        urgent: by_level(Level::Urgent),
        doctor: by_level(Level::Doctor),
        cautions: by_level(Level::Caution),
        info: by_level(Level::Info),
        groups,
        excluded,
        plan,
    }))
}
