//! Parsed GraphQL documents, kept by their text.
//!
//! Integrators and our own pages send the same few documents over and over with different
//! variables; parsing one (pest) cost more than running a simple query. A parsed document does
//! not depend on the schema, so entries stay valid across metadata changes. The cache is bounded
//! in entries and in the size of the documents it keeps, and simply starts over when full.

use async_graphql::parser::parse_query;
use async_graphql::parser::types::ExecutableDocument;
use std::collections::HashMap;
use std::sync::RwLock;

const MAX_ENTRIES: usize = 512;
const MAX_DOCUMENT_BYTES: usize = 16 * 1024;

#[derive(Default)]
pub struct DocumentCache {
    parsed: RwLock<HashMap<String, ExecutableDocument>>,
}

impl DocumentCache {
    /// The parsed document for `query`, or `None` when it does not parse (execution then
    /// reports the error) or is too large to keep (execution parses it).
    pub fn get(&self, query: &str) -> Option<ExecutableDocument> {
        if query.len() > MAX_DOCUMENT_BYTES {
            return None;
        }
        if let Some(doc) = self.read().get(query) {
            return Some(doc.clone());
        }
        let doc = parse_query(query).ok()?;
        let mut parsed = self.parsed.write().unwrap_or_else(|p| p.into_inner());
        if parsed.len() >= MAX_ENTRIES {
            parsed.clear();
        }
        parsed.insert(query.to_owned(), doc.clone());
        Some(doc)
    }

    fn read(&self) -> std::sync::RwLockReadGuard<'_, HashMap<String, ExecutableDocument>> {
        self.parsed.read().unwrap_or_else(|p| p.into_inner())
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        self.read().len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_what_parses_and_stays_bounded() {
        let cache = DocumentCache::default();
        assert!(cache.get("{ a").is_none());
        assert_eq!(cache.len(), 0);
        assert!(cache.get("{ a }").is_some());
        assert!(cache.get("{ a }").is_some());
        assert_eq!(cache.len(), 1);
        let huge = format!("{{ a{} }}", " ".repeat(MAX_DOCUMENT_BYTES));
        assert!(cache.get(&huge).is_none());
        for i in 0..MAX_ENTRIES + 10 {
            cache.get(&format!("{{ f{i} }}"));
        }
        assert!(cache.len() <= MAX_ENTRIES);
    }
}
