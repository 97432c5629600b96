//! `quietlegs dev`: tools for operators and benchmarks, hidden from normal help.
//! `dev seed` fills a database with synthetic people and nights for load tests.

use std::process::ExitCode;

use anyhow::Result;
use clap::{Args, Subcommand};
use jiff::ToSpan;
use quietlegs_core::journal::{Bundle, LabRecord, NightEntry};
use quietlegs_core::profile::{ClockTime, Profile};
use quietlegs_store::{OnConflict, Store, StoreError};

use crate::Global;
use crate::database::{self, block_on};
use crate::error::UsageError;

#[derive(Debug, Subcommand)]
pub enum DevCommand {
    /// Fill the database with synthetic people (`seed000001`...) and their nights. Every seeded
    /// account has the password `seeded-password` (for load tests only).
    Seed(SeedArgs),
}

#[derive(Debug, Args)]
pub struct SeedArgs {
    /// How many people.
    #[arg(long, default_value_t = 100)]
    people: u32,
    /// Years of nights per person, ending last night.
    #[arg(long, default_value_t = 1)]
    years: u32,
    /// Number the people from here (to add more to a seeded database).
    #[arg(long, default_value_t = 1)]
    first: u32,
}

pub const SEED_PASSWORD: &str = "seeded-password";

pub fn run(cmd: DevCommand, global: &Global) -> Result<ExitCode> {
    match cmd {
        DevCommand::Seed(args) => seed(args, global),
    }
}

/// A small deterministic generator (xorshift64*): synthetic data needs to be repeatable, not
/// unpredictable.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
}

/// One synthetic person's nights: severity drifts around a personal level, worse with alcohol,
/// better once magnesium starts halfway through.
fn nights(person: u32, days: i64, last: jiff::civil::Date) -> Vec<NightEntry> {
    let mut rng =
        Rng(0x9E37_79B9_7F4A_7C15 ^ u64::from(person).wrapping_mul(0xBF58_476D_1CE4_E5B9) | 1);
    let level = 3 + rng.below(4) as i64;
    let mut out = Vec::with_capacity(usize::try_from(days).unwrap_or(0));
    for d in (1..=days).rev() {
        let Ok(night) = last.checked_sub((d - 1).days()) else {
            continue;
        };
        let alcohol = rng.below(4) == 0;
        let magnesium = d < days / 2;
        let noise = rng.below(5) as i64 - 2;
        let severity = (level + noise + i64::from(alcohol) - i64::from(magnesium)).clamp(0, 10);
        let mut e = NightEntry {
            night: Some(night),
            severity: u8::try_from(severity).unwrap_or(5),
            caffeine_mg: Some((rng.below(4) * 100) as f64),
            alcohol_drinks: Some(if alcohol {
                1.0 + rng.below(3) as f64
            } else {
                0.0
            }),
            sleep_hours: Some(5.0 + rng.below(5) as f64),
            ..NightEntry::default()
        };
        e.took.insert("magnesium".into(), magnesium);
        out.push(e);
    }
    out
}

/// One seeded person: an account, a profile with a bedtime, a ferritin result and `days` nights.
async fn seed_person(
    store: &impl Store,
    n: u32,
    hash: &str,
    days: i64,
    last: jiff::civil::Date,
) -> Result<()> {
    let name = format!("seed{n:06}");
    let person = match store.create_person(&name, Some(hash)).await {
        Ok(p) => p,
        Err(StoreError::Conflict(_)) => {
            return Err(UsageError(format!(
                "the account '{name}' already exists; seed with --first after the last one"
            ))
            .into());
        }
        Err(e) => return Err(e.into()),
    };
    let profile = Profile {
        bedtime: ClockTime::new(22, 30),
        ..Profile::default()
    };
    store.put_profile(person, &profile).await?;
    let lab_date = last.checked_sub(90.days()).unwrap_or(last);
    let ferritin = 20.0 + f64::from(n % 80);
    let bundle = Bundle {
        nights: nights(n, days, last),
        labs: vec![LabRecord {
            test: "ferritin".into(),
            value: ferritin,
            unit: "ng/mL".into(),
            canonical_value: ferritin,
            canonical_unit: "ng/mL".into(),
            date: lab_date,
            source: "seed".into(),
            comparator: None,
        }],
        ..Bundle::new()
    };
    store.import(person, &bundle, OnConflict::Refuse).await?;
    Ok(())
}

fn seed(args: SeedArgs, global: &Global) -> Result<ExitCode> {
    if args.people == 0 || args.years == 0 || args.years > 30 {
        return Err(UsageError("--people must be at least 1 and --years 1 to 30".into()).into());
    }
    let hash = quietlegs_web::hash_password(SEED_PASSWORD)
        .map_err(|e| anyhow::anyhow!("hashing the seed password failed: {e}"))?;
    let last = jiff::Zoned::now()
        .date()
        .yesterday()
        .unwrap_or(jiff::Zoned::now().date());
    let days = i64::from(args.years) * 365;
    let bar = indicatif::ProgressBar::new(u64::from(args.people));
    bar.set_style(
        indicatif::ProgressStyle::with_template(
            "{msg} [{bar:30}] {pos}/{len} people ({per_sec}, {eta})",
        )
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    bar.set_message("Seeding");
    let started = std::time::Instant::now();
    block_on(async {
        let store = database::open(global.database.as_deref()).await?;
        // PostgreSQL takes writes from several connections at once; SQLite has one writer.
        let workers = if global
            .database
            .as_deref()
            .is_some_and(|u| u.starts_with("postgres"))
        {
            4
        } else {
            1
        };
        let mut tasks = tokio::task::JoinSet::new();
        for worker in 0..workers {
            let (store, bar, hash) = (store.clone(), bar.clone(), hash.clone());
            let people =
                (args.first..args.first + args.people).filter(move |n| n % workers == worker);
            tasks.spawn(async move {
                for n in people {
                    seed_person(&store, n, &hash, days, last).await?;
                    bar.inc(1);
                }
                anyhow::Ok(())
            });
        }
        while let Some(done) = tasks.join_next().await {
            done??;
        }
        anyhow::Ok(())
    })??;
    bar.finish_and_clear();
    let secs = started.elapsed().as_secs_f64();
    let nights = u64::from(args.people) * u64::try_from(days).unwrap_or(0);
    eprintln!(
        "Seeded {} people with {nights} nights in {secs:.1} s ({:.0} nights/s). Password for every \
         seeded account: {SEED_PASSWORD}",
        args.people,
        nights as f64 / secs.max(1e-9)
    );
    Ok(ExitCode::SUCCESS)
}
