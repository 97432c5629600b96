//! Settings: bedtime and time zone, export and import, the calendar file, reminders, API tokens
//! and calendar feeds (see [`super::connect`]), the account.

use askama::Template;
use axum::body::Bytes;
use axum::extract::{Multipart, State};
use quietlegs_core::profile::ClockTime;

use super::connect::Connect;
use super::{Chrome, FormError, PageError, PageResult, render, render_invalid};
use crate::AppState;
use crate::auth::{PageUser, SignedIn};
use crate::error::ApiError;
use crate::forms::FormData;
use crate::service;
use quietlegs_io::formats::{Format, GUESS_BYTES};

struct LinkRow {
    id: i64,
    created: String,
    expires: String,
    state: &'static str,
    active: bool,
}

#[derive(Template)]
#[template(path = "settings.html")]
struct SettingsPage {
    chrome: Chrome,
    links: Vec<LinkRow>,
    new_link: Option<String>,
    bedtime: String,
    timezone: String,
    has_profile: bool,
    message: Option<String>,
    error: Option<FormError>,
    connect: Connect,
}

/// What a settings page shows beyond its stored state: a message, a new share link, token or
/// feed address (each shown once), or the field at fault.
#[derive(Default)]
pub struct Shown {
    pub message: Option<String>,
    pub new_link: Option<String>,
    pub new_token: Option<crate::tokens::CreatedToken>,
    pub new_feed: Option<super::connect::NewFeed>,
    pub error: Option<FormError>,
}

pub async fn settings_page(
    app: &AppState,
    me: &SignedIn,
    message: Option<String>,
    new_link: Option<String>,
    error: Option<FormError>,
) -> PageResult {
    settings_page_with(
        app,
        me,
        Shown {
            message,
            new_link,
            error,
            ..Shown::default()
        },
    )
    .await
}

pub async fn settings_page_with(app: &AppState, me: &SignedIn, shown: Shown) -> PageResult {
    let Shown {
        message,
        new_link,
        new_token,
        new_feed,
        error,
    } = shown;
    let connect = Connect::load(app, me, new_token, new_feed).await?;
    let profile = service::profile(app, me.person).await?;
    let links = app.store().share_links(me.person).await?;
    let now = crate::auth::unix_now();
    let when = |secs: i64| {
        jiff::Timestamp::from_second(secs)
            .map(|t| t.strftime("%Y-%m-%d %H:%M UTC").to_string())
            .unwrap_or_default()
    };
    let links = links
        .into_iter()
        .map(|l| LinkRow {
            id: l.id,
            created: l.created_at.get(..10).unwrap_or(&l.created_at).to_string(),
            expires: when(l.expires_at),
            state: if l.revoked {
                "revoked"
            } else if l.expires_at <= now {
                "expired"
            } else {
                "open"
            },
            active: !l.revoked && l.expires_at > now,
        })
        .collect();
    let page = SettingsPage {
        chrome: Chrome::new(app, Some(me), "settings"),
        links,
        new_link,
        bedtime: profile
            .as_ref()
            .and_then(|p| p.profile.bedtime.map(|b| b.to_string()))
            .unwrap_or_default(),
        timezone: profile
            .as_ref()
            .and_then(|p| p.profile.timezone.clone())
            .unwrap_or_default(),
        has_profile: profile.is_some(),
        message,
        error,
        connect,
    };
    Ok(if page.error.is_some() {
        render_invalid(&page)
    } else {
        render(&page)
    })
}

pub async fn page(State(app): State<AppState>, PageUser(me): PageUser) -> PageResult {
    settings_page(&app, &me, None, None, None).await
}

pub async fn save(State(app): State<AppState>, PageUser(me): PageUser, body: Bytes) -> PageResult {
    let result = async {
        let form = FormData::parse(&body)?;
        let mut profile = service::profile(&app, me.person)
            .await?
            .map(|p| p.profile)
            .unwrap_or_default();
        profile.bedtime = form
            .get("bedtime")
            .map(|b| {
                b.parse::<ClockTime>()
                    .map_err(|e| ApiError::field("bedtime", e))
            })
            .transpose()?;
        profile.timezone = form.get("timezone").map(str::to_string);
        service::check_profile(&app, &profile)?;
        app.store().put_profile(me.person, &profile).await?;
        Ok::<_, ApiError>(())
    }
    .await;
    match result {
        Ok(()) => settings_page(&app, &me, Some("Saved.".into()), None, None).await,
        Err(e) if e.status.is_server_error() => Err(PageError(e)),
        Err(e) => settings_page(&app, &me, None, None, Some(e.into())).await,
    }
}

/// A file upload (multipart; its CSRF token travels in the query string).
pub async fn import(
    State(app): State<AppState>,
    PageUser(me): PageUser,
    mut multipart: Multipart,
) -> PageResult {
    let result =
        async {
            let mut file: Option<(String, Vec<u8>)> = None;
            let mut format: Option<String> = None;
            let mut overwrite = false;
            while let Some(field) = multipart.next_field().await.map_err(|e| {
                ApiError::field("file", format!("the upload could not be read: {e}"))
            })? {
                match field.name().unwrap_or("") {
                    "file" => {
                        let name = field.file_name().unwrap_or("upload").to_string();
                        let bytes = field.bytes().await.map_err(|e| {
                            ApiError::field("file", format!("the upload could not be read: {e}"))
                        })?;
                        file = Some((name, bytes.to_vec()));
                    }
                    "format" => format = field.text().await.ok().filter(|t| !t.is_empty()),
                    "overwrite" => overwrite = true,
                    _ => {}
                }
            }
            let (name, bytes) = file
                .filter(|(_, b)| !b.is_empty())
                .ok_or_else(|| ApiError::field("file", "choose a file to import"))?;
            let format = match format.as_deref() {
                Some(f) => crate::input::transfer_format(Some(f))?,
                // A file neither its name nor its content names is read as the journal CSV,
                // whose error then says what a journal needs.
                None => Format::guess(&name, &bytes[..bytes.len().min(GUESS_BYTES)])
                    .unwrap_or(Format::Csv),
            };
            let summary =
                crate::transfer::import(&app, me.person, bytes.into(), format, &name, overwrite)
                    .await?;
            let skipped = summary
                .skipped
                .iter()
                .map(|line| format!(" {}.", quietlegs_core::text::capitalised(line)))
                .collect::<String>();
            Ok::<_, ApiError>(format!(
                "Imported {name}: {} added, {} updated, {} already there.{skipped}",
                summary.added, summary.updated, summary.unchanged
            ))
        }
        .await;
    match result {
        Ok(message) => settings_page(&app, &me, Some(message), None, None).await,
        Err(e) if e.status.is_server_error() => Err(PageError(e)),
        Err(e) => settings_page(&app, &me, None, None, Some(e.into())).await,
    }
}
