//! Requests as staff make and decide them: on a case they may change, addressed to contacts
//! who can see the case on the portal.

use super::{
    ClientRequest, NewRequest, RequestKind, RequestState, check_due_date, check_questions, store,
};
use crate::Engine;
use crate::audit::AuditAction;
use crate::error::{EngineError, Result};
use crate::identity::{Action, Object, Principal};
use crate::mail::EmailKind;
use crate::metadata::EntityKind;
use crate::records::actor;
use serde_json::json;

impl Engine {
    pub(crate) async fn create_client_request(
        &self,
        p: &Principal,
        mut new: NewRequest,
    ) -> Result<ClientRequest> {
        self.authorize(p, Object::Case, Action::Update)?;
        new.title = new.title.trim().to_owned();
        if new.title.is_empty() || new.title.chars().count() > 200 {
            return Err(EngineError::missing(
                "title",
                "a request needs a title (at most 200 characters)",
            ));
        }
        new.due_date = check_due_date(new.due_date.take())?;
        let mut seen = Vec::new();
        new.contact_ids.retain(|c| {
            let fresh = !seen.contains(c);
            seen.push(*c);
            fresh
        });
        if new.contact_ids.is_empty() {
            return Err(EngineError::missing(
                "contactIds",
                "a request is addressed to at least one contact",
            ));
        }
        let questions = match new.kind {
            RequestKind::Questions => check_questions(std::mem::take(&mut new.questions))?,
            RequestKind::Documents => Vec::new(),
            RequestKind::Signature => Vec::new(),
        };
        let txn = self.begin_write().await?;
        crate::documents::case_exists(&txn, new.case_id).await?;
        if new.kind == RequestKind::Documents {
            crate::documents::check_folder(&txn, new.case_id, new.folder_id).await?;
        } else {
            new.folder_id = None;
        }
        if new.kind == RequestKind::Signature {
            let Some(doc_id) = new.document_id else {
                return Err(EngineError::missing(
                    "documentId",
                    "choose the PDF of the case to be signed",
                ));
            };
            let doc = match crate::documents::find(&txn, doc_id).await {
                Ok(d) if d.case_id == new.case_id => d,
                _ => return Err(EngineError::not_found("Document", doc_id)),
            };
            super::signing::check_signable(&doc)?;
        } else {
            new.document_id = None;
        }
        for contact in &new.contact_ids {
            let access = crate::portal::access_row(&txn, new.case_id, *contact).await?;
            if !access.is_some_and(|a| a.enabled) {
                return Err(EngineError::validation(
                    "contactIds",
                    format!(
                        "contact {contact} has no portal access to this case: give them access first"
                    ),
                ));
            }
        }
        let created_by = match p {
            Principal::Staff(s) => Some(s.user_id),
            _ => None,
        };
        // Files asked for without a folder go into a new one named after the request, so
        // staff find them together.
        if new.kind == RequestKind::Documents && new.folder_id.is_none() {
            let name: String = new.title.chars().take(255).collect();
            let folder =
                crate::documents::insert_folder(&txn, new.case_id, None, &name, created_by).await?;
            new.folder_id = Some(folder);
        }
        let id = store::insert(&txn, &new, &questions, created_by).await?;
        crate::audit::record(
            &txn,
            EntityKind::Case,
            new.case_id,
            &actor(p),
            AuditAction::ClientRequestCreated,
            &json!({"request": id, "title": new.title, "kind": new.kind.key()}),
        )
        .await?;
        let made = store::find(&txn, id).await?;
        let mut extra = serde_json::Map::new();
        extra.insert("instructions".into(), json!(made.instructions));
        extra.insert("asked_by".into(), json!(actor(p).name));
        // A signature is asked of its first signer now; each next one when their turn comes.
        match made
            .next_signer()
            .filter(|_| made.kind == RequestKind::Signature)
        {
            Some(first) => {
                let first = first.id;
                let kind = EmailKind::ClientRequest;
                super::mail::to_contact(self, &txn, &made, first, kind, &extra).await?;
            }
            None => {
                let kind = EmailKind::ClientRequest;
                super::mail::to_contacts(self, &txn, &made, kind, &extra).await?;
            }
        }
        txn.commit().await?;
        store::find(&self.reader(), id).await
    }

    /// A case's requests (`case_id`), or the requests of every case the caller owns.
    pub(crate) async fn client_requests(
        &self,
        p: &Principal,
        case_id: Option<i64>,
        states: &[RequestState],
    ) -> Result<Vec<ClientRequest>> {
        self.authorize(p, Object::Case, Action::Read)?;
        let db = self.reader();
        let mut list = match (case_id, p) {
            (Some(case), _) => store::of_case(&db, case, states).await?,
            (None, Principal::Staff(s)) => store::of_owner(&db, s.user_id, states).await?,
            (None, _) => Vec::new(),
        };
        if case_id.is_none() {
            // Across cases: what is late first, then by due date, then the newest.
            list.sort_by(|a, b| {
                let key = |r: &ClientRequest| (r.due_date.is_none(), r.due_date.clone(), -r.id);
                key(a).cmp(&key(b))
            });
        }
        Ok(list)
    }

    pub(crate) async fn client_request(&self, p: &Principal, id: i64) -> Result<ClientRequest> {
        self.authorize(p, Object::Case, Action::Read)?;
        store::find(&self.reader(), id).await
    }

    /// Accepts a submitted request, returns it to the client with a comment, or cancels one
    /// that is not finished.
    pub(crate) async fn decide_client_request(
        &self,
        p: &Principal,
        id: i64,
        to: RequestState,
        comment: Option<String>,
    ) -> Result<ClientRequest> {
        self.authorize(p, Object::Case, Action::Update)?;
        let (from, action): (&[RequestState], AuditAction) = match to {
            RequestState::Accepted => (
                &[RequestState::Submitted],
                AuditAction::ClientRequestAccepted,
            ),
            RequestState::Returned => (
                &[RequestState::Submitted],
                AuditAction::ClientRequestReturned,
            ),
            RequestState::Cancelled => (
                &[
                    RequestState::Open,
                    RequestState::Submitted,
                    RequestState::Returned,
                ],
                AuditAction::ClientRequestCancelled,
            ),
            _ => return Err(EngineError::Internal("not a staff decision".into())),
        };
        let comment = comment.map(|c| c.trim().to_owned());
        if to == RequestState::Returned && comment.as_deref().is_none_or(str::is_empty) {
            return Err(EngineError::missing(
                "comment",
                "say what the client should do again",
            ));
        }
        let txn = self.begin_write().await?;
        let request = store::find(&txn, id).await?;
        if !store::move_state(&txn, id, from, to, comment.as_deref()).await? {
            return Err(EngineError::Conflict {
                message: format!(
                    "the request is {}; it cannot become {} now",
                    request.state.key(),
                    to.key()
                ),
                related: Vec::new(),
            });
        }
        crate::audit::record(
            &txn,
            EntityKind::Case,
            request.case_id,
            &actor(p),
            action,
            &json!({"request": id, "title": request.title, "comment": comment}),
        )
        .await?;
        if to == RequestState::Returned {
            let mut extra = serde_json::Map::new();
            extra.insert("comment".into(), json!(comment));
            let kind = EmailKind::ClientRequestReturned;
            super::mail::to_contacts(self, &txn, &request, kind, &extra).await?;
        }
        txn.commit().await?;
        store::find(&self.reader(), id).await
    }
}
