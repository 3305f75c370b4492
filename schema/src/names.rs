//! Every name the schema generates, made here and only here (as seaography's builder context
//! does), so a type the schema defines and a type a field refers to can never be spelled two
//! ways.

use portico_engine::metadata::{EntityKind, ValueKind};

/// `CaseStatus`, `DealStage`, `ContactKind`: the entity's type name and the capitalised key.
pub fn option_enum(entity: EntityKind, key: &str) -> String {
    let mut chars = key.chars();
    let capitalised: String = match chars.next() {
        Some(c) => c.to_ascii_uppercase().to_string() + chars.as_str(),
        None => String::new(),
    };
    format!("{}{}", entity.type_name(), capitalised)
}

/// The filter input of a select field's options (`CaseStatusFilter`).
pub fn option_filter(entity: EntityKind, key: &str) -> String {
    format!("{}Filter", option_enum(entity, key))
}

/// The filter input of record ids and references.
pub const ID_FILTER: &str = "IDFilter";

/// The filter input of every other kind of value (`StringFilter`, `IntFilter`...).
pub fn scalar_filter(value: ValueKind) -> &'static str {
    match value {
        ValueKind::Text => "StringFilter",
        ValueKind::Integer => "IntFilter",
        ValueKind::Decimal => "FloatFilter",
        ValueKind::Boolean => "BooleanFilter",
        ValueKind::Date => "DateFilter",
        ValueKind::DateTime => "DateTimeFilter",
        ValueKind::StaffUser | ValueKind::Contact => ID_FILTER,
        // Options have a filter of their own: [`option_filter`].
        ValueKind::Option | ValueKind::Options => "StringFilter",
    }
}

/// `CreateCaseInput`.
pub fn create_input(entity: EntityKind) -> String {
    format!("Create{}Input", entity.type_name())
}

/// `UpdateCaseInput`.
pub fn update_input(entity: EntityKind) -> String {
    format!("Update{}Input", entity.type_name())
}

/// `CaseFilter`: the conditions a list takes.
pub fn record_filter(entity: EntityKind) -> String {
    format!("{}Filter", entity.type_name())
}

/// `CaseOrderBy`.
pub fn order_by(entity: EntityKind) -> String {
    format!("{}OrderBy", entity.type_name())
}

/// The root fields of one record type: `case`, `cases`, `createCase`, `updateCase`,
/// `deleteCase`.
pub fn one(entity: EntityKind) -> &'static str {
    match entity {
        EntityKind::Contact => "contact",
        EntityKind::Case => "case",
        EntityKind::Deal => "deal",
        EntityKind::Document => "document",
    }
}

pub fn many(entity: EntityKind) -> &'static str {
    match entity {
        EntityKind::Contact => "contacts",
        EntityKind::Case => "cases",
        EntityKind::Deal => "deals",
        EntityKind::Document => "documents",
    }
}

pub fn create(entity: EntityKind) -> String {
    format!("create{}", entity.type_name())
}

pub fn update(entity: EntityKind) -> String {
    format!("update{}", entity.type_name())
}

pub fn delete(entity: EntityKind) -> String {
    format!("delete{}", entity.type_name())
}

/// `CaseConnection`, for a record type's name.
pub fn connection(type_name: &str) -> String {
    format!("{type_name}Connection")
}

/// `CaseEdge`.
pub fn edge(type_name: &str) -> String {
    format!("{type_name}Edge")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn enum_names_follow_the_contract() {
        assert_eq!(option_enum(EntityKind::Case, "status"), "CaseStatus");
        assert_eq!(option_enum(EntityKind::Deal, "stage"), "DealStage");
        assert_eq!(option_enum(EntityKind::Case, "priority"), "CasePriority");
        assert_eq!(update_input(EntityKind::Case), "UpdateCaseInput");
        assert_eq!(record_filter(EntityKind::Deal), "DealFilter");
    }
}
