//! Tonight's outlook for a stored person: their recent nights, tonight by their own clock, and
//! the change they are trying.

use jiff::ToSpan;
use jiff::civil::Date;
use quietlegs_core::journal::ExperimentStatus;
use quietlegs_core::profile::Profile;
use quietlegs_stats::Outlook;
use quietlegs_store::{PersonId, Store};

use crate::{AppError, clock};

/// Nights read: the outlook only looks at the last half year.
const LOOK_BACK_DAYS: i64 = 200;

/// The evening "tonight" means at this moment, where the person lives.
pub fn tonight_for(profile: Option<&Profile>) -> Date {
    clock::night_of(&jiff::Timestamp::now().to_zoned(clock::zone_of(profile)))
}

pub async fn outlook(
    store: &dyn Store,
    person: PersonId,
    profile: Option<&Profile>,
) -> Result<Outlook, AppError> {
    let tonight = tonight_for(profile);
    let from = tonight
        .checked_sub(LOOK_BACK_DAYS.days())
        .unwrap_or(tonight);
    let nights =
        crate::derived::nights_for_analysis(store, person, Some(from), Some(tonight)).await?;
    let experiments = store.experiments(person).await?;
    let trying = experiments
        .iter()
        .filter(|e| e.status == ExperimentStatus::Running && e.start <= tonight)
        .max_by_key(|e| e.start)
        .map(|e| (e.remedy.as_str(), e.start));
    Ok(quietlegs_stats::outlook(&nights, tonight, trying))
}
