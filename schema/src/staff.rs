//! The staff schema served at `/graphql`: everything staff, admins and integrators use.

use crate::records::{self, RECORD_ENTITIES};
use crate::{
    audit, branding, client_requests, connection, conversation, documents, email_templates,
    identity, metadata, notifications, portal_access, relations, scalars, staff_invitations,
};
use async_graphql::dynamic::{Object, Schema, SchemaError};
use portico_engine::Engine;
use portico_engine::metadata::{Audience, Catalog, EntityKind};
use std::sync::Arc;

/// Query depth and complexity limits: generous for real clients (GraphiQL's introspection
/// query needs depth 13), but a bound on what one request can make the server do.
pub const MAX_DEPTH: usize = 16;
pub const MAX_COMPLEXITY: usize = 5_000;

pub fn build_staff_schema(
    catalog: &Arc<Catalog>,
    engine: Arc<Engine>,
) -> Result<Schema, SchemaError> {
    let mut query = Object::new("Query");
    let mut mutation = Object::new("Mutation");
    let mut builder_types: Vec<async_graphql::dynamic::Type> = Vec::new();

    for entity in RECORD_ENTITIES {
        let (singular, plural) = (crate::names::one(entity), crate::names::many(entity));
        let mut object = records::record_object(catalog, entity, Audience::Staff);
        match entity {
            EntityKind::Contact => {
                object = object
                    .field(relations::contact_relationships())
                    .field(portal_access::contact_portal_qualified())
                    .field(portal_access::contact_portal_invitation())
            }
            EntityKind::Case => {
                object = object
                    .field(relations::case_contacts())
                    .field(conversation::case_unread(true));
                for f in documents::case_fields() {
                    object = object.field(f);
                }
            }
            _ => {}
        }
        builder_types.push(object.into());
        let t = records::staff_types(catalog, entity, singular, plural);
        builder_types.extend(t.objects.into_iter().map(Into::into));
        builder_types.extend(t.inputs.into_iter().map(Into::into));
        builder_types.extend(t.enums.into_iter().map(Into::into));
        for f in t.queries {
            query = query.field(f);
        }
        for f in t.mutations {
            mutation = mutation.field(f);
        }
    }
    for f in metadata::query_fields()
        .into_iter()
        .chain(identity::query_fields())
        .chain(audit::query_fields())
        .chain(portal_access::query_fields())
        .chain(email_templates::query_fields())
        .chain(documents::staff_queries())
        .chain(notifications::query_fields())
        .chain([records::record_types_field(), branding::query_field()])
        .chain(staff_invitations::query_fields())
        .chain(client_requests::staff_queries())
        .chain(conversation::staff_queries())
    {
        query = query.field(f);
    }
    for f in metadata::mutation_fields()
        .into_iter()
        .chain(identity::mutation_fields())
        .chain(relations::mutation_fields())
        .chain(portal_access::mutation_fields())
        .chain(email_templates::mutation_fields())
        .chain(branding::mutation_fields())
        .chain(staff_invitations::mutation_fields())
        .chain(client_requests::staff_mutations())
        .chain(documents::staff_mutations())
        .chain(notifications::mutation_fields())
        .chain(conversation::staff_mutations())
    {
        mutation = mutation.field(f);
    }

    let mut schema = Schema::build("Query", Some("Mutation"), Some("Subscription"))
        .register(notifications::subscription())
        .register(query)
        .register(mutation)
        .register(connection::page_info())
        .register(metadata::definition_object())
        .register(metadata::localized_text_object())
        .register(metadata::option_label_object())
        .register(metadata::option_usage_object())
        .register(metadata::field_type_object())
        .register(records::record_type_object())
        .register(relations::relationship_object())
        .register(branding::object());
    for t in builder_types {
        schema = schema.register(t);
    }
    for s in scalars::all() {
        schema = schema.register(s);
    }
    for e in metadata::enums()
        .into_iter()
        .chain(portal_access::enums())
        .chain(email_templates::enums())
        .chain(staff_invitations::enums())
        .chain(client_requests::enums())
        .chain(documents::enums())
        .chain(conversation::enums())
    {
        schema = schema.register(e);
    }
    for i in metadata::inputs()
        .into_iter()
        .chain(identity::inputs())
        .chain(email_templates::inputs())
        .chain(branding::inputs())
        .chain(client_requests::inputs())
        .chain(documents::inputs())
        .chain(records::scalar_filters())
    {
        schema = schema.register(i);
    }
    for o in identity::objects()
        .into_iter()
        .chain(audit::objects())
        .chain(portal_access::objects())
        .chain(email_templates::objects())
        .chain(staff_invitations::objects())
        .chain(client_requests::objects())
        .chain(documents::objects(false))
        .chain(notifications::objects())
        .chain(conversation::objects(true))
    {
        schema = schema.register(o);
    }
    schema
        .enable_uploading()
        .data(engine)
        .limit_depth(MAX_DEPTH)
        .limit_complexity(MAX_COMPLEXITY)
        .disable_suggestions()
        .finish()
}
