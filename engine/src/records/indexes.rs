//! Indexes on custom fields. sea-query cannot express an index on an expression for SQLite, so
//! these are raw SQL, and they index exactly the expression `sql::custom_expr` puts in queries
//! (a planner only uses an expression index for the identical expression). Each ends in
//! `(created_at, id)`, the default order, so a filtered list is a range scan.

use super::layout::{self, SqlKind, sql_kind};
use super::sql::custom_expr;
use crate::error::Result;
use crate::metadata::FieldDefinition;
use sea_orm::ConnectionTrait;

/// Creates the index of a custom field if it is missing. Multiselects are not indexed: they
/// are matched with `LIKE`, which an ordinary index does not serve.
pub(crate) async fn ensure(db: &impl ConnectionTrait, def: &FieldDefinition) -> Result<()> {
    let Some(layout) = layout::of(def.entity) else {
        return Ok(());
    };
    let kind = sql_kind(def.field_type);
    if def.system || kind == SqlKind::Array {
        return Ok(());
    }
    let expr = custom_expr(db.get_database_backend(), &def.key, kind);
    // Named by the definition's id: unique, and short enough for PostgreSQL's 63 characters.
    let sql = format!(
        "CREATE INDEX IF NOT EXISTS cf_{}_{} ON {} ({expr}, created_at, id)",
        layout.table, def.id, layout.table
    );
    db.execute_unprepared(&sql).await?;
    Ok(())
}
