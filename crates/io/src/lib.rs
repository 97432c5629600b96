//! Import and export for Quietlegs: journal CSV, JSON, FHIR, iCalendar, Apple Health, the report.
//!
//! Arrives with the journal and sharing work (issues 4 and 7).
