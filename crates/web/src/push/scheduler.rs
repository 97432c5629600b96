//! The reminder scheduler (server mode): about once a minute it asks, for everyone with a
//! subscribed device, which reminders are due now in their own time zone
//! ([`quietlegs_push::due`], pure), claims each delivery in the store, and sends it.
//!
//! The claim is a row keyed by subscription, kind and the reminder's instant, inserted before
//! the message goes out: a reminder is sent once even when the server restarts inside its
//! window or several app servers share the database. A failure worth retrying (the push service
//! busy or unreachable) gives the claim back for the next look; one that would fail again
//! (the service refused the request) keeps it. The message's `Topic` makes a push service
//! replace, not repeat, a copy it already holds, should a timed-out attempt have got through.

use std::sync::Arc;
use std::time::Duration;

use jiff::{SignedDuration, Timestamp};
use quietlegs_push::send::Message;
use quietlegs_push::{Due, Inputs, Kind, Outcome, SendError, ece, from_b64url};
use quietlegs_store::{PersonId, PushSubscription, StoreError};

use super::WebPush;
use super::clock::Clock;
use crate::AppState;
use crate::error::ApiError;

/// How often to look, on the real clock.
pub const EVERY: Duration = Duration::from_secs(60);
/// Messages handed to push services at once.
const SENDING_AT_ONCE: usize = 8;
/// Claims older than this are forgotten: far past every reminder's window.
const KEEP_DELIVERIES: SignedDuration = SignedDuration::from_hours(48);

/// What one look did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Tick {
    /// Deliveries due (reminders times devices), claimed here or elsewhere.
    pub due: usize,
    pub sent: usize,
    /// Already claimed: sent before, or being sent by another server.
    pub already: usize,
    /// Devices the push service said are gone, now forgotten.
    pub gone: usize,
    pub failed: usize,
}

#[derive(Debug, Clone, Copy)]
enum Delivery {
    Sent,
    Already,
    Gone,
    Failed,
}

/// Starts the scheduler: it looks every `every` at `clock`'s time until the runtime stops.
pub fn spawn(app: AppState, clock: Arc<dyn Clock>, every: Duration) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut interval = tokio::time::interval(every);
        // A look that overran (slow push services) is not followed by a burst of catch-ups.
        interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
        loop {
            interval.tick().await;
            let Some(now) = clock.now() else { continue };
            match tick(&app, now).await {
                Ok(t) if t.due > 0 => tracing::info!(
                    due = t.due,
                    sent = t.sent,
                    already = t.already,
                    gone = t.gone,
                    failed = t.failed,
                    "push: reminders"
                ),
                Ok(_) => {}
                Err(err) => tracing::warn!(%err, "push: the reminder look failed; next time"),
            }
        }
    })
}

/// One look at `now`: sends every reminder due and not yet sent. Without push (local mode)
/// nothing is due.
pub async fn tick(app: &AppState, now: Timestamp) -> Result<Tick, StoreError> {
    let Some(_) = app.push() else {
        return Ok(Tick::default());
    };
    let store = app.store();
    if let Ok(before) = now.checked_sub(KEEP_DELIVERIES) {
        store.delete_old_push_deliveries(before.as_second()).await?;
    }
    let mut jobs: Vec<(Due, PushSubscription)> = Vec::new();
    for person in store.push_people().await? {
        // One person's unreadable data must not hold up everyone else's reminders.
        let due = match due_for(app, person, now).await {
            Ok(due) => due,
            Err(err) => {
                tracing::warn!(
                    person = person.0,
                    err = %err.message,
                    "push: cannot read a person's reminders"
                );
                continue;
            }
        };
        if due.is_empty() {
            continue;
        }
        for subscription in store.push_subscriptions(person).await? {
            jobs.extend(due.iter().map(|d| (*d, subscription.clone())));
        }
    }
    let mut report = Tick {
        due: jobs.len(),
        ..Tick::default()
    };
    let turns = Arc::new(tokio::sync::Semaphore::new(SENDING_AT_ONCE));
    let mut sending = tokio::task::JoinSet::new();
    for (due, subscription) in jobs {
        let app = app.clone();
        let turns = Arc::clone(&turns);
        sending.spawn(async move {
            let _turn = turns.acquire_owned().await.ok();
            deliver(&app, due, &subscription, now).await
        });
    }
    while let Some(done) = sending.join_next().await {
        match done {
            Ok(Delivery::Sent) => report.sent += 1,
            Ok(Delivery::Already) => report.already += 1,
            Ok(Delivery::Gone) => report.gone += 1,
            Ok(Delivery::Failed) | Err(_) => report.failed += 1,
        }
    }
    Ok(report)
}

/// The reminders due for `person` at `now`, by their own clock. The re-test dates are the
/// ones the labs page and the calendar feed show (saved goals not yet met, and the plan's
/// suggestions), from the person's cached plan.
async fn due_for(app: &AppState, person: PersonId, now: Timestamp) -> Result<Vec<Due>, ApiError> {
    let store = app.store();
    let profile = store.profile(person).await?;
    // Without a zone in the profile the server's is the best guess (the same rule as "today").
    let zone = quietlegs_app::clock::zone_of(profile.as_ref().map(|p| &p.profile));
    let checkin = store.checkin_reminder(person).await?;
    // The plan is built (or taken from the cache) only in the re-test reminder's morning window.
    let lab_due: Vec<jiff::civil::Date> = if quietlegs_push::reminders::lab_window_open(now, &zone)
    {
        let derived = crate::service::derived(app, person, None).await?;
        quietlegs_app::lab_goals::effective(app.store(), person, derived.plan.as_ref())
            .await?
            .into_iter()
            .map(|g| g.goal.due)
            .collect()
    } else {
        Vec::new()
    };
    let experiments = store.experiments(person).await?;
    Ok(quietlegs_push::due(
        now,
        &Inputs {
            zone: &zone,
            checkin,
            lab_due: &lab_due,
            experiments: &experiments,
        },
    ))
}

/// How long a push service may hold a reminder for a phone that is off: past that it is no
/// longer news (tonight's check-in by morning) and is better dropped.
fn ttl_seconds(kind: Kind) -> u32 {
    match kind {
        Kind::Checkin => 3 * 3600,
        Kind::ScheduleSwitch => 6 * 3600,
        Kind::LabRetest => 12 * 3600,
    }
}

async fn deliver(
    app: &AppState,
    due: Due,
    subscription: &PushSubscription,
    now: Timestamp,
) -> Delivery {
    let Some(push) = app.push() else {
        return Delivery::Failed;
    };
    let store = app.store();
    let kind = due.kind.as_str();
    let at = due.at.as_second();
    // The endpoint is a capability (whoever has it can push to the phone): logs get its host.
    let service = quietlegs_push::vapid::audience(&subscription.endpoint).unwrap_or_default();
    match store.claim_push_delivery(subscription.id, kind, at).await {
        Ok(true) => {}
        Ok(false) => return Delivery::Already,
        Err(err) => {
            tracing::warn!(%err, "push: cannot claim a delivery");
            return Delivery::Failed;
        }
    }
    let release = || async {
        if let Err(err) = store.release_push_delivery(subscription.id, kind, at).await {
            tracing::warn!(%err, "push: cannot give a claim back; this reminder is lost");
        }
    };
    match send(push, due.kind, subscription, now).await {
        Ok(Outcome::Accepted) => {
            tracing::info!(kind, %service, "push: reminder sent");
            Delivery::Sent
        }
        Ok(Outcome::Gone) => {
            tracing::info!(%service, "push: the device unsubscribed; forgetting it");
            if let Err(err) = store.forget_push_endpoint(&subscription.endpoint).await {
                tracing::warn!(%err, "push: cannot forget a gone device");
            }
            Delivery::Gone
        }
        Ok(refused @ Outcome::Refused(status)) => {
            tracing::warn!(kind, %service, status, "push: the push service refused a reminder");
            if refused.is_transient() {
                release().await;
            }
            Delivery::Failed
        }
        Err(
            err @ (Failure::Build(_)
            | Failure::Send(SendError::Endpoint(_) | SendError::Blocked { .. })),
        ) => {
            // Would fail the same way every minute; the claim stays.
            tracing::warn!(kind, %service, %err, "push: not sending to this device");
            Delivery::Failed
        }
        Err(err) => {
            tracing::warn!(kind, %service, %err, "push: sending failed; trying again next look");
            release().await;
            Delivery::Failed
        }
    }
}

#[derive(Debug, thiserror::Error)]
enum Failure {
    #[error("cannot build the message: {0}")]
    Build(#[from] Refusal),
    #[error(transparent)]
    Send(#[from] SendError),
}

#[derive(Debug, thiserror::Error)]
enum Refusal {
    #[error("the stored subscription keys are not base64url")]
    Keys,
    #[error(transparent)]
    Ece(#[from] ece::EceError),
    #[error(transparent)]
    Vapid(#[from] quietlegs_push::VapidError),
}

/// Encrypts the reminder's generic text for the device and hands it to its push service.
async fn send(
    push: &WebPush,
    kind: Kind,
    subscription: &PushSubscription,
    now: Timestamp,
) -> Result<Outcome, Failure> {
    let message = message(push, kind, subscription, now)?;
    Ok(push.sender().send(&message).await?)
}

fn message(
    push: &WebPush,
    kind: Kind,
    subscription: &PushSubscription,
    now: Timestamp,
) -> Result<Message, Refusal> {
    let p256dh = from_b64url(&subscription.p256dh).ok_or(Refusal::Keys)?;
    let auth = from_b64url(&subscription.auth).ok_or(Refusal::Keys)?;
    let body = ece::encrypt(kind.payload().as_bytes(), &p256dh, &auth)?;
    let authorization = push
        .key()
        .authorization(&subscription.endpoint, push.contact(), now)?;
    Ok(Message {
        endpoint: subscription.endpoint.clone(),
        body,
        authorization,
        topic: kind.as_str(),
        ttl_seconds: ttl_seconds(kind),
    })
}
