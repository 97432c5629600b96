//! n-of-1 statistics for Quietlegs: did a change help, and which habits go with worse nights.
//!
//! Pure functions over journal data; arrives with the insights work (issue 5).
