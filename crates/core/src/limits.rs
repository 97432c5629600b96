//! What any edge accepts from a person or a file: text every store can hold, at sizes a journal
//! needs, and dates a calendar has. One place, so the API, the forms, the CSV and FHIR readers
//! and the profile refuse the same things with the same words.

use jiff::civil::Date;

/// A night's notes: a long paragraph, not a document.
pub const NOTE_MAX_CHARS: usize = 4_000;
/// An `x:` value, a medicine line, a condition: a phrase.
pub const PHRASE_MAX_CHARS: usize = 300;
/// A column name or an id (`took:ID`, `x:NAME`).
pub const NAME_MAX_CHARS: usize = 100;
/// Items in one profile list (medications, supplements, conditions, labs).
pub const LIST_MAX_ITEMS: usize = 200;

/// Why `text` cannot be kept: a NUL character (PostgreSQL refuses it, so a journal holding one
/// could never move there) or more than `max_chars` characters.
pub fn text_problem(text: &str, max_chars: usize) -> Option<String> {
    if text.contains('\0') {
        return Some("contains a NUL character (\\u0000), which cannot be stored".into());
    }
    let n = text.chars().count();
    (n > max_chars).then(|| format!("is {n} characters long; the limit is {max_chars}"))
}

/// Why `date` is refused: only the years 0001 to 9999 exist in the exports and in every store.
pub fn date_problem(date: Date) -> Option<String> {
    (date.year() < 1).then(|| format!("{date} is before the year 0001"))
}

/// Parses `YYYY-MM-DD` within the years 0001-9999.
pub fn parse_date(text: &str) -> Result<Date, String> {
    let text = text.trim();
    let date: Date = text
        .parse()
        .map_err(|_| format!("'{text}' is not a date (YYYY-MM-DD)"))?;
    // jiff reads signed six-digit years ("-000001-01-01"): not a date a person means.
    if text.starts_with(['+', '-']) || text.len() != 10 {
        return Err(format!("'{text}' is not a date (YYYY-MM-DD)"));
    }
    match date_problem(date) {
        Some(problem) => Err(problem),
        None => Ok(date),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nul_and_length_are_refused_with_a_reason() {
        assert!(text_problem("a quiet night", 20).is_none());
        assert!(text_problem("a\0b", 20).expect("nul").contains("NUL"));
        assert!(
            text_problem(&"é".repeat(21), 20)
                .expect("long")
                .contains("21")
        );
        assert!(
            text_problem(&"é".repeat(20), 20).is_none(),
            "characters, not bytes"
        );
    }

    #[test]
    fn only_plain_four_digit_years_are_dates() {
        assert_eq!(
            parse_date(" 2026-11-02 "),
            Ok(jiff::civil::date(2026, 11, 2))
        );
        assert!(parse_date("0001-01-01").is_ok());
        assert!(parse_date("9999-12-31").is_ok());
        for bad in [
            "-000001-01-01",
            "+002026-11-02",
            "0000-06-01",
            "2026-13-01",
            "yesterday",
        ] {
            assert!(parse_date(bad).is_err(), "{bad}");
        }
    }
}
