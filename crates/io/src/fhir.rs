//! FHIR R4 exchange. Export: a `collection` Bundle with a Patient (no identifiers unless given),
//! lab `Observation`s (LOINC codes, UCUM units), our nightly check-in `Questionnaire`, one
//! `QuestionnaireResponse` per night, and one survey `Observation` per night for the severity
//! score, `derivedFrom` its response. Import reads the labs and the nights back.

use std::borrow::Cow;

use jiff::ToSpan;
use jiff::civil::Date;
use quietlegs_core::KnowledgeBase;
use quietlegs_core::journal::columns::{COLUMNS, Column, Kind};
use quietlegs_core::journal::{Bundle, Comparator, LabRecord, NightEntry};
use quietlegs_core::profile::{LabInput, check_lab};
use serde_json::{Map, Value, json};

use crate::ImportError;

/// Our check-in questionnaire's canonical URL.
pub const QUESTIONNAIRE_URL: &str = "https://quietlegs.app/fhir/Questionnaire/nightly-check-in";
/// Our code system for the nightly severity score (LOINC has no code for it).
pub const CODE_SYSTEM: &str = "https://quietlegs.app/fhir/CodeSystem/quietlegs";
pub const SEVERITY_CODE: &str = "nightly-rls-severity";
const LOINC: &str = "http://loinc.org";
const UCUM: &str = "http://unitsofmeasure.org";
const CATEGORY: &str = "http://terminology.hl7.org/CodeSystem/observation-category";
/// The category system of FHIR STU3 and early R4 examples.
const OLD_CATEGORY: &str = "http://hl7.org/fhir/observation-category";

/// Who the export is about: nothing identifying unless the person asks for it.
#[derive(Debug, Clone, Default)]
pub struct PatientInfo {
    pub name: Option<String>,
}

/// The UCUM code for a lab unit however the person spelled it ("µg/L", "mcg/l" -> "ug/L").
/// Our canonical spellings are UCUM already except these two, whose UCUM forms differ.
pub fn ucum(unit: &str) -> String {
    match quietlegs_core::units::canonical(unit, quietlegs_core::units::LAB_UNITS) {
        Some("mL/min/1.73m2") => "mL/min/{1.73_m2}".into(),
        Some("mEq/L") => "meq/L".into(),
        Some(known) => known.to_string(),
        None => unit.to_string(),
    }
}

fn from_ucum(code: &str) -> String {
    match code {
        "mL/min/{1.73_m2}" => "mL/min/1.73m2".into(),
        "meq/L" => "mEq/L".into(),
        other => other.to_string(),
    }
}

/// Stable ids within one export: `urn:uuid:` references that need no random source, so the same
/// data always exports to the same bytes.
fn urn(kind: u8, n: usize) -> String {
    format!("urn:uuid:{kind:08x}-0000-4000-8000-{n:012x}")
}

/// The answer type of a journal column in the questionnaire.
fn item_type(kind: Kind) -> &'static str {
    match kind {
        Kind::Date => "date",
        Kind::Severity | Kind::Count { .. } => "integer",
        Kind::Clock => "time",
        Kind::Flag => "boolean",
        Kind::Intensity => "choice",
        Kind::Text { .. } => "text",
        Kind::Number { .. } => "decimal",
    }
}

/// The columns a check-in answers (the night is the response's date).
fn answered() -> impl Iterator<Item = &'static Column> {
    COLUMNS.iter().filter(|c| c.kind != Kind::Date)
}

fn questionnaire() -> Value {
    let mut items: Vec<Value> = answered()
        .map(|column| {
            let c = column.name;
            let mut item =
                json!({"linkId": c, "text": c.replace('_', " "), "type": item_type(column.kind)});
            if c == "severity" {
                item["required"] = json!(true);
                item["text"] = json!(
                    "How bad were your legs that evening and night (0 = not at all, 10 = worst)?"
                );
            }
            if column.kind == Kind::Intensity {
                item["answerOption"] = json!(
                    ["light", "moderate", "vigorous"]
                        .iter()
                        .map(|v| json!({"valueCoding": {"code": v, "display": v}}))
                        .collect::<Vec<_>>()
                );
            }
            item
        })
        .collect();
    items.push(json!({
        "linkId": "took", "text": "What was taken or done that day", "type": "group", "repeats": true,
        "item": [
            {"linkId": "took.id", "text": "knowledge-base id", "type": "string"},
            {"linkId": "took.taken", "text": "taken", "type": "boolean"}
        ]
    }));
    json!({
        "resourceType": "Questionnaire",
        "url": QUESTIONNAIRE_URL,
        "name": "QuietlegsNightlyCheckIn",
        "title": "Quietlegs nightly check-in",
        "status": "active",
        "subjectType": ["Patient"],
        "item": items,
    })
}

fn answer(column: &Column, text: &str) -> Option<Value> {
    Some(match item_type(column.kind) {
        "integer" => json!({"valueInteger": text.parse::<i64>().ok()?}),
        "decimal" => json!({"valueDecimal": text.parse::<f64>().ok()?}),
        "time" => json!({"valueTime": format!("{text}:00")}),
        "boolean" => json!({"valueBoolean": text == "1"}),
        "choice" => json!({"valueCoding": {"code": text}}),
        _ => json!({"valueString": text}),
    })
}

fn response(entry: &NightEntry, night: Date, patient: &str) -> Value {
    let mut items: Vec<Value> = Vec::new();
    for column in answered() {
        let text = entry.field(column.name);
        if text.is_empty() {
            continue;
        }
        if let Some(a) = answer(column, &text) {
            items.push(json!({"linkId": column.name, "answer": [a]}));
        }
    }
    for (id, taken) in &entry.took {
        items.push(json!({"linkId": "took", "item": [
            {"linkId": "took.id", "answer": [{"valueString": id}]},
            {"linkId": "took.taken", "answer": [{"valueBoolean": taken}]}
        ]}));
    }
    json!({
        "resourceType": "QuestionnaireResponse",
        "questionnaire": QUESTIONNAIRE_URL,
        "status": "completed",
        "subject": {"reference": patient},
        "authored": night.to_string(),
        "item": items,
    })
}

fn severity_observation(entry: &NightEntry, night: Date, patient: &str, response: &str) -> Value {
    let end = night.checked_add(1.day()).unwrap_or(night);
    json!({
        "resourceType": "Observation",
        "status": "final",
        "category": [{"coding": [{"system": CATEGORY, "code": "survey", "display": "Survey"}]}],
        "code": {"coding": [{"system": CODE_SYSTEM, "code": SEVERITY_CODE,
                             "display": "Nightly restless legs severity (0-10)"}],
                 "text": "Nightly restless legs severity (0-10)"},
        "subject": {"reference": patient},
        "effectivePeriod": {"start": night.to_string(), "end": end.to_string()},
        "valueInteger": entry.severity,
        "derivedFrom": [{"reference": response}],
    })
}

fn lab_observation(lab: &LabRecord, kb: &KnowledgeBase, patient: &str) -> Option<Value> {
    let entry = kb.get(&lab.test)?;
    let info = entry.lab.as_ref()?;
    let mut quantity =
        json!({"value": lab.value, "unit": lab.unit, "system": UCUM, "code": ucum(&lab.unit)});
    if let Some(c) = lab.comparator {
        quantity["comparator"] = json!(c.as_str());
    }
    Some(json!({
        "resourceType": "Observation",
        "status": "final",
        "category": [{"coding": [{"system": CATEGORY, "code": "laboratory", "display": "Laboratory"}]}],
        "code": {"coding": [{"system": LOINC, "code": info.loinc, "display": entry.name}],
                 "text": entry.name},
        "subject": {"reference": patient},
        "effectiveDateTime": lab.date.to_string(),
        "valueQuantity": quantity,
    }))
}

/// The Bundle's entries, one at a time: Patient, Questionnaire, labs, then each night's
/// response and severity Observation.
fn entries<'a>(
    bundle: &'a Bundle,
    kb: &'a KnowledgeBase,
    patient: &PatientInfo,
) -> impl Iterator<Item = Value> + 'a {
    let patient_ref = urn(1, 1);
    let mut person = json!({"resourceType": "Patient", "active": true});
    if let Some(name) = &patient.name {
        person["name"] = json!([{"text": name}]);
    }
    let head = [
        json!({"fullUrl": patient_ref, "resource": person}),
        json!({"fullUrl": urn(2, 1), "resource": questionnaire()}),
    ];
    let labs_ref = patient_ref.clone();
    let labs = bundle.labs.iter().enumerate().filter_map(move |(i, lab)| {
        lab_observation(lab, kb, &labs_ref)
            .map(|obs| json!({"fullUrl": urn(3, i + 1), "resource": obs}))
    });
    let nights = bundle
        .nights
        .iter()
        .enumerate()
        .filter_map(move |(i, night)| {
            let date = night.night?;
            let response_ref = urn(4, i + 1);
            Some([
                json!({"fullUrl": response_ref, "resource": response(night, date, &patient_ref)}),
                json!({
                    "fullUrl": urn(5, i + 1),
                    "resource": severity_observation(night, date, &patient_ref, &response_ref)
                }),
            ])
        })
        .flatten();
    head.into_iter().chain(labs).chain(nights)
}

/// The FHIR Bundle for everything exportable in `bundle`.
pub fn export(bundle: &Bundle, kb: &KnowledgeBase, patient: &PatientInfo) -> Value {
    let entries: Vec<Value> = entries(bundle, kb, patient).collect();
    json!({"resourceType": "Bundle", "type": "collection", "entry": entries})
}

/// [`export`], written entry by entry as compact JSON: memory stays at one entry plus what
/// `out` keeps, where the whole tree of a ten-year journal takes well over 100 MB.
pub fn write_export<W: std::io::Write>(
    mut out: W,
    bundle: &Bundle,
    kb: &KnowledgeBase,
    patient: &PatientInfo,
) -> std::io::Result<()> {
    out.write_all(br#"{"resourceType":"Bundle","type":"collection","entry":["#)?;
    for (i, entry) in entries(bundle, kb, patient).enumerate() {
        if i > 0 {
            out.write_all(b",")?;
        }
        serde_json::to_writer(&mut out, &entry)?;
    }
    out.write_all(b"]}\n")
}

struct Reader<'a> {
    file: &'a str,
}

impl Reader<'_> {
    fn err(&self, path: &str, message: impl Into<String>) -> ImportError {
        ImportError::new(self.file, None, Some(path), message)
    }

    fn str<'v>(&self, v: &'v Value, path: &str) -> Result<&'v str, ImportError> {
        v.as_str()
            .ok_or_else(|| self.err(path, "is missing or not text"))
    }
}

fn has_coding(resource: &Value, field: &str, system: &str, code: &str) -> bool {
    let codings = match resource.get(field) {
        Some(Value::Array(list)) => list
            .iter()
            .filter_map(|c| c.get("coding"))
            .collect::<Vec<_>>(),
        Some(obj @ Value::Object(_)) => obj.get("coding").into_iter().collect(),
        _ => Vec::new(),
    };
    codings
        .iter()
        .filter_map(|c| c.as_array())
        .flatten()
        .any(|c| {
            c.get("system").and_then(Value::as_str) == Some(system)
                && c.get("code").and_then(Value::as_str) == Some(code)
        })
}

fn loinc_of(resource: &Value) -> Option<&str> {
    resource
        .get("code")?
        .get("coding")?
        .as_array()?
        .iter()
        .find(|c| c.get("system").and_then(Value::as_str) == Some(LOINC))?
        .get("code")?
        .as_str()
}

fn read_lab(
    r: &Reader,
    resource: &Value,
    path: &str,
    kb: &KnowledgeBase,
    today: Date,
) -> Result<LabRecord, ImportError> {
    let loinc =
        loinc_of(resource).ok_or_else(|| r.err(&format!("{path}.code"), "has no LOINC code"))?;
    let entry = lab_entry(kb, loinc).ok_or_else(|| {
        r.err(
            &format!("{path}.code"),
            format!("LOINC {loinc} is not a test Quietlegs knows"),
        )
    })?;
    let quantity = resource
        .get("valueQuantity")
        .ok_or_else(|| r.err(&format!("{path}.valueQuantity"), "is missing"))?;
    let value = quantity
        .get("value")
        .and_then(Value::as_f64)
        .ok_or_else(|| {
            r.err(
                &format!("{path}.valueQuantity.value"),
                "is missing or not a number",
            )
        })?;
    let comparator = match quantity.get("comparator") {
        None => None,
        Some(c) => Some(c.as_str().and_then(Comparator::parse).ok_or_else(|| {
            r.err(
                &format!("{path}.valueQuantity.comparator"),
                format!("{c} is not one of <, <=, >=, >"),
            )
        })?),
    };
    let unit = quantity
        .get("code")
        .and_then(Value::as_str)
        .map(from_ucum)
        .or_else(|| {
            quantity
                .get("unit")
                .and_then(Value::as_str)
                .map(str::to_string)
        })
        .ok_or_else(|| r.err(&format!("{path}.valueQuantity.code"), "is missing"))?;
    // When the sample was taken, as labs write it: a moment, a period's start, or failing both
    // the moment the result was issued.
    let (field, when) = [
        ("effectiveDateTime", resource.get("effectiveDateTime")),
        (
            "effectivePeriod.start",
            resource.pointer("/effectivePeriod/start"),
        ),
        ("issued", resource.get("issued")),
    ]
    .into_iter()
    .find_map(|(f, v)| v.map(|v| (f, v)))
    .ok_or_else(|| {
        r.err(
            &format!("{path}.effectiveDateTime"),
            "is missing (and there is no effectivePeriod or issued date)",
        )
    })?;
    let when = r.str(when, &format!("{path}.{field}"))?;
    let date: Date = when.get(..10).and_then(plain_date).ok_or_else(|| {
        r.err(
            &format!("{path}.{field}"),
            format!("'{when}' is not a date"),
        )
    })?;
    let input = LabInput {
        test: entry.id.clone(),
        value,
        unit: unit.clone(),
        date: Some(date),
        comparator,
    };
    let checked = check_lab(kb, &input, today, "")
        .map_err(|e| r.err(&format!("{path}.valueQuantity"), e.message))?;
    Ok(LabRecord {
        test: checked.test,
        value,
        unit,
        canonical_value: checked.value,
        canonical_unit: checked.unit,
        date,
        source: "fhir".into(),
        comparator,
    })
}

fn answer_text(answer: &Value) -> Option<String> {
    let (key, v) = answer
        .as_object()?
        .iter()
        .find(|(k, _)| k.starts_with("value"))?;
    Some(match (key.as_str(), v) {
        ("valueBoolean", Value::Bool(b)) => if *b { "1" } else { "0" }.to_string(),
        ("valueTime", Value::String(t)) => t.get(..5).unwrap_or(t).to_string(),
        ("valueCoding", c) => c.get("code")?.as_str()?.to_string(),
        (_, Value::String(s)) => s.clone(),
        (_, Value::Number(n)) => n.to_string(),
        _ => return None,
    })
}

fn read_night(r: &Reader, resource: &Value, path: &str) -> Result<NightEntry, ImportError> {
    let authored = r.str(
        resource.get("authored").unwrap_or(&Value::Null),
        &format!("{path}.authored"),
    )?;
    let night: Date = authored.get(..10).and_then(plain_date).ok_or_else(|| {
        r.err(
            &format!("{path}.authored"),
            format!("'{authored}' is not a date"),
        )
    })?;
    let mut entry = NightEntry {
        night: Some(night),
        ..NightEntry::default()
    };
    let mut has_severity = false;
    let items = resource
        .get("item")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    for (i, item) in items.iter().enumerate() {
        let at = format!("{path}.item[{i}]");
        let link = r.str(
            item.get("linkId").unwrap_or(&Value::Null),
            &format!("{at}.linkId"),
        )?;
        if link == "took" {
            let mut id = None;
            let mut taken = None;
            for sub in item
                .get("item")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                let first = sub
                    .get("answer")
                    .and_then(|a| a.get(0))
                    .and_then(answer_text);
                match sub.get("linkId").and_then(Value::as_str) {
                    Some("took.id") => id = first,
                    Some("took.taken") => taken = first,
                    _ => {}
                }
            }
            if let (Some(id), Some(taken)) = (id, taken) {
                entry
                    .set_field(&format!("took:{id}"), &taken)
                    .map_err(|e| r.err(&at, e.to_string()))?;
            }
            continue;
        }
        let Some(text) = item
            .get("answer")
            .and_then(|a| a.get(0))
            .and_then(answer_text)
        else {
            continue;
        };
        if link == "severity" {
            has_severity = true;
        }
        entry
            .set_field(link, &text)
            .map_err(|e| r.err(&format!("{at}.answer"), e.to_string()))?;
    }
    if !has_severity {
        return Err(r.err(&format!("{path}.item"), "has no severity answer"));
    }
    Ok(entry)
}

/// What a FHIR file held, and what of it was left out on purpose.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FhirImport {
    pub bundle: Bundle,
    /// One line per kind of thing skipped, with its count ("2 Observations with status
    /// entered-in-error: never imported"), for the person to read.
    pub skipped: Vec<String>,
}

/// The test of ours that a LOINC code names.
fn lab_entry<'k>(kb: &'k KnowledgeBase, loinc: &str) -> Option<&'k quietlegs_core::Entry> {
    kb.entries()
        .iter()
        .find(|e| e.lab.as_ref().is_some_and(|l| l.has_loinc(loinc)))
}

/// A laboratory Observation: by its category (today's system or the older one HL7's own examples
/// still use), or, with no category at all, by a LOINC code that is one of our tests.
fn is_lab(resource: &Value, kb: &KnowledgeBase) -> bool {
    if has_coding(resource, "category", CATEGORY, "laboratory")
        || has_coding(resource, "category", OLD_CATEGORY, "laboratory")
    {
        return true;
    }
    resource.get("category").is_none()
        && loinc_of(resource).is_some_and(|loinc| lab_entry(kb, loinc).is_some())
}

/// Every Observation anywhere in `v`.
fn observations_in(v: &Value) -> usize {
    match v {
        Value::Object(map) => {
            usize::from(map.get("resourceType").and_then(Value::as_str) == Some("Observation"))
                + map.values().map(observations_in).sum::<usize>()
        }
        Value::Array(list) => list.iter().map(observations_in).sum(),
        _ => 0,
    }
}

/// Things left out, by what they were ("lab Observation") and why, with their count.
type Skipped = Vec<((&'static str, String), usize)>;

/// One more `what`, left out for `why`.
fn count(skipped: &mut Skipped, what: &'static str, why: String) {
    let key = (what, why);
    match skipped.iter_mut().find(|(k, _)| *k == key) {
        Some((_, n)) => *n += 1,
        None => skipped.push((key, 1)),
    }
}

/// Our nightly severity Observation (its code is in our own code system).
fn is_ours(resource: &Value) -> bool {
    resource
        .pointer("/code/coding/0/code")
        .and_then(Value::as_str)
        == Some(SEVERITY_CODE)
}

/// Why a lab Observation is left out without refusing the file, or `None` to read it.
fn skip_reason(resource: &Value, kb: &KnowledgeBase) -> Option<String> {
    match resource.get("status").and_then(Value::as_str) {
        Some(status @ ("entered-in-error" | "cancelled")) => {
            return Some(format!("with status {status}: never imported"));
        }
        Some(status @ ("preliminary" | "registered" | "unknown")) => {
            return Some(format!(
                "with status {status}: only final, amended or corrected results are imported"
            ));
        }
        _ => {}
    }
    let Some(loinc) = loinc_of(resource) else {
        return Some("with no LOINC code: not a test Quietlegs can place".into());
    };
    let dated = resource.get("effectiveDateTime").is_some()
        || resource.pointer("/effectivePeriod/start").is_some()
        || resource.get("issued").is_some();
    if !dated {
        return Some("with no date (effective or issued): a result must be placed in time".into());
    }
    if lab_entry(kb, loinc).is_none() {
        let name = resource
            .get("code")
            .and_then(|c| c.get("text").or_else(|| c.pointer("/coding/0/display")))
            .and_then(Value::as_str)
            .map(|t| format!(" ({t})"))
            .unwrap_or_default();
        return Some(format!(
            "for LOINC {loinc}{name}: not a test Quietlegs uses"
        ));
    }
    if resource.get("valueQuantity").is_some() {
        return None;
    }
    if let Some(reason) = resource
        .pointer("/dataAbsentReason/coding/0/code")
        .or_else(|| resource.pointer("/dataAbsentReason/text"))
        .and_then(Value::as_str)
    {
        return Some(format!("with no value (the lab says: {reason})"));
    }
    if resource.get("component").is_some() {
        return Some("that are panels: their components are read one by one".into());
    }
    if resource.get("valueString").is_some() {
        return Some("with a value given as text, with no unit to read it by".into());
    }
    Some("with no value".into())
}

/// The resources a file holds, with the path to each: a Bundle's entries (collection,
/// searchset, transaction, transaction-response, ...), or the file's single resource (what
/// Apple's clinical records and many portals hand over). A DiagnosticReport adds the
/// Observations it contains; an Observation sent as a panel of components adds one
/// Observation per component, with the panel's status, category and dates.
/// Resources as they are in the file are borrowed; an Observation made from a panel's
/// component is owned.
type Resources<'a> = Vec<(String, Cow<'a, Value>)>;

fn resources_of<'a>(r: &Reader, doc: &'a Value) -> Result<Resources<'a>, ImportError> {
    let top: Vec<(String, &Value)> = match doc.get("resourceType").and_then(Value::as_str) {
        Some("Bundle") => doc
            .get("entry")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .enumerate()
            .filter_map(|(i, e)| {
                e.get("resource")
                    .map(|res| (format!("entry[{i}].resource"), res))
            })
            .collect(),
        Some(kind @ ("Observation" | "DiagnosticReport" | "QuestionnaireResponse")) => {
            vec![(kind.to_string(), doc)]
        }
        Some(other) => {
            return Err(r.err(
                "resourceType",
                format!(
                    "\"{other}\" holds no lab results Quietlegs reads (expected a Bundle, an \
                     Observation or a DiagnosticReport)"
                ),
            ));
        }
        None => {
            return Err(r.err(
                "resourceType",
                "is missing: this is not a FHIR resource (expected a Bundle, an Observation or \
                 a DiagnosticReport)",
            ));
        }
    };
    let mut out = Vec::new();
    for (path, resource) in top {
        if resource.get("resourceType").and_then(Value::as_str) == Some("DiagnosticReport") {
            for (j, c) in resource
                .get("contained")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .enumerate()
            {
                if c.get("resourceType").and_then(Value::as_str) == Some("Observation") {
                    with_components(&mut out, format!("{path}.contained[{j}]"), c);
                }
            }
        }
        with_components(&mut out, path, resource);
    }
    Ok(out)
}

/// `resource`, and for an Observation whose results are components (an iron panel sent as
/// one Observation), one Observation per component that has a value.
fn with_components<'a>(out: &mut Resources<'a>, path: String, resource: &'a Value) {
    let components = resource
        .get("component")
        .and_then(Value::as_array)
        .filter(|_| resource.get("resourceType").and_then(Value::as_str) == Some("Observation"));
    if let Some(components) = components {
        for (k, c) in components.iter().enumerate() {
            let mut one = json!({"resourceType": "Observation"});
            for field in [
                "status",
                "category",
                "effectiveDateTime",
                "effectivePeriod",
                "issued",
            ] {
                if let Some(v) = resource.get(field) {
                    one[field] = v.clone();
                }
            }
            if let Some(obj) = c.as_object() {
                for (key, v) in obj {
                    if key == "code" || key.starts_with("value") || key == "dataAbsentReason" {
                        one[key.as_str()] = v.clone();
                    }
                }
            }
            out.push((format!("{path}.component[{k}]"), Cow::Owned(one)));
        }
    }
    out.push((path, Cow::Borrowed(resource)));
}

/// Reads a FHIR Bundle: the labs Quietlegs knows and our own nightly responses. Lab
/// Observations it cannot use (an unknown test, a result entered in error or not final) are
/// skipped and counted, never fatal; a malformed value in a known test refuses the file, naming
/// the entry and field.
pub fn import(
    text: &str,
    file: &str,
    kb: &KnowledgeBase,
    today: Date,
) -> Result<FhirImport, ImportError> {
    let r = Reader { file };
    let doc: Value = serde_json::from_str(text).map_err(|e| ImportError::not_json(file, &e))?;
    let resources = resources_of(&r, &doc)?;
    let mut out = Bundle::new();
    let mut seen = Map::new();
    let mut skipped = Skipped::new();
    let mut considered = 0;
    for (i, (path, resource)) in resources.iter().enumerate() {
        let (path, resource) = (path.as_str(), resource.as_ref());
        // Observations in the file, not the ones made from components, for the count below.
        if matches!(resources[i].1, Cow::Borrowed(_))
            && resource.get("resourceType").and_then(Value::as_str) == Some("Observation")
        {
            considered += 1;
        }
        match resource.get("resourceType").and_then(Value::as_str) {
            Some("Observation") if is_lab(resource, kb) => match skip_reason(resource, kb) {
                Some(why) => count(&mut skipped, "lab Observation", why),
                None => out.labs.push(read_lab(&r, resource, path, kb, today)?),
            },
            // Our own severity Observations come back through their QuestionnaireResponse.
            Some("Observation") if loinc_of(resource).is_none() && is_ours(resource) => {}
            Some("Observation") => count(
                &mut skipped,
                "Observation",
                "that are not laboratory results Quietlegs uses (another category, or no \
                 category and a test it does not know)"
                    .into(),
            ),
            Some("QuestionnaireResponse")
                if resource.get("questionnaire").and_then(Value::as_str)
                    == Some(QUESTIONNAIRE_URL) =>
            {
                let night = read_night(&r, resource, path)?;
                let key = night.night.map(|n| n.to_string()).unwrap_or_default();
                if seen.insert(key.clone(), json!(i)).is_some() {
                    return Err(r.err(
                        &format!("{path}.authored"),
                        format!("the night {key} appears twice"),
                    ));
                }
                out.nights.push(night);
            }
            _ => {}
        }
    }
    // Observations deeper than we read (a Bundle within the Bundle, a resource contained in
    // something other than a report): count them, so the person knows the file held more.
    let nested = observations_in(&doc).saturating_sub(considered);
    if nested > 0 {
        skipped.push((
            (
                "Observation",
                "inside other resources (a Bundle within the Bundle, or contained in something \
                 other than a DiagnosticReport): not read"
                    .into(),
            ),
            nested,
        ));
    }
    out.nights.sort_by_key(|n| n.night);
    Ok(FhirImport {
        bundle: out,
        skipped: skipped
            .into_iter()
            .map(|((what, why), n)| {
                let plural = if n == 1 { "" } else { "s" };
                format!("skipped {n} {what}{plural} {why}")
            })
            .collect(),
    })
}

/// The date at the start of a FHIR dateTime, within the years 0001-9999.
fn plain_date(text: &str) -> Option<Date> {
    quietlegs_core::limits::parse_date(text).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kb() -> &'static KnowledgeBase {
        quietlegs_core::knowledge::bundled().expect("kb")
    }

    fn sample() -> Bundle {
        let mut night = NightEntry::default();
        for (c, v) in [
            ("night", "2026-11-02"),
            ("severity", "7"),
            ("onset", "21:15"),
            ("caffeine_mg", "150"),
            ("sugar_late", "1"),
            ("exercise_intensity", "vigorous"),
            ("took:magnesium", "1"),
            ("notes", "long drive"),
        ] {
            night.set_field(c, v).expect(c);
        }
        let lab = |test: &str, value: f64, unit: &str, canonical: f64, cu: &str| LabRecord {
            test: test.into(),
            value,
            unit: unit.into(),
            canonical_value: canonical,
            canonical_unit: cu.into(),
            date: "2026-10-01".parse().expect("date"),
            source: "manual".into(),
            comparator: None,
        };
        Bundle {
            labs: vec![
                lab("ferritin", 42.0, "ng/mL", 42.0, "ng/mL"),
                lab("vitamin-d-25oh", 50.0, "nmol/L", 20.03, "ng/mL"),
            ],
            nights: vec![night],
            ..Bundle::new()
        }
    }

    /// Imports a document as a file named `x.json`, on a fixed today.
    fn import_doc(doc: &Value) -> Result<FhirImport, ImportError> {
        import(
            &doc.to_string(),
            "x.json",
            kb(),
            "2026-11-23".parse().expect("d"),
        )
    }

    #[test]
    fn labs_and_nights_round_trip() {
        let original = sample();
        let doc = export(&original, kb(), &PatientInfo::default());
        let back = import_doc(&doc).expect("import").bundle;
        assert_eq!(back.labs.len(), 2);
        for (a, b) in original.labs.iter().zip(&back.labs) {
            assert_eq!(
                (&a.test, a.value, &a.unit, a.date),
                (&b.test, b.value, &b.unit, b.date)
            );
            assert!((a.canonical_value - b.canonical_value).abs() < 1e-9);
        }
        assert_eq!(back.nights, original.nights);
    }

    #[test]
    fn loinc_codes_and_the_severity_link() {
        let doc = export(&sample(), kb(), &PatientInfo::default());
        let text = doc.to_string();
        assert!(text.contains("\"2276-4\""), "ferritin LOINC");
        assert!(text.contains("\"62292-8\""), "25-OH vitamin D LOINC");
        let entries = doc["entry"].as_array().expect("entries");
        let obs = entries
            .iter()
            .find(|e| e["resource"]["code"]["coding"][0]["code"] == SEVERITY_CODE)
            .expect("severity observation");
        let response = obs["resource"]["derivedFrom"][0]["reference"]
            .as_str()
            .expect("ref");
        assert!(entries.iter().any(|e| e["fullUrl"] == response
            && e["resource"]["resourceType"] == "QuestionnaireResponse"));
        assert!(
            entries[0]["resource"].get("identifier").is_none()
                && entries[0]["resource"].get("name").is_none()
        );
    }

    fn lab(status: &str, loinc: &str, value: Value) -> Value {
        json!({"resource": {
            "resourceType": "Observation", "status": status,
            "category": [{"coding": [{"system": CATEGORY, "code": "laboratory"}]}],
            "code": {"coding": [{"system": LOINC, "code": loinc}], "text": "a test"},
            "effectiveDateTime": "2026-01-01", "valueQuantity": {"value": value, "code": "ng/mL"}}})
    }

    #[test]
    fn unusable_results_are_skipped_and_counted_never_turned_into_advice() {
        let doc = json!({"resourceType": "Bundle", "type": "collection", "entry": [
            lab("final", "2276-4", json!(40)),
            lab("entered-in-error", "2276-4", json!(18)),
            lab("cancelled", "2276-4", json!(12)),
            lab("preliminary", "2276-4", json!(25)),
            lab("final", "9999-9", json!(1)),
            lab("final", "9999-9", json!(2)),
        ]});
        let read = import_doc(&doc).expect("the file imports");
        let values: Vec<f64> = read.bundle.labs.iter().map(|l| l.value).collect();
        assert_eq!(values, [40.0], "only the final ferritin");
        let said = read.skipped.join("\n");
        for needle in [
            "1 lab Observation with status entered-in-error",
            "1 lab Observation with status cancelled",
            "1 lab Observation with status preliminary",
            "2 lab Observations for LOINC 9999-9 (a test)",
        ] {
            assert!(said.contains(needle), "{needle} in:\n{said}");
        }
    }

    #[test]
    fn labs_as_real_systems_write_them_are_read() {
        let mut period = lab("final", "2276-4", json!(31));
        let r = &mut period["resource"];
        r.as_object_mut()
            .expect("object")
            .remove("effectiveDateTime");
        r["effectivePeriod"] = json!({"start": "2026-02-03T08:00:00Z"});
        r["category"] = json!([{"coding": [{"system": OLD_CATEGORY, "code": "laboratory"}]}]);
        let mut issued = lab("amended", "2276-4", json!(33));
        let r = &mut issued["resource"];
        r.as_object_mut()
            .expect("object")
            .remove("effectiveDateTime");
        r.as_object_mut().expect("object").remove("category");
        r["issued"] = json!("2026-03-04T10:00:00+01:00");
        let doc =
            json!({"resourceType": "Bundle", "type": "collection", "entry": [period, issued]});
        let read = import_doc(&doc).expect("imports");
        let got: Vec<(f64, String)> = read
            .bundle
            .labs
            .iter()
            .map(|l| (l.value, l.date.to_string()))
            .collect();
        assert_eq!(
            got,
            [
                (31.0, "2026-02-03".to_string()),
                (33.0, "2026-03-04".to_string())
            ]
        );
        assert!(read.skipped.is_empty());
    }

    #[test]
    fn a_malformed_value_in_a_known_test_still_refuses_the_file() {
        let doc = json!({"resourceType": "Bundle", "type": "collection", "entry": [
            lab("final", "2276-4", json!("forty")),
        ]});
        let err = import_doc(&doc).expect_err("a bad value");
        assert_eq!(
            err.column.as_deref(),
            Some("entry[0].resource.valueQuantity.value")
        );
    }

    #[test]
    fn the_streamed_export_is_the_same_bundle() {
        let kb = quietlegs_core::knowledge::bundled().expect("kb");
        let mut bundle = Bundle::default();
        for day in 1..=20 {
            let mut night = NightEntry {
                night: Some(jiff::civil::date(2026, 10, day)),
                severity: (day % 11) as u8,
                ..NightEntry::default()
            };
            night.notes = Some(format!("night {day}"));
            bundle.nights.push(night);
        }
        let patient = PatientInfo::default();
        let mut streamed = Vec::new();
        write_export(&mut streamed, &bundle, kb, &patient).expect("write");
        let streamed: Value = serde_json::from_slice(&streamed).expect("json");
        assert_eq!(streamed, export(&bundle, kb, &patient));
    }
}
