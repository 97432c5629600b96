//! `import` and `export`: all-or-nothing imports, lossless exports.

use std::fs::File;
use std::io::{BufReader, IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::{Args, ValueEnum};
use quietlegs_core::journal::Bundle;
use quietlegs_store::{OnConflict, Store, StoreError};

use crate::Global;
use crate::database::{self, block_on};
use crate::error::UsageError;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Csv,
    Json,
    AppleHealth,
    Fhir,
}

#[derive(Debug, Args)]
pub struct ImportArgs {
    file: PathBuf,
    /// The file's format; guessed from its name and first bytes when omitted.
    #[arg(long, value_enum)]
    format: Option<Format>,
    /// Replace nights (and other records) already stored with different values.
    #[arg(long)]
    overwrite: bool,
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    #[arg(long, value_enum)]
    format: Format,
    /// Write to this file instead of stdout.
    #[arg(long, value_name = "FILE")]
    out: Option<PathBuf>,
    /// FHIR only: the name to put on the Patient (by default the export carries no name and no
    /// identifier).
    #[arg(long, value_name = "NAME")]
    patient_name: Option<String>,
}

fn guess(file: &std::path::Path) -> Result<Format> {
    let name = file.to_string_lossy().to_lowercase();
    if name.ends_with(".csv") {
        return Ok(Format::Csv);
    }
    if name.ends_with(".xml") {
        return Ok(Format::AppleHealth);
    }
    let mut head = [0u8; 512];
    let n = std::io::Read::read(
        &mut File::open(file)
            .map_err(|e| UsageError(format!("{}: cannot open: {e}", file.display())))?,
        &mut head,
    )
    .unwrap_or(0);
    let head = String::from_utf8_lossy(&head[..n]);
    if head.contains("\"resourceType\"") {
        Ok(Format::Fhir)
    } else if head.trim_start().starts_with('{') {
        Ok(Format::Json)
    } else if head.trim_start().starts_with("<?xml") || head.contains("<HealthData") {
        Ok(Format::AppleHealth)
    } else if name.ends_with(".json") {
        Ok(Format::Json)
    } else {
        Err(UsageError(format!(
            "{}: cannot tell the format; pass --format csv|json|apple-health|fhir",
            file.display()
        ))
        .into())
    }
}

fn read_bundle(file: &std::path::Path, format: Format) -> Result<Bundle> {
    let name = file.display().to_string();
    let open = || {
        File::open(file)
            .map_err(|e| anyhow::Error::from(UsageError(format!("{name}: cannot open: {e}"))))
    };
    match format {
        Format::Csv => {
            let nights = quietlegs_io::journal_csv::read(BufReader::new(open()?), &name)
                .map_err(|e| UsageError(e.to_string()))?;
            Ok(Bundle {
                nights,
                ..Bundle::new()
            })
        }
        Format::Json => {
            let text = std::fs::read_to_string(file)
                .map_err(|e| UsageError(format!("{name}: cannot read: {e}")))?;
            Ok(quietlegs_io::bundle_json::read(&text, &name)
                .map_err(|e| UsageError(e.to_string()))?)
        }
        Format::AppleHealth => {
            let size = std::fs::metadata(file).map(|m| m.len()).unwrap_or(0);
            let bar = std::io::stderr().is_terminal().then(|| {
                let bar = indicatif::ProgressBar::new(size);
                bar.set_style(
                    indicatif::ProgressStyle::with_template(
                        "{msg} [{bar:30}] {bytes}/{total_bytes} ({eta})",
                    )
                    .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
                );
                bar.set_message("Reading sleep");
                bar
            });
            let sleep = quietlegs_io::apple_health::read_sleep(
                BufReader::with_capacity(1 << 16, open()?),
                &name,
                |bytes| {
                    if let Some(bar) = &bar {
                        bar.set_position(bytes);
                    }
                },
            )
            .map_err(|e| UsageError(e.to_string()))?;
            if let Some(bar) = bar {
                bar.finish_and_clear();
            }
            Ok(Bundle {
                sleep,
                ..Bundle::new()
            })
        }
        Format::Fhir => {
            let text = std::fs::read_to_string(file)
                .map_err(|e| UsageError(format!("{name}: cannot read: {e}")))?;
            let kb = quietlegs_core::knowledge::bundled()
                .map_err(|e| anyhow::anyhow!("the built-in knowledge base is invalid:\n{e}"))?;
            let today = jiff::Zoned::now().date();
            let read = quietlegs_io::fhir::import(&text, &name, kb, today)
                .map_err(|e| UsageError(e.to_string()))?;
            // Nothing is left out silently: say what was skipped before importing the rest.
            for line in &read.skipped {
                eprintln!("{name}: {line}");
            }
            Ok(read.bundle)
        }
    }
}

pub fn import(args: ImportArgs, global: &Global) -> Result<ExitCode> {
    let format = match args.format {
        Some(f) => f,
        None => guess(&args.file)?,
    };
    // The whole file is read and checked before the database is touched.
    let bundle = read_bundle(&args.file, format)?;
    let on_conflict = if args.overwrite {
        OnConflict::Overwrite
    } else {
        OnConflict::Refuse
    };
    block_on(async {
        let store = database::open(global.database.as_deref()).await?;
        let person = database::person(&store, global.user.as_deref()).await?;
        match store.import(person, &bundle, on_conflict).await {
            Ok(report) => {
                eprintln!(
                    "Imported {}: {} added, {} updated, {} already there.",
                    args.file.display(),
                    report.added,
                    report.updated,
                    report.unchanged
                );
                anyhow::Ok(ExitCode::SUCCESS)
            }
            Err(StoreError::Conflict(message)) => {
                Err(UsageError(format!("{}: {message}", args.file.display())).into())
            }
            Err(e) => Err(e.into()),
        }
    })?
}

pub fn export(args: ExportArgs, global: &Global) -> Result<ExitCode> {
    let bundle = block_on(async {
        let store = database::open(global.database.as_deref()).await?;
        let person = database::person(&store, global.user.as_deref()).await?;
        anyhow::Ok(store.export(person).await?)
    })??;
    let mut bytes = Vec::new();
    match args.format {
        Format::Json => bytes = quietlegs_io::bundle_json::write(&bundle),
        Format::Csv => quietlegs_io::journal_csv::write(&bundle.nights, &mut bytes)?,
        Format::Fhir => {
            let kb = quietlegs_core::knowledge::bundled()
                .map_err(|e| anyhow::anyhow!("the built-in knowledge base is invalid:\n{e}"))?;
            let patient = quietlegs_io::fhir::PatientInfo {
                name: args.patient_name.clone(),
            };
            let doc = quietlegs_io::fhir::export(&bundle, kb, &patient);
            bytes = serde_json::to_vec_pretty(&doc)?;
            bytes.push(b'\n');
        }
        Format::AppleHealth => {
            return Err(UsageError(
                "--format: export supports csv, json and fhir (Apple Health is import only)".into(),
            )
            .into());
        }
    }
    match &args.out {
        Some(path) => {
            // Write beside the target and rename, so a crash never leaves half a file.
            let tmp = path.with_extension("partial");
            std::fs::write(&tmp, &bytes).with_context(|| format!("writing {}", tmp.display()))?;
            std::fs::rename(&tmp, path).with_context(|| format!("writing {}", path.display()))?;
        }
        None => std::io::stdout().write_all(&bytes)?,
    }
    Ok(ExitCode::SUCCESS)
}
