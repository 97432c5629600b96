//! RLS screening: the five IRLSSG 2014 essential criteria, the course and clinical-significance
//! specifiers, look-alikes (mimics) from the discriminating questions, and a JHRLSS-style onset
//! score.

use serde::Serialize;

use crate::profile::{Distress, Onset, Symptoms};

/// The criterion answers in order, with the ids reports and the web app use.
pub const CRITERIA: [(&str, &str); 5] = [
    (
        "urge_to_move",
        "An urge to move the legs, usually with unpleasant sensations",
    ),
    (
        "worse_at_rest",
        "It starts or gets worse when resting, sitting or lying down",
    ),
    (
        "relieved_by_movement",
        "Moving eases it for as long as the movement lasts",
    ),
    (
        "evening_or_night",
        "It is worse, or only there, in the evening or at night",
    ),
    (
        "not_explained_by_other",
        "Nothing else (cramps, neuropathy, position...) explains it",
    ),
];

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CriterionAnswer {
    pub id: &'static str,
    pub text: &'static str,
    /// `None`: not answered.
    pub met: Option<bool>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Course {
    ChronicPersistent,
    Intermittent,
}

/// The screening part of a plan (spec section 4), with a few additions.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Screening {
    /// `Some(true)` all five criteria met, `Some(false)` one answered no (or a look-alike explains
    /// it), `None` not yet known: a criterion is unanswered. A missing answer is never a no.
    pub criteria_met: Option<bool>,
    /// "4 of 5 criteria met; answer the look-alike questions": the result in words.
    pub summary: String,
    pub course: Option<Course>,
    pub mimics: Vec<&'static str>,
    pub jhrlss: Option<u8>,
    pub criteria: Vec<CriterionAnswer>,
    pub clinically_significant: Option<bool>,
    /// Questions whose answers would change the result.
    pub unanswered: Vec<&'static str>,
}

/// Each look-alike, with the answers that point to it.
fn mimics_of(s: &Symptoms) -> Vec<&'static str> {
    let yes = |a: Option<bool>| a == Some(true);
    let mut out = Vec::new();
    if yes(s.painful_hard_muscle_knot) || yes(s.eased_by_stretching_only) {
        out.push("leg-cramps");
    }
    if yes(s.eased_by_position_change_only) {
        out.push("positional-discomfort");
    }
    if yes(s.numbness) || yes(s.burning_constant) {
        out.push("neuropathy");
    }
    if yes(s.pain_when_walking_eased_by_rest) {
        out.push("claudication");
    }
    if yes(s.whole_body_restlessness) {
        out.push("akathisia");
    }
    if yes(s.eased_by_leg_elevation) {
        out.push("venous-insufficiency");
    }
    if yes(s.only_when_standing_still) {
        out.push("orthostatic-tremor");
    }
    if yes(s.one_sided_with_back_pain) {
        out.push("radiculopathy");
    }
    out
}

/// The mimic questions of the spec's profile: when criterion 5 is not answered directly, they
/// decide it, and only once all of them have an answer can it count as met.
fn mimic_questions(s: &Symptoms) -> [(&'static str, Option<bool>); 6] {
    [
        ("painful_hard_muscle_knot", s.painful_hard_muscle_knot),
        ("eased_by_stretching_only", s.eased_by_stretching_only),
        (
            "eased_by_position_change_only",
            s.eased_by_position_change_only,
        ),
        ("numbness", s.numbness),
        ("burning_constant", s.burning_constant),
        (
            "pain_when_walking_eased_by_rest",
            s.pain_when_walking_eased_by_rest,
        ),
    ]
}

fn summary(criteria: &[CriterionAnswer], met: Option<bool>, mimics: &[&'static str]) -> String {
    let yes = criteria.iter().filter(|c| c.met == Some(true)).count();
    let open: Vec<&CriterionAnswer> = criteria.iter().filter(|c| c.met.is_none()).collect();
    match met {
        Some(true) => "All 5 criteria for RLS are met.".to_string(),
        Some(false) if !mimics.is_empty() => format!(
            "{yes} of 5 criteria met; a look-alike ({}) may explain the symptoms.",
            mimics.join(", ")
        ),
        Some(false) => format!("{yes} of 5 criteria met; at least one is answered no."),
        None => {
            let lookalikes = open.iter().any(|c| c.id == "not_explained_by_other");
            let others = open
                .iter()
                .filter(|c| c.id != "not_explained_by_other")
                .count();
            let what = match (others, lookalikes) {
                (0, true) => "answer the look-alike questions".to_string(),
                (n, true) => format!(
                    "answer the {n} open question{} and the look-alike questions",
                    if n == 1 { "" } else { "s" }
                ),
                (n, false) => format!(
                    "answer the {n} open question{}",
                    if n == 1 { "" } else { "s" }
                ),
            };
            format!("{yes} of 5 criteria met so far; {what} to finish the screening.")
        }
    }
}

/// 0 no symptoms, 1 bedtime only, 2 from the evening, 3 from the afternoon or morning.
pub fn jhrlss(onset: Onset) -> u8 {
    match onset {
        Onset::None => 0,
        Onset::Bedtime => 1,
        Onset::Evening => 2,
        Onset::Afternoon | Onset::Morning => 3,
    }
}

pub fn screen(s: &Symptoms) -> Screening {
    let mimics = mimics_of(s);
    let mut unanswered = Vec::new();
    let criterion_5 = match s.not_explained_by_other {
        Some(answer) => Some(answer),
        None if !mimics.is_empty() => Some(false),
        None => {
            let open: Vec<&'static str> = mimic_questions(s)
                .iter()
                .filter(|(_, a)| a.is_none())
                .map(|(q, _)| *q)
                .collect();
            if open.is_empty() {
                Some(true)
            } else {
                unanswered.extend(open);
                None
            }
        }
    };
    let answers = [
        s.urge_to_move,
        s.worse_at_rest,
        s.relieved_by_movement,
        s.evening_or_night,
        criterion_5,
    ];
    let criteria: Vec<CriterionAnswer> = CRITERIA
        .iter()
        .zip(answers)
        .map(|((id, text), met)| CriterionAnswer { id, text, met })
        .collect();
    for c in &criteria[..4] {
        if c.met.is_none() {
            unanswered.push(c.id);
        }
    }
    let course = s.nights_per_week.map(|n| {
        if n >= 2.0 {
            Course::ChronicPersistent
        } else {
            Course::Intermittent
        }
    });
    if course.is_none() {
        unanswered.push("nights_per_week");
    }
    let clinically_significant = s
        .distress
        .map(|d| matches!(d, Distress::Moderate | Distress::Severe));
    if clinically_significant.is_none() {
        unanswered.push("distress");
    }
    let jhrlss = s.onset.map(jhrlss);
    if jhrlss.is_none() {
        unanswered.push("onset");
    }
    let criteria_met = if criteria.iter().any(|c| c.met == Some(false)) {
        Some(false)
    } else if criteria.iter().all(|c| c.met == Some(true)) {
        Some(true)
    } else {
        None
    };
    let summary = summary(&criteria, criteria_met, &mimics);
    Screening {
        criteria_met,
        summary,
        course,
        mimics,
        jhrlss,
        criteria,
        clinically_significant,
        unanswered,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn typical() -> Symptoms {
        Symptoms {
            urge_to_move: Some(true),
            worse_at_rest: Some(true),
            relieved_by_movement: Some(true),
            evening_or_night: Some(true),
            not_explained_by_other: Some(true),
            nights_per_week: Some(5.0),
            onset: Some(Onset::Evening),
            distress: Some(Distress::Moderate),
            ..Symptoms::default()
        }
    }

    #[test]
    fn all_five_criteria_make_a_positive_screen() {
        let s = screen(&typical());
        assert_eq!(s.criteria_met, Some(true));
        assert_eq!(s.course, Some(Course::ChronicPersistent));
        assert_eq!(s.jhrlss, Some(2));
        assert_eq!(s.clinically_significant, Some(true));
        assert!(s.unanswered.is_empty());
    }

    #[test]
    fn one_missing_criterion_is_not_a_positive_screen() {
        let s = screen(&Symptoms {
            relieved_by_movement: None,
            ..typical()
        });
        assert_eq!(s.criteria_met, None, "unanswered is unknown, never no");
        assert_eq!(s.unanswered, ["relieved_by_movement"]);
        assert!(s.summary.starts_with("4 of 5"), "{}", s.summary);
        let s = screen(&Symptoms {
            evening_or_night: Some(false),
            ..typical()
        });
        assert_eq!(s.criteria_met, Some(false));
    }

    #[test]
    fn mimic_questions_decide_criterion_five_when_it_is_not_answered() {
        let unanswered = Symptoms {
            not_explained_by_other: None,
            ..typical()
        };
        assert_eq!(
            screen(&unanswered).criteria_met,
            None,
            "open mimic questions: unknown"
        );
        assert!(screen(&unanswered).summary.contains("look-alike"));
        let all_no = Symptoms {
            painful_hard_muscle_knot: Some(false),
            eased_by_stretching_only: Some(false),
            eased_by_position_change_only: Some(false),
            numbness: Some(false),
            burning_constant: Some(false),
            pain_when_walking_eased_by_rest: Some(false),
            ..unanswered.clone()
        };
        assert_eq!(screen(&all_no).criteria_met, Some(true));
        let cramp = Symptoms {
            painful_hard_muscle_knot: Some(true),
            ..all_no
        };
        let s = screen(&cramp);
        assert_eq!(s.criteria_met, Some(false));
        assert_eq!(s.mimics, ["leg-cramps"]);
    }

    #[test]
    fn course_and_onset_score_follow_the_answers() {
        let s = screen(&Symptoms {
            nights_per_week: Some(1.0),
            onset: Some(Onset::Morning),
            ..typical()
        });
        assert_eq!(s.course, Some(Course::Intermittent));
        assert_eq!(s.jhrlss, Some(3));
        assert_eq!(jhrlss(Onset::Bedtime), 1);
        assert_eq!(jhrlss(Onset::None), 0);
    }
}
