//! Vignettes: a profile in, a plan out. Every rule is shown firing and not firing.

use jiff::civil::{Date, date};
use quietlegs_core::knowledge;
use quietlegs_core::plan::{self, Plan, Stage};
use quietlegs_core::profile::{Profile, ProfileError, ProfileFormat, Resolved};
use quietlegs_core::safety::{self, Level};

mod common;

use common::TYPICAL_SYMPTOMS;

const TODAY: Date = date(2026, 11, 23);

const GOOD_IRON: &str = r#"
[[labs]]
test = "ferritin"
value = 150
unit = "ng/mL"
date = "2026-10-01"

[[labs]]
test = "tsat"
value = 30
unit = "%"
date = "2026-10-01"
"#;

fn labs(ferritin: &str, tsat: &str, date: &str) -> String {
    format!(
        "[[labs]]\ntest = \"ferritin\"\nvalue = {ferritin}\nunit = \"ng/mL\"\ndate = \"{date}\"\n\n\
         [[labs]]\ntest = \"tsat\"\nvalue = {tsat}\nunit = \"%\"\ndate = \"{date}\"\n"
    )
}

/// Top-level keys, extra symptom answers, then tables (labs, habits).
fn profile(top: &str, symptoms: &str, tables: &str) -> String {
    format!("bedtime = \"22:30\"\n{top}\n[symptoms]\n{TYPICAL_SYMPTOMS}{symptoms}\n{tables}")
}

fn try_plan(text: &str) -> Result<Plan, Vec<ProfileError>> {
    let kb = knowledge::bundled().expect("knowledge is valid");
    let rules = safety::bundled_rules().expect("rules are valid");
    let p = Profile::parse(text, ProfileFormat::Toml).map_err(|e| vec![e])?;
    let person = Resolved::new(&p, kb, TODAY)?;
    Ok(plan::plan(&person, kb, rules, TODAY))
}

fn plan_of(text: &str) -> Plan {
    try_plan(text).unwrap_or_else(|e| panic!("profile refused: {e:?}"))
}

fn has_flag(plan: &Plan, code: &str) -> bool {
    plan.flags.iter().any(|f| f.code == code)
}

fn flag_subjects(plan: &Plan, code: &str) -> Vec<String> {
    plan.flags
        .iter()
        .filter(|f| f.code == code)
        .filter_map(|f| f.subject.clone())
        .collect()
}

fn step<'a>(plan: &'a Plan, id: &str) -> Option<&'a plan::Step> {
    plan.steps.iter().find(|s| s.id == id)
}

fn step_ids(plan: &Plan, stage: Stage) -> Vec<&str> {
    plan.steps
        .iter()
        .filter(|s| s.stage == stage)
        .map(|s| s.id.as_str())
        .collect()
}

fn excluded_reason<'a>(plan: &'a Plan, id: &str) -> Option<&'a str> {
    plan.excluded
        .iter()
        .find(|e| e.id == id)
        .map(|e| e.reason.as_str())
}

// ---- screening -----------------------------------------------------------------------------

#[test]
fn typical_rls_meets_the_criteria_with_course_and_onset_score() {
    let plan = plan_of(&profile("", "", GOOD_IRON));
    assert_eq!(plan.screening.criteria_met, Some(true));
    assert_eq!(
        serde_json::to_value(plan.screening.course).expect("json"),
        "chronic-persistent"
    );
    assert_eq!(plan.screening.jhrlss, Some(2));
    assert!(!has_flag(&plan, "not-rls"));
    assert!(!has_flag(&plan, "mimic"));
}

#[test]
fn intermittent_course_below_two_nights_a_week() {
    let text = profile("", "", GOOD_IRON).replace("nights_per_week = 4", "nights_per_week = 1");
    let plan = plan_of(&text);
    assert_eq!(
        serde_json::to_value(plan.screening.course).expect("json"),
        "intermittent"
    );
}

#[test]
fn a_criterion_answered_no_means_not_rls() {
    let text =
        profile("", "", GOOD_IRON).replace("evening_or_night = true", "evening_or_night = false");
    let plan = plan_of(&text);
    assert_eq!(plan.screening.criteria_met, Some(false));
    assert!(has_flag(&plan, "not-rls"));
    assert_eq!(
        step(&plan, "see-doctor").map(|s| s.stage),
        Some(Stage::Safety)
    );
}

#[test]
fn a_missing_answer_is_unknown_not_no() {
    let text = profile("", "", GOOD_IRON).replace("urge_to_move = true\n", "");
    let plan = plan_of(&text);
    assert_eq!(plan.screening.criteria_met, None);
    assert!(plan.screening.unanswered.contains(&"urge_to_move"));
    assert!(
        !has_flag(&plan, "not-rls"),
        "unanswered is unknown, never no"
    );
    let open = plan
        .flags
        .iter()
        .find(|f| f.code == "screening-incomplete")
        .expect("flag");
    assert!(open.message.contains("4 of 5"), "{}", open.message);
}

#[test]
fn cramps_are_a_mimic() {
    let text = profile("", "", GOOD_IRON).replace(
        "painful_hard_muscle_knot = false",
        "painful_hard_muscle_knot = true",
    );
    let plan = plan_of(&text);
    assert_eq!(plan.screening.mimics, ["leg-cramps"]);
    assert_eq!(flag_subjects(&plan, "mimic"), ["leg-cramps"]);
    assert_eq!(plan.screening.criteria_met, Some(false));
}

#[test]
fn positional_discomfort_and_claudication_are_mimics() {
    let text = profile("", "", GOOD_IRON)
        .replace(
            "eased_by_position_change_only = false",
            "eased_by_position_change_only = true",
        )
        .replace(
            "pain_when_walking_eased_by_rest = false",
            "pain_when_walking_eased_by_rest = true",
        );
    let plan = plan_of(&text);
    assert_eq!(
        plan.screening.mimics,
        ["positional-discomfort", "claudication"]
    );
}

#[test]
fn numbness_points_to_neuropathy_and_b12_folate_tests() {
    let text = profile("", "", GOOD_IRON).replace("numbness = false", "numbness = true");
    let plan = plan_of(&text);
    assert!(plan.screening.mimics.contains(&"neuropathy"));
    let tests = step_ids(&plan, Stage::Test);
    assert!(
        tests.contains(&"vitamin-b12") && tests.contains(&"folate"),
        "{tests:?}"
    );
    assert!(step(&plan, "vitamin-b12").expect("step").dose.is_none());
}

#[test]
fn no_nerve_signs_no_b12_tests() {
    let plan = plan_of(&profile("", "", GOOD_IRON));
    assert!(!step_ids(&plan, Stage::Test).contains(&"vitamin-b12"));
}

#[test]
fn the_person_can_state_criterion_five_directly() {
    let text = profile("", "not_explained_by_other = true\n", GOOD_IRON)
        .replace("numbness = false", "numbness = true");
    let plan = plan_of(&text);
    assert_eq!(
        plan.screening.criteria_met,
        Some(true),
        "their own answer stands"
    );
    assert!(has_flag(&plan, "mimic"), "but the mimic is still flagged");
}

#[test]
fn onset_in_the_morning_scores_three_and_is_severe() {
    let text = profile("", "", GOOD_IRON).replace("onset = \"evening\"", "onset = \"morning\"");
    let plan = plan_of(&text);
    assert_eq!(plan.screening.jhrlss, Some(3));
    assert!(has_flag(&plan, "severe"));
}

#[test]
fn bedtime_only_scores_one_and_is_not_severe() {
    let text = profile("", "", GOOD_IRON).replace("onset = \"evening\"", "onset = \"bedtime\"");
    let plan = plan_of(&text);
    assert_eq!(plan.screening.jhrlss, Some(1));
    assert!(!has_flag(&plan, "severe"));
}

#[test]
fn severe_distress_escalates_now() {
    let text =
        profile("", "", GOOD_IRON).replace("distress = \"moderate\"", "distress = \"severe\"");
    let plan = plan_of(&text);
    assert!(has_flag(&plan, "severe"));
    let gaba = step(&plan, "gabapentinoid").expect("escalation step");
    assert_eq!(gaba.stage, Stage::Escalate);
    assert!(gaba.why.contains("now"));
}

#[test]
fn irls_total_of_31_or_more_is_severe() {
    let plan = plan_of(&profile("", "irls_total = 32\n", GOOD_IRON));
    assert!(has_flag(&plan, "severe"));
    let plan = plan_of(&profile("", "irls_total = 18\n", GOOD_IRON));
    assert!(!has_flag(&plan, "severe"));
}

// ---- red flags -----------------------------------------------------------------------------

#[test]
fn one_swollen_red_leg_is_urgent_and_comes_first() {
    let plan = plan_of(&profile("", "one_leg_swollen_red_hot = true\n", GOOD_IRON));
    assert_eq!(plan.flags[0].level, Level::Urgent);
    assert_eq!(plan.flags[0].subject.as_deref(), Some("dvt"));
    assert_eq!(plan.steps[0].title, "Get medical help today");
    assert!(
        step(&plan, "pneumatic-compression").is_none(),
        "no squeezing a clotted leg"
    );
}

#[test]
fn new_weakness_or_bladder_change_is_urgent() {
    let plan = plan_of(&profile(
        "",
        "new_weakness_or_bladder_change = true\n",
        GOOD_IRON,
    ));
    assert_eq!(flag_subjects(&plan, "red-flag"), ["cauda-equina"]);
    assert_eq!(plan.flags[0].level, Level::Urgent);
}

#[test]
fn no_red_flag_answers_no_urgent_flags() {
    let plan = plan_of(&profile("", "one_leg_swollen_red_hot = false\n", GOOD_IRON));
    assert!(plan.urgent().next().is_none());
    assert!(
        !plan
            .steps
            .iter()
            .any(|s| s.title == "Get medical help today")
    );
}

#[test]
fn rapid_worsening_and_new_medicine_need_a_doctor() {
    let plan = plan_of(&profile(
        "",
        "rapidly_worsening = true\nstarted_after_new_medicine = true\n",
        GOOD_IRON,
    ));
    let subjects = flag_subjects(&plan, "red-flag");
    assert!(subjects.contains(&"rapidly-worsening".to_string()));
    assert!(subjects.contains(&"new-medicine".to_string()));
    assert!(
        plan.flags
            .iter()
            .filter(|f| f.code == "red-flag")
            .all(|f| f.level == Level::Doctor)
    );
}

// ---- iron ----------------------------------------------------------------------------------

#[test]
fn no_labs_means_test_first_and_no_iron() {
    let plan = plan_of(&profile("", "", ""));
    assert!(has_flag(&plan, "iron-unknown"));
    assert_eq!(step_ids(&plan, Stage::Test), ["ferritin", "tsat"]);
    assert!(
        step(&plan, "ferritin")
            .expect("step")
            .timing
            .as_deref()
            .is_some_and(|t| t.contains("24 hours"))
    );
    assert!(step(&plan, "iron-oral").is_none());
    assert_eq!(excluded_reason(&plan, "iron-oral"), Some("iron-unknown"));
}

#[test]
fn low_ferritin_gives_alternate_day_oral_iron_with_vitamin_c() {
    let plan = plan_of(&profile("", "", &labs("42", "25", "2026-10-01")));
    assert!(has_flag(&plan, "iron-deficient"));
    let iron = step(&plan, "iron-oral").expect("iron step");
    assert_eq!(iron.stage, Stage::Iron);
    let dose = iron.dose.as_ref().expect("dose");
    assert_eq!((dose.min, dose.max, dose.unit.as_str()), (65.0, 65.0, "mg"));
    assert!(
        iron.timing
            .as_deref()
            .is_some_and(|t| t.contains("Every other") && t.contains("vitamin C"))
    );
    assert_eq!(iron.duration_days, Some(84));
    assert!(!has_flag(&plan, "iron-unknown"));
}

#[test]
fn ferritin_in_micrograms_per_litre_is_the_same_number() {
    let text = profile(
        "",
        "",
        &labs("42", "25", "2026-10-01").replace("unit = \"ng/mL\"", "unit = \"µg/L\""),
    );
    assert!(step(&plan_of(&text), "iron-oral").is_some());
}

#[test]
fn low_tsat_with_ferritin_above_75_is_iv_iron_through_a_doctor() {
    let plan = plan_of(&profile("", "", &labs("120", "15", "2026-10-01")));
    assert!(
        step(&plan, "iron-oral").is_none(),
        "tablets only at ferritin 75 or below"
    );
    assert_eq!(excluded_reason(&plan, "iron-oral"), Some("iv-only"));
    assert_eq!(step(&plan, "iron-iv").map(|s| s.stage), Some(Stage::Iron));
    let iv = plan
        .flags
        .iter()
        .find(|f| f.code == "iv-iron-candidate")
        .expect("flag");
    assert!(iv.message.contains("CRP"), "{}", iv.message);
}

#[test]
fn ferritin_75_to_100_is_iv_only() {
    let plan = plan_of(&profile("", "", &labs("85", "25", "2026-10-01")));
    assert!(has_flag(&plan, "iv-iron-candidate"));
    assert_eq!(excluded_reason(&plan, "iron-oral"), Some("iv-only"));
    assert_eq!(step(&plan, "iron-iv").map(|s| s.stage), Some(Stage::Iron));
}

#[test]
fn good_iron_means_no_iron() {
    let plan = plan_of(&profile("", "", GOOD_IRON));
    assert!(step(&plan, "iron-oral").is_none() && step(&plan, "iron-iv").is_none());
    assert_eq!(excluded_reason(&plan, "iron-oral"), Some("iron-adequate"));
}

#[test]
fn high_tsat_blocks_all_iron() {
    let plan = plan_of(&profile("", "", &labs("40", "50", "2026-10-01")));
    assert!(has_flag(&plan, "iron-overload-risk"));
    assert!(step(&plan, "iron-oral").is_none() && step(&plan, "iron-iv").is_none());
    assert_eq!(
        excluded_reason(&plan, "iron-iv"),
        Some("iron-overload-risk")
    );
}

#[test]
fn tsat_just_under_45_is_not_overload() {
    let plan = plan_of(&profile("", "", &labs("40", "44", "2026-10-01")));
    assert!(!has_flag(&plan, "iron-overload-risk"));
    assert!(step(&plan, "iron-oral").is_some());
}

#[test]
fn very_high_ferritin_blocks_iron() {
    let plan = plan_of(&profile("", "", &labs("350", "30", "2026-10-01")));
    assert!(has_flag(&plan, "iron-overload-risk"));
}

#[test]
fn haemochromatosis_blocks_iron_even_with_low_ferritin() {
    let plan = plan_of(&profile(
        "conditions = [\"hemochromatosis\"]",
        "",
        &labs("30", "15", "2026-10-01"),
    ));
    assert!(has_flag(&plan, "iron-overload-risk"));
    assert!(step(&plan, "iron-oral").is_none() && step(&plan, "iron-iv").is_none());
}

#[test]
fn labs_older_than_a_year_do_not_count() {
    let plan = plan_of(&profile("", "", &labs("30", "15", "2025-06-01")));
    assert!(has_flag(&plan, "iron-unknown"));
    assert!(step(&plan, "iron-oral").is_none());
    let flag = plan
        .flags
        .iter()
        .find(|f| f.code == "iron-unknown")
        .expect("flag");
    assert!(flag.message.contains("over 12 months"));
}

#[test]
fn undated_labs_do_not_count() {
    let text = profile(
        "",
        "",
        &labs("30", "15", "2026-10-01").replace("date = \"2026-10-01\"\n", ""),
    );
    let plan = plan_of(&text);
    assert!(has_flag(&plan, "iron-unknown"));
}

#[test]
fn ferritin_without_tsat_is_not_enough() {
    let text = profile(
        "",
        "",
        "[[labs]]\ntest = \"ferritin\"\nvalue = 30\nunit = \"ng/mL\"\ndate = \"2026-10-01\"\n",
    );
    let plan = plan_of(&text);
    assert!(has_flag(&plan, "iron-unknown"));
    assert_eq!(step_ids(&plan, Stage::Test), ["ferritin", "tsat"]);
}

#[test]
fn dialysis_gets_iv_iron_through_the_kidney_team() {
    let plan = plan_of(&profile(
        "conditions = [\"dialysis\"]",
        "",
        &labs("150", "15", "2026-10-01"),
    ));
    assert!(has_flag(&plan, "iv-iron-candidate"));
    assert_eq!(excluded_reason(&plan, "iron-oral"), Some("dialysis"));
    assert!(step(&plan, "iron-iv").is_some());
    assert_eq!(excluded_reason(&plan, "magnesium"), Some("dialysis"));
}

// ---- conditions ----------------------------------------------------------------------------

#[test]
fn kidney_disease_excludes_magnesium_and_potassium() {
    let plan = plan_of(&profile(
        "conditions = [\"chronic kidney disease\"]",
        "",
        GOOD_IRON,
    ));
    assert!(has_flag(&plan, "kidney"));
    assert_eq!(excluded_reason(&plan, "magnesium"), Some("ckd"));
    assert_eq!(excluded_reason(&plan, "potassium"), Some("ckd"));
    assert!(step(&plan, "magnesium").is_none());
    assert!(flag_subjects(&plan, "secondary-rls").contains(&"ckd".to_string()));
}

#[test]
fn without_kidney_disease_magnesium_can_be_tried_within_the_ceiling() {
    let plan = plan_of(&profile("", "", GOOD_IRON));
    assert!(!has_flag(&plan, "kidney"));
    assert!(excluded_reason(&plan, "magnesium").is_none());
    let all: Vec<_> = plan
        .steps
        .iter()
        .filter_map(|s| s.dose.as_ref().map(|d| (s.id.as_str(), d)))
        .collect();
    for (id, dose) in all {
        if id == "magnesium" {
            assert!(dose.max <= 350.0, "magnesium dose {dose:?}");
        }
    }
}

#[test]
fn pregnancy_puts_non_drug_first_and_excludes_risky_herbs() {
    let plan = plan_of(&profile(
        "pregnant = true",
        "",
        &labs("40", "25", "2026-10-01"),
    ));
    assert!(has_flag(&plan, "pregnancy"));
    for id in ["valerian", "ashwagandha", "mucuna", "st-johns-wort"] {
        assert!(excluded_reason(&plan, id).is_some(), "{id}");
    }
    let iron = step(&plan, "iron-oral").expect("iron with low ferritin");
    assert!(iron.cautions[0].contains("pregnancy"));
    assert!(flag_subjects(&plan, "secondary-rls").contains(&"pregnancy".to_string()));
}

#[test]
fn pregnancy_listed_as_a_condition_counts_too() {
    let plan = plan_of(&profile("conditions = [\"pregnancy\"]", "", GOOD_IRON));
    assert!(has_flag(&plan, "pregnancy"));
    let plan = plan_of(&profile("pregnant = false", "", GOOD_IRON));
    assert!(!has_flag(&plan, "pregnancy"));
}

// ---- medicines -----------------------------------------------------------------------------

#[test]
fn zoloft_is_a_drug_trigger_to_discuss_never_to_stop() {
    let plan = plan_of(&profile("medications = [\"Zoloft\"]", "", GOOD_IRON));
    let flag = plan
        .flags
        .iter()
        .find(|f| f.code == "drug-trigger")
        .expect("flag");
    assert_eq!(flag.subject.as_deref(), Some("Zoloft"));
    assert_eq!(flag.level, Level::Doctor);
    assert!(flag.message.contains("prescriber"));
    assert!(
        !plan.steps.iter().any(|s| s.stage == Stage::Stop),
        "a medicine for another condition is never under 'discuss or pause'"
    );
    for s in &plan.steps {
        assert!(
            !s.title.to_lowercase().contains("stop taking"),
            "{}",
            s.title
        );
    }
    assert!(flag.message.contains("Do not stop"));
}

#[test]
fn benadryl_is_a_trigger_with_a_non_sedating_option() {
    let plan = plan_of(&profile("medications = [\"Benadryl\"]", "", GOOD_IRON));
    let flag = plan
        .flags
        .iter()
        .find(|f| f.code == "drug-trigger")
        .expect("flag");
    assert_eq!(flag.subject.as_deref(), Some("Benadryl"));
    assert!(flag.message.contains("non-sedating"));
}

#[test]
fn bupropion_and_a_non_sedating_antihistamine_are_not_triggers() {
    let plan = plan_of(&profile(
        "medications = [\"bupropion\", \"Claritin\"]",
        "",
        GOOD_IRON,
    ));
    assert!(!has_flag(&plan, "drug-trigger"), "{:?}", plan.flags);
}

#[test]
fn dopamine_agonists_carry_augmentation_risk() {
    let plan = plan_of(&profile("medications = [\"Mirapex\"]", "", GOOD_IRON));
    assert_eq!(flag_subjects(&plan, "augmentation-risk"), ["Mirapex"]);
    let plan = plan_of(&profile("medications = [\"Zoloft\"]", "", GOOD_IRON));
    assert!(!has_flag(&plan, "augmentation-risk"));
}

#[test]
fn augmentation_signs_on_levodopa_are_named() {
    let plan = plan_of(&profile(
        "medications = [\"Sinemet\"]",
        "earlier_or_spreading_on_treatment = true\n",
        GOOD_IRON,
    ));
    let flag = plan
        .flags
        .iter()
        .find(|f| f.code == "augmentation-risk")
        .expect("flag");
    assert!(flag.message.contains("signs of augmentation"));
}

#[test]
fn iron_and_levothyroxine_interact() {
    let plan = plan_of(&profile(
        "medications = [\"Synthroid\"]",
        "",
        &labs("40", "25", "2026-10-01"),
    ));
    assert!(flag_subjects(&plan, "interaction").contains(&"iron-oral+Synthroid".to_string()));
    let iron = step(&plan, "iron-oral").expect("iron");
    assert!(iron.cautions[0].contains("4 hours"));
}

#[test]
fn no_iron_no_levothyroxine_interaction() {
    let plan = plan_of(&profile("medications = [\"levothyroxine\"]", "", GOOD_IRON));
    assert!(
        !flag_subjects(&plan, "interaction")
            .iter()
            .any(|s| s.starts_with("iron-oral")),
        "no iron in the plan, so no iron interaction"
    );
}

#[test]
fn iron_with_a_ppi_and_with_coffee() {
    let text = profile(
        "medications = [\"omeprazole\"]",
        "",
        &format!(
            "{}\n[habits]\ncaffeine_mg_per_day = 200\n",
            labs("40", "25", "2026-10-01")
        ),
    );
    let subjects = flag_subjects(&plan_of(&text), "interaction");
    assert!(
        subjects.contains(&"iron-oral+omeprazole".to_string()),
        "{subjects:?}"
    );
    assert!(
        subjects.contains(&"iron-oral+coffee or tea".to_string()),
        "{subjects:?}"
    );
}

#[test]
fn ace_inhibitors_exclude_potassium() {
    let plan = plan_of(&profile("medications = [\"lisinopril\"]", "", GOOD_IRON));
    assert_eq!(excluded_reason(&plan, "potassium"), Some("ace-inhibitor"));
}

#[test]
fn maois_exclude_tyrosine_and_mucuna() {
    let plan = plan_of(&profile("medications = [\"phenelzine\"]", "", GOOD_IRON));
    assert_eq!(excluded_reason(&plan, "l-tyrosine"), Some("maoi"));
    assert!(excluded_reason(&plan, "mucuna").is_some());
}

#[test]
fn magnesium_taken_with_a_bisphosphonate_interacts() {
    let plan = plan_of(&profile(
        "medications = [\"alendronate\"]\nsupplements = [\"magnesium glycinate\"]",
        "",
        GOOD_IRON,
    ));
    assert!(flag_subjects(&plan, "interaction").contains(&"magnesium+alendronate".to_string()));
    assert!(
        step(&plan, "magnesium").is_none(),
        "already taking it: not a new change"
    );
}

#[test]
fn quinine_is_flagged_and_never_suggested() {
    let plan = plan_of(&profile("supplements = [\"tonic water\"]", "", GOOD_IRON));
    assert!(flag_subjects(&plan, "red-flag").contains(&"quinine".to_string()));
    let stop = step(&plan, "quinine").expect("a step about it");
    assert_eq!(stop.stage, Stage::Stop);
}

#[test]
fn melatonin_taken_is_paused_not_suggested() {
    let plan = plan_of(&profile("supplements = [\"melatonin\"]", "", GOOD_IRON));
    let s = step(&plan, "melatonin").expect("step");
    assert_eq!(s.stage, Stage::Stop);
    assert!(s.title.starts_with("Pause"));
}

#[test]
fn names_nobody_knows_are_reported() {
    let plan = plan_of(&profile(
        "medications = [\"Frobnicol 20 mg\"]",
        "",
        GOOD_IRON,
    ));
    assert_eq!(flag_subjects(&plan, "unresolved-name"), ["Frobnicol 20 mg"]);
}

#[test]
fn a_dose_after_the_name_still_resolves() {
    let plan = plan_of(&profile("medications = [\"Zoloft 50 mg\"]", "", GOOD_IRON));
    assert_eq!(flag_subjects(&plan, "drug-trigger"), ["Zoloft 50 mg"]);
}

// ---- one change at a time, routine, acute ---------------------------------------------------

#[test]
fn habits_turn_into_trigger_experiments_first() {
    let text = profile(
        "",
        "",
        &format!(
            "{GOOD_IRON}\n[habits]\nalcohol_drinks_per_week = 7\nlast_caffeine = \"16:00\"\nlate_vigorous_exercise = true\n"
        ),
    );
    let plan = plan_of(&text);
    let tries = step_ids(&plan, Stage::Try);
    assert_eq!(
        &tries[..3],
        ["alcohol", "caffeine-curfew", "late-vigorous-exercise"]
    );
    assert_eq!(
        step(&plan, "alcohol").and_then(|s| s.duration_days),
        Some(14)
    );
}

#[test]
fn no_drinking_no_alcohol_experiment() {
    let text = profile(
        "",
        "",
        &format!("{GOOD_IRON}\n[habits]\nalcohol_drinks_per_week = 0\n"),
    );
    assert!(step(&plan_of(&text), "alcohol").is_none());
}

#[test]
fn changes_follow_one_another_without_overlap() {
    let plan = plan_of(&profile("", "", GOOD_IRON));
    let tries: Vec<_> = plan
        .steps
        .iter()
        .filter(|s| s.stage == Stage::Try)
        .collect();
    assert!(tries.len() >= 3);
    for pair in tries.windows(2) {
        let end = pair[0].start_day.unwrap() + pair[0].duration_days.unwrap();
        assert_eq!(
            pair[1].start_day,
            Some(end),
            "{} then {}",
            pair[0].id,
            pair[1].id
        );
    }
    assert!(tries.iter().all(|s| s.how_to_judge.is_some()));
    assert_eq!(
        tries[0].id, "exercise",
        "best evidence first when no habit to test"
    );
}

#[test]
fn enough_exercise_already_is_not_suggested_again() {
    let text = profile(
        "",
        "",
        &format!("{GOOD_IRON}\n[habits]\nexercise_minutes_per_week = 200\n"),
    );
    assert!(step(&plan_of(&text), "exercise").is_none());
}

#[test]
fn the_routine_counts_back_from_bedtime() {
    let plan = plan_of(&profile("", "", GOOD_IRON));
    let stretch = plan
        .routine
        .iter()
        .find(|r| r.id == "stretching")
        .expect("stretching");
    assert_eq!(stretch.minutes_before_bed, 30);
    assert_eq!(stretch.at.as_deref(), Some("22:00"));
    let minutes: Vec<u32> = plan.routine.iter().map(|r| r.minutes_before_bed).collect();
    assert!(
        minutes.windows(2).all(|w| w[0] >= w[1]),
        "earliest first: {minutes:?}"
    );
}

#[test]
fn without_a_bedtime_the_routine_has_no_clock_times() {
    let text = profile("", "", GOOD_IRON).replace("bedtime = \"22:30\"\n", "");
    let plan = plan_of(&text);
    assert!(!plan.routine.is_empty());
    assert!(plan.routine.iter().all(|r| r.at.is_none()));
}

#[test]
fn the_acute_toolkit_is_there_and_safe() {
    let plan = plan_of(&profile("", "", GOOD_IRON));
    let acute = step_ids(&plan, Stage::Acute);
    assert!(
        acute.contains(&"walking-when-restless") && acute.contains(&"cold"),
        "{acute:?}"
    );
}

#[test]
fn escalation_explains_why_dopamine_agonists_are_second_line() {
    let plan = plan_of(&profile("", "", GOOD_IRON));
    let gaba = step(&plan, "gabapentinoid").expect("step");
    assert_eq!(gaba.stage, Stage::Escalate);
    assert!(gaba.why.contains("second-line") && gaba.why.contains("augmentation"));
    assert!(
        step(&plan, "dopamine-agonist").is_none(),
        "graded X: never a step"
    );
}

// ---- every plan -----------------------------------------------------------------------------

#[test]
fn every_plan_has_the_disclaimer_and_every_step_says_why() {
    let plan = plan_of(&profile(
        "medications = [\"Zoloft\"]",
        "",
        &labs("40", "25", "2026-10-01"),
    ));
    assert!(plan.disclaimer.contains("not medical advice"));
    let stages: Vec<Stage> = plan.steps.iter().map(|s| s.stage).collect();
    let mut sorted = stages.clone();
    sorted.sort();
    assert_eq!(stages, sorted, "steps in the order to do them");
    for (i, s) in plan.steps.iter().enumerate() {
        assert_eq!(s.order as usize, i + 1);
        assert!(s.why.len() > 20, "{} has no real why", s.id);
        assert!(!s.sources.is_empty(), "{} has no source", s.id);
    }
    let levels: Vec<Level> = plan.flags.iter().map(|f| f.level).collect();
    assert!(
        levels.windows(2).all(|w| w[0] <= w[1]),
        "urgent first: {levels:?}"
    );
}

#[test]
fn the_plan_json_has_the_spec_shape() {
    let plan = plan_of(&profile("medications = [\"Zoloft\"]", "", ""));
    let v = serde_json::to_value(&plan).expect("json");
    for key in [
        "disclaimer",
        "screening",
        "flags",
        "steps",
        "excluded",
        "routine",
    ] {
        assert!(v.get(key).is_some(), "{key}");
    }
    for key in ["criteria_met", "course", "mimics", "jhrlss"] {
        assert!(v["screening"].get(key).is_some(), "screening.{key}");
    }
    let step = &v["steps"][0];
    for key in [
        "order",
        "stage",
        "id",
        "title",
        "why",
        "dose",
        "timing",
        "duration_days",
        "evidence",
        "sources",
        "cautions",
    ] {
        assert!(step.get(key).is_some(), "steps[].{key}");
    }
    let flag = &v["flags"][0];
    for key in ["code", "level", "subject", "message"] {
        assert!(flag.get(key).is_some(), "flags[].{key}");
    }
    let r = &v["routine"][0];
    for key in ["minutes_before_bed", "id", "title"] {
        assert!(r.get(key).is_some(), "routine[].{key}");
    }
}

// ---- bad input ------------------------------------------------------------------------------

fn refused(text: &str) -> Vec<ProfileError> {
    match try_plan(text) {
        Ok(_) => panic!("expected the profile to be refused"),
        Err(e) => e,
    }
}

#[test]
fn a_negative_ferritin_is_refused_naming_the_field() {
    let errors = refused(&profile("", "", &labs("-3", "25", "2026-10-01")));
    assert_eq!(errors[0].field, "labs[0].value");
}

#[test]
fn an_unknown_unit_is_refused_listing_the_accepted_ones() {
    let errors = refused(&profile(
        "",
        "",
        &labs("40", "25", "2026-10-01").replacen("ng/mL", "mmol/L", 1),
    ));
    assert_eq!(errors[0].field, "labs[0].unit");
    assert!(errors[0].message.contains("ng/mL"), "{}", errors[0].message);
}

#[test]
fn a_tsat_over_100_percent_is_impossible() {
    let errors = refused(&profile("", "", &labs("40", "140", "2026-10-01")));
    assert_eq!(errors[0].field, "labs[1].value");
}

#[test]
fn a_lab_from_the_future_is_refused() {
    let errors = refused(&profile("", "", &labs("40", "25", "2027-01-01")));
    assert_eq!(errors[0].field, "labs[0].date");
}

#[test]
fn an_unknown_test_is_refused() {
    let errors = refused(&profile(
        "",
        "",
        "[[labs]]\ntest = \"unobtainium\"\nvalue = 1\nunit = \"%\"\n",
    ));
    assert_eq!(errors[0].field, "labs[0].test");
    assert!(errors[0].message.contains("ferritin"));
}

#[test]
fn a_bad_time_or_impossible_answer_is_refused() {
    let errors = refused(&profile("", "", GOOD_IRON).replace("22:30", "10:30pm"));
    assert_eq!(errors[0].field, "bedtime");
    let errors =
        refused(&profile("", "", GOOD_IRON).replace("nights_per_week = 4", "nights_per_week = 9"));
    assert_eq!(errors[0].field, "symptoms.nights_per_week");
}

#[test]
fn vitamin_d_in_nmol_per_litre_converts() {
    let text = profile(
        "",
        "",
        &format!(
            "{GOOD_IRON}\n[[labs]]\ntest = \"vitamin-d-25oh\"\nvalue = 50\nunit = \"nmol/L\"\ndate = \"2026-10-01\"\n"
        ),
    );
    let kb = knowledge::bundled().expect("kb");
    let p = Profile::parse(&text, ProfileFormat::Toml).expect("parses");
    let person = Resolved::new(&p, kb, TODAY).expect("valid");
    let d = person.latest_lab("vitamin-d-25oh").expect("converted");
    assert!((d.value - 20.0).abs() < 0.1, "{}", d.value);
    assert_eq!(d.unit, "ng/mL");
}
