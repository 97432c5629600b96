//! `import` and `export`: all-or-nothing imports, lossless exports.

use std::fs::File;
use std::io::{BufReader, IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::Args;
use quietlegs_io::formats::{self, Format};
use quietlegs_store::{OnConflict, Store, StoreError};

use crate::Global;
use crate::database::{self, block_on};
use crate::error::UsageError;

/// `--format`: any format of io's registry, by its name.
fn format(name: &str) -> Result<Format, String> {
    Format::parse(name).ok_or_else(|| {
        format!(
            "'{name}' is not a format (accepted: {})",
            Format::names(Format::ALL)
        )
    })
}

#[derive(Debug, Args)]
pub struct ImportArgs {
    file: PathBuf,
    /// The file's format (csv, json, apple-health, fhir); guessed from its name and first bytes
    /// when omitted.
    #[arg(long, value_parser = format)]
    format: Option<Format>,
    /// Replace nights (and other records) already stored with different values.
    #[arg(long)]
    overwrite: bool,
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    /// csv, json or fhir.
    #[arg(long, value_parser = format)]
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
    let mut head = vec![0u8; formats::GUESS_BYTES];
    let n = std::io::Read::read(
        &mut File::open(file)
            .map_err(|e| UsageError(format!("{}: cannot open: {e}", file.display())))?,
        &mut head,
    )
    .unwrap_or(0);
    Format::guess(&file.to_string_lossy(), &head[..n]).ok_or_else(|| {
        UsageError(format!(
            "{}: cannot tell the format; pass --format {}",
            file.display(),
            Format::ALL.map(Format::name).join("|")
        ))
        .into()
    })
}

/// Reads the whole file, with a progress bar on a terminal for the formats that can be large.
fn read_bundle(
    file: &std::path::Path,
    format: Format,
    today: jiff::civil::Date,
) -> Result<formats::Read> {
    let name = file.display().to_string();
    let opened = File::open(file).map_err(|e| UsageError(format!("{name}: cannot open: {e}")))?;
    let size = opened.metadata().map(|m| m.len()).unwrap_or(0);
    let bar = (format == Format::AppleHealth && std::io::stderr().is_terminal()).then(|| {
        let bar = indicatif::ProgressBar::new(size);
        bar.set_style(
            indicatif::ProgressStyle::with_template(
                "{msg} [{bar:30}] {bytes}/{total_bytes} ({eta})",
            )
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        );
        bar.set_message("Reading");
        bar
    });
    let mut progress = |bytes: u64| {
        if let Some(bar) = &bar {
            bar.set_position(bytes);
        }
    };
    let read = formats::read(
        format,
        BufReader::with_capacity(1 << 16, opened),
        &name,
        formats::ReadContext {
            kb: crate::knowledge()?.0,
            today,
            progress: &mut progress,
        },
    )
    .map_err(|e| UsageError(e.to_string()))?;
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    // Nothing is left out silently: say what was skipped before importing the rest.
    for line in &read.skipped {
        eprintln!("{name}: {line}");
    }
    Ok(read)
}

pub fn import(args: ImportArgs, global: &Global) -> Result<ExitCode> {
    let format = match args.format {
        Some(f) => f,
        None => guess(&args.file)?,
    };
    let on_conflict = if args.overwrite {
        OnConflict::Overwrite
    } else {
        OnConflict::Refuse
    };
    block_on(async {
        let (store, person) = database::open_person(global).await?;
        // The whole file is read and checked before anything is written; "today" (for results
        // dated in the future) is the person's own.
        let today = quietlegs_app::clock::today_of(&store, person).await?;
        let bundle = read_bundle(&args.file, format, today)?.bundle;
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
        let (store, person) = database::open_person(global).await?;
        anyhow::Ok(store.export(person).await?)
    })??;
    let patient = quietlegs_io::fhir::PatientInfo {
        name: args.patient_name.clone(),
    };
    let mut bytes = Vec::new();
    formats::write(
        args.format,
        &bundle,
        crate::knowledge()?.0,
        &patient,
        &mut bytes,
    )
    .map_err(|e| match e {
        formats::WriteError::ImportOnly(_) => UsageError(format!("--format: {e}")).into(),
        formats::WriteError::Io(e) => anyhow::Error::from(e),
    })?;
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
