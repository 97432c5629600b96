//! The `quietlegs` command line: argument parsing and output only. Every decision is made in the
//! domain crates; this crate translates input to calls and results to text or JSON.

mod commands;
mod database;
mod error;
mod text;

use std::ffi::OsString;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

pub use commands::kb::{kb_list_json, list_items};

/// The built-in knowledge base and safety rules (checked once, kept for the process).
fn knowledge() -> anyhow::Result<(
    &'static quietlegs_core::KnowledgeBase,
    &'static quietlegs_core::safety::Rules,
)> {
    let kb = quietlegs_core::knowledge::bundled()
        .map_err(|e| anyhow::anyhow!("the built-in knowledge base is invalid:\n{e}"))?;
    let rules = quietlegs_core::safety::bundled_rules()
        .map_err(|e| anyhow::anyhow!("the built-in safety rules are invalid:\n{e}"))?;
    Ok((kb, rules))
}
pub use error::UsageError;

/// Quietlegs: an evidence-graded, safety-first companion for restless legs syndrome.
///
/// Quietlegs is not medical advice. It helps you find what is worth testing, trying and asking
/// your doctor about, and it keeps track of what helps.
#[derive(Debug, Parser)]
#[command(
    name = "quietlegs",
    version,
    propagate_version = true,
    max_term_width = 100
)]
pub struct Cli {
    #[command(flatten)]
    global: Global,
    #[command(subcommand)]
    command: Command,
}

/// Options every command accepts, before or after the subcommand.
#[derive(Debug, Clone, clap::Args)]
pub struct Global {
    /// Database URL: sqlite://PATH or postgres://USER@HOST/DB. Default: a SQLite file in the
    /// platform data directory (~/.local/share/quietlegs/quietlegs.db), created on first use.
    #[arg(
        long,
        global = true,
        env = "QUIETLEGS_DATABASE_URL",
        value_name = "URL"
    )]
    database: Option<String>,
    /// The account to act for in a multi-user database (default: the local person).
    #[arg(long, global = true, value_name = "NAME")]
    user: Option<String>,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the web app and JSON API.
    Serve(commands::serve::ServeArgs),
    /// Browse the knowledge base: remedies, triggers, medicines, conditions, tests and sources.
    #[command(subcommand)]
    Kb(commands::kb::KbCommand),
    /// Screening only: do the symptoms fit RLS, is anything urgent, what else could it be.
    Assess(commands::assess::AssessArgs),
    /// Your full plan: tests, things to discuss, iron, changes to try one at a time, routine.
    Plan(commands::plan::PlanArgs),
    /// Record or update one night (a check-in takes seconds).
    Log(commands::log::LogArgs),
    /// Did a change help, which habits go with worse nights, how it is going.
    Insights(commands::insights::InsightsArgs),
    /// Start, list and finish experiments: one change at a time, optionally on a randomised
    /// on/off schedule.
    #[command(subcommand)]
    Experiment(commands::experiment::ExperimentCommand),
    /// Lab results: add and list.
    #[command(subcommand)]
    Labs(commands::labs::LabsCommand),
    /// The stored profile: set from a file, show.
    #[command(subcommand)]
    Profile(commands::profile::ProfileCommand),
    /// Import a journal CSV, a JSON export or an Apple Health export.xml (all or nothing).
    Import(commands::transfer::ImportArgs),
    /// Export everything as JSON, or the journal as CSV.
    Export(commands::transfer::ExportArgs),
    /// The doctor report: screening, severity, iron, what was tried, triggers, questions.
    Report(commands::report::ReportArgs),
    /// Operator and benchmark tools (synthetic data).
    #[command(subcommand, hide = true)]
    Dev(commands::dev::DevCommand),
    /// Accounts for server mode (`serve --multi-user`).
    #[command(subcommand)]
    User(commands::user::UserCommand),
}

/// Runs the command line with `args` and returns the process exit code: 0 success, 1 runtime
/// failure, 2 bad input or usage.
pub fn main_with_args<I, T>(args: I) -> ExitCode
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(err) => {
            // clap prints help and version to stdout and usage errors to stderr, with its own codes.
            let _ = err.print();
            return ExitCode::from(err.exit_code().clamp(0, 255) as u8);
        }
    };
    // The server picks its own log format from its settings.
    if !matches!(cli.command, Command::Serve(_)) {
        init_tracing(false, "warn");
    }
    let result = match cli.command {
        Command::Serve(args) => commands::serve::run(args, &cli.global),
        Command::Kb(cmd) => commands::kb::run(cmd),
        Command::Assess(args) => commands::assess::run(args, &cli.global),
        Command::Plan(args) => commands::plan::run(args, &cli.global),
        Command::Log(args) => commands::log::run(args, &cli.global),
        Command::Insights(args) => commands::insights::run(args, &cli.global),
        Command::Experiment(cmd) => commands::experiment::run(cmd, &cli.global),
        Command::Labs(cmd) => commands::labs::run(cmd, &cli.global),
        Command::Profile(cmd) => commands::profile::run(cmd, &cli.global),
        Command::Import(args) => commands::transfer::import(args, &cli.global),
        Command::Export(args) => commands::transfer::export(args, &cli.global),
        Command::User(cmd) => commands::user::run(cmd, &cli.global),
        Command::Dev(cmd) => commands::dev::run(cmd, &cli.global),
        Command::Report(args) => commands::report::run(args, &cli.global),
    };
    match result {
        Ok(code) => code,
        Err(err) => {
            eprintln!("quietlegs: {err:#}");
            if err.downcast_ref::<UsageError>().is_some() {
                ExitCode::from(2)
            } else {
                ExitCode::from(1)
            }
        }
    }
}

/// Logs go to stderr; `QUIETLEGS_LOG` sets the filter (e.g. `debug`). Servers may log JSON lines.
fn init_tracing(json: bool, default_filter: &str) {
    use tracing_subscriber::EnvFilter;
    let filter =
        EnvFilter::try_from_env("QUIETLEGS_LOG").unwrap_or_else(|_| EnvFilter::new(default_filter));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()));
    let _ = if json {
        builder.json().try_init()
    } else {
        builder.try_init()
    };
}
