//! How the pages and the feed name a lab test; the re-test dates themselves are
//! [`quietlegs_app::lab_goals`].

use crate::AppState;

/// A test's name as people read it ("Ferritin"), or its id when the knowledge has none.
pub fn test_name(app: &AppState, test: &str) -> String {
    app.kb()
        .get(test)
        .map_or_else(|| test.to_string(), |e| e.name.clone())
}
