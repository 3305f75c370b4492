//! Checking that USER and CONTACT values point at records that exist, so the error names the
//! field instead of surfacing as a foreign-key failure (custom references have no foreign key).

use super::layout::Layout;
use crate::db::Exec;
use crate::db::tables::Shared;
use crate::error::{EngineError, Result};
use crate::metadata::{EntityMeta, FieldType};
use sea_orm::sea_query::{Expr, ExprTrait, Query};
use serde_json::{Map, Value};

/// Checks every reference in `values`, or with `custom_only` just those that live in the JSON
/// column: the system ones are foreign keys, and a violation is traced back to its field by
/// running this again (see `write::create`).
pub(crate) async fn check(
    db: &impl Exec,
    layout: &Layout,
    meta: &EntityMeta,
    values: &Map<String, Value>,
    custom_only: bool,
) -> Result<()> {
    for (key, value) in values {
        if custom_only && layout.column(key).is_some() {
            continue;
        }
        let Some(id) = value.as_i64() else { continue };
        let Some(def) = meta.field(key) else { continue };
        let table = match def.field_type {
            FieldType::User => "staff_users",
            FieldType::Contact => "contacts",
            _ => continue,
        };
        let q = Query::select()
            .column(Shared::Id)
            .from(table)
            .and_where(Expr::col(Shared::Id).eq(id))
            .to_owned();
        if db.query_one(&q).await?.is_none() {
            let what = if table == "staff_users" {
                "staff user"
            } else {
                "contact"
            };
            return Err(EngineError::validation(
                key.clone(),
                format!("there is no {what} with id {id}"),
            ));
        }
    }
    Ok(())
}
