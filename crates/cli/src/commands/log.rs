use std::io::{BufRead, IsTerminal, Write};
use std::process::ExitCode;

use anyhow::Result;
use clap::Args;
use jiff::civil::Date;
use quietlegs_core::journal::{self, NightEntry};
use quietlegs_store::Store;

use crate::Global;
use crate::database::{self, block_on};
use crate::error::UsageError;

#[derive(Debug, Args)]
pub struct LogArgs {
    /// The night (the date the evening began); default: last night before 3 pm, tonight after.
    #[arg(long, value_name = "YYYY-MM-DD")]
    night: Option<String>,
    /// How bad the legs were, 0 (not at all) to 10 (worst). Asked on a terminal when missing.
    #[arg(long)]
    severity: Option<String>,
    /// More journal fields as FIELD=VALUE (spec section 5 names: caffeine_mg=200,
    /// alcohol_drinks=2, took:magnesium=1, notes="long drive", ...).
    #[arg(value_name = "FIELD=VALUE")]
    fields: Vec<String>,
}

pub fn run(args: LogArgs, global: &Global) -> Result<ExitCode> {
    let mut pairs: Vec<(String, String)> = Vec::new();
    for field in &args.fields {
        let (k, v) = field.split_once('=').ok_or_else(|| {
            UsageError(format!(
                "'{field}' is not FIELD=VALUE (for example caffeine_mg=200)"
            ))
        })?;
        if matches!(k, "night" | "severity") {
            return Err(UsageError(format!("use --{k} instead of {k}=...")).into());
        }
        pairs.push((k.to_string(), v.to_string()));
    }
    block_on(async {
        let (store, person) = database::open_person(global).await?;
        // The person's own clock decides "last night" and "the future", not this machine's zone.
        let stored = store.profile(person).await?;
        let profile = stored.as_ref().map(|p| &p.profile);
        let today = quietlegs_app::clock::today_for(profile);
        let night = super::profile_input::date_or(
            args.night.as_deref(),
            "--night",
            quietlegs_app::clock::default_night(profile),
        )?;
        journal::check_not_future(night, today)
            .map_err(|e| UsageError(format!("--night: {}", e.message)))?;
        let severity = match args.severity {
            Some(s) => s,
            None if std::io::stdin().is_terminal() => ask_severity(night)?,
            None => {
                return Err(UsageError(
                    "--severity is required when there is no terminal to ask on (0-10)".into(),
                )
                .into());
            }
        };
        // Updating a night keeps what was recorded before and changes only what is given.
        let mut entry = store
            .night(person, night)
            .await?
            .unwrap_or_else(NightEntry::default);
        entry.night = Some(night);
        let set = |entry: &mut NightEntry, k: &str, v: &str| {
            entry
                .set_field(k, v)
                .map_err(|e| anyhow::Error::from(UsageError(e.to_string())))
        };
        set(&mut entry, "severity", &severity)?;
        for (k, v) in &pairs {
            set(&mut entry, k, v)?;
        }
        entry.check(today).map_err(|e| UsageError(e.to_string()))?;
        store.put_night(person, &entry).await?;
        eprintln!("Saved the night of {night}: severity {}.", entry.severity);
        anyhow::Ok(ExitCode::SUCCESS)
    })?
}

fn ask_severity(night: Date) -> Result<String> {
    let stdin = std::io::stdin();
    let mut lines = stdin.lock().lines();
    loop {
        print!("How bad were your legs on the night of {night}? 0 (fine) to 10 (worst): ");
        std::io::stdout().flush()?;
        let answer = lines.next().transpose()?.unwrap_or_default();
        let answer = answer.trim();
        if answer.parse::<u8>().is_ok_and(|v| v <= 10) {
            return Ok(answer.to_string());
        }
        if answer.is_empty() {
            return Err(UsageError("nothing saved: no severity given".into()).into());
        }
        println!("  Please type a whole number from 0 to 10.");
    }
}
