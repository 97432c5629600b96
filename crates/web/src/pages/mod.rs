//! Server-rendered pages. Each module is one page: it reads what it needs through the store and
//! the domain, and renders an askama template; forms post back and re-render with the field at
//! fault named.

pub mod account;
pub mod assess;
pub mod checkin;
pub mod connect;
pub mod home;
pub mod insights;
pub mod journal;
pub mod labs;
pub mod plan;
pub mod quick;
pub mod report;
pub mod settings;
pub mod share;
pub mod tonight;

use askama::Template;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};

use crate::auth::{SignedIn, Viewer};
use crate::error::ApiError;
use crate::{AppState, Mode};

/// What every page's frame needs: who is signed in, their CSRF token, which tab is active.
pub struct Chrome {
    pub signed_in: bool,
    pub username: String,
    pub csrf: String,
    pub active: &'static str,
    pub local: bool,
}

impl Chrome {
    pub fn new(app: &AppState, user: Option<&SignedIn>, active: &'static str) -> Self {
        Self {
            signed_in: user.is_some(),
            username: user.map(|u| u.username.clone()).unwrap_or_default(),
            csrf: user.map(|u| u.csrf.clone()).unwrap_or_default(),
            active,
            local: matches!(app.config().mode, Mode::Local { .. }),
        }
    }

    /// The main navigation: (path, label, tab name).
    pub fn tabs(&self) -> &'static [(&'static str, &'static str, &'static str)] {
        &[
            ("/", "Home", "home"),
            ("/tonight", "Tonight", "tonight"),
            ("/checkin", "Check in", "checkin"),
            ("/journal", "Journal", "journal"),
            ("/insights", "Insights", "insights"),
            ("/plan", "Plan", "plan"),
            ("/labs", "Labs", "labs"),
            ("/library", "Library", "library"),
            ("/settings", "Settings", "settings"),
        ]
    }
}

/// Renders a template, or a plain 500 if rendering fails (it only fails on a template bug).
pub fn render(template: &impl Template) -> Response {
    match template.render() {
        Ok(html) => Html(html).into_response(),
        Err(err) => {
            tracing::error!(%err, "template rendering failed");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                "the page could not be drawn",
            )
                .into_response()
        }
    }
}

/// Renders a form page again with its error, as 422 so scripts can tell, swapped in by htmx.
pub fn render_invalid(template: &impl Template) -> Response {
    let mut response = render(template);
    if response.status() == StatusCode::OK {
        *response.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    response
}

/// A problem to show at the top of a form, with the field to point at.
pub struct FormError {
    pub field: String,
    pub message: String,
}

impl From<ApiError> for FormError {
    fn from(e: ApiError) -> Self {
        FormError {
            field: e.field.unwrap_or_default(),
            message: e.message,
        }
    }
}

#[derive(Template)]
#[template(path = "message.html")]
struct Message {
    chrome: Chrome,
    title: String,
    text: String,
}

/// A page handler's failure. Handlers return [`PageResult`] and use `?`; the failure travels
/// in the response's extensions to [`error_pages`], which knows who is asking and draws the
/// page that explains it.
#[derive(Debug)]
pub struct PageError(pub ApiError);

pub type PageResult = Result<Response, PageError>;

impl<E: Into<ApiError>> From<E> for PageError {
    fn from(err: E) -> Self {
        PageError(err.into())
    }
}

/// The failure a response stands for, until [`error_pages`] draws it.
#[derive(Clone)]
struct Failed(ApiError);

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let mut response = self.0.status.into_response();
        response.extensions_mut().insert(Failed(self.0));
        response
    }
}

/// Turns a [`PageError`] into the page that explains it, with the navigation of whoever is
/// signed in (the session layer has run by now).
pub async fn error_pages(
    axum::extract::State(app): axum::extract::State<AppState>,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let user = SignedIn::from_extensions(request.extensions());
    let mut response = next.run(request).await;
    match response.extensions_mut().remove::<Failed>() {
        Some(Failed(err)) => error_page(&app, user.as_ref(), err),
        None => response,
    }
}

/// A short page that explains an error (store failures and the like).
fn error_page(app: &AppState, user: Option<&SignedIn>, err: ApiError) -> Response {
    let status = err.status;
    let mut response = render(&Message {
        chrome: Chrome::new(app, user, ""),
        title: if status.is_server_error() {
            "Something went wrong".into()
        } else {
            "That did not work".into()
        },
        text: err.message,
    });
    *response.status_mut() = status;
    response
}

#[derive(Template)]
#[template(path = "not_found.html")]
struct NotFound {
    chrome: Chrome,
}

pub async fn not_found(
    axum::extract::State(app): axum::extract::State<AppState>,
    Viewer(user): Viewer,
) -> Response {
    let mut response = render(&NotFound {
        chrome: Chrome::new(&app, user.as_ref(), ""),
    });
    *response.status_mut() = StatusCode::NOT_FOUND;
    response
}

/// Renders numbers the way people read them: at most one decimal, no trailing zero.
pub fn num(value: f64) -> String {
    quietlegs_core::knowledge::entry_number(value)
}
