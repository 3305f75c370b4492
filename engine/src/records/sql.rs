//! SQL expressions for field keys, the one place that knows how SQLite and PostgreSQL differ in
//! reading JSON. Filters, ordering, cursors and custom-field indexes all use these, so an index
//! created on an expression is the very expression the queries use.

use super::layout::{Layout, SqlKind, parse_case_number, sql_kind};
use crate::error::{EngineError, Result};
use crate::metadata::{EntityMeta, FieldDefinition};
use sea_orm::DbBackend;
use sea_orm::sea_query::{Expr, Value};

/// A sortable, filterable operand: a real column, the id, or a key inside `custom`.
#[derive(Debug, Clone)]
pub struct Operand {
    pub expr: Expr,
    pub kind: SqlKind,
    pub nullable: bool,
    /// The case number is the id written differently; its values need translating.
    pub is_case_number: bool,
    /// `createdAt` and `updatedAt`: stored as microseconds, compared with RFC 3339 strings.
    pub is_timestamp: bool,
}

pub fn custom_expr(backend: DbBackend, key: &str, kind: SqlKind) -> String {
    // `key` is a validated FieldKey (letters and digits only), safe to inline.
    match backend {
        DbBackend::Postgres => match kind {
            SqlKind::Integer => format!("((\"custom\" ->> '{key}')::bigint)"),
            SqlKind::Float => format!("((\"custom\" ->> '{key}')::double precision)"),
            SqlKind::Boolean => format!("((\"custom\" ->> '{key}')::boolean)"),
            SqlKind::Text | SqlKind::Array => format!("(\"custom\" ->> '{key}')"),
        },
        _ => format!("json_extract(\"custom\", '$.{key}')"),
    }
}

pub fn operand(
    backend: DbBackend,
    layout: &Layout,
    meta: &EntityMeta,
    key: &str,
) -> Result<Operand> {
    let plain = |col: &'static str, kind| Operand {
        expr: Expr::col((layout.table, col)),
        kind,
        nullable: false,
        is_case_number: false,
        is_timestamp: false,
    };
    match key {
        "id" => return Ok(plain("id", SqlKind::Integer)),
        "createdAt" | "updatedAt" => {
            let col = if key == "createdAt" {
                "created_at"
            } else {
                "updated_at"
            };
            return Ok(Operand {
                is_timestamp: true,
                ..plain(col, SqlKind::Integer)
            });
        }
        _ => {}
    }
    let def: &FieldDefinition = meta
        .field(key)
        .filter(|d| d.active)
        .ok_or_else(|| EngineError::validation(key, format!("`{key}` is not an active field")))?;
    let kind = sql_kind(def.field_type);
    if key == "number" && meta.entity == crate::metadata::EntityKind::Case {
        return Ok(Operand {
            is_case_number: true,
            ..plain("id", SqlKind::Integer)
        });
    }
    if let Some(col) = layout.column(key) {
        return Ok(Operand {
            expr: Expr::col((layout.table, col)),
            kind,
            nullable: layout.nullable(key),
            is_case_number: false,
            is_timestamp: false,
        });
    }
    Ok(Operand {
        expr: Expr::cust(custom_expr(backend, key, kind)),
        kind,
        nullable: true,
        is_case_number: false,
        is_timestamp: false,
    })
}

/// Converts a JSON value from a filter or cursor into a bound SQL value of the operand's kind.
pub fn bind(op: &Operand, key: &str, v: &serde_json::Value) -> Result<Value> {
    let bad = || EngineError::validation(key, format!("`{key}` cannot be compared with {v}"));
    if op.is_timestamp
        && let Some(s) = v.as_str()
    {
        return chrono::DateTime::parse_from_rfc3339(s)
            .map(|t| Value::from(t.timestamp_micros()))
            .map_err(|_| bad());
    }
    if op.is_case_number
        && let Some(s) = v.as_str()
    {
        return parse_case_number(s).map(Value::from).ok_or_else(bad);
    }
    Ok(match op.kind {
        SqlKind::Integer => match v {
            serde_json::Value::Number(n) => n.as_i64().map(Value::from).ok_or_else(bad)?,
            serde_json::Value::String(s) => s.parse::<i64>().map(Value::from).map_err(|_| bad())?,
            _ => return Err(bad()),
        },
        SqlKind::Float => v.as_f64().map(Value::from).ok_or_else(bad)?,
        SqlKind::Boolean => v.as_bool().map(Value::from).ok_or_else(bad)?,
        SqlKind::Text | SqlKind::Array => v
            .as_str()
            .map(|s| Value::from(s.to_owned()))
            .ok_or_else(bad)?,
    })
}
