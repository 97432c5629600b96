//! Checks that the Apple Health importer streams: writes a synthetic `export.xml` of N MB
//! (default 200) to a temporary file, reads its sleep and activity back, and prints how long
//! that took and the peak resident memory. Peak memory should stay at a few MB whatever N is.
//!
//! `cargo run --release -p quietlegs-io --example apple_health_rss -- 200 [KEEP.xml]`

use std::error::Error;
use std::fs::File;
use std::io::{BufReader, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::time::Instant;

use jiff::SignedDuration;
use jiff::civil::{Date, DateTime, date};
use quietlegs_io::apple_health::read_export;

const HEAD: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE HealthData [
<!-- HealthKit Export Version: 14 -->
<!ELEMENT HealthData (ExportDate,Me,(Record|Correlation|Workout|ActivitySummary|ClinicalRecord)*)>
<!ATTLIST HealthData
  locale CDATA #REQUIRED
>
<!ELEMENT Record ((MetadataEntry|HeartRateVariabilityMetadataList)*)>
<!ATTLIST Record
  type          CDATA #REQUIRED
  unit          CDATA #IMPLIED
  value         CDATA #IMPLIED
  sourceName    CDATA #REQUIRED
  sourceVersion CDATA #IMPLIED
  device        CDATA #IMPLIED
  creationDate  CDATA #IMPLIED
  startDate     CDATA #REQUIRED
  endDate       CDATA #REQUIRED
>
]>
<HealthData locale="en_US">
 <ExportDate value="2024-02-01 08:00:00 -0800"/>
 <Me HKCharacteristicTypeIdentifierDateOfBirth="1980-05-05" HKCharacteristicTypeIdentifierBiologicalSex="HKBiologicalSexFemale"/>
"#;
const PHONE: &str = "Jane’s iPhone";
const WATCH: &str = "Jane’s Apple Watch";
const PHONE_DEVICE: &str = "&lt;&lt;HKDevice: 0x2819d8f00&gt;, name:iPhone, manufacturer:Apple Inc., model:iPhone, hardware:iPhone15,2, software:17.2.1&gt;&gt;";
const WATCH_DEVICE: &str = "&lt;&lt;HKDevice: 0x2819da3c0&gt;, name:Apple Watch, manufacturer:Apple Inc., model:Watch, hardware:Watch6,1, software:10.2&gt;&gt;";
/// Daytime samples per day of each kind: roughly what a phone and a watch log.
const SAMPLES_PER_DAY: i64 = 150;
/// One night's watch stages as (value, minutes), starting at 23:05.
const STAGES: &[(&str, i64)] = &[
    ("AsleepCore", 40),
    ("AsleepDeep", 35),
    ("AsleepCore", 30),
    ("AsleepREM", 25),
    ("Awake", 5),
    ("AsleepCore", 60),
    ("AsleepDeep", 20),
    ("AsleepREM", 35),
    ("AsleepCore", 70),
    ("Awake", 10),
    ("AsleepCore", 45),
    ("AsleepREM", 40),
];

fn stamp(t: DateTime) -> String {
    format!("{} -0800", t.strftime("%Y-%m-%d %H:%M:%S"))
}

fn plus(t: DateTime, minutes: i64) -> Result<DateTime, Box<dyn Error>> {
    Ok(t.checked_add(SignedDuration::from_mins(minutes))?)
}

/// Writes one day: daytime steps from both devices and heart rate, a resting heart rate, an
/// evening run, then that evening's sleep from both devices.
fn write_day(out: &mut impl Write, day: Date) -> Result<(), Box<dyn Error>> {
    let morning = day.at(7, 0, 0, 0);
    for i in 0..SAMPLES_PER_DAY {
        let start = plus(morning, i * 6)?;
        let (s, e) = (stamp(start), stamp(plus(start, 5)?));
        let steps = 40 + (i * 37) % 900;
        writeln!(
            out,
            r#" <Record type="HKQuantityTypeIdentifierStepCount" sourceName="{PHONE}" sourceVersion="17.2.1" device="{PHONE_DEVICE}" unit="count" creationDate="{e}" startDate="{s}" endDate="{e}" value="{steps}"/>"#
        )?;
        writeln!(
            out,
            r#" <Record type="HKQuantityTypeIdentifierStepCount" sourceName="{WATCH}" sourceVersion="10.2" device="{WATCH_DEVICE}" unit="count" creationDate="{e}" startDate="{s}" endDate="{e}" value="{}"/>"#,
            steps - 3
        )?;
        let bpm = 58 + (i * 13) % 50;
        writeln!(
            out,
            r#" <Record type="HKQuantityTypeIdentifierHeartRate" sourceName="{WATCH}" sourceVersion="10.2" device="{WATCH_DEVICE}" unit="count/min" creationDate="{e}" startDate="{s}" endDate="{s}" value="{bpm}">
  <MetadataEntry key="HKMetadataKeyHeartRateMotionContext" value="0"/>
 </Record>"#
        )?;
    }
    let sleep = |out: &mut dyn Write,
                 source: &str,
                 device: &str,
                 value: &str,
                 s: DateTime,
                 e: DateTime| {
        let (s, e) = (stamp(s), stamp(e));
        writeln!(
            out,
            r#" <Record type="HKCategoryTypeIdentifierSleepAnalysis" sourceName="{source}" sourceVersion="10.2" device="{device}" creationDate="{e}" startDate="{s}" endDate="{e}" value="HKCategoryValueSleepAnalysis{value}">
  <MetadataEntry key="HKTimeZone" value="America/Los_Angeles"/>
 </Record>"#
        )
    };
    let (s, e) = (stamp(morning), stamp(morning));
    writeln!(
        out,
        r#" <Record type="HKQuantityTypeIdentifierRestingHeartRate" sourceName="{WATCH}" sourceVersion="10.2" device="{WATCH_DEVICE}" unit="count/min" creationDate="{e}" startDate="{s}" endDate="{e}" value="57"/>"#
    )?;
    let run = day.at(18, 0, 0, 0);
    let (s, e) = (stamp(run), stamp(plus(run, 35)?));
    writeln!(
        out,
        r#" <Workout workoutActivityType="HKWorkoutActivityTypeRunning" duration="35" durationUnit="min" sourceName="{WATCH}" sourceVersion="10.2" device="{WATCH_DEVICE}" creationDate="{e}" startDate="{s}" endDate="{e}">
  <MetadataEntry key="HKIndoorWorkout" value="0"/>
  <WorkoutEvent type="HKWorkoutEventTypeSegment" date="{s}" duration="35" durationUnit="min"/>
  <WorkoutStatistics type="HKQuantityTypeIdentifierActiveEnergyBurned" startDate="{s}" endDate="{e}" sum="310" unit="kcal"/>
 </Workout>"#
    )?;
    let bed = day.at(22, 45, 0, 0);
    sleep(out, PHONE, PHONE_DEVICE, "InBed", bed, plus(bed, 490)?)?;
    let mut t = day.at(23, 5, 0, 0);
    for (value, minutes) in STAGES {
        let end = plus(t, *minutes)?;
        sleep(out, WATCH, WATCH_DEVICE, value, t, end)?;
        t = end;
    }
    Ok(())
}

/// Writes an export of at least `target` bytes; returns how many days it holds.
fn generate(path: &Path, target: u64) -> Result<u64, Box<dyn Error>> {
    let mut out = BufWriter::new(File::create(path)?);
    out.write_all(HEAD.as_bytes())?;
    let mut day = date(2019, 1, 1);
    let mut days = 0;
    while out.get_ref().metadata()?.len() + out.buffer().len() as u64 <= target {
        write_day(&mut out, day)?;
        day = day.tomorrow()?;
        days += 1;
    }
    out.write_all(b"</HealthData>\n")?;
    out.flush()?;
    Ok(days)
}

fn peak_rss_mb() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}

/// Resets the kernel's peak-RSS mark so the figure printed covers the import alone (Linux 4.0
/// and later; elsewhere the figure also covers generation, which streams too).
fn reset_peak_rss() -> bool {
    std::fs::write("/proc/self/clear_refs", "5").is_ok()
}

/// The generated export, removed afterwards unless the caller asked to keep it (to time the
/// whole `quietlegs import` on it).
struct TempFile(PathBuf, bool);

impl Drop for TempFile {
    fn drop(&mut self) {
        if !self.1 {
            let _ = std::fs::remove_file(&self.0);
        }
    }
}

fn main() -> Result<(), Box<dyn Error>> {
    let megabytes: u64 = match std::env::args().nth(1) {
        Some(arg) => arg
            .parse()
            .map_err(|_| format!("'{arg}' is not a whole number of MB"))?,
        None => 200,
    };
    let file = match std::env::args().nth(2) {
        Some(keep) => TempFile(PathBuf::from(keep), true),
        None => TempFile(
            std::env::temp_dir().join(format!("quietlegs-export-{}.xml", std::process::id())),
            false,
        ),
    };

    let started = Instant::now();
    let days = generate(&file.0, megabytes * 1024 * 1024)?;
    let size = std::fs::metadata(&file.0)?.len();
    println!(
        "generated {:.1} MB ({days} days) in {:.1} s",
        size as f64 / 1048576.0,
        started.elapsed().as_secs_f64()
    );
    let reset = reset_peak_rss();

    let started = Instant::now();
    let mut reports = 0u64;
    let reader = BufReader::with_capacity(64 * 1024, File::open(&file.0)?);
    let read = read_export(reader, "export.xml", |_| reports += 1)?;
    let nights = read.sleep;
    let elapsed = started.elapsed().as_secs_f64();

    println!(
        "file size:     {size} bytes ({:.1} MB)",
        size as f64 / 1048576.0
    );
    println!("nights found:  {} (expected {days})", nights.len());
    println!(
        "elapsed:       {elapsed:.2} s ({:.0} MB/s)",
        size as f64 / 1048576.0 / elapsed
    );
    println!("activity days: {} (expected {days})", read.activity.len());
    println!("progress calls: {reports}");
    match peak_rss_mb() {
        Some(mb) if reset => println!("peak RSS:      {mb:.1} MB (VmHWM, import only)"),
        Some(mb) => println!("peak RSS:      {mb:.1} MB (VmHWM, whole process)"),
        None => println!("peak RSS:      unknown (no /proc/self/status)"),
    }
    if let Some(first) = nights.first() {
        println!(
            "first night:   {:?} {} asleep {} min, in bed {} min",
            first.night, first.source, first.asleep_minutes, first.in_bed_minutes
        );
    }
    if let Some(first) = read.activity.first() {
        println!(
            "first day:     {} {} steps {:?}, exercise {:?} min to {:?}, resting {:?}",
            first.date,
            first.source,
            first.steps,
            first.exercise_minutes,
            first.exercise_end.map(|t| t.to_string()),
            first.resting_hr
        );
    }
    if nights.len() as u64 != days {
        return Err(format!("expected {days} nights, found {}", nights.len()).into());
    }
    if read.activity.len() as u64 != days {
        return Err(format!("expected {days} days, found {}", read.activity.len()).into());
    }
    Ok(())
}
