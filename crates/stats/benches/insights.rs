//! Insights over ten years of nights (3,650) with fifteen exposures must take under 20 ms.

use criterion::{Criterion, criterion_group, criterion_main};
use jiff::civil::date;
use quietlegs_core::journal::{Intensity, NightEntry};
use quietlegs_core::profile::ClockTime;
use quietlegs_stats::{Options, RemedyTiming, analyse};

/// Eight built-in exposures plus seven night-by-night `took:` items, and one long experiment.
fn ten_years() -> Vec<NightEntry> {
    let took = [
        "heat",
        "massage",
        "stretching",
        "cold",
        "vibration-pad",
        "epsom-bath",
        "yoga",
    ];
    (0..3650u32)
        .map(|i| {
            let pseudo = |k: u32| (i.wrapping_mul(2_654_435_761).rotate_left(k) >> 7) % 100;
            let mut n = NightEntry {
                night: date(2016, 1, 1)
                    .checked_add(jiff::Span::new().days(i64::from(i)))
                    .ok(),
                severity: (3 + pseudo(1) % 6) as u8,
                sleep_hours: Some(5.0 + f64::from(pseudo(2) % 4)),
                caffeine_mg: Some(f64::from(pseudo(3) * 3)),
                last_caffeine: ClockTime::new(8 + (pseudo(4) % 10) as u8, 0),
                alcohol_drinks: Some(f64::from(pseudo(5) % 3)),
                exercise_minutes: Some(f64::from(pseudo(6) % 60)),
                exercise_intensity: Some(if pseudo(7) < 30 {
                    Intensity::Vigorous
                } else {
                    Intensity::Moderate
                }),
                exercise_end: ClockTime::new(12 + (pseudo(8) % 10) as u8, 0),
                sugar_late: Some(pseudo(9) < 40),
                antihistamine: Some(pseudo(10) < 15),
                ..NightEntry::default()
            };
            for (k, id) in took.iter().enumerate() {
                n.took.insert((*id).into(), pseudo(11 + k as u32) < 35);
            }
            n.took.insert("magnesium".into(), i >= 3000);
            n
        })
        .collect()
}

fn bench(c: &mut Criterion) {
    let nights = ten_years();
    let timing = |_: &str| RemedyTiming::default();
    let options = Options::default();
    let check = analyse(&nights, &[], &timing, &options);
    assert_eq!(check.triggers.iter().filter(|t| t.lag == 0).count(), 15);
    c.bench_function("insights: 3,650 nights, 15 exposures", |b| {
        b.iter(|| analyse(&nights, &[], &timing, &options))
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
