//! The plan as an iCalendar file (RFC 5545): the evening routine as daily events with alarms,
//! the iron schedule on alternate mornings, and review and re-test reminders as to-dos.

use chrono::{Duration, NaiveDate, NaiveDateTime, NaiveTime};
use icalendar::{
    Alarm, Calendar, CalendarDateTime, Component, DatePerhapsTime, Event, EventLike, Todo,
};
use jiff::civil::Date;
use quietlegs_core::plan::{DISCLAIMER, Plan, Stage};
use quietlegs_core::profile::ClockTime;

mod feed;
pub use feed::{Feed, Retest, Switch, feed_calendar};

/// Who wrote the file (RFC 5545 3.7.3).
pub const PRODID: &str = "-//Quietlegs//Plan//EN";

/// How long a routine step and the iron tablet take, so every event has an end (DURATION)
/// and shows as a block, not a point, in calendar apps.
const ROUTINE_STEP: &str = "PT15M";
const IRON_DOSE: &str = "PT5M";

/// When the morning iron reminder rings.
const IRON_TIME: (u32, u32) = (8, 0);

fn naive_date(d: Date) -> NaiveDate {
    NaiveDate::from_ymd_opt(
        i32::from(d.year()),
        u32::from(d.month() as u8),
        u32::from(d.day() as u8),
    )
    .unwrap_or_default()
}

/// A floating local time (no TZID): the routine follows the clock of whatever device the person
/// carries, which is what a bedtime reminder should do when they travel, and a floating time
/// needs no VTIMEZONE block, which RFC 5545 demands for every TZID and some apps enforce.
fn at(date: NaiveDate, hour: u32, minute: u32) -> CalendarDateTime {
    let time = NaiveTime::from_hms_opt(hour, minute, 0).unwrap_or_default();
    CalendarDateTime::Floating(NaiveDateTime::new(date, time))
}

/// An alarm at the event's start. Its UID and stamp are fixed so that the same plan always
/// gives the same file.
fn reminder(text: &str, uid: &str, stamp: chrono::DateTime<chrono::Utc>) -> Alarm {
    Alarm::display(text, -Duration::minutes(0))
        .uid(&format!("alarm-{uid}"))
        .timestamp(stamp)
        .done()
}

/// A calendar with our PRODID, its name, the disclaimer and the display zone.
fn empty_calendar(name: &str, timezone: Option<&str>) -> Calendar {
    let mut cal = Calendar::empty();
    for (key, value) in [
        ("VERSION", "2.0"),
        ("PRODID", PRODID),
        ("CALSCALE", "GREGORIAN"),
    ] {
        cal.append_property((key, value));
    }
    cal.name(name);
    cal.description(DISCLAIMER);
    if let Some(tz) = timezone {
        cal.timezone(tz);
    }
    cal
}

/// The evening routine: one daily event with an alarm per timed step, from `start`.
fn routine_events(
    plan: &Plan,
    start: NaiveDate,
    stamp: chrono::DateTime<chrono::Utc>,
) -> Vec<Event> {
    plan.routine
        .iter()
        .filter_map(|item| {
            let time = item.at.as_deref()?.parse::<ClockTime>().ok()?;
            let begins = at(start, u32::from(time.hour()), u32::from(time.minute()));
            Some(
                Event::new()
                    .uid(&format!("routine-{}@quietlegs", item.id))
                    .timestamp(stamp)
                    .summary(&item.title)
                    .description(&format!(
                        "Evening routine, {} minutes before bed. {DISCLAIMER}",
                        item.minutes_before_bed
                    ))
                    .starts(begins)
                    .add_property("DURATION", ROUTINE_STEP)
                    .add_property("RRULE", "FREQ=DAILY")
                    .alarm(reminder(&item.title, &item.id, stamp))
                    .done(),
            )
        })
        .collect()
}

/// Renders the plan's calendar. `timezone`, the person's IANA zone, is recorded as the
/// calendar's display zone (X-WR-TIMEZONE); event times themselves are floating local times.
pub fn plan_calendar(plan: &Plan, timezone: Option<&str>) -> String {
    let start = naive_date(plan.today);
    let stamp = NaiveDateTime::new(start, NaiveTime::MIN).and_utc();
    let mut cal = empty_calendar("Quietlegs plan", timezone);
    for event in routine_events(plan, start, stamp) {
        cal.push(event);
    }

    for step in &plan.steps {
        match step.stage {
            Stage::Iron if step.id == "iron-oral" => {
                let days = step.duration_days.unwrap_or(84);
                let doses = days.div_ceil(2);
                let title = "Iron tablet (every other morning, with vitamin C)";
                let event = Event::new()
                    .uid("iron-oral@quietlegs")
                    .timestamp(stamp)
                    .summary(title)
                    .description(step.timing.as_deref().unwrap_or(title))
                    .starts(at(start, IRON_TIME.0, IRON_TIME.1))
                    .add_property("DURATION", IRON_DOSE)
                    .add_property("RRULE", format!("FREQ=DAILY;INTERVAL=2;COUNT={doses}"))
                    .alarm(reminder(title, "iron-oral", stamp))
                    .done();
                cal.push(event);
                let due = start + Duration::days(i64::from(days));
                let todo = Todo::new()
                    .uid("iron-retest@quietlegs")
                    .timestamp(stamp)
                    .summary("Re-test ferritin and transferrin saturation")
                    .description("Morning blood draw, no iron tablets for 24 hours before.")
                    .due(DatePerhapsTime::Date(due))
                    .done();
                cal.push(todo);
            }
            Stage::Try => {
                let (Some(from), Some(days)) = (step.start_day, step.duration_days) else {
                    continue;
                };
                let due = start + Duration::days(i64::from(from + days));
                let todo = Todo::new()
                    .uid(&format!("review-{}@quietlegs", step.id))
                    .timestamp(stamp)
                    .summary(&format!("Review: did \"{}\" help?", step.title))
                    .description(step.how_to_judge.as_deref().unwrap_or(""))
                    .due(DatePerhapsTime::Date(due))
                    .done();
                cal.push(todo);
            }
            _ => {}
        }
    }
    cal.done().to_string()
}
