//! The PostgreSQL backend of the Quietlegs store (for servers with many people).
//!
//! Arrives with the journal work (issue 4).
