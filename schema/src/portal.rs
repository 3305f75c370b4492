//! The portal-related fields of the staff schema.

use crate::connection::sync_field;
use async_graphql::dynamic::{Field, FieldValue, TypeRef};
use portico_engine::records::{Record, qualifies_for_portal};

/// `Contact.portalQualified`: whether the contact may be made a portal user (an individual with
/// an email), so forms show the "Portal user" switch only where it can work.
pub fn contact_portal_qualified() -> Field {
    sync_field::<Record>(
        "portalQualified",
        TypeRef::named_nn(TypeRef::BOOLEAN),
        |c| Some(FieldValue::value(qualifies_for_portal(c))),
    )
    .description("Whether the contact may be made a portal user: an individual with an email.")
}
