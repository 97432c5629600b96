//! The iron rules (AASM 2024, IRLSSG 2018): no iron without recent ferritin and TSAT; oral iron
//! when ferritin <= 75 or TSAT < 20 %; 75-100 IV only; never when TSAT >= 45 % or with an
//! overload condition. Thresholds come from `knowledge/rules.toml`.

use jiff::civil::Date;
use serde::Serialize;

use super::{Flag, Level, SafetyReport};
use crate::profile::{LabValue, Resolved};
use crate::safety::Rules;

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "status", rename_all = "kebab-case")]
pub enum IronStatus {
    /// Ferritin or TSAT missing, undated or older than the limit.
    Unknown {
        missing: Vec<String>,
    },
    Overload,
    /// Oral (or IV) iron is indicated.
    Deficient {
        ferritin: f64,
        tsat: f64,
    },
    /// Ferritin 75-100: IV iron only, through a doctor.
    IvOnly {
        ferritin: f64,
        tsat: f64,
    },
    /// On dialysis: IV iron through the kidney team.
    Dialysis {
        ferritin: f64,
        tsat: f64,
    },
    /// Iron is not expected to help.
    Adequate {
        ferritin: f64,
        tsat: f64,
    },
}

fn recent<'a>(
    person: &'a Resolved,
    test: &str,
    today: Date,
    max_age_days: i64,
) -> Result<&'a LabValue, String> {
    let Some(lab) = person.latest_lab(test) else {
        return Err(format!("{test}: no result"));
    };
    let Some(date) = lab.date else {
        return Err(format!("{test}: the result has no date"));
    };
    // Subtracting civil dates gives a span counted in days only.
    let age_days = i64::from((today - date).get_days());
    if age_days > max_age_days {
        return Err(format!(
            "{test}: the latest result ({date}) is over 12 months old"
        ));
    }
    Ok(lab)
}

pub(super) fn apply(person: &Resolved, rules: &Rules, today: Date, report: &mut SafetyReport) {
    let t = &rules.iron;
    let iron_remedies = ["iron-oral", "iron-iv"];
    let overload_condition =
        person.has_condition("hemochromatosis") || person.has_condition("thalassemia");
    // An overload sign in any known result counts, even a stale one: it is a reason to stop
    // and ask, not to wait for a fresh test.
    let high_tsat = person
        .latest_lab("tsat")
        .filter(|l| l.value >= t.tsat_overload);
    let high_ferritin = person
        .latest_lab("ferritin")
        .filter(|l| l.value > t.ferritin_overload);
    if overload_condition || high_tsat.is_some() || high_ferritin.is_some() {
        let why = if overload_condition {
            "You have a condition that stores too much iron.".to_string()
        } else if let Some(l) = high_tsat {
            format!(
                "Your transferrin saturation is {:.0} % (at or above {:.0} %).",
                l.value, t.tsat_overload
            )
        } else {
            format!(
                "Your ferritin is {:.0} ng/mL (above {:.0}).",
                high_ferritin.map_or(0.0, |l| l.value),
                t.ferritin_overload
            )
        };
        let message = format!(
            "{why} Iron supplements could cause harm: no iron is suggested. Ask your doctor \
             whether this needs looking into (for example haemochromatosis)."
        );
        report.flag(Flag::new(
            "iron-overload-risk",
            Level::Doctor,
            None,
            message.clone(),
        ));
        for id in iron_remedies {
            report.exclude(id, "iron-overload-risk", &message);
        }
        report.iron = IronStatus::Overload;
        return;
    }
    let ferritin = recent(person, "ferritin", today, t.lab_max_age_days);
    let tsat = recent(person, "tsat", today, t.lab_max_age_days);
    let (ferritin, tsat) = match (ferritin, tsat) {
        (Ok(f), Ok(s)) => (f.value, s.value),
        (f, s) => {
            let missing: Vec<String> = [f.err(), s.err()].into_iter().flatten().collect();
            let message = format!(
                "No iron until ferritin and transferrin saturation (TSAT) from the last 12 \
                 months are known ({}). Ask for both, drawn in the morning, with no iron tablets \
                 or iron-rich meal for 24 hours before.",
                missing.join("; ")
            );
            report.flag(Flag::new(
                "iron-unknown",
                Level::Doctor,
                None,
                message.clone(),
            ));
            for id in iron_remedies {
                report.exclude(id, "iron-unknown", &message);
            }
            report.iron = IronStatus::Unknown { missing };
            return;
        }
    };
    if person.has_condition("dialysis") {
        if ferritin < t.dialysis_ferritin_max && tsat < t.tsat_low {
            report.flag(Flag::new(
                "iv-iron-candidate",
                Level::Doctor,
                None,
                format!(
                    "On dialysis with ferritin {ferritin:.0} ng/mL and TSAT {tsat:.0} %, \
                     intravenous iron sucrose is the suggested treatment: ask your kidney team."
                ),
            ));
        }
        report.exclude(
            "iron-oral",
            "dialysis",
            "On dialysis, iron is given by your kidney team, usually into a vein.",
        );
        report.iron = IronStatus::Dialysis { ferritin, tsat };
        return;
    }
    inflammation(person, t, ferritin, report);
    let child = person.has_condition("under-18");
    let oral_max = if child {
        t.child_ferritin_max
    } else {
        t.ferritin_oral_max
    };
    if ferritin <= oral_max {
        let threshold = if child {
            format!(
                "below {:.0} for children and teenagers, with a dose set by the doctor",
                t.child_ferritin_max
            )
        } else {
            format!(
                "ferritin at or below {:.0}, or TSAT below {:.0} %",
                t.ferritin_oral_max, t.tsat_low
            )
        };
        report.flag(Flag::new(
            "iron-deficient",
            Level::Doctor,
            None,
            format!(
                "Ferritin {ferritin:.0} ng/mL and TSAT {tsat:.0} % are in the range where iron \
                 treatment helps RLS ({threshold}). Agree the plan with your doctor, who may also \
                 look for the cause of low iron."
            ),
        ));
        if let Some(gut) = t.malabsorption.iter().find_map(|c| person.condition(c)) {
            report.flag(Flag::new(
                "iv-iron-candidate",
                Level::Doctor,
                None,
                format!(
                    "With {} iron tablets are often poorly absorbed: ask your doctor whether an \
                     iron infusion would work better for you.",
                    gut.written
                ),
            ));
        }
        report.iron = IronStatus::Deficient { ferritin, tsat };
    } else if !child && (ferritin <= t.ferritin_iv_only_max || tsat < t.tsat_low) {
        let message = if ferritin <= t.ferritin_iv_only_max {
            format!(
                "Ferritin {ferritin:.0} ng/mL is between {:.0} and {:.0}: tablets are unlikely to \
                 be absorbed well enough, but an iron infusion may still help (AASM 2024: IV iron \
                 at ferritin up to {:.0} or TSAT below {:.0} %). Ask your doctor, who may also \
                 check CRP.",
                t.ferritin_oral_max, t.ferritin_iv_only_max, t.ferritin_iv_only_max, t.tsat_low
            )
        } else {
            format!(
                "Ferritin {ferritin:.0} ng/mL with TSAT {tsat:.0} % (below {:.0} %): tablets have \
                 evidence only at ferritin {:.0} or below, and inflammation can block their \
                 absorption. An iron infusion, through a doctor, is the option (AASM 2024); ask \
                 for CRP to be checked too.",
                t.tsat_low, t.ferritin_oral_max
            )
        };
        report.flag(Flag::new(
            "iv-iron-candidate",
            Level::Doctor,
            None,
            message.clone(),
        ));
        report.exclude("iron-oral", "iv-only", &message);
        report.iron = IronStatus::IvOnly { ferritin, tsat };
    } else {
        let message = format!(
            "Ferritin {ferritin:.0} ng/mL and TSAT {tsat:.0} % are above the levels where iron \
             helps RLS; iron is not suggested."
        );
        for id in iron_remedies {
            report.exclude(id, "iron-adequate", &message);
        }
        report.iron = IronStatus::Adequate { ferritin, tsat };
    }
}

/// A raised CRP or an inflammatory condition makes ferritin read high: it can look normal while
/// the body's iron is low.
fn inflammation(
    person: &Resolved,
    t: &crate::safety::IronThresholds,
    ferritin: f64,
    report: &mut SafetyReport,
) {
    let crp = person.latest_lab("crp").filter(|l| l.value > t.crp_high);
    let condition = person.condition("inflammatory-condition");
    let why = match (crp, condition) {
        (Some(l), _) => format!(
            "Your CRP is {} {} (above {:.0} mg/L)",
            crate::knowledge::entry_number(l.entered_value),
            l.entered_unit,
            t.crp_high
        ),
        (None, Some(c)) => format!("With {}", c.written),
        (None, None) => return,
    };
    report.flag(Flag::new(
        "inflammation",
        Level::Caution,
        None,
        format!(
            "{why}, inflammation raises ferritin, so a ferritin of {ferritin:.0} ng/mL may be \
             falsely reassuring. TSAT is the better guide; ask your doctor how to read your \
             results together."
        ),
    ));
}
