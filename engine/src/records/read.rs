//! Records as the engine hands them out, and decoding them from rows.

use super::layout::{Layout, SqlKind, case_number, sql_kind};
use crate::db::Row;
use crate::db::tables::Shared;
use crate::error::Result;
use crate::metadata::{EntityKind, EntityMeta};
use sea_orm::sea_query::{Expr, SelectStatement};
use serde_json::{Map, Value};

/// One contact, case or deal: its identity and timestamps, and every field value (system and
/// custom alike) keyed by field key. References hold the other record's id.
#[derive(Debug, Clone, PartialEq)]
pub struct Record {
    pub entity: EntityKind,
    pub id: i64,
    pub created_at: i64,
    pub updated_at: i64,
    pub values: Map<String, Value>,
}

impl Record {
    pub fn get(&self, key: &str) -> &Value {
        self.values.get(key).unwrap_or(&Value::Null)
    }

    pub fn reference(&self, key: &str) -> Option<i64> {
        self.get(key).as_i64()
    }
}

/// Adds the columns `decode` expects, in its order; without `custom`, a NULL stands in for
/// the custom values.
pub fn select_columns(q: &mut SelectStatement, layout: &Layout, custom: bool) {
    q.column((layout.table, Shared::Id))
        .column((layout.table, Shared::CreatedAt))
        .column((layout.table, Shared::UpdatedAt));
    if custom {
        q.expr(Expr::col((layout.table, Shared::Custom)));
    } else {
        q.expr(Expr::cust("NULL"));
    }
    for (_, col) in layout.columns {
        q.column((layout.table, *col));
    }
}

pub(crate) fn decode(row: &Row, layout: &Layout, meta: &EntityMeta) -> Result<Record> {
    let id: i64 = row.get(0)?;
    let created_at: i64 = row.get(1)?;
    let updated_at: i64 = row.get(2)?;
    let custom: Option<Value> = row.get(3)?;
    let mut values = match custom {
        Some(Value::Object(map)) => map,
        _ => Map::new(),
    };
    for (i, (key, _)) in layout.columns.iter().enumerate() {
        let idx = 4 + i;
        let kind = meta
            .field(key)
            .map(|d| sql_kind(d.field_type))
            .unwrap_or(SqlKind::Text);
        let v = match kind {
            SqlKind::Integer => row
                .get::<Option<i64>>(idx)?
                .map_or(Value::Null, Value::from),
            SqlKind::Float => row
                .get::<Option<f64>>(idx)?
                .map_or(Value::Null, Value::from),
            SqlKind::Boolean => row
                .get::<Option<bool>>(idx)?
                .map_or(Value::Null, Value::from),
            SqlKind::Text | SqlKind::Array => row
                .get::<Option<String>>(idx)?
                .map_or(Value::Null, Value::from),
        };
        values.insert((*key).to_owned(), v);
    }
    if layout.entity == EntityKind::Case {
        values.insert("number".into(), Value::from(case_number(id)));
    }
    Ok(Record {
        entity: layout.entity,
        id,
        created_at,
        updated_at,
        values,
    })
}
