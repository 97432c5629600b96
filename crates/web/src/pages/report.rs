//! The doctor report as a page to print or save.

use axum::extract::State;
use axum::http::{HeaderValue, header};
use axum::response::IntoResponse;

use super::{PageError, PageResult};
use crate::AppState;
use crate::auth::PageUser;
use crate::error::ApiError;
use quietlegs_report as report;

/// The report carries its own styles so it prints and saves as one file; its policy allows
/// those styles and nothing else (no scripts, no requests).
pub const REPORT_CSP: &str = "default-src 'none'; style-src 'unsafe-inline'; img-src data:";

pub async fn page(State(app): State<AppState>, PageUser(me): PageUser) -> PageResult {
    html_for(&app, me.person).await
}

/// `person`'s report, rendered by `render` on a blocking thread, in its turn among the heavy
/// jobs (the report holds the whole journal while it is built).
async fn rendered<T: Send + 'static>(
    app: &AppState,
    person: quietlegs_store::PersonId,
    render: impl FnOnce(&report::Report) -> T + Send + 'static,
) -> Result<T, ApiError> {
    let _turn = app.heavy_turn().await?;
    let derived = crate::service::derived(app, person, None).await?;
    let r = quietlegs_app::report::for_person(app.store(), app.kb(), app.rules(), person, &derived)
        .await?;
    crate::blocking(move || render(&r)).await
}

/// The report of `person` as a page (for the person, or for a share link).
pub async fn html_for(app: &AppState, person: quietlegs_store::PersonId) -> PageResult {
    match rendered(app, person, report::html::render).await? {
        Some(html) => Ok((
            [
                (
                    header::CONTENT_TYPE,
                    HeaderValue::from_static("text/html; charset=utf-8"),
                ),
                (
                    header::CONTENT_SECURITY_POLICY,
                    HeaderValue::from_static(REPORT_CSP),
                ),
            ],
            html,
        )
            .into_response()),
        None => Err(PageError(ApiError::internal())),
    }
}

pub async fn pdf(State(app): State<AppState>, PageUser(me): PageUser) -> PageResult {
    pdf_for(&app, me.person).await
}

/// The PDF report of `person` as a download (for the person, or for a share link).
pub async fn pdf_for(app: &AppState, person: quietlegs_store::PersonId) -> PageResult {
    match rendered(app, person, report::pdf::render).await? {
        Ok(bytes) => Ok(crate::transfer::attachment(
            "application/pdf",
            "attachment; filename=\"quietlegs-report.pdf\"",
            bytes,
        )),
        Err(err) => {
            tracing::error!(%err, "the PDF report failed");
            Err(PageError(ApiError::internal()))
        }
    }
}
