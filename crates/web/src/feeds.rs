//! Secret calendar feeds: `POST`/`GET /api/v1/calendar/feeds` and
//! `DELETE /api/v1/calendar/feeds/{id}` (account routes: session only), and the feed itself at
//! `GET /calendar/feeds/{secret}.ics`, which a calendar app fetches again and again with no
//! session. The secret in the address is the only key; the database keeps its hash, and the
//! request log records the route pattern, never the path, so the secret is written nowhere.
//!
//! An unknown or revoked secret answers 404 after the same hash and the same single indexed
//! lookup a live one takes; what differs afterwards (drawing the calendar) only follows a
//! match, which the status says anyway.

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use jiff::civil::Date;
use quietlegs_core::journal::{Experiment, ExperimentStatus};
use quietlegs_io::ics::{Feed, Retest, Switch, feed_calendar};
use quietlegs_stats::AbabSchedule;
use quietlegs_store::{CalendarFeed, PersonId};
use serde::{Deserialize, Serialize};

use crate::AppState;
use crate::api::json_body;
use crate::auth::{self, SessionUser};
use crate::error::{ApiError, ApiResult};
use crate::input::id_param;
use crate::service;

/// Most feeds one person may hold at once (one per calendar app is the usual need).
pub const MAX_FEEDS: usize = 10;
/// Pairs of an on/off schedule written to the calendar. The coins are drawn in order from the
/// seed, so the first pairs of a longer schedule are the same; a schedule this long is already
/// more than a year of nights.
const MAX_PAIRS: u32 = 100;
/// Longest period of an on/off schedule that is drawn (nights); longer ones are not real
/// schedules and would overflow the night count.
const MAX_PERIOD_NIGHTS: u32 = 366;

/// The body of `POST /api/v1/calendar/feeds`: nothing to choose yet (empty, or `{}`).
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewFeed {}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CreatedFeed {
    pub id: i64,
    /// The address to subscribe to, shown once; only its secret's hash is kept. Without a
    /// configured `public_url` a server-mode answer is the path alone.
    pub url: String,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct FeedOut {
    pub id: i64,
    #[schema(format = DateTime)]
    pub created_at: String,
}

impl From<CalendarFeed> for FeedOut {
    fn from(f: CalendarFeed) -> Self {
        Self {
            id: f.id,
            created_at: f.created_at,
        }
    }
}

/// The path a feed secret is served at.
pub fn feed_path(secret: &str) -> String {
    format!("/calendar/feeds/{secret}.ics")
}

/// Makes a feed for `person`; returns its id and the address to hand to a calendar app.
pub async fn create(
    app: &AppState,
    person: PersonId,
    headers: &HeaderMap,
) -> ApiResult<CreatedFeed> {
    if app.store().calendar_feeds(person).await?.len() >= MAX_FEEDS {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            "too-many-feeds",
            format!("you already have {MAX_FEEDS} calendar feeds; revoke one first"),
        ));
    }
    let secret = auth::new_token()?;
    let id = app
        .store()
        .create_calendar_feed(person, &auth::token_hash(&secret))
        .await?;
    let url = crate::pages::share::address_for(app, headers, &feed_path(&secret));
    Ok(CreatedFeed { id, url })
}

#[utoipa::path(post, path = "/api/v1/calendar/feeds",
    request_body(content = NewFeed, description = "`{}` (or empty)"),
    responses((status = 201, body = CreatedFeed), (status = 403, body = crate::error::ErrorBody),
              (status = 409, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
pub async fn add(
    State(app): State<AppState>,
    SessionUser(me): SessionUser,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Response> {
    if !body.iter().all(u8::is_ascii_whitespace) {
        let _: NewFeed = json_body(&body)?;
    }
    let made = create(&app, me.person, &headers).await?;
    Ok((StatusCode::CREATED, Json(made)).into_response())
}

#[utoipa::path(get, path = "/api/v1/calendar/feeds",
    responses((status = 200, body = Vec<FeedOut>), (status = 403, body = crate::error::ErrorBody)))]
pub async fn list(
    State(app): State<AppState>,
    SessionUser(me): SessionUser,
) -> ApiResult<Response> {
    let feeds: Vec<FeedOut> = app
        .store()
        .calendar_feeds(me.person)
        .await?
        .into_iter()
        .map(FeedOut::from)
        .collect();
    Ok(Json(feeds).into_response())
}

#[utoipa::path(delete, path = "/api/v1/calendar/feeds/{id}", params(("id" = i64, Path)),
    responses((status = 204), (status = 404, body = crate::error::ErrorBody),
              (status = 422, body = crate::error::ErrorBody)))]
pub async fn revoke(
    State(app): State<AppState>,
    SessionUser(me): SessionUser,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let id = id_param("id", &id, "calendar feed")?;
    if app.store().revoke_calendar_feed(me.person, id).await? {
        Ok(StatusCode::NO_CONTENT.into_response())
    } else {
        Err(ApiError::not_found())
    }
}

/// `GET /calendar/feeds/{secret}.ics`: the feed, to anyone holding the address.
pub async fn serve(State(app): State<AppState>, Path(file): Path<String>) -> Response {
    let secret = file.strip_suffix(".ics").unwrap_or(&file);
    let owner = match app
        .store()
        .calendar_feed_owner(&auth::token_hash(secret))
        .await
    {
        Ok(owner) => owner,
        Err(err) => return ApiError::from(err).into_response(),
    };
    let Some(person) = owner else {
        return (
            StatusCode::NOT_FOUND,
            [(header::CONTENT_TYPE, HeaderValue::from_static("text/plain"))],
            "there is no calendar at this address (it may have been revoked)",
        )
            .into_response();
    };
    match calendar_for(&app, person).await {
        Ok(text) => (
            [(
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/calendar; charset=utf-8"),
            )],
            text,
        )
            .into_response(),
        Err(err) => err.into_response(),
    }
}

/// The feed's text for one person: their routine, check-in reminder, re-tests and switch days.
pub async fn calendar_for(app: &AppState, person: PersonId) -> ApiResult<String> {
    let derived = service::derived(app, person, None).await?;
    let profile = derived.profile.as_ref().map(|p| &p.profile);
    let today = service::today_for(profile);
    let checkin = app.store().checkin_reminder(person).await?;
    let retests = quietlegs_app::lab_goals::effective(app.store(), person, derived.plan.as_ref())
        .await?
        .into_iter()
        .map(|g| Retest {
            name: crate::lab_goals::test_name(app, &g.goal.test),
            test: g.goal.test,
            due: g.goal.due,
        })
        .collect();
    let experiments = app.store().experiments(person).await?;
    let switches = switch_days(&experiments, |id| {
        app.kb()
            .get(id)
            .map_or_else(|| id.to_string(), |e| e.name.clone())
    });
    Ok(feed_calendar(&Feed {
        today,
        timezone: profile.and_then(|p| p.timezone.as_deref()),
        plan: derived.plan.as_ref(),
        checkin,
        retests,
        switches,
    }))
}

/// The days each planned or running on/off experiment starts, switches and ends.
pub fn switch_days(experiments: &[Experiment], name: impl Fn(&str) -> String) -> Vec<Switch> {
    let mut out = Vec::new();
    for e in experiments {
        if !matches!(
            e.status,
            ExperimentStatus::Planned | ExperimentStatus::Running
        ) {
            continue;
        }
        let Some(s) = e.schedule else { continue };
        if s.pairs == 0 || s.period_nights == 0 || s.period_nights > MAX_PERIOD_NIGHTS {
            continue;
        }
        let schedule = AbabSchedule {
            pairs: s.pairs.min(MAX_PAIRS),
            ..AbabSchedule::from(s)
        };
        let day = |night: i64| -> Option<Date> {
            e.start.checked_add(jiff::Span::new().days(night)).ok()
        };
        let remedy = name(&e.remedy);
        let period = i64::from(schedule.period_nights);
        let mut before = None;
        for p in 0..2 * i64::from(schedule.pairs) {
            let on = schedule.on_at(p * period);
            if on != before
                && let Some(day) = day(p * period)
            {
                out.push(Switch {
                    remedy: e.remedy.clone(),
                    name: remedy.clone(),
                    day,
                    on,
                });
            }
            before = on;
        }
        // A schedule cut short above has no end worth showing.
        if schedule.pairs == s.pairs
            && let Some(day) = day(i64::from(schedule.total_nights()))
        {
            out.push(Switch {
                remedy: e.remedy.clone(),
                name: remedy,
                day,
                on: None,
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;
    use quietlegs_core::journal::OnOffSchedule;

    fn experiment(status: ExperimentStatus, pairs: u32, period: u32) -> Experiment {
        Experiment {
            remedy: "magnesium".into(),
            start: date(2027, 3, 1),
            planned_end: None,
            status,
            schedule: Some(OnOffSchedule {
                seed: 11,
                pairs,
                period_nights: period,
            }),
        }
    }

    #[test]
    fn switch_days_follow_the_schedule_and_end_once() {
        let e = experiment(ExperimentStatus::Running, 4, 7);
        let days = switch_days(std::slice::from_ref(&e), str::to_uppercase);
        let abab = AbabSchedule::from(e.schedule.unwrap_or(OnOffSchedule {
            seed: 0,
            pairs: 0,
            period_nights: 0,
        }));
        // Every switch day is a night where the phase differs from the night before.
        for s in &days[..days.len() - 1] {
            let night = i64::from(e.start.until(s.day).map_or(-1, |sp| sp.get_days()));
            assert_eq!(s.on, abab.on_at(night));
            assert!(night == 0 || abab.on_at(night - 1) != abab.on_at(night));
            assert_eq!(s.name, "MAGNESIUM");
        }
        let expected = (1..56)
            .filter(|&n| abab.on_at(n - 1) != abab.on_at(n))
            .count()
            + 1;
        assert_eq!(days.len() - 1, expected);
        let last = &days[days.len() - 1];
        assert_eq!((last.day, last.on), (date(2027, 4, 26), None));
    }

    #[test]
    fn finished_and_absurd_schedules_draw_nothing_and_long_ones_are_cut() {
        for e in [
            experiment(ExperimentStatus::Finished, 4, 7),
            experiment(ExperimentStatus::Running, 4, 0),
            experiment(ExperimentStatus::Running, 4, u32::MAX),
        ] {
            assert!(switch_days(&[e], str::to_string).is_empty());
        }
        let long = switch_days(
            &[experiment(ExperimentStatus::Running, u32::MAX, 1)],
            str::to_string,
        );
        assert!(!long.is_empty() && long.len() <= 2 * MAX_PAIRS as usize);
        assert!(
            long.iter().all(|s| s.on.is_some()),
            "no end for a cut schedule"
        );
    }
}
