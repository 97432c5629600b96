//! The one registry of file formats: each format's name, content type, download name, how it
//! is told from its content, how it is read and how it is written. The CLI's `--format` and the
//! web's `?format=` and upload both map onto [`Format`], so a new format is a module in this
//! crate and a row here.

use std::io::{BufRead, Seek, Write};

use jiff::civil::Date;
use quietlegs_core::KnowledgeBase;
use quietlegs_core::journal::Bundle;

use crate::ImportError;
use crate::fhir::PatientInfo;

/// A file format Quietlegs reads, writes, or both.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// The journal CSV (spec section 5).
    Csv,
    /// Our own JSON export: everything stored (spec section 4).
    Json,
    /// Apple Health's `export.zip` or the `export.xml` inside it (sleep, workouts, steps and
    /// resting heart rate, and lab results from its clinical records; import only).
    AppleHealth,
    /// A FHIR R4 Bundle: labs in, the journal and labs out.
    Fhir,
    /// Fitbit's Takeout `sleep-*.json` (sleep with restlessness; import only).
    Fitbit,
    /// Oura's API v2 sleep periods (sleep with restlessness; import only).
    Oura,
}

impl Format {
    pub const ALL: [Format; 6] = [
        Format::Csv,
        Format::Json,
        Format::AppleHealth,
        Format::Fhir,
        Format::Fitbit,
        Format::Oura,
    ];

    /// The name people type (`--format csv`, `?format=fhir`).
    pub fn name(self) -> &'static str {
        match self {
            Format::Csv => "csv",
            Format::Json => "json",
            Format::AppleHealth => "apple-health",
            Format::Fhir => "fhir",
            Format::Fitbit => "fitbit",
            Format::Oura => "oura",
        }
    }

    pub fn parse(name: &str) -> Option<Format> {
        Format::ALL.into_iter().find(|f| f.name() == name)
    }

    /// Every format's name, for "accepted: ..." messages.
    pub fn names(formats: impl IntoIterator<Item = Format>) -> String {
        formats
            .into_iter()
            .map(Format::name)
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// Whether Quietlegs writes this format.
    pub fn exports(self) -> bool {
        !matches!(self, Format::AppleHealth | Format::Fitbit | Format::Oura)
    }

    pub fn content_type(self) -> &'static str {
        match self {
            Format::Csv => "text/csv; charset=utf-8",
            Format::Json => "application/json",
            Format::AppleHealth => "application/xml",
            Format::Fhir => "application/fhir+json",
            Format::Fitbit | Format::Oura => "application/json",
        }
    }

    /// The name a download of this format gets.
    pub fn file_name(self) -> &'static str {
        match self {
            Format::Csv => "quietlegs-journal.csv",
            Format::Json => "quietlegs-export.json",
            Format::AppleHealth => "export.xml",
            Format::Fhir => "quietlegs-fhir.json",
            Format::Fitbit => "sleep.json",
            Format::Oura => "oura-sleep.json",
        }
    }

    /// The format of a file from its name and its first bytes (a few KB: enough to find a
    /// FHIR `resourceType` after a long preamble). `None` when neither tells.
    pub fn guess(file_name: &str, head: &[u8]) -> Option<Format> {
        let name = file_name.to_lowercase();
        if name.ends_with(".csv") {
            return Some(Format::Csv);
        }
        // export.zip and export_cda.xml are what people pick from the phone's export; the
        // Apple Health reader names the file to take instead.
        if name.ends_with(".xml") || name.ends_with(".zip") || head.starts_with(b"PK\x03\x04") {
            return Some(Format::AppleHealth);
        }
        let head = String::from_utf8_lossy(head);
        let text = head.trim_start_matches('\u{feff}').trim_start();
        if text.starts_with('{') || text.starts_with('[') {
            return Some(if head.contains("\"resourceType\"") {
                Format::Fhir
            } else if crate::fitbit::looks_like(&head) {
                Format::Fitbit
            } else if crate::oura::looks_like(&head) {
                Format::Oura
            } else {
                Format::Json
            });
        }
        if text.starts_with("<?xml") || head.contains("<HealthData") {
            return Some(Format::AppleHealth);
        }
        name.ends_with(".json").then_some(Format::Json)
    }
}

/// How many leading bytes [`Format::guess`] wants.
pub const GUESS_BYTES: usize = 4096;

/// What an import read: the records, and what it left out on purpose (one line per kind, with
/// its count), which the edges show.
#[derive(Debug, Default)]
pub struct Read {
    pub bundle: Bundle,
    pub skipped: Vec<String>,
}

/// What a reader may need beyond the bytes.
pub struct ReadContext<'a> {
    pub kb: &'a KnowledgeBase,
    /// The person's today, for results dated in the future.
    pub today: Date,
    /// Bytes read so far, for a progress bar on large files.
    pub progress: &'a mut dyn FnMut(u64),
}

/// Reads a whole file of `format`; `file` names it in errors. Nothing is stored here: the
/// caller imports the result in one transaction.
pub fn read<R: BufRead + Seek>(
    format: Format,
    mut reader: R,
    file: &str,
    ctx: ReadContext<'_>,
) -> Result<Read, ImportError> {
    let text = |reader: &mut R| {
        let mut text = String::new();
        reader.read_to_string(&mut text).map(|_| text).map_err(|e| {
            let message = if e.kind() == std::io::ErrorKind::InvalidData {
                "is not UTF-8 text".to_string()
            } else {
                format!("cannot be read: {e}")
            };
            ImportError::new(file, None, None, message)
        })
    };
    Ok(match format {
        Format::Csv => Read {
            bundle: Bundle {
                nights: crate::journal_csv::read(reader, file)?,
                ..Bundle::new()
            },
            skipped: Vec::new(),
        },
        Format::Json => Read {
            bundle: crate::bundle_json::read(&text(&mut reader)?, file)?,
            skipped: Vec::new(),
        },
        Format::AppleHealth
            if reader
                .fill_buf()
                .is_ok_and(|head| head.starts_with(crate::apple_zip::MAGIC)) =>
        {
            crate::apple_zip::read(reader, file, ctx.kb, ctx.today, ctx.progress)?
        }
        Format::AppleHealth => {
            let export = crate::apple_health::read_export(reader, file, ctx.progress)?;
            Read {
                bundle: Bundle {
                    sleep: export.sleep,
                    activity: export.activity,
                    ..Bundle::new()
                },
                skipped: export.skipped,
            }
        }
        Format::Fitbit => crate::fitbit::read_sleep(&text(&mut reader)?, file)?,
        Format::Oura => crate::oura::read_sleep(&text(&mut reader)?, file)?,
        Format::Fhir => {
            let read = crate::fhir::import(&text(&mut reader)?, file, ctx.kb, ctx.today)?;
            Read {
                bundle: read.bundle,
                skipped: read.skipped,
            }
        }
    })
}

/// What a sleep reader found: its nights, and what it left out.
pub(crate) fn sleep_read(
    sleep: Vec<quietlegs_core::journal::SleepRecord>,
    skipped: Vec<String>,
) -> Read {
    Read {
        bundle: Bundle {
            sleep,
            ..Bundle::new()
        },
        skipped,
    }
}

/// Why an export could not be written.
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    #[error("{} is import only (Quietlegs writes {})", .0.name(), Format::names(Format::ALL.into_iter().filter(|f| f.exports())))]
    ImportOnly(Format),
    #[error(transparent)]
    Io(#[from] std::io::Error),
}

/// Writes `bundle` as `format`.
pub fn write<W: Write>(
    format: Format,
    bundle: &Bundle,
    kb: &KnowledgeBase,
    patient: &PatientInfo,
    mut out: W,
) -> Result<(), WriteError> {
    match format {
        Format::Csv => crate::journal_csv::write(&bundle.nights, out)?,
        Format::Json => out.write_all(&crate::bundle_json::write(bundle))?,
        Format::Fhir => crate::fhir::write_export(out, bundle, kb, patient)?,
        Format::AppleHealth | Format::Fitbit | Format::Oura => {
            return Err(WriteError::ImportOnly(format));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_format_is_named_once_and_parses_back() {
        for f in Format::ALL {
            assert_eq!(Format::parse(f.name()), Some(f));
        }
        assert_eq!(Format::parse("xlsx"), None);
    }

    #[test]
    fn content_tells_formats_apart() {
        assert_eq!(Format::guess("a.csv", b"night,severity"), Some(Format::Csv));
        assert_eq!(
            Format::guess("upload", br#"{"format":"quietlegs-export"}"#),
            Some(Format::Json)
        );
        let mut late = b"{\"meta\": \"".to_vec();
        late.extend(std::iter::repeat_n(b'x', 2000));
        late.extend(br#"", "resourceType": "Bundle"}"#);
        assert_eq!(Format::guess("labs.json", &late), Some(Format::Fhir));
        assert_eq!(
            Format::guess("export", b"<?xml version=\"1.0\"?><HealthData>"),
            Some(Format::AppleHealth)
        );
        assert_eq!(Format::guess("notes.txt", b"hello"), None);
        assert_eq!(
            Format::guess(
                "sleep-2021-08-30.json",
                br#"[{"logId": 1, "dateOfSleep": "2021-08-30"}]"#
            ),
            Some(Format::Fitbit)
        );
        assert_eq!(
            Format::guess(
                "oura.json",
                br#"{"data": [{"bedtime_start": "2026-10-01T23:05:00+02:00", "total_sleep_duration": 1}]}"#
            ),
            Some(Format::Oura)
        );
    }
}
