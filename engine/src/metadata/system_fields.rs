//! The fields every installation starts with. They have fixed keys, may be switched active and
//! portal on or off, and are never deleted or retyped.

use super::{EntityKind, FieldType};

pub(crate) struct SystemField {
    pub entity: EntityKind,
    pub key: &'static str,
    pub label: &'static str,
    pub field_type: FieldType,
    pub options: &'static [&'static str],
    pub required: bool,
    pub active: bool,
    pub portal_visible: bool,
    pub portal_editable: bool,
    pub block: &'static str,
    /// The option a new record takes when its create leaves the field out.
    pub default_option: Option<&'static str>,
    /// The options that mean the record is finished (a closed case, a won or lost deal).
    pub closed: &'static [&'static str],
}

const fn field(
    entity: EntityKind,
    key: &'static str,
    label: &'static str,
    field_type: FieldType,
    block: &'static str,
) -> SystemField {
    SystemField {
        entity,
        key,
        label,
        field_type,
        options: &[],
        required: false,
        active: true,
        portal_visible: false,
        portal_editable: false,
        block,
        default_option: None,
        closed: &[],
    }
}

pub const CASE_STATUSES: &[&str] = &["Open", "In Progress", "Waiting for Response", "Closed"];
pub const DEAL_STAGES: &[&str] = &[
    "Prospecting",
    "Qualification",
    "Proposal",
    "Negotiation",
    "Won",
    "Lost",
];
pub const CONTACT_KINDS: &[&str] = &["Individual", "Organisation"];
/// The languages emails are written in; a contact without one gets Spanish.
pub const CONTACT_LANGUAGES: &[&str] = &["es", "en"];

use EntityKind::{Case, Contact, Deal, Document};
use FieldType as T;

pub(crate) const SYSTEM_FIELDS: &[SystemField] = &[
    SystemField {
        required: true,
        portal_visible: true,
        ..field(Contact, "name", "Name", T::Text, "Contact details")
    },
    SystemField {
        portal_visible: true,
        ..field(Contact, "email", "Email", T::Email, "Contact details")
    },
    SystemField {
        portal_visible: true,
        ..field(Contact, "phone", "Phone", T::Phone, "Contact details")
    },
    SystemField {
        required: true,
        options: CONTACT_KINDS,
        default_option: Some("Individual"),
        ..field(Contact, "kind", "Kind", T::Select, "Contact details")
    },
    SystemField {
        portal_visible: true,
        options: CONTACT_LANGUAGES,
        ..field(
            Contact,
            "language",
            "Language",
            T::Select,
            "Contact details",
        )
    },
    SystemField {
        active: false,
        ..field(
            Contact,
            "portalUser",
            "Portal user",
            T::Boolean,
            "Customer information",
        )
    },
    SystemField {
        portal_visible: true,
        ..field(Case, "number", "Number", T::Text, "Case details")
    },
    SystemField {
        required: true,
        portal_visible: true,
        portal_editable: true,
        ..field(Case, "subject", "Subject", T::Text, "Case details")
    },
    SystemField {
        portal_visible: true,
        portal_editable: true,
        ..field(
            Case,
            "description",
            "Description",
            T::Textarea,
            "Case details",
        )
    },
    SystemField {
        required: true,
        portal_visible: true,
        options: CASE_STATUSES,
        default_option: Some("Open"),
        closed: &["Closed"],
        ..field(Case, "status", "Status", T::Select, "Case details")
    },
    SystemField {
        ..field(Case, "owner", "Owner", T::User, "Case details")
    },
    SystemField {
        ..field(Case, "client", "Client", T::Contact, "Case details")
    },
    SystemField {
        required: true,
        portal_visible: true,
        ..field(Deal, "name", "Name", T::Text, "Deal details")
    },
    SystemField {
        portal_visible: true,
        ..field(Deal, "amount", "Amount", T::Decimal, "Deal details")
    },
    SystemField {
        required: true,
        portal_visible: true,
        options: DEAL_STAGES,
        default_option: Some("Prospecting"),
        closed: &["Won", "Lost"],
        ..field(Deal, "stage", "Stage", T::Select, "Deal details")
    },
    SystemField {
        ..field(Deal, "owner", "Owner", T::User, "Deal details")
    },
    SystemField {
        ..field(Deal, "client", "Client", T::Contact, "Deal details")
    },
    SystemField {
        required: true,
        portal_visible: true,
        ..field(Document, "name", "Name", T::Text, "Document details")
    },
];

pub(crate) fn find(entity: EntityKind, key: &str) -> Option<&'static SystemField> {
    SYSTEM_FIELDS
        .iter()
        .find(|f| f.entity == entity && f.key == key)
}

/// Fields whose options Portico's own rules and the public API name (a contact's `kind` is
/// `INDIVIDUAL` or `ORGANISATION`, its `language` a language emails are written in): their
/// options cannot be renamed, added or removed.
pub(crate) fn options_fixed(entity: EntityKind, key: &str) -> bool {
    matches!((entity, key), (EntityKind::Contact, "kind" | "language"))
}

/// Fields whose options may be marked closed: a case's status and a deal's stage, which the
/// portal home, the indicators and the lists of open work read.
pub(crate) fn has_closed_options(entity: EntityKind, key: &str) -> bool {
    matches!(
        (entity, key),
        (EntityKind::Case, "status") | (EntityKind::Deal, "stage")
    )
}

/// System selects that always keep a default option: forms and the portal's New-case page
/// leave them out, and a new record must still get one.
pub(crate) fn needs_default(entity: EntityKind, key: &str) -> bool {
    find(entity, key).is_some_and(|f| f.default_option.is_some())
}
