//! The web's side of a person's derived state: the compositions live in `quietlegs-app`; here
//! they are cached per data version and mapped to API errors.

use std::sync::Arc;

use jiff::civil::Date;
use quietlegs_core::journal::ProfileVersion;
use quietlegs_core::profile::Profile;
use quietlegs_store::PersonId;

pub use quietlegs_app::clock::{default_night, today_for, zone_of};

use crate::AppState;
use crate::auth::SignedIn;
use crate::cache::Derived;
use crate::error::ApiError;

/// Today where the person lives (their profile's time zone), never the server's.
pub async fn today_of(app: &AppState, person: PersonId) -> Result<Date, ApiError> {
    Ok(quietlegs_app::clock::today_of(app.store(), person).await?)
}

/// Checks a profile the way a profile file is checked; errors name the field.
pub fn check_profile(app: &AppState, profile: &Profile) -> Result<(), ApiError> {
    Ok(quietlegs_app::check_profile(profile, app.kb())?)
}

pub async fn profile(app: &AppState, person: PersonId) -> Result<Option<ProfileVersion>, ApiError> {
    Ok(app.store().profile(person).await?)
}

/// Tonight's outlook, by the person's own clock.
pub async fn outlook(
    app: &AppState,
    person: PersonId,
) -> Result<quietlegs_stats::Outlook, ApiError> {
    let profile = profile(app, person).await?;
    Ok(
        quietlegs_app::outlook::outlook(app.store(), person, profile.as_ref().map(|p| &p.profile))
            .await?,
    )
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
    let fresh = Arc::new(quietlegs_app::derive(app.store(), app.kb(), app.rules(), person).await?);
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
