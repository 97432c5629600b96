//! Importing ten years of nights (3,650 CSV rows) into a fresh SQLite store must take under
//! 200 ms: parse, validate, one transaction, commit.

use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use quietlegs_core::journal::Bundle;
use quietlegs_store::{OnConflict, Store};

fn ten_years_csv() -> String {
    let mut csv = String::from(
        "night,severity,onset,sleep_hours,caffeine_mg,last_caffeine,alcohol_drinks,\
         exercise_minutes,sugar_late,took:magnesium,took:stretching,notes\n",
    );
    let mut day = jiff::civil::date(2016, 1, 1);
    for i in 0..3650 {
        csv.push_str(&format!(
            "{day},{},21:{:02},{}.5,{},15:00,{},{},{},{},{},\n",
            i % 11,
            i % 60,
            5 + i % 3,
            (i * 37) % 400,
            i % 4,
            (i * 13) % 90,
            i % 2,
            (i / 30) % 2,
            (i / 7) % 2
        ));
        day = day.tomorrow().expect("date");
    }
    csv
}

fn import_ten_years(c: &mut Criterion) {
    let csv = ten_years_csv();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let dir = std::env::temp_dir().join(format!("quietlegs-bench-{}", std::process::id()));
    let mut n = 0;
    c.bench_function("import 3,650 nights from CSV into SQLite", |b| {
        b.iter_batched(
            || {
                n += 1;
                let path = dir.join(format!("bench-{n}.db"));
                let store = rt
                    .block_on(quietlegs_store_sqlite::open(&path))
                    .expect("open");
                let person = rt.block_on(store.ensure_person("local")).expect("person");
                (store, person)
            },
            |(store, person)| {
                let nights =
                    quietlegs_io::journal_csv::read(csv.as_bytes(), "bench.csv").expect("csv");
                let bundle = Bundle {
                    nights,
                    ..Bundle::new()
                };
                rt.block_on(store.import(person, &bundle, OnConflict::Refuse))
                    .expect("import")
            },
            BatchSize::PerIteration,
        )
    });
    std::fs::remove_dir_all(&dir).ok();
}

fn parse_ten_years(c: &mut Criterion) {
    let csv = ten_years_csv();
    c.bench_function("parse 3,650 nights of CSV", |b| {
        b.iter(|| quietlegs_io::journal_csv::read(csv.as_bytes(), "bench.csv").expect("csv"))
    });
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(20);
    targets = parse_ten_years, import_ten_years
}
criterion_main!(benches);
