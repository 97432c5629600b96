use askama::Template;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};

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

#[derive(Template)]
#[template(path = "home.html")]
struct Home;

pub async fn home() -> Response {
    render(&Home)
}

#[derive(Template)]
#[template(path = "not_found.html")]
struct NotFound;

pub async fn not_found() -> Response {
    let mut response = render(&NotFound);
    *response.status_mut() = StatusCode::NOT_FOUND;
    response
}
