//! Import and export for Quietlegs. Today: the plan as an iCalendar file. The journal CSV, JSON,
//! FHIR, Apple Health and the doctor report arrive with issues 4 and 7.

pub mod ics;
