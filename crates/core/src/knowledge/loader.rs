//! Parsing and validation of the knowledge files.

use std::collections::HashMap;

use serde::Deserialize;
use toml::Spanned;

use super::KnowledgeBase;
use super::entry::{Dose, Entry, Evidence, Form, Guideline, Kind, LabInfo, Source, UnitFactor};
use super::issue::{KbIssue, LoadError};
use crate::units::{self, DOSE_PER, DOSE_UNITS, LAB_UNITS};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    #[serde(default)]
    entry: Vec<Spanned<RawEntry>>,
    #[serde(default)]
    source: Vec<Spanned<RawSource>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawEntry {
    id: Option<String>,
    name: Option<String>,
    kind: Option<String>,
    #[serde(default)]
    aliases: Vec<String>,
    summary: Option<String>,
    dose: Option<RawDose>,
    form_notes: Option<String>,
    timing: Option<String>,
    minutes_before_bed: Option<i64>,
    onset_days: Option<i64>,
    onset_min_days: Option<i64>,
    onset_max_days: Option<i64>,
    carryover_days: Option<i64>,
    reversible: Option<bool>,
    evidence: Option<String>,
    evidence_note: Option<String>,
    #[serde(default)]
    sources: Vec<String>,
    #[serde(default)]
    cautions: Vec<String>,
    verdict: Option<String>,
    #[serde(default)]
    member_of: Vec<String>,
    #[serde(default)]
    related: Vec<String>,
    lab: Option<RawLab>,
    #[serde(default)]
    ingredients: Vec<String>,
    #[serde(default)]
    forms: Vec<RawForm>,
    prescription: Option<bool>,
    #[serde(default)]
    indications: Vec<String>,
    guideline: Option<RawGuideline>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawForm {
    name: String,
    #[serde(default)]
    aliases: Vec<String>,
    elemental_fraction: Option<f64>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawGuideline {
    body: String,
    year: u16,
    strength: String,
    direction: String,
    certainty: String,
    source: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawDose {
    min: Option<f64>,
    max: Option<f64>,
    unit: Option<String>,
    per: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawLab {
    loinc: Option<String>,
    #[serde(default)]
    also_loinc: Vec<String>,
    unit: Option<String>,
    #[serde(default)]
    units: Vec<RawUnitFactor>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawUnitFactor {
    unit: String,
    factor: f64,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSource {
    id: Option<String>,
    kind: Option<String>,
    citation: Option<String>,
    doi: Option<String>,
    url: Option<String>,
}

const SOURCE_KINDS: &[&str] = &[
    "seed",
    "guideline",
    "review",
    "trial",
    "observational",
    "regulator",
    "reference",
];

/// Collects issues for one entry so every message carries the same file, line and entry.
struct Reporter<'a> {
    issues: &'a mut Vec<KbIssue>,
    file: &'a str,
    line: usize,
    entry: Option<String>,
}

impl Reporter<'_> {
    fn field(&mut self, field: &str, message: impl Into<String>) {
        self.issues.push(KbIssue {
            file: self.file.to_string(),
            line: Some(self.line),
            entry: self.entry.clone(),
            field: Some(field.to_string()),
            message: message.into(),
        });
    }

    fn required(&mut self, field: &str, value: Option<String>) -> String {
        match value {
            Some(v) if !v.trim().is_empty() => v,
            Some(_) => {
                self.field(field, "is empty");
                String::new()
            }
            None => {
                self.field(field, "is missing");
                String::new()
            }
        }
    }
}

fn line_of(text: &str, offset: usize) -> usize {
    text[..offset.min(text.len())]
        .bytes()
        .filter(|&b| b == b'\n')
        .count()
        + 1
}

fn is_kebab_id(id: &str) -> bool {
    !id.is_empty()
        && !id.starts_with('-')
        && !id.ends_with('-')
        && !id.contains("--")
        && id
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}

fn is_source_id(id: &str) -> bool {
    !id.is_empty()
        && id
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '-' | ':' | '_'))
}

fn is_loinc(code: &str) -> bool {
    match code.split_once('-') {
        Some((num, check)) => {
            !num.is_empty()
                && num.len() <= 7
                && num.chars().all(|c| c.is_ascii_digit())
                && check.len() == 1
                && check.chars().all(|c| c.is_ascii_digit())
        }
        None => false,
    }
}

/// An entry that parsed, with where it came from, waiting for cross-reference checks.
struct Located {
    entry: Entry,
    line: usize,
}

pub(super) fn load<N: AsRef<str>, C: AsRef<str>>(
    files: &[(N, C)],
) -> Result<KnowledgeBase, LoadError> {
    let mut issues = Vec::new();
    let mut entries: Vec<Located> = Vec::new();
    let mut sources: Vec<(Source, String, usize)> = Vec::new();
    // Every id that was written down, valid entry or not, so duplicates and references are
    // judged against what the files say rather than against what happened to parse.
    let mut all_ids: Vec<(String, String, usize)> = Vec::new();

    for (name, text) in files {
        let (name, text) = (name.as_ref(), text.as_ref());
        let raw: RawFile = match toml::from_str(text) {
            Ok(raw) => raw,
            Err(err) => {
                issues.push(KbIssue {
                    file: name.to_string(),
                    line: err.span().map(|s| line_of(text, s.start)),
                    entry: None,
                    field: None,
                    message: err.message().trim().to_string(),
                });
                continue;
            }
        };
        for spanned in raw.source {
            let line = line_of(text, spanned.span().start);
            if let Some(source) = check_source(spanned.into_inner(), name, line, &mut issues) {
                sources.push((source, name.to_string(), line));
            }
        }
        for spanned in raw.entry {
            let line = line_of(text, spanned.span().start);
            if let Some(id) = spanned.get_ref().id.clone() {
                all_ids.push((id, name.to_string(), line));
            }
            if let Some(entry) = check_entry(spanned.into_inner(), name, line, &mut issues) {
                entries.push(Located { entry, line });
            }
        }
    }

    let mut seen_sources: HashMap<String, (String, usize)> = HashMap::new();
    for (source, file, line) in &sources {
        if let Some((first_file, first_line)) =
            seen_sources.insert(source.id.clone(), (file.clone(), *line))
        {
            issues.push(KbIssue {
                file: file.clone(),
                line: Some(*line),
                entry: Some(source.id.clone()),
                field: Some("id".into()),
                message: format!(
                    "duplicate source id (first defined at {first_file}:{first_line})"
                ),
            });
        }
    }

    let mut seen_ids: HashMap<String, (String, usize)> = HashMap::new();
    for (id, file, line) in all_ids {
        if let Some((first_file, first_line)) = seen_ids.get(&id) {
            issues.push(KbIssue {
                file,
                line: Some(line),
                entry: Some(id),
                field: Some("id".into()),
                message: format!("duplicate id (first defined at {first_file}:{first_line})"),
            });
        } else {
            seen_ids.insert(id, (file, line));
        }
    }

    for located in &entries {
        check_references(located, &seen_ids, &seen_sources, &mut issues);
    }

    if issues.is_empty() {
        Ok(KnowledgeBase::new(
            entries.into_iter().map(|l| l.entry).collect(),
            sources.into_iter().map(|(s, _, _)| s).collect(),
        ))
    } else {
        Err(LoadError { issues })
    }
}

fn check_source(
    raw: RawSource,
    file: &str,
    line: usize,
    issues: &mut Vec<KbIssue>,
) -> Option<Source> {
    let mut r = Reporter {
        issues,
        file,
        line,
        entry: raw.id.clone(),
    };
    let before = r.issues.len();
    let id = r.required("id", raw.id);
    if !id.is_empty() && !is_source_id(&id) {
        r.field(
            "id",
            "must use lower-case letters, digits, '-', '_' and ':' only",
        );
    }
    let kind = r.required("kind", raw.kind);
    if !kind.is_empty() && !SOURCE_KINDS.contains(&kind.as_str()) {
        r.field(
            "kind",
            format!(
                "unknown source kind '{kind}' (accepted: {})",
                SOURCE_KINDS.join(", ")
            ),
        );
    }
    let citation = r.required("citation", raw.citation);
    (r.issues.len() == before).then_some(Source {
        id,
        kind,
        citation,
        doi: raw.doi,
        url: raw.url,
    })
}

fn check_entry(raw: RawEntry, file: &str, line: usize, issues: &mut Vec<KbIssue>) -> Option<Entry> {
    let mut r = Reporter {
        issues,
        file,
        line,
        entry: raw.id.clone(),
    };
    let before = r.issues.len();

    let id = r.required("id", raw.id);
    if !id.is_empty() && !is_kebab_id(&id) {
        r.field(
            "id",
            "must be lower-case kebab-case (letters, digits and single hyphens)",
        );
    }
    let name = r.required("name", raw.name);
    let kind = match raw.kind.as_deref() {
        None => {
            r.field(
                "kind",
                format!("is missing (accepted: {})", Kind::accepted()),
            );
            None
        }
        Some(k) => k.parse::<Kind>().map_err(|e| r.field("kind", e)).ok(),
    };
    let summary = r.required("summary", raw.summary);
    let evidence = match raw.evidence.as_deref() {
        None => {
            r.field(
                "evidence",
                "is missing: every entry needs a grade (A, B, C, D or X)",
            );
            None
        }
        Some(g) => g
            .parse::<Evidence>()
            .map_err(|e| r.field("evidence", e))
            .ok(),
    };
    let evidence_note = r.required("evidence_note", raw.evidence_note);
    if raw.sources.is_empty() {
        r.field("sources", "is empty: every entry needs at least one source");
    }
    for (i, alias) in raw.aliases.iter().enumerate() {
        if alias.trim().is_empty() {
            r.field(&format!("aliases[{i}]"), "is empty");
        }
    }
    for (i, caution) in raw.cautions.iter().enumerate() {
        if caution.trim().is_empty() {
            r.field(&format!("cautions[{i}]"), "is empty");
        }
    }
    let dose = raw.dose.and_then(|d| check_dose(d, &mut r));
    let lab = raw.lab.and_then(|l| check_lab(l, &mut r));
    if kind == Some(Kind::Lab)
        && lab.is_none()
        && !r.issues[before..]
            .iter()
            .any(|i| i.field.as_deref().is_some_and(|f| f.starts_with("lab")))
    {
        r.field(
            "lab",
            "is missing: an entry of kind 'lab' needs its LOINC code and units",
        );
    }
    let forms = check_forms(raw.forms, &mut r);
    let guideline = raw
        .guideline
        .and_then(|g| check_guideline(g, evidence, &mut r));
    let minutes_before_bed = bounded(&mut r, "minutes_before_bed", raw.minutes_before_bed, 0, 720);
    let onset_days = bounded(&mut r, "onset_days", raw.onset_days, 0, 730);
    let onset_range =
        check_onset_range((raw.onset_min_days, raw.onset_max_days), onset_days, &mut r);
    let carryover_days = bounded(&mut r, "carryover_days", raw.carryover_days, 0, 365);

    let (Some(kind), Some(evidence)) = (kind, evidence) else {
        return None;
    };
    (r.issues.len() == before).then(|| Entry {
        id,
        name,
        kind,
        aliases: raw.aliases,
        summary,
        dose,
        form_notes: raw.form_notes,
        timing: raw.timing,
        minutes_before_bed,
        onset_days,
        onset_range,
        carryover_days,
        reversible: raw.reversible.unwrap_or(true),
        evidence,
        evidence_note,
        sources: raw.sources,
        cautions: raw.cautions,
        verdict: raw.verdict,
        member_of: raw.member_of,
        related: raw.related,
        lab,
        ingredients: raw.ingredients,
        forms,
        prescription: raw.prescription.unwrap_or(false),
        indications: raw.indications,
        guideline,
        file: file.to_string(),
    })
}

fn check_forms(raw: Vec<RawForm>, r: &mut Reporter) -> Vec<Form> {
    let mut out = Vec::new();
    for (i, f) in raw.into_iter().enumerate() {
        let field = format!("forms[{i}]");
        if f.name.trim().is_empty() {
            r.field(&format!("{field}.name"), "is empty");
        }
        if f.aliases.iter().any(|a| a.trim().is_empty()) {
            r.field(&format!("{field}.aliases"), "has an empty name");
        }
        if let Some(x) = f.elemental_fraction
            && !(x.is_finite() && x > 0.0 && x <= 1.0)
        {
            r.field(
                &format!("{field}.elemental_fraction"),
                format!("{x} must be above 0 and at most 1"),
            );
        }
        out.push(Form {
            name: f.name,
            aliases: f.aliases,
            elemental_fraction: f.elemental_fraction,
        });
    }
    out
}

/// The grade must say what the guideline says: strong for is A, conditional for is B, and a
/// recommendation against is X.
fn check_guideline(
    raw: RawGuideline,
    evidence: Option<Evidence>,
    r: &mut Reporter,
) -> Option<Guideline> {
    let before = r.issues.len();
    for (field, value, accepted) in [
        (
            "guideline.strength",
            &raw.strength,
            &Guideline::STRENGTHS[..],
        ),
        (
            "guideline.direction",
            &raw.direction,
            &Guideline::DIRECTIONS[..],
        ),
        (
            "guideline.certainty",
            &raw.certainty,
            &Guideline::CERTAINTIES[..],
        ),
    ] {
        if !accepted.contains(&value.as_str()) {
            r.field(
                field,
                format!("unknown '{value}' (accepted: {})", accepted.join(", ")),
            );
        }
    }
    if r.issues.len() > before {
        return None;
    }
    let implied = match (raw.direction.as_str(), raw.strength.as_str()) {
        ("against", _) => Evidence::X,
        (_, "strong") => Evidence::A,
        _ => Evidence::B,
    };
    if let Some(grade) = evidence
        && grade != implied
    {
        r.field(
            "evidence",
            format!(
                "is {grade}, but a {} recommendation {} means {implied}",
                raw.strength, raw.direction
            ),
        );
    }
    Some(Guideline {
        body: raw.body,
        year: raw.year,
        strength: raw.strength,
        direction: raw.direction,
        certainty: raw.certainty,
        source: raw.source,
    })
}

/// The range of onsets a remedy is known to show: both ends, around the typical value.
fn check_onset_range(
    (min, max): (Option<i64>, Option<i64>),
    typical: Option<u32>,
    r: &mut Reporter,
) -> Option<(u32, u32)> {
    let min = bounded(r, "onset_min_days", min, 0, 730);
    let max = bounded(r, "onset_max_days", max, 0, 730);
    match (min, typical, max) {
        (None, _, None) => None,
        (Some(lo), Some(t), Some(hi)) if lo <= t && t <= hi => Some((lo, hi)),
        (Some(_), Some(_), Some(_)) => {
            r.field(
                "onset_min_days",
                "onset_min_days <= onset_days <= onset_max_days is needed",
            );
            None
        }
        _ => {
            r.field(
                "onset_min_days",
                "give onset_min_days and onset_max_days together, with onset_days",
            );
            None
        }
    }
}

fn bounded(r: &mut Reporter, field: &str, value: Option<i64>, min: i64, max: i64) -> Option<u32> {
    let v = value?;
    if (min..=max).contains(&v) {
        u32::try_from(v).ok()
    } else {
        r.field(field, format!("{v} is out of range ({min} to {max})"));
        None
    }
}

fn check_dose(raw: RawDose, r: &mut Reporter) -> Option<Dose> {
    let before = r.issues.len();
    let (min, max) = match (raw.min, raw.max) {
        (Some(min), Some(max)) => (min, max),
        (Some(v), None) | (None, Some(v)) => (v, v),
        (None, None) => {
            r.field(
                "dose",
                "needs min, max or both (omit the dose line when none applies)",
            );
            return None;
        }
    };
    if !min.is_finite() || !max.is_finite() || min < 0.0 {
        r.field("dose.min", "must be a number of zero or more");
    } else if min > max {
        r.field("dose", format!("min ({min}) is larger than max ({max})"));
    }
    let unit = match raw.unit.as_deref() {
        None => {
            r.field(
                "dose.unit",
                format!("is missing (accepted: {})", DOSE_UNITS.join(", ")),
            );
            None
        }
        Some(u) => match units::canonical(u, DOSE_UNITS) {
            Some(c) => Some(c.to_string()),
            None => {
                r.field(
                    "dose.unit",
                    format!("unknown unit '{u}' (accepted: {})", DOSE_UNITS.join(", ")),
                );
                None
            }
        },
    };
    if let Some(per) = raw.per.as_deref()
        && !DOSE_PER.contains(&per)
    {
        r.field(
            "dose.per",
            format!("unknown '{per}' (accepted: {})", DOSE_PER.join(", ")),
        );
    }
    (r.issues.len() == before).then(|| Dose {
        min,
        max,
        unit: unit.unwrap_or_default(),
        per: raw.per,
    })
}

fn check_lab(raw: RawLab, r: &mut Reporter) -> Option<LabInfo> {
    let before = r.issues.len();
    let loinc = r.required("lab.loinc", raw.loinc);
    if !loinc.is_empty() && !is_loinc(&loinc) {
        r.field(
            "lab.loinc",
            format!("'{loinc}' is not a LOINC code (digits, '-', check digit)"),
        );
    }
    for (i, code) in raw.also_loinc.iter().enumerate() {
        if !is_loinc(code) || *code == loinc {
            r.field(
                &format!("lab.also_loinc[{i}]"),
                format!("'{code}' is not another LOINC code (digits, '-', check digit)"),
            );
        }
    }
    let lab_unit = |field: &str, u: &str, r: &mut Reporter| match units::canonical(u, LAB_UNITS) {
        Some(c) => c.to_string(),
        None => {
            r.field(
                field,
                format!("unknown unit '{u}' (accepted: {})", LAB_UNITS.join(", ")),
            );
            String::new()
        }
    };
    let unit = match raw.unit.as_deref() {
        Some(u) => lab_unit("lab.unit", u, r),
        None => {
            r.field("lab.unit", "is missing");
            String::new()
        }
    };
    let mut factors = Vec::new();
    for (i, uf) in raw.units.iter().enumerate() {
        let field = format!("lab.units[{i}]");
        let unit = lab_unit(&format!("{field}.unit"), &uf.unit, r);
        if !(uf.factor.is_finite() && uf.factor > 0.0) {
            r.field(&format!("{field}.factor"), "must be a positive number");
        }
        factors.push(UnitFactor {
            unit,
            factor: uf.factor,
        });
    }
    (r.issues.len() == before).then_some(LabInfo {
        loinc,
        also_loinc: raw.also_loinc,
        unit,
        units: factors,
    })
}

fn check_references(
    located: &Located,
    ids: &HashMap<String, (String, usize)>,
    sources: &HashMap<String, (String, usize)>,
    issues: &mut Vec<KbIssue>,
) {
    let e = &located.entry;
    let mut r = Reporter {
        issues,
        file: &e.file,
        line: located.line,
        entry: Some(e.id.clone()),
    };
    for (i, s) in e.sources.iter().enumerate() {
        if !sources.contains_key(s) {
            r.field(
                &format!("sources[{i}]"),
                format!("'{s}' is not defined in sources.toml"),
            );
        }
    }
    if let Some(g) = &e.guideline
        && !sources.contains_key(&g.source)
    {
        r.field(
            "guideline.source",
            format!("'{}' is not defined in sources.toml", g.source),
        );
    }
    for (i, target) in e.indications.iter().enumerate() {
        if target != "rls" && !ids.contains_key(target) {
            r.field(
                &format!("indications[{i}]"),
                format!("'{target}' is neither \"rls\" nor the id of any entry"),
            );
        }
    }
    for (field, list) in [
        ("member_of", &e.member_of),
        ("related", &e.related),
        ("ingredients", &e.ingredients),
    ] {
        for (i, target) in list.iter().enumerate() {
            if target == &e.id {
                r.field(&format!("{field}[{i}]"), "an entry cannot refer to itself");
            } else if !ids.contains_key(target) {
                r.field(
                    &format!("{field}[{i}]"),
                    format!("'{target}' is not the id of any entry"),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loinc_codes_need_a_check_digit() {
        assert!(is_loinc("2276-4"));
        assert!(is_loinc("98979-8"));
        assert!(!is_loinc("2276"));
        assert!(!is_loinc("2276-45"));
        assert!(!is_loinc("ab-1"));
    }

    #[test]
    fn ids_are_kebab_case() {
        assert!(is_kebab_id("iron-oral"));
        assert!(is_kebab_id("vitamin-b12"));
        assert!(!is_kebab_id("Iron"));
        assert!(!is_kebab_id("iron_oral"));
        assert!(!is_kebab_id("iron--oral"));
        assert!(!is_kebab_id("-iron"));
    }

    #[test]
    fn lines_count_from_one() {
        assert_eq!(line_of("a\nb\nc", 0), 1);
        assert_eq!(line_of("a\nb\nc", 2), 2);
        assert_eq!(line_of("a\nb\nc", 99), 3);
    }
}
