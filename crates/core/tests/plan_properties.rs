//! However odd the profile, the planner never panics and never emits a step the safety engine
//! blocks (stop steps are about the blocked thing itself, so they may name it).

use jiff::civil::{Date, date};
use proptest::prelude::*;
use quietlegs_core::cabinet::{self, Field};
use quietlegs_core::knowledge;
use quietlegs_core::plan::{self, Stage};
use quietlegs_core::profile::{
    ClockTime, Distress, Habits, LabInput, Onset, Profile, Resolved, Sex, Symptoms,
};
use quietlegs_core::safety;
use quietlegs_core::screening;

const TODAY: Date = date(2026, 11, 23);

const MEDICINES: &[&str] = &[
    "Zoloft",
    "Benadryl",
    "Mirapex",
    "levothyroxine",
    "omeprazole",
    "lisinopril",
    "phenelzine",
    "alendronate",
    "doxycycline",
    "Sinemet",
    "gabapentin",
    "bupropion",
    "quinine",
    "Frobnicol",
    "",
    " ",
    "Zoloft 50 mg",
    "losartan",
    "spironolactone",
    "clonazepam",
    "metoclopramide",
];
const CONDITIONS: &[&str] = &[
    "ckd",
    "dialysis",
    "pregnancy",
    "hemochromatosis",
    "neuropathy",
    "diabetes",
    "thalassemia",
    "liver-disease",
    "hyperthyroidism",
    "dvt",
    "kidney-stones",
    "nonsense condition",
];
const SUPPLEMENTS: &[&str] = &[
    "magnesium oxide",
    "melatonin",
    "valerian",
    "mucuna",
    "potassium",
    "calcium",
    "iron",
    "vitamin D",
    "B6",
    "tonic water",
    "ashwagandha",
    "st john's wort",
    "???",
];
const TESTS: &[&str] = &[
    "ferritin",
    "tsat",
    "hemoglobin",
    "vitamin-d-25oh",
    "egfr",
    "bogus",
];
const UNITS: &[&str] = &[
    "ng/mL", "ug/L", "%", "g/L", "g/dL", "nmol/L", "mmol/L", "furlongs",
];

fn answer() -> impl Strategy<Value = Option<bool>> {
    prop_oneof![Just(None), Just(Some(true)), Just(Some(false))]
}

fn symptoms() -> impl Strategy<Value = Symptoms> {
    (
        proptest::collection::vec(answer(), 22),
        proptest::option::of(-2.0f64..10.0),
        proptest::option::of(prop_oneof![
            Just(Onset::None),
            Just(Onset::Bedtime),
            Just(Onset::Evening),
            Just(Onset::Afternoon),
            Just(Onset::Morning)
        ]),
        proptest::option::of(prop_oneof![
            Just(Distress::None),
            Just(Distress::Mild),
            Just(Distress::Moderate),
            Just(Distress::Severe)
        ]),
        proptest::option::of(0u32..60),
    )
        .prop_map(|(a, nights, onset, distress, irls)| Symptoms {
            urge_to_move: a[0],
            worse_at_rest: a[1],
            relieved_by_movement: a[2],
            evening_or_night: a[3],
            not_explained_by_other: a[4],
            nights_per_week: nights,
            onset,
            distress,
            painful_hard_muscle_knot: a[5],
            eased_by_stretching_only: a[6],
            eased_by_position_change_only: a[7],
            numbness: a[8],
            burning_constant: a[9],
            pain_when_walking_eased_by_rest: a[10],
            one_leg_swollen_red_hot: a[11],
            new_weakness_or_bladder_change: a[12],
            rapidly_worsening: a[13],
            started_after_new_medicine: a[14],
            whole_body_restlessness: a[15],
            eased_by_leg_elevation: a[16],
            only_when_standing_still: a[17],
            one_sided_with_back_pain: a[18],
            irls_total: irls,
            earlier_or_spreading_on_treatment: a[19],
            thoughts_of_self_harm: a[20],
            ..Symptoms::default()
        })
}

fn lab() -> impl Strategy<Value = LabInput> {
    (
        proptest::sample::select(TESTS),
        prop_oneof![
            -10.0f64..1000.0,
            Just(f64::NAN),
            Just(0.0),
            Just(45.0),
            Just(75.0)
        ],
        proptest::sample::select(UNITS),
        proptest::option::of(-800i32..60),
    )
        .prop_map(|(test, value, unit, offset)| LabInput {
            test: test.to_string(),
            value,
            unit: unit.to_string(),
            date: offset.and_then(|d| TODAY.checked_add(jiff::Span::new().days(d)).ok()),
            comparator: None,
        })
}

fn profile() -> impl Strategy<Value = Profile> {
    (
        symptoms(),
        proptest::option::of(0u32..150),
        answer(),
        proptest::option::of((0u8..24, 0u8..60)),
        proptest::collection::vec(proptest::sample::select(MEDICINES), 0..4),
        proptest::collection::vec(proptest::sample::select(CONDITIONS), 0..3),
        proptest::collection::vec(proptest::sample::select(SUPPLEMENTS), 0..3),
        proptest::collection::vec(lab(), 0..5),
        (
            proptest::option::of(-10.0f64..1000.0),
            proptest::option::of(0.0f64..30.0),
            proptest::option::of(0.0f64..600.0),
            answer(),
            answer(),
            proptest::option::of((0u8..24, 0u8..60)),
        ),
    )
        .prop_map(
            |(symptoms, age, pregnant, bedtime, meds, conditions, supps, labs, h)| Profile {
                age,
                sex: Some(Sex::Other),
                pregnant,
                bedtime: bedtime.and_then(|(h, m)| ClockTime::new(h, m)),
                timezone: None,
                symptoms,
                conditions: conditions.into_iter().map(String::from).collect(),
                medications: meds.into_iter().map(String::from).collect(),
                supplements: supps.into_iter().map(String::from).collect(),
                labs,
                habits: Habits {
                    caffeine_mg_per_day: h.0,
                    alcohol_drinks_per_week: h.1,
                    exercise_minutes_per_week: h.2,
                    late_vigorous_exercise: h.3,
                    smoker: h.4,
                    last_caffeine: h.5.and_then(|(h, m)| ClockTime::new(h, m)),
                    sleep_hours: None,
                },
                ..Profile::default()
            },
        )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn no_profile_panics_or_gets_a_blocked_step(p in profile()) {
        let kb = knowledge::bundled().expect("kb");
        let rules = safety::bundled_rules().expect("rules");
        // Invalid profiles are refused with errors, never a panic.
        let Ok(person) = Resolved::new(&p, kb, TODAY) else { return Ok(()) };
        let screen = screening::screen(&person.profile.symptoms);
        let report = safety::assess(&person, &screen, kb, rules, TODAY);
        let plan = plan::plan(&person, kb, rules, TODAY);
        for step in &plan.steps {
            if step.stage != Stage::Stop {
                prop_assert!(!report.blocks(&step.id), "blocked step {} in plan", step.id);
            }
            if let (Some(d), Some(c)) = (&step.dose, rules.ceiling(&step.id))
                && d.unit == c.unit
            {
                prop_assert!(d.max <= c.max, "{} dose above ceiling", step.id);
            }
        }
        for item in &plan.routine {
            prop_assert!(!report.blocks(&item.id), "blocked routine item {}", item.id);
        }
        // A medicine taken for something other than RLS is never under "discuss or pause".
        let prepared = safety::prepare(&person, kb, rules);
        for step in plan.steps.iter().filter(|s| s.stage == Stage::Stop) {
            for line in prepared.taken().filter(|l| l.id.as_deref() == Some(step.id.as_str())) {
                prop_assert!(
                    !safety::for_other_condition(kb, &prepared, line),
                    "{} (for another condition) is under stop", line.written
                );
            }
        }
        let json = serde_json::to_string(&plan);
        prop_assert!(json.is_ok());
    }
}

/// What a person did not write must not come out as a harmful (X-graded) remedy.
fn odd_line() -> impl Strategy<Value = String> {
    prop_oneof![
        "\\PC{0,120}",
        "[0-9 .,]{0,60}",
        "[a-z ]{0,40}",
        "[A-Za-z0-9+/&,.() -]{0,80}",
        Just("x".repeat(10_000)),
        Just("9".repeat(10_000)),
        Just("mg ".repeat(3_000)),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(600))]

    #[test]
    fn no_line_panics_or_invents_a_harmful_remedy(line in odd_line()) {
        let kb = knowledge::bundled().expect("kb");
        for field in [Field::Medication, Field::Supplement, Field::Condition] {
            let r = cabinet::read_line(kb, &line, field);
            if let Some(id) = &r.id {
                let entry = kb.get(id).expect("resolved ids exist");
                // A line that holds one of the entry's own names as words ("awa" is kava in
                // Hawaii) was written, not invented: reading it as that entry is right.
                let words: Vec<String> = line
                    .split(|c: char| !c.is_alphanumeric())
                    .filter(|w| !w.is_empty())
                    .map(str::to_lowercase)
                    .collect();
                let holds = |name: &str| {
                    let name: Vec<String> =
                        name.split_whitespace().map(str::to_lowercase).collect();
                    !name.is_empty() && words.windows(name.len()).any(|w| w == name.as_slice())
                };
                let named = holds(&entry.name) || entry.aliases.iter().any(|a| holds(a));
                prop_assert!(
                    named || entry.evidence != quietlegs_core::Evidence::X,
                    "{line:?} resolved to {id}, graded X"
                );
            }
            let _ = r.per_day();
        }
    }
}
