//! `GET /api/v1/push/key`, `POST /api/v1/push/subscriptions` and
//! `DELETE /api/v1/push/subscriptions`: a signed-in browser learns the server's key and hands
//! over (or withdraws) its subscription. Session only: an API token never registers a device.

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};

use crate::AppState;
use crate::api::json_body;
use crate::auth::SessionUser;
use crate::error::{ApiError, ApiResult};
use quietlegs_push::{b64url, ece, from_b64url};

/// Devices one person may have subscribed at once: every reminder goes to each, so a runaway
/// client cannot make one reminder into thousands of requests.
const MAX_SUBSCRIPTIONS: usize = 10;

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct PushKey {
    /// The server's VAPID public key (uncompressed P-256 point, base64url): the
    /// `applicationServerKey` of `pushManager.subscribe`.
    pub public_key: String,
}

/// A browser's `PushSubscription.toJSON()`. Other members (`expirationTime`) are ignored.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct NewSubscription {
    /// The push service URL (https).
    pub endpoint: String,
    pub keys: SubscriptionKeys,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct SubscriptionKeys {
    /// The browser's P-256 public key, base64url (65 bytes).
    pub p256dh: String,
    /// The browser's authentication secret, base64url (16 bytes).
    pub auth: String,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct Unsubscribe {
    pub endpoint: String,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Subscribed {
    pub endpoint: String,
}

fn push_off() -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        "push-off",
        "reminders on a phone (Web Push) need server mode (quietlegs serve --multi-user); \
         subscribe to the calendar feed instead",
    )
}

fn push_of(app: &AppState) -> ApiResult<&crate::push::WebPush> {
    app.push().ok_or_else(push_off)
}

#[utoipa::path(get, path = "/api/v1/push/key",
    responses((status = 200, body = PushKey),
              (status = 401, body = crate::error::ErrorBody),
              (status = 404, description = "local mode: no Web Push", body = crate::error::ErrorBody)))]
pub async fn key(
    State(app): State<AppState>,
    SessionUser(_me): SessionUser,
) -> ApiResult<Response> {
    let push = push_of(&app)?;
    Ok(Json(PushKey {
        public_key: push.public_key(),
    })
    .into_response())
}

/// The subscription's keys, checked and written back in one spelling (base64url, no padding).
fn checked(push: &crate::push::WebPush, s: &NewSubscription) -> ApiResult<(String, String)> {
    push.sender()
        .check(&s.endpoint)
        .map_err(|e| ApiError::field("endpoint", e.to_string()))?;
    let p256dh = from_b64url(&s.keys.p256dh)
        .ok_or_else(|| ApiError::field("keys.p256dh", "is not base64url"))?;
    let auth = from_b64url(&s.keys.auth)
        .ok_or_else(|| ApiError::field("keys.auth", "is not base64url"))?;
    match ece::check_keys(&p256dh, &auth) {
        Ok(()) => Ok((b64url(&p256dh), b64url(&auth))),
        Err(ece::EceError::BadAuth) => Err(ApiError::field(
            "keys.auth",
            format!("is {} bytes; a browser's auth secret is 16", auth.len()),
        )),
        Err(ece::EceError::BadPublicKey) => Err(ApiError::field(
            "keys.p256dh",
            "is not an uncompressed P-256 public key (65 bytes, starting 0x04, on the curve)",
        )),
        Err(e) => {
            tracing::error!(err = %e, "push: checking a subscription's keys failed");
            Err(ApiError::internal())
        }
    }
}

#[utoipa::path(post, path = "/api/v1/push/subscriptions", request_body = NewSubscription,
    responses((status = 201, body = Subscribed),
              (status = 401, body = crate::error::ErrorBody),
              (status = 404, description = "local mode: no Web Push", body = crate::error::ErrorBody),
              (status = 409, description = "too many devices", body = crate::error::ErrorBody),
              (status = 422, body = crate::error::ErrorBody)))]
pub async fn subscribe(
    State(app): State<AppState>,
    SessionUser(me): SessionUser,
    body: Bytes,
) -> ApiResult<Response> {
    let push = push_of(&app)?;
    let input: NewSubscription = json_body(&body)?;
    let (p256dh, auth) = checked(push, &input)?;
    let store = app.store();
    let existing = store.push_subscriptions(me.person).await?;
    if existing.len() >= MAX_SUBSCRIPTIONS && !existing.iter().any(|s| s.endpoint == input.endpoint)
    {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            "too-many",
            format!(
                "at most {MAX_SUBSCRIPTIONS} devices get reminders; turn them off on one first \
                 (DELETE /api/v1/push/subscriptions)"
            ),
        ));
    }
    // A browser has one subscription per site, whoever is signed in: when someone else signs
    // in on a shared phone and asks for reminders, the phone stops getting the first person's.
    store.forget_push_endpoint(&input.endpoint).await?;
    store
        .put_push_subscription(
            me.person,
            &quietlegs_store::NewPushSubscription {
                endpoint: input.endpoint.clone(),
                p256dh,
                auth,
            },
        )
        .await?;
    tracing::info!(person = me.person.0, "push: a device subscribed");
    Ok((
        StatusCode::CREATED,
        Json(Subscribed {
            endpoint: input.endpoint,
        }),
    )
        .into_response())
}

#[utoipa::path(delete, path = "/api/v1/push/subscriptions", request_body = Unsubscribe,
    responses((status = 204),
              (status = 401, body = crate::error::ErrorBody),
              (status = 404, body = crate::error::ErrorBody),
              (status = 422, body = crate::error::ErrorBody)))]
pub async fn unsubscribe(
    State(app): State<AppState>,
    SessionUser(me): SessionUser,
    body: Bytes,
) -> ApiResult<Response> {
    push_of(&app)?;
    let input: Unsubscribe = json_body(&body)?;
    if app
        .store()
        .delete_push_subscription(me.person, &input.endpoint)
        .await?
    {
        Ok(StatusCode::NO_CONTENT.into_response())
    } else {
        Err(ApiError::not_found())
    }
}
