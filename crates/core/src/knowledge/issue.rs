use std::fmt;

/// One mistake in a knowledge file, located as precisely as the mistake allows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KbIssue {
    pub file: String,
    pub line: Option<usize>,
    pub entry: Option<String>,
    pub field: Option<String>,
    pub message: String,
}

impl fmt::Display for KbIssue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file)?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
        }
        write!(f, ":")?;
        if let Some(entry) = &self.entry {
            write!(f, " entry '{entry}'")?;
        }
        if let Some(field) = &self.field {
            write!(f, " field '{field}'")?;
        }
        if self.entry.is_some() || self.field.is_some() {
            write!(f, ":")?;
        }
        write!(f, " {}", self.message)
    }
}

/// Every mistake found while loading: a reviewer wants the whole list at once, not one per run.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct LoadError {
    pub issues: Vec<KbIssue>,
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.issues.len();
        writeln!(
            f,
            "the knowledge base has {n} problem{}:",
            if n == 1 { "" } else { "s" }
        )?;
        for issue in &self.issues {
            writeln!(f, "  {issue}")?;
        }
        Ok(())
    }
}

impl LoadError {
    /// A file that is not valid TOML (or not of the expected shape), at the line of the error.
    pub fn toml(file: &str, text: &str, err: &toml::de::Error) -> Self {
        LoadError {
            issues: vec![KbIssue {
                file: file.to_string(),
                line: err
                    .span()
                    .map(|s| text[..s.start.min(text.len())].matches('\n').count() + 1),
                entry: None,
                field: None,
                message: err.message().trim().to_string(),
            }],
        }
    }
}
