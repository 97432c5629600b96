//! Plan generation for a typical profile must take well under 1 ms: it runs on every page view
//! of the web app.

use criterion::{Criterion, criterion_group, criterion_main};
use jiff::civil::date;
use quietlegs_core::knowledge;
use quietlegs_core::plan;
use quietlegs_core::profile::{Profile, ProfileFormat, Resolved};
use quietlegs_core::safety;

const PROFILE: &str = include_str!("../../../examples/profile.toml");

fn typical_plan(c: &mut Criterion) {
    let kb = knowledge::bundled().expect("kb");
    let rules = safety::bundled_rules().expect("rules");
    let today = date(2026, 11, 23);
    let profile = Profile::parse(PROFILE, ProfileFormat::Toml).expect("profile");
    c.bench_function("resolve + plan (typical profile)", |b| {
        b.iter(|| {
            let person = Resolved::new(&profile, kb, today).expect("valid");
            std::hint::black_box(plan::plan(&person, kb, rules, today))
        })
    });
    c.bench_function("parse + resolve + plan (typical profile)", |b| {
        b.iter(|| {
            let profile = Profile::parse(PROFILE, ProfileFormat::Toml).expect("profile");
            let person = Resolved::new(&profile, kb, today).expect("valid");
            std::hint::black_box(plan::plan(&person, kb, rules, today))
        })
    });
}

/// A full cabinet as people type it: parsing and resolving all 30 lines must take well under
/// 1 ms.
const CABINET: [&str; 30] = [
    "Zoloft 50mg",
    "Benadryl at night",
    "omeprazole 20 mg before breakfast",
    "Eliquis 5mg bid",
    "levothyroxine 75mcg",
    "metformin 500mg twice a day",
    "Lipitor 20",
    "lisinopril 10 mg",
    "Tylenol PM sometimes",
    "gabapentine 300mg at bedtime",
    "vit D 2,000 IU daily",
    "Mag oxide 400mg",
    "ferrous sulfate 325 mg every other day",
    "B12 1000 mcg",
    "fish oil",
    "D3 + K2",
    "melatonin 3mg",
    "magnesium glycinate 200 mg at night",
    "turmeric capsules",
    "multivitamin with iron",
    "B complex",
    "calcium 600 mg + D3",
    "zinc 25mg",
    "CBD oil",
    "chamomile tea",
    "probiotic",
    "ashwagandha 300mg",
    "Claritin as needed",
    "Ambien 5 mg",
    "co-codamol 30/500",
];

fn cabinet(c: &mut Criterion) {
    let kb = knowledge::bundled().expect("kb");
    c.bench_function("read a 30-line cabinet", |b| {
        b.iter(|| {
            for line in CABINET {
                std::hint::black_box(quietlegs_core::cabinet::read_line(
                    kb,
                    line,
                    quietlegs_core::cabinet::Field::Medication,
                ));
            }
        })
    });
}

criterion_group!(benches, typical_plan, cabinet);
criterion_main!(benches);
