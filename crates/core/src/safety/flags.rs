use serde::Serialize;

use crate::knowledge::KnowledgeBase;
use crate::profile::{Distress, Onset, Resolved};
use crate::screening::Screening;

/// How soon a flag needs acting on (spec section 4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    /// Today.
    Urgent,
    /// Book an appointment.
    Doctor,
    Caution,
    Info,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Flag {
    pub code: String,
    pub level: Level,
    pub subject: Option<String>,
    pub message: String,
}

impl Flag {
    pub fn new(
        code: &str,
        level: Level,
        subject: Option<String>,
        message: impl Into<String>,
    ) -> Self {
        Self {
            code: code.to_string(),
            level,
            subject,
            message: message.into(),
        }
    }
}

/// Symptoms that need a doctor soon, or today.
pub(super) fn red_flags(person: &Resolved, screening: &Screening) -> Vec<Flag> {
    let s = &person.profile.symptoms;
    let yes = |a: Option<bool>| a == Some(true);
    let mut out = Vec::new();
    let mut red = |subject: &str, level: Level, message: &str| {
        out.push(Flag::new(
            "red-flag",
            level,
            Some(subject.to_string()),
            message,
        ));
    };
    if yes(s.one_leg_swollen_red_hot) {
        red(
            "dvt",
            Level::Urgent,
            "One leg swollen, red, warm or painful can be a blood clot. Get medical help today; \
             call emergency services if you are short of breath or have chest pain.",
        );
    }
    if yes(s.new_weakness_or_bladder_change) {
        red(
            "cauda-equina",
            Level::Urgent,
            "New leg weakness, numbness in the saddle area or new bladder or bowel problems need \
             emergency assessment today.",
        );
    }
    if yes(s.thoughts_of_self_harm) {
        red(
            "self-harm",
            Level::Urgent,
            "If you are having thoughts of harming yourself, please contact a crisis line, your \
             doctor or emergency services today. Sleep loss and low mood are treatable.",
        );
    }
    let on_quinine = person
        .medications
        .iter()
        .chain(&person.supplements)
        .any(|m| m.id.as_deref() == Some("quinine"));
    if on_quinine {
        red(
            "quinine",
            Level::Doctor,
            "Quinine is not a treatment for RLS and can cause serious blood disorders. Talk to \
             your doctor about it; get help today if you notice easy bruising, nosebleeds or \
             blood in urine or stool.",
        );
    }
    if yes(s.rapidly_worsening) {
        red(
            "rapidly-worsening",
            Level::Doctor,
            "Symptoms that are getting worse quickly deserve a doctor's look in the coming days.",
        );
    }
    if yes(s.started_after_new_medicine) {
        red(
            "new-medicine",
            Level::Doctor,
            "Symptoms that began after a new medicine may be caused by it. Talk to the \
             prescriber; do not stop a prescribed medicine on your own.",
        );
    }
    let severe = s.distress == Some(Distress::Severe)
        || s.irls_total.is_some_and(|t| t >= 31)
        || (screening.criteria_met == Some(true) && s.onset == Some(Onset::Morning));
    if severe {
        out.push(Flag::new(
            "severe",
            Level::Doctor,
            None,
            "Your symptoms sound severe. Natural measures alone are unlikely to be enough: book \
             an appointment to discuss iron studies and treatment options.",
        ));
    }
    out
}

/// What the screening result itself means for the person.
pub(super) fn screening_flags(screening: &Screening, kb: &KnowledgeBase) -> Vec<Flag> {
    let mut out = Vec::new();
    for mimic in &screening.mimics {
        let name = kb.get(mimic).map_or(*mimic, |e| e.name.as_str());
        out.push(Flag::new(
            "mimic",
            Level::Doctor,
            Some(mimic.to_string()),
            format!(
                "Some of your answers fit {}, which can look like RLS. A doctor can tell them \
                 apart; self-help for RLS may not help it.",
                name.to_lowercase()
            ),
        ));
    }
    if screening.criteria_met == Some(false) {
        let missing: Vec<&str> = screening
            .criteria
            .iter()
            .filter(|c| c.met == Some(false))
            .map(|c| c.text)
            .collect();
        out.push(Flag::new(
            "not-rls",
            Level::Doctor,
            None,
            format!(
                "Your answers do not meet all five criteria for RLS. Not met: {}. See a doctor \
                 to find the cause before relying on this plan.",
                missing.join("; ").to_lowercase()
            ),
        ));
    } else if screening.criteria_met.is_none() {
        out.push(Flag::new(
            "screening-incomplete",
            Level::Info,
            None,
            format!(
                "{} Until then, treat this plan as provisional.",
                screening.summary
            ),
        ));
    } else if screening.clinically_significant == Some(true) {
        out.push(Flag::new(
            "see-doctor",
            Level::Info,
            None,
            "Your symptoms meet the RLS criteria and bother you: that is worth a visit to your \
             doctor, if only to check your iron.",
        ));
    }
    out
}
