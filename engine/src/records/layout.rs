//! Where each system field lives: a real column of the entity's table. Custom fields live in
//! the JSON `custom` column. Reading, writing, filtering and ordering all start here.

use crate::metadata::{EntityKind, FieldType, ValueKind};

pub struct Layout {
    pub entity: EntityKind,
    pub table: &'static str,
    /// System field key -> column.
    pub columns: &'static [(&'static str, &'static str)],
}

const CONTACT: Layout = Layout {
    entity: EntityKind::Contact,
    table: "contacts",
    columns: &[
        ("name", "name"),
        ("email", "email"),
        ("phone", "phone"),
        ("kind", "kind"),
        ("language", "language"),
        ("portalUser", "portal_user"),
    ],
};

const CASE: Layout = Layout {
    entity: EntityKind::Case,
    table: "cases",
    columns: &[
        ("subject", "subject"),
        ("description", "description"),
        ("status", "status"),
        ("owner", "owner_id"),
        ("client", "client_id"),
    ],
};

const DEAL: Layout = Layout {
    entity: EntityKind::Deal,
    table: "deals",
    columns: &[
        ("name", "name"),
        ("amount", "amount"),
        ("stage", "stage"),
        ("owner", "owner_id"),
        ("client", "client_id"),
    ],
};

/// The table layout of an entity that has records of its own; documents get theirs with the
/// documents feature.
/// Whether the value of `key` lives in the record's JSON column rather than a column of its own.
pub fn stored_in_custom(entity: EntityKind, key: &str) -> bool {
    !matches!(key, "id" | "number" | "createdAt" | "updatedAt")
        && of(entity).is_some_and(|l| l.column(key).is_none())
}

pub fn of(entity: EntityKind) -> Option<&'static Layout> {
    match entity {
        EntityKind::Contact => Some(&CONTACT),
        EntityKind::Case => Some(&CASE),
        EntityKind::Deal => Some(&DEAL),
        EntityKind::Document => None,
    }
}

impl Layout {
    pub fn column(&self, key: &str) -> Option<&'static str> {
        self.columns
            .iter()
            .find(|(k, _)| *k == key)
            .map(|(_, c)| *c)
    }

    /// Columns that hold NULL for a missing value; ordering treats NULL as the largest value.
    pub fn nullable(&self, key: &str) -> bool {
        !matches!(
            (self.entity, key),
            (_, "id" | "createdAt" | "updatedAt" | "number")
                | (EntityKind::Contact, "name" | "kind" | "portalUser")
                | (EntityKind::Case, "subject" | "status")
                | (EntityKind::Deal, "name" | "stage")
        )
    }
}

/// Fields computed by Portico rather than written: a case's number comes from its id.
pub fn is_read_only(entity: EntityKind, key: &str) -> bool {
    matches!((entity, key), (EntityKind::Case, "number"))
}

/// A case's human-friendly number. It is derived from the id, so it is unique and never
/// changes, and it needs no second write at creation.
pub fn case_number(id: i64) -> String {
    format!("CAS-{id:06}")
}

pub fn parse_case_number(number: &str) -> Option<i64> {
    number
        .trim()
        .strip_prefix("CAS-")
        .and_then(|n| n.parse().ok())
}

/// The kind of SQL value a field's data takes, for binding parameters and decoding rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SqlKind {
    Text,
    Integer,
    Float,
    Boolean,
    /// A JSON array (multiselect), only held in `custom`.
    Array,
}

pub fn sql_kind(t: FieldType) -> SqlKind {
    match t.spec().value {
        ValueKind::Integer | ValueKind::StaffUser | ValueKind::Contact => SqlKind::Integer,
        ValueKind::Decimal => SqlKind::Float,
        ValueKind::Boolean => SqlKind::Boolean,
        ValueKind::Options => SqlKind::Array,
        ValueKind::Text | ValueKind::Date | ValueKind::DateTime | ValueKind::Option => {
            SqlKind::Text
        }
    }
}
