//! A person's own "re-test on" date for one lab test. The plan may suggest one (ferritin some
//! weeks after iron starts); a goal is what the person chose, and it feeds their calendar.

use jiff::civil::Date;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct LabGoal {
    /// A knowledge-base lab id, e.g. `ferritin`.
    pub test: String,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub due: Date,
}

/// The re-tests the plan suggests: when it recommends iron, ferritin and TSAT after the
/// rules' re-test interval (12 weeks), counted from the last iron result (the one the advice
/// rests on) and never before `plan.today`. Empty when the plan suggests no iron.
pub fn suggested_goals(plan: &crate::plan::Plan, labs: &[super::LabRecord]) -> Vec<LabGoal> {
    const IRON_TESTS: [&str; 2] = ["ferritin", "tsat"];
    let Some(days) = plan
        .steps
        .iter()
        .filter(|s| s.stage == crate::plan::Stage::Iron)
        .find_map(|s| s.duration_days)
    else {
        return Vec::new();
    };
    let anchor = labs
        .iter()
        .filter(|l| IRON_TESTS.contains(&l.test.as_str()))
        .map(|l| l.date)
        .max()
        .unwrap_or(plan.today);
    let due = anchor
        .checked_add(jiff::Span::new().days(i64::from(days)))
        .unwrap_or(plan.today)
        .max(plan.today);
    IRON_TESTS
        .iter()
        .map(|test| LabGoal {
            test: (*test).to_string(),
            due,
        })
        .collect()
}

/// A re-test date as the person sees it: their own goal, or the plan's suggestion where they
/// set none for that test.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EffectiveGoal {
    pub goal: LabGoal,
    /// `true` when the date is the plan's suggestion, not one the person saved.
    pub suggested: bool,
}

/// The person's goals, with the plan's suggestions filling in the tests they set no date for
/// (so the labs page prefills what the calendar will ring for), sorted by test id. A saved
/// goal is met, and gives way to the plan again, once a result of that test is dated on or
/// after it: the re-test happened, and the next one follows from the new result.
pub fn with_suggestions(
    saved: &[LabGoal],
    suggested: &[LabGoal],
    labs: &[super::LabRecord],
) -> Vec<EffectiveGoal> {
    let met = |g: &LabGoal| labs.iter().any(|l| l.test == g.test && l.date >= g.due);
    let saved: Vec<&LabGoal> = saved.iter().filter(|g| !met(g)).collect();
    let mut goals: Vec<EffectiveGoal> = saved
        .iter()
        .map(|g| EffectiveGoal {
            goal: (*g).clone(),
            suggested: false,
        })
        .collect();
    for s in suggested {
        if !saved.iter().any(|g| g.test == s.test) {
            goals.push(EffectiveGoal {
                goal: s.clone(),
                suggested: true,
            });
        }
    }
    goals.sort_by(|a, b| a.goal.test.cmp(&b.goal.test));
    goals
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    fn goal(test: &str, day: i8) -> LabGoal {
        LabGoal {
            test: test.into(),
            due: date(2027, 1, day),
        }
    }

    #[test]
    fn a_saved_goal_wins_over_the_plan_and_the_rest_is_filled_in() {
        let saved = [goal("tsat", 20), goal("vitamin-d-25oh", 3)];
        let suggested = [goal("ferritin", 10), goal("tsat", 10)];
        let got = with_suggestions(&saved, &suggested, &[]);
        let seen: Vec<(&str, i8, bool)> = got
            .iter()
            .map(|g| (g.goal.test.as_str(), g.goal.due.day(), g.suggested))
            .collect();
        assert_eq!(
            seen,
            vec![
                ("ferritin", 10, true),
                ("tsat", 20, false),
                ("vitamin-d-25oh", 3, false)
            ]
        );
    }

    #[test]
    fn a_goal_is_met_by_a_result_on_or_after_it() {
        let result = |test: &str, day: i8| super::super::LabRecord {
            test: test.into(),
            value: 40.0,
            unit: "ng/mL".into(),
            canonical_value: 40.0,
            canonical_unit: "ng/mL".into(),
            date: date(2027, 1, day),
            source: "manual".into(),
            comparator: None,
        };
        let saved = [goal("ferritin", 10), goal("tsat", 10)];
        let suggested = [goal("ferritin", 28)];
        let labs = [result("ferritin", 10), result("tsat", 9)];
        let got = with_suggestions(&saved, &suggested, &labs);
        let seen: Vec<(&str, i8, bool)> = got
            .iter()
            .map(|g| (g.goal.test.as_str(), g.goal.due.day(), g.suggested))
            .collect();
        assert_eq!(seen, vec![("ferritin", 28, true), ("tsat", 10, false)]);
    }
}
