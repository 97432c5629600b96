//! Scenarios where real journals break the simple model (issue: statistics that stay honest on
//! real journals), each with a known truth. By default each runs 100 seeded journals so CI
//! stays quick; `QUIETLEGS_SIM_RUNS=300 cargo test --release -p quietlegs-stats --test
//! real_journals -- --nocapture` runs the full version and prints every rate (BENCHMARKS.md).

mod common;

use common::{Noise, night, runs, score};
use jiff::civil::{Date, Weekday, date};
use quietlegs_core::journal::NightEntry;
use quietlegs_stats::{
    ExperimentResult, ExperimentVerdict, Options, RemedyTiming, TriggerVerdict, analyse,
};

const REMEDY: &str = "test-remedy";

fn start() -> Date {
    date(2026, 1, 5)
}

/// A journal of `days` nights: severity 6 plus `mean(i)` plus AR(1) noise; `took:test-remedy`
/// on where `on(i)`.
fn journal(
    days: i64,
    mean: impl Fn(i64) -> f64,
    on: impl Fn(i64) -> bool,
    noise: &mut dyn FnMut() -> f64,
) -> Vec<NightEntry> {
    (0..days)
        .map(|i| {
            let mut e = NightEntry {
                night: Some(night(start(), i)),
                severity: score(6.0 + mean(i), noise()),
                ..NightEntry::default()
            };
            e.took.insert(REMEDY.into(), on(i));
            e
        })
        .collect()
}

fn ar_noise(seed: u64) -> impl FnMut() -> f64 {
    let mut n = Noise::new(seed, 0.4, 1.5);
    move || n.next()
}

/// A ramp from 0 on night `from` to 1 after `over` nights.
fn ramp(i: i64, from: i64, over: i64) -> f64 {
    if i < from {
        0.0
    } else {
        (((i - from + 1) as f64) / over.max(1) as f64).min(1.0)
    }
}

fn timing(onset: u32) -> impl Fn(&str) -> RemedyTiming {
    move |_| RemedyTiming {
        onset_days: onset,
        ..RemedyTiming::default()
    }
}

fn the(out: &quietlegs_stats::Insights) -> &ExperimentResult {
    out.experiments
        .iter()
        .find(|e| e.id == REMEDY)
        .expect("the experiment is judged")
}

#[derive(Default)]
struct Rates {
    runs: u32,
    helps: u32,
    worse: u32,
    covered: u32,
    claims: Vec<f64>,
}

impl Rates {
    fn add(&mut self, e: &ExperimentResult, truth: f64) {
        self.runs += 1;
        match e.verdict {
            ExperimentVerdict::Helps => self.helps += 1,
            ExperimentVerdict::Worse => self.worse += 1,
            _ => {}
        }
        if let (Some([lo, hi]), Some(effect)) = (e.ci95, e.effect) {
            self.covered += u32::from(lo <= truth && truth <= hi);
            self.claims.push(effect);
        }
    }

    fn pct(&self, k: u32) -> f64 {
        100.0 * f64::from(k) / f64::from(self.runs.max(1))
    }

    fn median_claim(&self) -> f64 {
        let mut c = self.claims.clone();
        c.sort_by(f64::total_cmp);
        c.get(c.len() / 2).copied().unwrap_or(f64::NAN)
    }

    fn say(&self, what: &str) {
        eprintln!(
            "{what}: helps {:.1}%, worse {:.1}%, covered {:.1}%, median claim {:+.2} ({} runs)",
            self.pct(self.helps),
            self.pct(self.worse),
            self.pct(self.covered),
            self.median_claim(),
            self.runs
        );
    }
}

/// An A/B journal of 21 nights without and 42 with, whose true effect builds over
/// `true_onset` nights, judged with the knowledge base saying `kb_onset`.
fn mismatch(kb_onset: u32, true_onset: i64, seed: u64) -> Rates {
    let mut r = Rates::default();
    for run in 0..runs(100) {
        let seed = seed + u64::from(run);
        let nights = journal(
            63,
            |i| -2.0 * ramp(i, 21, true_onset),
            |i| i >= 21,
            &mut ar_noise(seed),
        );
        let out = analyse(&nights, &[], &timing(kb_onset), &Options::default());
        r.add(the(&out), -2.0);
    }
    r
}

#[test]
#[ignore = "target not met yet, measured power 58% (100 runs); run with --include-ignored"]
fn a_slow_remedy_whose_effect_is_immediate_is_still_found() {
    let r = mismatch(28, 1, 40_000);
    r.say("kb onset 28, true immediate, -2");
    assert!(r.pct(r.helps) >= 80.0, "power {:.0}%", r.pct(r.helps));
    assert!(
        r.pct(r.covered) >= 90.0,
        "coverage {:.0}%",
        r.pct(r.covered)
    );
}

#[test]
#[ignore = "target not met yet, measured power 47%, median claim -1.55 (100 runs); run with --include-ignored"]
fn a_fast_remedy_whose_effect_builds_over_a_month_is_found_without_bias() {
    let r = mismatch(1, 30, 41_000);
    r.say("kb onset 1, true builds over 30, -2");
    assert!(r.pct(r.helps) >= 70.0, "power {:.0}%", r.pct(r.helps));
    assert!(
        r.pct(r.covered) >= 88.0,
        "coverage {:.0}%",
        r.pct(r.covered)
    );
    assert!(
        (r.median_claim() + 2.0).abs() < 0.6,
        "bias {}",
        r.median_claim()
    );
}

#[test]
fn a_slow_remedy_judged_early_reports_what_was_reached_not_an_extrapolation() {
    // Magnesium-like: the knowledge base says 56 nights; after 42 on it the true effect has
    // built to three quarters of its -2.
    let mut r = Rates::default();
    for run in 0..runs(100) {
        let seed = 42_000 + u64::from(run);
        let nights = journal(
            63,
            |i| -2.0 * ramp(i, 21, 56),
            |i| i >= 21,
            &mut ar_noise(seed),
        );
        let out = analyse(&nights, &[], &timing(56), &Options::default());
        r.add(the(&out), -1.5);
    }
    r.say("kb onset 56, judged after 42 nights (-1.5 reached)");
    assert!(
        r.median_claim() > -2.0,
        "extrapolated: {}",
        r.median_claim()
    );
    assert!(
        r.pct(r.covered) >= 88.0,
        "coverage {:.0}%",
        r.pct(r.covered)
    );
}

/// A randomised on/off schedule of 7-night periods whose effect lingers `carry` nights after
/// each stop.
fn lingering(carry: i64, effect: f64, seed: u64) -> Rates {
    use quietlegs_stats::{AbabSchedule, PlannedExperiment};
    let mut r = Rates::default();
    for run in 0..runs(100) {
        let seed = seed + u64::from(run);
        let schedule = AbabSchedule {
            seed,
            pairs: 6,
            period_nights: 7,
        };
        let baseline = 14;
        let on_at = |i: i64| i >= baseline && schedule.on_at(i - baseline).unwrap_or(false);
        // The effect holds while on and for `carry` nights after.
        let active = |i: i64| (0..=carry).any(|k| i - k >= 0 && on_at(i - k));
        let days = baseline + 84;
        let nights = journal(
            days,
            |i| if active(i) { effect } else { 0.0 },
            on_at,
            &mut ar_noise(seed),
        );
        let planned = [PlannedExperiment {
            remedy: REMEDY.into(),
            start: night(start(), baseline),
            planned_end: Some(night(start(), days - 1)),
            ongoing: false,
            schedule: Some(schedule),
        }];
        let out = analyse(&nights, &planned, &timing(1), &Options::default());
        r.add(the(&out), effect);
    }
    r
}

#[test]
fn an_effect_that_lingers_after_stopping_is_not_understated() {
    let r = lingering(3, -2.0, 43_000);
    r.say("on/off, -2 lingering 3 nights");
    assert!(
        r.pct(r.covered) >= 85.0,
        "coverage {:.0}%",
        r.pct(r.covered)
    );
    assert!(
        (r.median_claim() + 2.0).abs() < 0.5,
        "bias {}",
        r.median_claim()
    );
}

#[test]
fn on_off_with_no_effect_is_rarely_called_either_way() {
    let r = lingering(0, 0.0, 44_000);
    r.say("on/off, no effect");
    assert!(
        r.pct(r.helps + r.worse) <= 5.0,
        "{:.1}%",
        r.pct(r.helps + r.worse)
    );
}

/// A journal with caffeine and alcohol, and optionally worse weekends; only `alcohol_effect`
/// is real.
fn habits(
    seed: u64,
    caffeine_with_alcohol: bool,
    weekend: f64,
    alcohol_on_weekends: bool,
) -> Vec<NightEntry> {
    let mut noise = Noise::new(seed, 0.3, 1.4);
    (0..120)
        .map(|i| {
            let d = night(start(), i);
            let is_weekend = matches!(d.weekday(), Weekday::Friday | Weekday::Saturday);
            let alcohol = if alcohol_on_weekends {
                if is_weekend {
                    noise.uniform() < 0.8
                } else {
                    noise.uniform() < 0.1
                }
            } else {
                noise.uniform() < 0.3
            };
            let caffeine = if caffeine_with_alcohol {
                if alcohol {
                    noise.uniform() < 0.9
                } else {
                    noise.uniform() < 0.15
                }
            } else {
                noise.uniform() < 0.5
            };
            let alcohol_effect = if caffeine_with_alcohol && alcohol {
                1.5
            } else {
                0.0
            };
            let mean = 5.0 + alcohol_effect + if is_weekend { weekend } else { 0.0 };
            NightEntry {
                night: Some(d),
                severity: score(mean, noise.next()),
                alcohol_drinks: Some(if alcohol { 2.0 } else { 0.0 }),
                caffeine_mg: Some(if caffeine { 150.0 } else { 0.0 }),
                ..NightEntry::default()
            }
        })
        .collect()
}

fn flagged(out: &quietlegs_stats::Insights, factor: &str) -> bool {
    out.triggers.iter().any(|t| {
        t.factor == factor
            && t.lag == 0
            && matches!(
                t.verdict,
                TriggerVerdict::LikelyTrigger | TriggerVerdict::LikelyProtective
            )
    })
}

#[test]
fn caffeine_that_comes_with_alcohol_is_not_blamed_for_it() {
    let n = runs(100);
    let (mut caffeine, mut alcohol) = (0, 0);
    for run in 0..n {
        let nights = habits(45_000 + u64::from(run), true, 0.0, false);
        let out = analyse(&nights, &[], &timing(7), &Options::default());
        caffeine += u32::from(flagged(&out, "caffeine"));
        alcohol += u32::from(flagged(&out, "alcohol"));
    }
    let pct = |k: u32| 100.0 * f64::from(k) / f64::from(n);
    eprintln!(
        "caffeine riding with alcohol (+1.5): caffeine flagged {:.1}%, alcohol found {:.1}%",
        pct(caffeine),
        pct(alcohol)
    );
    assert!(
        pct(caffeine) <= 10.0,
        "caffeine flagged {:.0}%",
        pct(caffeine)
    );
    assert!(pct(alcohol) >= 50.0, "alcohol found {:.0}%", pct(alcohol));
}

#[test]
fn weekend_drinking_is_not_blamed_for_worse_weekends() {
    let n = runs(100);
    let mut alcohol = 0;
    for run in 0..n {
        let nights = habits(46_000 + u64::from(run), false, 1.5, true);
        let out = analyse(&nights, &[], &timing(7), &Options::default());
        alcohol += u32::from(flagged(&out, "alcohol"));
    }
    let pct = 100.0 * f64::from(alcohol) / f64::from(n);
    eprintln!("weekend drinking, weekends +1.5, alcohol harmless: alcohol flagged {pct:.1}%");
    assert!(pct <= 10.0, "alcohol flagged {pct:.0}%");
}

/// No effect; nights drift by `drift` points over the journal (seasons, pregnancy).
fn drifting(days: i64, drift: f64, seed: u64) -> Rates {
    let mut r = Rates::default();
    for run in 0..runs(100) {
        let seed = seed + u64::from(run);
        let half = days / 2;
        let nights = journal(
            days,
            |i| drift * i as f64 / days as f64,
            |i| i >= half,
            &mut ar_noise(seed),
        );
        let out = analyse(&nights, &[], &timing(7), &Options::default());
        r.add(the(&out), 0.0);
    }
    r
}

#[test]
fn a_slow_drift_is_not_read_as_an_effect() {
    for (days, seed) in [(60, 47_000), (120, 48_000)] {
        let r = drifting(days, -2.0 * days as f64 / 180.0, seed);
        r.say(&format!(
            "drift -2 points per 6 months, no effect, {days} nights"
        ));
        assert!(
            r.pct(r.helps + r.worse) <= 10.0,
            "{days} nights: wrong verdicts {:.0}%",
            r.pct(r.helps + r.worse)
        );
    }
}

#[test]
#[ignore = "target not met yet, measured 27% wrong verdicts (100 runs); run with --include-ignored"]
fn slow_flares_are_not_read_as_an_effect() {
    let mut r = Rates::default();
    for run in 0..runs(100) {
        let seed = 49_000 + u64::from(run);
        let mut fast = Noise::new(seed, 0.3, 1.2);
        let mut slow = Noise::new(seed ^ 0xf1a4e, 0.97, 0.25);
        let mut noise = move || fast.next() + slow.next();
        let nights = journal(63, |_| 0.0, |i| i >= 21, &mut noise);
        let out = analyse(&nights, &[], &timing(7), &Options::default());
        r.add(the(&out), 0.0);
    }
    r.say("slow flares, no effect");
    assert!(
        r.pct(r.helps + r.worse) <= 10.0,
        "{:.0}%",
        r.pct(r.helps + r.worse)
    );
}
