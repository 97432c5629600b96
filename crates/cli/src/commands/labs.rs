use std::process::ExitCode;

use anyhow::Result;
use clap::{Args, Subcommand};
use quietlegs_core::journal::LabRecord;
use quietlegs_core::profile::{LabInput, check_lab};
use quietlegs_store::Store;

use crate::Global;
use crate::database::{self, block_on};
use crate::error::UsageError;

#[derive(Debug, Subcommand)]
pub enum LabsCommand {
    /// Record a result: `quietlegs labs add ferritin 42 ng/mL --date 2026-10-01`.
    Add(AddArgs),
    /// Every stored result, oldest first.
    List(ListArgs),
}

#[derive(Debug, Args)]
pub struct AddArgs {
    /// The test (ferritin, tsat, vitamin-d-25oh, ...; names and aliases work too).
    test: String,
    #[arg(allow_negative_numbers = true)]
    value: f64,
    /// The unit as on the report (ng/mL, ug/L, %, nmol/L, ...).
    unit: String,
    /// When the blood was taken; default: today.
    #[arg(long, value_name = "YYYY-MM-DD")]
    date: Option<String>,
}

#[derive(Debug, Args)]
pub struct ListArgs {
    /// Print one JSON array on stdout.
    #[arg(long)]
    json: bool,
}

pub fn run(cmd: LabsCommand, global: &Global) -> Result<ExitCode> {
    match cmd {
        LabsCommand::Add(args) => add(args, global),
        LabsCommand::List(args) => list(args, global),
    }
}

fn add(args: AddArgs, global: &Global) -> Result<ExitCode> {
    let kb = crate::knowledge()?.0;
    let today = jiff::Zoned::now().date();
    let date = super::profile_input::date_or(args.date.as_deref(), "--date", today)?;
    let input = LabInput {
        test: args.test.clone(),
        value: args.value,
        unit: args.unit.clone(),
        date: Some(date),
        comparator: None,
    };
    let checked = check_lab(kb, &input, today, "").map_err(|e| UsageError(e.to_string()))?;
    let record = LabRecord {
        test: checked.test,
        value: args.value,
        unit: args.unit,
        canonical_value: checked.value,
        canonical_unit: checked.unit,
        date,
        source: "manual".into(),
        comparator: None,
    };
    block_on(async {
        let (store, person) = database::open_person(global).await?;
        let id = store.add_lab(person, &record).await?;
        eprintln!(
            "Saved {} {} {} from {} (as {} {}), id {id}.",
            record.test,
            record.value,
            record.unit,
            record.date,
            quietlegs_core::knowledge::entry_number(record.canonical_value),
            record.canonical_unit
        );
        anyhow::Ok(ExitCode::SUCCESS)
    })?
}

fn list(args: ListArgs, global: &Global) -> Result<ExitCode> {
    block_on(async {
        let (store, person) = database::open_person(global).await?;
        let labs = store.labs(person).await?;
        if args.json {
            let doc: Vec<serde_json::Value> = labs
                .iter()
                .map(|(id, l)| {
                    let mut v = serde_json::to_value(l).unwrap_or_default();
                    v["id"] = serde_json::json!(id);
                    v
                })
                .collect();
            println!("{}", serde_json::to_string_pretty(&doc)?);
        } else if labs.is_empty() {
            eprintln!(
                "No lab results yet. Add one: quietlegs labs add ferritin 42 ng/mL --date YYYY-MM-DD"
            );
        } else {
            for (id, l) in &labs {
                println!(
                    "{:>5}  {}  {:<16} {:>8} {:<8} ({} {})",
                    id,
                    l.date,
                    l.test,
                    quietlegs_core::journal::bounded(
                        l.comparator,
                        &quietlegs_core::knowledge::entry_number(l.value)
                    ),
                    l.unit,
                    quietlegs_core::knowledge::entry_number(l.canonical_value),
                    l.canonical_unit
                );
            }
        }
        anyhow::Ok(ExitCode::SUCCESS)
    })?
}
