//! Reading what people write in their medicine cabinet: one line ("Benadryl at night",
//! "Mag oxide 400mg", "D3 + K2 5000 IU", "CKD stage 4") becomes the entries it names, every
//! ingredient of a combination product, the salt or form, the dose, how often and when, and the
//! words that were left over. Pure: the knowledge base is passed in.

mod explain;
mod names;
mod words;

pub use explain::{Explanation, explain, explain_list, split_list};
pub use words::{Amount, DoseUnit, Frequency, TimeWord};

use serde::Serialize;

use crate::knowledge::{Kind, KnowledgeBase};

/// Which list of the profile a line was typed into; it decides which kinds of entry it may name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Field {
    Medication,
    Supplement,
    Condition,
}

impl Field {
    /// Kinds a line in this field may name, the likelier first.
    pub(crate) fn kinds(self) -> &'static [Kind] {
        match self {
            Field::Medication => &[
                Kind::Medication,
                Kind::Trigger,
                Kind::Supplement,
                Kind::Herb,
            ],
            Field::Supplement => &[
                Kind::Supplement,
                Kind::Herb,
                Kind::Food,
                Kind::Medication,
                Kind::Trigger,
                Kind::Physical,
            ],
            Field::Condition => &[Kind::Condition],
        }
    }
}

/// How a line was understood.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Reading {
    pub written: String,
    /// The entry the line names (a combination product's own entry when it is one).
    pub id: Option<String>,
    /// Every ingredient: the entry itself for a single product, each part of a combination.
    pub ingredients: Vec<String>,
    /// Ingredients we added because the product type implies them ("PM" pain relievers).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub implied: Vec<String>,
    /// The salt or form named ("oxide", "ferrous sulfate").
    pub form: Option<String>,
    /// The strength of one unit (or the whole dose when no count is given).
    pub amount: Option<Amount>,
    /// Further amounts on the line, each with the ingredient it belongs to when that is clear.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub other_amounts: Vec<Amount>,
    /// Units per dose ("2 tablets").
    pub count: Option<f64>,
    pub frequency: Option<Frequency>,
    pub times: Vec<TimeWord>,
    /// A condition's stage ("4", "3a").
    pub stage: Option<String>,
    /// Weeks, for a pregnancy ("pregnant, 20 weeks").
    pub weeks: Option<f64>,
    /// Words we did not use.
    pub leftovers: Vec<String>,
}

impl Reading {
    /// The amount taken in an average day: strength x count x times a day. A line with a dose
    /// and no frequency is taken as once a day, as people write the daily product they take.
    pub fn per_day(&self) -> Option<Amount> {
        let a = self.amount?;
        let times = self.frequency.map_or(1.0, Frequency::per_day);
        Some(Amount {
            value: a.value * self.count.unwrap_or(1.0) * times,
            unit: a.unit,
        })
    }

    /// A dose is taken more than once a day.
    pub fn more_than_daily(&self) -> bool {
        matches!(self.frequency, Some(Frequency::Day { times }) if times > 1.0)
    }
}

/// Reads one line typed into `field`.
pub fn read_line(kb: &KnowledgeBase, text: &str, field: Field) -> Reading {
    // A pathological paste must not cost much: nobody's medicine name is longer than this.
    let text_for_parsing: String = text.chars().take(400).collect();
    let tokens = words::tokens(&text_for_parsing);
    let details = words::details(&tokens);
    let found = names::find(kb, &tokens, &details.used, field);
    let mut leftovers = Vec::new();
    let mut weeks = None;
    for (i, t) in tokens.iter().enumerate() {
        if details.used[i] || found.used[i] {
            continue;
        }
        match t {
            words::Token::Word(w) if matches!(w.as_str(), "weeks" | "wks" | "week" | "wk") => {
                if let Some(words::Token::Number(n)) = i.checked_sub(1).and_then(|p| tokens.get(p))
                    && (1.0..=45.0).contains(n)
                {
                    weeks = Some(*n);
                }
            }
            words::Token::Word(w) if !words::is_filler(w) => leftovers.push(w.clone()),
            words::Token::Number(n) => leftovers.push(crate::knowledge::entry_number(*n)),
            _ => {}
        }
    }
    let mut amounts = details.amounts.iter().map(|(_, a)| *a);
    let amount = amounts.next();
    Reading {
        written: text.to_string(),
        id: found.id,
        ingredients: found.ingredients,
        implied: found.implied,
        form: found.form,
        amount,
        other_amounts: amounts.collect(),
        count: details.count,
        frequency: details.frequency,
        times: details.times,
        stage: details.stage,
        weeks,
        leftovers,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kb() -> &'static KnowledgeBase {
        crate::knowledge::bundled().expect("bundled knowledge is valid")
    }

    #[test]
    fn a_brand_with_a_time_word() {
        let r = read_line(kb(), "Benadryl at night", Field::Medication);
        assert_eq!(r.id.as_deref(), Some("diphenhydramine"));
        assert_eq!(r.times, [TimeWord::Night]);
        assert!(r.leftovers.is_empty(), "{:?}", r.leftovers);
    }

    #[test]
    fn a_dose_and_frequency_give_a_daily_amount() {
        let r = read_line(kb(), "magnesium 250 mg twice a day", Field::Supplement);
        assert_eq!(r.id.as_deref(), Some("magnesium"));
        let per_day = r.per_day().expect("dose");
        assert_eq!(per_day.value, 500.0);
        assert_eq!(per_day.unit, DoseUnit::Mg);
    }

    #[test]
    fn nonsense_stays_unresolved() {
        for line in ["asdfgh", "123", "", "   ", "the one my doctor gave me"] {
            let r = read_line(kb(), line, Field::Medication);
            assert!(r.id.is_none(), "{line} -> {:?}", r.id);
        }
    }

    #[test]
    fn a_condition_with_a_stage() {
        let r = read_line(kb(), "CKD stage 4", Field::Condition);
        assert_eq!(r.id.as_deref(), Some("ckd"));
        assert_eq!(r.stage.as_deref(), Some("4"));
    }
}
