//! Read-only share links to the doctor report: made and revoked in settings, opened by anyone
//! holding the link until it expires. Only the token's hash is stored; a wrong, expired or
//! revoked token answers 404 like any other missing page.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, header};

use super::{PageError, PageResult, not_found, settings};
use crate::AppState;
use crate::auth::{self, PageUser, Viewer};
use crate::error::ApiError;
use crate::forms::FormData;

/// How long a new link lasts unless the person chooses (days), and the longest allowed.
pub const DEFAULT_DAYS: i64 = 14;
pub const MAX_DAYS: i64 = 90;

/// The address the person will hand out. In server mode it starts with the configured
/// `public_url`, never the request's `Host` (a spoofed Host would hand out a link to another
/// site); with no `public_url` it is the path alone, which the page shows on this server's own
/// address. In local mode the Host was already checked against this machine's own names.
fn link_for(app: &AppState, headers: &HeaderMap, token: &str) -> String {
    address_for(app, headers, &format!("/share/{token}"))
}

/// The address of `path` as handed out (see [`link_for`]); calendar feeds use it too.
pub(crate) fn address_for(app: &AppState, headers: &HeaderMap, path: &str) -> String {
    if let Some(base) = &app.config().public_url {
        return format!("{}{path}", base.trim_end_matches('/'));
    }
    match app.config().mode {
        crate::Mode::Local { .. } => {
            let host = headers
                .get(header::HOST)
                .and_then(|h| h.to_str().ok())
                .unwrap_or("127.0.0.1");
            format!("http://{host}{path}")
        }
        crate::Mode::Server { .. } => path.to_string(),
    }
}

pub async fn create(
    State(app): State<AppState>,
    PageUser(me): PageUser,
    headers: HeaderMap,
    body: Bytes,
) -> PageResult {
    let days = FormData::parse(&body).and_then(|f| match f.get("days") {
        None => Ok(DEFAULT_DAYS),
        Some(text) => text
            .parse::<i64>()
            .ok()
            .filter(|d| (1..=MAX_DAYS).contains(d))
            .ok_or_else(|| {
                ApiError::field(
                    "days",
                    format!("'{text}' is not a whole number of days from 1 to {MAX_DAYS}"),
                )
            }),
    });
    let days = match days {
        Ok(d) => d,
        Err(e) => return settings::settings_page(&app, &me, None, None, Some(e.into())).await,
    };
    let token = auth::new_token()?;
    let expires = auth::unix_now() + days * 86_400;
    app.store()
        .create_share_link(me.person, &auth::token_hash(&token), expires)
        .await?;
    let link = link_for(&app, &headers, &token);
    settings::settings_page(&app, &me, None, Some(link), None).await
}

pub async fn revoke(
    State(app): State<AppState>,
    PageUser(me): PageUser,
    body: Bytes,
) -> PageResult {
    let id = crate::forms::form_id(&body, "share link");
    match id {
        Ok(id) => {
            if app.store().revoke_share_link(me.person, id).await? {
                settings::settings_page(
                    &app,
                    &me,
                    Some("The link no longer opens.".into()),
                    None,
                    None,
                )
                .await
            } else {
                Err(PageError(ApiError::not_found()))
            }
        }
        Err(e) => settings::settings_page(&app, &me, None, None, Some(e.into())).await,
    }
}

/// The person a share token opens; `None` for a wrong, expired or revoked link, which answers
/// like any missing page.
async fn shared_person(
    app: &AppState,
    token: &str,
) -> Result<Option<quietlegs_store::PersonId>, PageError> {
    Ok(app
        .store()
        .share_link_owner(&auth::token_hash(token), auth::unix_now())
        .await?)
}

pub async fn open(
    State(app): State<AppState>,
    viewer: Viewer,
    Path(token): Path<String>,
) -> PageResult {
    match shared_person(&app, &token).await? {
        Some(person) => super::report::html_for(&app, person).await,
        None => Ok(not_found(State(app), viewer).await),
    }
}

pub async fn open_pdf(
    State(app): State<AppState>,
    viewer: Viewer,
    Path(token): Path<String>,
) -> PageResult {
    match shared_person(&app, &token).await? {
        Some(person) => super::report::pdf_for(&app, person).await,
        None => Ok(not_found(State(app), viewer).await),
    }
}
