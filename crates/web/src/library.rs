use askama::Template;
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use quietlegs_core::knowledge::{Entry, Kind, Source, Summary};
use serde::Deserialize;

use crate::AppState;
use crate::auth::Viewer;
use crate::error::ApiError;
use crate::pages::{Chrome, not_found, render};

#[derive(Debug, Deserialize)]
pub struct LibraryQuery {
    #[serde(default)]
    q: String,
    #[serde(default)]
    kind: String,
}

struct Group<'a> {
    title: &'static str,
    entries: Vec<&'a Entry>,
}

#[derive(Template)]
#[template(path = "library.html")]
struct LibraryPage<'a> {
    chrome: Chrome,
    q: &'a str,
    kind: &'a str,
    kinds: Vec<(&'static str, &'static str)>,
    groups: Vec<Group<'a>>,
    total: usize,
}

pub async fn page(
    State(app): State<AppState>,
    Viewer(user): Viewer,
    Query(query): Query<LibraryQuery>,
) -> Response {
    let kind: Option<Kind> = query.kind.parse().ok();
    let found = app.kb().find(&query.q, kind);
    let searching = !query.q.trim().is_empty();
    let groups = if searching {
        // Search results keep their ranking rather than being regrouped.
        vec![Group {
            title: "Best matches first",
            entries: found.clone(),
        }]
    } else {
        Kind::ALL
            .iter()
            .map(|k| Group {
                title: k.plural_title(),
                entries: found.iter().copied().filter(|e| e.kind == *k).collect(),
            })
            .filter(|g| !g.entries.is_empty())
            .collect()
    };
    render(&LibraryPage {
        chrome: Chrome::new(&app, user.as_ref(), "library"),
        q: &query.q,
        kind: &query.kind,
        kinds: Kind::ALL
            .iter()
            .map(|k| (k.as_str(), k.plural_title()))
            .collect(),
        total: found.len(),
        groups,
    })
}

#[derive(Template)]
#[template(path = "entry.html")]
struct EntryPage<'a> {
    chrome: Chrome,
    e: &'a Entry,
    meaning: &'static str,
    dose: Option<String>,
    member_of: Vec<&'a Entry>,
    members: Vec<&'a Entry>,
    related: Vec<&'a Entry>,
    sources: Vec<&'a Source>,
}

pub async fn entry_page(
    State(app): State<AppState>,
    Viewer(user): Viewer,
    Path(id): Path<String>,
) -> Response {
    let Some(e) = app.kb().get(&id) else {
        return not_found(State(app), Viewer(user)).await;
    };
    let lookup = |ids: &[String]| {
        ids.iter()
            .filter_map(|i| app.kb().get(i))
            .collect::<Vec<_>>()
    };
    render(&EntryPage {
        chrome: Chrome::new(&app, user.as_ref(), "library"),
        e,
        meaning: e.evidence.meaning(),
        dose: e.dose.as_ref().map(ToString::to_string),
        member_of: lookup(&e.member_of),
        members: app.kb().members_of(&e.id).collect(),
        related: lookup(&e.related),
        sources: e
            .sources
            .iter()
            .filter_map(|s| app.kb().source(s))
            .collect(),
    })
}

pub async fn api_list(State(app): State<AppState>, Query(query): Query<LibraryQuery>) -> Response {
    let kind = if query.kind.is_empty() {
        None
    } else {
        match query.kind.parse::<Kind>() {
            Ok(k) => Some(k),
            Err(message) => {
                return ApiError::bad_request(message)
                    .with_field("kind")
                    .into_response();
            }
        }
    };
    let items: Vec<Summary> = app
        .kb()
        .find(&query.q, kind)
        .into_iter()
        .map(Summary::from)
        .collect();
    Json(items).into_response()
}

pub async fn api_show(State(app): State<AppState>, Path(id): Path<String>) -> Response {
    match app.kb().get(&id) {
        Some(e) => Json(e).into_response(),
        None => ApiError::new(
            StatusCode::NOT_FOUND,
            "not-found",
            format!("no knowledge entry '{id}'"),
        )
        .with_field("id")
        .into_response(),
    }
}
