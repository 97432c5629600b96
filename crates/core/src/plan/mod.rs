//! The personal plan (spec section 4): safety and referrals, tests, things to discuss with the
//! prescriber, iron, one change at a time, the evening routine, the acute-night toolkit and
//! when to escalate. Every step says why. The safety engine has the last word.

mod content;
mod routine;
mod steps;

pub use content::{
    Acute, BUNDLED_PLAN, EscalateOption, HabitTest, PlanContent, RoutineLine, Swap, TriggerTrial,
    fill,
};
pub use routine::RoutineItem;
pub use steps::{Outcome, Stage, Step, Tried, trial_days};

use jiff::civil::Date;
use serde::Serialize;

use crate::knowledge::KnowledgeBase;
use crate::profile::Resolved;
use crate::safety::{self, Exclusion, Flag, IronStatus, Level, Rules};
use crate::screening::{self, Screening};

/// Shown with every plan, in every form.
pub const DISCLAIMER: &str = "Quietlegs is not medical advice. This plan is general information \
based on published evidence and on what you told us. Check it with your doctor or pharmacist \
before starting a supplement, and never stop or change a prescribed medicine without talking to \
the prescriber.";

#[derive(Debug, Clone, Serialize)]
pub struct Plan {
    pub disclaimer: &'static str,
    pub screening: Screening,
    pub flags: Vec<Flag>,
    pub steps: Vec<Step>,
    pub excluded: Vec<Exclusion>,
    pub routine: Vec<RoutineItem>,
    pub iron: IronStatus,
    /// The date the plan was made for (labs are judged against it).
    pub today: Date,
    pub bedtime: Option<String>,
}

/// Builds the plan. Pure: the same inputs always give the same plan.
pub fn plan(person: &Resolved, kb: &KnowledgeBase, rules: &Rules, today: Date) -> Plan {
    plan_with_history(person, kb, rules, today, &[])
}

/// The plan, informed by changes already tried: one that helped is kept, one that did not is
/// marked and the next suggestion takes its place, one in progress stays the current step.
pub fn plan_with_history(
    person: &Resolved,
    kb: &KnowledgeBase,
    rules: &Rules,
    today: Date,
    tried: &[Tried],
) -> Plan {
    let prepared = safety::prepare(person, kb, rules);
    let person = &prepared;
    let screening = screening::screen(&person.profile.symptoms);
    let safety = safety::assess(person, &screening, kb, rules, today);
    let mut ctx = steps::Context {
        person,
        kb,
        rules,
        safety: &safety,
        screening: &screening,
        steps: Vec::new(),
        flags: safety.flags.clone(),
        tried,
    };
    ctx.build();
    let steps::Context {
        mut steps,
        mut flags,
        ..
    } = ctx;
    for (i, step) in steps.iter_mut().enumerate() {
        step.order = i as u32 + 1;
    }
    let routine = routine::evening(person, kb, rules, &safety, &steps);
    // Urgent first, then book-a-doctor, then cautions and information; stable within a level.
    flags.sort_by_key(|f| f.level);
    Plan {
        disclaimer: DISCLAIMER,
        screening,
        flags,
        steps,
        excluded: safety.excluded.clone(),
        routine,
        iron: safety.iron.clone(),
        today,
        bedtime: person.profile.bedtime.map(|b| b.to_string()),
    }
}

impl Plan {
    /// The flags that need action today.
    pub fn urgent(&self) -> impl Iterator<Item = &Flag> {
        self.flags.iter().filter(|f| f.level == Level::Urgent)
    }
}
