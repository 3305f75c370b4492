//! The audit log in the API.

use crate::args::{engine_err, id_arg, staff};
use crate::error::invalid;
use crate::scalars::{DATE_TIME, JSON};
use async_graphql::Value;
use async_graphql::dynamic::{Field, FieldFuture, FieldValue, InputValue, Object, TypeRef};
use portico_engine::audit::AuditEvent;
use portico_engine::metadata::EntityKind;

pub fn objects() -> Vec<Object> {
    vec![
        Object::new("AuditActor")
            .field(Field::new("id", TypeRef::named(TypeRef::ID), |ctx| {
                FieldFuture::new(async move {
                    let e = ctx.parent_value.try_downcast_ref::<AuditEvent>()?;
                    Ok(e.actor.id.map(|id| Value::from(id.to_string())))
                })
            }))
            .field(Field::new(
                "name",
                TypeRef::named_nn(TypeRef::STRING),
                |ctx| {
                    FieldFuture::new(async move {
                        let e = ctx.parent_value.try_downcast_ref::<AuditEvent>()?;
                        Ok(Some(Value::from(e.actor.name.clone())))
                    })
                },
            )),
        Object::new("AuditEvent")
            .description("Something a user (or Portico) did to a record.")
            .field(Field::new("at", TypeRef::named_nn(DATE_TIME), |ctx| {
                FieldFuture::new(async move {
                    let e = ctx.parent_value.try_downcast_ref::<AuditEvent>()?;
                    Ok(Some(Value::from(portico_engine::micros_to_rfc3339(e.at))))
                })
            }))
            .field(Field::new(
                "actor",
                TypeRef::named_nn("AuditActor"),
                |ctx| {
                    FieldFuture::new(async move {
                        let e = ctx.parent_value.try_downcast_ref::<AuditEvent>()?;
                        Ok(Some(FieldValue::borrowed_any(e)))
                    })
                },
            ))
            .field(Field::new(
                "action",
                TypeRef::named_nn(TypeRef::STRING),
                |ctx| {
                    FieldFuture::new(async move {
                        let e = ctx.parent_value.try_downcast_ref::<AuditEvent>()?;
                        Ok(Some(Value::from(e.action.clone())))
                    })
                },
            ))
            .field(Field::new("detail", TypeRef::named(JSON), |ctx| {
                FieldFuture::new(async move {
                    let e = ctx.parent_value.try_downcast_ref::<AuditEvent>()?;
                    Ok(Value::from_json(e.detail.clone()).ok())
                })
            })),
    ]
}

pub fn query_fields() -> Vec<Field> {
    vec![
        Field::new("auditLog", TypeRef::named_nn_list_nn("AuditEvent"), |ctx| {
            FieldFuture::new(async move {
                let name = ctx.args.try_get("entity")?.enum_name()?.to_owned();
                let entity = EntityKind::parse(&name)
                    .ok_or_else(|| invalid("entity", "is not an entity"))?;
                let id = id_arg(&ctx.args, "id")?;
                let events = staff(&ctx)?
                    .audit_log(entity, id)
                    .await
                    .map_err(engine_err)?;
                Ok(Some(FieldValue::list(
                    events.into_iter().map(FieldValue::owned_any),
                )))
            })
        })
        .argument(InputValue::new("entity", TypeRef::named_nn("EntityKind")))
        .argument(InputValue::new("id", TypeRef::named_nn(TypeRef::ID))),
    ]
}
