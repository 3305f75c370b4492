//! Relay connections: `edges { node cursor }`, `pageInfo` and a `totalCount` that is counted
//! only when asked for.

use crate::args::{engine_err, portal, staff};
use async_graphql::Value;
use async_graphql::dynamic::{Field, FieldFuture, FieldValue, Object, TypeRef};
use portico_engine::metadata::EntityKind;
use portico_engine::records::{Condition, CursorKeys, Page, Record};
use std::sync::Arc;

/// One page of a list, with what is needed to count the whole list on demand. Edges and
/// nodes are lent out by reference: a page is built once and never copied.
pub struct Connection {
    pub entity: EntityKind,
    /// A portal user's list: counted within their grants.
    pub portal: bool,
    pub page: PageFlags,
    pub edges: Vec<Edge>,
    pub conditions: Vec<Condition>,
}

pub struct PageFlags {
    pub has_next_page: bool,
    pub has_previous_page: bool,
}

pub struct Edge {
    record: Record,
    cursors: Arc<CursorKeys>,
}

impl Edge {
    fn cursor(&self) -> String {
        self.cursors.cursor(&self.record)
    }
}

impl Connection {
    pub fn new(entity: EntityKind, page: Page, conditions: Vec<Condition>) -> Self {
        let cursors = Arc::new(page.cursors);
        let edges = page
            .records
            .into_iter()
            .map(|record| Edge {
                record,
                cursors: Arc::clone(&cursors),
            })
            .collect();
        Connection {
            entity,
            portal: false,
            page: PageFlags {
                has_next_page: page.has_next_page,
                has_previous_page: page.has_previous_page,
            },
            edges,
            conditions,
        }
    }
}

/// A field computed from the parent without awaiting anything: no boxed future per value,
/// which matters on lists where it runs for every field of every node.
pub fn sync_field<T: std::any::Any + Send + Sync>(
    name: impl Into<String>,
    ty: TypeRef,
    f: impl for<'a> Fn(&'a T) -> Option<FieldValue<'a>> + Send + Sync + 'static,
) -> Field {
    Field::new(name, ty, move |ctx| {
        match ctx.parent_value.try_downcast_ref::<T>() {
            Ok(parent) => FieldFuture::Value(f(parent)),
            Err(e) => FieldFuture::new(async move { Err::<Option<Value>, _>(e) }),
        }
    })
}

pub fn page_info() -> Object {
    let flag = |name: &'static str, f: fn(&PageFlags) -> bool| {
        sync_field::<Connection>(name, TypeRef::named_nn(TypeRef::BOOLEAN), move |c| {
            Some(FieldValue::value(f(&c.page)))
        })
    };
    let cursor = |name: &'static str, last: bool| {
        sync_field::<Connection>(name, TypeRef::named(TypeRef::STRING), move |c| {
            let edge = if last {
                c.edges.last()
            } else {
                c.edges.first()
            };
            edge.map(|e| FieldValue::value(e.cursor()))
        })
    };
    Object::new("PageInfo")
        .description("Where a page sits in its list (Relay cursor connections).")
        .field(flag("hasNextPage", |p| p.has_next_page))
        .field(flag("hasPreviousPage", |p| p.has_previous_page))
        .field(cursor("startCursor", false))
        .field(cursor("endCursor", true))
}

/// The `XConnection` and `XEdge` types of a record type.
pub fn types(type_name: &str) -> (Object, Object) {
    let edge_name = crate::names::edge(type_name);
    let edge = Object::new(&edge_name)
        .field(sync_field::<Edge>(
            "node",
            TypeRef::named_nn(type_name),
            |e| Some(FieldValue::borrowed_any(&e.record)),
        ))
        .field(sync_field::<Edge>(
            "cursor",
            TypeRef::named_nn(TypeRef::STRING),
            |e| Some(FieldValue::value(e.cursor())),
        ));
    let connection = Object::new(crate::names::connection(type_name))
        .field(sync_field::<Connection>(
            "edges",
            TypeRef::named_nn_list_nn(&edge_name),
            |c| {
                Some(FieldValue::list(
                    c.edges.iter().map(|e| FieldValue::borrowed_any(e)),
                ))
            },
        ))
        .field(sync_field::<Connection>(
            "pageInfo",
            TypeRef::named_nn("PageInfo"),
            |c| Some(FieldValue::borrowed_any(c)),
        ))
        .field(
            Field::new("totalCount", TypeRef::named_nn(TypeRef::INT), |ctx| {
                FieldFuture::new(async move {
                    let c = ctx.parent_value.try_downcast_ref::<Connection>()?;
                    let n = if c.portal {
                        portal(&ctx)?.case_count(&c.conditions).await
                    } else {
                        staff(&ctx)?.count(c.entity, &c.conditions).await
                    }
                    .map_err(engine_err)?;
                    Ok(Some(Value::from(n)))
                })
            })
            .description("How many records match the filter, over all pages."),
        );
    (connection, edge)
}
