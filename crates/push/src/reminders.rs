//! Which reminders are due for one person at one instant. Pure: no clock and no I/O, so the
//! scheduler, its tests and any other caller agree on the answer for a given `now`.
//!
//! Times are the person's wall clock in their own zone. A wall time that does not exist (the
//! hour skipped when clocks go forward) fires at the same distance past the gap (02:30 becomes
//! 03:30); one that happens twice (the hour repeated when clocks go back) fires the first time
//! only. Each reminder is due from its instant for [`WINDOW`]: a scheduler that looks every
//! minute or so finds it, and one that was down for hours sends nothing stale.

use jiff::civil::{Date, Time};
use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp};
use quietlegs_core::journal::{Experiment, ExperimentStatus};
use quietlegs_core::profile::ClockTime;
use quietlegs_stats::AbabSchedule;

/// How long after its time a reminder may still be sent.
pub const WINDOW: SignedDuration = SignedDuration::from_mins(15);
/// Lab re-tests are reminded in the morning of the due day, when a blood test can be booked
/// (and fasting ones are taken), rather than at bedtime.
pub const LAB_TIME: Time = Time::constant(9, 0, 0, 0);
/// An on/off experiment's switch is reminded in the early evening, before the remedy would be
/// taken (or left out) for the night.
pub const SWITCH_TIME: Time = Time::constant(18, 0, 0, 0);

/// What a reminder is about. The texts are deliberately generic: no values, no remedy names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    Checkin,
    LabRetest,
    ScheduleSwitch,
}

impl Kind {
    /// A stable name: the store's delivery key and the push `Topic`.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Checkin => "checkin",
            Kind::LabRetest => "lab-retest",
            Kind::ScheduleSwitch => "schedule-switch",
        }
    }

    pub fn title(self) -> &'static str {
        match self {
            Kind::Checkin => "Time for tonight's check-in",
            Kind::LabRetest => "A lab re-test is due",
            Kind::ScheduleSwitch => "Your experiment switches tonight",
        }
    }

    pub fn body(self) -> &'static str {
        match self {
            Kind::Checkin => "Open Quietlegs to note how tonight is going.",
            Kind::LabRetest => "Open Quietlegs to see which test and book it.",
            Kind::ScheduleSwitch => "Open Quietlegs to see tonight's schedule.",
        }
    }

    /// The page the notification opens (same origin as the app).
    pub fn url(self) -> &'static str {
        match self {
            Kind::Checkin => "/checkin",
            Kind::LabRetest => "/labs",
            Kind::ScheduleSwitch => "/tonight",
        }
    }

    /// The JSON the browser's service worker receives: the whole plaintext of the message.
    pub fn payload(self) -> String {
        serde_json::json!({
            "title": self.title(),
            "body": self.body(),
            "url": self.url(),
            "tag": self.as_str(),
        })
        .to_string()
    }
}

/// What one person's reminders are made from.
#[derive(Debug, Clone)]
pub struct Inputs<'a> {
    pub zone: &'a TimeZone,
    /// The nightly check-in reminder's wall time, if the person chose one.
    pub checkin: Option<ClockTime>,
    /// Days a lab re-test is due.
    pub lab_due: &'a [Date],
    pub experiments: &'a [Experiment],
}

/// One reminder due now: what, and the instant it was for (its identity: each is sent once).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Due {
    pub kind: Kind,
    pub at: Timestamp,
}

/// The reminders due at `now`, at most one of each kind.
pub fn due(now: Timestamp, inputs: &Inputs<'_>) -> Vec<Due> {
    let today = now.to_zoned(inputs.zone.clone()).date();
    // A window that opened just before the person's midnight belongs to yesterday's date.
    let days = [today.yesterday().ok(), Some(today)];
    let mut found: Vec<Due> = Vec::new();
    for day in days.into_iter().flatten() {
        let mut candidates: Vec<(Kind, Time)> = Vec::new();
        if let Some(at) = inputs.checkin {
            candidates.push((Kind::Checkin, clock_time(at)));
        }
        if inputs.lab_due.contains(&day) {
            candidates.push((Kind::LabRetest, LAB_TIME));
        }
        if inputs.experiments.iter().any(|e| switches_on(e, day)) {
            candidates.push((Kind::ScheduleSwitch, SWITCH_TIME));
        }
        for (kind, time) in candidates {
            let Some(at) = instant(day, time, inputs.zone) else {
                continue;
            };
            let open = at
                .checked_add(WINDOW)
                .is_ok_and(|end| at <= now && now < end);
            if open && !found.iter().any(|d| d.kind == kind) {
                found.push(Due { kind, at });
            }
        }
    }
    found
}

/// Whether a lab re-test could be due at `now` in `zone`: its morning window is open. Reading
/// the re-test dates means building the person's plan, so the scheduler asks this first and
/// reads them only for the quarter of an hour a day they can matter.
pub fn lab_window_open(now: Timestamp, zone: &TimeZone) -> bool {
    let today = now.to_zoned(zone.clone()).date();
    [today.yesterday().ok(), Some(today)]
        .into_iter()
        .flatten()
        .filter_map(|day| instant(day, LAB_TIME, zone))
        .any(|at| {
            at.checked_add(WINDOW)
                .is_ok_and(|end| at <= now && now < end)
        })
}

fn clock_time(at: ClockTime) -> Time {
    Time::constant(at.hour() as i8, at.minute() as i8, 0, 0)
}

/// The instant of a wall time on a day in `zone` (jiff's "compatible" rule: a skipped time
/// moves forward by the gap, a repeated one takes its first occurrence).
fn instant(day: Date, time: Time, zone: &TimeZone) -> Option<Timestamp> {
    day.to_datetime(time)
        .to_zoned(zone.clone())
        .ok()
        .map(|z| z.timestamp())
}

/// Whether a running on/off experiment changes phase on the night of `day` (the first night
/// is the person's own start, which they chose and know; only later switches are reminded).
fn switches_on(experiment: &Experiment, day: Date) -> bool {
    if experiment.status != ExperimentStatus::Running {
        return false;
    }
    let Some(schedule) = experiment.schedule.map(AbabSchedule::from) else {
        return false;
    };
    let Ok(span) = experiment.start.until(day) else {
        return false;
    };
    let night = i64::from(span.get_days());
    if night < 1 {
        return false;
    }
    match (schedule.on_at(night - 1), schedule.on_at(night)) {
        (Some(before), Some(now)) => before != now,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;
    use quietlegs_core::journal::OnOffSchedule;

    fn ts(text: &str) -> Timestamp {
        text.parse().unwrap_or_else(|e| panic!("{text}: {e}"))
    }

    fn zone(name: &str) -> TimeZone {
        TimeZone::get(name).unwrap_or_else(|e| panic!("{name}: {e}"))
    }

    fn checkin_at(zone: &TimeZone, hour: u8, minute: u8) -> Inputs<'_> {
        Inputs {
            zone,
            checkin: ClockTime::new(hour, minute),
            lab_due: &[],
            experiments: &[],
        }
    }

    fn kinds(now: &str, inputs: &Inputs<'_>) -> Vec<(Kind, Timestamp)> {
        due(ts(now), inputs)
            .into_iter()
            .map(|d| (d.kind, d.at))
            .collect()
    }

    #[test]
    fn tokyo_at_21_30_is_12_30_utc_whatever_the_server_zone() {
        let tokyo = zone("Asia/Tokyo");
        let inputs = checkin_at(&tokyo, 21, 30);
        let at = ts("2026-06-01T12:30:00Z");
        assert_eq!(kinds("2026-06-01T12:29:59Z", &inputs), vec![]);
        assert_eq!(
            kinds("2026-06-01T12:30:00Z", &inputs),
            vec![(Kind::Checkin, at)]
        );
        assert_eq!(
            kinds("2026-06-01T12:44:59Z", &inputs),
            vec![(Kind::Checkin, at)]
        );
        assert_eq!(kinds("2026-06-01T12:45:00Z", &inputs), vec![]);
        // The server's own evening at 21:30 UTC is nothing to a person in Tokyo.
        assert_eq!(kinds("2026-06-01T21:30:00Z", &inputs), vec![]);
    }

    #[test]
    fn the_lab_window_is_the_morning_quarter_hour_where_the_person_is() {
        let tokyo = zone("Asia/Tokyo");
        // 09:00 in Tokyo is 00:00 UTC.
        assert!(!lab_window_open(ts("2026-07-09T23:59:59Z"), &tokyo));
        assert!(lab_window_open(ts("2026-07-10T00:00:00Z"), &tokyo));
        assert!(lab_window_open(ts("2026-07-10T00:14:59Z"), &tokyo));
        assert!(!lab_window_open(ts("2026-07-10T00:15:00Z"), &tokyo));
        assert!(!lab_window_open(ts("2026-07-10T09:00:00Z"), &tokyo));
    }

    #[test]
    fn a_reminder_just_before_midnight_is_found_after_it() {
        let kiritimati = zone("Pacific/Kiritimati"); // UTC+14
        let inputs = checkin_at(&kiritimati, 23, 55);
        // 23:55 on 2 June there is 09:55 UTC on 2 June; at 00:05 local it is already 3 June.
        let at = ts("2026-06-02T09:55:00Z");
        assert_eq!(
            kinds("2026-06-02T10:05:00Z", &inputs),
            vec![(Kind::Checkin, at)]
        );
    }

    #[test]
    fn summer_time_moves_the_utc_instant_not_the_wall_time() {
        let berlin = zone("Europe/Berlin");
        let inputs = checkin_at(&berlin, 21, 30);
        // Clocks went forward on 29 March 2026.
        assert_eq!(kinds("2026-03-28T20:30:00Z", &inputs).len(), 1);
        assert_eq!(kinds("2026-03-29T20:30:00Z", &inputs), vec![]);
        assert_eq!(kinds("2026-03-29T19:30:00Z", &inputs).len(), 1);
    }

    #[test]
    fn a_skipped_wall_time_fires_after_the_gap() {
        let new_york = zone("America/New_York");
        let inputs = checkin_at(&new_york, 2, 30);
        // 8 March 2026: 02:00 EST jumps to 03:00 EDT; 02:30 never happens, 03:30 EDT does.
        assert_eq!(kinds("2026-03-08T07:00:00Z", &inputs), vec![]);
        assert_eq!(
            kinds("2026-03-08T07:30:00Z", &inputs),
            vec![(Kind::Checkin, ts("2026-03-08T07:30:00Z"))]
        );
    }

    #[test]
    fn a_repeated_wall_time_fires_once() {
        let new_york = zone("America/New_York");
        let inputs = checkin_at(&new_york, 1, 30);
        // 1 November 2026: 01:30 EDT (05:30 UTC), then 01:30 EST (06:30 UTC).
        assert_eq!(
            kinds("2026-11-01T05:30:00Z", &inputs),
            vec![(Kind::Checkin, ts("2026-11-01T05:30:00Z"))]
        );
        assert_eq!(kinds("2026-11-01T06:30:00Z", &inputs), vec![]);
    }

    #[test]
    fn lab_retests_are_due_that_morning_only() {
        let tokyo = zone("Asia/Tokyo");
        let lab_due = [date(2026, 7, 10)];
        let inputs = Inputs {
            zone: &tokyo,
            checkin: None,
            lab_due: &lab_due,
            experiments: &[],
        };
        // 09:00 Tokyo is 00:00 UTC.
        let at = ts("2026-07-10T00:00:00Z");
        assert_eq!(
            kinds("2026-07-10T00:05:00Z", &inputs),
            vec![(Kind::LabRetest, at)]
        );
        assert_eq!(kinds("2026-07-09T00:05:00Z", &inputs), vec![]);
        assert_eq!(kinds("2026-07-11T00:05:00Z", &inputs), vec![]);
    }

    #[test]
    fn an_on_off_experiment_is_reminded_the_evening_each_phase_switches() {
        let utc = TimeZone::UTC;
        let schedule = OnOffSchedule {
            seed: 7,
            pairs: 3,
            period_nights: 4,
        };
        let start = date(2026, 5, 1);
        let experiment = Experiment {
            remedy: "magnesium".into(),
            start,
            planned_end: None,
            status: ExperimentStatus::Running,
            schedule: Some(schedule),
        };
        let abab = AbabSchedule::from(schedule);
        let switching: Vec<i64> = (1..24)
            .filter(|&n| abab.on_at(n - 1) != abab.on_at(n))
            .collect();
        // Within a pair the phase always flips; between pairs only when the coins differ.
        assert!(switching.contains(&4) && switching.contains(&12) && switching.contains(&20));
        let experiments = [experiment];
        let inputs = Inputs {
            zone: &utc,
            checkin: None,
            lab_due: &[],
            experiments: &experiments,
        };
        for night in 0..26i64 {
            let Ok(day) = start.checked_add(jiff::Span::new().days(night)) else {
                panic!("date");
            };
            let now = day
                .to_datetime(Time::constant(18, 1, 0, 0))
                .to_zoned(TimeZone::UTC)
                .map(|z| z.timestamp())
                .unwrap_or_default();
            let reminded = !due(now, &inputs).is_empty();
            assert_eq!(reminded, switching.contains(&night), "night {night}");
        }
        let mut finished = experiments.clone();
        finished[0].status = ExperimentStatus::Finished;
        let inputs = Inputs {
            experiments: &finished,
            ..inputs
        };
        assert_eq!(due(ts("2026-05-05T18:01:00Z"), &inputs), vec![]);
    }

    #[test]
    fn the_message_says_nothing_about_health() {
        for kind in [Kind::Checkin, Kind::LabRetest, Kind::ScheduleSwitch] {
            let payload = kind.payload();
            let value: serde_json::Value = serde_json::from_str(&payload).unwrap_or_default();
            let mut keys: Vec<&str> = value
                .as_object()
                .map(|o| o.keys().map(String::as_str).collect())
                .unwrap_or_default();
            keys.sort_unstable();
            assert_eq!(keys, ["body", "tag", "title", "url"]);
            for word in ["ferritin", "magnesium", "severity", "iron", "mg", "ng/"] {
                assert!(!payload.to_lowercase().contains(word), "{payload}");
            }
        }
    }
}
