//! A result the lab reported only as a bound ("< 20 ng/mL") is read as that bound by the
//! thresholds, and the plan says so instead of treating it as a measured number.

use jiff::civil::date;
use quietlegs_core::profile::{Profile, ProfileFormat, Resolved};
use quietlegs_core::{knowledge, plan, safety};

fn plan_for(labs: &str) -> plan::Plan {
    let kb = knowledge::bundled().expect("kb");
    let rules = safety::bundled_rules().expect("rules");
    let text = format!(
        "age = 48\n[symptoms]\nurge_to_move = true\nworse_at_rest = true\n\
         relieved_by_movement = true\nevening_or_night = true\n{labs}"
    );
    let profile = Profile::parse(&text, ProfileFormat::Toml).expect("parses");
    let today = date(2026, 12, 2);
    let person = Resolved::new(&profile, kb, today).expect("resolves");
    plan::plan(&person, kb, rules, today)
}

#[test]
fn a_bound_is_named_in_the_plan() {
    let bounded = plan_for(
        "[[labs]]\ntest = \"ferritin\"\nvalue = 20\nunit = \"ng/mL\"\ndate = \"2026-11-20\"\ncomparator = \"<\"\n",
    );
    let flag = bounded
        .flags
        .iter()
        .find(|f| f.code == "lab-bound")
        .expect("the bound is said");
    assert_eq!(flag.subject.as_deref(), Some("ferritin"));
    assert!(flag.message.contains("< 20 ng/mL"), "{}", flag.message);
    assert!(flag.message.contains("exact value"), "{}", flag.message);

    let exact = plan_for(
        "[[labs]]\ntest = \"ferritin\"\nvalue = 20\nunit = \"ng/mL\"\ndate = \"2026-11-20\"\n",
    );
    assert!(exact.flags.iter().all(|f| f.code != "lab-bound"));
}
