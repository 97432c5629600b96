//! Import and export for Quietlegs: the plan as an iCalendar file, the journal as CSV, and sleep
//! and day activity from an Apple Health export. JSON, FHIR and the doctor report arrive with
//! issues 4 and 7.

pub mod apple_health;
pub mod apple_zip;
pub mod bundle_json;
pub mod error;
pub mod fhir;
pub mod fitbit;
pub mod formats;
pub mod ics;
pub mod journal_csv;
pub mod oura;
mod wearable;

pub use error::ImportError;
