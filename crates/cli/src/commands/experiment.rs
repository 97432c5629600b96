//! `quietlegs experiment`: one change at a time, with dates, so insights can judge it. A
//! reversible change can run on a randomised on/off schedule whose seed is stored, which makes
//! an exact randomisation test valid later.

use std::process::ExitCode;

use anyhow::Result;
use clap::{Args, Subcommand};
use jiff::Span;
use jiff::civil::Date;
use quietlegs_core::journal::{Experiment, ExperimentStatus, OnOffSchedule};
use quietlegs_core::knowledge::{Evidence, Kind};
use quietlegs_core::{KnowledgeBase, plan};
use quietlegs_stats::AbabSchedule;
use quietlegs_store::{PersonId, SqlStore, Store};

use super::insights::display_name;
use super::profile_input;
use crate::Global;
use crate::database::{self, block_on};
use crate::error::UsageError;

/// Below this many pairs no randomisation test can reach p < 0.05.
const PAIRS_FOR_5_PERCENT: u32 = 5;
/// Seeds stay below 2^53 so JSON and 64-bit columns hold them exactly.
const SEED_MASK: u64 = (1 << 53) - 1;

#[derive(Debug, Subcommand)]
pub enum ExperimentCommand {
    /// Start trying one change (a remedy or habit id from the knowledge base).
    Start(StartArgs),
    /// List experiments.
    List(ListArgs),
    /// Mark the running experiment with this remedy finished.
    Finish(EndArgs),
    /// Mark the running experiment with this remedy abandoned (it will not be judged).
    Abandon(EndArgs),
}

#[derive(Debug, Args)]
pub struct StartArgs {
    /// The remedy or habit, e.g. magnesium, compression-socks.
    id: String,
    /// First night of the change (YYYY-MM-DD); default: tonight.
    #[arg(long, value_name = "YYYY-MM-DD")]
    start: Option<String>,
    /// How many nights to try it; default: the time it takes to act, at least 14.
    #[arg(long, value_name = "NIGHTS", value_parser = clap::value_parser!(u32).range(7..=730))]
    days: Option<u32>,
    /// Switch the change on and off in randomised pairs of periods (reversible changes only).
    #[arg(long)]
    on_off: bool,
    /// On/off: number of pairs (5 or more for a test that can reach p < 0.05).
    #[arg(long, default_value_t = 5, value_parser = clap::value_parser!(u32).range(1..=20))]
    pairs: u32,
    /// On/off: nights per period; default: long enough for the change to act, 7 to 28.
    #[arg(long, value_name = "NIGHTS", value_parser = clap::value_parser!(u32).range(3..=60))]
    period: Option<u32>,
    /// On/off: the seed for the coin flips (recorded either way); default: drawn now.
    #[arg(long, value_parser = clap::value_parser!(u64).range(0..=SEED_MASK as i64 as u64))]
    seed: Option<u64>,
    /// Print one JSON document on stdout.
    #[arg(long)]
    json: bool,
}

#[derive(Debug, Args)]
pub struct ListArgs {
    #[arg(long)]
    json: bool,
}

#[derive(Debug, Args)]
pub struct EndArgs {
    id: String,
}

pub fn run(cmd: ExperimentCommand, global: &Global) -> Result<ExitCode> {
    let kb = crate::knowledge()?.0;
    block_on(async {
        let (store, person) = database::open_person(global).await?;
        match cmd {
            ExperimentCommand::Start(args) => start(&store, person, kb, args).await,
            ExperimentCommand::List(args) => list(&store, person, kb, args).await,
            ExperimentCommand::Finish(args) => {
                end(&store, person, &args.id, ExperimentStatus::Finished).await
            }
            ExperimentCommand::Abandon(args) => {
                end(&store, person, &args.id, ExperimentStatus::Abandoned).await
            }
        }
    })?
}

fn triable(kind: Kind) -> bool {
    matches!(
        kind,
        Kind::Supplement
            | Kind::Herb
            | Kind::Food
            | Kind::Lifestyle
            | Kind::MindBody
            | Kind::Device
            | Kind::Physical
            | Kind::Trigger
    )
}

async fn start(
    store: &SqlStore,
    person: PersonId,
    kb: &KnowledgeBase,
    args: StartArgs,
) -> Result<ExitCode> {
    let Some(entry) = kb.get(&args.id) else {
        return Err(UsageError(format!(
            "'{}' is not in the knowledge base (try: quietlegs kb search {})",
            args.id, args.id
        ))
        .into());
    };
    if !triable(entry.kind) {
        return Err(UsageError(format!(
            "'{}' is a {}, not a change to try on your own; talk to your doctor about it",
            entry.id,
            entry.kind.as_str()
        ))
        .into());
    }
    if entry.evidence == Evidence::X {
        return Err(UsageError(format!(
            "{} is graded X (evidence of harm or against): Quietlegs will not set up a trial \
             of it. See: quietlegs kb show {}",
            entry.name, entry.id
        ))
        .into());
    }
    let today = jiff::Zoned::now().date();
    // The safety engine has the last word: a change it excludes for this person is refused.
    if let Some(current) = store.profile(person).await? {
        let resolved = profile_input::resolve(
            std::path::Path::new("stored profile"),
            &current.profile,
            kb,
            today,
        )?;
        let rules = crate::knowledge()?.1;
        let p = plan::plan(&resolved, kb, rules, today);
        if let Some(x) = p.excluded.iter().find(|x| x.id == entry.id) {
            return Err(UsageError(format!(
                "{} is ruled out for you ({}): {}",
                entry.name, x.reason, x.message
            ))
            .into());
        }
    }
    let start = profile_input::date_or(args.start.as_deref(), "--start", today)?;
    let trial = plan::trial_days(entry.onset_days);
    let schedule = if args.on_off {
        if !entry.reversible {
            return Err(UsageError(format!(
                "{} cannot be tested by switching it on and off: its effect lasts after \
                 stopping. Start it without --on-off; it is then judged as one lasting change.",
                entry.name
            ))
            .into());
        }
        let seed = args.seed.unwrap_or_else(fresh_seed);
        Some(OnOffSchedule {
            seed,
            pairs: args.pairs,
            period_nights: args
                .period
                .unwrap_or((entry.onset_days.unwrap_or(trial) + 5).clamp(7, 28)),
        })
    } else {
        None
    };
    let nights = match schedule {
        Some(s) => 2 * s.pairs * s.period_nights,
        None => args.days.unwrap_or(trial),
    };
    let end = start
        .checked_add(Span::new().days(i64::from(nights) - 1))
        .map_err(|_| UsageError("--start: the experiment would end past the calendar".into()))?;
    if store
        .experiments(person)
        .await?
        .iter()
        .any(|e| e.remedy == entry.id && e.status == ExperimentStatus::Running)
    {
        return Err(UsageError(format!(
            "an experiment with {} is already running; finish it first: quietlegs experiment \
             finish {}",
            entry.name, entry.id
        ))
        .into());
    }
    let experiment = Experiment {
        remedy: entry.id.clone(),
        start,
        planned_end: Some(end),
        status: ExperimentStatus::Running,
        schedule,
    };
    store.put_experiment(person, &experiment).await?;
    let periods = schedule.map(|s| periods(start, s)).unwrap_or_default();
    if args.json {
        let doc = serde_json::json!({
            "experiment": experiment,
            "periods": periods.iter().map(|(from, to, on)| serde_json::json!({
                "from": from, "to": to, "on": on})).collect::<Vec<_>>(),
        });
        println!("{}", serde_json::to_string_pretty(&doc)?);
        return Ok(ExitCode::SUCCESS);
    }
    println!(
        "Started: {} from {start} to {end} ({nights} nights).",
        display_name(kb, &entry.id)
    );
    match schedule {
        Some(s) => {
            println!(
                "On/off schedule (seed {}, recorded): {} pairs of {}-night periods.",
                s.seed, s.pairs, s.period_nights
            );
            for (from, to, on) in &periods {
                println!("  {from} to {to}: {}", if *on { "ON" } else { "off" });
            }
            if s.pairs < PAIRS_FOR_5_PERCENT {
                println!(
                    "Note: with {} pairs the exact test can never give p below {:.3}; {} pairs \
                     are needed to reach 0.05.",
                    s.pairs,
                    AbabSchedule::from(s).smallest_p(),
                    PAIRS_FOR_5_PERCENT
                );
            }
        }
        None => println!(
            "Change only this, log every night (took:{}=1 on nights you use it), and run \
             'quietlegs insights' at the end.",
            entry.id
        ),
    }
    Ok(ExitCode::SUCCESS)
}

/// (first night, last night, on) for each period of a schedule.
fn periods(start: Date, s: OnOffSchedule) -> Vec<(Date, Date, bool)> {
    let schedule = AbabSchedule::from(s);
    (0..2 * s.pairs)
        .filter_map(|k| {
            let first = i64::from(k * s.period_nights);
            let from = start.checked_add(Span::new().days(first)).ok()?;
            let to = from
                .checked_add(Span::new().days(i64::from(s.period_nights) - 1))
                .ok()?;
            Some((from, to, schedule.on_at(first)?))
        })
        .collect()
}

/// A seed nobody chose: the clock's nanoseconds mixed with the process id.
fn fresh_seed() -> u64 {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos() as u64);
    (nanos ^ (u64::from(std::process::id()) << 32)).wrapping_mul(0x9e37_79b9_7f4a_7c15) & SEED_MASK
}

async fn list(
    store: &SqlStore,
    person: PersonId,
    kb: &KnowledgeBase,
    args: ListArgs,
) -> Result<ExitCode> {
    let experiments = store.experiments(person).await?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&experiments)?);
        return Ok(ExitCode::SUCCESS);
    }
    if experiments.is_empty() {
        println!("No experiments yet. Start one with: quietlegs experiment start ID");
    }
    for e in &experiments {
        let end = e
            .planned_end
            .map(|d| d.to_string())
            .unwrap_or("open".into());
        let on_off = e
            .schedule
            .map(|s| {
                format!(
                    ", on/off {}x{} nights, seed {}",
                    s.pairs, s.period_nights, s.seed
                )
            })
            .unwrap_or_default();
        println!(
            "{:<28} {} to {end}  {}{on_off}",
            display_name(kb, &e.remedy),
            e.start,
            e.status.as_str()
        );
    }
    Ok(ExitCode::SUCCESS)
}

async fn end(
    store: &SqlStore,
    person: PersonId,
    id: &str,
    status: ExperimentStatus,
) -> Result<ExitCode> {
    let experiments = store.experiments(person).await?;
    let Some(running) = experiments
        .iter()
        .rev()
        .find(|e| e.remedy == id && e.status == ExperimentStatus::Running)
    else {
        return Err(UsageError(format!("no running experiment with '{id}'")).into());
    };
    let updated = Experiment {
        status,
        ..running.clone()
    };
    store.put_experiment(person, &updated).await?;
    eprintln!("Experiment with {id} marked {}.", status.as_str());
    Ok(ExitCode::SUCCESS)
}
