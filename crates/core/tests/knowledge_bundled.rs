//! The knowledge compiled into the binary: valid, complete against the seed articles and the
//! spec's canonical ids, and searchable by the names people actually use.

use quietlegs_core::knowledge::{self, Evidence, Kind, KnowledgeBase};

fn kb() -> &'static KnowledgeBase {
    match knowledge::bundled() {
        Ok(kb) => kb,
        Err(err) => panic!("{err}"),
    }
}

#[test]
fn bundled_knowledge_is_valid() {
    let kb = kb();
    assert!(
        kb.entries().len() > 150,
        "only {} entries",
        kb.entries().len()
    );
}

/// Spec section 4: ids other tools rely on, with the kind each must have.
const CANONICAL: &[(&str, &[&str])] = &[
    (
        "remedy",
        &[
            "iron-oral",
            "iron-iv",
            "vitamin-c",
            "magnesium",
            "potassium",
            "vitamin-d",
            "vitamin-b12",
            "folate",
            "vitamin-b6",
            "l-tyrosine",
            "mucuna",
            "valerian",
            "passionflower",
            "chamomile",
            "lemon-balm",
            "ashwagandha",
            "reishi",
            "lavender",
            "l-theanine",
            "melatonin",
            "quinine",
            "exercise",
            "yoga",
            "stretching",
            "massage",
            "epsom-bath",
            "heat",
            "cold",
            "contrast-therapy",
            "compression-socks",
            "pneumatic-compression",
            "vibration-pad",
            "breathing",
            "meditation",
            "sleep-hygiene",
            "cbt",
            "elimination-diet",
        ],
    ),
    (
        "trigger",
        &[
            "caffeine",
            "alcohol",
            "nicotine",
            "sugar",
            "sedating-antihistamine",
            "antidepressant",
            "antipsychotic",
            "dopamine-antagonist-antiemetic",
            "sleep-loss",
            "late-vigorous-exercise",
        ],
    ),
    (
        "condition",
        &[
            "ckd",
            "dialysis",
            "pregnancy",
            "hemochromatosis",
            "iron-deficiency-anemia",
            "neuropathy",
            "diabetes",
            "parkinsons",
            "multiple-sclerosis",
        ],
    ),
    (
        "lab",
        &[
            "ferritin",
            "tsat",
            "serum-iron",
            "tibc",
            "hemoglobin",
            "vitamin-d-25oh",
            "vitamin-b12",
            "folate",
            "magnesium",
            "potassium",
            "creatinine",
            "egfr",
        ],
    ),
    (
        "medication",
        &[
            "dopamine-agonist",
            "levodopa",
            "gabapentinoid",
            "maoi",
            "levothyroxine",
            "ace-inhibitor",
            "arb",
            "potassium-sparing-diuretic",
            "bisphosphonate",
            "tetracycline",
            "fluoroquinolone",
            "ppi",
        ],
    ),
];

#[test]
fn every_canonical_id_exists_with_the_right_kind() {
    let kb = kb();
    let mut missing = Vec::new();
    for (group, ids) in CANONICAL {
        for id in *ids {
            let Some(e) = kb.get(id) else {
                missing.push(format!("{group}: {id} is missing"));
                continue;
            };
            let ok = match *group {
                "trigger" => e.kind == Kind::Trigger,
                "condition" => e.kind == Kind::Condition,
                "medication" => e.kind == Kind::Medication,
                "lab" => e.lab.is_some(),
                _ => !matches!(
                    e.kind,
                    Kind::Trigger | Kind::Condition | Kind::Lab | Kind::Cause
                ),
            };
            if !ok {
                missing.push(format!("{group}: {id} has kind {}", e.kind));
            }
        }
    }
    assert!(missing.is_empty(), "{missing:#?}");
}

/// What each seed article names, in its words, and the entry that must answer for it.
/// Walked by hand through the four articles in `shared/seeds/`.
const SEED_ITEMS: &[(&str, &str, &str)] = &[
    // 000: "The real causes of restless legs syndrome"
    ("000", "alpha-2-delta ligands", "gabapentinoid"),
    ("000", "benzodiazepines", "benzodiazepine"),
    ("000", "genes", "genetics"),
    ("000", "brain iron", "brain-iron-deficiency"),
    ("000", "dopamine shortage", "dopamine-dysfunction"),
    ("000", "lack of sleep", "sleep-loss"),
    ("000", "basal ganglia", "basal-ganglia-dysfunction"),
    ("000", "lactic acid", "lactic-acid-buildup"),
    ("000", "electrolyte imbalance", "electrolyte-imbalance"),
    ("000", "pramipexole", "pramipexole"),
    ("000", "ropinirole", "ropinirole"),
    ("000", "L-tyrosine", "l-tyrosine"),
    ("000", "pastured eggs", "tyrosine-rich-foods"),
    ("000", "mucuna pruriens", "mucuna"),
    ("000", "ferrous sulfate", "iron-oral"),
    ("000", "carbonyl iron", "iron-oral"),
    ("000", "iron intravenously", "iron-iv"),
    ("000", "beef liver", "iron-rich-foods"),
    ("000", "Brussels sprouts", "vitamin-c-foods"),
    ("000", "magnesium glycinate", "magnesium"),
    ("000", "magnesium malate", "magnesium"),
    ("000", "epsom salt baths", "epsom-bath"),
    ("000", "potassium citrate", "potassium"),
    ("000", "leafy beet tops", "potassium-rich-foods"),
    ("000", "Iyengar yoga", "yoga"),
    ("000", "yoga nidra", "yoga-nidra"),
    ("000", "irritable bowel disease", "ibd"),
    ("000", "SIBO", "sibo"),
    ("000", "low carb, high fat", "low-carb-high-fat-diet"),
    ("000", "probiotics", "probiotics"),
    ("000", "pitch-black bedroom", "sleep-hygiene"),
    ("000", "electronics before bed", "screens-before-bed"),
    ("000", "methylcobalamin", "vitamin-b12"),
    ("000", "hydroxocobalamin", "vitamin-b12"),
    ("000", "methyl folate", "folate"),
    // 001: "Natural solutions for restless leg syndrome"
    ("001", "ferritin", "ferritin"),
    ("001", "TIBC", "tibc"),
    ("001", "transferrin saturation", "tsat"),
    ("001", "serum iron", "serum-iron"),
    ("001", "vitamin C", "vitamin-c"),
    ("001", "blackstrap molasses", "iron-rich-foods"),
    ("001", "magnesium threonate", "magnesium"),
    ("001", "glycine", "glycine"),
    ("001", "taurine", "taurine"),
    ("001", "vitamin D3", "vitamin-d"),
    ("001", "vitamin K2", "vitamin-k2"),
    ("001", "B-complex", "b-complex"),
    ("001", "nutritional yeast", "b-vitamin-foods"),
    ("001", "vitamin B6", "vitamin-b6"),
    ("001", "coconut water", "potassium-rich-foods"),
    ("001", "sesame seeds", "calcium-rich-foods"),
    ("001", "valerian root", "valerian"),
    ("001", "passionflower", "passionflower"),
    ("001", "chamomile", "chamomile"),
    ("001", "lemon balm", "lemon-balm"),
    ("001", "Melissa officinalis", "lemon-balm"),
    ("001", "ashwagandha", "ashwagandha"),
    ("001", "reishi mushroom", "reishi"),
    ("001", "lavender essential oil", "lavender"),
    ("001", "calf raises", "stretching"),
    ("001", "ankle circles", "stretching"),
    ("001", "arnica", "arnica"),
    ("001", "heating pad", "heat"),
    ("001", "warm compress", "heat"),
    ("001", "contrast therapy", "contrast-therapy"),
    ("001", "coherent breathing", "breathing"),
    ("001", "4-7-8 breathing", "breathing"),
    ("001", "body scan", "meditation"),
    ("001", "blackout curtains", "sleep-hygiene"),
    ("001", "caffeine after noon", "caffeine-curfew"),
    ("001", "blue light", "screens-before-bed"),
    ("001", "anti-inflammatory diet", "anti-inflammatory-diet"),
    ("001", "processed sugar", "sugar"),
    ("001", "artificial sweeteners", "artificial-sweeteners"),
    ("001", "gluten", "gluten"),
    ("001", "dairy", "dairy"),
    ("001", "nightshades", "nightshades"),
    ("001", "elimination diet", "elimination-diet"),
    ("001", "L-theanine", "l-theanine"),
    ("001", "cognitive-behavioral therapy", "cbt"),
    ("001", "gratitude journaling", "gratitude-journaling"),
    ("001", "weighted blanket", "weighted-blanket"),
    ("001", "swimming", "exercise"),
    (
        "001",
        "intense late-evening workouts",
        "late-vigorous-exercise",
    ),
    ("001", "iron infusions", "iron-iv"),
    ("001", "dopamine agonists", "dopamine-agonist"),
    ("001", "gabapentin", "gabapentin"),
    ("001", "pregabalin", "pregabalin"),
    ("001", "inflammation", "inflammation"),
    ("001", "poor circulation", "poor-circulation"),
    ("001", "visualize warmth", "visualization"),
    ("001", "herbal tea", "herbal-tea"),
    // 002: "Natural remedies for restless leg syndrome"
    ("002", "hemoglobin", "hemoglobin"),
    ("002", "magnesium oxide", "magnesium"),
    ("002", "magnesium oil spray", "magnesium-oil"),
    ("002", "resistance training", "exercise"),
    ("002", "Downward Dog", "yoga"),
    ("002", "Legs Up the Wall", "legs-up-the-wall"),
    ("002", "dark chocolate", "caffeine"),
    ("002", "alcohol", "alcohol"),
    ("002", "refined sugar", "sugar"),
    ("002", "Benadryl", "diphenhydramine"),
    ("002", "diphenhydramine", "diphenhydramine"),
    ("002", "PM pain reliever", "sedating-antihistamine"),
    ("002", "antidepressants", "antidepressant"),
    ("002", "blood pressure meds", "blood-pressure-medicines"),
    ("002", "ice packs", "cold"),
    ("002", "Relaxis", "vibration-pad"),
    ("002", "foam roller", "percussion-massager"),
    ("002", "Theragun", "percussion-massager"),
    ("002", "compression socks", "compression-socks"),
    ("002", "Mindfulness-Based Stress Reduction", "meditation"),
    ("002", "stress", "stress"),
    (
        "002",
        "sequential pneumatic compression",
        "pneumatic-compression",
    ),
    ("002", "evening walk", "evening-walk"),
    ("002", "leg cramps", "leg-cramps"),
    ("002", "charley horse", "leg-cramps"),
    // 003: "Natural remedies for restless legs at night"
    ("003", "kidney failure", "ckd"),
    ("003", "diabetes", "diabetes"),
    ("003", "iron deficiency anemia", "iron-deficiency-anemia"),
    ("003", "numbness", "neuropathy"),
    ("003", "iron bisglycinate", "iron-oral"),
    ("003", "transdermal magnesium", "magnesium-oil"),
    ("003", "melatonin", "melatonin"),
    ("003", "valerian", "valerian"),
    ("003", "cold tile floor", "cold"),
    ("003", "hot/cold showers", "contrast-therapy"),
    ("003", "banana", "potassium-rich-foods"),
    ("003", "hemochromatosis", "hemochromatosis"),
    ("003", "Prozac", "fluoxetine"),
    ("003", "Zoloft", "sertraline"),
    ("003", "SSRIs", "ssri"),
    ("003", "nerve conduction testing", "nerve-conduction-study"),
    ("003", "pregnancy", "pregnancy"),
    ("003", "tonic water", "quinine"),
    ("003", "stretch", "stretching"),
    ("003", "massage", "massage"),
    ("003", "neuropathy", "neuropathy"),
];

#[test]
fn every_seed_item_is_in_the_knowledge_base() {
    let kb = kb();
    let mut missing = Vec::new();
    for (seed, phrase, id) in SEED_ITEMS {
        let Some(entry) = kb.get(id) else {
            missing.push(format!("seed {seed}: '{phrase}' -> no entry '{id}'"));
            continue;
        };
        let top: Vec<&str> = kb
            .search(phrase)
            .iter()
            .take(3)
            .map(|h| h.entry.id.as_str())
            .collect();
        if !top.contains(&entry.id.as_str()) {
            missing.push(format!("seed {seed}: '{phrase}' finds {top:?}, not '{id}'"));
        }
    }
    assert!(
        missing.is_empty(),
        "{} gaps:\n{}",
        missing.len(),
        missing.join("\n")
    );
}

#[test]
fn brand_names_find_the_generic() {
    let kb = kb();
    for (brand, generic) in [
        ("Zoloft", "sertraline"),
        ("Benadryl", "diphenhydramine"),
        ("Epsom", "epsom-bath"),
        ("Requip", "ropinirole"),
        ("Mirapex", "pramipexole"),
        ("Lyrica", "pregabalin"),
        ("Synthroid", "levothyroxine"),
        ("Nexium", "esomeprazole"),
        ("zoloft ", "sertraline"),
    ] {
        let first = kb.search(brand).first().map(|h| h.entry.id.clone());
        assert_eq!(first.as_deref(), Some(generic), "searching {brand:?}");
    }
}

#[test]
fn claims_that_outrun_the_evidence_carry_a_verdict() {
    let kb = kb();
    for id in [
        "melatonin",
        "quinine",
        "vitamin-d",
        "vitamin-b12",
        "magnesium",
        "iron-oral",
        "compression-socks",
        "valerian",
        "mucuna",
        "potassium",
        "sedating-antihistamine",
        "caffeine",
        "epsom-bath",
        "lactic-acid-buildup",
    ] {
        let e = kb.get(id).unwrap_or_else(|| panic!("{id} missing"));
        assert!(
            e.verdict.as_deref().is_some_and(|v| v.len() > 40),
            "{id} needs a verdict"
        );
    }
}

#[test]
fn harmful_or_counter_evidence_items_are_graded_x() {
    let kb = kb();
    for id in ["melatonin", "quinine", "mucuna"] {
        assert_eq!(kb.get(id).map(|e| e.evidence), Some(Evidence::X), "{id}");
    }
    assert_eq!(kb.get("ferritin").map(|e| e.evidence), Some(Evidence::A));
}

#[test]
fn things_a_person_can_try_say_how_long_to_try_them() {
    let kb = kb();
    let tryable = [
        Kind::Supplement,
        Kind::Herb,
        Kind::MindBody,
        Kind::Physical,
        Kind::Device,
    ];
    let missing: Vec<&str> = kb
        .entries()
        .iter()
        .filter(|e| tryable.contains(&e.kind) && e.evidence != Evidence::X)
        .filter(|e| e.onset_days.is_none())
        .map(|e| e.id.as_str())
        .collect();
    assert!(missing.is_empty(), "no onset_days: {missing:?}");
}

#[test]
fn lab_units_convert_to_the_canonical_unit() {
    let kb = kb();
    let lab = |id: &str| kb.get(id).and_then(|e| e.lab.clone()).expect(id);
    assert_eq!(lab("ferritin").to_canonical(42.0, "µg/L"), Some(42.0));
    let vit_d = lab("vitamin-d-25oh")
        .to_canonical(75.0, "nmol/L")
        .expect("nmol/L accepted");
    assert!(
        (vit_d - 30.0).abs() < 0.1,
        "75 nmol/L is about 30 ng/mL, got {vit_d}"
    );
    let hb = lab("hemoglobin")
        .to_canonical(135.0, "g/L")
        .expect("g/L accepted");
    assert!((hb - 13.5).abs() < 1e-9);
    let creat = lab("creatinine")
        .to_canonical(88.4, "umol/L")
        .expect("umol/L accepted");
    assert!(
        (creat - 1.0).abs() < 0.01,
        "88.4 umol/L is 1 mg/dL, got {creat}"
    );
    assert_eq!(lab("ferritin").to_canonical(1.0, "furlongs"), None);
    assert_eq!(lab("ferritin").loinc, "2276-4");
    assert_eq!(lab("tsat").loinc, "2502-3");
    assert_eq!(lab("vitamin-d-25oh").loinc, "62292-8");
}

#[test]
fn drugs_belong_to_their_class_and_trigger_group() {
    let kb = kb();
    let groups = kb.groups_of("sertraline");
    assert!(groups.contains(&"antidepressant"), "{groups:?}");
    let groups = kb.groups_of("diphenhydramine");
    assert!(groups.contains(&"sedating-antihistamine"), "{groups:?}");
    let groups = kb.groups_of("ropinirole");
    assert!(groups.contains(&"dopamine-agonist"), "{groups:?}");
}
