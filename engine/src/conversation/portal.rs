//! The conversation as a portal user sees and writes it: only messages addressed to them, on
//! cases they can see now (in the organisation they are looking at). A case they cannot see
//! is answered as missing, the same as one that does not exist.

use super::store::{self, NewMessage};
use super::{
    CaseMessage, Conversation, MessageAuthor, Via, Window, clean_body, excerpt, still_editable,
};
use crate::Engine;
use crate::audit::AuditAction;
use crate::documents::{NewDocumentRow, Origin, Upload};
use crate::error::{EngineError, Result};
use crate::identity::Principal;
use crate::metadata::EntityKind;
use crate::records::actor;
use serde_json::json;
use std::collections::HashMap;

fn me(p: &Principal) -> Result<(i64, String)> {
    match p {
        Principal::Portal(c) => Ok((c.contact_id, c.name.clone())),
        _ => Err(EngineError::Unauthenticated),
    }
}

impl Engine {
    pub(crate) async fn portal_case_messages(
        &self,
        p: &Principal,
        case_id: i64,
        window: Window,
    ) -> Result<Conversation> {
        let (contact_id, _) = me(p)?;
        self.portal_case(p, case_id).await?;
        store::of_contact(&self.reader(), case_id, contact_id, window).await
    }

    /// The case page's part of the conversation, which seeing marks read: with how many of
    /// the user's messages were unread before. Checked against the user's grant row, which the
    /// page has read already (with the case).
    pub(crate) async fn portal_case_page_messages_granted(
        &self,
        p: &Principal,
        case_id: i64,
        window: Window,
        granted: Option<&crate::portal::PortalAccess>,
    ) -> Result<(Conversation, u64)> {
        let (contact_id, _) = me(p)?;
        if !granted.is_some_and(|a| a.enabled && a.case_id == case_id && a.contact_id == contact_id)
        {
            return Err(EngineError::not_found("Case", case_id));
        }
        let conversation = store::of_contact(&self.reader(), case_id, contact_id, window).await?;
        let unread = self.mark_read_by_contact(contact_id, case_id).await?;
        Ok((conversation, unread))
    }

    /// A client's message to the firm (and the case's other portal contacts); attachments
    /// are the client's uploads, as on the case page.
    pub(crate) async fn portal_post_case_message(
        &self,
        p: &Principal,
        case_id: i64,
        body: &str,
        uploads: Vec<Upload<'_>>,
    ) -> Result<CaseMessage> {
        let case = self.portal_case(p, case_id).await?;
        let (contact_id, name) = me(p)?;
        let body = clean_body(body, !uploads.is_empty())?;
        let mut stored = Vec::with_capacity(uploads.len());
        for upload in uploads {
            stored.push(self.storage.accept(upload).await?);
        }
        self.record_client_message(p, &case, contact_id, &name, &body, stored, Via::App)
            .await
    }

    /// Records a client's message (written on the portal or answered by email) with its
    /// files already in the store: addressed, attached, audited, the staff told.
    #[allow(clippy::too_many_arguments)]
    pub(crate) async fn record_client_message(
        &self,
        p: &Principal,
        case: &crate::records::Record,
        contact_id: i64,
        name: &str,
        body: &str,
        stored: Vec<crate::documents::Stored>,
        via: Via,
    ) -> Result<CaseMessage> {
        let case_id = case.id;
        // The message, and an upload for each file.
        let mut spends = vec![crate::portal::Spend::Message];
        spends.extend(stored.iter().map(|_| crate::portal::Spend::Upload));
        self.spending(contact_id, &spends, async {
            let txn = self.begin_write().await?;
            let author = MessageAuthor {
                user_id: None,
                contact_id: Some(contact_id),
                name: name.to_owned(),
            };
            let id = store::insert(
                &txn,
                &NewMessage {
                    case_id,
                    author: &author,
                    body,
                    internal: false,
                    via,
                },
            )
            .await?;
            let mut recipients = crate::portal::granted_contacts(&txn, case_id).await?;
            if !recipients.contains(&contact_id) {
                recipients.push(contact_id);
            }
            let now = crate::now_micros();
            for contact in &recipients {
                let read = (*contact == contact_id).then_some(now);
                store::address(&txn, id, case_id, *contact, read).await?;
            }
            let row = NewDocumentRow {
                case_id,
                folder_id: None,
                origin: Origin::ClientPortal,
                created_by: case.reference("owner"),
                uploaded_by: Some(contact_id),
            };
            super::attach_files(&txn, p, id, &row, &stored, &recipients).await?;
            crate::audit::record(
                &txn,
                EntityKind::Case,
                case_id,
                &actor(p),
                AuditAction::MessagePosted,
                &json!({"messageId": id, "internal": false, "attachments": stored.len(), "via": via.key()}),
            )
            .await?;
            let case_ref = crate::notifications::CaseRef {
                id: case_id,
                subject: case.get("subject").as_str().unwrap_or_default().to_owned(),
                new_with_owner: None,
            };
            let activity = crate::notifications::Activity::Messaged {
                contact: name.to_owned(),
                excerpt: excerpt(body),
                attachments: stored.iter().map(|s| s.name.clone()).collect(),
            };
            let woken = crate::notifications::record(self, &txn, &case_ref, &activity).await?;
            let message = store::find(&txn, id).await?;
            txn.commit().await?;
            for user in woken {
                self.notification_signal.wake(user);
            }
            Ok(strip(message))
        })
        .await
    }

    async fn portal_own_message(&self, p: &Principal, id: i64) -> Result<CaseMessage> {
        let (contact_id, _) = me(p)?;
        let missing = || EngineError::not_found("CaseMessage", id);
        let message = match store::find(&self.reader(), id).await {
            Ok(m) => m,
            Err(EngineError::NotFound { .. }) => return Err(missing()),
            Err(e) => return Err(e),
        };
        if message.author.contact_id != Some(contact_id) {
            return Err(missing());
        }
        match self.portal_case(p, message.case_id).await {
            Ok(_) => {}
            Err(EngineError::NotFound { .. }) => return Err(missing()),
            Err(e) => return Err(e),
        }
        still_editable(&message, crate::now_micros())?;
        Ok(message)
    }

    pub(crate) async fn portal_edit_case_message(
        &self,
        p: &Principal,
        id: i64,
        body: &str,
    ) -> Result<CaseMessage> {
        let message = self.portal_own_message(p, id).await?;
        let body = clean_body(body, !message.attachments.is_empty())?;
        self.change_message(p, &message, Some(&body))
            .await
            .map(strip)
    }

    pub(crate) async fn portal_delete_case_message(
        &self,
        p: &Principal,
        id: i64,
    ) -> Result<CaseMessage> {
        let message = self.portal_own_message(p, id).await?;
        self.change_message(p, &message, None).await.map(strip)
    }

    pub(crate) async fn portal_mark_case_messages_read(
        &self,
        p: &Principal,
        case_id: i64,
    ) -> Result<bool> {
        let (contact_id, _) = me(p)?;
        // Checked through the grant alone (the page has read the case already).
        let granted = crate::portal::access_row(&self.reader(), case_id, contact_id).await?;
        if !granted.is_some_and(|a| a.enabled) {
            return Err(EngineError::not_found("Case", case_id));
        }
        // Nothing unread: no write (on SQLite every write waits for the one writer).
        self.mark_read_by_contact(contact_id, case_id).await?;
        Ok(true)
    }

    /// Marks a contact's messages on a case read; answers how many were unread. Nothing
    /// unread: no write (on SQLite every write waits for the one writer).
    async fn mark_read_by_contact(&self, contact_id: i64, case_id: i64) -> Result<u64> {
        let unread = store::unread_by_contact(&self.reader(), contact_id, Some(&[case_id])).await?;
        let Some(n) = unread.get(&case_id).copied().filter(|n| *n > 0) else {
            return Ok(0);
        };
        let txn = self.begin_write().await?;
        store::mark_read_by_contact(&txn, case_id, contact_id).await?;
        txn.commit().await?;
        Ok(u64::try_from(n).unwrap_or(0))
    }

    /// For each of `case_ids` (cases the caller has listed through their grants), the
    /// messages the portal user has not read; cases with none are absent.
    pub(crate) async fn portal_unread_messages(
        &self,
        p: &Principal,
        case_ids: &[i64],
    ) -> Result<HashMap<i64, i64>> {
        let (contact_id, _) = me(p)?;
        store::unread_by_contact(&self.reader(), contact_id, Some(case_ids)).await
    }
}

impl Engine {
    /// The cases the portal user can see now that hold messages they have not read, with how
    /// many, the most unread first. One query when there are none.
    pub(crate) async fn portal_unread_cases(
        &self,
        p: &Principal,
    ) -> Result<Vec<(crate::records::Record, i64)>> {
        let (contact_id, _) = me(p)?;
        let counts = store::unread_by_contact(&self.reader(), contact_id, None).await?;
        if counts.is_empty() {
            return Ok(Vec::new());
        }
        let ids: Vec<i64> = counts.keys().copied().collect();
        let mut out: Vec<(crate::records::Record, i64)> = self
            .portal_visible_cases(p, &ids)
            .await?
            .into_iter()
            .map(|case| {
                let n = counts.get(&case.id).copied().unwrap_or_default();
                (case, n)
            })
            .collect();
        out.sort_by_key(|(c, n)| (-n, -c.id));
        Ok(out)
    }
}

/// A message as a client may see it: nothing of who has read it.
fn strip(mut message: CaseMessage) -> CaseMessage {
    message.receipts.clear();
    message
}
