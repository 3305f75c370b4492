//! JSON Schemas built from the active field definitions, one per entity, audience and write
//! mode, compiled once per metadata version. Every write of field values passes through one.

use super::{Audience, EntityKind, FieldDefinition};
use crate::error::{EngineError, Result};
use jsonschema::error::ValidationErrorKind;
use serde_json::{Map, Value, json};

/// A create must carry every required field; a patch may carry any subset, but cannot clear a
/// required field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Mode {
    Create,
    Patch,
}

pub struct RecordValidator {
    validator: jsonschema::Validator,
    entity: EntityKind,
    fields: Vec<FieldDefinition>,
}

impl RecordValidator {
    /// `fields` are the definitions the audience may write.
    pub fn build(entity: EntityKind, fields: Vec<FieldDefinition>, mode: Mode) -> Result<Self> {
        let schema = json_schema(&fields, mode);
        let validator = jsonschema::options()
            .should_validate_formats(true)
            .build(&schema)
            .map_err(|e| EngineError::Internal(format!("schema of {}: {e}", entity.as_str())))?;
        Ok(Self {
            validator,
            entity,
            fields,
        })
    }

    /// Checks `values` and names the first offending field.
    pub fn validate(&self, values: &Value) -> Result<()> {
        // A required text must say something: "" or spaces pass a type check but leave the
        // field as empty as a missing value.
        if let Value::Object(map) = values {
            for f in self.fields.iter().filter(|f| f.required) {
                if let Some(Value::String(text)) = map.get(&f.key)
                    && text.trim().is_empty()
                {
                    return Err(EngineError::missing(
                        &f.key,
                        format!("`{}` is required and cannot be empty", f.key),
                    ));
                }
            }
        }
        let Some(error) = self.validator.iter_errors(values).next() else {
            return Ok(());
        };
        let path = error.instance_path().as_str();
        let from_path = path
            .trim_start_matches('/')
            .split('/')
            .next()
            .unwrap_or_default()
            .to_owned();
        let (field, message) = match error.kind() {
            ValidationErrorKind::Required { property } => {
                return Err(EngineError::missing(
                    property.as_str().unwrap_or_default(),
                    "is required",
                ));
            }
            ValidationErrorKind::AdditionalProperties { unexpected } => {
                let key = unexpected.first().cloned().unwrap_or_default();
                let message = format!(
                    "`{key}` is not a field of {} that can be written here",
                    self.entity.type_name()
                );
                (key, message)
            }
            _ => {
                let message = self
                    .fields
                    .iter()
                    .find(|f| f.key == from_path)
                    .map(expectation)
                    .unwrap_or_else(|| error.to_string());
                (from_path, message)
            }
        };
        Err(EngineError::validation(field, message))
    }
}

/// What a value of the field must look like, in words a user can act on.
fn expectation(f: &FieldDefinition) -> String {
    let what = f.field_type.spec().expects(f);
    let null = if f.required { "" } else { " or null" };
    format!("`{}` must be {what}{null}", f.key)
}

fn value_schema(f: &FieldDefinition) -> Value {
    f.field_type.spec().json_schema(f)
}

fn json_schema(fields: &[FieldDefinition], mode: Mode) -> Value {
    let properties: Map<String, Value> = fields
        .iter()
        .map(|f| (f.key.clone(), value_schema(f)))
        .collect();
    let required: Vec<&str> = match mode {
        Mode::Create => fields
            .iter()
            .filter(|f| f.required)
            .map(|f| f.key.as_str())
            .collect(),
        Mode::Patch => Vec::new(),
    };
    json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "type": "object",
        "properties": properties,
        "required": required,
        "additionalProperties": false,
    })
}

/// The writable fields of an entity for an audience: active, visible to it, not computed.
pub fn writable_fields(fields: &[FieldDefinition], audience: Audience) -> Vec<FieldDefinition> {
    fields
        .iter()
        .filter(|f| f.editable_by(audience))
        .cloned()
        .collect()
}
