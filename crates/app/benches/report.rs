//! The doctor report for a 3-year journal: insights, the report model and the PDF, as
//! `quietlegs report` and `/report.pdf` make them (target: under 300 ms).

use criterion::{Criterion, criterion_group, criterion_main};
use jiff::civil::Date;
use quietlegs_core::journal::{Experiment, ExperimentStatus, LabRecord, NightEntry};
use quietlegs_core::profile::{Profile, ProfileFormat};
use quietlegs_core::{knowledge, safety};
use quietlegs_report::{Report, ReportInputs, pdf};

fn journal(today: Date) -> Vec<NightEntry> {
    (0..1095)
        .rev()
        .map(|n: i64| {
            let night = today
                .checked_sub(jiff::Span::new().days(n + 1))
                .expect("date");
            let mut e = NightEntry {
                night: Some(night),
                severity: u8::try_from(3 + (n * 7 % 5)).expect("severity"),
                caffeine_mg: Some((n % 4 * 100) as f64),
                alcohol_drinks: Some((n % 3) as f64),
                ..NightEntry::default()
            };
            e.took.insert("magnesium".into(), n < 400);
            e
        })
        .collect()
}

fn bench(c: &mut Criterion) {
    let kb = knowledge::bundled().expect("kb");
    let rules = safety::bundled_rules().expect("rules");
    let today: Date = "2026-11-23".parse().expect("date");
    let profile = Profile::parse(
        "age = 52\nbedtime = \"22:30\"\nmedications = [\"Zoloft\"]\n[symptoms]\nurge_to_move = true\n\
         worse_at_rest = true\nrelieved_by_movement = true\nevening_or_night = true\n",
        ProfileFormat::Toml,
    )
    .expect("profile");
    let nights = journal(today);
    let labs: Vec<LabRecord> = (0..6)
        .map(|i| LabRecord {
            test: "ferritin".into(),
            value: 30.0 + f64::from(i) * 8.0,
            unit: "ng/mL".into(),
            canonical_value: 30.0 + f64::from(i) * 8.0,
            canonical_unit: "ng/mL".into(),
            date: today
                .checked_sub(jiff::Span::new().days(180 * i64::from(i) + 1))
                .expect("date"),
            source: "manual".into(),
            comparator: None,
        })
        .collect();
    let experiments = vec![Experiment {
        remedy: "iron-oral".into(),
        start: today
            .checked_sub(jiff::Span::new().days(200))
            .expect("date"),
        planned_end: None,
        status: ExperimentStatus::Running,
        schedule: None,
    }];
    c.bench_function("report_pdf_3_years", |b| {
        b.iter(|| {
            let insights = quietlegs_app::insights_of(
                &nights,
                &experiments,
                &[],
                Some(&profile),
                kb,
                quietlegs_stats::Options::default(),
            );
            let plan = quietlegs_app::plan_of(&profile, kb, rules, today, &insights).expect("plan");
            let report = Report::build(&ReportInputs {
                profile: Some(&profile),
                plan: Some(&plan),
                labs: &labs,
                nights: &nights,
                experiments: &experiments,
                insights: &insights,
                kb,
                rules,
                today,
            });
            pdf::render(&report).expect("pdf")
        });
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
