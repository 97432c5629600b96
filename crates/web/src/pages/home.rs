//! Home: today at a glance, or the way in for someone new.

use askama::Template;
use axum::extract::State;
use quietlegs_core::plan::Stage;

use super::{Chrome, PageResult, render};
use crate::AppState;
use crate::auth::Viewer;
use crate::service;

#[derive(Template)]
#[template(path = "home.html")]
struct Home {
    chrome: Chrome,
    has_profile: bool,
    bedtime: Option<String>,
    night: String,
    logged_last_night: Option<u8>,
    current_step: Option<(String, String)>,
    urgent: Vec<String>,
    week: Vec<(String, Option<u8>)>,
    disclaimer: &'static str,
    quick_from: &'static str,
}

pub async fn page(State(app): State<AppState>, Viewer(user): Viewer) -> PageResult {
    let Some(me) = user else {
        return Ok(render(&Welcome {
            chrome: Chrome::new(&app, None, "home"),
            signup: matches!(app.config().mode, crate::Mode::Server { signup: true }),
        }));
    };
    let home = async {
        let derived = service::derived_for(&app, &me).await?;
        let (profile, plan) = (&derived.profile, &derived.plan);
        let night = service::default_night(profile.as_ref().map(|p| &p.profile));
        let from = night
            .checked_sub(jiff::Span::new().days(6))
            .unwrap_or(night);
        let nights = app
            .store()
            .nights(me.person, Some(from), Some(night))
            .await?;
        let week = (0..7)
            .filter_map(|i| from.checked_add(jiff::Span::new().days(i)).ok())
            .map(|d| {
                let sev = nights
                    .iter()
                    .find(|n| n.night == Some(d))
                    .map(|n| n.severity);
                (d.strftime("%a").to_string(), sev)
            })
            .collect();
        let logged = nights
            .iter()
            .find(|n| n.night == Some(night))
            .map(|n| n.severity);
        let current_step = plan.as_ref().and_then(|p| {
            p.steps
                .iter()
                .find(|s| s.stage == Stage::Try && s.outcome.is_none())
                .or_else(|| p.steps.iter().find(|s| s.stage != Stage::Safety))
                .map(|s| (s.title.clone(), s.why.clone()))
        });
        let urgent = plan
            .as_ref()
            .map(|p| p.urgent().map(|f| f.message.clone()).collect())
            .unwrap_or_default();
        Ok::<_, crate::error::ApiError>(Home {
            chrome: Chrome::new(&app, Some(&me), "home"),
            has_profile: profile.is_some(),
            bedtime: profile
                .as_ref()
                .and_then(|p| p.profile.bedtime.map(|b| b.to_string())),
            night: night.to_string(),
            logged_last_night: logged,
            current_step,
            urgent,
            week,
            disclaimer: quietlegs_core::plan::DISCLAIMER,
            quick_from: "home",
        })
    }
    .await?;
    Ok(render(&home))
}

#[derive(Template)]
#[template(path = "welcome.html")]
struct Welcome {
    chrome: Chrome,
    signup: bool,
}
