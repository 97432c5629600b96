//! Apple Health's `export.zip`, as the phone hands it over, read directly: the sleep and
//! activity in `apple_health_export/export.xml` (streamed out of the archive, never unpacked
//! whole) and the lab results in `apple_health_export/clinical-records/*.json` (single FHIR
//! resources from the person's patient portals) through the FHIR reader. A clinical record that
//! does not map cleanly (an older FHIR version, a resource that is not a lab result) is skipped
//! and counted.

use std::collections::BTreeMap;
use std::io::{BufReader, Read, Seek};

use jiff::civil::Date;
use quietlegs_core::KnowledgeBase;
use quietlegs_core::journal::Bundle;

use crate::ImportError;
use crate::formats;

/// The first bytes of every zip archive.
pub const MAGIC: &[u8] = b"PK\x03\x04";

/// A clinical record bigger than this is not one result; it is skipped, not read into memory.
const MAX_RECORD_BYTES: u64 = 16 * 1024 * 1024;

pub fn read<R: Read + Seek>(
    reader: R,
    file: &str,
    kb: &KnowledgeBase,
    today: Date,
    progress: &mut dyn FnMut(u64),
) -> Result<formats::Read, ImportError> {
    let fail = |m: String| ImportError::new(file, None, None, m);
    let mut archive = zip::ZipArchive::new(reader)
        .map_err(|e| fail(format!("is not a zip archive that can be read: {e}")))?;
    let names: Vec<String> = archive
        .file_names()
        .filter_map(|n| n.ok().map(std::borrow::Cow::into_owned))
        .collect();
    let export = names
        .iter()
        .find(|n| n.ends_with("/export.xml") || *n == "export.xml")
        .cloned()
        .ok_or_else(|| {
            fail("holds no apple_health_export/export.xml: is this Apple Health's export?".into())
        })?;
    let export_read = {
        let entry = archive
            .by_name(&export)
            .map_err(|e| fail(format!("{export} cannot be read: {e}")))?;
        crate::apple_health::read_export(
            BufReader::with_capacity(1 << 16, entry),
            &format!("{file}/{export}"),
            &mut *progress,
        )?
    };
    let mut out = formats::Read {
        bundle: Bundle {
            sleep: export_read.sleep,
            activity: export_read.activity,
            ..Bundle::new()
        },
        skipped: export_read.skipped,
    };
    // "skipped N <what>" lines from every record, added up by what they say.
    let mut counted: BTreeMap<String, usize> = BTreeMap::new();
    let mut unreadable = 0usize;
    for name in names
        .iter()
        .filter(|n| n.contains("clinical-records/") && n.ends_with(".json"))
    {
        let Ok(entry) = archive.by_name(name) else {
            unreadable += 1;
            continue;
        };
        if entry.size() > MAX_RECORD_BYTES {
            unreadable += 1;
            continue;
        }
        let mut text = String::new();
        if entry
            .take(MAX_RECORD_BYTES)
            .read_to_string(&mut text)
            .is_err()
        {
            unreadable += 1;
            continue;
        }
        match crate::fhir::import(&text, &format!("{file}/{name}"), kb, today) {
            Ok(read) => {
                out.bundle.labs.extend(read.bundle.labs);
                for line in read.skipped {
                    let (n, what) = line
                        .strip_prefix("skipped ")
                        .and_then(|rest| rest.split_once(' '))
                        .and_then(|(n, what)| Some((n.parse::<usize>().ok()?, what.to_string())))
                        .unwrap_or((1, line));
                    *counted.entry(what).or_default() += n;
                }
            }
            Err(_) => unreadable += 1,
        }
    }
    out.skipped.extend(
        counted
            .into_iter()
            .map(|(what, n)| format!("skipped {n} {what}")),
    );
    if unreadable > 0 {
        out.skipped.push(format!(
            "skipped {unreadable} clinical record file{} that could not be read as FHIR R4 lab \
             results (an older FHIR version, or not a result)",
            if unreadable == 1 { "" } else { "s" }
        ));
    }
    Ok(out)
}
