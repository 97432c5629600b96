//! A person's lab re-test dates as the labs page, the calendar feed and any reminder read them:
//! their saved goals, with the plan's suggestions for the tests they set no date for.

use quietlegs_core::journal::lab_goal::{EffectiveGoal, suggested_goals, with_suggestions};
use quietlegs_core::plan::Plan;
use quietlegs_store::PersonId;

use crate::AppState;
use crate::error::ApiResult;

pub async fn effective(
    app: &AppState,
    person: PersonId,
    plan: Option<&Plan>,
) -> ApiResult<Vec<EffectiveGoal>> {
    let saved = app.store().lab_goals(person).await?;
    let labs: Vec<_> = app
        .store()
        .labs(person)
        .await?
        .into_iter()
        .map(|(_, lab)| lab)
        .collect();
    let suggested = plan.map_or_else(Vec::new, |plan| suggested_goals(plan, &labs));
    Ok(with_suggestions(&saved, &suggested, &labs))
}

/// A test's name as people read it ("Ferritin"), or its id when the knowledge has none.
pub fn test_name(app: &AppState, test: &str) -> String {
    app.kb()
        .get(test)
        .map_or_else(|| test.to_string(), |e| e.name.clone())
}
