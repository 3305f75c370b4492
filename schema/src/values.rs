//! Field values between the engine's JSON and GraphQL: enum names for options, ids for
//! references, and the GraphQL type each field type becomes.

use crate::error::invalid;
use crate::names;
use crate::scalars::{DATE, DATE_TIME};
use async_graphql::{Name, Result, Value};
use portico_engine::metadata::{FieldDefinition, FieldType, ValueKind, enum_value_name};
use serde_json::Value as Json;

/// The named GraphQL type of a field's value (lists are added by the caller), by what its
/// values are: a new field type of an existing kind of value needs nothing here.
pub fn type_name(def: &FieldDefinition, input: bool) -> String {
    match def.field_type.spec().value {
        ValueKind::Text => "String".into(),
        ValueKind::Integer => "Int".into(),
        ValueKind::Decimal => "Float".into(),
        ValueKind::Boolean => "Boolean".into(),
        ValueKind::Date => DATE.into(),
        ValueKind::DateTime => DATE_TIME.into(),
        ValueKind::Option | ValueKind::Options => names::option_enum(def.entity, &def.key),
        ValueKind::StaffUser if !input => "StaffUser".into(),
        ValueKind::Contact if !input => "Contact".into(),
        ValueKind::StaffUser | ValueKind::Contact => "ID".into(),
    }
}

/// A stored value as GraphQL output, for every field type but references.
pub fn to_output(def: &FieldDefinition, v: &Json) -> Value {
    match (def.field_type.spec().value, v) {
        (_, Json::Null) => Value::Null,
        (ValueKind::Option, Json::String(s)) => Value::Enum(Name::new(enum_value_name(s))),
        (ValueKind::Options, Json::Array(items)) => Value::List(
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
    match def.field_type.spec().value {
        ValueKind::Option => option(def, v),
        ValueKind::Options => match v {
            Value::List(items) => items
                .iter()
                .map(|i| option(def, i))
                .collect::<Result<Vec<_>>>()
                .map(Json::Array),
            single => Ok(Json::Array(vec![option(def, single)?])),
        },
        ValueKind::StaffUser | ValueKind::Contact => {
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
        (Some(d), v) if d.field_type.spec().value == ValueKind::Options => {
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
