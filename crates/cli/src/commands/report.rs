//! `quietlegs report --out FILE.html`: the doctor report from the stored profile and journal,
//! composed by `quietlegs-app` and drawn by `quietlegs-report` (no web state).

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::Args;

use crate::Global;
use crate::database::{self, block_on};
use crate::error::UsageError;

#[derive(Debug, Args)]
pub struct ReportArgs {
    /// Where to write the report: FILE.pdf (A4, fonts embedded) or FILE.html.
    #[arg(long, value_name = "FILE")]
    out: PathBuf,
}

pub fn run(args: ReportArgs, global: &Global) -> Result<ExitCode> {
    let name = args.out.to_string_lossy().to_ascii_lowercase();
    let pdf = name.ends_with(".pdf");
    if !pdf && !name.ends_with(".html") && !name.ends_with(".htm") {
        return Err(UsageError(format!(
            "--out: {} must end in .pdf or .html",
            args.out.display()
        ))
        .into());
    }
    let (kb, rules) = crate::knowledge()?;
    let bytes = block_on(async {
        let (store, person) = database::open_person(global).await?;
        let derived = quietlegs_app::derive(&store, kb, rules, person).await?;
        let report = quietlegs_app::report::for_person(&store, kb, rules, person, &derived).await?;
        if pdf {
            Ok(quietlegs_report::pdf::render(&report)?)
        } else {
            quietlegs_report::html::render(&report)
                .map(String::into_bytes)
                .ok_or_else(|| anyhow::anyhow!("the report could not be drawn"))
        }
    })??;
    let tmp = args.out.with_extension("partial");
    std::fs::write(&tmp, bytes).with_context(|| format!("writing {}", tmp.display()))?;
    std::fs::rename(&tmp, &args.out).with_context(|| format!("writing {}", args.out.display()))?;
    eprintln!("Report written to {}", args.out.display());
    Ok(ExitCode::SUCCESS)
}
