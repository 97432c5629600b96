//! Tonight: the evening routine as a timeline counting down to bedtime, a breathing pacer, and
//! what to do on a bad night.

use askama::Template;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect};
use quietlegs_core::plan::Stage;

use super::{Chrome, PageResult, render};
use crate::AppState;
use crate::auth::PageUser;
use crate::service;

struct Slot {
    at: String,
    minutes_before: u32,
    title: String,
    id: String,
}

#[derive(Template)]
#[template(path = "tonight.html")]
struct TonightPage {
    chrome: Chrome,
    bedtime: Option<String>,
    /// RFC 3339 instant of tonight's bedtime, for the live countdown.
    bedtime_at: String,
    minutes_left: Option<i64>,
    slots: Vec<Slot>,
    acute: Vec<(String, String, String)>,
    outlook: quietlegs_stats::Outlook,
    disclaimer: &'static str,
    /// The night the one-tap severity row rates, and its rating once given.
    night: String,
    logged: Option<u8>,
    quick_from: &'static str,
    /// When the person has just said their legs are acting up (HH:MM, their clock).
    noted: Option<String>,
}

#[derive(Debug, serde::Deserialize)]
pub struct TonightQuery {
    noted: Option<String>,
}

impl TonightPage {
    fn points(&self, f: &quietlegs_stats::OutlookFactor) -> String {
        match (f.points, f.ci95) {
            (Some(p), Some([lo, hi])) => {
                format!("{p:+.1} points (95% interval {lo:+.1} to {hi:+.1})")
            }
            _ => String::new(),
        }
    }
}

pub async fn page(
    State(app): State<AppState>,
    PageUser(me): PageUser,
    Query(query): Query<TonightQuery>,
) -> PageResult {
    let derived = service::derived_for(&app, &me).await?;
    let (profile, Some(plan)) = (&derived.profile, &derived.plan) else {
        return Ok(Redirect::to("/assess").into_response());
    };
    let bedtime = profile.as_ref().and_then(|p| p.profile.bedtime);
    let tz = service::zone_of(profile.as_ref().map(|p| &p.profile));
    let now = jiff::Timestamp::now().to_zoned(tz.clone());
    // Tonight's bedtime: today's, or tomorrow's once it has passed by more than two hours
    // (after midnight, "tonight" still means the bedtime just gone).
    let target = bedtime.and_then(|b| {
        let today = now.date().at(b.hour() as i8, b.minute() as i8, 0, 0);
        let zoned = today.to_zoned(tz.clone()).ok()?;
        if now.timestamp().as_second() - zoned.timestamp().as_second() > 2 * 3600 {
            zoned.checked_add(jiff::Span::new().days(1)).ok()
        } else {
            Some(zoned)
        }
    });
    let minutes_left = target
        .as_ref()
        .map(|t| (t.timestamp().as_second() - now.timestamp().as_second()) / 60);
    let mut slots: Vec<Slot> = plan
        .routine
        .iter()
        .map(|r| Slot {
            at: r
                .at
                .clone()
                .unwrap_or_else(|| format!("{} min before bed", r.minutes_before_bed)),
            minutes_before: r.minutes_before_bed,
            title: r.title.clone(),
            id: r.id.clone(),
        })
        .collect();
    slots.sort_by_key(|s| std::cmp::Reverse(s.minutes_before));
    let acute = plan
        .steps
        .iter()
        .filter(|s| s.stage == Stage::Acute)
        .map(|s| (s.id.clone(), s.title.clone(), s.why.clone()))
        .collect();
    let outlook = service::outlook(&app, me.person).await?;
    let night = service::default_night(profile.as_ref().map(|p| &p.profile));
    let logged = app
        .store()
        .night(me.person, night)
        .await?
        .map(|n| n.severity);
    // Only a time of day is shown back; anything else in the address is ignored.
    let noted = query
        .noted
        .as_deref()
        .and_then(|t| t.parse::<quietlegs_core::profile::ClockTime>().ok())
        .map(|t| t.to_string());
    Ok(render(&TonightPage {
        chrome: Chrome::new(&app, Some(&me), "tonight"),
        bedtime: bedtime.map(|b| b.to_string()),
        bedtime_at: target
            .map(|t| t.timestamp().to_string())
            .unwrap_or_default(),
        minutes_left,
        slots,
        acute,
        outlook,
        disclaimer: quietlegs_core::plan::DISCLAIMER,
        night: night.to_string(),
        logged,
        quick_from: "tonight",
        noted,
    }))
}
