//! `quietlegs user add NAME`: create an account for server mode.

use std::io::{BufRead, IsTerminal};
use std::process::ExitCode;

use anyhow::Result;
use clap::{Args, Subcommand};
use quietlegs_store::{Store, StoreError};

use crate::Global;
use crate::database::{self, block_on};
use crate::error::UsageError;

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Create an account. The password is asked on the terminal, or read as one line from
    /// standard input when there is no terminal.
    Add(AddArgs),
}

#[derive(Debug, Args)]
pub struct AddArgs {
    /// The account name: 3 to 40 letters, digits, dots, dashes or underscores.
    name: String,
}

pub fn run(cmd: UserCommand, global: &Global) -> Result<ExitCode> {
    match cmd {
        UserCommand::Add(args) => add(args, global),
    }
}

fn read_password() -> Result<String> {
    if std::io::stdin().is_terminal() {
        let first = rpassword::prompt_password("Password (at least 10 characters): ")?;
        let again = rpassword::prompt_password("The same password again: ")?;
        if first != again {
            return Err(UsageError("the two passwords differ; nothing was saved".into()).into());
        }
        Ok(first)
    } else {
        let mut line = String::new();
        std::io::stdin().lock().read_line(&mut line)?;
        Ok(line.trim_end_matches(['\r', '\n']).to_string())
    }
}

fn add(args: AddArgs, global: &Global) -> Result<ExitCode> {
    let name = quietlegs_web::check_username(&args.name)
        .map_err(|e| UsageError(format!("NAME: {}", e.message)))?;
    let password = read_password()?;
    quietlegs_web::check_password(&password)
        .map_err(|e| UsageError(format!("password: {}", e.message)))?;
    let hash = quietlegs_web::hash_password(&password)
        .map_err(|e| anyhow::anyhow!("hashing the password failed: {e}"))?;
    block_on(async {
        let store = database::open(global.database.as_deref()).await?;
        match store.create_person(&name, Some(&hash)).await {
            Ok(_) => {
                eprintln!("Created the account '{name}'.");
                anyhow::Ok(ExitCode::SUCCESS)
            }
            Err(StoreError::Conflict(_)) => Err(UsageError(format!(
                "NAME: the account '{name}' already exists; nothing was changed"
            ))
            .into()),
            Err(e) => Err(e.into()),
        }
    })?
}
