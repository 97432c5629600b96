use std::fmt;
use std::str::FromStr;

use serde::Serialize;

/// What sort of thing an entry is (spec section 2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Kind {
    Supplement,
    Herb,
    Food,
    Lifestyle,
    MindBody,
    Device,
    Physical,
    Trigger,
    Medication,
    Condition,
    Lab,
    Cause,
    Procedure,
}

impl Kind {
    pub const ALL: [Kind; 13] = [
        Kind::Supplement,
        Kind::Herb,
        Kind::Food,
        Kind::Lifestyle,
        Kind::MindBody,
        Kind::Device,
        Kind::Physical,
        Kind::Trigger,
        Kind::Medication,
        Kind::Condition,
        Kind::Lab,
        Kind::Cause,
        Kind::Procedure,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Supplement => "supplement",
            Kind::Herb => "herb",
            Kind::Food => "food",
            Kind::Lifestyle => "lifestyle",
            Kind::MindBody => "mind-body",
            Kind::Device => "device",
            Kind::Physical => "physical",
            Kind::Trigger => "trigger",
            Kind::Medication => "medication",
            Kind::Condition => "condition",
            Kind::Lab => "lab",
            Kind::Cause => "cause",
            Kind::Procedure => "procedure",
        }
    }

    /// A heading for a group of entries of this kind.
    pub fn plural_title(self) -> &'static str {
        match self {
            Kind::Supplement => "Supplements",
            Kind::Herb => "Herbs",
            Kind::Food => "Foods and diets",
            Kind::Lifestyle => "Lifestyle",
            Kind::MindBody => "Mind and body",
            Kind::Device => "Devices",
            Kind::Physical => "Physical techniques",
            Kind::Trigger => "Triggers",
            Kind::Medication => "Medicines",
            Kind::Condition => "Conditions and look-alikes",
            Kind::Lab => "Lab tests",
            Kind::Cause => "Causes",
            Kind::Procedure => "Procedures and referrals",
        }
    }

    pub fn accepted() -> String {
        Kind::ALL.map(Kind::as_str).join(", ")
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Kind {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Kind::ALL
            .into_iter()
            .find(|k| k.as_str() == s)
            .ok_or_else(|| format!("unknown kind '{s}' (accepted: {})", Kind::accepted()))
    }
}

/// How strong the evidence is (spec section 2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub enum Evidence {
    /// A guideline recommendation or consistent randomised trials.
    A,
    /// At least one adequate randomised trial.
    B,
    /// Small, pilot or observational studies only.
    C,
    /// No human RLS data: mechanism or tradition only.
    D,
    /// Evidence of harm, or evidence against.
    X,
}

impl Evidence {
    pub fn as_str(self) -> &'static str {
        match self {
            Evidence::A => "A",
            Evidence::B => "B",
            Evidence::C => "C",
            Evidence::D => "D",
            Evidence::X => "X",
        }
    }

    /// A few words a person can read next to the letter.
    pub fn meaning(self) -> &'static str {
        match self {
            Evidence::A => "guideline-backed or consistent trials",
            Evidence::B => "at least one good trial",
            Evidence::C => "small or observational studies",
            Evidence::D => "no RLS studies: theory or tradition",
            Evidence::X => "evidence of harm or against",
        }
    }
}

impl fmt::Display for Evidence {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Evidence {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "A" => Ok(Evidence::A),
            "B" => Ok(Evidence::B),
            "C" => Ok(Evidence::C),
            "D" => Ok(Evidence::D),
            "X" => Ok(Evidence::X),
            other => Err(format!(
                "unknown evidence grade '{other}' (accepted: A, B, C, D, X)"
            )),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Dose {
    pub min: f64,
    pub max: f64,
    pub unit: String,
    pub per: Option<String>,
}

impl fmt::Display for Dose {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.min == self.max {
            write!(f, "{} {}", trim_number(self.min), self.unit)?;
        } else {
            write!(
                f,
                "{}-{} {}",
                trim_number(self.min),
                trim_number(self.max),
                self.unit
            )?;
        }
        if let Some(per) = &self.per {
            write!(f, " per {per}")?;
        }
        Ok(())
    }
}

/// Formats 65.0 as "65" and 0.5 as "0.5".
pub fn trim_number(x: f64) -> String {
    let s = format!("{x:.3}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct UnitFactor {
    pub unit: String,
    /// value in the lab's canonical unit = value in `unit` * factor
    pub factor: f64,
}

/// How a blood test is coded and measured.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LabInfo {
    pub loinc: String,
    /// Other LOINC codes labs send for the same test (another method or specimen), read on
    /// import; exports use `loinc`.
    pub also_loinc: Vec<String>,
    pub unit: String,
    pub units: Vec<UnitFactor>,
}

impl LabInfo {
    /// Whether `code` names this test.
    pub fn has_loinc(&self, code: &str) -> bool {
        self.loinc == code || self.also_loinc.iter().any(|c| c == code)
    }

    /// Converts `value` in `unit` to this test's canonical unit, or `None` for a unit it does not
    /// accept.
    pub fn to_canonical(&self, value: f64, unit: &str) -> Option<f64> {
        let wanted = crate::units::normalise(unit);
        if crate::units::normalise(&self.unit) == wanted {
            return Some(value);
        }
        self.units
            .iter()
            .find(|u| crate::units::normalise(&u.unit) == wanted)
            .map(|u| value * u.factor)
    }

    /// Every unit this test accepts, canonical first.
    pub fn accepted_units(&self) -> Vec<&str> {
        std::iter::once(self.unit.as_str())
            .chain(self.units.iter().map(|u| u.unit.as_str()))
            .collect()
    }
}

/// One knowledge entry: everything we know about a remedy, trigger, medicine, condition or test.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Entry {
    pub id: String,
    pub name: String,
    pub kind: Kind,
    pub aliases: Vec<String>,
    pub summary: String,
    pub dose: Option<Dose>,
    pub form_notes: Option<String>,
    pub timing: Option<String>,
    pub minutes_before_bed: Option<u32>,
    pub onset_days: Option<u32>,
    /// The shortest and longest onsets seen (`onset_min_days`, `onset_max_days`), when the
    /// knowledge base gives them; the analysis otherwise derives a range from `onset_days`.
    pub onset_range: Option<(u32, u32)>,
    /// Nights an effect lingers after the remedy stops (`carryover_days`).
    pub carryover_days: Option<u32>,
    /// Whether the effect fades once the remedy stops. Slow, cumulative changes (rebuilding
    /// iron stores) do not, so they cannot be tested by switching them on and off.
    pub reversible: bool,
    pub evidence: Evidence,
    pub evidence_note: String,
    pub sources: Vec<String>,
    pub cautions: Vec<String>,
    pub verdict: Option<String>,
    pub member_of: Vec<String>,
    pub related: Vec<String>,
    pub lab: Option<LabInfo>,
    /// A combination product: the entries it contains. Rules see every ingredient.
    pub ingredients: Vec<String>,
    /// Salts and forms, each with the names that mean it ("magnesium oxide").
    pub forms: Vec<Form>,
    /// Prescription-only (a medicine the person must not change without the prescriber).
    pub prescription: bool,
    /// What a medicine is used for: "rls" or condition ids.
    pub indications: Vec<String>,
    /// The guideline recommendation the grade rests on, when there is one.
    pub guideline: Option<Guideline>,
    /// The knowledge file the entry came from, for reviewers.
    #[serde(skip)]
    pub file: String,
}

/// One salt or form of an entry, with the names that mean it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Form {
    pub name: String,
    pub aliases: Vec<String>,
    /// The share of the salt's weight that is the element (ferrous sulfate: 0.2).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub elemental_fraction: Option<f64>,
}

/// A guideline's recommendation: who made it, how strong, which way, on what certainty.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Guideline {
    pub body: String,
    pub year: u16,
    pub strength: String,
    pub direction: String,
    pub certainty: String,
    pub source: String,
}

impl Guideline {
    pub const STRENGTHS: [&str; 2] = ["strong", "conditional"];
    pub const DIRECTIONS: [&str; 2] = ["for", "against"];
    pub const CERTAINTIES: [&str; 4] = ["high", "moderate", "low", "very-low"];

    /// "AASM 2024: strong recommendation for (moderate certainty)".
    pub fn describe(&self) -> String {
        format!(
            "{} {}: {} recommendation {} ({} certainty)",
            self.body,
            self.year,
            self.strength,
            self.direction,
            self.certainty.replace('-', " ")
        )
    }
}

/// A citation that entries refer to by id.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Source {
    pub id: String,
    pub kind: String,
    pub citation: String,
    pub doi: Option<String>,
    pub url: Option<String>,
}

/// An entry as lists show it (spec section 2: `kb list --json`).
#[derive(Debug, Clone, Serialize)]
pub struct Summary<'a> {
    pub id: &'a str,
    pub name: &'a str,
    pub kind: Kind,
    pub aliases: &'a [String],
    pub evidence: Evidence,
    pub sources: &'a [String],
}

impl<'a> From<&'a Entry> for Summary<'a> {
    fn from(e: &'a Entry) -> Self {
        Summary {
            id: &e.id,
            name: &e.name,
            kind: e.kind,
            aliases: &e.aliases,
            evidence: e.evidence,
            sources: &e.sources,
        }
    }
}
