//! The portal-related parts of the staff schema: whether a contact may be a portal user, their
//! invitation, and per-case portal access ("Client Connect").

use crate::args::{engine_err, id_arg, staff};
use crate::connection::sync_field;
use crate::scalars::DATE_TIME;
use async_graphql::dynamic::{
    Enum, Field, FieldFuture, FieldValue, InputValue, Object, ResolverContext, TypeRef,
};
use async_graphql::{Result, Value};
use portico_engine::metadata::EntityKind;
use portico_engine::micros_to_rfc3339;
use portico_engine::portal::{Invitation, PortalAccess, PortalCandidate, SendInvitation};
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

/// `Contact.portalInvitation`: where the contact's portal registration stands.
pub fn contact_portal_invitation() -> Field {
    Field::new(
        "portalInvitation",
        TypeRef::named_nn("PortalInvitation"),
        |ctx| {
            FieldFuture::new(async move {
                let c = ctx.parent_value.try_downcast_ref::<Record>()?;
                let inv = staff(&ctx)?
                    .portal_invitation(c.id)
                    .await
                    .map_err(engine_err)?;
                Ok(Some(FieldValue::owned_any(inv)))
            })
        },
    )
}

/// The `sendInvitation` argument of `createContact` and `updateContact`.
pub fn send_invitation_input() -> InputValue {
    InputValue::new("sendInvitation", TypeRef::named("SendInvitation"))
        .default_value(Value::Enum(async_graphql::Name::new("NOW")))
        .description("When the change makes the contact a portal user: email the invitation now (default) or later.")
}

pub fn send_invitation_arg(ctx: &ResolverContext<'_>) -> Result<SendInvitation> {
    Ok(match ctx.args.get("sendInvitation") {
        Some(v) if !v.is_null() && v.enum_name()? == "LATER" => SendInvitation::Later,
        _ => SendInvitation::Now,
    })
}

fn time(t: Option<i64>) -> Option<FieldValue<'static>> {
    t.map(|t| FieldValue::value(micros_to_rfc3339(t)))
}

pub fn enums() -> Vec<Enum> {
    vec![
        Enum::new("InvitationStatus")
            .description("NOT_SENT: never sent (or sent later). SENT: waiting to be accepted. ACCEPTED: the contact chose a password. EXPIRED: the link ran out; send a new one.")
            .items(["NOT_SENT", "SENT", "ACCEPTED", "EXPIRED"]),
        Enum::new("SendInvitation").items(["NOW", "LATER"]),
    ]
}

pub fn objects() -> Vec<Object> {
    use TypeRef as T;
    vec![
        Object::new("PortalInvitation")
            .field(sync_field::<Invitation>(
                "status",
                T::named_nn("InvitationStatus"),
                |i| {
                    Some(FieldValue::value(Value::Enum(async_graphql::Name::new(
                        i.status.as_str(),
                    ))))
                },
            ))
            .field(sync_field::<Invitation>(
                "sentAt",
                T::named(DATE_TIME),
                |i| time(i.sent_at),
            ))
            .field(sync_field::<Invitation>(
                "acceptedAt",
                T::named(DATE_TIME),
                |i| time(i.accepted_at),
            ))
            .field(sync_field::<Invitation>(
                "expiresAt",
                T::named(DATE_TIME),
                |i| time(i.expires_at),
            )),
        Object::new("PortalAccess")
            .description("A contact's access to one case on the portal.")
            .field(sync_field::<PortalAccess>(
                "enabled",
                T::named_nn(T::BOOLEAN),
                |a| Some(FieldValue::value(a.enabled)),
            ))
            .field(sync_field::<PortalAccess>(
                "canDownload",
                T::named_nn(T::BOOLEAN),
                |a| Some(FieldValue::value(a.can_download)),
            ))
            .field(Field::new("contact", T::named_nn("Contact"), |ctx| {
                FieldFuture::new(async move {
                    let a = ctx.parent_value.try_downcast_ref::<PortalAccess>()?;
                    let c = staff(&ctx)?
                        .get(EntityKind::Contact, a.contact_id)
                        .await
                        .map_err(engine_err)?;
                    Ok(Some(FieldValue::owned_any(c)))
                })
            })),
        Object::new("PortalCandidate")
            .description("A contact of the case with an email: one who can be given portal access.")
            .field(sync_field::<PortalCandidate>(
                "contact",
                T::named_nn("Contact"),
                |c| Some(FieldValue::borrowed_any(&c.contact)),
            ))
            .field(sync_field::<PortalCandidate>(
                "access",
                T::named_nn("PortalAccess"),
                |c| Some(FieldValue::borrowed_any(&c.access)),
            ))
            .field(
                sync_field::<PortalCandidate>("sharedDocumentCount", T::named_nn(T::INT), |c| {
                    Some(FieldValue::value(c.shared_document_count))
                })
                .description("Documents shared with or uploaded by the contact on this case."),
            ),
    ]
}

pub fn query_fields() -> Vec<Field> {
    vec![
        Field::new(
            "portalCandidates",
            TypeRef::named_nn_list_nn("PortalCandidate"),
            |ctx| {
                FieldFuture::new(async move {
                    let case_id = id_arg(&ctx.args, "caseId")?;
                    let list = staff(&ctx)?
                        .portal_candidates(case_id)
                        .await
                        .map_err(engine_err)?;
                    Ok(Some(FieldValue::list(
                        list.into_iter().map(FieldValue::owned_any),
                    )))
                })
            },
        )
        .argument(InputValue::new("caseId", TypeRef::named_nn(TypeRef::ID)))
        .description("The case's contacts that have an email, with their portal access."),
    ]
}

pub fn mutation_fields() -> Vec<Field> {
    vec![
        Field::new("setPortalAccess", TypeRef::named_nn("PortalAccess"), |ctx| {
            FieldFuture::new(async move {
                let case_id = id_arg(&ctx.args, "caseId")?;
                let contact_id = id_arg(&ctx.args, "contactId")?;
                let enabled = ctx.args.try_get("enabled")?.boolean()?;
                let can_download = ctx.args.try_get("canDownload")?.boolean()?;
                let a = staff(&ctx)?
                    .set_portal_access(case_id, contact_id, enabled, can_download)
                    .await
                    .map_err(engine_err)?;
                Ok(Some(FieldValue::owned_any(a)))
            })
        })
        .argument(InputValue::new("caseId", TypeRef::named_nn(TypeRef::ID)))
        .argument(InputValue::new("contactId", TypeRef::named_nn(TypeRef::ID)))
        .argument(InputValue::new("enabled", TypeRef::named_nn(TypeRef::BOOLEAN)))
        .argument(InputValue::new("canDownload", TypeRef::named_nn(TypeRef::BOOLEAN)))
        .description("Grants or revokes a contact's portal access to a case. A first grant emails the contact a link to the case. Needs a permission group with the portal setting."),
        Field::new(
            "sendPortalInvitation",
            TypeRef::named_nn("PortalInvitation"),
            |ctx| {
                FieldFuture::new(async move {
                    let contact_id = id_arg(&ctx.args, "contactId")?;
                    let inv = staff(&ctx)?
                        .send_portal_invitation(contact_id)
                        .await
                        .map_err(engine_err)?;
                    Ok(Some(FieldValue::owned_any(inv)))
                })
            },
        )
        .argument(InputValue::new("contactId", TypeRef::named_nn(TypeRef::ID)))
        .description("Emails a portal user their invitation, or a new one: the previous link stops working."),
    ]
}
