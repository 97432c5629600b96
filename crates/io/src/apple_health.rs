//! Sleep from an Apple Health `export.xml` (reference section 3.4). Exports run to hundreds of
//! megabytes, almost all of it steps and heart rate, so the file is streamed through one reused
//! buffer and only the sleep segments are kept (a few dozen bytes each): memory grows with the
//! nights of sleep recorded, never with the file.

use std::collections::BTreeMap;
use std::io::{self, BufRead, Read};

use jiff::Timestamp;
use jiff::civil::{Date, DateTime};
use jiff::fmt::strtime;
use quick_xml::XmlVersion;
use quick_xml::events::{BytesStart, Event};
use quietlegs_core::journal::SleepRecord;

use crate::error::ImportError;

const SLEEP_TYPE: &str = "HKCategoryTypeIdentifierSleepAnalysis";
const DATE_FORMAT: &str = "%Y-%m-%d %H:%M:%S %z";
/// How many bytes pass between two progress reports: often enough for a smooth bar, rarely
/// enough to cost nothing.
const PROGRESS_STEP: u64 = 1 << 20;

/// What a sleep segment says the person was doing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stage {
    InBed,
    Asleep,
    Awake,
    Core,
    Deep,
    Rem,
}

impl Stage {
    /// `None` for values this code does not know: a future iOS may add stages, and an
    /// unknown stage is better left out than guessed into one of ours.
    fn from_value(value: &str) -> Option<Self> {
        let stage = value.strip_prefix("HKCategoryValueSleepAnalysis")?;
        Some(match stage {
            "InBed" => Stage::InBed,
            // `Asleep` is what exports before iOS 16 wrote for any sleep.
            "AsleepUnspecified" | "Asleep" => Stage::Asleep,
            "Awake" => Stage::Awake,
            "AsleepCore" => Stage::Core,
            "AsleepDeep" => Stage::Deep,
            "AsleepREM" => Stage::Rem,
            _ => return None,
        })
    }

    /// Sleep of any kind. In bed is time lying down, awake or not: counting it as sleep is the
    /// classic mistake that makes phone-only nights look perfect.
    fn is_sleep(self) -> bool {
        matches!(self, Stage::Asleep | Stage::Core | Stage::Deep | Stage::Rem)
    }
}

/// Counts the bytes and newlines the XML parser has consumed, so errors can name a line and the
/// caller can draw a progress bar without a second pass over the file.
struct Counted<R> {
    inner: R,
    bytes: u64,
    newlines: u64,
    /// Where the event being read began: one event (a tag or a text node) is held in memory
    /// whole, so its size is what bounds the reader's memory.
    event_start: u64,
}

/// No record in a real export comes near this; a file with a bigger node is not an export, and
/// reading it would hold the whole node in memory.
const MAX_NODE_BYTES: u64 = 16 * 1024 * 1024;

#[derive(Debug)]
struct NodeTooLarge;

impl std::fmt::Display for NodeTooLarge {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "a single XML node is larger than {} MB",
            MAX_NODE_BYTES >> 20
        )
    }
}

impl std::error::Error for NodeTooLarge {}

impl<R> Counted<R> {
    /// The line of the next byte not yet consumed.
    fn line(&self) -> u64 {
        self.newlines + 1
    }
}

impl<R: BufRead> Read for Counted<R> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        let n = {
            let available = self.fill_buf()?;
            let n = available.len().min(out.len());
            out[..n].copy_from_slice(&available[..n]);
            n
        };
        self.consume(n);
        Ok(n)
    }
}

impl<R: BufRead> BufRead for Counted<R> {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        if self.bytes - self.event_start > MAX_NODE_BYTES {
            return Err(io::Error::new(io::ErrorKind::InvalidData, NodeTooLarge));
        }
        self.inner.fill_buf()
    }

    fn consume(&mut self, amt: usize) {
        // Consuming `amt > 0` bytes means they are sitting in the buffer, so this `fill_buf`
        // hands back the same bytes without reading.
        if amt > 0
            && let Ok(buffered) = self.inner.fill_buf()
        {
            let taken = &buffered[..amt.min(buffered.len())];
            self.newlines += memchr::memchr_iter(b'\n', taken).count() as u64;
        }
        self.bytes += amt as u64;
        self.inner.consume(amt);
    }
}

/// One sleep `Record`, reduced to what the totals need.
struct Segment {
    source: String,
    stage: Stage,
    /// The start on the device's own clock (with the record's own offset), for the night.
    local_start: DateTime,
    /// Instants in Unix seconds, for lengths and overlaps.
    start: i64,
    end: i64,
}

/// Segments of one source closer than this belong to one sleep: a wake-up in the small hours
/// does not start a new night, and a sleep across noon is not cut in two.
const SESSION_GAP_SECONDS: i64 = 60 * 60;
/// A sleep that starts between 10:00 and 18:00 and lasts less than this is a nap: not a night.
const NAP_MAX_SECONDS: i64 = 3 * 60 * 60;

/// What an export's sleep came to: a record per night, and what was left out and why.
#[derive(Debug, Default)]
pub struct AppleSleep {
    pub records: Vec<SleepRecord>,
    pub skipped: Vec<String>,
}

/// [`read_sleep_counted`] without the account of what was left out.
pub fn read_sleep<R: BufRead>(
    reader: R,
    file: &str,
    progress: impl FnMut(u64),
) -> Result<Vec<SleepRecord>, ImportError> {
    read_sleep_counted(reader, file, progress).map(|s| s.records)
}

/// Reads the sleep in an Apple Health `export.xml`: one [`SleepRecord`] per night, oldest first.
/// `file` names the source in errors; `progress` is called every megabyte or so, and once at the
/// end, with the number of bytes read so far. The rules, in order:
///
/// - **One source's sleep** is its segments joined into sessions (gaps under an hour). Records
///   repeated or overlapping (re-synced exports repeat them byte for byte; a watch and its
///   phone app overlap) count once: each stage's time is the length of the union of its
///   segments.
/// - **The night** of a session is the date of the evening it began, on the clock and offset
///   the record was written with: a session starting at noon or later belongs to its own date,
///   an earlier one to the day before. The whole session goes to that night, so a day sleep
///   across noon stays whole.
/// - **Naps** (a session starting 10:00-18:00 and shorter than 3 hours) are not a night's sleep:
///   skipped and counted.
/// - **Nights with only time in bed** (no sleep stage recorded) are skipped and counted: "not
///   measured" is never stored as 0 minutes asleep.
/// - **One source per night**: the one that saw the most sleep, ties going to the
///   alphabetically first name, since adding them up would count the same hours twice. The
///   import applies the same rule against what is already stored.
pub fn read_sleep_counted<R: BufRead>(
    reader: R,
    file: &str,
    mut progress: impl FnMut(u64),
) -> Result<AppleSleep, ImportError> {
    let mut reader = reader;
    // What the phone hands over is a zip; say which file inside it to take.
    if reader
        .fill_buf()
        .is_ok_and(|head| head.starts_with(b"PK\x03\x04"))
    {
        return Err(ImportError::new(
            file,
            None,
            None,
            "is a zip archive: import it as apple-health (Quietlegs reads export.zip directly), \
             or unzip it and import apple_health_export/export.xml",
        ));
    }
    let mut xml = quick_xml::Reader::from_reader(Counted {
        inner: reader,
        bytes: 0,
        newlines: 0,
        event_start: 0,
    });
    let mut buf = Vec::with_capacity(4096);
    let mut segments: BTreeMap<String, Vec<Segment>> = BTreeMap::new();
    let (mut records, mut sleep_records) = (0usize, 0usize);
    let mut open_elements: u64 = 0;
    let mut saw_element = false;
    let mut next_report = PROGRESS_STEP;

    loop {
        let line = xml.get_ref().line();
        xml.get_mut().event_start = xml.get_ref().bytes;
        buf.clear();
        buf.shrink_to(64 * 1024);
        let event = xml.read_event_into(&mut buf).map_err(|e| {
            if let quick_xml::Error::Io(io) = &e
                && io.get_ref().is_some_and(|inner| inner.is::<NodeTooLarge>())
            {
                return ImportError::new(
                    file,
                    Some(line),
                    None,
                    format!(
                        "holds {NodeTooLarge} (from line {line}); an Apple Health export.xml \
                         never does, so it was not read"
                    ),
                );
            }
            ImportError::new(
                file,
                Some(line),
                None,
                format!(
                    "is not well-formed XML (near byte {}): {e}",
                    xml.error_position()
                ),
            )
        })?;
        let segment = match event {
            Event::Start(e) => {
                open_elements += 1;
                if !saw_element {
                    check_root(&e, file, line)?;
                }
                saw_element = true;
                records += usize::from(e.name().as_ref() == "Record");
                sleep_segment(&e, file, line)?
            }
            Event::Empty(e) => {
                if !saw_element {
                    check_root(&e, file, line)?;
                }
                saw_element = true;
                records += usize::from(e.name().as_ref() == "Record");
                sleep_segment(&e, file, line)?
            }
            Event::End(_) => {
                open_elements = open_elements.saturating_sub(1);
                None
            }
            Event::Eof => break,
            _ => None,
        };
        if let Some(s) = segment {
            sleep_records += 1;
            segments.entry(s.source.clone()).or_default().push(s);
        }
        let read = xml.get_ref().bytes;
        if read >= next_report {
            progress(read);
            next_report = read.saturating_add(PROGRESS_STEP);
        }
    }

    let end = xml.get_ref();
    progress(end.bytes);
    if !saw_element {
        return Err(ImportError::new(
            file,
            None,
            None,
            "holds no XML elements; expected an Apple Health export.xml",
        ));
    }
    if open_elements > 0 {
        return Err(ImportError::new(
            file,
            Some(end.line()),
            None,
            "ends inside an element; the file looks cut short (was the export fully unzipped?)",
        ));
    }

    let mut sleep = nights_from(segments);
    let others = records - sleep_records;
    if others > 0 {
        sleep.skipped.push(format!(
            "skipped {others} record{} that are not sleep (steps, heart rate and the like): \
             Quietlegs reads sleep from Apple Health",
            if others == 1 { "" } else { "s" }
        ));
    }
    Ok(sleep)
}

/// An Apple Health export's root is `<HealthData>`. The export folder also holds
/// `export_cda.xml` (a clinical summary, `<ClinicalDocument>`), often picked by mistake: name the
/// right file rather than read the wrong one to "0 added".
fn check_root(e: &BytesStart, file: &str, line: u64) -> Result<(), ImportError> {
    let name = e.name();
    match name.as_ref() {
        "HealthData" => Ok(()),
        "ClinicalDocument" => Err(ImportError::new(
            file,
            Some(line),
            None,
            "is Apple Health's export_cda.xml (a clinical summary, no sleep); import export.xml \
             from the same folder",
        )),
        other => Err(ImportError::new(
            file,
            Some(line),
            None,
            format!(
                "starts with <{other}>, not <HealthData>: this is not an Apple Health export.xml"
            ),
        )),
    }
}

/// The length in minutes of the union of `intervals` (each counted once however often it
/// repeats or overlaps another).
fn union_minutes(mut intervals: Vec<(i64, i64)>) -> f64 {
    intervals.sort_unstable();
    let mut total = 0;
    let mut current: Option<(i64, i64)> = None;
    for (start, end) in intervals.into_iter().filter(|(s, e)| e > s) {
        current = match current {
            Some((s, e)) if start <= e => Some((s, e.max(end))),
            Some((s, e)) => {
                total += e - s;
                Some((start, end))
            }
            None => Some((start, end)),
        };
    }
    if let Some((s, e)) = current {
        total += e - s;
    }
    total as f64 / 60.0
}

/// One source's night from its segments.
fn record(night: Date, source: &str, segments: &[&Segment]) -> SleepRecord {
    let of = |keep: &dyn Fn(Stage) -> bool| {
        union_minutes(
            segments
                .iter()
                .filter(|s| keep(s.stage))
                .map(|s| (s.start, s.end))
                .collect(),
        )
    };
    SleepRecord {
        night: Some(night),
        source: source.to_string(),
        asleep_minutes: of(&|s: Stage| s.is_sleep()),
        in_bed_minutes: of(&|s: Stage| s == Stage::InBed),
        awake_minutes: of(&|s: Stage| s == Stage::Awake),
        deep_minutes: of(&|s: Stage| s == Stage::Deep),
        rem_minutes: of(&|s: Stage| s == Stage::Rem),
        core_minutes: of(&|s: Stage| s == Stage::Core),
        restless_minutes: None,
        restless_count: None,
    }
}

fn nights_from(segments: BTreeMap<String, Vec<Segment>>) -> AppleSleep {
    let mut by_night: BTreeMap<Date, Vec<SleepRecord>> = BTreeMap::new();
    let (mut naps, mut in_bed_only) = (0usize, 0usize);
    for (source, mut list) in segments {
        list.sort_by_key(|s| (s.start, s.end));
        // Sessions: runs of segments with gaps under an hour.
        let mut sessions: Vec<Vec<&Segment>> = Vec::new();
        let mut session_end = i64::MIN;
        for s in &list {
            match sessions.last_mut() {
                Some(current) if s.start <= session_end.saturating_add(SESSION_GAP_SECONDS) => {
                    current.push(s);
                }
                _ => sessions.push(vec![s]),
            }
            session_end = session_end.max(s.end);
        }
        let mut nights: BTreeMap<Date, Vec<&Segment>> = BTreeMap::new();
        for session in sessions {
            let Some(first) = session.first() else {
                continue;
            };
            let last_end = session.iter().map(|s| s.end).max().unwrap_or(first.end);
            let hour = first.local_start.hour();
            if (10..18).contains(&hour) && last_end - first.start < NAP_MAX_SECONDS {
                naps += 1;
                continue;
            }
            nights
                .entry(crate::wearable::night_began(first.local_start))
                .or_default()
                .extend(session);
        }
        for (night, segs) in nights {
            if !segs.iter().any(|s| s.stage.is_sleep()) {
                in_bed_only += 1;
                continue;
            }
            by_night
                .entry(night)
                .or_default()
                .push(record(night, &source, &segs));
        }
    }
    let mut skipped = Vec::new();
    let plural = |n: usize| if n == 1 { "" } else { "s" };
    if in_bed_only > 0 {
        skipped.push(format!(
            "skipped {in_bed_only} night{} where a source recorded only time in bed and no \
             sleep: not measured is not 0 hours asleep",
            plural(in_bed_only)
        ));
    }
    if naps > 0 {
        skipped.push(format!(
            "skipped {naps} nap{} (sleep starting 10:00-18:00, under 3 hours): not a night's \
             sleep",
            plural(naps)
        ));
    }
    let mut others = 0;
    let records = by_night
        .into_values()
        .filter_map(|sources| {
            others += sources.len().saturating_sub(1);
            sources
                .iter()
                .fold(None, |best: Option<&SleepRecord>, next| {
                    Some(best.map_or(next, |b| SleepRecord::preferred(b, next)))
                })
                .cloned()
        })
        .collect();
    if others > 0 {
        skipped.push(format!(
            "skipped {others} other source{} for nights another source recorded more sleep \
             for: one source per night, so no hour counts twice",
            plural(others)
        ));
    }
    AppleSleep { records, skipped }
}

/// The sleep segment a `Record` element describes, or `None` for any other record and for
/// sleep values this code does not know.
fn sleep_segment(e: &BytesStart, file: &str, line: u64) -> Result<Option<Segment>, ImportError> {
    if e.name().as_ref() != "Record" {
        return Ok(None);
    }
    let fail = |message: String| ImportError::new(file, Some(line), None, message);
    let mut is_sleep = false;
    let (mut source, mut start, mut end, mut value) = (None, None, None, None);
    for attr in e.attributes() {
        let attr = attr.map_err(|err| fail(format!("is not well-formed XML: {err}")))?;
        match attr.key.as_ref() {
            "type" if attr.value.as_ref() != SLEEP_TYPE => return Ok(None),
            "type" => is_sleep = true,
            "sourceName" => source = Some(attr),
            "startDate" => start = Some(attr.value),
            "endDate" => end = Some(attr.value),
            "value" => value = Some(attr.value),
            _ => {}
        }
    }
    if !is_sleep {
        return Ok(None);
    }
    let Some(stage) = value.as_deref().and_then(Stage::from_value) else {
        return Ok(None);
    };
    let (start_local, start_at) = date_attr("startDate", start.as_deref()).map_err(fail)?;
    let (_, end_at) = date_attr("endDate", end.as_deref()).map_err(fail)?;
    let source = match source {
        Some(attr) => attr
            .normalized_value(XmlVersion::Implicit1_0)
            .map_err(|err| fail(format!("attribute 'sourceName' is not well-formed: {err}")))?
            .into_owned(),
        None => "(unknown source)".to_string(),
    };
    Ok(Some(Segment {
        source,
        stage,
        local_start: start_local,
        start: start_at.as_second(),
        // One that ends before it starts carries no time.
        end: end_at.as_second().max(start_at.as_second()),
    }))
}

/// A date attribute as the device's wall clock shows it and as an instant.
fn date_attr(name: &str, raw: Option<&str>) -> Result<(DateTime, Timestamp), String> {
    let raw = raw.ok_or_else(|| format!("attribute '{name}' is missing from a sleep record"))?;
    let bad =
        || format!("attribute '{name}': '{raw}' is not a date like 2024-01-15 23:10:05 -0800");
    let parsed = strtime::parse(DATE_FORMAT, raw).map_err(|_| bad())?;
    let local = parsed.to_datetime().map_err(|_| bad())?;
    if quietlegs_core::limits::date_problem(local.date()).is_some() {
        return Err(bad());
    }
    let instant = parsed.to_timestamp().map_err(|_| bad())?;
    Ok((local, instant))
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    const HEAD: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE HealthData [
<!-- HealthKit Export Version: 14 -->
<!ELEMENT HealthData (ExportDate,Me,(Record|Correlation|Workout|ActivitySummary)*)>
<!ATTLIST HealthData
  locale CDATA #REQUIRED
>
<!ELEMENT Record ((MetadataEntry|HeartRateVariabilityMetadataList)*)>
]>
<HealthData locale="en_US">
 <ExportDate value="2024-02-01 08:00:00 -0800"/>
 <Me HKCharacteristicTypeIdentifierDateOfBirth="1980-05-05"/>
"#;
    const TAIL: &str = "</HealthData>\n";

    fn sleep(source: &str, value: &str, start: &str, end: &str) -> String {
        format!(
            " <Record type=\"HKCategoryTypeIdentifierSleepAnalysis\" sourceName=\"{source}\" \
             sourceVersion=\"10.2\" creationDate=\"{end}\" startDate=\"{start}\" endDate=\"{end}\" \
             value=\"HKCategoryValueSleepAnalysis{value}\">\n  \
             <MetadataEntry key=\"HKTimeZone\" value=\"America/Los_Angeles\"/>\n </Record>\n"
        )
    }

    fn steps(start: &str, end: &str) -> String {
        format!(
            " <Record type=\"HKQuantityTypeIdentifierStepCount\" sourceName=\"Phone\" unit=\"count\" \
             creationDate=\"{end}\" startDate=\"{start}\" endDate=\"{end}\" value=\"812\"/>\n"
        )
    }

    fn export(body: &[String]) -> String {
        format!("{HEAD}{}{TAIL}", body.concat())
    }

    fn parse(xml: &str) -> Result<Vec<SleepRecord>, ImportError> {
        read_sleep(xml.as_bytes(), "export.xml", |_| {})
    }

    #[test]
    fn a_staged_night_across_midnight_sums_and_in_bed_is_not_asleep() {
        let w = "Watch";
        let xml = export(&[
            sleep(
                w,
                "InBed",
                "2024-01-15 23:00:00 -0800",
                "2024-01-16 07:00:00 -0800",
            ),
            sleep(
                w,
                "AsleepCore",
                "2024-01-15 23:20:00 -0800",
                "2024-01-16 00:50:00 -0800",
            ),
            sleep(
                w,
                "AsleepDeep",
                "2024-01-16 00:50:00 -0800",
                "2024-01-16 01:35:00 -0800",
            ),
            sleep(
                w,
                "Awake",
                "2024-01-16 01:35:00 -0800",
                "2024-01-16 01:50:00 -0800",
            ),
            sleep(
                w,
                "AsleepCore",
                "2024-01-15 23:50:00 -0800",
                "2024-01-15 23:50:00 -0800",
            ),
            sleep(
                w,
                "AsleepREM",
                "2024-01-16 01:50:00 -0800",
                "2024-01-16 03:20:00 -0800",
            ),
            sleep(
                w,
                "AsleepCore",
                "2024-01-16 03:20:00 -0800",
                "2024-01-16 06:40:00 -0800",
            ),
        ]);
        let nights = parse(&xml).expect("parse");
        assert_eq!(
            nights,
            vec![SleepRecord {
                night: Some(date(2024, 1, 15)),
                source: w.into(),
                asleep_minutes: 90.0 + 45.0 + 90.0 + 200.0,
                in_bed_minutes: 480.0,
                awake_minutes: 15.0,
                deep_minutes: 45.0,
                rem_minutes: 90.0,
                core_minutes: 290.0,
                restless_minutes: None,
                restless_count: None,
            }]
        );
    }

    #[test]
    fn a_start_after_midnight_belongs_to_the_previous_date() {
        let xml = export(&[
            sleep(
                "Watch",
                "AsleepCore",
                "2024-03-01 01:30:00 +0100",
                "2024-03-01 05:30:00 +0100",
            ),
            sleep(
                "Watch",
                "AsleepCore",
                "2024-03-01 22:00:00 +0100",
                "2024-03-02 06:30:00 +0100",
            ),
        ]);
        let nights = parse(&xml).expect("parse");
        let dates: Vec<_> = nights.iter().map(|n| n.night).collect();
        assert_eq!(dates, vec![Some(date(2024, 2, 29)), Some(date(2024, 3, 1))]);
        assert_eq!(nights[0].asleep_minutes, 240.0);
    }

    fn counted(xml: &str) -> AppleSleep {
        read_sleep_counted(xml.as_bytes(), "export.xml", |_| {}).expect("parse")
    }

    #[test]
    fn repeated_and_overlapping_records_count_once() {
        let night = sleep(
            "Watch",
            "AsleepCore",
            "2024-03-01 23:00:00 +0100",
            "2024-03-02 03:00:00 +0100",
        );
        let overlapping = sleep(
            "Watch",
            "AsleepUnspecified",
            "2024-03-02 02:00:00 +0100",
            "2024-03-02 06:00:00 +0100",
        );
        // A re-synced export repeats every record byte for byte.
        let read = counted(&export(&[night.clone(), night, overlapping]));
        assert_eq!(read.records.len(), 1);
        assert_eq!(
            read.records[0].asleep_minutes,
            7.0 * 60.0,
            "23:00-06:00, once"
        );
        assert_eq!(read.records[0].core_minutes, 4.0 * 60.0);
    }

    #[test]
    fn a_day_sleep_across_noon_stays_whole_and_a_nap_is_not_a_night() {
        let read = counted(&export(&[
            // After a night shift: 08:00-16:00, one sleep, the night of the day before.
            sleep(
                "Watch",
                "AsleepCore",
                "2024-03-04 08:00:00 +0100",
                "2024-03-04 11:50:00 +0100",
            ),
            sleep(
                "Watch",
                "AsleepCore",
                "2024-03-04 12:10:00 +0100",
                "2024-03-04 16:00:00 +0100",
            ),
            // An afternoon nap two days later.
            sleep(
                "Watch",
                "AsleepCore",
                "2024-03-06 14:00:00 +0100",
                "2024-03-06 14:40:00 +0100",
            ),
        ]));
        assert_eq!(read.records.len(), 1, "{:?}", read.records);
        assert_eq!(read.records[0].night, Some(date(2024, 3, 3)));
        assert_eq!(read.records[0].asleep_minutes, 7.0 * 60.0 + 40.0);
        assert!(
            read.skipped.iter().any(|l| l.contains("1 nap")),
            "{:?}",
            read.skipped
        );
    }

    #[test]
    fn the_wrong_file_from_the_export_folder_is_named() {
        let cda = "<?xml version=\"1.0\"?>\n<ClinicalDocument xmlns=\"urn:hl7-org:v3\"></ClinicalDocument>\n";
        let err = read_sleep_counted(cda.as_bytes(), "export_cda.xml", |_| {}).expect_err("cda");
        assert!(err.message.contains("import export.xml"), "{err}");
        let zip = b"PK\x03\x04rest of a zip";
        let err = read_sleep_counted(&zip[..], "export.zip", |_| {}).expect_err("zip");
        assert!(
            err.message.contains("apple_health_export/export.xml"),
            "{err}"
        );
        let other = "<?xml version=\"1.0\"?><gpx></gpx>";
        let err = read_sleep_counted(other.as_bytes(), "run.xml", |_| {}).expect_err("gpx");
        assert!(err.message.contains("<gpx>"), "{err}");
    }

    #[test]
    fn a_night_with_only_time_in_bed_is_not_stored_as_zero_sleep() {
        let read = counted(&export(&[sleep(
            "iPhone",
            "InBed",
            "2024-03-01 23:00:00 +0100",
            "2024-03-02 07:00:00 +0100",
        )]));
        assert!(read.records.is_empty());
        assert!(
            read.skipped.iter().any(|l| l.contains("only time in bed")),
            "{:?}",
            read.skipped
        );
    }

    #[test]
    fn of_two_sources_for_a_night_the_larger_is_kept() {
        let xml = export(&[
            sleep(
                "iPhone",
                "Asleep",
                "2024-01-15 23:00:00 -0800",
                "2024-01-16 06:00:00 -0800",
            ),
            sleep(
                "Watch",
                "AsleepCore",
                "2024-01-15 23:10:00 -0800",
                "2024-01-16 03:10:00 -0800",
            ),
            sleep(
                "Watch",
                "AsleepDeep",
                "2024-01-16 03:10:00 -0800",
                "2024-01-16 06:40:00 -0800",
            ),
            // A tie on the next night goes to the alphabetically first name.
            sleep(
                "Zz app",
                "Asleep",
                "2024-01-16 23:00:00 -0800",
                "2024-01-17 06:00:00 -0800",
            ),
            sleep(
                "Oura",
                "Asleep",
                "2024-01-16 23:30:00 -0800",
                "2024-01-17 06:30:00 -0800",
            ),
        ]);
        let nights = parse(&xml).expect("parse");
        assert_eq!(nights.len(), 2);
        assert_eq!(nights[0].source, "Watch");
        assert_eq!(nights[0].asleep_minutes, 450.0);
        assert_eq!(nights[1].source, "Oura");
    }

    #[test]
    fn other_records_are_ignored_and_legacy_asleep_counts() {
        let xml = export(&[
            steps("2024-01-15 22:00:00 -0800", "2024-01-15 22:10:00 -0800"),
            " <Record type=\"HKQuantityTypeIdentifierHeartRate\" sourceName=\"Watch\" \
             unit=\"count/min\" startDate=\"not a date\" endDate=\"nor this\" value=\"61\">\n  \
             <MetadataEntry key=\"HKMetadataKeyHeartRateMotionContext\" value=\"0\"/>\n \
             </Record>\n"
                .to_string(),
            " <Workout workoutActivityType=\"HKWorkoutActivityTypeWalking\" duration=\"30\"/>\n"
                .to_string(),
            sleep(
                "Jane&apos;s Watch",
                "Asleep",
                "2024-01-15 23:00:00 -0800",
                "2024-01-16 06:30:00 -0800",
            ),
            sleep(
                "Jane&apos;s Watch",
                "SomethingNew",
                "2024-01-15 20:00:00 -0800",
                "2024-01-16 08:00:00 -0800",
            ),
        ]);
        let nights = parse(&xml).expect("parse");
        assert_eq!(nights.len(), 1);
        assert_eq!(nights[0].source, "Jane's Watch");
        assert_eq!(nights[0].asleep_minutes, 450.0);
        assert_eq!(nights[0].in_bed_minutes, 0.0);
    }

    #[test]
    fn malformed_xml_is_an_error_with_a_line() {
        let good = sleep(
            "Watch",
            "Asleep",
            "2024-01-15 23:00:00 -0800",
            "2024-01-16 06:30:00 -0800",
        );
        let broken = format!("{HEAD}{good} <Record type=\"x\"></Recrd>\n{TAIL}");
        let err = parse(&broken).expect_err("mismatched tag");
        assert!(err.message.contains("well-formed"), "{err}");
        // HEAD, then the good record's three lines, then the broken one.
        let broken_line = HEAD.lines().count() as u64 + 4;
        assert_eq!(err.line, Some(broken_line), "{err}");

        let cut = format!("{HEAD}{good}");
        let err = parse(&cut).expect_err("cut short");
        assert!(err.message.contains("cut short"), "{err}");

        assert!(parse("").is_err());
        let twice = format!(
            "<HealthData><Record type=\"{SLEEP_TYPE}\" value=\"a\" value=\"b\"/></HealthData>"
        );
        assert!(parse(&twice).is_err());
        assert!(parse("<HealthData><Record type=\"a/></HealthData>").is_err());
    }

    #[test]
    fn a_bad_date_names_the_attribute_and_line() {
        let xml = export(&[
            steps("2024-01-15 22:00:00 -0800", "2024-01-15 22:10:00 -0800"),
            sleep(
                "Watch",
                "Asleep",
                "2024-01-15 23:00:00 -0800",
                "2024-02-30 06:30:00 -0800",
            ),
        ]);
        let err = parse(&xml).expect_err("bad date");
        // HEAD, the steps line, then the sleep record's opening tag.
        let record_line = HEAD.lines().count() as u64 + 2;
        assert_eq!(err.line, Some(record_line), "{err}");
        assert!(
            err.to_string()
                .starts_with(&format!("export.xml:{record_line}: attribute 'endDate'")),
            "{err}"
        );
    }

    #[test]
    fn length_is_real_time_across_a_clock_change_and_a_bom_is_fine() {
        // Clocks sprang forward at 02:00: eight hours on the wall, seven in bed.
        let xml = export(&[sleep(
            "Watch",
            "AsleepCore",
            "2024-03-09 23:00:00 -0800",
            "2024-03-10 07:00:00 -0700",
        )]);
        let nights = parse(&format!("\u{feff}{xml}")).expect("parse");
        assert_eq!(nights[0].asleep_minutes, 420.0);
        assert_eq!(nights[0].night, Some(date(2024, 3, 9)));
    }

    #[test]
    fn progress_reaches_the_file_size() {
        let body: Vec<String> = (0..20_000)
            .map(|_| steps("2024-01-15 22:00:00 -0800", "2024-01-15 22:10:00 -0800"))
            .collect();
        let xml = export(&body);
        let mut reports = Vec::new();
        read_sleep(io::BufReader::new(xml.as_bytes()), "export.xml", |n| {
            reports.push(n)
        })
        .expect("parse");
        assert!(reports.len() > 1, "{reports:?}");
        assert!(reports.windows(2).all(|w| w[0] <= w[1]));
        assert_eq!(reports.last().copied(), Some(xml.len() as u64));
    }

    #[test]
    fn a_giant_node_is_refused_without_holding_it() {
        use std::io::Read;
        let head = "<?xml version=\"1.0\"?>\n<HealthData>\n<Note>";
        let tail = "</Note>\n</HealthData>\n";
        // 1 GB of text in one node, streamed: the reader must stop long before the end.
        let reader = io::Cursor::new(head)
            .chain(io::repeat(b'a').take(1 << 30))
            .chain(io::Cursor::new(tail));
        let err =
            read_sleep(io::BufReader::new(reader), "export.xml", |_| {}).expect_err("a 1 GB node");
        let text = err.to_string();
        assert!(
            text.contains("export.xml") && text.contains("larger than 16 MB"),
            "{text}"
        );
    }
}
