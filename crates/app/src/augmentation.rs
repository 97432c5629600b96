//! The augmentation watch joined to the plan: for each dopamine medicine the plan already
//! warns about, the person's own journal is read for the first signs (symptoms starting
//! earlier, symptoms beyond the legs), and when they are there the plan carries a
//! doctor-level flag with the evidence. The medicine is never questioned here: the advice is
//! to show the prescriber.

use quietlegs_core::journal::NightEntry;
use quietlegs_core::plan::Plan;
use quietlegs_core::safety::{Flag, Level};

/// Set by the safety engine on every line resolved to levodopa or a dopamine agonist.
const ON_DOPAMINE_MEDICINE: &str = "augmentation-risk";
/// The journal shows signs of augmentation.
pub const SIGNS: &str = "augmentation-signs";

/// Adds an [`SIGNS`] flag for each dopamine medicine when the nights up to the plan's day show
/// signs; leaves the plan as it was otherwise.
pub fn watch_plan(plan: &mut Plan, nights: &[NightEntry]) {
    let medicines: Vec<Option<String>> = plan
        .flags
        .iter()
        .filter(|f| f.code == ON_DOPAMINE_MEDICINE)
        .map(|f| f.subject.clone())
        .collect();
    if medicines.is_empty() {
        return;
    }
    let watch = quietlegs_stats::augmentation::watch(nights, plan.today);
    let Some(evidence) = quietlegs_stats::augmentation::describe(&watch) else {
        return;
    };
    for medicine in medicines {
        let message = match &medicine {
            Some(name) => format!("Taking {name}. {evidence}"),
            None => evidence.clone(),
        };
        plan.flags
            .push(Flag::new(SIGNS, Level::Doctor, medicine, message));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::ToSpan;
    use jiff::civil::{Date, date};
    use quietlegs_core::knowledge;
    use quietlegs_core::profile::{Profile, ProfileFormat, Resolved};
    use quietlegs_core::safety;

    const TODAY: Date = date(2026, 11, 30);

    fn plan_for(medicines: &str) -> Plan {
        let kb = knowledge::bundled().expect("kb");
        let rules = safety::bundled_rules().expect("rules");
        let text = format!(
            "bedtime = \"22:30\"\nmedications = [{medicines}]\n[symptoms]\nurge_to_move = true\n\
             worse_at_rest = true\nrelieved_by_movement = true\nevening_or_night = true\n\
             nights_per_week = 5\n"
        );
        let profile = Profile::parse(&text, ProfileFormat::Toml).expect("profile");
        let person = Resolved::new(&profile, kb, TODAY).expect("resolved");
        quietlegs_core::plan::plan(&person, kb, rules, TODAY)
    }

    /// Ten weeks of start times moving from 23:00 to 21:00, as a journal shows augmentation.
    fn earlier_and_earlier() -> Vec<NightEntry> {
        (0..70i64)
            .map(|i| {
                let m = 23 * 60 - i * 120 / 69 + [0, 15, -10, 5, -15][i as usize % 5];
                NightEntry {
                    night: Some(TODAY.checked_sub((69 - i).days()).expect("date")),
                    severity: 6,
                    onset: quietlegs_core::profile::ClockTime::new((m / 60) as u8, (m % 60) as u8),
                    ..NightEntry::default()
                }
            })
            .collect()
    }

    fn signs(plan: &Plan) -> Vec<&Flag> {
        plan.flags.iter().filter(|f| f.code == SIGNS).collect()
    }

    #[test]
    fn on_a_dopamine_agonist_an_earlier_start_is_for_the_prescriber() {
        let mut plan = plan_for("\"Mirapex 0.25 mg at night\"");
        watch_plan(&mut plan, &earlier_and_earlier());
        let found = signs(&plan);
        assert_eq!(found.len(), 1, "{:?}", plan.flags);
        let f = found[0];
        assert_eq!(f.level, Level::Doctor);
        assert_eq!(f.subject.as_deref(), Some("Mirapex 0.25 mg at night"));
        assert!(f.message.contains("prescriber"), "{}", f.message);
        assert!(
            !f.message.to_lowercase().contains("stop taking"),
            "{}",
            f.message
        );
    }

    #[test]
    fn without_a_dopamine_medicine_or_without_signs_nothing_is_added() {
        let mut plan = plan_for("\"Zoloft\"");
        watch_plan(&mut plan, &earlier_and_earlier());
        assert!(signs(&plan).is_empty());

        let mut plan = plan_for("\"Sinemet\"");
        let steady: Vec<NightEntry> = earlier_and_earlier()
            .into_iter()
            .map(|n| NightEntry {
                onset: "22:30".parse().ok(),
                ..n
            })
            .collect();
        let before = plan.flags.len();
        watch_plan(&mut plan, &steady);
        assert_eq!(plan.flags.len(), before);
    }
}
