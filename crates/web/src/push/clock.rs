//! The scheduler's sense of "now", passed in so a test can say what time it is: a reminder at
//! 21:30 in Tokyo cannot wait for 12:30 UTC to come round.

use std::path::PathBuf;

use jiff::Timestamp;

pub trait Clock: Send + Sync {
    /// The instant to look for due reminders at; `None` skips this look.
    fn now(&self) -> Option<Timestamp>;
}

/// The system's clock: what a deployment runs on.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> Option<Timestamp> {
        Some(Timestamp::now())
    }
}

/// The instant written (RFC 3339) in a file, read at every look. For end-to-end tests, which
/// move the server's idea of the time from outside the process; an unreadable file skips the
/// look rather than falling back to the real time, so a test never sends by accident.
#[derive(Debug, Clone)]
pub struct FileClock {
    path: PathBuf,
}

impl FileClock {
    pub fn new(path: PathBuf) -> Self {
        Self { path }
    }
}

impl Clock for FileClock {
    fn now(&self) -> Option<Timestamp> {
        let text = match std::fs::read_to_string(&self.path) {
            Ok(text) => text,
            Err(err) => {
                tracing::warn!(path = %self.path.display(), %err, "push test clock: unreadable");
                return None;
            }
        };
        match text.trim().parse() {
            Ok(now) => Some(now),
            Err(err) => {
                tracing::warn!(path = %self.path.display(), %err, "push test clock: not a time");
                None
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_clock_reads_the_instant_and_skips_when_it_cannot() {
        let path = std::env::temp_dir().join(format!(
            "quietlegs-push-clock-{}-{}",
            std::process::id(),
            Timestamp::now().as_nanosecond()
        ));
        let clock = FileClock::new(path.clone());
        assert_eq!(clock.now(), None, "no file yet");
        let _ = std::fs::write(&path, "2026-06-01T12:30:00Z\n");
        assert_eq!(clock.now(), "2026-06-01T12:30:00Z".parse().ok());
        let _ = std::fs::write(&path, "half past nine");
        assert_eq!(clock.now(), None);
        let _ = std::fs::remove_file(path);
        assert!(SystemClock.now().is_some());
    }
}
