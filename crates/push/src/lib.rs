//! Web Push for Quietlegs, in four small parts that know nothing of HTTP routes or the store:
//!
//! - [`ece`]: the message encryption of RFC 8291 (`aes128gcm`, RFC 8188), so only the
//!   person's browser can read a reminder.
//! - [`vapid`]: the server's P-256 key pair (RFC 8292), kept in a file, and the signed
//!   `Authorization` header that lets a push service know which server sends.
//! - [`reminders`]: which reminders are due at a given instant. Pure: the time is an argument.
//! - [`send`]: one POST to a push service, with a deadline, refusing private addresses.
//!
//! A reminder carries a generic title and body and a page to open, never health data: the
//! push service, and anyone who later reads a locked phone's screen, learns only that a
//! reminder came.

pub mod ece;
pub mod reminders;
pub mod send;
pub mod vapid;

pub use reminders::{Due, Inputs, Kind, due};
pub use send::{Outcome, SendError, Sender};
pub use vapid::{VapidError, VapidKey};

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

/// base64url without padding, as Web Push writes keys.
pub fn b64url(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

/// Reads base64url, with or without padding (browsers differ).
pub fn from_b64url(text: &str) -> Option<Vec<u8>> {
    URL_SAFE_NO_PAD.decode(text.trim_end_matches('=')).ok()
}
