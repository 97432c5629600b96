//! The settings sections for reminders and connections: the check-in reminder time, personal
//! API tokens and calendar feeds, each made and revoked by a form (with its CSRF token, like
//! the share links). A new token or feed address is shown once, on the page that made it.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};

use super::settings::{Shown, settings_page_with};
use super::{PageError, PageResult};
use crate::AppState;
use crate::auth::{self, PageUser, SignedIn};
use crate::error::ApiError;
use crate::forms::FormData;
use crate::tokens::{self, CreatedToken};

pub struct TokenRow {
    pub id: i64,
    pub name: String,
    pub scopes: String,
    pub created: String,
    pub last_used: String,
}

pub struct FeedRow {
    pub id: i64,
    pub created: String,
}

/// A freshly made secret to show once.
pub struct NewFeed {
    pub url: String,
    /// The same address as `webcal://`, which calendar apps open as a subscription; `None`
    /// when the address is a bare path.
    pub webcal: Option<String>,
}

/// What the settings page shows of reminders, tokens and feeds.
pub struct Connect {
    pub checkin: String,
    pub tokens: Vec<TokenRow>,
    pub feeds: Vec<FeedRow>,
    pub new_token: Option<CreatedToken>,
    pub new_feed: Option<NewFeed>,
    /// Every scope with what it opens, for the new-token form.
    pub scopes: Vec<(&'static str, &'static str)>,
}

/// The date part of an RFC 3339 time, as the tables show it.
fn day_of(text: &str) -> String {
    text.get(..10).unwrap_or(text).to_string()
}

impl Connect {
    pub async fn load(
        app: &AppState,
        me: &SignedIn,
        new_token: Option<CreatedToken>,
        new_feed: Option<NewFeed>,
    ) -> Result<Self, PageError> {
        let checkin = app
            .store()
            .checkin_reminder(me.person)
            .await?
            .map(|t| t.to_string())
            .unwrap_or_default();
        let tokens = app
            .store()
            .api_tokens(me.person)
            .await?
            .into_iter()
            .map(|t| TokenRow {
                id: t.id,
                name: t.name,
                scopes: t.scopes.join(", "),
                created: day_of(&t.created_at),
                last_used: t.last_used_at.as_deref().map_or("never".into(), day_of),
            })
            .collect();
        let feeds = app
            .store()
            .calendar_feeds(me.person)
            .await?
            .into_iter()
            .map(|f| FeedRow {
                id: f.id,
                created: day_of(&f.created_at),
            })
            .collect();
        Ok(Self {
            checkin,
            tokens,
            feeds,
            new_token,
            new_feed,
            scopes: vec![
                (auth::LOG_NIGHTS, "log and read nights"),
                (auth::READ_INSIGHTS, "read insights, plan and journal"),
            ],
        })
    }
}

/// Re-draws the settings page after one of these forms: a message, or the field at fault.
async fn after(app: &AppState, me: &SignedIn, result: Result<Shown, ApiError>) -> PageResult {
    match result {
        Ok(shown) => settings_page_with(app, me, shown).await,
        // Someone else's (or an already revoked) id is a missing page, as for share links.
        Err(e) if e.status.is_server_error() || e.status == StatusCode::NOT_FOUND => {
            Err(PageError(e))
        }
        Err(e) => {
            settings_page_with(
                app,
                me,
                Shown {
                    error: Some(e.into()),
                    ..Shown::default()
                },
            )
            .await
        }
    }
}

fn saying(message: &str) -> Shown {
    Shown {
        message: Some(message.into()),
        ..Shown::default()
    }
}

pub async fn save_reminder(
    State(app): State<AppState>,
    PageUser(me): PageUser,
    body: Bytes,
) -> PageResult {
    let result = async {
        let form = FormData::parse(&body)?;
        let at = crate::reminders::parse_time("checkin", form.get("checkin"))?;
        app.store().set_checkin_reminder(me.person, at).await?;
        Ok(saying(match at {
            Some(_) => "Saved: your calendar feed and notifications remind you at that time.",
            None => "Saved: no check-in reminder.",
        }))
    }
    .await;
    after(&app, &me, result).await
}

pub async fn add_token(
    State(app): State<AppState>,
    PageUser(me): PageUser,
    body: Bytes,
) -> PageResult {
    let result = async {
        let form = FormData::parse(&body)?;
        let name = tokens::check_name(form.get("name").unwrap_or(""))?;
        let scopes = tokens::check_scopes(Some(form.all("scope")))?;
        let made = tokens::create(&app, me.person, name, scopes).await?;
        Ok(Shown {
            new_token: Some(made),
            ..Shown::default()
        })
    }
    .await;
    after(&app, &me, result).await
}

pub async fn revoke_token(
    State(app): State<AppState>,
    PageUser(me): PageUser,
    body: Bytes,
) -> PageResult {
    let result = async {
        let id = crate::forms::form_id(&body, "token")?;
        if app.store().revoke_api_token(me.person, id).await? {
            Ok(saying("The token no longer opens anything."))
        } else {
            Err(ApiError::not_found())
        }
    }
    .await;
    after(&app, &me, result).await
}

pub async fn add_feed(
    State(app): State<AppState>,
    PageUser(me): PageUser,
    headers: HeaderMap,
) -> PageResult {
    let result = async {
        let made = crate::feeds::create(&app, me.person, &headers).await?;
        let webcal = made
            .url
            .strip_prefix("https://")
            .or_else(|| made.url.strip_prefix("http://"))
            .map(|rest| format!("webcal://{rest}"));
        Ok(Shown {
            new_feed: Some(NewFeed {
                url: made.url,
                webcal,
            }),
            ..Shown::default()
        })
    }
    .await;
    after(&app, &me, result).await
}

pub async fn revoke_feed(
    State(app): State<AppState>,
    PageUser(me): PageUser,
    body: Bytes,
) -> PageResult {
    let result = async {
        let id = crate::forms::form_id(&body, "calendar feed")?;
        if app.store().revoke_calendar_feed(me.person, id).await? {
            Ok(saying("That calendar address no longer opens."))
        } else {
            Err(ApiError::not_found())
        }
    }
    .await;
    after(&app, &me, result).await
}
