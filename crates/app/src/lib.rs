//! What Quietlegs does for a person, composed once for both edges. The web app and the CLI call
//! these functions; they keep only their own concerns (HTTP and caches, flags and terminals).
//!
//! - [`augmentation`]: on a dopamine medicine, the journal read for signs of augmentation.
//! - [`clock`]: the person's own "today" and the night a check-in means, in their time zone.
//! - [`derived`]: stored profile + labs -> resolved profile; nights + experiments -> insights
//!   -> the plan with its history. One place answers "what is this person's plan".
//! - [`episodes`]: "my legs are acting up now", and the onset it fills in.
//! - [`lab_goals`]: the re-test dates: saved goals, and the plan's for the rest.
//! - [`outlook`]: tonight's outlook from the person's own recent nights.
//! - [`report`]: the doctor report's inputs gathered from the store.
//!
//! Everything here takes the store as `&dyn Store` and the knowledge as `(kb, rules)`; nothing
//! here knows about HTTP, sessions or the command line.

pub mod augmentation;
pub mod clock;
pub mod derived;
pub mod episodes;
pub mod lab_goals;
pub mod outlook;
pub mod report;

pub use derived::{
    Derived, check_profile, derive, insights, insights_of, plan_of, with_stored_labs,
};

use quietlegs_store::StoreError;

/// Why a composition could not answer.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error(transparent)]
    Store(#[from] StoreError),
    /// Input, or stored data, that does not pass a check; `field` names where.
    #[error("{field}: {message}")]
    Field { field: String, message: String },
}

impl AppError {
    pub fn field(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self::Field {
            field: field.into(),
            message: message.into(),
        }
    }
}
