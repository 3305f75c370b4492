//! Links between records in the API: relationships and a case's contacts.

use crate::args::{engine_err, id_arg, loaders, opt_string, staff};
use crate::scalars::DATE_TIME;
use async_graphql::Value;
use async_graphql::dynamic::{Field, FieldFuture, FieldValue, InputValue, Object, TypeRef};
use portico_engine::metadata::EntityKind;
use portico_engine::records::{Record, Relationship};

fn contact_field(name: &'static str, pick: fn(&Relationship) -> i64) -> Field {
    Field::new(name, TypeRef::named("Contact"), move |ctx| {
        FieldFuture::new(async move {
            let r = ctx.parent_value.try_downcast_ref::<Relationship>()?;
            match staff(&ctx)?.get(EntityKind::Contact, pick(r)).await {
                Ok(c) => Ok(Some(FieldValue::owned_any(c))),
                Err(portico_engine::EngineError::NotFound { .. }) => Ok(None),
                Err(e) => Err(engine_err(e)),
            }
        })
    })
}

pub fn relationship_object() -> Object {
    Object::new("Relationship")
        .description("An individual's link to an organisation (employee, partner, accountant...).")
        .field(Field::new("id", TypeRef::named_nn(TypeRef::ID), |ctx| {
            FieldFuture::new(async move {
                let r = ctx.parent_value.try_downcast_ref::<Relationship>()?;
                Ok(Some(Value::from(r.id.to_string())))
            })
        }))
        .field(contact_field("individual", |r| r.individual_id))
        .field(contact_field("organisation", |r| r.organisation_id))
        .field(Field::new("role", TypeRef::named(TypeRef::STRING), |ctx| {
            FieldFuture::new(async move {
                let r = ctx.parent_value.try_downcast_ref::<Relationship>()?;
                Ok(r.role.clone().map(Value::from))
            })
        }))
        .field(Field::new(
            "createdAt",
            TypeRef::named_nn(DATE_TIME),
            |ctx| {
                FieldFuture::new(async move {
                    let r = ctx.parent_value.try_downcast_ref::<Relationship>()?;
                    Ok(Some(Value::from(portico_engine::micros_to_rfc3339(
                        r.created_at,
                    ))))
                })
            },
        ))
}

/// `Contact.relationships`.
pub fn contact_relationships() -> Field {
    Field::new(
        "relationships",
        TypeRef::named_nn_list_nn("Relationship"),
        |ctx| {
            FieldFuture::new(async move {
                let c = ctx.parent_value.try_downcast_ref::<Record>()?;
                let rels = loaders(&ctx)?
                    .relationships
                    .load(c.id)
                    .await?
                    .unwrap_or_default();
                Ok(Some(FieldValue::list(
                    rels.into_iter().map(FieldValue::owned_any),
                )))
            })
        },
    )
}

/// `Case.contacts`: the contacts linked to the case.
pub fn case_contacts() -> Field {
    Field::new("contacts", TypeRef::named_nn_list_nn("Contact"), |ctx| {
        FieldFuture::new(async move {
            let c = ctx.parent_value.try_downcast_ref::<Record>()?;
            let contacts = loaders(&ctx)?
                .case_contacts
                .load(c.id)
                .await?
                .unwrap_or_default();
            Ok(Some(FieldValue::list(
                contacts.into_iter().map(FieldValue::owned_any),
            )))
        })
    })
}

pub fn mutation_fields() -> Vec<Field> {
    use TypeRef as T;
    vec![
        Field::new("addRelationship", T::named_nn("Relationship"), |ctx| {
            FieldFuture::new(async move {
                let individual = id_arg(&ctx.args, "individualId")?;
                let organisation = id_arg(&ctx.args, "organisationId")?;
                let role = opt_string(&ctx.args, "role")?;
                let r = staff(&ctx)?
                    .add_relationship(individual, organisation, role)
                    .await
                    .map_err(engine_err)?;
                Ok(Some(FieldValue::owned_any(r)))
            })
        })
        .argument(InputValue::new("individualId", T::named_nn(T::ID)))
        .argument(InputValue::new("organisationId", T::named_nn(T::ID)))
        .argument(InputValue::new("role", T::named(T::STRING))),
        Field::new("removeRelationship", T::named_nn(T::BOOLEAN), |ctx| {
            FieldFuture::new(async move {
                let id = id_arg(&ctx.args, "id")?;
                staff(&ctx)?
                    .remove_relationship(id)
                    .await
                    .map_err(engine_err)?;
                Ok(Some(Value::from(true)))
            })
        })
        .argument(InputValue::new("id", T::named_nn(T::ID))),
        Field::new("addCaseContact", T::named_nn("Case"), |ctx| {
            FieldFuture::new(async move {
                let case_id = id_arg(&ctx.args, "caseId")?;
                let contact_id = id_arg(&ctx.args, "contactId")?;
                let case = staff(&ctx)?
                    .add_case_contact(case_id, contact_id)
                    .await
                    .map_err(engine_err)?;
                Ok(Some(FieldValue::owned_any(case)))
            })
        })
        .argument(InputValue::new("caseId", T::named_nn(T::ID)))
        .argument(InputValue::new("contactId", T::named_nn(T::ID))),
        Field::new("removeCaseContact", T::named_nn(T::BOOLEAN), |ctx| {
            FieldFuture::new(async move {
                let case_id = id_arg(&ctx.args, "caseId")?;
                let contact_id = id_arg(&ctx.args, "contactId")?;
                staff(&ctx)?
                    .remove_case_contact(case_id, contact_id)
                    .await
                    .map_err(engine_err)?;
                Ok(Some(Value::from(true)))
            })
        })
        .argument(InputValue::new("caseId", T::named_nn(T::ID)))
        .argument(InputValue::new("contactId", T::named_nn(T::ID))),
    ]
}
