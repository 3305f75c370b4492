//! The vocabulary of metadata: entities, audiences and one field's definition (field types
//! have a file of their own, `field_type.rs`).

use super::FieldType;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum EntityKind {
    Contact,
    Case,
    Deal,
    Document,
}

impl EntityKind {
    pub const ALL: [EntityKind; 4] = [
        EntityKind::Contact,
        EntityKind::Case,
        EntityKind::Deal,
        EntityKind::Document,
    ];

    /// The stored and public name (`CONTACT`...).
    pub fn as_str(self) -> &'static str {
        match self {
            EntityKind::Contact => "CONTACT",
            EntityKind::Case => "CASE",
            EntityKind::Deal => "DEAL",
            EntityKind::Document => "DOCUMENT",
        }
    }

    /// The GraphQL type name (`Contact`...), also the prefix of its enum names.
    pub fn type_name(self) -> &'static str {
        match self {
            EntityKind::Contact => "Contact",
            EntityKind::Case => "Case",
            EntityKind::Deal => "Deal",
            EntityKind::Document => "Document",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|e| e.as_str() == s)
    }
}

/// Who a schema or validator is built for: staff see every active field, the portal only the
/// fields an admin marked as portal fields.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Audience {
    Staff,
    Portal,
}

/// A text in each language the product speaks; `None` falls back to the field's own text
/// (`label`, `help`), which is the default language's.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Translations {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub es: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub en: Option<String>,
}

impl Translations {
    /// The text for a language code (`es`, `en`, `en-GB`...), when one was given.
    pub fn get(&self, language: &str) -> Option<&str> {
        let text = if language.starts_with("en") {
            &self.en
        } else {
            &self.es
        };
        text.as_deref()
    }

    /// Sets what `change` gives (an empty text clears that language), keeps the rest.
    pub fn merge(&mut self, change: Translations) {
        let clean = |t: String| Some(t.trim().to_owned()).filter(|t| !t.is_empty());
        if let Some(es) = change.es {
            self.es = clean(es);
        }
        if let Some(en) = change.en {
            self.en = clean(en);
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FieldDefinition {
    pub id: i64,
    pub entity: EntityKind,
    pub key: String,
    pub label: String,
    pub field_type: FieldType,
    pub options: Vec<String>,
    pub required: bool,
    pub active: bool,
    pub system: bool,
    pub block: String,
    pub position: i32,
    pub help: Option<String>,
    pub portal_visible: bool,
    pub portal_editable: bool,
    /// The option a new record takes when its create leaves the field out (SELECT only).
    pub default_option: Option<String>,
    /// The options that mean "finished" (a case's status, a deal's stage), so that what reads
    /// them never depends on a label an admin may rename.
    pub closed_options: Vec<String>,
    /// The label in each language; see [`FieldDefinition::label_in`].
    pub labels: Translations,
    pub helps: Translations,
    /// Each option's label per language (an option is its stored value and its default
    /// language's label); options without an entry read as themselves.
    pub option_labels: std::collections::BTreeMap<String, Translations>,
}

impl FieldDefinition {
    /// The label an admin gave for `language`, or the field's own. (System fields' own labels
    /// are translated by the edges, which hold the product's strings.)
    pub fn label_in(&self, language: &str) -> &str {
        self.labels.get(language).unwrap_or(&self.label)
    }

    /// Whether an admin gave a label for `language` (else the edge may translate a shipped one).
    pub fn has_label_in(&self, language: &str) -> bool {
        self.labels.get(language).is_some()
    }

    /// The label an admin gave `option` for `language`, if any (else the edge shows the option,
    /// translated when it is one Portico ships).
    pub fn option_label_in(&self, option: &str, language: &str) -> Option<&str> {
        self.option_labels.get(option).and_then(|t| t.get(language))
    }

    pub fn help_in(&self, language: &str) -> Option<&str> {
        self.helps.get(language).or(self.help.as_deref())
    }

    /// Whether its options may be marked closed (a case's status, a deal's stage).
    pub fn closable(&self) -> bool {
        super::system_fields::has_closed_options(self.entity, &self.key)
    }

    /// Whether its options are Portico's own and cannot change (a contact's kind).
    pub fn options_fixed(&self) -> bool {
        super::system_fields::options_fixed(self.entity, &self.key)
    }

    /// The options that do not mean "finished", in the admin's order.
    pub fn open_options(&self) -> impl Iterator<Item = &String> {
        self.options
            .iter()
            .filter(|o| !self.closed_options.contains(o))
    }

    pub fn visible_to(&self, audience: Audience) -> bool {
        self.active && (audience == Audience::Staff || self.portal_visible)
    }

    pub fn editable_by(&self, audience: Audience) -> bool {
        self.visible_to(audience)
            && !crate::records::layout::is_read_only(self.entity, &self.key)
            && (audience == Audience::Staff || self.portal_editable)
    }

    /// The option whose enum value name is `name`, for SELECT and MULTISELECT fields.
    pub fn option_for_enum_value(&self, name: &str) -> Option<&str> {
        self.options
            .iter()
            .find(|o| enum_value_name(o) == name)
            .map(String::as_str)
    }
}

/// The GraphQL enum value of an option: upper-cased, every run of other characters replaced by
/// one `_` (`"In Progress"` -> `IN_PROGRESS`), prefixed with `_` if it would start with a digit.
pub fn enum_value_name(option: &str) -> String {
    let mut out = String::with_capacity(option.len());
    let mut gap = false;
    for c in option.chars() {
        if c.is_ascii_alphanumeric() {
            if gap && !out.is_empty() {
                out.push('_');
            }
            gap = false;
            out.push(c.to_ascii_uppercase());
        } else {
            gap = true;
        }
    }
    if gap && !out.is_empty() {
        out.push('_');
    }
    if out.is_empty() || out.starts_with(|c: char| c.is_ascii_digit()) {
        out.insert(0, '_');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::enum_value_name;

    #[test]
    fn enum_values_follow_the_public_rule() {
        assert_eq!(enum_value_name("In Progress"), "IN_PROGRESS");
        assert_eq!(
            enum_value_name("Waiting for Response"),
            "WAITING_FOR_RESPONSE"
        );
        assert_eq!(enum_value_name("e-mail / fax"), "E_MAIL_FAX");
        assert_eq!(enum_value_name("24h"), "_24H");
        assert_eq!(enum_value_name("Done!"), "DONE_");
        assert_eq!(enum_value_name("¿?"), "_");
    }
}
