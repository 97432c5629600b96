//! The OpenAPI document, generated from the handlers' annotations and the types they use.

use axum::Json;
use axum::response::IntoResponse;
use utoipa::OpenApi;

use crate::api;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Quietlegs API",
        description = "A person's restless-legs journal, labs, plan and insights. Every route acts \
            on the signed-in person only. Sign in with POST /api/v1/login (or the local sign-in \
            link); send the returned csrf_token in X-CSRF-Token on every state-changing request.",
        license(name = "AGPL-3.0-or-later")
    ),
    paths(
        api::signup, api::login, api::logout, api::get_profile, api::put_profile, api::plan,
        api::journal, api::get_night, api::put_night, api::delete_night, api::labs,
        api::add_lab, api::get_lab, api::delete_lab, api::insights, api::outlook, api::export,
        api::import,
        api::calendar, crate::episodes::add, crate::episodes::list,
        crate::tokens::add, crate::tokens::list, crate::tokens::revoke,
        crate::feeds::add, crate::feeds::list, crate::feeds::revoke,
        crate::reminders::get, crate::reminders::put,
        crate::push::routes::key, crate::push::routes::subscribe, crate::push::routes::unsubscribe
    ),
    components(schemas(
        crate::error::ErrorBody, crate::error::ErrorDetail, api::Credentials, api::SessionInfo,
        api::StoredLab, api::NewLab, crate::transfer::ImportSummary,
        quietlegs_core::journal::NightEntry, quietlegs_core::journal::LabRecord,
        quietlegs_core::journal::Intensity, crate::episodes::EpisodeOut,
        crate::episodes::NewEpisode,
        crate::tokens::NewToken, crate::tokens::Scope, crate::tokens::CreatedToken, crate::tokens::TokenOut,
        crate::feeds::NewFeed, crate::feeds::CreatedFeed, crate::feeds::FeedOut,
        crate::reminders::Reminders,
        crate::push::routes::PushKey, crate::push::routes::NewSubscription,
        crate::push::routes::SubscriptionKeys, crate::push::routes::Unsubscribe,
        crate::push::routes::Subscribed
    )),
    modifiers(&Security),
    security(("session" = []))
)]
pub struct ApiDoc;

/// Declares the session cookie as the way to authenticate.
struct Security;

impl utoipa::Modify for Security {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{ApiKey, ApiKeyValue, SecurityScheme};
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "session",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::new(
                crate::auth::SESSION_COOKIE,
            ))),
        );
        // Personal API tokens (`POST /api/v1/tokens`): the journal routes with `log-nights`,
        // insights, plan, outlook and the journal with `read-insights`; never account routes.
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                utoipa::openapi::security::HttpBuilder::new()
                    .scheme(utoipa::openapi::security::HttpAuthScheme::Bearer)
                    .description(Some(
                        "A personal API token: the journal (scope log-nights), insights, plan \
                         and outlook (read-insights); no cookie or CSRF token needed",
                    ))
                    .build(),
            ),
        );
    }
}

pub async fn document() -> impl IntoResponse {
    Json(ApiDoc::openapi())
}
