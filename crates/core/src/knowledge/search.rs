//! Name, alias and brand search, tolerant of case, punctuation and small typos.

use serde::Serialize;

use super::entry::Entry;

/// One search result.
#[derive(Debug, Clone, Serialize)]
pub struct SearchHit<'a> {
    #[serde(flatten)]
    pub entry: &'a Entry,
    /// The id, name or alias that matched.
    pub matched: String,
    /// Higher is better; 100 is an exact match.
    pub score: u32,
}

/// Lower-case, punctuation folded to single spaces: "St. John's-wort" -> "st john s wort".
pub(crate) fn fold(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut space = true;
    for c in text.chars().flat_map(char::to_lowercase) {
        if c.is_alphanumeric() {
            out.push(c);
            space = false;
        } else if !space {
            out.push(' ');
            space = true;
        }
    }
    out.trim_end().to_string()
}

/// Every name an entry answers to, folded once at load time: `(original, folded, primary)`.
/// Primary names are the id and the name; aliases are not.
#[derive(Debug, Clone)]
pub(crate) struct Names(Vec<(String, String, bool)>);

impl Names {
    pub(crate) fn of(entry: &Entry) -> Self {
        let all = [(entry.id.as_str(), true), (entry.name.as_str(), true)]
            .into_iter()
            .chain(entry.aliases.iter().map(|a| (a.as_str(), false)))
            .chain(
                entry
                    .forms
                    .iter()
                    .flat_map(|f| &f.aliases)
                    .map(|a| (a.as_str(), false)),
            )
            .map(|(n, primary)| (n.to_string(), fold(n), primary))
            .collect();
        Names(all)
    }
}

/// Whether `needle` occurs in `hay` starting at a word boundary (and, if `whole`, ending at one).
fn at_word(hay: &str, needle: &str, whole: bool) -> bool {
    hay.match_indices(needle).any(|(i, _)| {
        let starts = i == 0 || hay.as_bytes()[i - 1] == b' ';
        let end = i + needle.len();
        let ends = end == hay.len() || hay.as_bytes()[end] == b' ';
        starts && (!whole || ends)
    })
}

/// How well `query` (already folded) matches `candidate` (already folded), 0 for no match.
fn score(query: &str, candidate: &str) -> u32 {
    if query.is_empty() || candidate.is_empty() {
        return 0;
    }
    if candidate == query {
        return 100;
    }
    if candidate.starts_with(query) && candidate.as_bytes().get(query.len()) == Some(&b' ') {
        return 85;
    }
    if at_word(candidate, query, true) {
        return 75;
    }
    if candidate.starts_with(query) {
        return 65;
    }
    if query.len() >= 3 && at_word(candidate, query, false) {
        return 60;
    }
    if query.len() >= 4 && candidate.contains(query) {
        return 50;
    }
    // Typos: compare against the whole candidate and against each of its words. A similarity
    // of 0.8 needs lengths within a fifth of each other, so skip the rest unmeasured.
    if query.len() >= 4 {
        let close = |w: &&str| w.len().abs_diff(query.len()) * 5 <= query.len().max(w.len());
        let best = std::iter::once(candidate)
            .chain(candidate.split(' '))
            .filter(close)
            .map(|w| strsim::normalized_damerau_levenshtein(query, w))
            .fold(0.0_f64, f64::max);
        if best >= 0.8 {
            return (best * 45.0) as u32;
        }
    }
    0
}

pub(super) fn search<'a>(entries: &'a [Entry], names: &[Names], query: &str) -> Vec<SearchHit<'a>> {
    let q = fold(query);
    let mut hits: Vec<SearchHit<'a>> = entries
        .iter()
        .zip(names)
        .filter_map(|(entry, names)| {
            names
                .0
                .iter()
                .map(|(name, folded, primary)| {
                    let s = score(&q, folded);
                    // A hit on the id or name outranks the same hit on an alias.
                    let s = if s > 0 && *primary { s + 2 } else { s };
                    (s, name)
                })
                .max_by_key(|(s, _)| *s)
                .filter(|(s, _)| *s > 0)
                .map(|(s, name)| SearchHit {
                    entry,
                    matched: name.clone(),
                    score: s,
                })
        })
        .collect();
    hits.sort_by(|a, b| {
        b.score
            .cmp(&a.score)
            .then_with(|| a.entry.name.cmp(&b.entry.name))
    });
    hits
}

/// Folded name -> the entries that answer to it exactly, ids and names before aliases.
pub(crate) fn exact_index(names: &[Names]) -> std::collections::HashMap<String, Vec<usize>> {
    let mut index: std::collections::HashMap<String, Vec<usize>> = Default::default();
    for primary_pass in [true, false] {
        for (i, n) in names.iter().enumerate() {
            for (_, folded, primary) in &n.0 {
                if *primary == primary_pass {
                    let list = index.entry(folded.clone()).or_default();
                    if !list.contains(&i) {
                        list.push(i);
                    }
                }
            }
        }
    }
    index
}

pub(super) fn resolve<'a>(
    entries: &'a [Entry],
    names: &[Names],
    exact: &std::collections::HashMap<String, Vec<usize>>,
    name: &str,
) -> Option<&'a Entry> {
    // The common case, an exact id, name or alias, needs no scoring.
    if let Some(list) = exact.get(&fold(name)) {
        return list.first().map(|&i| &entries[i]);
    }
    let hits = search(entries, names, name);
    let best = hits.first()?;
    // Only an exact spelling (or a near-exact one with no rival) counts as knowing what was meant.
    let runner_up = hits.get(1).map_or(0, |h| h.score);
    (best.score >= 100 || (best.score >= 75 && runner_up < best.score)).then_some(best.entry)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folding_ignores_case_and_punctuation() {
        assert_eq!(fold("St. John's-Wort"), "st john s wort");
        assert_eq!(fold("  Vitamin  B12 "), "vitamin b12");
    }

    #[test]
    fn exact_beats_prefix_beats_substring() {
        assert_eq!(score("zoloft", "zoloft"), 100);
        assert!(score("epsom", "epsom salt bath") > score("epsom", "an epsom bath"));
        assert!(score("epsom", "an epsom bath") > score("psom", "epsom"));
        assert_eq!(score("xyz", "magnesium"), 0);
    }

    #[test]
    fn small_typos_still_match() {
        assert!(score("zolloft", "zoloft") > 0);
        assert!(score("magnesiun", "magnesium") > 0);
        assert_eq!(score("iron", "irony tale"), 65);
    }
}
