//! The emails a request sends its contacts: when it is made, when staff return it, and the
//! reminders. Each goes through the outbox in the transaction that caused it, so an email is
//! sent exactly when the change it tells of is stored; a contact whose access to the case has
//! ended is not written to.

use super::ClientRequest;
use crate::Engine;
use crate::db::Exec;
use crate::error::Result;
use crate::mail::{EmailKind, NewMail, outbox};
use crate::portal::PortalContact;
use crate::records::case_number;
use serde_json::{Map, Value, json};

/// Writes `kind` to `contact` about `request`, with `extra` values besides the common ones;
/// false when the contact can no longer see the case (nothing is queued).
pub(super) async fn to_contact(
    engine: &Engine,
    db: &impl Exec,
    request: &ClientRequest,
    contact_id: i64,
    kind: EmailKind,
    extra: &Map<String, Value>,
) -> Result<bool> {
    let access = crate::portal::access_row(db, request.case_id, contact_id).await?;
    if !access.is_some_and(|a| a.enabled) {
        return Ok(false);
    }
    let contact = PortalContact::load(db, contact_id).await?;
    let subject = super::notify::case_subject(db, request.case_id).await?;
    let mut context = json!({
        "contact_name": contact.name,
        "email": contact.email,
        "link": engine.links.portal_request(request.id),
        "case_number": case_number(request.case_id),
        "case_subject": subject,
        "request_title": request.title,
        "due_date": request.due_date,
    });
    if let Value::Object(map) = &mut context {
        map.extend(extra.iter().map(|(k, v)| (k.clone(), v.clone())));
    }
    outbox::enqueue(
        db,
        &NewMail {
            to_address: contact.email.clone(),
            to_name: Some(contact.name.clone()),
            time_zone: contact.time_zone.clone(),
            kind,
            language: contact.language.clone(),
            context,
        },
    )
    .await?;
    Ok(true)
}

/// Writes `kind` to every contact of `request` who can still see its case.
pub(super) async fn to_contacts(
    engine: &Engine,
    db: &impl Exec,
    request: &ClientRequest,
    kind: EmailKind,
    extra: &Map<String, Value>,
) -> Result<()> {
    for c in &request.contacts {
        to_contact(engine, db, request, c.id, kind, extra).await?;
    }
    Ok(())
}
