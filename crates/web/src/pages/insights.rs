//! Insights: did a change help, which habits go with worse nights, how it is going. Charts are
//! SVG drawn on the server; every result also comes as a plain sentence.

use askama::Template;
use axum::extract::State;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use quietlegs_stats::{Insights, display_name};

use super::{Chrome, PageResult, num, render};
use crate::AppState;
use crate::auth::PageUser;
use crate::service;
use quietlegs_report::charts;

struct Line {
    name: String,
    verdict: &'static str,
    detail: String,
    explanation: String,
    /// The same change on the tracker's measure, labelled as a proxy.
    tracked: Option<String>,
}

#[derive(Template)]
#[template(path = "insights.html")]
struct InsightsPage {
    chrome: Chrome,
    nights: usize,
    summary: Option<String>,
    experiments: Vec<Line>,
    triggers: Vec<Line>,
    has_effects: bool,
    /// How the tracker's restlessness sits beside the ratings, when one measured it.
    tracker: Option<String>,
    proxy_note: &'static str,
    note: &'static str,
}

fn interval(effect: Option<f64>, ci: Option<[f64; 2]>) -> String {
    match (effect, ci) {
        (Some(e), Some([lo, hi])) => format!(
            "change {} points (95% interval {} to {})",
            signed(e),
            signed(lo),
            signed(hi)
        ),
        _ => String::new(),
    }
}

fn signed(v: f64) -> String {
    if v > 0.0 {
        format!("+{}", num(v))
    } else {
        num(v)
    }
}

async fn load(
    app: &AppState,
    me: &crate::auth::SignedIn,
) -> Result<std::sync::Arc<Insights>, crate::error::ApiError> {
    Ok(std::sync::Arc::clone(
        &service::derived_for(app, me).await?.insights,
    ))
}

pub async fn page(State(app): State<AppState>, PageUser(me): PageUser) -> PageResult {
    let insights = load(&app, &me).await?;
    let kb = app.kb();
    let summary = insights.trend.as_ref().map(|t| {
        let mut text = format!(
            "{} nights logged from {} to {}",
            t.logged_nights, t.first_night, t.last_night
        );
        if let Some(m) = t.mean_severity {
            text.push_str(&format!("; average severity {m:.1}"));
        }
        if let (Some(r), Some(p)) = (&t.recent, &t.previous)
            && let (Some(a), Some(b)) = (r.mean_severity, p.mean_severity)
        {
            text.push_str(&format!(
                "; the last 4 weeks averaged {a:.1} against {b:.1} the 4 weeks before"
            ));
        }
        text.push('.');
        text
    });
    let experiments: Vec<Line> = insights
        .experiments
        .iter()
        .map(|e| Line {
            name: display_name(kb, &e.id),
            verdict: e.verdict.in_words(),
            detail: interval(e.effect, e.ci95),
            explanation: e.explanation.clone(),
            tracked: e.objective.as_ref().map(|o| {
                format!(
                    "Tracker (proxy): {}. {}",
                    o.verdict.in_words(),
                    o.explanation
                )
            }),
        })
        .collect();
    let tracker = insights.objective.as_ref().map(tracker_summary);
    let triggers: Vec<Line> = insights
        .triggers
        .iter()
        .map(|t| Line {
            name: format!(
                "{} ({})",
                display_name(kb, &t.factor),
                if t.lag == 0 {
                    "same night"
                } else {
                    "next night"
                }
            ),
            verdict: t.verdict.in_words(),
            detail: interval(t.effect, t.ci95),
            explanation: t.explanation.clone(),
            tracked: None,
        })
        .collect();
    let has_effects = insights.experiments.iter().any(|e| e.ci95.is_some())
        || insights.triggers.iter().any(|t| t.ci95.is_some());
    Ok(render(&InsightsPage {
        chrome: Chrome::new(&app, Some(&me), "insights"),
        nights: insights.nights,
        summary,
        experiments,
        triggers,
        has_effects,
        tracker,
        proxy_note: quietlegs_stats::PROXY_NOTE,
        note: insights.note,
    }))
}

/// One sentence on the tracker's measure beside the ratings.
fn tracker_summary(o: &quietlegs_stats::ObjectiveSummary) -> String {
    let what = o.measure.in_words();
    let mut text = format!(
        "Your tracker measured {what} on {} of your logged nights",
        o.nights
    );
    if let Some(m) = o.mean {
        text.push_str(&format!(
            ", {} {} a night on average",
            num(m),
            o.measure.unit()
        ));
    }
    match o.correlation_with_severity {
        Some(r) => text.push_str(&format!(
            "; it moved with your own ratings by a correlation of {} (1 is in step, 0 unrelated).",
            num(r)
        )),
        None => text.push('.'),
    }
    text
}

fn svg(body: String) -> Response {
    (
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("image/svg+xml"),
        )],
        body,
    )
        .into_response()
}

pub async fn severity_chart(State(app): State<AppState>, PageUser(me): PageUser) -> PageResult {
    let nights = app.store().nights(me.person, None, None).await?;
    let stored = app.store().experiments(me.person).await?;
    let insights = load(&app, &me).await?;
    let points: Vec<_> = nights
        .iter()
        .filter_map(|n| n.night.map(|d| (d, n.severity)))
        .collect();
    let last = points.last().map(|p| p.0);
    let weekly: Vec<_> = insights
        .trend
        .as_ref()
        .map(|t| {
            t.weekly
                .iter()
                .filter_map(|w| w.smoothed.or(w.mean_severity).map(|v| (w.start, v)))
                .collect()
        })
        .unwrap_or_default();
    let phases: Vec<charts::Phase> = insights
        .experiments
        .iter()
        .filter_map(|e| {
            let end = stored
                .iter()
                .find(|s| s.remedy == e.id && s.start == e.start)
                .and_then(|s| s.planned_end)
                .filter(|_| !e.ongoing)
                .or(last)?;
            Some(charts::Phase {
                from: e.start,
                to: end,
                label: display_name(app.kb(), &e.id),
            })
        })
        .collect();
    Ok(svg(charts::severity(&points, &weekly, &phases)))
}

pub async fn trigger_chart(State(app): State<AppState>, PageUser(me): PageUser) -> PageResult {
    let insights = load(&app, &me).await?;
    let kb = app.kb();
    let rows: Vec<(String, f64, [f64; 2])> = insights
        .experiments
        .iter()
        .filter_map(|e| Some((display_name(kb, &e.id), e.effect?, e.ci95?)))
        .chain(insights.triggers.iter().filter_map(|t| {
            let lag = if t.lag == 0 { "" } else { " (next night)" };
            Some((
                format!("{}{lag}", display_name(kb, &t.factor)),
                t.effect?,
                t.ci95?,
            ))
        }))
        .collect();
    Ok(svg(charts::effects(&rows)))
}
