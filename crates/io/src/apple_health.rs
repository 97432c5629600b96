//! Sleep, workouts, steps and resting heart rate from an Apple Health `export.xml` (reference
//! section 3.4). Exports run to hundreds of megabytes, almost all of it steps and heart rate, so
//! the file is streamed through one reused buffer: sleep segments are kept (a few dozen bytes
//! each), steps and resting heart rate are added up per day and source as they pass, and
//! workouts (a handful a day) are kept as intervals. Memory grows with the days recorded, never
//! with the records.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::io::{self, BufRead, Read};

use jiff::civil::{Date, DateTime};
use jiff::fmt::strtime;
use jiff::{SignedDuration, Timestamp};
use quick_xml::XmlVersion;
use quick_xml::events::attributes::Attribute;
use quick_xml::events::{BytesStart, Event};
use quietlegs_core::journal::activity::{MAX_EXERCISE_MINUTES, MAX_RESTING_HR};
use quietlegs_core::journal::{DayActivity, SleepRecord};
use quietlegs_core::profile::ClockTime;

use crate::error::ImportError;

const SLEEP_TYPE: &str = "HKCategoryTypeIdentifierSleepAnalysis";
const STEPS_TYPE: &str = "HKQuantityTypeIdentifierStepCount";
const RESTING_HR_TYPE: &str = "HKQuantityTypeIdentifierRestingHeartRate";
const DATE_FORMAT: &str = "%Y-%m-%d %H:%M:%S %z";
/// How many bytes pass between two progress reports: often enough for a smooth bar, rarely
/// enough to cost nothing.
const PROGRESS_STEP: u64 = 1 << 20;
/// A workout longer than this is a recording left running, not exercise.
const MAX_WORKOUT_SECONDS: i64 = 24 * 60 * 60;

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

/// Everything Quietlegs takes from an export: sleep per night, activity per day, and what was
/// left out and why (one line per kind, with its count).
#[derive(Debug, Default)]
pub struct AppleExport {
    pub sleep: Vec<SleepRecord>,
    pub activity: Vec<DayActivity>,
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

/// The sleep of [`read_export`] alone, for callers that want nights only.
pub fn read_sleep_counted<R: BufRead>(
    reader: R,
    file: &str,
    progress: impl FnMut(u64),
) -> Result<AppleSleep, ImportError> {
    read_export(reader, file, progress).map(|e| AppleSleep {
        records: e.sleep,
        skipped: e.skipped,
    })
}

/// What the stream keeps while it reads.
#[derive(Default)]
struct Kept {
    /// Sleep segments by source.
    segments: BTreeMap<String, Vec<Segment>>,
    /// Steps counted, by source and day.
    steps: HashMap<String, BTreeMap<Date, f64>>,
    /// Resting heart rate readings (sum, how many), by source and day.
    resting: HashMap<String, BTreeMap<Date, (f64, u32)>>,
    /// Workouts by the day they started.
    workouts: BTreeMap<Date, Vec<Workout>>,
    /// `Record` elements seen, and of those the ones read.
    records: usize,
    read: usize,
    /// Workouts left out: no time at all, or implausibly long.
    empty_workouts: usize,
    long_workouts: usize,
}

/// One `Workout`, reduced to what the day's totals need.
struct Workout {
    source: String,
    /// Instants in Unix seconds.
    start: i64,
    end: i64,
    /// The end on the device's own clock, for the time exercise ended.
    local_end: DateTime,
}

/// Runs `add` on `source`'s entry, allocating its name only the first time it is seen: a step
/// count arrives millions of times from the same two or three sources.
fn with_source<V: Default>(map: &mut HashMap<String, V>, source: &str, add: impl FnOnce(&mut V)) {
    if !map.contains_key(source) {
        map.insert(source.to_owned(), V::default());
    }
    if let Some(entry) = map.get_mut(source) {
        add(entry);
    }
}

/// Reads an Apple Health `export.xml`: one [`SleepRecord`] per night and one [`DayActivity`] per
/// day, oldest first. `file` names the source in errors; `progress` is called every megabyte or
/// so, and once at the end, with the number of bytes read so far.
///
/// Sleep, in order:
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
///
/// Activity (the rules are [`DayActivity`]'s):
///
/// - **The day** of a workout, step count or resting heart rate is the local date of its start,
///   on the offset the record was written with.
/// - **Workouts** take their `startDate`-`endDate` interval (`duration` only when the end is
///   missing); the day's exercise is the union of its workouts' intervals, at most a whole day.
///   A workout with no time, or longer than 24 hours, is skipped and counted.
/// - **Steps** and **resting heart rate** come from one source per day; the others are
///   skipped and counted.
/// - A value that is not a number refuses the file, naming the line and the attribute.
pub fn read_export<R: BufRead>(
    reader: R,
    file: &str,
    mut progress: impl FnMut(u64),
) -> Result<AppleExport, ImportError> {
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
    let mut kept = Kept::default();
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
        let element = match event {
            Event::Start(e) => {
                open_elements += 1;
                Some(e)
            }
            Event::Empty(e) => Some(e),
            Event::End(_) => {
                open_elements = open_elements.saturating_sub(1);
                None
            }
            Event::Eof => break,
            _ => None,
        };
        if let Some(e) = element {
            if !saw_element {
                check_root(&e, file, line)?;
            }
            saw_element = true;
            match e.name().as_ref() {
                "Record" => read_record(&e, file, line, &mut kept)?,
                "Workout" => read_workout(&e, file, line, &mut kept)?,
                _ => {}
            }
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

    let others = kept.records - kept.read;
    let sleep = nights_from(std::mem::take(&mut kept.segments));
    let (activity, activity_skipped) = days_from(kept);
    let mut skipped = sleep.skipped;
    skipped.extend(activity_skipped);
    if others > 0 {
        skipped.push(format!(
            "skipped {others} record{} that are not sleep, steps or resting heart rate (heart \
             rate, distance and the like): Quietlegs reads sleep, workouts, steps and resting \
             heart rate from Apple Health",
            if others == 1 { "" } else { "s" }
        ));
    }
    Ok(AppleExport {
        sleep: sleep.records,
        activity,
        skipped,
    })
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

/// The kinds of `Record` this reader takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Sleep,
    Steps,
    RestingHr,
}

impl Kind {
    fn of(type_name: &str) -> Option<Self> {
        match type_name {
            SLEEP_TYPE => Some(Kind::Sleep),
            STEPS_TYPE => Some(Kind::Steps),
            RESTING_HR_TYPE => Some(Kind::RestingHr),
            _ => None,
        }
    }

    /// How an error names a record of this kind.
    fn noun(self) -> &'static str {
        match self {
            Kind::Sleep => "a sleep record",
            Kind::Steps => "a step count",
            Kind::RestingHr => "a resting heart rate record",
        }
    }
}

/// The source a record names, unescaped ("Jane&apos;s Watch" is "Jane's Watch").
fn source_name(
    attr: Option<&Attribute<'_>>,
    fail: impl Fn(String) -> ImportError,
) -> Result<String, ImportError> {
    match attr {
        Some(attr) => Ok(attr
            .normalized_value(XmlVersion::Implicit1_0)
            .map_err(|err| fail(format!("attribute 'sourceName' is not well-formed: {err}")))?
            .into_owned()),
        None => Ok("(unknown source)".to_string()),
    }
}

/// Takes one `Record`: a sleep segment is kept, a step count or resting heart rate is added to
/// its day and source, anything else is only counted.
fn read_record(e: &BytesStart, file: &str, line: u64, kept: &mut Kept) -> Result<(), ImportError> {
    kept.records += 1;
    let fail = |message: String| ImportError::new(file, Some(line), None, message);
    let mut kind = None;
    let (mut source, mut start, mut end, mut value) = (None, None, None, None);
    for attr in e.attributes() {
        let attr = attr.map_err(|err| fail(format!("is not well-formed XML: {err}")))?;
        match attr.key.as_ref() {
            // Checked first (Apple writes it first): the millions of heart rate samples are
            // passed over without reading the rest of their attributes.
            "type" => match Kind::of(&attr.value) {
                Some(k) => kind = Some(k),
                None => return Ok(()),
            },
            "sourceName" => source = Some(attr),
            "startDate" => start = Some(attr.value),
            "endDate" => end = Some(attr.value),
            "value" => value = Some(attr.value),
            _ => {}
        }
    }
    let Some(kind) = kind else {
        return Ok(());
    };
    let noun = kind.noun();
    match kind {
        Kind::Sleep => {
            let Some(stage) = value.as_deref().and_then(Stage::from_value) else {
                return Ok(());
            };
            let (start_local, start_at) =
                date_attr("startDate", start.as_deref(), noun).map_err(fail)?;
            let (_, end_at) = date_attr("endDate", end.as_deref(), noun).map_err(fail)?;
            let source = source_name(source.as_ref(), fail)?;
            kept.read += 1;
            kept.segments.entry(source).or_default().push(Segment {
                stage,
                local_start: start_local,
                start: start_at.as_second(),
                // One that ends before it starts carries no time.
                end: end_at.as_second().max(start_at.as_second()),
            });
        }
        Kind::Steps => {
            let (local, _) = date_attr("startDate", start.as_deref(), noun).map_err(fail)?;
            let steps =
                number_attr("value", value.as_deref(), noun, "a number of steps").map_err(fail)?;
            let source = source_name(source.as_ref(), fail)?;
            kept.read += 1;
            with_source(&mut kept.steps, &source, |days| {
                *days.entry(local.date()).or_default() += steps;
            });
        }
        Kind::RestingHr => {
            let (local, _) = date_attr("startDate", start.as_deref(), noun).map_err(fail)?;
            let what = "a heart rate in beats per minute";
            let raw = value.as_deref().unwrap_or_default();
            let bpm = number_attr("value", value.as_deref(), noun, what).map_err(fail)?;
            if bpm <= 0.0 || bpm > MAX_RESTING_HR {
                return Err(fail(format!(
                    "attribute 'value': '{raw}' is not {what} (above 0, at most {MAX_RESTING_HR})"
                )));
            }
            let source = source_name(source.as_ref(), fail)?;
            kept.read += 1;
            with_source(&mut kept.resting, &source, |days| {
                let (sum, n) = days.entry(local.date()).or_default();
                *sum += bpm;
                *n += 1;
            });
        }
    }
    Ok(())
}

/// Seconds in one `durationUnit` (Apple writes "min"; older exports also "s" and "hr").
fn unit_seconds(unit: &str) -> Option<f64> {
    match unit {
        "min" => Some(60.0),
        "s" | "sec" => Some(1.0),
        "hr" | "h" => Some(3600.0),
        _ => None,
    }
}

/// Takes one `Workout` by its interval. Its children (`MetadataEntry`, `WorkoutEvent`,
/// `WorkoutRoute`, `WorkoutStatistics`) are separate elements, passed over by the caller.
fn read_workout(e: &BytesStart, file: &str, line: u64, kept: &mut Kept) -> Result<(), ImportError> {
    let fail = |message: String| ImportError::new(file, Some(line), None, message);
    let noun = "a workout";
    let (mut source, mut start, mut end, mut duration, mut unit) = (None, None, None, None, None);
    for attr in e.attributes() {
        let attr = attr.map_err(|err| fail(format!("is not well-formed XML: {err}")))?;
        match attr.key.as_ref() {
            "sourceName" => source = Some(attr),
            "startDate" => start = Some(attr.value),
            "endDate" => end = Some(attr.value),
            "duration" => duration = Some(attr.value),
            "durationUnit" => unit = Some(attr.value),
            _ => {}
        }
    }
    let (start_local, start_at) = date_attr("startDate", start.as_deref(), noun).map_err(fail)?;
    // Checked even when the interval is there: a file with a broken number is not trusted.
    let length = duration
        .as_deref()
        .map(|raw| number_attr("duration", Some(raw), noun, "a length of time"))
        .transpose()
        .map_err(fail)?;
    let (local_end, end_at) = match (end.as_deref(), length) {
        (Some(raw), _) => date_attr("endDate", Some(raw), noun).map_err(fail)?,
        (None, Some(length)) => {
            let unit = unit.as_deref().unwrap_or("min");
            let per = unit_seconds(unit).ok_or_else(|| {
                fail(format!(
                    "attribute 'durationUnit': '{unit}' is not a unit of time (min, s or hr)"
                ))
            })?;
            let seconds = length * per;
            if seconds > MAX_WORKOUT_SECONDS as f64 {
                kept.long_workouts += 1;
                return Ok(());
            }
            let span = SignedDuration::try_from_secs_f64(seconds)
                .map_err(|_| fail(format!("attribute 'duration': '{length}' is out of range")))?;
            let too_far =
                |_| fail("attribute 'duration': the workout would end past the year 9999".into());
            (
                start_local.checked_add(span).map_err(too_far)?,
                start_at.checked_add(span).map_err(too_far)?,
            )
        }
        (None, None) => {
            return Err(fail(format!(
                "attribute 'endDate' is missing from {noun} (and it has no duration)"
            )));
        }
    };
    let (from, to) = (start_at.as_second(), end_at.as_second());
    if to <= from {
        kept.empty_workouts += 1;
        return Ok(());
    }
    if to - from > MAX_WORKOUT_SECONDS {
        kept.long_workouts += 1;
        return Ok(());
    }
    let source = source_name(source.as_ref(), fail)?;
    kept.workouts
        .entry(start_local.date())
        .or_default()
        .push(Workout {
            source,
            start: from,
            end: to,
            local_end,
        });
    Ok(())
}

/// A name no longer than the store's limit for a source: a day with workouts from a dozen apps
/// is still one record.
fn joined(sources: BTreeSet<String>) -> String {
    let max = quietlegs_core::limits::PHRASE_MAX_CHARS;
    let all = sources.into_iter().collect::<Vec<_>>().join(", ");
    if all.chars().count() <= max {
        return all;
    }
    let mut cut: String = all.chars().take(max - 3).collect();
    cut.push_str("...");
    cut
}

/// The one source kept per day from `by_source` (source -> day -> value), the best by `better`
/// (ties to the alphabetically first name), and how many other (day, source) values were left.
fn one_source_per_day<V: Copy>(
    by_source: HashMap<String, BTreeMap<Date, V>>,
    better: impl Fn(V, V) -> bool,
) -> (BTreeMap<Date, (String, V)>, usize) {
    let mut sources: Vec<(String, BTreeMap<Date, V>)> = by_source.into_iter().collect();
    // Alphabetical, so a tie keeps the source seen first.
    sources.sort_by(|a, b| a.0.cmp(&b.0));
    let mut kept: BTreeMap<Date, (String, V)> = BTreeMap::new();
    let mut others = 0;
    for (source, days) in sources {
        for (date, value) in days {
            match kept.get(&date) {
                Some((_, best)) if !better(value, *best) => others += 1,
                Some(_) => {
                    others += 1;
                    kept.insert(date, (source.clone(), value));
                }
                None => {
                    kept.insert(date, (source.clone(), value));
                }
            }
        }
    }
    (kept, others)
}

/// One [`DayActivity`] per day from what the stream kept, and what was left out.
fn days_from(kept: Kept) -> (Vec<DayActivity>, Vec<String>) {
    #[derive(Default)]
    struct Day {
        sources: BTreeSet<String>,
        minutes: Option<f64>,
        end: Option<ClockTime>,
        steps: Option<u32>,
        resting_hr: Option<f64>,
    }
    let mut days: BTreeMap<Date, Day> = BTreeMap::new();
    for (date, workouts) in kept.workouts {
        let minutes = union_minutes(workouts.iter().map(|w| (w.start, w.end)).collect());
        let last = workouts.iter().max_by_key(|w| w.end).map(|w| w.local_end);
        let day = days.entry(date).or_default();
        day.minutes = Some(minutes.min(MAX_EXERCISE_MINUTES));
        day.end = last.and_then(|t| {
            ClockTime::new(u8::try_from(t.hour()).ok()?, u8::try_from(t.minute()).ok()?)
        });
        day.sources.extend(workouts.into_iter().map(|w| w.source));
    }
    let (steps, other_steps) = one_source_per_day(kept.steps, |a: f64, b: f64| a > b);
    for (date, (source, total)) in steps {
        let day = days.entry(date).or_default();
        // Saturates: no day has four billion steps, and a file that says so is not worth a
        // refusal after it was read whole.
        day.steps = Some(total.round() as u32);
        day.sources.insert(source);
    }
    let (resting, other_resting) =
        one_source_per_day(kept.resting, |a: (f64, u32), b: (f64, u32)| a.1 > b.1);
    for (date, (source, (sum, n))) in resting {
        let day = days.entry(date).or_default();
        day.resting_hr = Some(sum / f64::from(n.max(1)));
        day.sources.insert(source);
    }
    let activity = days
        .into_iter()
        .map(|(date, day)| DayActivity {
            date,
            source: joined(day.sources),
            exercise_minutes: day.minutes,
            exercise_end: day.end,
            steps: day.steps,
            resting_hr: day.resting_hr,
        })
        .collect();
    let mut skipped = crate::wearable::said(
        "workout",
        &[
            (
                kept.empty_workouts,
                "that carry no time (they end when or before they start)",
            ),
            (
                kept.long_workouts,
                "longer than 24 hours: a recording left running is not exercise",
            ),
        ],
    );
    skipped.extend(crate::wearable::said(
        "daily step total",
        &[(
            other_steps,
            "from a source that counted fewer steps that day than another: one source per day, \
             so no step counts twice",
        )],
    ));
    skipped.extend(crate::wearable::said(
        "daily resting heart rate",
        &[(
            other_resting,
            "from a source with fewer readings that day than another: one source per day",
        )],
    ));
    (activity, skipped)
}

/// A number attribute `what` must be: finite and not negative.
fn number_attr(name: &str, raw: Option<&str>, noun: &str, what: &str) -> Result<f64, String> {
    let raw = raw.ok_or_else(|| format!("attribute '{name}' is missing from {noun}"))?;
    match raw.trim().parse::<f64>() {
        Ok(n) if n.is_finite() && n >= 0.0 => Ok(n),
        _ => Err(format!("attribute '{name}': '{raw}' is not {what}")),
    }
}

/// A date attribute as the device's wall clock shows it and as an instant.
fn date_attr(name: &str, raw: Option<&str>, noun: &str) -> Result<(DateTime, Timestamp), String> {
    let raw = raw.ok_or_else(|| format!("attribute '{name}' is missing from {noun}"))?;
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
            " <Workout workoutActivityType=\"HKWorkoutActivityTypeWalking\" duration=\"30\" \
             startDate=\"2024-01-15 17:00:00 -0800\" endDate=\"2024-01-15 17:30:00 -0800\"/>\n"
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

    fn workout(source: &str, start: &str, end: &str) -> String {
        format!(
            " <Workout workoutActivityType=\"HKWorkoutActivityTypeRunning\" duration=\"99\" \
             durationUnit=\"min\" sourceName=\"{source}\" sourceVersion=\"10.2\" \
             creationDate=\"{end}\" startDate=\"{start}\" endDate=\"{end}\">\n  \
             <MetadataEntry key=\"HKTimeZone\" value=\"Europe/Berlin\"/>\n  \
             <WorkoutEvent type=\"HKWorkoutEventTypePause\" date=\"{start}\"/>\n  \
             <WorkoutStatistics type=\"HKQuantityTypeIdentifierStepCount\" startDate=\"{start}\" \
             endDate=\"{end}\" sum=\"99999\" unit=\"count\"/>\n  \
             <WorkoutRoute sourceName=\"Other\" startDate=\"2001-01-01 00:00:00 +0000\" \
             endDate=\"2001-01-01 09:00:00 +0000\">\n   \
             <Location date=\"{start}\" latitude=\"52.5\" longitude=\"13.4\"/>\n  \
             </WorkoutRoute>\n </Workout>\n"
        )
    }

    fn quantity(kind: &str, source: &str, start: &str, value: &str) -> String {
        format!(
            " <Record type=\"HKQuantityTypeIdentifier{kind}\" sourceName=\"{source}\" \
             unit=\"count\" creationDate=\"{start}\" startDate=\"{start}\" endDate=\"{start}\" \
             value=\"{value}\"/>\n"
        )
    }

    fn activity(xml: &str) -> AppleExport {
        read_export(xml.as_bytes(), "export.xml", |_| {}).expect("parse")
    }

    #[test]
    fn a_workout_recorded_by_watch_and_phone_counts_once() {
        let read = activity(&export(&[
            // 18:00-18:45 on the watch, 18:10-18:40 again on the phone, 19:30-19:50 on the phone.
            workout(
                "Watch",
                "2024-03-01 18:00:00 +0100",
                "2024-03-01 18:45:00 +0100",
            ),
            workout(
                "iPhone",
                "2024-03-01 18:10:00 +0100",
                "2024-03-01 18:40:00 +0100",
            ),
            workout(
                "iPhone",
                "2024-03-01 19:30:00 +0100",
                "2024-03-01 19:50:30 +0100",
            ),
            // Byte for byte again, as a re-synced export repeats it.
            workout(
                "iPhone",
                "2024-03-01 19:30:00 +0100",
                "2024-03-01 19:50:30 +0100",
            ),
        ]));
        assert_eq!(
            read.activity,
            vec![DayActivity {
                date: date(2024, 3, 1),
                source: "Watch, iPhone".into(),
                exercise_minutes: Some(45.0 + 20.5),
                exercise_end: "19:50".parse().ok(),
                steps: None,
                resting_hr: None,
            }]
        );
        assert!(read.sleep.is_empty());
    }

    #[test]
    fn two_step_sources_are_not_added_and_the_larger_total_is_kept() {
        let steps =
            |source: &str, start: &str, value: &str| quantity("StepCount", source, start, value);
        let read = activity(&export(&[
            steps("iPhone", "2024-03-01 09:00:00 +0100", "4000"),
            steps("Watch", "2024-03-01 09:00:00 +0100", "3900"),
            steps("iPhone", "2024-03-01 17:00:00 +0100", "1000"),
            steps("Watch", "2024-03-01 17:00:00 +0100", "1200.4"),
            // The day by the record's own offset: already the 2nd in UTC, still the 1st here.
            steps("iPhone", "2024-03-01 23:30:00 -0500", "700"),
            steps("Watch", "2024-03-02 00:30:00 +0100", "700"),
            // A tie goes to the alphabetically first name.
            steps("Zz app", "2024-03-03 10:00:00 +0100", "300"),
            steps("Oura", "2024-03-03 11:00:00 +0100", "300"),
        ]));
        let got: Vec<_> = read
            .activity
            .iter()
            .map(|d| (d.date, d.source.as_str(), d.steps))
            .collect();
        assert_eq!(
            got,
            vec![
                (date(2024, 3, 1), "iPhone", Some(5700)),
                (date(2024, 3, 2), "Watch", Some(700)),
                (date(2024, 3, 3), "Oura", Some(300)),
            ]
        );
        assert!(
            read.skipped
                .iter()
                .any(|l| l.starts_with("skipped 2 daily step totals from a source")),
            "{:?}",
            read.skipped
        );
        assert!(read.activity.iter().all(|d| d.exercise_minutes.is_none()));
    }

    #[test]
    fn no_steps_is_not_measured_and_resting_heart_rate_is_one_source_mean() {
        let read = activity(&export(&[
            workout(
                "Watch",
                "2024-03-01 07:00:00 +0100",
                "2024-03-01 07:30:00 +0100",
            ),
            quantity(
                "RestingHeartRate",
                "Watch",
                "2024-03-01 06:00:00 +0100",
                "55",
            ),
            quantity(
                "RestingHeartRate",
                "Watch",
                "2024-03-01 20:00:00 +0100",
                "58",
            ),
            quantity(
                "RestingHeartRate",
                "Polar",
                "2024-03-01 08:00:00 +0100",
                "70",
            ),
            quantity("HeartRate", "Watch", "2024-03-01 08:00:00 +0100", "120"),
        ]));
        assert_eq!(read.activity.len(), 1);
        let day = &read.activity[0];
        assert_eq!(day.steps, None, "no step records is not 0 steps");
        assert_eq!(day.exercise_minutes, Some(30.0));
        assert_eq!(day.exercise_end, "07:30".parse().ok());
        assert_eq!(day.resting_hr, Some(56.5));
        assert_eq!(day.source, "Watch");
        let said = read.skipped.join("\n");
        assert!(
            said.contains("skipped 1 daily resting heart rate from"),
            "{said}"
        );
        assert!(
            said.contains("skipped 1 record that are not sleep"),
            "{said}"
        );
    }

    #[test]
    fn a_day_without_activity_has_no_record_and_a_workout_without_an_end_uses_its_duration() {
        assert!(activity(&export(&[])).activity.is_empty());
        let read = activity(&export(&[
            " <Workout sourceName=\"Watch\" duration=\"0.75\" durationUnit=\"hr\" \
             startDate=\"2024-03-01 21:00:00 +0100\"/>\n"
                .to_string(),
            // No time at all, and a recording left running for two days: neither is exercise.
            workout(
                "Watch",
                "2024-03-02 10:00:00 +0100",
                "2024-03-02 10:00:00 +0100",
            ),
            workout(
                "Watch",
                "2024-03-03 10:00:00 +0100",
                "2024-03-05 10:00:00 +0100",
            ),
        ]));
        assert_eq!(read.activity.len(), 1);
        assert_eq!(read.activity[0].exercise_minutes, Some(45.0));
        assert_eq!(read.activity[0].exercise_end, "21:45".parse().ok());
        let said = read.skipped.join("\n");
        assert!(
            said.contains("skipped 1 workout that carry no time"),
            "{said}"
        );
        assert!(
            said.contains("skipped 1 workout longer than 24 hours"),
            "{said}"
        );
    }

    #[test]
    fn a_bad_number_names_the_line_and_the_attribute() {
        let line = HEAD.lines().count() as u64 + 2;
        let cases = [
            (
                quantity("StepCount", "Watch", "2024-03-01 09:00:00 +0100", "12x"),
                "attribute 'value': '12x' is not a number of steps",
            ),
            (
                quantity("StepCount", "Watch", "2024-03-01 09:00:00 +0100", "-5"),
                "attribute 'value': '-5' is not a number of steps",
            ),
            (
                quantity(
                    "RestingHeartRate",
                    "Watch",
                    "2024-03-01 09:00:00 +0100",
                    "NaN",
                ),
                "attribute 'value': 'NaN' is not a heart rate",
            ),
            (
                quantity(
                    "RestingHeartRate",
                    "Watch",
                    "2024-03-01 09:00:00 +0100",
                    "5800",
                ),
                "attribute 'value': '5800' is not a heart rate",
            ),
            (
                " <Workout sourceName=\"Watch\" duration=\"thirty\" \
                 startDate=\"2024-03-01 09:00:00 +0100\" endDate=\"2024-03-01 09:30:00 +0100\"/>\n"
                    .to_string(),
                "attribute 'duration': 'thirty' is not a length of time",
            ),
            (
                " <Workout sourceName=\"Watch\" startDate=\"2024-03-01 09:00:00 +0100\" \
                 endDate=\"soon\"/>\n"
                    .to_string(),
                "attribute 'endDate': 'soon' is not a date",
            ),
        ];
        for (record, message) in cases {
            let xml = export(&[
                quantity("StepCount", "Watch", "2024-03-01 08:00:00 +0100", "10"),
                record,
            ]);
            let err = read_export(xml.as_bytes(), "export.xml", |_| {}).expect_err(message);
            assert_eq!(err.line, Some(line), "{err}");
            assert!(
                err.to_string()
                    .starts_with(&format!("export.xml:{line}: {message}")),
                "{err}"
            );
        }
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
