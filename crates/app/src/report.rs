//! The doctor report for a stored person: their derived state plus the labs, nights and
//! experiments the report lists.

use quietlegs_core::KnowledgeBase;
use quietlegs_core::journal::LabRecord;
use quietlegs_core::safety::Rules;
use quietlegs_report::{Report, ReportInputs};
use quietlegs_store::{PersonId, Store};

use crate::{AppError, Derived, clock};

/// The report for a person from everything they have stored; `derived` is their current
/// derived state (a cached one will do: it is rebuilt whenever their data changes).
pub async fn for_person(
    store: &dyn Store,
    kb: &KnowledgeBase,
    rules: &Rules,
    person: PersonId,
    derived: &Derived,
) -> Result<Report, AppError> {
    let labs: Vec<LabRecord> = store
        .labs(person)
        .await?
        .into_iter()
        .map(|(_, l)| l)
        .collect();
    let nights = store.nights(person, None, None).await?;
    let experiments = store.experiments(person).await?;
    let profile = derived.profile.as_ref().map(|p| &p.profile);
    Ok(Report::build(&ReportInputs {
        profile,
        plan: derived.plan.as_ref(),
        labs: &labs,
        nights: &nights,
        experiments: &experiments,
        insights: &derived.insights,
        kb,
        rules,
        today: clock::today_for(profile),
    }))
}
