//! The few compositions of domain calls that both the pages and the JSON API need: a person's
//! plan and insights from what they have stored, and their local date.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use jiff::civil::Date;
use quietlegs_core::journal::ProfileVersion;
use quietlegs_core::plan::{self, Plan};
use quietlegs_core::profile::{Profile, Resolved};
use quietlegs_stats::Insights;
use quietlegs_store::PersonId;

use crate::AppState;
use crate::error::ApiError;

/// Today in the person's time zone (the server's when they have not given one).
pub fn today_for(profile: Option<&Profile>) -> Date {
    let tz = profile
        .and_then(|p| p.timezone.as_deref())
        .and_then(|tz| jiff::tz::TimeZone::get(tz).ok());
    match tz {
        Some(tz) => jiff::Timestamp::now().to_zoned(tz).date(),
        None => jiff::Zoned::now().date(),
    }
}

/// The night a check-in most likely means: in the morning, last night; from mid-afternoon on,
/// the evening that is starting.
pub fn default_night(profile: Option<&Profile>) -> Date {
    let tz = profile
        .and_then(|p| p.timezone.as_deref())
        .and_then(|tz| jiff::tz::TimeZone::get(tz).ok())
        .unwrap_or_else(jiff::tz::TimeZone::system);
    let now = jiff::Timestamp::now().to_zoned(tz);
    if now.hour() < 15 {
        now.date().yesterday().unwrap_or(now.date())
    } else {
        now.date()
    }
}

/// Checks a profile the way a profile file is checked, plus the time zone against the system's
/// zone database. Errors name the field.
pub fn check_profile(app: &AppState, profile: &Profile) -> Result<(), ApiError> {
    if let Some(tz) = &profile.timezone
        && jiff::tz::TimeZone::get(tz).is_err()
    {
        return Err(ApiError::field(
            "timezone",
            format!("'{tz}' is not a known IANA time zone (e.g. Europe/Berlin, America/New_York)"),
        ));
    }
    Resolved::new(profile, app.kb(), today_for(Some(profile)))
        .map(|_| ())
        .map_err(|errors| match errors.into_iter().next() {
            Some(e) => ApiError::field(e.field, e.message),
            None => ApiError::bad_request("the profile could not be read"),
        })
}

pub async fn profile(app: &AppState, person: PersonId) -> Result<Option<ProfileVersion>, ApiError> {
    Ok(app.store().profile(person).await?)
}

/// Insights per person, kept until their nights, experiments or bedtime change. Every page that
/// shows the plan needs them, and recomputing them (reading every night, fitting the models)
/// was most of the cost of the Tonight page under load.
#[derive(Default)]
pub struct InsightsCache {
    entries: Mutex<HashMap<PersonId, (String, Arc<Insights>)>>,
}

/// People whose insights are kept; beyond this the cache starts over (a server this busy
/// recomputes a few insights rather than growing without bound).
const CACHED_PEOPLE: usize = 10_000;

pub async fn insights(
    app: &AppState,
    person: PersonId,
    profile: Option<&ProfileVersion>,
) -> Result<Arc<Insights>, ApiError> {
    let experiments = app.store().experiments(person).await?;
    let bedtime = profile.and_then(|p| p.profile.bedtime);
    let key = format!(
        "{}|{experiments:?}|{bedtime:?}",
        app.store().nights_fingerprint(person).await?
    );
    let cache = &app.0.insights.entries;
    if let Some((k, found)) = cache.lock().unwrap_or_else(|p| p.into_inner()).get(&person)
        && *k == key
    {
        return Ok(Arc::clone(found));
    }
    let nights = app.store().nights(person, None, None).await?;
    let fresh = Arc::new(quietlegs_stats::analyse_stored(
        &nights,
        &experiments,
        bedtime,
        app.kb(),
        quietlegs_stats::Options::default(),
    ));
    let mut entries = cache.lock().unwrap_or_else(|p| p.into_inner());
    if entries.len() >= CACHED_PEOPLE {
        entries.clear();
    }
    entries.insert(person, (key, Arc::clone(&fresh)));
    Ok(fresh)
}

/// The plan for the stored profile, shaped by what the journal says about changes tried;
/// `None` when there is no profile yet.
pub async fn plan(app: &AppState, person: PersonId) -> Result<Option<Plan>, ApiError> {
    let current = profile(app, person).await?;
    plan_for(app, person, current.as_ref()).await
}

/// [`plan`] for a profile the caller has already read (one query fewer per page).
pub async fn plan_for(
    app: &AppState,
    person: PersonId,
    current: Option<&ProfileVersion>,
) -> Result<Option<Plan>, ApiError> {
    let Some(current) = current else {
        return Ok(None);
    };
    let insights = insights(app, person, Some(current)).await?;
    let today = today_for(Some(&current.profile));
    let mut profile = current.profile.clone();
    let stored_labs = app.store().labs(person).await?;
    profile
        .labs
        .extend(stored_labs.iter().map(|(_, lab)| lab.as_input()));
    let resolved = Resolved::new(&profile, app.kb(), today).map_err(|errors| {
        // A stored profile was checked when saved; a newer knowledge base may still disagree.
        let detail: Vec<String> = errors.iter().map(ToString::to_string).collect();
        ApiError::field(
            "profile",
            format!("the stored profile needs an update: {}", detail.join("; ")),
        )
    })?;
    Ok(Some(plan::plan_with_history(
        &resolved,
        app.kb(),
        app.rules(),
        today,
        &quietlegs_stats::tried(&insights),
    )))
}
