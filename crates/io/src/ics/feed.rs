//! The subscribed calendar: what a secret feed URL serves. Unlike the downloaded plan file it is
//! fetched again and again, so it holds only what stays put from one day to the next: the
//! evening routine and the check-in reminder (daily), and dated events the person chose or
//! fixed (lab re-tests, the switch days of a randomised schedule). Every event rings.
//!
//! Titles name a test or a change the person set up themselves; no result or value is ever
//! written here, since calendars get synced and shared far beyond this app.

use chrono::{Duration, NaiveDateTime, NaiveTime};
use icalendar::{Alarm, Component, Event, EventLike};
use jiff::civil::Date;
use quietlegs_core::plan::{DISCLAIMER, Plan};
use quietlegs_core::profile::ClockTime;

use super::{at, empty_calendar, naive_date, reminder, routine_events};

/// How long the check-in takes, so it shows as a block with an end (RFC 5545 wants one).
const CHECKIN: &str = "PT5M";
/// A re-test rings the morning before (09:00), time to skip the iron tablet and book the draw.
const RETEST_ALARM_HOURS: i64 = -15;
/// A switch day rings that evening (18:00), before the night it applies to.
const SWITCH_ALARM_HOURS: i64 = 18;

/// A lab test to re-check on a day.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Retest {
    /// The knowledge-base id, for a stable UID.
    pub test: String,
    /// The test's name as people read it ("Ferritin").
    pub name: String,
    pub due: Date,
}

/// A day on which a randomised on/off schedule switches the change on or off, or ends.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Switch {
    /// The remedy's id, for a stable UID.
    pub remedy: String,
    /// The remedy's name as people read it.
    pub name: String,
    pub day: Date,
    /// `Some(true)`: on from tonight; `Some(false)`: off; `None`: the schedule is over.
    pub on: Option<bool>,
}

/// Everything one feed holds.
#[derive(Debug, Clone)]
pub struct Feed<'a> {
    /// The day the feed is served, in the person's zone: daily events start on it.
    pub today: Date,
    /// The person's IANA zone, recorded as the calendar's display zone.
    pub timezone: Option<&'a str>,
    /// The plan, for its evening routine; `None` before the assessment.
    pub plan: Option<&'a Plan>,
    pub checkin: Option<ClockTime>,
    pub retests: Vec<Retest>,
    pub switches: Vec<Switch>,
}

/// An all-day event on `day` that rings `alarm_hours` from that day's midnight.
fn day_event(
    uid: &str,
    title: &str,
    description: &str,
    day: Date,
    alarm_hours: i64,
    stamp: chrono::DateTime<chrono::Utc>,
) -> Event {
    let date = naive_date(day);
    Event::new()
        .uid(&format!("{uid}@quietlegs"))
        .timestamp(stamp)
        .summary(title)
        .description(description)
        .starts(date)
        .ends(date + Duration::days(1))
        .alarm(
            Alarm::display(title, Duration::hours(alarm_hours))
                .uid(&format!("alarm-{uid}"))
                .timestamp(stamp)
                .done(),
        )
        .done()
}

/// Renders a feed as an iCalendar file (RFC 5545), with our PRODID and floating local times.
pub fn feed_calendar(feed: &Feed<'_>) -> String {
    let start = naive_date(feed.today);
    let stamp = NaiveDateTime::new(start, NaiveTime::MIN).and_utc();
    let mut cal = empty_calendar("Quietlegs", feed.timezone);
    if let Some(plan) = feed.plan {
        for event in routine_events(plan, start, stamp) {
            cal.push(event);
        }
    }
    if let Some(time) = feed.checkin {
        let title = "Quietlegs check-in";
        cal.push(
            Event::new()
                .uid("checkin@quietlegs")
                .timestamp(stamp)
                .summary(title)
                .description(&format!(
                    "Log how your legs were tonight: it takes a minute. {DISCLAIMER}"
                ))
                .starts(at(start, u32::from(time.hour()), u32::from(time.minute())))
                .add_property("DURATION", CHECKIN)
                .add_property("RRULE", "FREQ=DAILY")
                .alarm(reminder(title, "checkin", stamp))
                .done(),
        );
    }
    for r in &feed.retests {
        cal.push(day_event(
            &format!("retest-{}", r.test),
            &format!("{} re-test", r.name),
            "The re-test date you set in Quietlegs. Ask whether to skip iron tablets for a day \
             before the blood draw.",
            r.due,
            RETEST_ALARM_HOURS,
            stamp,
        ));
    }
    for s in &feed.switches {
        let (title, what) = match s.on {
            Some(true) => (format!("{}: on from tonight", s.name), "on"),
            Some(false) => (format!("{}: off from tonight", s.name), "off"),
            None => (format!("{}: schedule finished", s.name), "end"),
        };
        cal.push(day_event(
            &format!("switch-{}-{}-{what}", s.remedy, s.day),
            &title,
            "A switch day of the on/off schedule you started in Quietlegs; keep logging your \
             nights.",
            s.day,
            SWITCH_ALARM_HOURS,
            stamp,
        ));
    }
    cal.done().to_string()
}
