//! Tonight's outlook is calibrated: on simulated journals with a known truth, its 80 % interval
//! holds tonight's value about 80 % of the time, and what moves tonight is named.

mod common;

use common::{Noise, night, runs, score};
use jiff::civil::date;
use quietlegs_core::journal::NightEntry;
use quietlegs_stats::outlook;

/// `days` nights: severity 5, AR(1) noise, alcohol on about one night in three adding 2
/// points, short sleep (under 6 hours) on one in five adding 1 point the next night.
fn journal(seed: u64, days: i64) -> Vec<NightEntry> {
    let mut noise = Noise::new(seed, 0.4, 1.3);
    let mut short_before = false;
    (0..days)
        .map(|i| {
            let alcohol = noise.uniform() < 0.33;
            let short = noise.uniform() < 0.2;
            let mean = 5.0 + if alcohol { 2.0 } else { 0.0 } + if short_before { 1.0 } else { 0.0 };
            short_before = short;
            NightEntry {
                night: Some(night(date(2026, 2, 2), i)),
                severity: score(mean, noise.next()),
                alcohol_drinks: Some(if alcohol { 2.0 } else { 0.0 }),
                sleep_hours: Some(if short { 5.0 } else { 7.5 }),
                ..NightEntry::default()
            }
        })
        .collect()
}

#[test]
fn the_80_percent_interval_holds_tonight_about_80_percent_of_the_time() {
    let n = runs(300);
    let mut held = 0;
    // Scores are whole points: each is compared as a point spread over its half-point either
    // side (a seeded jitter), so that neither rounding up nor down flatters the interval.
    let mut jitter = Noise::new(7, 0.0, 1.0);
    for run in 0..n {
        let nights = journal(60_000 + u64::from(run), 91);
        let (past, tonight) = nights.split_at(90);
        let target = &tonight[0];
        let date = target.night.expect("date");
        // Tonight's alcohol is known by the evening; the rating is not.
        let so_far = NightEntry {
            night: Some(date),
            alcohol_drinks: target.alcohol_drinks,
            ..NightEntry::default()
        };
        let mut journal = past.to_vec();
        journal.push(so_far);
        let o = outlook(&journal, date, None);
        assert!(o.ready);
        let [lo, hi] = o.interval80.expect("an interval");
        let y = f64::from(target.severity) + jitter.uniform() - 0.5;
        held += u32::from(lo <= y && y <= hi);
    }
    let pct = 100.0 * f64::from(held) / f64::from(n);
    eprintln!("outlook 80% interval held tonight's value: {pct:.1}% of {n} journals");
    assert!((74.0..=86.0).contains(&pct), "{pct:.1}%");
}

#[test]
fn drinking_today_is_named_as_a_headwind_and_a_short_journal_is_still_learning() {
    let nights = journal(61_000, 120);
    let tonight = night(date(2026, 2, 2), 120);
    let mut with_drink = nights.clone();
    with_drink.push(NightEntry {
        night: Some(tonight),
        alcohol_drinks: Some(3.0),
        ..NightEntry::default()
    });
    let o = outlook(&with_drink, tonight, None);
    let alcohol = o
        .factors
        .iter()
        .find(|f| f.id == "alcohol")
        .expect("alcohol named");
    assert!(alcohol.headwind);
    let points = alcohol.points.expect("points");
    assert!((points - 2.0).abs() < 0.8, "{points}");
    assert!(
        o.explanation.contains("Nights like tonight"),
        "{}",
        o.explanation
    );
    let dry = outlook(&nights, tonight, None);
    assert!(
        dry.factors.iter().all(|f| f.id != "alcohol"),
        "not drinking is not a factor"
    );
    assert!(dry.expected < o.expected);

    let early = outlook(&nights[..10], night(date(2026, 2, 2), 10), None);
    assert!(!early.ready);
    assert!(early.expected.is_none());
    assert!(early.explanation.starts_with("Still learning"));
}
