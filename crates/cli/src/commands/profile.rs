use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Result;
use clap::{Args, Subcommand};
use quietlegs_store::Store;

use super::profile_input;
use crate::Global;
use crate::database::{self, block_on};

#[derive(Debug, Subcommand)]
pub enum ProfileCommand {
    /// Store a profile file (TOML or JSON) as a new version.
    Set(SetArgs),
    /// Print the stored profile.
    Show(ShowArgs),
}

#[derive(Debug, Args)]
pub struct SetArgs {
    file: PathBuf,
}

#[derive(Debug, Args)]
pub struct ShowArgs {
    /// Print one JSON document (version, created_at, profile) on stdout.
    #[arg(long)]
    json: bool,
}

pub fn run(cmd: ProfileCommand, global: &Global) -> Result<ExitCode> {
    match cmd {
        ProfileCommand::Set(args) => {
            let kb = crate::knowledge()?.0;
            let today = profile_input::today(None)?;
            // Checked in full before anything is stored.
            let profile = profile_input::read_profile(&args.file)?;
            profile_input::resolve(&args.file, &profile, kb, today)?;
            block_on(async {
                let (store, person) = database::open_person(global).await?;
                let version = store.put_profile(person, &profile).await?;
                eprintln!("Profile saved (version {version}).");
                anyhow::Ok(ExitCode::SUCCESS)
            })?
        }
        ProfileCommand::Show(args) => block_on(async {
            let (store, person) = database::open_person(global).await?;
            let Some(current) = store.profile(person).await? else {
                eprintln!("No profile stored yet: quietlegs profile set FILE");
                return anyhow::Ok(ExitCode::from(1));
            };
            if args.json {
                println!("{}", serde_json::to_string_pretty(&current)?);
            } else {
                println!(
                    "# version {}, saved {}\n{}",
                    current.version,
                    current.created_at,
                    toml::to_string(&current.profile)?
                );
            }
            anyhow::Ok(ExitCode::SUCCESS)
        })?,
    }
}
