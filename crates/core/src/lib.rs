//! Pure domain logic for Quietlegs.
//!
//! Nothing in this crate touches the file system, the network, a database or the clock: callers
//! pass data and `today` in. That keeps the rules that carry medical risk easy to test.

pub mod cabinet;
pub mod journal;
pub mod knowledge;
pub mod limits;
pub mod plan;
pub mod profile;
pub mod questionnaire;
pub mod safety;
pub mod screening;
pub mod text;
pub mod units;

pub use knowledge::{Entry, Evidence, Kind, KnowledgeBase, Source};
