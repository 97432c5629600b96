//! The JSON export (a [`Bundle`]): read with the field path and line of the first problem, and
//! written in the stable pretty form that round-trips byte for byte.

use quietlegs_core::journal::Bundle;

use crate::ImportError;

/// Reads and checks a JSON export. `file` names the source in errors.
pub fn read(text: &str, file: &str) -> Result<Bundle, ImportError> {
    let mut de = serde_json::Deserializer::from_str(text);
    let bundle: Bundle = serde_path_to_error::deserialize(&mut de).map_err(|e| {
        let line = u64::try_from(e.inner().line()).ok().filter(|l| *l > 0);
        let path = e.path().to_string();
        ImportError::new(file, line, Some(&path), e.inner().to_string())
    })?;
    if bundle.format != Bundle::FORMAT {
        return Err(ImportError::new(
            file,
            None,
            Some("format"),
            format!(
                "expected \"{}\", found \"{}\"",
                Bundle::FORMAT,
                bundle.format
            ),
        ));
    }
    for (i, night) in bundle.nights.iter().enumerate() {
        night.validate().map_err(|e| {
            ImportError::new(
                file,
                None,
                Some(&format!("nights[{i}].{}", e.field)),
                e.message.clone(),
            )
        })?;
    }
    for (i, day) in bundle.activity.iter().enumerate() {
        day.validate().map_err(|e| {
            ImportError::new(
                file,
                None,
                Some(&format!("activity[{i}].{}", e.field)),
                e.message.clone(),
            )
        })?;
    }
    Ok(bundle)
}

/// The JSON export's bytes.
pub fn write(bundle: &Bundle) -> Vec<u8> {
    let mut bytes = serde_json::to_vec_pretty(bundle).unwrap_or_default();
    bytes.push(b'\n');
    bytes
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;
    use quietlegs_core::journal::DayActivity;

    fn day(steps: Option<u32>) -> DayActivity {
        DayActivity {
            date: date(2026, 10, 1),
            source: "Jane’s Apple\u{a0}Watch, Jane's iPhone".into(),
            // As the reader computes them: a union of seconds, a mean of readings.
            exercise_minutes: Some(1904.0 / 60.0),
            exercise_end: "19:05".parse().ok(),
            steps,
            resting_hr: Some(170.0 / 3.0),
        }
    }

    #[test]
    fn activity_round_trips_and_old_exports_still_read() {
        let bundle = Bundle {
            activity: vec![
                day(Some(8123)),
                DayActivity {
                    date: date(2026, 10, 2),
                    ..day(None)
                },
            ],
            ..Bundle::new()
        };
        let bytes = write(&bundle);
        let text = String::from_utf8(bytes.clone()).expect("utf8");
        let back = read(&text, "export.json").expect("reads");
        assert_eq!(back, bundle);
        assert_eq!(write(&back), bytes, "byte for byte");
        assert!(text.contains("\"steps\": null"), "not measured stays null");

        // Written before activity existed: no key at all, and none written back.
        let old = String::from_utf8(write(&Bundle::new())).expect("utf8");
        assert!(!old.contains("activity"), "{old}");
        assert_eq!(read(&old, "old.json").expect("reads").activity, Vec::new());
    }

    #[test]
    fn an_impossible_activity_value_names_its_field() {
        let bundle = Bundle {
            activity: vec![DayActivity {
                resting_hr: Some(4000.0),
                ..day(Some(1))
            }],
            ..Bundle::new()
        };
        let text = String::from_utf8(write(&bundle)).expect("utf8");
        let err = read(&text, "export.json").expect_err("refused");
        assert_eq!(
            err.column.as_deref(),
            Some("activity[0].resting_hr"),
            "{err}"
        );
    }
}
