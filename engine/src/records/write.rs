//! Creating, changing and deleting records. Each write is one transaction: the record and its
//! audit event are stored together or not at all.

use super::layout::{Layout, SqlKind, sql_kind};
use super::query::base_select;
use super::read::{Record, decode};
use super::references;
use crate::audit::AuditAction;
use crate::audit::{self, Actor};
use crate::db::tables::{Cases, Deals, Shared};
use crate::db::{Exec, Txn, now_micros};
use crate::error::{EngineError, RecordRef, Result};
use crate::metadata::validation::Mode;
use crate::metadata::{Audience, EntityKind, EntityMeta};
use sea_orm::DbBackend;
use sea_orm::sea_query::{
    Alias, CommonTableExpression, DynIden, Expr, ExprTrait, InsertStatement, IntoIden, Query,
    SimpleExpr, Value as SqlValue, WithClause,
};
use serde_json::{Map, Value};

/// A JSON value into the SQL value of a system column. NULLs are typed: PostgreSQL refuses a
/// text NULL in a bigint column.
fn column_value(v: &Value, kind: SqlKind) -> SqlValue {
    match v {
        Value::Null => match kind {
            SqlKind::Integer => SqlValue::BigInt(None),
            SqlKind::Float => SqlValue::Double(None),
            SqlKind::Boolean => SqlValue::Bool(None),
            SqlKind::Text | SqlKind::Array => SqlValue::String(None),
        },
        Value::Bool(b) => (*b).into(),
        Value::Number(n) => match n.as_i64() {
            Some(i) => i.into(),
            None => n.as_f64().unwrap_or_default().into(),
        },
        Value::String(s) => s.clone().into(),
        other => other.to_string().into(),
    }
}

/// `custom` with `patch` merged in, in SQL, so two concurrent changes of different fields
/// both survive; a null removes the key.
pub(crate) fn merge_custom(backend: DbBackend, patch: &Value) -> SimpleExpr {
    let patch_json = patch.to_string();
    if backend == DbBackend::Postgres {
        // sea-query numbers PostgreSQL placeholders and leaves SQLite's as `?`.
        Expr::cust_with_values(
            "jsonb_strip_nulls(\"custom\" || CAST($1 AS jsonb))",
            [patch_json],
        )
    } else {
        Expr::cust_with_values("json_patch(\"custom\", ?)", [patch_json])
    }
}

fn json_value(v: Value) -> SqlValue {
    SqlValue::Json(Some(Box::new(v)))
}

/// Splits validated values into system columns and custom JSON.
fn split(
    layout: &Layout,
    meta: &EntityMeta,
    values: &Map<String, Value>,
) -> (Vec<(&'static str, SqlValue)>, Map<String, Value>) {
    let mut columns = Vec::new();
    let mut custom = Map::new();
    for (k, v) in values {
        match layout.column(k) {
            Some(col) => {
                let kind = meta
                    .field(k)
                    .map_or(SqlKind::Text, |d| sql_kind(d.field_type));
                columns.push((col, column_value(v, kind)));
            }
            None => {
                custom.insert(k.clone(), v.clone());
            }
        }
    }
    (columns, custom)
}

pub(crate) async fn load(
    db: &impl Exec,
    layout: &Layout,
    meta: &EntityMeta,
    id: i64,
) -> Result<Record> {
    let mut q = base_select(layout);
    q.and_where(Expr::col((layout.table, Shared::Id)).eq(id));
    match db.query_one(&q).await? {
        Some(row) => decode(&row, layout, meta),
        None => Err(EngineError::not_found(layout.entity.type_name(), id)),
    }
}

/// Fills in the default option of each SELECT a create left out (a new case's status), so
/// forms need not send them; the admin chooses it in the field editor.
pub(crate) fn with_defaults(
    meta: &EntityMeta,
    mut values: Map<String, Value>,
) -> Map<String, Value> {
    for f in meta.fields.iter().filter(|f| f.active) {
        if let Some(d) = &f.default_option {
            let missing = values.get(&f.key).is_none_or(Value::is_null);
            if missing {
                values.insert(f.key.clone(), d.clone().into());
            }
        }
    }
    values
}

pub struct NewRecord {
    /// An explicit id, for imports that must keep their source ids.
    pub id: Option<i64>,
    pub created_at: Option<i64>,
    pub values: Map<String, Value>,
}

/// Validates and inserts inside `txn`; the caller commits. On PostgreSQL the insert writes in
/// one statement, so a caller with nothing else to write may pass a
/// [`crate::Engine::begin_one_statement`] "transaction".
pub(crate) async fn insert(
    txn: &impl Exec,
    layout: &Layout,
    meta: &EntityMeta,
    audience: Audience,
    new: NewRecord,
    actor: &Actor,
) -> Result<Record> {
    insert_with(txn, layout, meta, audience, new, Map::new(), actor).await
}

/// Like [`insert`], with `preset`: values the engine sets itself (a portal case's client and
/// owner), not checked against what `audience` may edit nor looked up as references.
pub(crate) async fn insert_with(
    txn: &impl Exec,
    layout: &Layout,
    meta: &EntityMeta,
    audience: Audience,
    new: NewRecord,
    preset: Map<String, Value>,
    actor: &Actor,
) -> Result<Record> {
    let validator = meta.validator(audience, Mode::Create);
    let mut values = if audience == Audience::Staff {
        let values = with_defaults(meta, new.values);
        validator.validate(&Value::Object(values.clone()))?;
        values
    } else {
        // The defaults (a new case is Open) are the engine's, not the portal user's input.
        validator.validate(&Value::Object(new.values.clone()))?;
        with_defaults(meta, new.values)
    };
    // The engine's own values point at records it just read (the user's organisation, the
    // default owner); the foreign keys still guard them. Only the caller's are looked up.
    references::check(txn, layout, meta, &values, true).await?;
    values.extend(preset);
    let now = now_micros();
    let created_at = new.created_at.unwrap_or(now);
    let (columns, custom) = split(layout, meta, &values);
    let mut names: Vec<&'static str> = vec!["custom", "created_at", "updated_at"];
    let mut row: Vec<SimpleExpr> = vec![
        Expr::val(json_value(Value::Object(custom.clone()))),
        created_at.into(),
        created_at.into(),
    ];
    if layout.entity == EntityKind::Contact
        && layout.column("portalUser").is_some()
        && !values.contains_key("portalUser")
    {
        names.push("portal_user");
        row.push(false.into());
    }
    if let Some(id) = new.id {
        names.push("id");
        row.push(id.into());
    }
    for (col, v) in columns {
        names.push(col);
        row.push(Expr::val(v));
    }
    let q = Query::insert()
        .into_table(layout.table)
        .columns(names)
        .values(row)?
        .returning_col(Shared::Id)
        .to_owned();
    let detail = Value::Object(values.clone());
    let mut all = custom;
    for (k, v) in values {
        all.insert(k, v);
    }
    if layout.entity == EntityKind::Contact {
        all.entry("portalUser").or_insert(Value::Bool(false));
    }
    for f in meta.fields.iter() {
        if layout.column(&f.key).is_some() {
            all.entry(f.key.clone()).or_insert(Value::Null);
        }
    }
    let mut record = Record {
        entity: layout.entity,
        id: 0,
        created_at,
        updated_at: created_at,
        values: all,
    };
    if txn.backend() == DbBackend::Postgres {
        record.id = insert_in_one_statement(txn, q, &record, actor, &detail).await?;
    } else {
        // SQLite runs statements in place: three cost no round trips.
        record.id = crate::db::insert_id(txn, &q).await?;
        audit::record(
            txn,
            layout.entity,
            record.id,
            actor,
            AuditAction::Created,
            &detail,
        )
        .await?;
        super::search::index(txn, &record, true).await?;
    }
    if layout.entity == EntityKind::Case {
        record.values.insert(
            "number".into(),
            super::layout::case_number(record.id).into(),
        );
    }
    Ok(record)
}

/// The record, its "created" event and its search words in one statement, one round trip
/// (PostgreSQL's data-modifying common table expressions): the other two learn the id from
/// the first as it runs. Being one statement, it is atomic even outside a transaction, which
/// is how a staff create runs (see `Engine::begin_one_statement`). `record.id` is not read.
async fn insert_in_one_statement(
    db: &impl Exec,
    insert: InsertStatement,
    record: &Record,
    actor: &Actor,
    detail: &Value,
) -> Result<i64> {
    const INSERTED: &str = "inserted";
    let cte = |name: &str, q: InsertStatement| {
        CommonTableExpression::new()
            .query(q)
            .table_name(Alias::new(name))
            .to_owned()
    };
    let audit =
        audit::record_inserted(INSERTED, record.entity, actor, AuditAction::Created, detail)?;
    let words = super::search::index_inserted(INSERTED, record)?;
    let with = WithClause::new()
        .cte(cte(INSERTED, insert))
        .cte(cte("audited", audit))
        .cte(cte("indexed", words))
        .to_owned();
    let q = Query::select()
        .column((Alias::new(INSERTED), Shared::Id))
        .from(Alias::new(INSERTED))
        .to_owned()
        .with(with);
    crate::db::insert_id(db, &q).await
}

/// Rolls back a failed insert and, when the database reported a dangling reference without
/// saying which, finds the field to name.
pub(crate) async fn explain_failed_insert(
    txn: Txn<'_>,
    reader: &impl Exec,
    layout: &Layout,
    meta: &EntityMeta,
    values: &Map<String, Value>,
    e: EngineError,
) -> EngineError {
    if !e.is_foreign_key_violation() {
        return e;
    }
    if let Err(e) = txn.rollback().await {
        return e;
    }
    match references::check(reader, layout, meta, values, false).await {
        Err(named) => named,
        Ok(()) => e,
    }
}

/// Validates and applies a patch inside `txn`; the caller commits.
pub(crate) async fn update_in(
    txn: &impl Exec,
    layout: &Layout,
    meta: &EntityMeta,
    audience: Audience,
    id: i64,
    patch: Map<String, Value>,
    actor: &Actor,
) -> Result<Record> {
    meta.validator(audience, Mode::Patch)
        .validate(&Value::Object(patch.clone()))?;
    references::check(txn, layout, meta, &patch, false).await?;
    let (columns, custom) = split(layout, meta, &patch);
    let found_by_another_name = super::search::touches(layout.entity, patch.keys());
    let mut sets: Vec<(DynIden, SimpleExpr)> = columns
        .into_iter()
        .map(|(c, v)| (c.into_iden(), Expr::val(v)))
        .collect();
    if !custom.is_empty() {
        sets.push((
            Shared::Custom.into_iden(),
            merge_custom(txn.backend(), &Value::Object(custom)),
        ));
    }
    sets.push((Shared::UpdatedAt.into_iden(), now_micros().into()));
    let q = Query::update()
        .table(layout.table)
        .values(sets)
        .and_where(Expr::col(Shared::Id).eq(id))
        .to_owned();
    if txn.execute(&q).await? == 0 {
        return Err(EngineError::not_found(layout.entity.type_name(), id));
    }
    audit::record(
        txn,
        layout.entity,
        id,
        actor,
        AuditAction::Updated,
        &Value::Object(patch),
    )
    .await?;
    let record = load(txn, layout, meta, id).await?;
    if found_by_another_name {
        super::search::index(txn, &record, false).await?;
    }
    Ok(record)
}

/// Records that still point at a contact; it cannot go while they do.
async fn referencing(db: &impl Exec, contact_id: i64) -> Result<Vec<RecordRef>> {
    let mut out = Vec::new();
    let labelled = [
        (Cases::Table.into_iden(), Cases::Subject.into_iden()),
        (Deals::Table.into_iden(), Deals::Name.into_iden()),
    ];
    for (table, label) in labelled {
        let q = Query::select()
            .column(Shared::Id)
            .column(label)
            .from(table)
            .and_where(Expr::col(Shared::ClientId).eq(contact_id))
            .limit(10)
            .to_owned();
        for row in db.query_all(&q).await? {
            out.push(RecordRef {
                id: row.get(0)?,
                name: row.get(1)?,
            });
        }
    }
    Ok(out)
}

pub(crate) async fn delete(txn: Txn<'_>, layout: &Layout, id: i64, actor: &Actor) -> Result<()> {
    if layout.entity == EntityKind::Contact {
        let related = referencing(&txn, id).await?;
        if !related.is_empty() {
            return Err(EngineError::Conflict {
                message: "the contact is the client of cases or deals; change them first".into(),
                related,
            });
        }
    }
    let q = Query::delete()
        .from_table(layout.table)
        .and_where(Expr::col(Shared::Id).eq(id))
        .to_owned();
    if txn.execute(&q).await? == 0 {
        return Err(EngineError::not_found(layout.entity.type_name(), id));
    }
    super::search::forget(&txn, layout.entity, id).await?;
    if layout.entity == EntityKind::Contact {
        // Its portal account and sessions went with it (ON DELETE CASCADE); every process's
        // session cache must forget them too, or a cached session outlives its contact.
        crate::state::bump(&txn, crate::state::Counter::Auth).await?;
    }
    audit::record(
        &txn,
        layout.entity,
        id,
        actor,
        AuditAction::Deleted,
        &Value::Null,
    )
    .await?;
    txn.commit().await?;
    Ok(())
}
