//! Relay connections: `edges { node cursor }`, `pageInfo` and a `totalCount` that is counted
//! only when asked for.

use crate::args::{engine, engine_err, principal};
use async_graphql::Value;
use async_graphql::dynamic::{Field, FieldFuture, FieldValue, Object, TypeRef};
use portico_engine::metadata::EntityKind;
use portico_engine::records::{Condition, Page, Record};

/// One page of a list, with what is needed to count the whole list on demand.
pub struct Connection {
    pub entity: EntityKind,
    pub page: Page,
    pub conditions: Vec<Condition>,
}

struct Edge {
    record: Record,
    cursor: String,
}

pub fn page_info() -> Object {
    let flag = |name: &'static str, f: fn(&Page) -> bool| {
        Field::new(name, TypeRef::named_nn(TypeRef::BOOLEAN), move |ctx| {
            FieldFuture::new(async move {
                let page = ctx.parent_value.try_downcast_ref::<Connection>()?;
                Ok(Some(Value::from(f(&page.page))))
            })
        })
    };
    let cursor = |name: &'static str, last: bool| {
        Field::new(name, TypeRef::named(TypeRef::STRING), move |ctx| {
            FieldFuture::new(async move {
                let page = ctx.parent_value.try_downcast_ref::<Connection>()?;
                let c = if last {
                    page.page.cursors.last()
                } else {
                    page.page.cursors.first()
                };
                Ok(c.map(|c| Value::from(c.clone())))
            })
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
    let edge_name = format!("{type_name}Edge");
    let edge = Object::new(&edge_name)
        .field(Field::new("node", TypeRef::named_nn(type_name), |ctx| {
            FieldFuture::new(async move {
                let edge = ctx.parent_value.try_downcast_ref::<Edge>()?;
                Ok(Some(FieldValue::owned_any(edge.record.clone())))
            })
        }))
        .field(Field::new(
            "cursor",
            TypeRef::named_nn(TypeRef::STRING),
            |ctx| {
                FieldFuture::new(async move {
                    let edge = ctx.parent_value.try_downcast_ref::<Edge>()?;
                    Ok(Some(Value::from(edge.cursor.clone())))
                })
            },
        ));
    let connection = Object::new(format!("{type_name}Connection"))
        .field(Field::new(
            "edges",
            TypeRef::named_nn_list_nn(&edge_name),
            |ctx| {
                FieldFuture::new(async move {
                    let c = ctx.parent_value.try_downcast_ref::<Connection>()?;
                    let edges = c
                        .page
                        .records
                        .iter()
                        .zip(&c.page.cursors)
                        .map(|(r, cursor)| {
                            FieldValue::owned_any(Edge {
                                record: r.clone(),
                                cursor: cursor.clone(),
                            })
                        });
                    Ok(Some(FieldValue::list(edges)))
                })
            },
        ))
        .field(Field::new(
            "pageInfo",
            TypeRef::named_nn("PageInfo"),
            |ctx| {
                FieldFuture::new(async move {
                    // PageInfo reads the same page.
                    Ok(Some(FieldValue::borrowed_any(
                        ctx.parent_value.try_downcast_ref::<Connection>()?,
                    )))
                })
            },
        ))
        .field(
            Field::new("totalCount", TypeRef::named_nn(TypeRef::INT), |ctx| {
                FieldFuture::new(async move {
                    let c = ctx.parent_value.try_downcast_ref::<Connection>()?;
                    let n = engine(&ctx)?
                        .count(&principal(&ctx), c.entity, &c.conditions)
                        .await
                        .map_err(engine_err)?;
                    Ok(Some(Value::from(n)))
                })
            })
            .description("How many records match the filter, over all pages."),
        );
    (connection, edge)
}
