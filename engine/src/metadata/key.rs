//! Field keys: checked once here, so the rest of the engine can use them as GraphQL names,
//! JSON keys and parts of SQL expressions without further thought.

use crate::error::{EngineError, Result};

/// Names every record type already uses for something else.
const RESERVED: &[&str] = &[
    "id",
    "createdAt",
    "updatedAt",
    "custom",
    "contacts",
    "documents",
    "folders",
    "relationships",
    "organisations",
    "individuals",
    "portalInvitation",
    "portalAccess",
    "sharedWith",
    "auditLog",
    "and",
    "or",
    "not",
    "filter",
    "orderBy",
    "edge",
    "connection",
    "input",
];

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct FieldKey(String);

impl FieldKey {
    /// Accepts `^[a-z][A-Za-z0-9]{0,62}$` minus the reserved names.
    pub fn parse(raw: &str) -> Result<Self> {
        let mut chars = raw.chars();
        let ok_start = chars.next().is_some_and(|c| c.is_ascii_lowercase());
        let ok_rest = chars.all(|c| c.is_ascii_alphanumeric());
        if !ok_start || !ok_rest || raw.len() > 63 {
            return Err(EngineError::validation(
                "key",
                format!(
                    "`{raw}` is not a valid field key: use 1 to 63 letters and digits, starting with a lower-case letter (camelCase)"
                ),
            ));
        }
        // Generated GraphQL type names end in these; a key ending in one could collide.
        if RESERVED.contains(&raw) || raw.ends_with("Filter") || raw.ends_with("Input") {
            return Err(EngineError::validation(
                "key",
                format!("`{raw}` is reserved"),
            ));
        }
        Ok(FieldKey(raw.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::FieldKey;

    #[test]
    fn keys_are_camel_case_graphql_names() {
        for good in ["a", "slaHours", "x1", "reopened"] {
            assert!(FieldKey::parse(good).is_ok(), "{good}");
        }
        let long = "a".repeat(64);
        for bad in [
            "",
            "Sla",
            "1a",
            "sla_hours",
            "sla-hours",
            "id",
            "createdAt",
            long.as_str(),
        ] {
            assert!(FieldKey::parse(bad).is_err(), "{bad}");
        }
    }
}
