//! The journal as CSV (spec section 5), both ways. Reading is all-or-nothing: a journal is the
//! evidence every insight rests on, so a half-imported file would quietly change the answers.
//! Writing is deterministic so that an export can be diffed, re-imported and re-exported to the
//! same bytes.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::io;

use jiff::civil::Date;
use quietlegs_core::journal::{NightEntry, columns};

use crate::error::ImportError;

const BOM: &[u8] = b"\xEF\xBB\xBF";
const REQUIRED: [&str; 2] = ["night", "severity"];

/// Why a header name is not a journal column, or `None` if it is one. Asks `set_field` itself so
/// that the importer and the entry type can never disagree about which columns exist; "1" is a
/// value every optional column accepts, so only an unknown name can fail.
fn column_problem(name: &str) -> Option<String> {
    if columns::column(name).is_some() {
        return None;
    }
    NightEntry::default()
        .set_field(name, "1")
        .err()
        .map(|e| e.message)
}

/// Reads a journal CSV. `file` names the source in errors. Blank lines and rows whose cells are
/// all empty are skipped (spreadsheets append them); anything else that is wrong stops the
/// import at its physical line.
pub fn read<R: io::Read>(reader: R, file: &str) -> Result<Vec<NightEntry>, ImportError> {
    let mut csv = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(reader);
    let fail = |line: Option<u64>, column: Option<&str>, message: String| {
        ImportError::new(file, line, column, message)
    };
    let mut record = csv::ByteRecord::new();

    let read_record = |csv: &mut csv::Reader<R>, record: &mut csv::ByteRecord| {
        csv.read_byte_record(record).map_err(|e| {
            let line = e.position().map(csv::Position::line);
            fail(line, None, format!("cannot be read: {e}"))
        })
    };

    if !read_record(&mut csv, &mut record)? {
        return Err(fail(
            None,
            None,
            format!(
                "is empty; a journal starts with a header row such as {}",
                columns::names().collect::<Vec<_>>().join(",")
            ),
        ));
    }
    let header = header_columns(&record, file)?;

    let mut entries = Vec::new();
    let mut seen: HashMap<Date, u64> = HashMap::new();
    while read_record(&mut csv, &mut record)? {
        let line = record
            .position()
            .map(csv::Position::line)
            .unwrap_or_default();
        if record.len() != header.len() {
            return Err(fail(
                Some(line),
                None,
                format!(
                    "has {} fields but the header has {}",
                    record.len(),
                    header.len()
                ),
            ));
        }
        if record.iter().all(|cell| cell.trim_ascii().is_empty()) {
            continue;
        }
        let mut entry = NightEntry::default();
        for (column, cell) in header.iter().zip(record.iter()) {
            let text = std::str::from_utf8(cell).map_err(|_| {
                fail(
                    Some(line),
                    Some(column),
                    "is not valid UTF-8 text".to_string(),
                )
            })?;
            let text = if is_free_text(column) {
                unguarded(text)
            } else {
                text
            };
            entry
                .set_field(column, text)
                .map_err(|e| fail(Some(line), Some(&e.field), e.message))?;
        }
        // `night` is a required header column and `set_field` refuses an empty one, so every
        // entry that got here has a night.
        if let Some(night) = entry.night
            && let Some(first) = seen.insert(night, line)
        {
            return Err(fail(
                Some(line),
                Some("night"),
                format!("{night} is already on line {first}; each night may appear once"),
            ));
        }
        entries.push(entry);
    }
    Ok(entries)
}

/// Validates the header row and returns its column names.
fn header_columns(record: &csv::ByteRecord, file: &str) -> Result<Vec<String>, ImportError> {
    let fail =
        |column: Option<&str>, message: String| ImportError::new(file, Some(1), column, message);
    let mut names = Vec::with_capacity(record.len());
    let mut seen = HashSet::new();
    for (i, raw) in record.iter().enumerate() {
        let raw = if i == 0 {
            raw.strip_prefix(BOM).unwrap_or(raw)
        } else {
            raw
        };
        let name = std::str::from_utf8(raw)
            .map_err(|_| {
                fail(
                    None,
                    format!("header field {} is not valid UTF-8 text", i + 1),
                )
            })?
            .trim();
        if let Some(problem) = column_problem(name) {
            return Err(fail(Some(name), problem));
        }
        if !seen.insert(name) {
            return Err(fail(
                Some(name),
                "appears twice in the header row".to_string(),
            ));
        }
        names.push(name.to_string());
    }
    for required in REQUIRED {
        if !seen.contains(required) {
            return Err(fail(
                Some(required),
                "is missing from the header row (night and severity are required)".to_string(),
            ));
        }
    }
    Ok(names)
}

fn invalid(message: String) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidInput, message)
}

/// Notes and `x:` values are the person's own words; every other column is a number, time,
/// flag or date that cannot start like a formula.
fn is_free_text(column: &str) -> bool {
    column == "notes" || column.starts_with("x:")
}

/// A cell a spreadsheet would run as a formula (OWASP's CSV injection list), or one that is an
/// apostrophe in front of such a cell, so that the guard below can always be undone.
fn runs_as_formula(text: &str) -> bool {
    match text.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => true,
        Some('\'') => runs_as_formula(&text[1..]),
        _ => false,
    }
}

/// Undoes the export's guard: the apostrophe written in front of a formula-like cell.
fn unguarded(text: &str) -> &str {
    match text.strip_prefix('\'') {
        Some(rest) if runs_as_formula(rest) => rest,
        _ => text,
    }
}

/// Fixed columns added after the spec's list: written only when a night records them, so a
/// journal that never uses them exports exactly as before (to tools that expect the spec's
/// columns and nothing else).
const WRITTEN_WHEN_USED: [&str; 1] = ["beyond_legs"];

/// Writes the journal as CSV: the fixed columns in spec order (those of [`WRITTEN_WHEN_USED`]
/// only when used), then every `took:` column any
/// entry uses (by id), then every `x:` column (by name); one row per night, oldest first; `\n`
/// line ends. Refuses (with `InvalidInput`, before writing anything) entries that [`read`] would
/// reject — no night, the same night twice, a value out of range — because an export that
/// cannot be imported again is a backup that fails only when it is needed.
pub fn write<W: io::Write>(entries: &[NightEntry], writer: W) -> io::Result<()> {
    let mut sorted: Vec<&NightEntry> = entries.iter().collect();
    sorted.sort_by_key(|e| e.night);

    let took: BTreeSet<String> = entries
        .iter()
        .flat_map(|e| e.took.keys().map(|id| format!("took:{id}")))
        .collect();
    let extra: BTreeSet<&String> = entries.iter().flat_map(|e| e.extra.keys()).collect();
    let mut header: Vec<&str> = columns::names()
        .filter(|c| {
            !WRITTEN_WHEN_USED.contains(c) || entries.iter().any(|e| !e.field(c).is_empty())
        })
        .collect();
    let fixed = header.len();
    header.extend(took.iter().map(String::as_str));
    header.extend(extra.iter().map(|s| s.as_str()));
    for name in &header[fixed..] {
        if name.trim() != *name {
            return Err(invalid(format!(
                "column name '{name}' has surrounding spaces"
            )));
        }
        if let Some(problem) = column_problem(name) {
            return Err(invalid(format!("column '{name}': {problem}")));
        }
    }

    let mut rows: Vec<Vec<String>> = Vec::with_capacity(sorted.len());
    let mut previous: Option<Date> = None;
    for entry in sorted {
        let Some(night) = entry.night else {
            return Err(invalid("an entry has no night".to_string()));
        };
        if previous == Some(night) {
            return Err(invalid(format!("two entries for night {night}")));
        }
        previous = Some(night);
        // Trimmed because `read` trims: writing the spaces would make the second export differ
        // from the first.
        let row: Vec<String> = header
            .iter()
            .map(|c| entry.field(c).trim().to_string())
            .collect();
        let mut probe = NightEntry::default();
        for (column, text) in header.iter().zip(&row) {
            probe
                .set_field(column, text)
                .map_err(|e| invalid(format!("night {night}: {e}")))?;
        }
        let row = header
            .iter()
            .zip(row)
            .map(|(column, text)| {
                if is_free_text(column) && runs_as_formula(&text) {
                    format!("'{text}")
                } else {
                    text
                }
            })
            .collect();
        rows.push(row);
    }

    let mut csv = csv::WriterBuilder::new()
        .terminator(csv::Terminator::Any(b'\n'))
        .from_writer(writer);
    csv.write_record(&header)?;
    for row in &rows {
        csv.write_record(row)?;
    }
    csv.flush()
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;
    use quietlegs_core::journal::Intensity;
    use quietlegs_core::profile::ClockTime;

    fn clock(s: &str) -> ClockTime {
        s.parse().expect("test clock time")
    }

    fn full_entry() -> NightEntry {
        let mut e = NightEntry {
            night: Some(date(2026, 11, 2)),
            severity: 7,
            onset: Some(clock("21:15")),
            sleep_hours: Some(6.25),
            awakenings: Some(3),
            caffeine_mg: Some(150.0),
            last_caffeine: Some(clock("14:00")),
            alcohol_drinks: Some(1.5),
            exercise_minutes: Some(30.0),
            exercise_intensity: Some(Intensity::Vigorous),
            exercise_end: Some(clock("19:30")),
            sugar_late: Some(true),
            antihistamine: Some(false),
            notes: Some("long drive, \"awful\" night\nsecond line; third, with commas".into()),
            ..NightEntry::default()
        };
        e.took.insert("magnesium".into(), true);
        e.took.insert("iron-oral".into(), false);
        e.extra.insert("x:mood".into(), "low, tired".into());
        e
    }

    fn sparse_entry(night: Date, severity: u8) -> NightEntry {
        NightEntry {
            night: Some(night),
            severity,
            ..NightEntry::default()
        }
    }

    fn export(entries: &[NightEntry]) -> Vec<u8> {
        let mut out = Vec::new();
        write(entries, &mut out).expect("write");
        out
    }

    fn import(bytes: &[u8]) -> Result<Vec<NightEntry>, ImportError> {
        read(bytes, "journal.csv")
    }

    #[test]
    fn formula_cells_are_defused_on_export_and_read_back_unchanged() {
        let notes = [
            "=HYPERLINK(\"http://evil.example\",\"click\")",
            "+1 hour of walking",
            "-2 cups of coffee",
            "@SUM(A1:A9)",
            "'=already guarded by hand",
            "''+twice",
            "'tis a quiet night",
            "fine = good",
        ];
        let entries: Vec<NightEntry> = notes
            .iter()
            .enumerate()
            .map(|(i, n)| {
                let mut e = sparse_entry(date(2026, 11, 1 + i as i8), 3);
                e.notes = Some((*n).into());
                e.extra
                    .insert("x:cmd".into(), format!("={i}+cmd|' /C calc'!A0"));
                e
            })
            .collect();
        let csv = export(&entries);
        let mut reader = csv::Reader::from_reader(csv.as_slice());
        let headers = reader.headers().expect("header").clone();
        let notes_at = headers.iter().position(|h| h == "notes").expect("notes");
        let cmd_at = headers.iter().position(|h| h == "x:cmd").expect("x:cmd");
        for (record, note) in reader.records().zip(notes) {
            let record = record.expect("row");
            for cell in [&record[notes_at], &record[cmd_at]] {
                let first = cell.chars().next().expect("a cell");
                assert!(
                    !matches!(first, '=' | '+' | '-' | '@'),
                    "a spreadsheet would run {cell:?}"
                );
            }
            if note.starts_with("'t") || note.starts_with("fine") {
                assert_eq!(&record[notes_at], note, "plain text is left alone");
            }
        }
        assert_eq!(import(&csv).expect("re-import"), entries);
    }

    #[test]
    fn round_trip_is_lossless_and_reexport_is_byte_identical() {
        let mut other = sparse_entry(date(2026, 10, 30), 0);
        other.took.insert("walk".into(), true);
        other.extra.insert("x:weather".into(), "rain".into());
        other.notes = Some("'quoted' \"twice\"\r\nand a CRLF".into());
        // Out of order on purpose: the export sorts by night.
        let entries = vec![
            full_entry(),
            other.clone(),
            sparse_entry(date(2026, 11, 1), 10),
        ];
        let first = export(&entries);
        let back = import(&first).expect("re-import");
        let mut expected = entries.clone();
        expected.sort_by_key(|e| e.night);
        assert_eq!(back, expected);
        assert_eq!(export(&back), first);

        let text = String::from_utf8(first).expect("utf-8");
        let header = text.lines().next().expect("header");
        assert_eq!(
            header,
            format!(
                "{},took:iron-oral,took:magnesium,took:walk,x:mood,x:weather",
                spec_columns().join(",")
            )
        );
        assert!(text.contains("\n2026-10-30,0,"), "{text}");
    }

    #[test]
    fn export_of_nothing_is_just_the_header() {
        let text = String::from_utf8(export(&[])).expect("utf-8");
        assert_eq!(text, format!("{}\n", spec_columns().join(",")));
        assert_eq!(import(text.as_bytes()).expect("import"), vec![]);
    }

    fn spec_columns() -> Vec<&'static str> {
        columns::names()
            .filter(|c| !WRITTEN_WHEN_USED.contains(c))
            .collect()
    }

    #[test]
    fn beyond_the_legs_is_written_once_a_night_records_it() {
        let mut night = NightEntry::default();
        night.set_field("night", "2026-11-02").expect("night");
        night.set_field("severity", "6").expect("severity");
        night.set_field("beyond_legs", "1").expect("beyond_legs");
        let text = String::from_utf8(export(std::slice::from_ref(&night))).expect("utf-8");
        let header = text.lines().next().expect("header");
        assert!(header.ends_with(",notes,beyond_legs"), "{header}");
        assert_eq!(import(text.as_bytes()).expect("import"), vec![night]);
    }

    #[test]
    fn empty_cells_stay_not_recorded() {
        let csv = "night,severity,sleep_hours,caffeine_mg,sugar_late,took:magnesium,notes,x:mood\n\
                   2026-11-02,4,,  ,,,,\n";
        let entries = import(csv.as_bytes()).expect("import");
        assert_eq!(entries, vec![sparse_entry(date(2026, 11, 2), 4)]);
        assert!(entries[0].took.is_empty() && entries[0].extra.is_empty());
    }

    #[test]
    fn one_bad_row_among_ten_thousand_names_its_line_and_column() {
        let mut csv = String::from("night,severity,sleep_hours\n");
        let mut day = date(1990, 1, 1);
        for i in 0..10_000 {
            // Data row i sits on line i + 2; line 5001 is row 4999.
            let severity = if i == 4_999 {
                "11".to_string()
            } else {
                (i % 11).to_string()
            };
            csv.push_str(&format!("{day},{severity},7.5\n"));
            day = day.tomorrow().expect("date");
        }
        let err = import(csv.as_bytes()).expect_err("bad row");
        assert_eq!(err.line, Some(5001));
        assert_eq!(err.column.as_deref(), Some("severity"));
        assert_eq!(
            err.to_string(),
            "journal.csv:5001: column 'severity': '11' is not a whole number from 0 to 10"
        );

        let good = csv.replace(",11,7.5\n", ",10,7.5\n");
        assert_eq!(import(good.as_bytes()).expect("good file").len(), 10_000);
    }

    #[test]
    fn lines_count_physical_lines_inside_quoted_cells() {
        let csv = "night,severity,notes\n2026-11-01,3,\"one\ntwo\nthree\"\n2026-11-02,x,\n";
        let err = import(csv.as_bytes()).expect_err("bad severity");
        assert_eq!(err.line, Some(5));
    }

    #[test]
    fn unknown_column_is_named() {
        let err = import(b"night,severity,colour\n2026-11-02,3,blue\n").expect_err("unknown");
        assert_eq!(err.line, Some(1));
        assert_eq!(err.column.as_deref(), Some("colour"));
        assert!(err.message.contains("unknown column"), "{err}");

        let err = import(b"night,severity,took:\n").expect_err("empty id");
        assert_eq!(err.column.as_deref(), Some("took:"));
    }

    #[test]
    fn duplicate_header_is_rejected() {
        let err = import(b"night,severity,notes,notes\n").expect_err("twice");
        assert_eq!(err.column.as_deref(), Some("notes"));
        assert_eq!(err.line, Some(1));
    }

    #[test]
    fn duplicate_night_names_the_second_line() {
        let csv = "night,severity\n2026-11-01,3\n2026-11-02,4\n2026-11-01,5\n";
        let err = import(csv.as_bytes()).expect_err("duplicate");
        assert_eq!(err.line, Some(4));
        assert_eq!(err.column.as_deref(), Some("night"));
        assert!(err.message.contains("line 2"), "{err}");
    }

    #[test]
    fn required_columns_must_be_in_the_header() {
        let err = import(b"night,sleep_hours\n2026-11-01,7\n").expect_err("no severity");
        assert_eq!(err.column.as_deref(), Some("severity"));
        let err = import(b"severity\n3\n").expect_err("no night");
        assert_eq!(err.column.as_deref(), Some("night"));
        let err = import(b"").expect_err("empty file");
        assert_eq!(err.line, None);
    }

    #[test]
    fn ragged_rows_are_rejected_by_line() {
        let err =
            import(b"night,severity\n2026-11-01,3\n2026-11-02,4,extra\n").expect_err("ragged");
        assert_eq!(err.line, Some(3));
        let err = import(b"night,severity,notes\n2026-11-01,3\n").expect_err("short");
        assert_eq!(err.line, Some(2));
    }

    #[test]
    fn bom_blank_rows_and_column_order_are_tolerated() {
        let csv = b"\xEF\xBB\xBFseverity, night ,notes\r\n5,2026-11-01,ok\r\n,,\r\n\r\n";
        let entries = import(csv).expect("import");
        assert_eq!(entries.len(), 1);
        assert_eq!(entries[0].night, Some(date(2026, 11, 1)));
        assert_eq!(entries[0].severity, 5);
    }

    #[test]
    fn invalid_utf8_is_an_error_not_a_panic() {
        let err = import(b"night,severity,notes\n2026-11-01,3,\xFF\xFE\n").expect_err("bytes");
        assert_eq!((err.line, err.column.as_deref()), (Some(2), Some("notes")));
    }

    #[test]
    fn write_refuses_what_read_would_reject() {
        let mut bad = sparse_entry(date(2026, 11, 1), 3);
        bad.sleep_hours = Some(30.0);
        let mut out = Vec::new();
        let err = write(&[bad], &mut out).expect_err("out of range");
        assert_eq!(err.kind(), io::ErrorKind::InvalidInput);
        assert!(out.is_empty());

        let twice = [
            sparse_entry(date(2026, 11, 1), 3),
            sparse_entry(date(2026, 11, 1), 4),
        ];
        assert!(write(&twice, Vec::new()).is_err());
        assert!(write(&[NightEntry::default()], Vec::new()).is_err());

        let mut odd = sparse_entry(date(2026, 11, 1), 3);
        odd.extra.insert("mood".into(), "low".into());
        assert!(write(&[odd], Vec::new()).is_err());
    }
}
