//! Why an import was refused. Imports are all-or-nothing, so one error names the one place the
//! person has to fix: the file, its line and the column, in the form editors and terminals
//! already understand (`file:line`).

/// The first problem found in an imported file. `line` and `column` are left out of the message
/// when they are not known (a missing header column has no line worth naming twice, an I/O
/// failure has neither).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file}{}{}: {message}", line_part(.line), column_part(.column))]
pub struct ImportError {
    pub file: String,
    /// Physical line, 1-based; a CSV header is line 1.
    pub line: Option<u64>,
    pub column: Option<String>,
    pub message: String,
}

fn line_part(line: &Option<u64>) -> String {
    line.map(|l| format!(":{l}")).unwrap_or_default()
}

fn column_part(column: &Option<String>) -> String {
    column
        .as_ref()
        .map(|c| format!(": column '{c}'"))
        .unwrap_or_default()
}

impl ImportError {
    /// A file that is not JSON, with the line the parser stopped at.
    pub fn not_json(file: &str, e: &serde_json::Error) -> Self {
        Self::new(
            file,
            u64::try_from(e.line()).ok(),
            None,
            format!("not JSON: {e}"),
        )
    }

    pub fn new(
        file: &str,
        line: Option<u64>,
        column: Option<&str>,
        message: impl Into<String>,
    ) -> Self {
        Self {
            file: file.to_string(),
            line,
            column: column.map(str::to_string),
            message: message.into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_parts_are_left_out() {
        let full = ImportError::new(
            "export.csv",
            Some(42),
            Some("severity"),
            "'11' is not a whole number from 0 to 10",
        );
        assert_eq!(
            full.to_string(),
            "export.csv:42: column 'severity': '11' is not a whole number from 0 to 10"
        );
        let bare = ImportError::new("export.csv", None, None, "cannot be read");
        assert_eq!(bare.to_string(), "export.csv: cannot be read");
        let no_line = ImportError::new("export.csv", None, Some("night"), "is missing");
        assert_eq!(
            no_line.to_string(),
            "export.csv: column 'night': is missing"
        );
    }
}
