//! The embedded SQLite backend of the Quietlegs store (the default for one person).
//!
//! Arrives with the journal work (issue 4).
