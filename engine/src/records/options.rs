//! Renaming a select option where records hold it. An option's label is what records store,
//! so a rename rewrites those values in the same transaction as the definition.

use super::layout::{self, sql_kind};
use super::sql::custom_expr;
use super::write::merge_custom;
use crate::db::Exec;
use crate::db::tables::Contacts;
use crate::db::tables::Shared;
use crate::error::Result;
use crate::metadata::FieldDefinition;
use sea_orm::sea_query::{Expr, ExprTrait, Query};
use serde_json::{Map, Value};

/// Rewrites `from` as `to` in every record of `def`'s entity; answers how many changed.
/// Records keep their `updatedAt`: their content is the same, only its name changed.
pub(crate) async fn rename(
    db: &impl Exec,
    def: &FieldDefinition,
    from: &str,
    to: &str,
) -> Result<u64> {
    let Some(layout) = layout::of(def.entity) else {
        return Ok(0);
    };
    if let Some((_, column)) = layout.columns.iter().find(|(k, _)| *k == def.key) {
        let q = Query::update()
            .table(layout.table)
            .value(*column, to)
            .and_where(Expr::col(*column).eq(from))
            .to_owned();
        return db.execute(&q).await;
    }
    // Custom values live in JSON (a multiselect's as a list): the rows holding the field are
    // read and each one's value patched, which works alike on both databases.
    let present = custom_expr(db.backend(), &def.key, sql_kind(def.field_type));
    let q = Query::select()
        .columns([Contacts::Id, Contacts::Custom])
        .from(layout.table)
        .and_where(Expr::cust(format!("{present} IS NOT NULL")))
        .to_owned();
    let mut changed = 0;
    for row in db.query_all(&q).await? {
        let id: i64 = row.get(0)?;
        let custom: Option<Value> = row.get(1)?;
        let renamed = match custom.as_ref().and_then(|c| c.get(&def.key)) {
            Some(Value::String(s)) if s == from => Value::from(to),
            Some(Value::Array(items)) if items.iter().any(|i| i == from) => Value::Array(
                items
                    .iter()
                    .map(|i| {
                        if i == from {
                            Value::from(to)
                        } else {
                            i.clone()
                        }
                    })
                    .collect(),
            ),
            _ => continue,
        };
        let mut patch = Map::new();
        patch.insert(def.key.clone(), renamed);
        let q = Query::update()
            .table(layout.table)
            .value(
                Shared::Custom,
                merge_custom(db.backend(), &Value::Object(patch)),
            )
            .and_where(Expr::col(Shared::Id).eq(id))
            .to_owned();
        changed += db.execute(&q).await?;
    }
    Ok(changed)
}
