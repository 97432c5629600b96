//! The knowledge base: remedies, triggers, medicines, conditions, tests and their sources.
//!
//! The data lives in `knowledge/*.toml` at the repository root and is compiled into the binary
//! (see [`bundled`]), so the app needs no files at run time. [`KnowledgeBase::from_files`] parses
//! and validates it, naming the file, line, entry and field of every mistake.

mod bundled;
mod entry;
mod issue;
mod loader;
mod search;

pub use bundled::{BUNDLED_FILES, bundled};
pub use entry::{
    Dose, Entry, Evidence, Form, Guideline, Kind, LabInfo, Source, Summary, UnitFactor,
    trim_number as entry_number,
};
pub use issue::{KbIssue, LoadError};
pub use search::SearchHit;
pub(crate) use search::fold;

use std::collections::HashMap;

/// A validated knowledge base with lookups by id.
#[derive(Debug, Clone)]
pub struct KnowledgeBase {
    entries: Vec<Entry>,
    by_id: HashMap<String, usize>,
    sources: Vec<Source>,
    source_by_id: HashMap<String, usize>,
    names: Vec<search::Names>,
    exact: HashMap<String, Vec<usize>>,
}

impl KnowledgeBase {
    /// Parses and validates knowledge files given as `(file name, contents)` pairs.
    pub fn from_files<N, C>(files: &[(N, C)]) -> Result<Self, LoadError>
    where
        N: AsRef<str>,
        C: AsRef<str>,
    {
        loader::load(files)
    }

    fn new(entries: Vec<Entry>, sources: Vec<Source>) -> Self {
        let by_id = entries
            .iter()
            .enumerate()
            .map(|(i, e)| (e.id.clone(), i))
            .collect();
        let source_by_id = sources
            .iter()
            .enumerate()
            .map(|(i, s)| (s.id.clone(), i))
            .collect();
        let names: Vec<search::Names> = entries.iter().map(search::Names::of).collect();
        let exact = search::exact_index(&names);
        Self {
            exact,
            entries,
            by_id,
            sources,
            source_by_id,
            names,
        }
    }

    /// Every entry, in file order.
    pub fn entries(&self) -> &[Entry] {
        &self.entries
    }

    /// Every source, in file order.
    pub fn sources(&self) -> &[Source] {
        &self.sources
    }

    pub fn get(&self, id: &str) -> Option<&Entry> {
        self.by_id.get(id).map(|&i| &self.entries[i])
    }

    pub fn source(&self, id: &str) -> Option<&Source> {
        self.source_by_id.get(id).map(|&i| &self.sources[i])
    }

    /// Entries of one kind, in file order.
    pub fn of_kind(&self, kind: Kind) -> impl Iterator<Item = &Entry> {
        self.entries.iter().filter(move |e| e.kind == kind)
    }

    /// Entries that name `id` in their `member_of` list (the drugs of a class, for example).
    pub fn members_of<'a>(&'a self, id: &'a str) -> impl Iterator<Item = &'a Entry> {
        self.entries
            .iter()
            .filter(move |e| e.member_of.iter().any(|m| m == id))
    }

    /// `id` and every group it belongs to, directly or through its groups, without repeats.
    pub fn groups_of(&self, id: &str) -> Vec<&str> {
        let mut out: Vec<&str> = Vec::new();
        let mut queue = vec![id];
        while let Some(next) = queue.pop() {
            if let Some(entry) = self.get(next) {
                if out.contains(&entry.id.as_str()) {
                    continue;
                }
                out.push(&entry.id);
                queue.extend(entry.member_of.iter().map(String::as_str));
            }
        }
        out
    }

    /// What a library listing shows: every entry (in file order) for a blank query, otherwise the
    /// search results (best first); either way only of `kind` when given.
    pub fn find(&self, query: &str, kind: Option<Kind>) -> Vec<&Entry> {
        let found: Vec<&Entry> = if query.trim().is_empty() {
            self.entries.iter().collect()
        } else {
            self.search(query).into_iter().map(|h| h.entry).collect()
        };
        found
            .into_iter()
            .filter(|e| kind.is_none_or(|k| e.kind == k))
            .collect()
    }

    /// Entries whose id, name or alias is exactly `name` (case and punctuation aside), ids and
    /// names first.
    pub fn exact(&self, name: &str) -> impl Iterator<Item = &Entry> {
        self.exact
            .get(&search::fold(name))
            .into_iter()
            .flatten()
            .map(|&i| &self.entries[i])
    }

    /// Entries whose id, name or an alias matches `query`, best match first.
    pub fn search(&self, query: &str) -> Vec<SearchHit<'_>> {
        search::search(&self.entries, &self.names, query)
    }

    /// The one entry a free-text name means, when the match is unambiguous and close: an id, a
    /// name or an alias spelled (almost) exactly. Used to resolve what a person typed.
    pub fn resolve(&self, name: &str) -> Option<&Entry> {
        search::resolve(&self.entries, &self.names, &self.exact, name)
    }
}
