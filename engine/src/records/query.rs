//! Listing records: filters, ordering and keyset (cursor) paging.
//!
//! Paging never uses OFFSET: the cursor holds the sort values of the last row seen, and the
//! next page starts strictly after them, so page 1,000 costs what page 1 costs and rows added
//! meanwhile do not shift the pages. NULL sorts as the largest value, as PostgreSQL does by
//! default, so PostgreSQL can walk its plain indexes in either direction.

use super::layout::{self, Layout, SqlKind};
use super::read::{Record, decode, select_columns};
use super::sql::{Operand, bind, operand};
use crate::db::Exec;
use crate::db::tables::Shared;
use crate::error::{EngineError, Result};
use crate::metadata::{EntityMeta, FieldDefinition};
use sea_orm::DbBackend;
use sea_orm::sea_query::{
    Alias, Cond, Expr, ExprTrait, Func, JoinType, LikeExpr, NullOrdering, Order, Query,
    SelectStatement, Value,
};

pub const MAX_PAGE: u64 = 100;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    Eq,
    Ne,
    In,
    Lt,
    Lte,
    Gt,
    Gte,
    Contains,
    IsNull,
    /// The record is found by the string, as a person types it: every word of it starts one
    /// of the record's words (title, a contact's email, a case's number), ignoring case and
    /// accents (see `search`). `key` only names the argument in errors.
    Search,
}

/// One comparison on one field. `value` is a JSON value in the field's own representation
/// (option labels for selects, ids for references, RFC 3339 for timestamps).
#[derive(Debug, Clone)]
pub struct Condition {
    pub key: String,
    pub op: Op,
    pub value: serde_json::Value,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    Asc,
    Desc,
}

#[derive(Debug, Clone)]
pub struct Sort {
    pub key: String,
    pub direction: Direction,
}

#[derive(Debug, Clone, Default)]
pub struct ListQuery {
    pub conditions: Vec<Condition>,
    /// Empty means newest first.
    pub sort: Vec<Sort>,
    pub first: Option<u64>,
    pub after: Option<String>,
    /// The caller reads no custom field: leave the JSON column unread (and unparsed). Sorting
    /// on a custom field reads it anyway, for the cursors.
    pub without_custom: bool,
}

/// An opaque position in a sorted list: the sort values of a row, then its id, hex-encoded JSON.
#[derive(Debug, Clone)]
pub struct Cursor(pub Vec<serde_json::Value>);

impl Cursor {
    pub fn encode(&self) -> String {
        let json = serde_json::Value::Array(self.0.clone()).to_string();
        crate::identity::hex(json.as_bytes())
    }

    pub fn decode(s: &str) -> Result<Self> {
        let bad = || EngineError::validation("after", "is not a cursor from this list");
        let bytes = crate::identity::unhex(s).ok_or_else(bad)?;
        match serde_json::from_slice(&bytes) {
            Ok(serde_json::Value::Array(v)) => Ok(Cursor(v)),
            _ => Err(bad()),
        }
    }
}

pub struct Page {
    pub records: Vec<Record>,
    /// Gives each record's cursor; encoded only for the cursors a client asks for.
    pub cursors: CursorKeys,
    pub has_next_page: bool,
    pub has_previous_page: bool,
}

/// The sort keys of a page, from which any of its records' cursors is made.
#[derive(Debug, Clone)]
pub struct CursorKeys(Vec<String>);

impl CursorKeys {
    pub fn cursor(&self, record: &Record) -> String {
        Cursor(self.0.iter().map(|k| sort_value(record, k)).collect()).encode()
    }
}

/// The rows a caller may see, added to every query of a list (a portal user's grants).
#[derive(Debug, Clone)]
pub struct Scope {
    pub cond: Cond,
    /// A small table to start from, joined on the condition given. Without statistics SQLite
    /// prefers walking an index of the whole table in the list's order and testing each row
    /// against the scope; starting from a user's few grants is thousands of times cheaper. On
    /// PostgreSQL it is a plain join and the planner picks the order.
    pub drive: Option<(&'static str, Cond)>,
    /// The driver's copies of each record's `createdAt` and `id`, indexed after what the
    /// condition fixes: a list in creation order (the default, newest first) is then read in
    /// order from the driver's index, a page at a time, instead of joining every row the
    /// scope allows and sorting them.
    pub creation_order: Option<(&'static str, &'static str)>,
}

impl Scope {
    /// Sort keys on the driver's copies when the list is in creation order.
    fn order_from_driver(&self, keys: &mut [SortKey]) {
        let (Some((driver, _)), Some((created, id))) = (&self.drive, self.creation_order) else {
            return;
        };
        if let [first, second] = keys
            && first.key == "createdAt"
            && second.key == "id"
        {
            first.op.expr = Expr::col((Alias::new(*driver), Alias::new(created)));
            second.op.expr = Expr::col((Alias::new(*driver), Alias::new(id)));
        }
    }

    pub(crate) fn add_tables(
        &self,
        backend: DbBackend,
        q: &mut SelectStatement,
        table: &'static str,
    ) {
        match &self.drive {
            Some((driver, on)) if backend == DbBackend::Sqlite => {
                // SQLite keeps the order of a CROSS JOIN's tables: the driver is the outer loop.
                // (sea-query writes no ON for a cross join: the condition goes to the WHERE.)
                q.from(*driver).cross_join(table).cond_where(on.clone());
            }
            Some((driver, on)) => {
                q.from(table).join(JoinType::InnerJoin, *driver, on.clone());
            }
            None => {
                q.from(table);
            }
        }
    }
}

/// A prepared filter: the WHERE clause shared by the page query and the count.
pub struct Filter {
    cond: Cond,
}

impl Filter {
    pub fn build(
        backend: DbBackend,
        layout: &Layout,
        meta: &EntityMeta,
        conditions: &[Condition],
        scope: Option<Cond>,
    ) -> Result<Self> {
        let mut cond = Cond::all();
        for c in conditions {
            if c.op == Op::Search {
                let text = c
                    .value
                    .as_str()
                    .ok_or_else(|| EngineError::validation(&c.key, "a search is a string"))?;
                if let Some(found) = super::search::condition(layout, text) {
                    cond = cond.add(found);
                }
                continue;
            }
            cond = cond.add(condition_expr(backend, layout, meta, c)?);
        }
        if let Some(scope) = scope {
            cond = cond.add(scope);
        }
        Ok(Self { cond })
    }
}

fn condition_expr(
    backend: DbBackend,
    layout: &Layout,
    meta: &EntityMeta,
    c: &Condition,
) -> Result<Expr> {
    let op = operand(backend, layout, meta, &c.key)?;
    let e = op.expr.clone();
    Ok(match c.op {
        Op::IsNull => match c.value.as_bool() {
            Some(true) => e.is_null(),
            Some(false) => e.is_not_null(),
            None => {
                return Err(EngineError::validation(
                    &c.key,
                    "isNull takes true or false",
                ));
            }
        },
        Op::In => {
            let items = c
                .value
                .as_array()
                .ok_or_else(|| EngineError::validation(&c.key, "`in` takes a list"))?;
            let values: Vec<Value> = items
                .iter()
                .map(|v| bind(&op, &c.key, v))
                .collect::<Result<_>>()?;
            if values.is_empty() {
                Expr::cust("1 = 0")
            } else {
                e.is_in(values)
            }
        }
        Op::Contains => {
            let needle = c
                .value
                .as_str()
                .ok_or_else(|| EngineError::validation(&c.key, "`contains` takes a string"))?;
            if !matches!(op.kind, SqlKind::Text | SqlKind::Array) {
                return Err(EngineError::validation(
                    &c.key,
                    "`contains` works on text fields only",
                ));
            }
            let escaped = needle
                .replace('\\', "\\\\")
                .replace('%', "\\%")
                .replace('_', "\\_");
            let pattern = if op.kind == SqlKind::Array {
                // A multiselect holds a JSON array: match one whole element.
                format!("%\"{escaped}\"%")
            } else {
                format!("%{}%", escaped.to_lowercase())
            };
            let subject = if op.kind == SqlKind::Array {
                e
            } else {
                Expr::from(Func::lower(e))
            };
            subject.like(LikeExpr::new(pattern).escape('\\'))
        }
        cmp => {
            if op.kind == SqlKind::Array {
                return Err(EngineError::validation(
                    &c.key,
                    "a multiselect is filtered with `contains` or `isNull`",
                ));
            }
            let v = bind(&op, &c.key, &c.value)?;
            match cmp {
                Op::Eq => e.eq(v),
                Op::Ne => {
                    // `ne` keeps rows where the field is empty, as a user reading "not X" expects.
                    if op.nullable {
                        e.clone().ne(v).or(e.is_null())
                    } else {
                        e.ne(v)
                    }
                }
                Op::Lt => e.lt(v),
                Op::Lte => e.lte(v),
                Op::Gt => e.gt(v),
                Op::Gte => e.gte(v),
                _ => unreachable!("handled above"),
            }
        }
    })
}

pub(crate) struct SortKey {
    key: String,
    op: Operand,
    direction: Direction,
}

fn sort_keys(
    backend: DbBackend,
    layout: &Layout,
    meta: &EntityMeta,
    sort: &[Sort],
) -> Result<Vec<SortKey>> {
    let mut keys = Vec::new();
    let requested: Vec<Sort> = if sort.is_empty() {
        vec![Sort {
            key: "createdAt".into(),
            direction: Direction::Desc,
        }]
    } else {
        sort.to_vec()
    };
    for s in requested.iter().take(4) {
        let op = operand(backend, layout, meta, &s.key).map_err(|_| {
            EngineError::validation("orderBy", format!("cannot order by `{}`", s.key))
        })?;
        if op.kind == SqlKind::Array {
            return Err(EngineError::validation(
                "orderBy",
                format!("cannot order by the multiselect `{}`", s.key),
            ));
        }
        keys.push(SortKey {
            key: s.key.clone(),
            op,
            direction: s.direction,
        });
    }
    // The id makes every position unique, so no row is skipped or repeated between pages.
    let last = keys.last().map_or(Direction::Desc, |k| k.direction);
    keys.push(SortKey {
        key: "id".into(),
        op: operand(backend, layout, meta, "id")?,
        direction: last,
    });
    Ok(keys)
}

/// Rows strictly after `values` in the order of `keys`.
fn after_cursor(keys: &[SortKey], values: &[serde_json::Value]) -> Result<Cond> {
    let bad = || EngineError::validation("after", "is not a cursor of this ordering");
    if values.len() != keys.len() {
        return Err(bad());
    }
    let mut any = Cond::any();
    for i in 0..keys.len() {
        let mut all = Cond::all();
        for (k, v) in keys[..i].iter().zip(values) {
            all = all.add(equal(k, v)?);
        }
        match beyond(&keys[i], &values[i])? {
            Some(e) => any = any.add(all.add(e)),
            None => continue,
        }
    }
    Ok(any)
}

fn cursor_value(k: &SortKey, v: &serde_json::Value) -> Result<Value> {
    bind(&k.op, &k.key, v)
        .map_err(|_| EngineError::validation("after", "is not a cursor of this ordering"))
}

fn equal(k: &SortKey, v: &serde_json::Value) -> Result<Expr> {
    Ok(if v.is_null() {
        k.op.expr.clone().is_null()
    } else {
        k.op.expr.clone().eq(cursor_value(k, v)?)
    })
}

/// The condition "comes after v" on one key, or None when nothing can (after NULL, ascending).
fn beyond(k: &SortKey, v: &serde_json::Value) -> Result<Option<Expr>> {
    let e = k.op.expr.clone();
    Ok(match (k.direction, v.is_null()) {
        (Direction::Asc, true) => None,
        (Direction::Asc, false) => {
            let gt = e.clone().gt(cursor_value(k, v)?);
            Some(if k.op.nullable {
                gt.or(e.is_null())
            } else {
                gt
            })
        }
        (Direction::Desc, true) => Some(e.is_not_null()),
        (Direction::Desc, false) => Some(e.lt(cursor_value(k, v)?)),
    })
}

fn sort_value(record: &Record, key: &str) -> serde_json::Value {
    match key {
        "id" => record.id.into(),
        // Raw microseconds: a cursor must be exact, and RFC 3339 output rounds to milliseconds.
        "createdAt" => record.created_at.into(),
        "updatedAt" => record.updated_at.into(),
        // The case number sorts as its id.
        "number" => record.id.into(),
        k => record.get(k).clone(),
    }
}

pub(crate) fn base_select(layout: &Layout) -> SelectStatement {
    let mut q = Query::select();
    q.from(layout.table);
    select_columns(&mut q, layout, true);
    q
}

/// The page query: filter, cursor, order and a limit one past the page size (to learn whether
/// another page follows).
pub(crate) fn page_statement(
    backend: DbBackend,
    layout: &Layout,
    meta: &EntityMeta,
    query: &ListQuery,
    scope: Option<&Scope>,
) -> Result<(SelectStatement, Vec<SortKey>, u64)> {
    let filter = Filter::build(
        backend,
        layout,
        meta,
        &query.conditions,
        scope.map(|s| s.cond.clone()),
    )?;
    let mut keys = sort_keys(backend, layout, meta, &query.sort)?;
    if let Some(scope) = scope {
        scope.order_from_driver(&mut keys);
    }
    let first = query.first.unwrap_or(20);
    if first > MAX_PAGE {
        return Err(EngineError::validation(
            "first",
            format!("at most {MAX_PAGE} records per page"),
        ));
    }
    let custom_sort = keys
        .iter()
        .any(|k| layout::stored_in_custom(layout.entity, &k.key));
    let mut q = Query::select();
    match scope {
        Some(scope) => scope.add_tables(backend, &mut q, layout.table),
        None => {
            q.from(layout.table);
        }
    }
    select_columns(&mut q, layout, !query.without_custom || custom_sort);
    q.cond_where(filter.cond);
    if let Some(after) = &query.after {
        let cursor = Cursor::decode(after)?;
        q.cond_where(after_cursor(&keys, &cursor.0)?);
    }
    for k in &keys {
        let order = match k.direction {
            Direction::Asc => Order::Asc,
            Direction::Desc => Order::Desc,
        };
        if k.op.nullable && backend != DbBackend::Postgres {
            let nulls = match k.direction {
                Direction::Asc => NullOrdering::Last,
                Direction::Desc => NullOrdering::First,
            };
            q.order_by_expr_with_nulls(k.op.expr.clone(), order, nulls);
        } else {
            q.order_by_expr(k.op.expr.clone(), order);
        }
    }
    q.limit(first + 1);
    Ok((q, keys, first))
}

pub(crate) async fn list(
    db: &impl Exec,
    layout: &Layout,
    meta: &EntityMeta,
    query: &ListQuery,
    scope: Option<&Scope>,
) -> Result<Page> {
    let (q, keys, first) = page_statement(db.backend(), layout, meta, query, scope)?;
    let rows = db.query_all(&q).await?;
    let mut records = rows
        .iter()
        .map(|r| decode(r, layout, meta))
        .collect::<Result<Vec<_>>>()?;
    let has_next_page = records.len() as u64 > first;
    records.truncate(first as usize);
    let cursors = CursorKeys(keys.into_iter().map(|k| k.key).collect());
    Ok(Page {
        records,
        cursors,
        has_next_page,
        has_previous_page: query.after.is_some(),
    })
}

pub(crate) async fn count(
    db: &impl Exec,
    layout: &Layout,
    meta: &EntityMeta,
    conditions: &[Condition],
    scope: Option<&Scope>,
) -> Result<i64> {
    let filter = Filter::build(
        db.backend(),
        layout,
        meta,
        conditions,
        scope.map(|s| s.cond.clone()),
    )?;
    let mut q = Query::select();
    q.expr(Expr::col((layout.table, Shared::Id)).count());
    match scope {
        Some(scope) => scope.add_tables(db.backend(), &mut q, layout.table),
        None => {
            q.from(layout.table);
        }
    }
    q.cond_where(filter.cond);
    let row = db.query_one(&q).await?;
    Ok(match row {
        Some(r) => r.get(0)?,
        None => 0,
    })
}

/// How many records hold `option` in the SELECT or MULTISELECT field `def`.
pub(crate) async fn option_count(
    db: &impl Exec,
    def: &FieldDefinition,
    option: &str,
) -> Result<i64> {
    let Some(layout) = layout::of(def.entity) else {
        return Ok(0);
    };
    let condition = Condition {
        key: def.key.clone(),
        op: if layout::sql_kind(def.field_type) == SqlKind::Array {
            Op::Contains
        } else {
            Op::Eq
        },
        value: option.into(),
    };
    // An inactive field still holds values: look at them as if it were active.
    let field = FieldDefinition {
        active: true,
        ..def.clone()
    };
    let catalog = crate::metadata::Catalog::build(0, vec![field])?;
    count(db, layout, catalog.entity(def.entity), &[condition], None).await
}

/// SQLite's plan for the page query of `q` on cases, one line per step (for plan tests).
#[cfg(test)]
pub(crate) async fn sqlite_plan(
    db: &sea_orm::DatabaseConnection,
    catalog: &crate::metadata::Catalog,
    q: &ListQuery,
    scope: Option<&Scope>,
) -> String {
    sqlite_plan_of(db, catalog, crate::metadata::EntityKind::Case, q, scope).await
}

/// SQLite's plan for the page query of `q` on `entity`'s records.
#[cfg(test)]
pub(crate) async fn sqlite_plan_of(
    db: &sea_orm::DatabaseConnection,
    catalog: &crate::metadata::Catalog,
    entity: crate::metadata::EntityKind,
    q: &ListQuery,
    scope: Option<&Scope>,
) -> String {
    use sea_orm::{ConnectionTrait, Statement};
    let layout = crate::records::layout::of(entity).unwrap();
    let (stmt, _, _) =
        page_statement(DbBackend::Sqlite, layout, catalog.entity(entity), q, scope).unwrap();
    let built = DbBackend::Sqlite.build(&stmt);
    let explain = Statement::from_sql_and_values(
        DbBackend::Sqlite,
        format!("EXPLAIN QUERY PLAN {}", built.sql),
        built.values.map(|v| v.0).unwrap_or_default(),
    );
    let steps: Vec<String> = ConnectionTrait::query_all_raw(db, explain)
        .await
        .unwrap()
        .iter()
        .map(|r| r.try_get_by_index::<String>(3).unwrap())
        .collect();
    steps.join(" / ")
}

/// PostgreSQL's plan for the page query of `query` on `entity`'s records, in a database of
/// its own holding `data` (SQL run first, then ANALYZE), within `scope`, when a server is configured for the tests (`PORTICO_TEST_DATABASE_URL`).
/// Sequential scans are priced out: the test tables are empty, so the planner would rather
/// read them whole than use any index.
#[cfg(test)]
pub(crate) async fn postgres_plan_scoped(
    entity: crate::metadata::EntityKind,
    query: &ListQuery,
    scope: Option<&Scope>,
    data: &str,
) -> Option<String> {
    use crate::metadata::Catalog;
    use sea_orm::TransactionTrait;
    use sea_orm::{ConnectionTrait, Statement};
    let admin = std::env::var("PORTICO_TEST_DATABASE_URL")
        .ok()
        .filter(|u| !u.is_empty())?;
    static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let name = format!(
        "portico_plan_{}_{}",
        std::process::id(),
        NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
    );
    let server = crate::db::connect_unmigrated(&admin).await.unwrap();
    server
        .execute_unprepared(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        .await
        .unwrap();
    server
        .execute_unprepared(&format!("CREATE DATABASE {name}"))
        .await
        .unwrap();
    let base = admin.rsplit_once('/').map_or(admin.as_str(), |(b, _)| b);
    let db = crate::db::connect(&format!("{base}/{name}")).await.unwrap();
    crate::metadata::seed_system_fields(&db).await.unwrap();
    let catalog = Catalog::build(1, crate::metadata::load_all(&db).await.unwrap()).unwrap();
    let layout = crate::records::layout::of(entity).unwrap();
    let (stmt, _, _) = page_statement(
        DbBackend::Postgres,
        layout,
        catalog.entity(entity),
        query,
        scope,
    )
    .unwrap();
    if !data.is_empty() {
        db.execute_unprepared(data).await.unwrap();
        db.execute_unprepared("ANALYZE").await.unwrap();
    }
    let built = DbBackend::Postgres.build(&stmt);
    let txn = db.begin().await.unwrap();
    txn.execute_unprepared("SET LOCAL enable_seqscan = off; SET LOCAL enable_bitmapscan = off")
        .await
        .unwrap();
    let explain = Statement::from_sql_and_values(
        DbBackend::Postgres,
        format!("EXPLAIN {}", built.sql),
        built.values.map(|v| v.0).unwrap_or_default(),
    );
    let plan: Vec<String> = ConnectionTrait::query_all_raw(&txn, explain)
        .await
        .unwrap()
        .iter()
        .map(|r| r.try_get_by_index::<String>(0).unwrap())
        .collect();
    drop(txn);
    db.close().await.ok();
    server
        .execute_unprepared(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        .await
        .unwrap();
    Some(plan.join(" / "))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metadata::{Catalog, EntityKind};

    async fn plan(db: &sea_orm::DatabaseConnection, catalog: &Catalog, q: &ListQuery) -> String {
        sqlite_plan(db, catalog, q, None).await
    }

    /// The benchmark's list: client 42's open cases, newest first, twenty to a page.
    fn benchmark_list() -> ListQuery {
        ListQuery {
            conditions: vec![
                Condition {
                    key: "client".into(),
                    op: Op::Eq,
                    value: 42.into(),
                },
                Condition {
                    key: "status".into(),
                    op: Op::Eq,
                    value: "Open".into(),
                },
            ],
            sort: vec![Sort {
                key: "createdAt".into(),
                direction: Direction::Desc,
            }],
            first: Some(20),
            after: None,
            without_custom: true,
        }
    }

    /// The benchmark's list (one client's open cases, newest first) must be an index range
    /// scan in the index's order: no table scan, no sort. Its cost then does not grow with the
    /// number of cases.
    #[tokio::test]
    async fn listing_a_clients_cases_by_status_walks_an_index_without_sorting() {
        let db = crate::db::connect("sqlite::memory:").await.unwrap();
        crate::metadata::seed_system_fields(&db).await.unwrap();
        let catalog = Catalog::build(1, crate::metadata::load_all(&db).await.unwrap()).unwrap();
        let query = benchmark_list();
        for after in [
            None,
            Some(Cursor(vec![1_700_000_000_000_000i64.into(), 5.into()]).encode()),
        ] {
            let q = ListQuery {
                after,
                ..query.clone()
            };
            let plan = plan(&db, &catalog, &q).await;
            assert!(
                plan.contains("USING INDEX cases_client_status_created"),
                "{plan}"
            );
            assert!(
                !plan.contains("TEMP B-TREE"),
                "sorts instead of walking the index: {plan}"
            );
        }
    }

    /// The same list on PostgreSQL, when a server is configured for the tests
    /// (`PORTICO_TEST_DATABASE_URL`): with sequential scans priced out (the test table is
    /// empty, so the planner would rather read it whole), the plan must walk the index in its
    /// order, with no sort.
    #[tokio::test]
    async fn on_postgresql_the_list_walks_the_same_index_without_sorting() {
        let Some(plan) = postgres_plan(EntityKind::Case, &benchmark_list()).await else {
            return;
        };
        assert!(plan.contains("cases_client_status_created"), "{plan}");
        assert!(
            !plan.contains("Sort"),
            "sorts instead of walking the index: {plan}"
        );
    }

    async fn postgres_plan(entity: EntityKind, query: &ListQuery) -> Option<String> {
        postgres_plan_scoped(entity, query, None, "").await
    }

    fn search(text: &str) -> ListQuery {
        ListQuery {
            conditions: vec![Condition {
                key: "search".into(),
                op: Op::Search,
                value: text.into(),
            }],
            ..ListQuery::default()
        }
    }

    /// A search is index ranges over the folded words, then the records by primary key: no
    /// scan of the records, so its cost follows the matches, not the number of contacts.
    #[tokio::test]
    async fn a_search_reads_word_ranges_then_records_by_key() {
        let db = crate::db::connect("sqlite::memory:").await.unwrap();
        crate::metadata::seed_system_fields(&db).await.unwrap();
        let catalog = Catalog::build(1, crate::metadata::load_all(&db).await.unwrap()).unwrap();
        for entity in [EntityKind::Contact, EntityKind::Case] {
            let plan = sqlite_plan_of(&db, &catalog, entity, &search("lucia fernan"), None).await;
            assert!(
                plan.matches("search_words USING").count() == 2
                    && plan.contains("(entity=? AND word>? AND word<?)"),
                "each word is a range over the words index: {plan}"
            );
            assert!(!plan.contains("SCAN"), "reads a whole table: {plan}");
        }
    }

    #[tokio::test]
    async fn on_postgresql_a_search_reads_word_ranges_then_records_by_key() {
        for entity in [EntityKind::Contact, EntityKind::Case] {
            let Some(plan) = postgres_plan(entity, &search("lucia fernan")).await else {
                return;
            };
            // PostgreSQL may check the second word by probing the record's words instead of a
            // second range; both are index reads.
            assert!(
                plan.contains("Index Only Scan using search_words_pkey")
                    && plan.contains("(word >= 'lucia'::text) AND (word < 'lucib'::text)"),
                "a word is a range over the words index: {plan}"
            );
            assert!(!plan.contains("Seq Scan"), "reads a whole table: {plan}");
        }
    }

    /// A custom field gets an index on the very expression its filters use.
    #[tokio::test]
    async fn filtering_on_a_custom_field_uses_its_expression_index() {
        use crate::metadata::{FieldType, NewDefinition};
        let db = crate::db::connect("sqlite::memory:").await.unwrap();
        crate::metadata::seed_system_fields(&db).await.unwrap();
        let def = crate::metadata::create(
            &db,
            NewDefinition {
                entity: Some(EntityKind::Case),
                key: "slaHours".into(),
                label: "SLA".into(),
                field_type: Some(FieldType::Number),
                ..Default::default()
            },
        )
        .await
        .unwrap();
        crate::records::ensure_index(&db, &def).await.unwrap();
        let catalog = Catalog::build(2, crate::metadata::load_all(&db).await.unwrap()).unwrap();
        let q = ListQuery {
            conditions: vec![Condition {
                key: "slaHours".into(),
                op: Op::Eq,
                value: 24.into(),
            }],
            ..ListQuery::default()
        };
        let plan = plan(&db, &catalog, &q).await;
        assert!(
            plan.contains(&format!("USING INDEX cf_cases_{}", def.id)),
            "{plan}"
        );
        assert!(!plan.contains("TEMP B-TREE"), "{plan}");
    }
}
