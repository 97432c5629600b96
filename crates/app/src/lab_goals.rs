//! A person's lab re-test dates as the labs page, the calendar feed and the push reminders read
//! them: their saved goals, with the plan's suggestions for the tests they set no date for.

use quietlegs_core::journal::lab_goal::{EffectiveGoal, suggested_goals, with_suggestions};
use quietlegs_core::plan::Plan;
use quietlegs_store::{PersonId, Store};

use crate::AppError;

pub async fn effective(
    store: &dyn Store,
    person: PersonId,
    plan: Option<&Plan>,
) -> Result<Vec<EffectiveGoal>, AppError> {
    let saved = store.lab_goals(person).await?;
    let labs: Vec<_> = store
        .labs(person)
        .await?
        .into_iter()
        .map(|(_, lab)| lab)
        .collect();
    let suggested = plan.map_or_else(Vec::new, |plan| suggested_goals(plan, &labs));
    Ok(with_suggestions(&saved, &suggested, &labs))
}
