//! The words around a name on a medicine or supplement line: doses, counts, how often, when.
//!
//! People write what is on the box plus a word or two ("Mag oxide 400mg at night", "vit D
//! 2,000 IU daily", "ferrous sulfate 325 mg bid"). This module turns a line into tokens and
//! recognises the ones that are not part of the name.

use serde::Serialize;

/// One piece of a line, in order.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Token {
    /// A word that may be (part of) a name; folded (lower case, no punctuation).
    Word(String),
    /// A bare number.
    Number(f64),
    /// A connector between two products or ingredients: a word ("with", "and", "plus") or a
    /// sign ("+", "&", "/", kept as an empty string).
    Joiner(String),
}

/// A quantity with its unit, as written on a label.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Amount {
    pub value: f64,
    pub unit: DoseUnit,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum DoseUnit {
    #[serde(rename = "mg")]
    Mg,
    #[serde(rename = "mcg")]
    Mcg,
    #[serde(rename = "g")]
    G,
    #[serde(rename = "IU")]
    Iu,
    #[serde(rename = "mL")]
    Ml,
    #[serde(rename = "drops")]
    Drops,
}

impl DoseUnit {
    pub fn as_str(self) -> &'static str {
        match self {
            DoseUnit::Mg => "mg",
            DoseUnit::Mcg => "mcg",
            DoseUnit::G => "g",
            DoseUnit::Iu => "IU",
            DoseUnit::Ml => "mL",
            DoseUnit::Drops => "drops",
        }
    }

    pub fn parse(word: &str) -> Option<DoseUnit> {
        Some(match word {
            "mg" | "mgs" | "milligram" | "milligrams" => DoseUnit::Mg,
            "mcg" | "ug" | "µg" | "μg" | "microgram" | "micrograms" | "mcgs" => DoseUnit::Mcg,
            "g" | "gm" | "gram" | "grams" | "gr" => DoseUnit::G,
            "iu" | "ius" | "unit" | "units" | "ui" => DoseUnit::Iu,
            "ml" | "mls" | "millilitre" | "milliliter" | "millilitres" | "milliliters" | "cc" => {
                DoseUnit::Ml
            }
            "drop" | "drops" | "gtt" | "gtts" => DoseUnit::Drops,
            _ => return None,
        })
    }

    /// The same amount in milligrams, for the units that weigh something.
    pub fn to_mg(self, value: f64) -> Option<f64> {
        match self {
            DoseUnit::Mg => Some(value),
            DoseUnit::Mcg => Some(value / 1000.0),
            DoseUnit::G => Some(value * 1000.0),
            _ => None,
        }
    }
}

/// How often a dose is taken.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(tag = "every", rename_all = "kebab-case")]
pub enum Frequency {
    /// Times a day (0.5 for every other day).
    Day {
        times: f64,
    },
    /// Times a week.
    Week {
        times: f64,
    },
    AsNeeded,
}

impl Frequency {
    /// Doses in an average day; as-needed counts one (the day it is taken).
    pub fn per_day(self) -> f64 {
        match self {
            Frequency::Day { times } => times,
            Frequency::Week { times } => times / 7.0,
            Frequency::AsNeeded => 1.0,
        }
    }
}

/// A time of day a person takes something.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum TimeWord {
    Morning,
    Midday,
    Evening,
    Bedtime,
    Night,
    WithFood,
    EmptyStomach,
}

/// Words that carry no meaning of their own on a line.
const FILLER: &[&str] = &[
    "i",
    "take",
    "taking",
    "took",
    "takes",
    "about",
    "approx",
    "approximately",
    "around",
    "my",
    "of",
    "the",
    "a",
    "an",
    "on",
    "in",
    "for",
    "x",
    "per",
    "each",
    "every",
    "daily",
    "day",
    "days",
    "times",
    "time",
    "dose",
    "doses",
    "usually",
    "also",
    "just",
    "only",
    "mostly",
    "prescribed",
    "script",
    "rx",
    "otc",
    "brand",
    "generic",
    "liquid",
    "powder",
    "drink",
    "supplement",
    "supplements",
    "med",
    "meds",
    "medicine",
    "medication",
    "extra",
    "strength",
    "and",
    "or",
    "to",
    "at",
    "by",
    "mouth",
    "po",
    "when",
    "if",
    "needed",
    "before",
    "after",
    "with",
    "bed",
    "night",
    "nights",
    "morning",
    "mornings",
    "evening",
    "evenings",
    "am",
    "now",
    "then",
    "one",
    "doctor",
    "dr",
    "gave",
    "given",
    "me",
    "from",
    "new",
    "old",
    "some",
    "kind",
    "thing",
    "stuff",
    "something",
    "that",
    "this",
    "it",
    "is",
    "was",
    "can",
    "cant",
    "t",
    "not",
    "don",
    "sure",
    "what",
    "called",
    "name",
    "forget",
    "forgot",
    "remember",
    "which",
    "little",
    "small",
    "big",
    "blue",
    "white",
    "pink",
    "yellow",
    "red",
    "green",
    "orange",
    "low",
    "high",
    "still",
    "since",
    "year",
    "years",
    "ago",
    "month",
    "months",
    "week",
    "weeks",
    "sleep",
    "help",
    "helps",
];

/// Whether a word carries no meaning of its own on a line (filler or a unit form).
pub(super) fn is_filler(word: &str) -> bool {
    FILLER.contains(&word) || UNIT_FORMS.contains(&word)
}

/// Names for the number of units per dose ("2 tablets", "one capsule").
const UNIT_FORMS: &[&str] = &[
    "tab",
    "tabs",
    "tablet",
    "tablets",
    "pill",
    "pills",
    "capsule",
    "capsules",
    "cap",
    "caps",
    "caplet",
    "caplets",
    "softgel",
    "softgels",
    "gummy",
    "gummies",
    "chewable",
    "chewables",
    "lozenge",
    "lozenges",
    "sachet",
    "sachets",
    "scoop",
    "scoops",
    "spray",
    "sprays",
    "puff",
    "puffs",
    "patch",
    "patches",
    "tsp",
    "teaspoon",
    "teaspoons",
    "tbsp",
    "spoon",
    "spoonful",
];

fn number_word(word: &str) -> Option<f64> {
    Some(match word {
        "half" => 0.5,
        "one" | "once" | "single" => 1.0,
        "two" | "twice" | "double" => 2.0,
        "three" | "thrice" => 3.0,
        "four" => 4.0,
        "five" => 5.0,
        "six" => 6.0,
        _ => return None,
    })
}

/// Splits a line into words, numbers and joiners. A number glued to a unit ("400mg", "2x")
/// comes out as two tokens; a word glued to a number ("b12", "d3", "k2") stays one word, since
/// that is how vitamins are named.
pub(super) fn tokens(line: &str) -> Vec<Token> {
    let line = undot(line);
    let mut out = Vec::new();
    let mut chars = line.chars().peekable();
    let mut word = String::new();
    let numeric = |w: &str| !w.is_empty() && w.chars().all(|c| c.is_ascii_digit() || c == '.');
    let flush = |word: &mut String, out: &mut Vec<Token>| {
        if !word.is_empty() {
            out.push(classify(word));
            word.clear();
        }
    };
    while let Some(c) = chars.next() {
        let c = match c {
            'µ' | 'μ' => 'u',
            c => c,
        };
        let decimal_point = c == '.'
            && (word.is_empty() || numeric(&word))
            && chars.peek().is_some_and(char::is_ascii_digit);
        if c.is_ascii_digit() || decimal_point {
            word.push(c);
        } else if c == ',' && numeric(&word) && thousands_follow(chars.clone()) {
            // "2,000 IU": a thousands separator.
        } else if c.is_alphanumeric() {
            if numeric(&word) {
                // "400mg": the number ends where the unit starts.
                flush(&mut word, &mut out);
            }
            word.extend(c.to_lowercase());
        } else {
            flush(&mut word, &mut out);
            if matches!(c, '+' | '&' | '/' | ',' | ';') {
                out.push(Token::Joiner(String::new()));
            }
        }
    }
    flush(&mut word, &mut out);
    out
}

/// Exactly three digits and then no digit: the comma in "2,000".
fn thousands_follow(mut rest: impl Iterator<Item = char>) -> bool {
    let digits = rest.by_ref().take(3).filter(char::is_ascii_digit).count();
    digits == 3 && !rest.next().is_some_and(|c| c.is_ascii_digit())
}

/// Abbreviations written with dots ("b.i.d.", "I.U.") become one word.
fn undot(line: &str) -> String {
    let mut s = line.to_lowercase();
    for (dotted, plain) in [
        ("b.i.d.", "bid"),
        ("b.i.d", "bid"),
        ("t.i.d.", "tid"),
        ("t.i.d", "tid"),
        ("q.i.d.", "qid"),
        ("q.i.d", "qid"),
        ("p.r.n.", "prn"),
        ("p.r.n", "prn"),
        ("q.d.", "qd"),
        ("i.u.", "iu"),
        ("q.h.s.", "qhs"),
        ("st.", "st"),
    ] {
        if s.contains(dotted) {
            s = s.replace(dotted, plain);
        }
    }
    s
}

fn classify(word: &str) -> Token {
    if word.chars().all(|c| c.is_ascii_digit() || c == '.')
        && let Ok(n) = word.parse::<f64>()
        && n.is_finite()
    {
        return Token::Number(n);
    }
    match word {
        "with" | "and" | "plus" => Token::Joiner(word.to_string()),
        _ => Token::Word(word.to_string()),
    }
}

/// What the non-name words of a line say.
#[derive(Debug, Clone, Default, PartialEq)]
pub(super) struct Details {
    /// Each amount with the index of the token where it starts.
    pub amounts: Vec<(usize, Amount)>,
    pub count: Option<f64>,
    pub frequency: Option<Frequency>,
    pub times: Vec<TimeWord>,
    pub stage: Option<String>,
    /// Token indices these details used up.
    pub used: Vec<bool>,
}

fn word_at(tokens: &[Token], i: usize) -> Option<&str> {
    match tokens.get(i) {
        Some(Token::Word(w)) => Some(w.as_str()),
        Some(Token::Joiner(w)) if !w.is_empty() => Some(w.as_str()),
        _ => None,
    }
}

fn number_at(tokens: &[Token], i: usize) -> Option<f64> {
    match tokens.get(i) {
        Some(Token::Number(n)) => Some(*n),
        Some(Token::Word(w)) => number_word(w),
        _ => None,
    }
}

fn roman(word: &str) -> Option<&'static str> {
    Some(match word {
        "i" | "1" => "1",
        "ii" | "2" => "2",
        "iii" | "3" => "3",
        "iiia" | "3a" => "3a",
        "iiib" | "3b" => "3b",
        "iv" | "4" => "4",
        "v" | "5" => "5",
        _ => return None,
    })
}

/// A frequency written as one word ("bid", "daily", "prn", "q8h").
fn one_word_frequency(word: &str) -> Option<Frequency> {
    Some(match word {
        "bid" | "bd" => Frequency::Day { times: 2.0 },
        "tid" | "tds" => Frequency::Day { times: 3.0 },
        "qid" | "qds" => Frequency::Day { times: 4.0 },
        "od" | "qd" | "daily" | "nightly" | "qhs" | "qam" | "qpm" => Frequency::Day { times: 1.0 },
        "eod" | "qod" => Frequency::Day { times: 0.5 },
        "weekly" => Frequency::Week { times: 1.0 },
        "prn" | "occasionally" | "sometimes" => Frequency::AsNeeded,
        "q4h" => Frequency::Day { times: 6.0 },
        "q6h" => Frequency::Day { times: 4.0 },
        "q8h" => Frequency::Day { times: 3.0 },
        "q12h" => Frequency::Day { times: 2.0 },
        _ => return None,
    })
}

/// Reads doses, counts, frequency, times and a stage out of the tokens, marking what it used.
pub(super) fn details(tokens: &[Token]) -> Details {
    let mut d = Details {
        used: vec![false; tokens.len()],
        ..Details::default()
    };
    let mut i = 0;
    let mark = |d: &mut Details, from: usize, n: usize| {
        for k in from..(from + n).min(d.used.len()) {
            d.used[k] = true;
        }
    };
    let set_freq = |d: &mut Details, f: Frequency| {
        // The first clear frequency wins; "daily" after "twice" does not undo it.
        if d.frequency.is_none() {
            d.frequency = Some(f);
        }
    };
    while i < tokens.len() {
        let w = word_at(tokens, i);
        let next = word_at(tokens, i + 1);
        let next2 = word_at(tokens, i + 2);
        // Stage of a condition: "stage 4", "stage iv", "stage 3a".
        if w == Some("stage") {
            let value = match tokens.get(i + 1) {
                Some(Token::Number(n)) if n.fract() == 0.0 && *n >= 1.0 && *n <= 5.0 => {
                    Some((*n as u8).to_string())
                }
                Some(Token::Word(x)) => roman(x).map(str::to_string),
                _ => None,
            };
            if let Some(v) = value {
                d.stage = Some(v);
                mark(&mut d, i, 2);
                i += 2;
                continue;
            }
        }
        if let Some(n) = number_at(tokens, i) {
            // "400 mg", "2,000 IU"
            if let Some(unit) = next.and_then(DoseUnit::parse)
                && matches!(tokens.get(i), Some(Token::Number(_)))
            {
                d.amounts.push((i, Amount { value: n, unit }));
                mark(&mut d, i, 2);
                i += 2;
                continue;
            }
            // "2 tablets", "one capsule"
            if next.is_some_and(|x| UNIT_FORMS.contains(&x)) {
                d.count = Some(n);
                mark(&mut d, i, 2);
                i += 2;
                continue;
            }
            // "2x a day", "2 times daily", "twice a day", "3 x daily"
            let times_word = matches!(next, Some("x" | "times" | "time"));
            let is_word_count = matches!(w, Some("once" | "twice" | "thrice"));
            if times_word || is_word_count {
                let skip = if times_word { 2 } else { 1 };
                let after = word_at(tokens, i + skip);
                let after2 = word_at(tokens, i + skip + 1);
                let week = matches!(after, Some("weekly" | "week" | "wk"))
                    || (matches!(after, Some("a" | "per" | "each" | "every"))
                        && matches!(after2, Some("week" | "wk")));
                let f = if week {
                    Frequency::Week { times: n }
                } else {
                    Frequency::Day { times: n }
                };
                set_freq(&mut d, f);
                mark(&mut d, i, skip);
                i += skip;
                continue;
            }
            // "every 8 hours", "q12h" handled below; a plain "x 2" after a dose is a count.
        }
        // "x2", "x 2" after a dose: that many units at a time.
        if let Some(n) = w
            .and_then(|x| x.strip_prefix('x'))
            .filter(|n| !n.is_empty())
            .and_then(|n| n.parse::<f64>().ok())
            .filter(|n| (1.0..=10.0).contains(n))
        {
            d.count = Some(n);
            mark(&mut d, i, 1);
            i += 1;
            continue;
        }
        if w == Some("x")
            && let Some(Token::Number(n)) = tokens.get(i + 1)
            && (1.0..=10.0).contains(n)
            && !matches!(
                word_at(tokens, i + 2),
                Some("times" | "time" | "days" | "day" | "weeks" | "week" | "months")
            )
        {
            d.count = Some(*n);
            mark(&mut d, i, 2);
            i += 2;
            continue;
        }
        if let Some(f) = w.and_then(one_word_frequency) {
            set_freq(&mut d, f);
            // "nightly", "qhs" and "qam" also say when: the time words below read them too.
            if !matches!(w, Some("nightly" | "qhs" | "qam")) {
                mark(&mut d, i, 1);
                i += 1;
                continue;
            }
        }
        // Multi-word frequencies.
        match (w, next, next2) {
            (
                Some("every" | "each"),
                Some("other" | "second"),
                Some("day" | "night" | "morning" | "evening"),
            ) => {
                set_freq(&mut d, Frequency::Day { times: 0.5 });
                mark(&mut d, i, 3);
                i += 3;
                continue;
            }
            (Some("alternate"), Some("days" | "nights" | "day"), _) => {
                set_freq(&mut d, Frequency::Day { times: 0.5 });
                mark(&mut d, i, 2);
                i += 2;
                continue;
            }
            (Some("as" | "when" | "if"), Some("needed" | "required" | "necessary"), _) => {
                set_freq(&mut d, Frequency::AsNeeded);
                mark(&mut d, i, 2);
                i += 2;
                continue;
            }
            (Some("once" | "one"), Some("a" | "per" | "each" | "every"), Some("week" | "wk")) => {
                set_freq(&mut d, Frequency::Week { times: 1.0 });
            }
            (Some("a" | "per" | "each" | "every"), Some("week" | "wk"), _) => {
                set_freq(&mut d, Frequency::Week { times: 1.0 });
            }
            (
                Some("a" | "per" | "each" | "every"),
                Some("day" | "night" | "evening" | "morning"),
                _,
            ) => {
                set_freq(&mut d, Frequency::Day { times: 1.0 });
            }
            (Some("every"), _, Some("hours" | "hrs" | "hr" | "h")) => {
                if let Some(h) = number_at(tokens, i + 1).filter(|h| *h >= 1.0 && *h <= 24.0) {
                    set_freq(&mut d, Frequency::Day { times: 24.0 / h });
                    mark(&mut d, i, 3);
                    i += 3;
                    continue;
                }
            }
            _ => {}
        }
        // Times of day.
        let time = match (w, next) {
            (Some("at" | "before" | "by"), Some("bedtime" | "bed")) => Some((TimeWord::Bedtime, 2)),
            (Some("bedtime" | "qhs" | "hs"), _) => Some((TimeWord::Bedtime, 1)),
            (Some("at"), Some("night")) => Some((TimeWord::Night, 2)),
            (Some("night" | "nightly" | "nights" | "nighttime" | "nite" | "overnight"), _) => {
                Some((TimeWord::Night, 1))
            }
            (Some("evening" | "evenings" | "dinner" | "supper"), _) => Some((TimeWord::Evening, 1)),
            (Some("morning" | "mornings" | "am" | "breakfast" | "qam"), _) => {
                Some((TimeWord::Morning, 1))
            }
            (Some("lunch" | "midday" | "noon"), _) => Some((TimeWord::Midday, 1)),
            (Some("with"), Some("food" | "meals" | "meal")) => Some((TimeWord::WithFood, 2)),
            (Some("empty"), Some("stomach")) => Some((TimeWord::EmptyStomach, 2)),
            _ => None,
        };
        if let Some((t, n)) = time {
            if !d.times.contains(&t) {
                d.times.push(t);
            }
            // A time of day alone ("at night") means once a day at that time.
            if matches!(t, TimeWord::Bedtime | TimeWord::Night) && d.frequency.is_none() {
                d.frequency = Some(Frequency::Day { times: 1.0 });
            }
            mark(&mut d, i, n);
            i += n;
            continue;
        }
        i += 1;
    }
    d
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(line: &str) -> Vec<String> {
        tokens(line)
            .into_iter()
            .map(|t| match t {
                Token::Word(w) => w,
                Token::Number(n) => format!("#{n}"),
                Token::Joiner(w) if w.is_empty() => "+".into(),
                Token::Joiner(w) => format!("+{w}"),
            })
            .collect()
    }

    #[test]
    fn numbers_split_from_units_but_not_from_vitamin_names() {
        assert_eq!(words("Mag oxide 400mg"), ["mag", "oxide", "#400", "mg"]);
        assert_eq!(words("vit D3 2,000 IU"), ["vit", "d3", "#2000", "iu"]);
        assert_eq!(words("B12 1000µg"), ["b12", "#1000", "ug"]);
        assert_eq!(words("D3 + K2"), ["d3", "+", "k2"]);
        assert_eq!(words("0.5 mg"), ["#0.5", "mg"]);
    }

    #[test]
    fn frequencies_people_write() {
        let f = |line: &str| details(&tokens(line)).frequency;
        assert_eq!(f("500 mg twice a day"), Some(Frequency::Day { times: 2.0 }));
        assert_eq!(f("325 mg bid"), Some(Frequency::Day { times: 2.0 }));
        assert_eq!(f("2x daily"), Some(Frequency::Day { times: 2.0 }));
        assert_eq!(f("every other day"), Some(Frequency::Day { times: 0.5 }));
        assert_eq!(f("50000 IU weekly"), Some(Frequency::Week { times: 1.0 }));
        assert_eq!(f("once a week"), Some(Frequency::Week { times: 1.0 }));
        assert_eq!(f("as needed"), Some(Frequency::AsNeeded));
        assert_eq!(f("every 8 hours"), Some(Frequency::Day { times: 3.0 }));
        assert_eq!(f("at night"), Some(Frequency::Day { times: 1.0 }));
        assert_eq!(f("400mg"), None);
    }

    #[test]
    fn amounts_counts_times_and_stages() {
        let d = details(&tokens("2 tablets 500 mg at bedtime"));
        assert_eq!(d.count, Some(2.0));
        assert_eq!(
            d.amounts[0].1,
            Amount {
                value: 500.0,
                unit: DoseUnit::Mg
            }
        );
        assert_eq!(d.times, [TimeWord::Bedtime]);
        assert_eq!(details(&tokens("CKD stage 4")).stage.as_deref(), Some("4"));
        assert_eq!(
            details(&tokens("ckd stage IIIb")).stage.as_deref(),
            Some("3b")
        );
    }
}
