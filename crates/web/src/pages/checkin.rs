//! The nightly check-in: one night in a few taps. The same form edits any earlier night.

use std::collections::BTreeSet;

use askama::Template;
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect};
use jiff::civil::Date;
use quietlegs_core::journal::NightEntry;
use quietlegs_core::plan::Stage;
use serde::Deserialize;

use super::{Chrome, FormError, PageResult, render, render_invalid};
use crate::AppState;
use crate::auth::{PageUser, SignedIn};
use crate::error::ApiError;
use crate::forms::{self, FormData};
use crate::service;

#[derive(Debug, Deserialize)]
pub struct NightQuery {
    night: Option<String>,
}

struct Offered {
    id: String,
    name: String,
    taken: bool,
}

#[derive(Template)]
#[template(path = "checkin.html")]
struct CheckinPage {
    chrome: Chrome,
    night: String,
    existing: bool,
    /// The rating already chosen; a new night starts with none, so nothing is rated for them.
    severity: Option<u8>,
    entry: NightEntry,
    offered: Vec<Offered>,
    error: Option<FormError>,
    /// Set when the onset shown comes from the night's first "acting up" episode, not from
    /// the journal: it is offered, and saved only if the person saves the form.
    onset_from_episode: bool,
}

impl CheckinPage {
    fn value(&self, column: &str) -> String {
        self.entry.field(column)
    }

    fn chosen(&self, value: &u8) -> bool {
        self.severity == Some(*value)
    }
}

/// What the check-in offers to tick: the plan's remedies and routine, and anything this night
/// already records.
async fn offered(
    app: &AppState,
    me: &SignedIn,
    entry: &NightEntry,
) -> Result<Vec<Offered>, ApiError> {
    let mut ids: Vec<String> = Vec::new();
    if let Some(plan) = &service::derived_for(app, me).await?.plan {
        for s in &plan.steps {
            if matches!(s.stage, Stage::Iron | Stage::Try)
                && s.outcome != Some(quietlegs_core::plan::Outcome::NoClearEffect)
            {
                ids.push(s.id.clone());
            }
        }
        ids.extend(plan.routine.iter().map(|r| r.id.clone()));
    }
    ids.extend(entry.took.keys().cloned());
    let mut seen = BTreeSet::new();
    Ok(ids
        .into_iter()
        .filter(|id| seen.insert(id.clone()))
        .map(|id| Offered {
            name: app.kb().get(&id).map_or(id.clone(), |e| e.name.clone()),
            taken: entry.took.get(&id).copied().unwrap_or(false),
            id,
        })
        .collect())
}

async fn form_page(
    app: &AppState,
    me: &SignedIn,
    night: Date,
    entry: NightEntry,
    existing: bool,
    chosen: bool,
    error: Option<FormError>,
) -> PageResult {
    let offered = offered(app, me, &entry).await?;
    let mut entry = entry;
    let mut onset_from_episode = false;
    if error.is_none() && entry.onset.is_none() {
        entry.onset = quietlegs_app::episodes::first_onset(app.store(), me.person, night).await?;
        onset_from_episode = entry.onset.is_some();
    }
    let page = CheckinPage {
        chrome: Chrome::new(app, Some(me), "checkin"),
        night: night.to_string(),
        severity: (existing || chosen).then_some(entry.severity),
        existing,
        entry,
        offered,
        error,
        onset_from_episode,
    };
    Ok(if page.error.is_some() {
        render_invalid(&page)
    } else {
        render(&page)
    })
}

pub async fn page(
    State(app): State<AppState>,
    PageUser(me): PageUser,
    Query(query): Query<NightQuery>,
) -> PageResult {
    let profile = service::profile(&app, me.person).await?;
    let default = service::default_night(profile.as_ref().map(|p| &p.profile));
    let night = match query.night.as_deref().filter(|n| !n.is_empty()) {
        None => default,
        Some(text) => match crate::input::date_param("night", text) {
            Ok(d) => d,
            Err(e) => {
                return form_page(
                    &app,
                    &me,
                    default,
                    NightEntry::default(),
                    false,
                    false,
                    Some(e.into()),
                )
                .await;
            }
        },
    };
    match app.store().night(me.person, night).await? {
        Some(entry) => form_page(&app, &me, night, entry, true, true, None).await,
        None => {
            let entry = NightEntry {
                night: Some(night),
                ..NightEntry::default()
            };
            form_page(&app, &me, night, entry, false, false, None).await
        }
    }
}

pub async fn save(State(app): State<AppState>, PageUser(me): PageUser, body: Bytes) -> PageResult {
    let today = service::today_of(&app, me.person).await?;
    let form = match FormData::parse(&body) {
        Ok(f) => f,
        Err(e) => {
            return form_page(
                &app,
                &me,
                today,
                NightEntry::default(),
                false,
                false,
                Some(e.into()),
            )
            .await;
        }
    };
    let night = form.get("night").and_then(|n| n.parse::<Date>().ok());
    let base = match night {
        Some(n) => app.store().night(me.person, n).await?.unwrap_or_default(),
        None => NightEntry::default(),
    };
    let existing = base.night.is_some();
    match forms::night_from_form(&form, base.clone(), today) {
        Ok(entry) => {
            app.store().put_night(me.person, &entry).await?;
            let night = entry.night.map(|n| n.to_string()).unwrap_or_default();
            Ok(Redirect::to(&format!("/journal?saved={night}")).into_response())
        }
        Err(e) => {
            // Show the form as it was typed, with the problem named.
            let mut shown = base;
            shown.night = night.or(Some(today));
            for (k, v) in &form.0 {
                let _ = shown.set_field(k, v);
            }
            form_page(
                &app,
                &me,
                shown.night.unwrap_or(today),
                shown,
                existing,
                form.get("severity").is_some_and(|v| !v.is_empty()),
                Some(e.into()),
            )
            .await
        }
    }
}

pub async fn delete(
    State(app): State<AppState>,
    PageUser(me): PageUser,
    body: Bytes,
) -> PageResult {
    let night = FormData::parse(&body)
        .and_then(|f| crate::input::date_param("night", f.get("night").unwrap_or("")))?;
    app.store().delete_night(me.person, night).await?;
    Ok(Redirect::to("/journal").into_response())
}
