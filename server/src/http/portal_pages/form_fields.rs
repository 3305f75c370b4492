//! The inputs of a portal form built from field definitions: the case fields of the New-case
//! form and the questions of a client request share them, so a date, a choice or a number is
//! typed, read back and explained the same way on both.

use portico_engine::metadata::{FieldDefinition, FieldType, Input, ValueKind};
use portico_theme::email::Language;
use portico_theme::i18n::Strings;
use serde_json::{Value, json};
use std::collections::HashMap;

/// The input a client types the field into (an HTML input type, or the template's
/// `textarea`, `select`, `checkbox` and `checkboxes`), where clients may fill it in at all
/// (staff users and contacts are not for clients to pick).
pub(super) fn kind(t: FieldType) -> Option<&'static str> {
    let spec = t.spec();
    spec.portal_input.then(|| match spec.input {
        // A decimal is a number input that takes any step.
        Input::Decimal => "number",
        other => other.as_str(),
    })
}

/// A submitted field as the engine takes it, or the message to show beside it.
pub(super) fn value_of(
    def: &FieldDefinition,
    raw: &[String],
    t: &Strings,
) -> Result<Option<Value>, String> {
    let first = raw.first().map(|s| s.trim()).unwrap_or_default();
    match def.field_type.spec().value {
        ValueKind::Boolean => Ok(Some(Value::Bool(first == "true"))),
        ValueKind::Options => {
            let picked: Vec<Value> = raw
                .iter()
                .filter(|v| def.options.contains(v))
                .map(|v| Value::String(v.clone()))
                .collect();
            Ok((!picked.is_empty()).then_some(Value::Array(picked)))
        }
        _ if first.is_empty() => Ok(None),
        ValueKind::Integer => first
            .parse::<i64>()
            .map(|n| Some(json!(n)))
            .map_err(|_| t.get("field_number").to_owned()),
        ValueKind::Decimal => first
            .replace(',', ".")
            .parse::<f64>()
            .ok()
            .filter(|x| x.is_finite())
            .map(|x| Some(json!(x)))
            .ok_or_else(|| t.get("field_decimal").to_owned()),
        ValueKind::DateTime => Ok(Some(Value::String(match first.len() {
            16 => format!("{first}:00Z"),
            _ => format!("{first}Z"),
        }))),
        ValueKind::Option if !def.options.iter().any(|o| o == first) => {
            Err(t.get("field_invalid").to_owned())
        }
        _ => Ok(Some(Value::String(first.to_owned()))),
    }
}

/// One input as the form template's `portal/field.html` draws it: what was typed (`raw`, as
/// the browser sent it) and the message beside it.
pub(super) fn item(
    def: &FieldDefinition,
    raw: &[String],
    error: Option<&String>,
    t: &Strings,
    lang: Language,
) -> Value {
    let first = raw.first().cloned().unwrap_or_default();
    let help = def.help_in(lang.code());
    let described: Vec<String> = [
        help.map(|_| format!("h-{}", def.key)),
        error.map(|_| format!("e-{}", def.key)),
    ]
    .into_iter()
    .flatten()
    .collect();
    let options: Vec<Value> = def
        .options
        .iter()
        .map(|o| json!({"value": o, "label": super::workspace::option_label_of(t, Some(def), lang, o), "checked": raw.contains(o)}))
        .collect();
    json!({
        "key": def.key,
        "label": super::workspace::field_label(t, def, lang),
        "kind": kind(def.field_type),
        "step": (def.field_type.spec().input == Input::Decimal).then_some("any"),
        "required": def.required,
        "help": help,
        "value": first,
        "checked": first == "true",
        "options": options,
        "error": error,
        "described": (!described.is_empty()).then(|| described.join(" ")),
    })
}

/// The form's fields, grouped by block, with what was typed and the errors.
pub(super) fn blocks(
    defs: &[FieldDefinition],
    typed: &HashMap<String, Vec<String>>,
    errors: &HashMap<String, String>,
    t: &Strings,
    lang: Language,
) -> Vec<Value> {
    let mut blocks: Vec<(String, Vec<Value>)> = Vec::new();
    for def in defs {
        let raw = typed.get(&def.key).cloned().unwrap_or_default();
        let item = item(def, &raw, errors.get(&def.key), t, lang);
        match blocks.iter_mut().find(|(b, _)| *b == def.block) {
            Some((_, fields)) => fields.push(item),
            None => blocks.push((def.block.clone(), vec![item])),
        }
    }
    blocks
        .into_iter()
        .map(|(name, fields)| json!({"name": super::workspace::builtin_label(t, &name), "fields": fields}))
        .collect()
}

/// A stored value as the browser would send it back, so a saved draft fills the form as
/// typed text does.
pub(super) fn raw_of(value: &Value) -> Vec<String> {
    match value {
        Value::Null => Vec::new(),
        Value::Bool(b) => vec![b.to_string()],
        Value::Number(n) => vec![n.to_string()],
        Value::String(s) => vec![s.strip_suffix('Z').unwrap_or(s).to_owned()],
        Value::Array(items) => items.iter().flat_map(raw_of).collect(),
        Value::Object(_) => Vec::new(),
    }
}
