//! The conversation as staff see and write it: every message and note of a case, with who of
//! the client contacts has read each one.

use super::store::{self, NewMessage};
use super::{CaseMessage, Conversation, MessageAuthor, Via, Window, clean_body, still_editable};
use crate::Engine;
use crate::audit::AuditAction;
use crate::documents::{NewDocumentRow, Origin, Upload};
use crate::error::{EngineError, Result};
use crate::identity::{Action, Object, Principal};
use crate::metadata::EntityKind;
use crate::records::actor;
use serde_json::json;
use std::collections::HashMap;

fn me(p: &Principal) -> Result<(i64, String)> {
    match p {
        Principal::Staff(s) => Ok((s.user_id, s.name.clone())),
        Principal::Anonymous => Err(EngineError::Unauthenticated),
        _ => Err(EngineError::Forbidden(
            "the conversation is written by staff users and clients".into(),
        )),
    }
}

impl Engine {
    pub(crate) async fn case_messages(
        &self,
        p: &Principal,
        case_id: i64,
        window: Window,
    ) -> Result<Conversation> {
        self.authorize(p, Object::Case, Action::Read)?;
        let db = self.reader();
        crate::documents::case_exists(&db, case_id).await?;
        store::of_case(&db, case_id, window).await
    }

    /// A reply to the case's contacts who can see it on the portal, or an internal note;
    /// attachments become documents of the case, shared with the contacts a reply goes to.
    pub(crate) async fn post_case_message(
        &self,
        p: &Principal,
        case_id: i64,
        body: &str,
        internal: bool,
        uploads: Vec<Upload<'_>>,
    ) -> Result<CaseMessage> {
        self.authorize(p, Object::Case, Action::Update)?;
        let (user_id, name) = me(p)?;
        let body = clean_body(body, !uploads.is_empty())?;
        crate::documents::case_exists(&self.reader(), case_id).await?;
        let recipients = if internal {
            Vec::new()
        } else {
            crate::portal::granted_contacts(&self.reader(), case_id).await?
        };
        if !internal && recipients.is_empty() {
            return Err(EngineError::validation(
                "internal",
                "no contact of this case can see it on the portal: give one access first, or write an internal note",
            ));
        }
        // The files go to the store first (a refused one ends the message before anything is
        // recorded); a blob left by a later refusal is collected as any unused blob is.
        let mut stored = Vec::with_capacity(uploads.len());
        for upload in uploads {
            stored.push(self.storage.accept(upload).await?);
        }
        let author = MessageAuthor {
            user_id: Some(user_id),
            contact_id: None,
            name,
        };
        let txn = self.begin_write().await?;
        let id = store::insert(
            &txn,
            &NewMessage {
                case_id,
                author: &author,
                body: &body,
                internal,
                via: Via::App,
            },
        )
        .await?;
        for contact in &recipients {
            store::address(&txn, id, case_id, *contact, None).await?;
        }
        let row = NewDocumentRow {
            case_id,
            folder_id: None,
            origin: Origin::Staff,
            created_by: Some(user_id),
            uploaded_by: None,
        };
        super::attach_files(&txn, p, id, &row, &stored, &recipients).await?;
        crate::audit::record(
            &txn,
            EntityKind::Case,
            case_id,
            &actor(p),
            AuditAction::MessagePosted,
            &json!({"messageId": id, "internal": internal, "attachments": stored.len()}),
        )
        .await?;
        // Writing is reading what came before.
        store::mark_read_by_user(&txn, case_id, user_id).await?;
        let message = store::find(&txn, id).await?;
        if !internal {
            self.tell_reply(&txn, &message, &recipients).await?;
        }
        txn.commit().await?;
        self.notification_signal.wake(user_id);
        Ok(message)
    }

    /// A staff user's own message, as it stands, for a change within the edit window.
    async fn own_message(&self, p: &Principal, id: i64) -> Result<CaseMessage> {
        self.authorize(p, Object::Case, Action::Update)?;
        let (user_id, _) = me(p)?;
        let message = store::find(&self.reader(), id).await?;
        if message.author.user_id != Some(user_id) {
            return Err(EngineError::Forbidden(
                "only its author can change or delete a message".into(),
            ));
        }
        still_editable(&message, crate::now_micros())?;
        Ok(message)
    }

    pub(crate) async fn edit_case_message(
        &self,
        p: &Principal,
        id: i64,
        body: &str,
    ) -> Result<CaseMessage> {
        let message = self.own_message(p, id).await?;
        let body = clean_body(body, !message.attachments.is_empty())?;
        self.change_message(p, &message, Some(&body)).await
    }

    pub(crate) async fn delete_case_message(&self, p: &Principal, id: i64) -> Result<CaseMessage> {
        let message = self.own_message(p, id).await?;
        self.change_message(p, &message, None).await
    }

    /// Writes a new body (`Some`) or deletes (`None`), audited; answers the message after.
    pub(super) async fn change_message(
        &self,
        p: &Principal,
        message: &CaseMessage,
        body: Option<&str>,
    ) -> Result<CaseMessage> {
        let txn = self.begin_write().await?;
        let action = match body {
            Some(b) => {
                store::set_body(&txn, message.id, b).await?;
                AuditAction::MessageEdited
            }
            None => {
                store::delete(&txn, message.id).await?;
                AuditAction::MessageDeleted
            }
        };
        crate::audit::record(
            &txn,
            EntityKind::Case,
            message.case_id,
            &actor(p),
            action,
            &json!({"messageId": message.id}),
        )
        .await?;
        let after = store::find(&txn, message.id).await?;
        txn.commit().await?;
        Ok(after)
    }

    pub(crate) async fn mark_case_messages_read(
        &self,
        p: &Principal,
        case_id: i64,
    ) -> Result<bool> {
        self.authorize(p, Object::Case, Action::Read)?;
        let (user_id, _) = me(p)?;
        crate::documents::case_exists(&self.reader(), case_id).await?;
        let txn = self.begin_write().await?;
        store::mark_read_by_user(&txn, case_id, user_id).await?;
        txn.commit().await?;
        Ok(true)
    }

    /// The cases the staff user owns or follows with messages they have not read, the most
    /// recent first (at most 20), with how many: their home's "Unread messages".
    pub(crate) async fn unread_conversations(
        &self,
        p: &Principal,
    ) -> Result<Vec<(crate::records::Record, i64)>> {
        self.authorize(p, Object::Case, Action::Read)?;
        let (user_id, _) = me(p)?;
        let found = store::unread_cases_of_user(&self.reader(), user_id, 20).await?;
        let ids: Vec<i64> = found.iter().map(|(c, _)| *c).collect();
        let cases = self
            .load_records(crate::metadata::EntityKind::Case, &ids)
            .await?;
        Ok(found
            .into_iter()
            .filter_map(|(id, n)| cases.iter().find(|c| c.id == id).map(|c| (c.clone(), n)))
            .collect())
    }

    /// For each case, the messages the staff user has not read (cases with none absent).
    pub(crate) async fn unread_messages(
        &self,
        p: &Principal,
        case_ids: &[i64],
    ) -> Result<HashMap<i64, i64>> {
        self.authorize(p, Object::Case, Action::Read)?;
        let Principal::Staff(s) = p else {
            return Ok(HashMap::new());
        };
        store::unread_by_user(&self.reader(), s.user_id, case_ids).await
    }
}
