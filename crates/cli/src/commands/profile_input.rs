//! Reading a profile file at the edge: the file name goes into every error, and nothing is
//! decided here beyond turning text into domain values.

use std::path::Path;

use anyhow::Result;
use jiff::civil::Date;
use quietlegs_core::KnowledgeBase;
use quietlegs_core::profile::{Profile, ProfileFormat, Resolved};

use crate::error::UsageError;

pub fn read_profile(path: &Path) -> Result<Profile> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| UsageError(format!("{}: cannot read the profile: {e}", path.display())))?;
    let format = ProfileFormat::from_path(&path.to_string_lossy());
    let profile = Profile::parse(&text, format)
        .map_err(|e| UsageError(format!("{}: {e}", path.display())))?;
    if let Some(tz) = &profile.timezone
        && jiff::tz::TimeZone::get(tz).is_err()
    {
        return Err(UsageError(format!(
            "{}: field 'timezone': '{tz}' is not a known IANA time zone (e.g. Europe/Berlin, \
             America/New_York)",
            path.display()
        ))
        .into());
    }
    Ok(profile)
}

pub fn resolve(
    path: &Path,
    profile: &Profile,
    kb: &KnowledgeBase,
    today: Date,
) -> Result<Resolved> {
    Resolved::new(profile, kb, today).map_err(|errors| {
        let lines: Vec<String> = errors
            .iter()
            .map(|e| format!("{}: {e}", path.display()))
            .collect();
        UsageError(lines.join("\n")).into()
    })
}

/// `--today`, or the local date.
pub fn today(arg: Option<&str>) -> Result<Date> {
    date_or(arg, "--today", jiff::Zoned::now().date())
}

/// A date option's value, or `default` when it was not given.
pub fn date_or(arg: Option<&str>, flag: &str, default: Date) -> Result<Date> {
    match arg {
        Some(text) => quietlegs_core::limits::parse_date(text)
            .map_err(|m| UsageError(format!("{flag}: {m}")).into()),
        None => Ok(default),
    }
}
