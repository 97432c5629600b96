//! Finding the names on a line: exact names, brands and forms first (longest wins), then close
//! spellings, and the ingredients a product type implies.

use super::Field;
use super::words::{Token, is_filler};
use crate::knowledge::{Entry, KnowledgeBase};

/// The longest name we look for, in words ("vitamin d3 k2 with magnesium oil").
const MAX_SPAN: usize = 6;
/// Close spellings are looked for among the first few words only: names come first.
const MAX_FUZZY_WORDS: usize = 8;

pub(super) struct Found {
    pub id: Option<String>,
    pub ingredients: Vec<String>,
    pub implied: Vec<String>,
    pub form: Option<String>,
    pub used: Vec<bool>,
}

struct Span<'k> {
    start: usize,
    end: usize,
    entry: &'k Entry,
    /// The name a close spelling was taken for ("ferous sulfate" -> "ferrous sulfate").
    meant: Option<String>,
}

/// The folded text of a run of tokens, as the knowledge base's name index spells names.
fn render(tokens: &[Token]) -> String {
    let mut out = String::new();
    for t in tokens {
        let piece = match t {
            Token::Word(w) => w.clone(),
            Token::Number(n) => crate::knowledge::entry_number(*n),
            Token::Joiner(w) if !w.is_empty() => w.clone(),
            Token::Joiner(_) => continue,
        };
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(&piece);
    }
    out
}

fn rank(entry: &Entry, field: Field) -> Option<usize> {
    field.kinds().iter().position(|k| *k == entry.kind)
}

/// The best entry answering exactly to `text` in this field.
fn exact<'k>(kb: &'k KnowledgeBase, text: &str, field: Field) -> Option<&'k Entry> {
    kb.exact(text)
        .filter_map(|e| rank(e, field).map(|r| (r, e)))
        .min_by_key(|(r, _)| *r)
        .map(|(_, e)| e)
}

fn exact_at<'k>(
    kb: &'k KnowledgeBase,
    tokens: &[Token],
    used: &[bool],
    field: Field,
    start: usize,
) -> Option<Span<'k>> {
    if matches!(tokens[start], Token::Joiner(_)) {
        return None;
    }
    for len in (1..=MAX_SPAN).rev() {
        let end = start + len;
        if end > tokens.len() || used[start..end].iter().any(|&u| u) {
            continue;
        }
        if matches!(tokens[end - 1], Token::Joiner(_)) {
            continue;
        }
        let text = render(&tokens[start..end]);
        if len == 1 && (text.chars().count() < 2 || is_filler(&text)) {
            continue;
        }
        if let Some(entry) = exact(kb, &text, field) {
            return Some(Span {
                start,
                end,
                entry,
                meant: None,
            });
        }
    }
    None
}

/// A close spelling of a name ("sertaline", "magnesuim glycinate"), when only one entry is that
/// close.
fn fuzzy<'k>(
    kb: &'k KnowledgeBase,
    tokens: &[Token],
    used: &[bool],
    field: Field,
) -> Option<Span<'k>> {
    let candidates: Vec<usize> = (0..tokens.len())
        .filter(|&i| !used[i])
        .filter(|&i| match &tokens[i] {
            Token::Word(w) => w.chars().count() >= 3 && !is_filler(w),
            _ => false,
        })
        .take(MAX_FUZZY_WORDS)
        .collect();
    for len in (1..=3).rev() {
        for window in candidates.windows(len) {
            // Only words next to each other form a name.
            if window.windows(2).any(|w| w[1] != w[0] + 1) {
                continue;
            }
            let (start, end) = (window[0], window[len - 1] + 1);
            let text = render(&tokens[start..end]);
            if let Some((entry, meant)) = confident(kb, &text, field) {
                return Some(Span {
                    start,
                    end,
                    entry,
                    meant: Some(meant),
                });
            }
        }
    }
    None
}

/// The search's best hit when it is good enough to act on and no other entry comes close, with
/// the name it matched.
fn confident<'k>(kb: &'k KnowledgeBase, text: &str, field: Field) -> Option<(&'k Entry, String)> {
    let mut hits: Vec<_> = kb
        .search(text)
        .into_iter()
        .filter(|h| rank(h.entry, field).is_some())
        .take(4)
        .collect();
    // A tie between a name spelled like the query and one that only contains a word like it
    // ("benadril": Benadryl, or Benadryl One a Day) goes to the whole name.
    let words = text.split(' ').count();
    if hits.len() > 1 && hits[0].score == hits[1].score {
        let whole: Vec<_> = hits
            .iter()
            .filter(|h| h.score == hits[0].score)
            .filter(|h| crate::knowledge::fold(&h.matched).split(' ').count() == words)
            .cloned()
            .collect();
        if whole.len() == 1 {
            hits = whole;
        }
    }
    let best = hits.first()?;
    let runner_up = hits.get(1).map_or(0, |h| h.score);
    // A whole word of a name, alone at the top: "gabapentin" in "gabapentin capsules".
    let whole_word = (best.score >= 85 || (best.score >= 75 && text.chars().count() >= 5))
        && runner_up < best.score;
    // A typo (similarity at least 0.8) of a name of five letters or more, with no rival.
    let typo = best.score < 50 && text.chars().count() >= 5 && runner_up + 3 <= best.score;
    (whole_word || typo).then(|| (best.entry, crate::knowledge::fold(&best.matched)))
}

fn form_of(entry: &Entry, text: &str) -> Option<String> {
    entry
        .forms
        .iter()
        .find(|f| {
            f.aliases.iter().any(|a| crate::knowledge::fold(a) == text)
                || crate::knowledge::fold(&f.name) == text
        })
        .map(|f| f.name.clone())
}

/// Words right after a pain reliever's name that make it a night-time product.
const NIGHT_PRODUCT: &[&str] = &["pm", "nighttime", "nite", "night", "sleep", "nocte", "zzz"];
/// Groups whose night-time products add a sedating antihistamine.
const NIGHT_BASES: &[&str] = &["nsaid", "paracetamol", "aspirin", "dextromethorphan"];

pub(super) fn find(kb: &KnowledgeBase, tokens: &[Token], taken: &[bool], field: Field) -> Found {
    let mut used = vec![false; tokens.len()];
    let mut spans: Vec<Span> = Vec::new();
    let mut i = 0;
    while i < tokens.len() {
        match exact_at(kb, tokens, taken, field, i) {
            Some(span) => {
                i = span.end;
                spans.push(span);
            }
            None => i += 1,
        }
    }
    if spans.is_empty()
        && let Some(span) = fuzzy(kb, tokens, taken, field)
    {
        spans.push(span);
    }
    // A second name counts only when the line joins it to the first ("D3 + K2", "calcium and
    // vitamin D") or repeats the same entry ("Vitamin D3 (cholecalciferol)"): a stray word
    // elsewhere on the line is not a second medicine.
    let mut kept: Vec<&Span> = Vec::new();
    for span in &spans {
        let joined = kept.last().is_none_or(|prev| {
            prev.entry.id == span.entry.id
                || tokens[prev.end..span.start]
                    .iter()
                    .any(|t| matches!(t, Token::Joiner(_)))
        });
        if joined {
            kept.push(span);
        }
    }
    let mut found = Found {
        id: kept.first().map(|s| s.entry.id.clone()),
        ingredients: Vec::new(),
        implied: Vec::new(),
        form: None,
        used: vec![false; tokens.len()],
    };
    for span in &kept {
        used[span.start..span.end].fill(true);
        let text = span
            .meant
            .clone()
            .unwrap_or_else(|| render(&tokens[span.start..span.end]));
        if found.form.is_none() {
            found.form = form_of(span.entry, &text);
        }
        let parts: Vec<String> = if span.entry.ingredients.is_empty() {
            vec![span.entry.id.clone()]
        } else {
            span.entry.ingredients.clone()
        };
        for p in parts {
            if !found.ingredients.contains(&p) {
                found.ingredients.push(p);
            }
        }
    }
    // A form named apart from the name: "magnesium 400mg glycinate".
    if let Some(first) = kept.first()
        && found.form.is_none()
    {
        for (k, t) in tokens.iter().enumerate() {
            if let Token::Word(w) = t
                && !used[k]
                && let Some(form) = form_of(first.entry, w)
            {
                found.form = Some(form);
                used[k] = true;
                break;
            }
        }
    }
    if let Some(first) = kept.first() {
        implied_night_ingredient(kb, tokens, first.end, &mut used, &mut found);
    }
    found.used = used;
    found
}

/// "Tylenol PM", "Advil Nighttime": a pain or cold reliever sold for the night carries a
/// sedating antihistamine (diphenhydramine in most), which matters more for RLS than the rest.
fn implied_night_ingredient(
    kb: &KnowledgeBase,
    tokens: &[Token],
    after_name: usize,
    used: &mut [bool],
    found: &mut Found,
) {
    let groups: Vec<&str> = found
        .ingredients
        .iter()
        .flat_map(|i| kb.groups_of(i))
        .collect();
    let base = groups.iter().any(|g| NIGHT_BASES.contains(g));
    let sedating = groups.contains(&"sedating-antihistamine");
    if !base || sedating || kb.get("diphenhydramine").is_none() {
        return;
    }
    let marker = tokens.iter().enumerate().find(|(k, t)| match t {
        Token::Word(w) if w == "pm" => !used[*k],
        Token::Word(w) => *k == after_name && NIGHT_PRODUCT.contains(&w.as_str()),
        _ => false,
    });
    if let Some((k, _)) = marker {
        used[k] = true;
        found.implied.push("diphenhydramine".into());
        found.ingredients.push("diphenhydramine".into());
    }
}
