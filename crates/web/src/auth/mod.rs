//! Sign-in, split by job: [`secrets`] (random tokens, token hashes, Argon2id passwords),
//! [`session`] (the cookie, the session layer and the extractors for who is signed in),
//! [`csrf`] (the token every state-changing request carries), [`accounts`] (sign-in and
//! sign-up, and which names and passwords are accepted), [`limiter`] (attempts counted
//! before any password is checked) and [`bearer`] (personal API tokens and their scopes).
//! Only hashes of session and API tokens are stored.

mod accounts;
mod bearer;
mod csrf;
mod limiter;
mod secrets;
mod session;

pub use accounts::*;
pub use bearer::*;
use csrf::*;
pub use limiter::*;
pub use secrets::*;
pub use session::*;

pub const SESSION_COOKIE: &str = "ql_session";
/// The form field and header that carry the CSRF token.
pub const CSRF_FIELD: &str = "csrf_token";
pub const CSRF_HEADER: &str = "x-csrf-token";
/// Largest form body read while looking for the CSRF token.
const FORM_LIMIT: usize = 2 << 20;
