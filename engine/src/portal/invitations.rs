//! Invitations: the email that lets a new portal user choose a password. Each one carries a
//! fresh token; every invitation sent keeps working until one of them sets the password, and
//! after that each leads to sign-in (see `sign_in::LinkState`).

use super::accounts::{self, Account, Purpose};
use super::contacts::PortalContact;
use crate::Engine;
use crate::audit::AuditAction;
use crate::db::tables::PortalAccounts;
use crate::db::{Exec, micros_to_rfc3339, now_micros};
use crate::error::{EngineError, Result};
use crate::identity::{Action, Object, Principal};
use crate::mail::outbox::{self, NewMail};
use crate::records::actor;
use serde_json::json;

/// Whether switching a contact's portal user field on emails the invitation right away.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SendInvitation {
    #[default]
    Now,
    Later,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InvitationStatus {
    NotSent,
    Sent,
    Accepted,
    Expired,
}

impl InvitationStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            InvitationStatus::NotSent => "NOT_SENT",
            InvitationStatus::Sent => "SENT",
            InvitationStatus::Accepted => "ACCEPTED",
            InvitationStatus::Expired => "EXPIRED",
        }
    }
}

#[derive(Debug, Clone)]
pub struct Invitation {
    pub status: InvitationStatus,
    pub sent_at: Option<i64>,
    pub accepted_at: Option<i64>,
    pub expires_at: Option<i64>,
}

impl Invitation {
    pub(crate) fn of(account: Option<&Account>) -> Invitation {
        let Some(a) = account else {
            return Invitation {
                status: InvitationStatus::NotSent,
                sent_at: None,
                accepted_at: None,
                expires_at: None,
            };
        };
        // A re-sent invitation (after acceptance) is pending again until it is used.
        let status = match (a.invited_at, a.accepted_at) {
            (None, None) => InvitationStatus::NotSent,
            (Some(sent), Some(accepted)) if accepted >= sent => InvitationStatus::Accepted,
            (None, Some(_)) => InvitationStatus::Accepted,
            (Some(_), _) => match a.invitation_expires_at {
                Some(t) if t <= now_micros() => InvitationStatus::Expired,
                _ => InvitationStatus::Sent,
            },
        };
        Invitation {
            status,
            sent_at: a.invited_at,
            accepted_at: a.accepted_at,
            expires_at: a.invitation_expires_at,
        }
    }
}

/// Issues a new invitation token (earlier ones keep working) and records it on the account;
/// answers the token, for the email, and when it expires.
pub(crate) async fn issue(db: &impl Exec, contact_id: i64) -> Result<(String, i64)> {
    accounts::ensure(db, contact_id).await?;
    let (token, expires_at) = accounts::issue_token(db, contact_id, Purpose::Invitation).await?;
    accounts::set(
        db,
        contact_id,
        vec![
            (PortalAccounts::InvitedAt, now_micros().into()),
            (PortalAccounts::InvitationExpiresAt, expires_at.into()),
        ],
    )
    .await?;
    Ok((token, expires_at))
}

/// Issues a new invitation token and queues the email, inside the caller's transaction.
pub(crate) async fn invite(engine: &Engine, db: &impl Exec, contact: &PortalContact) -> Result<()> {
    let (token, expires_at) = issue(db, contact.id).await?;
    outbox::enqueue(
        db,
        &NewMail {
            to_address: contact.email.clone(),
            to_name: Some(contact.name.clone()),
            time_zone: contact.time_zone.clone(),
            kind: crate::mail::EmailKind::Invitation,
            language: contact.language.clone(),
            context: json!({
                "contact_name": contact.name,
                "email": contact.email,
                "link": engine.links.invitation(&token),
                "expires_at": micros_to_rfc3339(expires_at),
            }),
        },
    )
    .await?;
    Ok(())
}

impl Engine {
    /// Sends (or re-sends) a portal user's invitation; earlier links keep working until one
    /// is used.
    pub(crate) async fn send_portal_invitation(
        &self,
        p: &Principal,
        contact_id: i64,
    ) -> Result<Invitation> {
        self.authorize(p, Object::Portal, Action::Manage)?;
        let txn = self.begin_write().await?;
        let contact = PortalContact::load(&txn, contact_id).await?;
        if !contact.portal_user {
            return Err(EngineError::NotQualified(
                "switch the contact's portal user field on before inviting them".into(),
            ));
        }
        invite(self, &txn, &contact).await?;
        crate::audit::record(
            &txn,
            crate::metadata::EntityKind::Contact,
            contact_id,
            &actor(p),
            AuditAction::PortalInvitationSent,
            &json!({"email": contact.email}),
        )
        .await?;
        let account = accounts::find(&txn, contact_id).await?;
        txn.commit().await?;
        Ok(Invitation::of(account.as_ref()))
    }

    /// The invitation status of a contact, for staff.
    pub(crate) async fn portal_invitation(
        &self,
        p: &Principal,
        contact_id: i64,
    ) -> Result<Invitation> {
        self.authorize(p, Object::Contact, Action::Read)?;
        let account = accounts::find(&self.reader(), contact_id).await?;
        Ok(Invitation::of(account.as_ref()))
    }
}
