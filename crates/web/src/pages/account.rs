//! Sign-in, sign-up and sign-out pages, and the local mode's sign-in link.

use askama::Template;
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Redirect, Response};
use quietlegs_store::LOCAL_PERSON;
use serde::Deserialize;

use super::{Chrome, FormError, PageResult, render, render_invalid};
use crate::auth::{self, Viewer};
use crate::forms::FormData;
use crate::{AppState, Mode};

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    chrome: Chrome,
    signup: bool,
    username: String,
    error: Option<FormError>,
}

#[derive(Template)]
#[template(path = "signup.html")]
struct SignupPage {
    chrome: Chrome,
    username: String,
    error: Option<FormError>,
}

#[derive(Debug, Deserialize)]
pub struct LoginQuery {
    token: Option<String>,
}

fn signed_in_redirect(cookie: HeaderValue, to: &'static str) -> Response {
    let mut response = Redirect::to(to).into_response();
    response.headers_mut().insert(header::SET_COOKIE, cookie);
    response
}

fn login_form(app: &AppState, username: String, error: Option<FormError>) -> LoginPage {
    LoginPage {
        chrome: Chrome::new(app, None, "login"),
        signup: matches!(app.config().mode, Mode::Server { signup: true }),
        username,
        error,
    }
}

/// The sign-in page; in local mode, `?token=` with the printed secret signs the person in.
pub async fn login_page(
    State(app): State<AppState>,
    Viewer(user): Viewer,
    Query(query): Query<LoginQuery>,
) -> PageResult {
    let app = &app;
    let signed_in = user.is_some();
    if let (Mode::Local { token }, Some(given)) = (&app.config().mode, query.token.as_deref()) {
        if !auth::same_secret(token, given) {
            tracing::warn!("a local sign-in link with a wrong token was opened");
            return Ok(render_invalid(&login_form(
                app,
                String::new(),
                Some(FormError {
                    field: "token".into(),
                    message: "this sign-in link is old or mistyped; use the one the server \
                              printed when it last started"
                        .into(),
                }),
            )));
        }
        let person = app.store().ensure_person(LOCAL_PERSON).await?;
        let session = auth::start_session(app, person).await?;
        return Ok(signed_in_redirect(session.cookie, "/"));
    }
    if signed_in {
        return Ok(Redirect::to("/").into_response());
    }
    Ok(render(&login_form(app, String::new(), None)))
}

pub async fn login(
    State(app): State<AppState>,
    extensions: axum::http::Extensions,
    body: Bytes,
) -> Response {
    let form = match FormData::parse(&body) {
        Ok(f) => f,
        Err(e) => return render_invalid(&login_form(&app, String::new(), Some(e.into()))),
    };
    let username = form.get("username").unwrap_or("").to_string();
    let password = form
        .0
        .iter()
        .find(|(k, _)| k == "password")
        .map(|(_, v)| v.as_str())
        .unwrap_or("");
    match auth::sign_in(&app, &username, password, auth::client_addr(&extensions)).await {
        Ok((_, session)) => signed_in_redirect(session.cookie, "/"),
        Err(e) => {
            let status = e.status;
            let mut response = render(&login_form(&app, username, Some(e.into())));
            *response.status_mut() = status;
            response
        }
    }
}

pub async fn signup_page(State(app): State<AppState>, Viewer(user): Viewer) -> Response {
    if user.is_some() {
        return Redirect::to("/").into_response();
    }
    if !matches!(app.config().mode, Mode::Server { signup: true }) {
        return Redirect::to("/login").into_response();
    }
    render(&SignupPage {
        chrome: Chrome::new(&app, None, "signup"),
        username: String::new(),
        error: None,
    })
}

pub async fn signup(
    State(app): State<AppState>,
    extensions: axum::http::Extensions,
    body: Bytes,
) -> Response {
    let form = match FormData::parse(&body) {
        Ok(f) => f,
        Err(e) => {
            return render_invalid(&SignupPage {
                chrome: Chrome::new(&app, None, "signup"),
                username: String::new(),
                error: Some(e.into()),
            });
        }
    };
    let username = form.get("username").unwrap_or("").to_string();
    let raw = |name: &str| {
        form.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let (password, again) = (raw("password"), raw("password_again"));
    let result = if password != again {
        Err(crate::error::ApiError::field(
            "password_again",
            "the two passwords differ",
        ))
    } else {
        auth::sign_up(&app, &username, &password, auth::client_addr(&extensions)).await
    };
    match result {
        // A new person starts with the assessment.
        Ok((_, session)) => signed_in_redirect(session.cookie, "/assess"),
        Err(e) => {
            let status = e.status;
            let mut response = render(&SignupPage {
                chrome: Chrome::new(&app, None, "signup"),
                username,
                error: Some(e.into()),
            });
            *response.status_mut() = status;
            response
        }
    }
}

pub async fn logout(State(app): State<AppState>, headers: HeaderMap) -> PageResult {
    let cookie = auth::end_session(&app, &headers).await?;
    let mut response = signed_in_redirect(cookie, "/login");
    let (name, value) = auth::clear_site_data();
    response.headers_mut().insert(name, value);
    Ok(response)
}
