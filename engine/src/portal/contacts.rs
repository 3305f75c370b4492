//! Contacts as the portal sees them, and what a change of a contact means for its portal
//! account.

use super::invitations::{self, SendInvitation};
use super::{accounts, sessions};
use crate::Engine;
use crate::audit::Actor;
use crate::db::Exec;
use crate::db::tables::{Contacts, PortalAccounts};
use crate::error::{EngineError, Result};
use crate::mail::outbox::{self, NewMail};
use crate::records::Record;
use crate::state::{self, Counter};
use sea_orm::sea_query::{Expr, ExprTrait, Query};

/// The few columns of a contact that portal flows need.
#[derive(Debug, Clone)]
pub(crate) struct PortalContact {
    pub id: i64,
    pub name: String,
    pub email: String,
    /// `es` or `en`; Spanish when the contact has none.
    pub language: String,
    pub portal_user: bool,
    /// Chosen on the portal's account page; `None`: the installation's.
    pub time_zone: Option<String>,
}

impl PortalContact {
    pub(crate) async fn load(db: &impl Exec, id: i64) -> Result<PortalContact> {
        let q = Query::select()
            .columns([
                Contacts::Name,
                Contacts::Email,
                Contacts::Language,
                Contacts::PortalUser,
            ])
            .from(Contacts::Table)
            .and_where(Expr::col(Contacts::Id).eq(id))
            .to_owned();
        let row = db
            .query_one(&q)
            .await?
            .ok_or_else(|| EngineError::not_found("Contact", id))?;
        let language: Option<String> = row.get(2)?;
        let zone = Query::select()
            .column(PortalAccounts::TimeZone)
            .from(PortalAccounts::Table)
            .and_where(Expr::col(PortalAccounts::ContactId).eq(id))
            .to_owned();
        let time_zone = match db.query_one(&zone).await? {
            Some(r) => r.get::<Option<String>>(0)?,
            None => None,
        };
        Ok(PortalContact {
            id,
            name: row.get(0)?,
            email: row.get::<Option<String>>(1)?.unwrap_or_default(),
            language: language.unwrap_or_else(|| "es".into()),
            portal_user: row.get(3)?,
            time_zone,
        })
    }
}

/// Runs inside the transaction of a contact's create or update, after the write: switching
/// `portalUser` on invites (unless the invitation is for later); switching it off ends the
/// user's sessions and voids their links. `was_portal_user` is `None` on create.
pub(crate) async fn after_contact_write(
    engine: &Engine,
    db: &impl Exec,
    was_portal_user: Option<bool>,
    record: &Record,
    send: SendInvitation,
) -> Result<bool> {
    let was = was_portal_user.unwrap_or(false);
    let is = record.get("portalUser").as_bool().unwrap_or(false);
    if is && !was {
        if send == SendInvitation::Now {
            let contact = PortalContact::load(db, record.id).await?;
            invitations::invite(engine, db, &contact).await?;
        } else {
            accounts::ensure(db, record.id).await?;
        }
    }
    if was && !is {
        sessions::end_all(db, record.id).await?;
        accounts::void_tokens(db, record.id, None).await?;
    }
    // Cached portal sessions hold the contact's name and portal flag.
    let changed = is || was;
    if changed {
        state::bump(db, Counter::Auth).await?;
    }
    Ok(changed)
}

/// Runs inside the transaction that moved a portal user's login to another email: the old
/// credentials end (sessions, invitation and reset links: they were issued to the old
/// address), and the old address is told, so a takeover does not go unnoticed.
pub(crate) async fn login_email_changed(
    db: &impl Exec,
    record: &Record,
    old_email: &str,
    actor: &Actor,
) -> Result<()> {
    sessions::end_all(db, record.id).await?;
    accounts::void_tokens(db, record.id, None).await?;
    let contact = PortalContact::load(db, record.id).await?;
    if !old_email.is_empty() {
        outbox::enqueue(
            db,
            &NewMail {
                to_address: old_email.to_owned(),
                to_name: Some(contact.name.clone()),
                time_zone: contact.time_zone.clone(),
                kind: crate::mail::EmailKind::LoginEmailChanged,
                language: contact.language.clone(),
                context: serde_json::json!({
                    "contact_name": contact.name,
                    "old_email": old_email,
                    "new_email": contact.email,
                    "changed_by": actor.name,
                }),
            },
        )
        .await?;
    }
    state::bump(db, Counter::Auth).await?;
    Ok(())
}
