//! Field values between the engine's JSON and GraphQL: enum names for options, ids for
//! references, and the GraphQL type each field type becomes.

use crate::error::invalid;
use crate::scalars::{DATE, DATE_TIME};
use async_graphql::{Name, Result, Value};
use portico_engine::metadata::{EntityKind, FieldDefinition, FieldType, enum_value_name};
use serde_json::Value as Json;

/// `CaseStatus`, `DealStage`, `ContactKind`: the entity's type name and the capitalised key.
pub fn enum_type_name(entity: EntityKind, key: &str) -> String {
    let mut chars = key.chars();
    let capitalised: String = match chars.next() {
        Some(c) => c.to_ascii_uppercase().to_string() + chars.as_str(),
        None => String::new(),
    };
    format!("{}{}", entity.type_name(), capitalised)
}

/// The named GraphQL type of a field's value (lists are added by the caller).
pub fn type_name(def: &FieldDefinition, input: bool) -> String {
    match def.field_type {
        FieldType::Text
        | FieldType::Textarea
        | FieldType::Email
        | FieldType::Phone
        | FieldType::Url => "String".into(),
        FieldType::Number => "Int".into(),
        FieldType::Decimal => "Float".into(),
        FieldType::Boolean => "Boolean".into(),
        FieldType::Date => DATE.into(),
        FieldType::Datetime => DATE_TIME.into(),
        FieldType::Select | FieldType::Multiselect => enum_type_name(def.entity, &def.key),
        FieldType::User if !input => "StaffUser".into(),
        FieldType::Contact if !input => "Contact".into(),
        FieldType::User | FieldType::Contact => "ID".into(),
    }
}

/// A stored value as GraphQL output, for every field type but references.
pub fn to_output(def: &FieldDefinition, v: &Json) -> Value {
    match (def.field_type, v) {
        (_, Json::Null) => Value::Null,
        (FieldType::Select, Json::String(s)) => Value::Enum(Name::new(enum_value_name(s))),
        (FieldType::Multiselect, Json::Array(items)) => Value::List(
            items
                .iter()
                .filter_map(Json::as_str)
                .map(|s| Value::Enum(Name::new(enum_value_name(s))))
                .collect(),
        ),
        (_, v) => Value::from_json(v.clone()).unwrap_or(Value::Null),
    }
}

fn option(def: &FieldDefinition, v: &Value) -> Result<Json> {
    let name = match v {
        Value::Enum(n) => n.as_str(),
        Value::String(s) => s.as_str(),
        _ => return Err(invalid(&def.key, "must be one of the field's options")),
    };
    def.option_for_enum_value(name)
        .map(|o| Json::String(o.to_owned()))
        .ok_or_else(|| {
            invalid(
                &def.key,
                format!("`{name}` is not an option of `{}`", def.key),
            )
        })
}

/// A GraphQL input value as the engine's JSON for the field.
pub fn from_input(def: &FieldDefinition, v: &Value) -> Result<Json> {
    if matches!(v, Value::Null) {
        return Ok(Json::Null);
    }
    match def.field_type {
        FieldType::Select => option(def, v),
        FieldType::Multiselect => match v {
            Value::List(items) => items
                .iter()
                .map(|i| option(def, i))
                .collect::<Result<Vec<_>>>()
                .map(Json::Array),
            single => Ok(Json::Array(vec![option(def, single)?])),
        },
        FieldType::User | FieldType::Contact => {
            let raw = match v {
                Value::String(s) => s.clone(),
                Value::Number(n) => n.to_string(),
                _ => return Err(invalid(&def.key, "must be an id")),
            };
            crate::args::parse_id(&raw, &def.key).map(Json::from)
        }
        _ => v
            .clone()
            .into_json()
            .map_err(|_| invalid(&def.key, "is not a valid value")),
    }
}

/// Converts a filter operand: the field's own conversion, and lists for `in`.
pub fn filter_input(def: Option<&FieldDefinition>, key: &str, v: &Value) -> Result<Json> {
    match (def, v) {
        (_, Value::List(items)) => items
            .iter()
            .map(|i| filter_input(def, key, i))
            .collect::<Result<Vec<_>>>()
            .map(Json::Array),
        (Some(d), v) if d.field_type == FieldType::Multiselect => {
            // `contains` on a multiselect takes one option.
            let single = FieldDefinition {
                field_type: FieldType::Select,
                ..d.clone()
            };
            from_input(&single, v)
        }
        (Some(d), v) => from_input(d, v),
        (None, Value::String(s)) if key == "id" => crate::args::parse_id(s, key).map(Json::from),
        (None, v) => v
            .clone()
            .into_json()
            .map_err(|_| invalid(key, "is not a valid value")),
    }
}

#[cfg(test)]
mod tests {
    use super::enum_type_name;
    use portico_engine::metadata::EntityKind;

    #[test]
    fn enum_names_follow_the_contract() {
        assert_eq!(enum_type_name(EntityKind::Case, "status"), "CaseStatus");
        assert_eq!(enum_type_name(EntityKind::Deal, "stage"), "DealStage");
        assert_eq!(enum_type_name(EntityKind::Case, "priority"), "CasePriority");
    }
}
