//! Web Push in server mode: the routes a browser subscribes with ([`routes`]) and the task that
//! sends the reminders when they are due ([`scheduler`], driven by a [`clock`]). The
//! cryptography and the POST to the push service are `quietlegs-push`'s; this module only
//! joins them to the store and the sessions.
//!
//! Local mode has no push: a browser's push service reaches a server on the internet, and the
//! local server is reachable from this machine only. Its routes answer 404 `push-off`.

pub mod clock;
pub mod routes;
pub mod scheduler;

use std::path::Path;
use std::time::Duration;

use quietlegs_push::{Sender, VapidKey};

/// The file the VAPID key is kept in, inside the data folder.
pub const KEY_FILE: &str = "push-vapid-key.pem";
/// How long one message may take to hand over to a push service.
const SEND_TIMEOUT: Duration = Duration::from_secs(10);

#[derive(Debug, thiserror::Error)]
pub enum PushSetupError {
    #[error(transparent)]
    Key(#[from] quietlegs_push::VapidError),
    #[error(transparent)]
    Send(#[from] quietlegs_push::SendError),
    #[error("push contact '{0}' must start with mailto: or https:")]
    Contact(String),
}

/// The server's push identity and its way out.
pub struct WebPush {
    key: VapidKey,
    sender: Sender,
    /// The `sub` of every VAPID token: how a push service's operators reach whoever runs this.
    contact: String,
}

impl std::fmt::Debug for WebPush {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WebPush")
            .field("key", &self.key)
            .field("contact", &self.contact)
            .finish_non_exhaustive()
    }
}

impl WebPush {
    /// Loads the key in `key_file` (made on first start). `allow_loopback_http` lets reminders
    /// go over plain http to this machine: tests only, never a deployment.
    pub fn open(
        key_file: &Path,
        contact: &str,
        allow_loopback_http: bool,
    ) -> Result<Self, PushSetupError> {
        if !(contact.starts_with("mailto:") || contact.starts_with("https:")) {
            return Err(PushSetupError::Contact(contact.to_string()));
        }
        let key = VapidKey::load_or_create(key_file)?;
        let sender = Sender::new(SEND_TIMEOUT, allow_loopback_http)?;
        Ok(Self {
            key,
            sender,
            contact: contact.to_string(),
        })
    }

    pub fn public_key(&self) -> String {
        self.key.public_key()
    }

    pub(crate) fn key(&self) -> &VapidKey {
        &self.key
    }

    pub(crate) fn sender(&self) -> &Sender {
        &self.sender
    }

    pub(crate) fn contact(&self) -> &str {
        &self.contact
    }
}
