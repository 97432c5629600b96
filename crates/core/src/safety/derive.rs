//! Conditions worked out from what the person told us, so the rules apply without the word
//! being typed: an eGFR of 22 is kidney disease for magnesium's sake, a "yes" to one hot swollen
//! leg is a suspected clot, age 81 is an older adult for sedation and falls.

use super::{DeriveFrom, Rules};
use crate::knowledge::{KnowledgeBase, entry_number};
use crate::profile::{Resolved, ResolvedName, Sex, symptom_answer};

/// The CKD-EPI 2021 creatinine equation (no race term), creatinine in mg/dL.
pub fn egfr_from_creatinine(creatinine_mg_dl: f64, age: u32, female: bool) -> Option<f64> {
    if !(creatinine_mg_dl.is_finite() && creatinine_mg_dl > 0.0) || age < 18 {
        return None;
    }
    let (kappa, alpha, sex_factor) = if female {
        (0.7, -0.241, 1.012)
    } else {
        (0.9, -0.302, 1.0)
    };
    let ratio = creatinine_mg_dl / kappa;
    let egfr = 142.0
        * ratio.min(1.0).powf(alpha)
        * ratio.max(1.0).powf(-1.200)
        * 0.9938_f64.powi(age as i32)
        * sex_factor;
    egfr.is_finite().then_some(egfr)
}

/// The eGFR to judge by: a measured one, else one worked out from creatinine when age is known
/// (with sex unknown, the lower of the two estimates: the safer for supplement advice).
fn egfr(person: &Resolved) -> Option<(f64, String)> {
    if let Some(l) = person.latest_lab("egfr") {
        return Some((
            l.value,
            format!("eGFR {} {}", entry_number(l.entered_value), l.entered_unit),
        ));
    }
    let creatinine = person.latest_lab("creatinine")?;
    let age = person.profile.age?;
    let estimate = match person.profile.sex {
        Some(Sex::Female) => egfr_from_creatinine(creatinine.value, age, true)?,
        Some(Sex::Male) => egfr_from_creatinine(creatinine.value, age, false)?,
        _ => egfr_from_creatinine(creatinine.value, age, true)?.min(egfr_from_creatinine(
            creatinine.value,
            age,
            false,
        )?),
    };
    Some((
        estimate,
        format!(
            "eGFR about {:.0} (worked out from creatinine {} {})",
            estimate,
            entry_number(creatinine.entered_value),
            creatinine.entered_unit
        ),
    ))
}

/// Words for a symptom answer, as the derived condition's reason.
fn symptom_words(name: &str) -> &'static str {
    match name {
        "one_leg_swollen_red_hot" => "one leg swollen, red and hot",
        "numbness" => "numbness",
        "burning_constant" => "constant burning",
        "pain_when_walking_eased_by_rest" => "leg pain on walking that rest eases",
        _ => "your answers",
    }
}

/// Adds every condition the rules derive and the person has not already listed.
pub fn derive(person: &mut Resolved, kb: &KnowledgeBase, rules: &Rules) {
    for rule in &rules.derived {
        if person.has_condition(&rule.condition) {
            continue;
        }
        let because = match &rule.from {
            DeriveFrom::LabBelow {
                lab,
                below,
                below_if_male,
            } => {
                let cut = if person.is_male() {
                    below_if_male.unwrap_or(*below)
                } else {
                    *below
                };
                let value = if lab == "egfr" {
                    egfr(person)
                } else {
                    person.latest_lab(lab).map(|l| {
                        let name = kb.get(lab).map_or(lab.as_str(), |e| e.name.as_str());
                        (
                            l.value,
                            format!(
                                "{name} {} {}",
                                entry_number(l.entered_value),
                                l.entered_unit
                            ),
                        )
                    })
                };
                value.filter(|(v, _)| *v < cut).map(|(_, words)| words)
            }
            DeriveFrom::AgeAtLeast(age) => person
                .profile
                .age
                .filter(|a| a >= age)
                .map(|a| format!("age {a}")),
            DeriveFrom::AgeBelow(age) => person
                .profile
                .age
                .filter(|a| a < age)
                .map(|a| format!("age {a}")),
            DeriveFrom::Symptom(name) => (symptom_answer(&person.profile.symptoms, name)
                == Some(Some(true)))
            .then(|| symptom_words(name).to_string()),
            DeriveFrom::Breastfeeding => {
                (person.profile.breastfeeding == Some(true)).then(|| "breastfeeding".to_string())
            }
        };
        if let Some(because) = because {
            person
                .derived
                .push(ResolvedName::derived(kb, &rule.condition, because));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ckd_epi_2021_matches_published_examples() {
        // Creatinine 1.0 mg/dL at 50: about 70 (man) and 68 (woman) mL/min/1.73m2.
        let man = egfr_from_creatinine(1.0, 50, false).expect("egfr");
        let woman = egfr_from_creatinine(1.0, 50, true).expect("egfr");
        assert!((man - 91.7).abs() < 1.5, "{man}");
        assert!((woman - 68.5).abs() < 1.5, "{woman}");
        let failing = egfr_from_creatinine(2.6, 70, true).expect("egfr");
        assert!(failing < 20.0, "{failing}");
        assert_eq!(egfr_from_creatinine(0.0, 50, true), None);
        assert_eq!(egfr_from_creatinine(1.0, 12, true), None);
    }
}
