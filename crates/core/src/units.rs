//! The units the knowledge base and user input may use.
//!
//! Units are matched case-insensitively after normalising the micro sign and a few common
//! spellings, so "µg/L", "mcg/L" and "ug/l" are the same unit.

/// Units a dose may be given in.
pub const DOSE_UNITS: &[&str] = &[
    "mg", "mcg", "g", "IU", "mL", "drops", "tsp", "cups", "minutes", "hours", "mmHg", "mg/kg",
];

/// What a dose amount is counted per.
pub const DOSE_PER: &[&str] = &["day", "dose", "week", "night", "session"];

/// Units a lab value may be given in.
pub const LAB_UNITS: &[&str] = &[
    "ng/mL",
    "ug/L",
    "pmol/L",
    "nmol/L",
    "%",
    "ug/dL",
    "umol/L",
    "g/dL",
    "g/L",
    "mg/dL",
    "mg/L",
    "mmol/L",
    "mEq/L",
    "pg/mL",
    "mL/min/1.73m2",
];

/// Returns the canonical spelling of `unit` if it is one of `known`.
pub fn canonical<'a>(unit: &str, known: &[&'a str]) -> Option<&'a str> {
    let wanted = normalise(unit);
    known.iter().copied().find(|k| normalise(k) == wanted)
}

/// Folds the spellings people really type into one key: "µg/L", "μg/l", "mcg/L" -> "ug/l".
pub fn normalise(unit: &str) -> String {
    let lower = unit
        .trim()
        .replace(['µ', 'μ'], "u")
        .replace(' ', "")
        .to_lowercase();
    let lower = lower.replace("mcg/", "ug/").replace("mcmol/", "umol/");
    match lower.as_str() {
        "percent" => "%".to_string(),
        "ml/min/1.73m²" | "ml/min/1.73" | "ml/min" => "ml/min/1.73m2".to_string(),
        "iu" | "i.u." => "iu".to_string(),
        "minute" | "min" | "mins" => "minutes".to_string(),
        "hour" | "h" | "hrs" => "hours".to_string(),
        "cup" => "cups".to_string(),
        "drop" => "drops".to_string(),
        "µg" | "ug" => "mcg".to_string(),
        _ => lower,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn micro_sign_and_mcg_fold_to_the_same_lab_unit() {
        assert_eq!(canonical("µg/L", LAB_UNITS), Some("ug/L"));
        assert_eq!(canonical("mcg/l", LAB_UNITS), Some("ug/L"));
        assert_eq!(canonical("UMOL/L", LAB_UNITS), Some("umol/L"));
        assert_eq!(canonical("percent", LAB_UNITS), Some("%"));
    }

    #[test]
    fn dose_units_accept_common_spellings() {
        assert_eq!(canonical("iu", DOSE_UNITS), Some("IU"));
        assert_eq!(canonical("µg", DOSE_UNITS), Some("mcg"));
        assert_eq!(canonical("min", DOSE_UNITS), Some("minutes"));
    }

    #[test]
    fn unknown_units_are_refused() {
        assert_eq!(canonical("furlongs", DOSE_UNITS), None);
        assert_eq!(canonical("mg/furlong", LAB_UNITS), None);
    }
}
