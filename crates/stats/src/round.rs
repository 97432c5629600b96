//! Numbers in reports are rounded to what the data can support; the values inside stay exact.

use serde::Serializer;

pub(crate) fn two<S: Serializer>(v: &Option<f64>, s: S) -> Result<S::Ok, S::Error> {
    match v {
        Some(x) => s.serialize_some(&to(*x, 2)),
        None => s.serialize_none(),
    }
}

pub(crate) fn three<S: Serializer>(v: &Option<f64>, s: S) -> Result<S::Ok, S::Error> {
    match v {
        Some(x) => s.serialize_some(&to(*x, 3)),
        None => s.serialize_none(),
    }
}

pub(crate) fn pair<S: Serializer>(v: &Option<[f64; 2]>, s: S) -> Result<S::Ok, S::Error> {
    match v {
        Some([a, b]) => s.serialize_some(&[to(*a, 2), to(*b, 2)]),
        None => s.serialize_none(),
    }
}

pub(crate) fn to(x: f64, places: i32) -> f64 {
    let f = 10f64.powi(places);
    let r = (x * f).round() / f;
    // Never print "-0".
    if r == 0.0 { 0.0 } else { r }
}

/// Small p- and q-values keep three significant digits, so they never print as a flat zero.
pub(crate) fn significant<S: Serializer>(v: &Option<f64>, s: S) -> Result<S::Ok, S::Error> {
    match v {
        Some(x) if *x > 0.0 && *x < 0.001 => {
            let places = 2 - x.log10().floor() as i32;
            s.serialize_some(&to(*x, places.min(300)))
        }
        Some(x) => s.serialize_some(&to(*x, 3)),
        None => s.serialize_none(),
    }
}
