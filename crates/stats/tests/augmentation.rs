//! The augmentation watch on simulated journals with a known truth: a start time that only
//! wanders, or symptoms beyond the legs at a steady rate, raise no sign (at most 5 % of
//! journals); a start two hours earlier over the twelve weeks, or spreading that is new in the
//! last four, is seen (at least 80 %).

mod common;

use common::{Noise, night, runs};
use jiff::civil::{Date, date};
use quietlegs_core::journal::NightEntry;
use quietlegs_core::profile::ClockTime;
use quietlegs_stats::augmentation::{WINDOW_DAYS, watch};

const START: Date = date(2026, 9, 7);

struct Truth {
    /// Minutes the start time moves over the window (negative: earlier).
    drift: f64,
    /// Share of nights beyond the legs before the last four weeks, and during them.
    spread_before: f64,
    spread_recent: f64,
}

/// Twelve weeks: a start time around 22:00 wandering in runs (AR(1), rho 0.5, 35 min), written
/// on about two nights in three; where the symptoms were, written on about one in two.
fn journal(seed: u64, truth: &Truth) -> (Vec<NightEntry>, Date) {
    let mut noise = Noise::new(seed, 0.5, 35.0);
    let days = WINDOW_DAYS;
    let nights = (0..days)
        .map(|i| {
            let wander = noise.next();
            let minutes = 22.0 * 60.0 + truth.drift * i as f64 / (days - 1) as f64 + wander;
            let m = minutes.round() as i64;
            let onset = (noise.uniform() < 0.67)
                .then(|| ClockTime::new((m / 60) as u8, (m % 60) as u8))
                .flatten();
            let rate = if i >= days - 28 {
                truth.spread_recent
            } else {
                truth.spread_before
            };
            let beyond_legs = (noise.uniform() < 0.5).then(|| noise.uniform() < rate);
            NightEntry {
                night: Some(night(START, i)),
                severity: 6,
                onset,
                beyond_legs,
                ..NightEntry::default()
            }
        })
        .collect();
    (nights, night(START, days - 1))
}

fn flagged_share(truth: &Truth, seed: u64) -> f64 {
    let n = runs(200);
    let flagged = (0..n)
        .filter(|run| {
            let (nights, today) = journal(seed + u64::from(*run), truth);
            watch(&nights, today).has_signs()
        })
        .count();
    let share = flagged as f64 / f64::from(n);
    eprintln!(
        "augmentation watch, drift {} min, spread {:.0}% -> {:.0}%: flagged {:.1}% of {n}",
        truth.drift,
        100.0 * truth.spread_before,
        100.0 * truth.spread_recent,
        100.0 * share
    );
    share
}

#[test]
fn a_wandering_start_and_steady_spreading_raise_no_sign() {
    let steady = Truth {
        drift: 0.0,
        spread_before: 0.1,
        spread_recent: 0.1,
    };
    assert!(flagged_share(&steady, 81_000) <= 0.05);
    // Half an hour over twelve weeks is within how a start time wanders.
    let slight = Truth {
        drift: -30.0,
        ..steady
    };
    assert!(flagged_share(&slight, 82_000) <= 0.10);
}

#[test]
fn a_start_two_hours_earlier_is_seen() {
    let earlier = Truth {
        drift: -120.0,
        spread_before: 0.0,
        spread_recent: 0.0,
    };
    assert!(flagged_share(&earlier, 83_000) >= 0.80);
}

#[test]
fn new_spreading_is_seen() {
    let spreading = Truth {
        drift: 0.0,
        spread_before: 0.05,
        spread_recent: 0.5,
    };
    assert!(flagged_share(&spreading, 84_000) >= 0.80);
}
