//! The few compositions of domain calls that both the pages and the JSON API need: a person's
//! plan and insights from what they have stored, and their local date.

use std::sync::Arc;

use jiff::civil::Date;
use quietlegs_core::journal::ProfileVersion;
use quietlegs_core::plan::{self, Plan};
use quietlegs_core::profile::{Profile, Resolved};
use quietlegs_stats::Insights;
use quietlegs_store::PersonId;

use crate::AppState;
use crate::auth::SignedIn;
use crate::cache::Derived;
use crate::error::ApiError;

/// The person's time zone (the server's when they have not given one).
pub fn zone_of(profile: Option<&Profile>) -> jiff::tz::TimeZone {
    profile
        .and_then(|p| p.timezone.as_deref())
        .and_then(|tz| jiff::tz::TimeZone::get(tz).ok())
        .unwrap_or_else(jiff::tz::TimeZone::system)
}

/// Today in the person's time zone.
pub fn today_for(profile: Option<&Profile>) -> Date {
    jiff::Timestamp::now().to_zoned(zone_of(profile)).date()
}

/// Today where the person lives (their profile's time zone), never the server's: a person in
/// Kiritimati is a day or two ahead of a server in Pago Pago.
pub async fn today_of(app: &AppState, person: PersonId) -> Result<Date, ApiError> {
    let stored = profile(app, person).await?;
    Ok(today_for(stored.as_ref().map(|p| &p.profile)))
}

/// The night a check-in most likely means: in the morning, last night; from mid-afternoon on,
/// the evening that is starting.
pub fn default_night(profile: Option<&Profile>) -> Date {
    let now = jiff::Timestamp::now().to_zoned(zone_of(profile));
    quietlegs_core::journal::default_night(&now.datetime())
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

/// [`derived`] for the signed-in person, at the data version their session carries.
pub async fn derived_for(app: &AppState, me: &SignedIn) -> Result<Arc<Derived>, ApiError> {
    derived(app, me.person, me.data_version).await
}

/// A person's profile, insights and plan, as of `version` (their data version, which the
/// session carries; `None` asks the database). Rebuilt only when their data changed or their
/// day turned: recomputing reads every night and fits the models, which was most of the cost of
/// the plan-bearing pages under load. The data is read after the version was, and writes raise
/// the version in their own transaction, so what is cached under a version is never older
/// than it.
pub async fn derived(
    app: &AppState,
    person: PersonId,
    version: Option<i64>,
) -> Result<Arc<Derived>, ApiError> {
    let version = match version {
        Some(v) => v,
        None => app.store().data_version(person).await?,
    };
    if let Some(hit) = cached(app, person, version) {
        return Ok(hit);
    }
    let _permit = app.0.rebuilds.acquire().await.ok();
    // Someone else may have rebuilt it while this request waited.
    if let Some(hit) = cached(app, person, version) {
        return Ok(hit);
    }
    let fresh = Arc::new(rebuild(app, person).await?);
    let today = today_for(fresh.profile.as_ref().map(|p| &p.profile));
    app.0
        .derived
        .put(person, version, today, Arc::clone(&fresh));
    Ok(fresh)
}

fn cached(app: &AppState, person: PersonId, version: i64) -> Option<Arc<Derived>> {
    app.0.derived.get(person, version, |d| {
        today_for(d.profile.as_ref().map(|p| &p.profile))
    })
}

async fn rebuild(app: &AppState, person: PersonId) -> Result<Derived, ApiError> {
    let current = app.store().profile(person).await?;
    let experiments = app.store().experiments(person).await?;
    let nights = app.store().nights(person, None, None).await?;
    let insights = Arc::new(quietlegs_stats::analyse_stored(
        &nights,
        &experiments,
        current.as_ref().and_then(|p| p.profile.bedtime),
        app.kb(),
        quietlegs_stats::Options::default(),
    ));
    drop(nights);
    let plan = match &current {
        Some(current) => Some(plan_for(app, person, current, &insights).await?),
        None => None,
    };
    Ok(Derived {
        profile: current,
        insights,
        plan,
    })
}

/// The plan for a stored profile, shaped by what the journal says about changes tried.
async fn plan_for(
    app: &AppState,
    person: PersonId,
    current: &ProfileVersion,
    insights: &Insights,
) -> Result<Plan, ApiError> {
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
    Ok(plan::plan_with_history(
        &resolved,
        app.kb(),
        app.rules(),
        today,
        &quietlegs_stats::tried(insights),
    ))
}
