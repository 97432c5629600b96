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

criterion_group!(benches, typical_plan);
criterion_main!(benches);
