use std::sync::OnceLock;

use super::{KnowledgeBase, LoadError};

macro_rules! knowledge_files {
    ($($name:literal),* $(,)?) => {
        &[$(($name, include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/../../knowledge/", $name)))),*]
    };
}

/// The knowledge files compiled into the binary, as `(file name, contents)`.
pub const BUNDLED_FILES: &[(&str, &str)] = knowledge_files![
    "sources.toml",
    "supplements.toml",
    "herbs.toml",
    "foods.toml",
    "lifestyle.toml",
    "physical.toml",
    "triggers.toml",
    "medications.toml",
    "conditions.toml",
    "labs.toml",
    "causes.toml",
    "procedures.toml",
];

/// The knowledge base compiled into the binary, parsed once.
///
/// The tests keep this data valid; the error is still returned rather than unwrapped so that a
/// bad build fails with the lint message instead of a panic.
pub fn bundled() -> Result<&'static KnowledgeBase, &'static LoadError> {
    static KB: OnceLock<Result<KnowledgeBase, LoadError>> = OnceLock::new();
    KB.get_or_init(|| KnowledgeBase::from_files(BUNDLED_FILES))
        .as_ref()
}
