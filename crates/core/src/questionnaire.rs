//! The screening questions, once, as data: the web form and the terminal `assess` both render
//! this table, so the two can never ask different things.

use crate::profile::{Distress, Onset, Symptoms};

/// What kind of answer a question takes, and what it is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QuestionKind {
    /// One of the five IRLSSG essential criteria, answered yes or no.
    Criterion,
    /// A look-alike question: yes points away from RLS.
    LookAlike,
    /// A warning sign: yes needs a doctor, some of them today.
    RedFlag,
    /// A number in a range (nights a week).
    Number { min: u8, max: u8 },
    /// One of a few words (onset, distress).
    Choice(&'static [&'static str]),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Question {
    /// The profile's field name under `[symptoms]`.
    pub id: &'static str,
    /// The question as a person reads it.
    pub text: &'static str,
    pub kind: QuestionKind,
}

const fn q(id: &'static str, text: &'static str, kind: QuestionKind) -> Question {
    Question { id, text, kind }
}

use QuestionKind::{Criterion, LookAlike, RedFlag};

pub const ONSETS: &[&str] = &["none", "bedtime", "evening", "afternoon", "morning"];
pub const DISTRESS: &[&str] = &["none", "mild", "moderate", "severe"];

/// Every screening question, in the order they are asked.
pub const QUESTIONS: &[Question] = &[
    q(
        "urge_to_move",
        "Do you get an urge to move your legs, usually with unpleasant feelings in them?",
        Criterion,
    ),
    q(
        "worse_at_rest",
        "Does it start or get worse when you rest, sit or lie down?",
        Criterion,
    ),
    q(
        "relieved_by_movement",
        "Does moving (walking, stretching) ease it, at least while you keep moving?",
        Criterion,
    ),
    q(
        "evening_or_night",
        "Is it worse in the evening or at night than during the day?",
        Criterion,
    ),
    q(
        "not_explained_by_other",
        "As far as you know, is it not just cramps, arthritis, a sore position or swelling?",
        Criterion,
    ),
    q(
        "nights_per_week",
        "On how many nights a week, on average?",
        QuestionKind::Number { min: 0, max: 7 },
    ),
    q(
        "onset",
        "When does it usually start?",
        QuestionKind::Choice(ONSETS),
    ),
    q(
        "distress",
        "How much does it bother you?",
        QuestionKind::Choice(DISTRESS),
    ),
    q(
        "painful_hard_muscle_knot",
        "A painful, hard knot in the muscle (a cramp)",
        LookAlike,
    ),
    q(
        "eased_by_stretching_only",
        "Only stretching that one muscle eases it",
        LookAlike,
    ),
    q(
        "eased_by_position_change_only",
        "Just changing position eases it, without needing to keep moving",
        LookAlike,
    ),
    q("numbness", "Numbness in the feet or legs", LookAlike),
    q(
        "burning_constant",
        "Burning pain that is there all day, not only at rest or at night",
        LookAlike,
    ),
    q(
        "pain_when_walking_eased_by_rest",
        "Calf pain when walking that eases when you stop",
        LookAlike,
    ),
    q(
        "one_leg_swollen_red_hot",
        "One leg swollen, red, warm or tender",
        RedFlag,
    ),
    q(
        "new_weakness_or_bladder_change",
        "New weakness in a leg, or changes in bladder or bowel control",
        RedFlag,
    ),
    q(
        "rapidly_worsening",
        "It has got much worse within weeks",
        RedFlag,
    ),
    q(
        "started_after_new_medicine",
        "It started or got worse after a new medicine",
        RedFlag,
    ),
    q(
        "earlier_or_spreading_on_treatment",
        "On an RLS medicine, it now starts earlier or spreads to the arms",
        RedFlag,
    ),
    q(
        "thoughts_of_self_harm",
        "Thoughts of harming yourself because of sleep loss or low mood",
        RedFlag,
    ),
];

/// The yes/no questions of some kinds, in order.
pub fn of_kind(kinds: &[QuestionKind]) -> impl Iterator<Item = &'static Question> + '_ {
    QUESTIONS.iter().filter(move |q| kinds.contains(&q.kind))
}

/// An answer to one question.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Answer<'a> {
    YesNo(bool),
    Number(f64),
    Word(&'a str),
}

/// Writes an answer into the symptom answers. `Err` says what would be accepted.
pub fn set(s: &mut Symptoms, id: &str, answer: Answer) -> Result<(), String> {
    let slot: &mut Option<bool> = match id {
        "urge_to_move" => &mut s.urge_to_move,
        "worse_at_rest" => &mut s.worse_at_rest,
        "relieved_by_movement" => &mut s.relieved_by_movement,
        "evening_or_night" => &mut s.evening_or_night,
        "not_explained_by_other" => &mut s.not_explained_by_other,
        "painful_hard_muscle_knot" => &mut s.painful_hard_muscle_knot,
        "eased_by_stretching_only" => &mut s.eased_by_stretching_only,
        "eased_by_position_change_only" => &mut s.eased_by_position_change_only,
        "numbness" => &mut s.numbness,
        "burning_constant" => &mut s.burning_constant,
        "pain_when_walking_eased_by_rest" => &mut s.pain_when_walking_eased_by_rest,
        "one_leg_swollen_red_hot" => &mut s.one_leg_swollen_red_hot,
        "new_weakness_or_bladder_change" => &mut s.new_weakness_or_bladder_change,
        "rapidly_worsening" => &mut s.rapidly_worsening,
        "started_after_new_medicine" => &mut s.started_after_new_medicine,
        "earlier_or_spreading_on_treatment" => &mut s.earlier_or_spreading_on_treatment,
        "thoughts_of_self_harm" => &mut s.thoughts_of_self_harm,
        "nights_per_week" => {
            return match answer {
                Answer::Number(n) if (0.0..=7.0).contains(&n) => {
                    s.nights_per_week = Some(n);
                    Ok(())
                }
                _ => Err("a number from 0 to 7".into()),
            };
        }
        "onset" => {
            s.onset = Some(match answer {
                Answer::Word("none") => Onset::None,
                Answer::Word("bedtime") => Onset::Bedtime,
                Answer::Word("evening") => Onset::Evening,
                Answer::Word("afternoon") => Onset::Afternoon,
                Answer::Word("morning") => Onset::Morning,
                _ => return Err(format!("one of {}", ONSETS.join(", "))),
            });
            return Ok(());
        }
        "distress" => {
            s.distress = Some(match answer {
                Answer::Word("none") => Distress::None,
                Answer::Word("mild") => Distress::Mild,
                Answer::Word("moderate") => Distress::Moderate,
                Answer::Word("severe") => Distress::Severe,
                _ => return Err(format!("one of {}", DISTRESS.join(", "))),
            });
            return Ok(());
        }
        other => return Err(format!("'{other}' is not a screening question")),
    };
    match answer {
        Answer::YesNo(b) => {
            *slot = Some(b);
            Ok(())
        }
        _ => Err("yes or no".into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_question_can_be_answered_and_is_read_back() {
        let mut s = Symptoms::default();
        for q in QUESTIONS {
            let answer = match q.kind {
                QuestionKind::Number { .. } => Answer::Number(3.0),
                QuestionKind::Choice(words) => Answer::Word(words[1]),
                _ => Answer::YesNo(true),
            };
            set(&mut s, q.id, answer).unwrap_or_else(|e| panic!("{}: {e}", q.id));
            if let Some(a) = crate::profile::symptom_answer(&s, q.id) {
                assert_eq!(a, Some(true), "{}", q.id);
            }
        }
        assert_eq!(s.nights_per_week, Some(3.0));
        assert_eq!(s.onset, Some(Onset::Bedtime));
        assert!(set(&mut s, "nights_per_week", Answer::Number(9.0)).is_err());
        assert!(set(&mut s, "onset", Answer::Word("noon")).is_err());
        assert!(set(&mut s, "nope", Answer::YesNo(true)).is_err());
    }

    #[test]
    fn ids_are_unique() {
        for (i, a) in QUESTIONS.iter().enumerate() {
            assert!(QUESTIONS[i + 1..].iter().all(|b| b.id != a.id), "{}", a.id);
        }
    }
}
