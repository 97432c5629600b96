//! The plan's calendar parses with an independent iCalendar parser and says what it should.

use std::io::BufReader;

use jiff::civil::date;
use quietlegs_core::knowledge;
use quietlegs_core::plan;
use quietlegs_core::profile::{Profile, ProfileFormat, Resolved};
use quietlegs_core::safety;
use quietlegs_io::ics::plan_calendar;

const PROFILE: &str = r#"
bedtime = "22:30"
timezone = "Europe/Berlin"

[symptoms]
urge_to_move = true
worse_at_rest = true
relieved_by_movement = true
evening_or_night = true
not_explained_by_other = true
nights_per_week = 5
onset = "evening"
distress = "moderate"

[[labs]]
test = "ferritin"
value = 30
unit = "ng/mL"
date = "2026-11-01"

[[labs]]
test = "tsat"
value = 15
unit = "%"
date = "2026-11-01"
"#;

fn calendar(text: &str) -> (plan::Plan, String) {
    let kb = knowledge::bundled().expect("kb");
    let rules = safety::bundled_rules().expect("rules");
    let today = date(2026, 11, 23);
    let profile = Profile::parse(text, ProfileFormat::Toml).expect("profile");
    let person = Resolved::new(&profile, kb, today).expect("valid");
    let plan = plan::plan(&person, kb, rules, today);
    let ics = plan_calendar(&plan, profile.timezone.as_deref());
    (plan, ics)
}

fn prop<'a>(
    props: &'a [ical::property::Property],
    name: &str,
) -> Option<&'a ical::property::Property> {
    props.iter().find(|p| p.name == name)
}

#[test]
fn the_calendar_parses_and_holds_routine_iron_and_reviews() {
    let (plan, ics) = calendar(PROFILE);
    let mut parser = ical::IcalParser::new(BufReader::new(ics.as_bytes()));
    let cal = parser.next().expect("one calendar").expect("it parses");
    assert!(parser.next().is_none(), "exactly one calendar");
    let zone = prop(&cal.properties, "X-WR-TIMEZONE").and_then(|p| p.value.as_deref());
    assert_eq!(zone, Some("Europe/Berlin"));
    let prodid = cal
        .properties
        .iter()
        .filter(|p| p.name == "PRODID")
        .filter_map(|p| p.value.as_deref())
        .collect::<Vec<_>>();
    assert_eq!(prodid, [quietlegs_io::ics::PRODID], "one PRODID, ours");
    for event in &cal.events {
        let uid = prop(&event.properties, "UID").and_then(|u| u.value.as_deref());
        assert!(
            prop(&event.properties, "DTEND").is_some()
                || prop(&event.properties, "DURATION").is_some(),
            "{uid:?} has an end (RFC 5545: DTEND or DURATION)"
        );
    }

    let routine: Vec<_> = cal
        .events
        .iter()
        .filter(|e| {
            prop(&e.properties, "UID")
                .and_then(|u| u.value.as_deref())
                .is_some_and(|u| u.starts_with("routine-"))
        })
        .collect();
    assert_eq!(routine.len(), plan.routine.len());
    for event in &routine {
        let rrule = prop(&event.properties, "RRULE").and_then(|p| p.value.as_deref());
        assert_eq!(rrule, Some("FREQ=DAILY"));
        assert_eq!(event.alarms.len(), 1, "every routine event rings");
        let start = prop(&event.properties, "DTSTART").expect("DTSTART");
        assert!(
            start.params.is_none(),
            "floating local time, no TZID needing a VTIMEZONE"
        );
    }
    let stretch = routine
        .iter()
        .find(|e| {
            prop(&e.properties, "UID").and_then(|u| u.value.as_deref())
                == Some("routine-stretching@quietlegs")
        })
        .expect("stretching in the routine");
    let start = prop(&stretch.properties, "DTSTART").and_then(|p| p.value.as_deref());
    assert_eq!(start, Some("20261123T220000"), "30 minutes before 22:30");

    let iron = cal
        .events
        .iter()
        .find(|e| {
            prop(&e.properties, "UID").and_then(|u| u.value.as_deref())
                == Some("iron-oral@quietlegs")
        })
        .expect("iron schedule");
    let rrule = prop(&iron.properties, "RRULE")
        .and_then(|p| p.value.as_deref())
        .expect("RRULE");
    assert!(rrule.contains("INTERVAL=2"), "alternate days: {rrule}");
    assert!(
        rrule.contains("COUNT=42"),
        "84 days of alternate doses: {rrule}"
    );

    let retest = cal
        .todos
        .iter()
        .find(|t| {
            prop(&t.properties, "UID").and_then(|u| u.value.as_deref())
                == Some("iron-retest@quietlegs")
        })
        .expect("re-test reminder");
    let due = prop(&retest.properties, "DUE").and_then(|p| p.value.as_deref());
    assert_eq!(due, Some("20270215"), "84 days after 2026-11-23");
    assert!(cal.todos.iter().any(|t| {
        prop(&t.properties, "UID")
            .and_then(|u| u.value.as_deref())
            .is_some_and(|u| u.starts_with("review-"))
    }));
}

#[test]
fn without_iron_there_is_no_iron_schedule() {
    let text = PROFILE
        .replace("value = 30", "value = 150")
        .replace("value = 15", "value = 30");
    let (_, ics) = calendar(&text);
    let mut parser = ical::IcalParser::new(BufReader::new(ics.as_bytes()));
    let cal = parser.next().expect("calendar").expect("parses");
    assert!(!ics.contains("iron-oral@quietlegs"));
    assert!(!cal.events.is_empty(), "the routine is still there");
}
