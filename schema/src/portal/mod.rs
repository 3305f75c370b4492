//! The portal schema served at `/portal/graphql`: what a signed-in contact may read and do.
//!
//! Built from the metadata like the staff schema, with only the portal-visible fields on its
//! types and only the portal-editable ones in `CreateCaseInput`, so ticking "Portal field"
//! shows on the next request. Which cases a user sees is decided by the engine's queries.

mod account;
mod cases;
mod indicators;

use crate::records::{self, record_object};
use crate::staff::{MAX_COMPLEXITY, MAX_DEPTH};
use crate::{branding, client_requests, connection, conversation, documents, identity, scalars};
use async_graphql::dynamic::{Enum, Object, Schema, SchemaError, TypeRef};
use portico_engine::Engine;
use portico_engine::identity::StaffUser;
use portico_engine::metadata::{Audience, Catalog, EntityKind};
use std::sync::Arc;

pub fn build_portal_schema(
    catalog: &Arc<Catalog>,
    engine: Arc<Engine>,
) -> Result<Schema, SchemaError> {
    let mut query = Object::new("Query");
    let mut mutation = Object::new("Mutation");
    for f in account::query_fields()
        .into_iter()
        .chain(cases::query_fields(catalog))
        .chain(indicators::query_fields())
        .chain(documents::portal_queries())
        .chain([branding::query_field()])
        .chain(client_requests::portal_queries())
        .chain(conversation::portal_queries())
    {
        query = query.field(f);
    }
    for f in account::mutation_fields()
        .into_iter()
        .chain(cases::mutation_fields(catalog))
        .chain(documents::portal_mutations())
        .chain(client_requests::portal_mutations())
        .chain(conversation::portal_mutations())
    {
        mutation = mutation.field(f);
    }
    let (case_connection, case_edge) = connection::types("Case");
    let mut schema = Schema::build("Query", Some("Mutation"), None)
        .register(query)
        .register(mutation)
        .register(
            record_object(catalog, EntityKind::Case, Audience::Portal)
                .field(conversation::case_unread(false)),
        )
        .register(record_object(
            catalog,
            EntityKind::Contact,
            Audience::Portal,
        ))
        .register(staff_user_object())
        .register(case_connection)
        .register(case_edge)
        .register(connection::page_info())
        .register(identity::session_object())
        .register(branding::object())
        .register(records::create_input(
            catalog,
            EntityKind::Case,
            Audience::Portal,
        ));
    for entity in [EntityKind::Case, EntityKind::Contact] {
        let (enums, _) = records::enums(catalog, entity, Audience::Portal);
        for e in enums {
            schema = schema.register(e);
        }
    }
    for o in account::objects()
        .into_iter()
        .chain(indicators::objects())
        .chain(documents::objects(true))
        .chain(client_requests::objects())
        .chain(conversation::objects(false))
    {
        schema = schema.register(o);
    }
    for e in documents::enums()
        .into_iter()
        .chain(client_requests::enums())
        .chain(conversation::enums())
        // A question is typed like a field (the staff schema has this enum with the metadata).
        .chain([Enum::new("FieldType")
            .items(portico_engine::metadata::FieldType::ALL.map(|t| t.as_str()))])
        .chain([Enum::new("SortDirection").items(["ASC", "DESC"])])
    {
        schema = schema.register(e);
    }
    for i in documents::inputs()
        .into_iter()
        .chain(conversation::inputs())
    {
        schema = schema.register(i);
    }
    for s in scalars::all() {
        schema = schema.register(s);
    }
    schema
        .enable_uploading()
        .data(engine)
        .limit_depth(MAX_DEPTH)
        .limit_complexity(MAX_COMPLEXITY)
        .disable_suggestions()
        .finish()
}

/// Staff as clients see them (a case's owner, when that is a portal field): a name.
fn staff_user_object() -> Object {
    use crate::connection::sync_field;
    use async_graphql::dynamic::FieldValue;
    Object::new("StaffUser")
        .field(sync_field::<StaffUser>(
            "id",
            TypeRef::named_nn(TypeRef::ID),
            |u| Some(FieldValue::value(u.id.to_string())),
        ))
        .field(sync_field::<StaffUser>(
            "name",
            TypeRef::named_nn(TypeRef::STRING),
            |u| Some(FieldValue::value(u.name.clone())),
        ))
}
