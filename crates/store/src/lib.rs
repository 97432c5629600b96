//! The storage interface for Quietlegs: one `Store` trait that the SQLite and PostgreSQL
//! backends implement, so the app and the story test never know which database they talk to.
//!
//! Arrives with the journal work (issue 4).
