//! One-tap logging from home and Tonight: last night's severity (one of eleven submit buttons,
//! so it works without scripts), and "my legs are acting up now".

use axum::body::Bytes;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect};
use quietlegs_core::journal::NightEntry;

use super::PageResult;
use crate::AppState;
use crate::auth::PageUser;
use crate::error::ApiError;
use crate::forms::FormData;
use crate::{input, service};

/// Where a quick form goes back to: only the two pages that carry one.
fn back_to(from: Option<&str>) -> &'static str {
    match from {
        Some("tonight") => "/tonight",
        _ => "/",
    }
}

/// Records a night's severity and nothing else: a night already stored keeps every other
/// field as it was; a new one holds only the rating, and the time of the night's first "acting
/// up" tap as its onset when there was one.
pub async fn severity(
    State(app): State<AppState>,
    PageUser(me): PageUser,
    body: Bytes,
) -> PageResult {
    let form = FormData::parse(&body)?;
    let night = input::date_param("night", form.get("night").unwrap_or(""))?;
    let value = form.get("severity").ok_or_else(|| {
        ApiError::field(
            "severity",
            "choose how bad your legs were, from 0 (fine) to 10 (worst)",
        )
    })?;
    let mut entry = match app.store().night(me.person, night).await? {
        Some(stored) => stored,
        None => NightEntry {
            night: Some(night),
            onset: quietlegs_app::episodes::first_onset(app.store(), me.person, night).await?,
            ..NightEntry::default()
        },
    };
    entry
        .set_field("severity", value)
        .map_err(|e| ApiError::field(e.field, e.message))?;
    input::check_night(&entry, service::today_of(&app, me.person).await?)?;
    app.store().put_night(me.person, &entry).await?;
    let back = back_to(form.get("from"));
    Ok(Redirect::to(&format!("{back}?logged={night}#last-night")).into_response())
}

/// "My legs are acting up now": notes the moment, then opens what helps on a bad night.
pub async fn episode(State(app): State<AppState>, PageUser(me): PageUser) -> PageResult {
    let recorded =
        quietlegs_app::episodes::record(app.store(), me.person, jiff::Timestamp::now()).await?;
    Ok(Redirect::to(&format!(
        "/tonight?noted={}#toolkit",
        recorded.episode.local_time
    ))
    .into_response())
}
