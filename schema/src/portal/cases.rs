//! The portal user's cases: the list, one case, and opening a new one.

use crate::args::{engine_err, id_arg, opt_string, portal};
use crate::connection::Connection;
use crate::names;
use crate::records::{input_values, page_size, selects_custom};
use crate::values::filter_input;
use async_graphql::dynamic::{Field, FieldFuture, FieldValue, InputValue, TypeRef};
use portico_engine::metadata::{Audience, Catalog, EntityKind};
use portico_engine::records::{Condition, ListQuery, Op};
use std::sync::Arc;

pub fn query_fields(catalog: &Arc<Catalog>) -> Vec<Field> {
    let cat = catalog.clone();
    let status_visible = catalog
        .entity(EntityKind::Case)
        .field("status")
        .is_some_and(|f| f.visible_to(Audience::Portal));
    let mut list = Field::new("cases", TypeRef::named_nn("CaseConnection"), move |ctx| {
        let catalog = cat.clone();
        FieldFuture::new(async move {
            let mut conditions = Vec::new();
            if let Some(status) = ctx.args.get("status").filter(|v| !v.is_null()) {
                let def = catalog.entity(EntityKind::Case).field("status");
                conditions.push(Condition {
                    key: "status".into(),
                    op: Op::In,
                    value: filter_input(def, "status", status.as_value())?,
                });
            }
            conditions.extend(crate::args::search_condition(&ctx.args)?);
            let without_custom = !selects_custom(&catalog, EntityKind::Case, &ctx);
            let query = ListQuery {
                conditions: conditions.clone(),
                first: page_size(&ctx)?,
                after: opt_string(&ctx.args, "after")?,
                without_custom,
                ..ListQuery::default()
            };
            let page = portal(&ctx)?.cases(&query).await.map_err(engine_err)?;
            let mut connection = Connection::new(EntityKind::Case, page, conditions);
            connection.portal = true;
            Ok(Some(FieldValue::owned_any(connection)))
        })
    })
    .description("The cases you were given access to (and those you opened), newest first.")
    .argument(
        InputValue::new("first", TypeRef::named(TypeRef::INT))
            .description("Page size, at most 100; 20 when left out."),
    )
    .argument(
        InputValue::new("after", TypeRef::named(TypeRef::STRING))
            .description("The `endCursor` of the previous page."),
    )
    .argument(crate::args::search_argument());
    if status_visible {
        list = list.argument(
            InputValue::new(
                "status",
                TypeRef::named_nn_list(names::option_enum(EntityKind::Case, "status")),
            )
            .description("Only cases in one of these statuses."),
        );
    }
    let get = Field::new("case", TypeRef::named("Case"), |ctx| {
        FieldFuture::new(async move {
            let id = id_arg(&ctx.args, "id")?;
            let r = portal(&ctx)?.case(id).await.map_err(engine_err)?;
            Ok(Some(FieldValue::owned_any(r)))
        })
    })
    .argument(InputValue::new("id", TypeRef::named_nn(TypeRef::ID)));
    vec![list, get]
}

pub fn mutation_fields(catalog: &Arc<Catalog>) -> Vec<Field> {
    let catalog = catalog.clone();
    vec![
        Field::new("createCase", TypeRef::named_nn("Case"), move |ctx| {
            let catalog = catalog.clone();
            FieldFuture::new(async move {
                let values = input_values(
                    &catalog,
                    EntityKind::Case,
                    &ctx.args.try_get("input")?.object()?,
                )?;
                let r = portal(&ctx)?
                    .create_case(values)
                    .await
                    .map_err(engine_err)?;
                Ok(Some(FieldValue::owned_any(r)))
            })
        })
        .argument(InputValue::new(
            "input",
            TypeRef::named_nn("CreateCaseInput"),
        ))
        .description(
            "Opens a case for the current organisation (or for you); it goes to the default owner.",
        ),
    ]
}
