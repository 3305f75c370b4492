//! Requests as a portal user sees and does them: only those addressed to them, on cases they
//! can see now (in the organisation they are looking at). Anything else is answered as missing,
//! the same as an id that does not exist.

use super::{ClientRequest, RequestKind, RequestState, check_answers, store};
use crate::Engine;
use crate::audit::AuditAction;
use crate::error::{EngineError, Result};
use crate::identity::Principal;
use crate::metadata::EntityKind;
use crate::records::actor;
use serde_json::{Value, json};

fn me(p: &Principal) -> Result<i64> {
    match p {
        Principal::Portal(c) => Ok(c.contact_id),
        _ => Err(EngineError::Unauthenticated),
    }
}

impl Engine {
    /// Whether the user may see `request` now: addressed to them, on a case they can see.
    async fn visible(&self, p: &Principal, request: &ClientRequest) -> Result<bool> {
        let contact = me(p)?;
        if !request.shown_to(contact) {
            return Ok(false);
        }
        match self.portal_case(p, request.case_id).await {
            Ok(_) => Ok(true),
            Err(EngineError::NotFound { .. }) => Ok(false),
            Err(e) => Err(e),
        }
    }

    pub(crate) async fn portal_client_requests(
        &self,
        p: &Principal,
        states: &[RequestState],
    ) -> Result<Vec<ClientRequest>> {
        let all = store::of_contact(&self.reader(), me(p)?, None, states).await?;
        // The cases of those requests the user can see now.
        let cases: Vec<i64> = all.iter().map(|r| r.case_id).collect();
        let visible: Vec<i64> = self
            .portal_visible_cases(p, &cases)
            .await?
            .iter()
            .map(|c| c.id)
            .collect();
        let contact = me(p)?;
        let mut out: Vec<ClientRequest> = all
            .into_iter()
            .filter(|r| visible.contains(&r.case_id) && r.shown_to(contact))
            .collect();
        // Late first, then by due date, then the newest.
        out.sort_by(|a, b| {
            let key = |r: &ClientRequest| (r.due_date.is_none(), r.due_date.clone(), -r.id);
            key(a).cmp(&key(b))
        });
        Ok(out)
    }

    /// One case's requests addressed to the user, newest first: the case page's list. Checked
    /// against the user's grant row, which the page has read already (with the case).
    pub(crate) async fn portal_case_client_requests_granted(
        &self,
        p: &Principal,
        case_id: i64,
        granted: Option<&crate::portal::PortalAccess>,
    ) -> Result<Vec<ClientRequest>> {
        let contact = me(p)?;
        if !granted.is_some_and(|a| a.enabled && a.case_id == case_id && a.contact_id == contact) {
            return Err(EngineError::not_found("Case", case_id));
        }
        let list = store::of_contact(&self.reader(), contact, Some(case_id), &[]).await?;
        Ok(list.into_iter().filter(|r| r.shown_to(contact)).collect())
    }

    pub(crate) async fn portal_client_request(
        &self,
        p: &Principal,
        id: i64,
    ) -> Result<ClientRequest> {
        let request = match store::find(&self.reader(), id).await {
            Ok(r) => r,
            Err(EngineError::NotFound { .. }) => {
                return Err(EngineError::not_found("ClientRequest", id));
            }
            Err(e) => return Err(e),
        };
        if !self.visible(p, &request).await? {
            return Err(EngineError::not_found("ClientRequest", id));
        }
        Ok(request)
    }

    /// Saves answers as a draft: each one given is checked by its question's type (a bad one
    /// is refused naming its key, and nothing is stored); required ones are asked at submit.
    pub(crate) async fn answer_client_request(
        &self,
        p: &Principal,
        id: i64,
        answers: Value,
    ) -> Result<ClientRequest> {
        let request = self.portal_client_request(p, id).await?;
        if request.kind != RequestKind::Questions {
            return Err(EngineError::validation(
                "id",
                "this request asks for no answers",
            ));
        }
        if !request.state.awaits_client() {
            return Err(EngineError::Conflict {
                message: format!(
                    "the request is {}; answers can no longer change",
                    request.state.key()
                ),
                related: Vec::new(),
            });
        }
        let Value::Object(given) = answers else {
            return Err(EngineError::validation(
                "answers",
                "answers are an object by question key",
            ));
        };
        check_answers(&request.questions, &Value::Object(given.clone()), false)?;
        let mut merged = request.answers.as_object().cloned().unwrap_or_default();
        for (k, v) in given {
            if v.is_null() {
                merged.remove(&k);
            } else {
                merged.insert(k, v);
            }
        }
        let txn = self.begin_write().await?;
        store::set_answers(&txn, id, &Value::Object(merged)).await?;
        txn.commit().await?;
        store::find(&self.reader(), id).await
    }

    /// The client says it is done: every required answer given, or at least one document.
    pub(crate) async fn submit_client_request(
        &self,
        p: &Principal,
        id: i64,
    ) -> Result<ClientRequest> {
        let request = self.portal_client_request(p, id).await?;
        match request.kind {
            RequestKind::Questions => check_answers(&request.questions, &request.answers, true)?,
            RequestKind::Documents if request.documents.is_empty() => {
                return Err(EngineError::missing(
                    "documents",
                    "upload at least one document first",
                ));
            }
            _ => {}
        }
        let txn = self.begin_write().await?;
        if !store::move_state(
            &txn,
            id,
            &[RequestState::Open, RequestState::Returned],
            RequestState::Submitted,
            None,
        )
        .await?
        {
            return Err(EngineError::Conflict {
                message: format!(
                    "the request is {}; it cannot be sent again",
                    request.state.key()
                ),
                related: Vec::new(),
            });
        }
        crate::audit::record(
            &txn,
            EntityKind::Case,
            request.case_id,
            &actor(p),
            AuditAction::ClientRequestSubmitted,
            &json!({"request": id, "title": request.title}),
        )
        .await?;
        // The case's notification recipients hear of it, in the app and by email.
        let contact = match p {
            Principal::Portal(c) => c.name.clone(),
            _ => String::new(),
        };
        let activity = crate::notifications::Activity::SubmittedRequest {
            contact,
            title: request.title.clone(),
        };
        self.commit_notifying(txn, request.case_id, &activity, id)
            .await
    }

    /// Records that a document the user just uploaded belongs to a documents request of theirs.
    pub(crate) async fn attach_to_client_request(
        &self,
        p: &Principal,
        id: i64,
        document_id: i64,
    ) -> Result<()> {
        let request = self.portal_client_request(p, id).await?;
        let txn = self.begin_write().await?;
        store::add_document(&txn, request.id, document_id).await?;
        txn.commit().await?;
        Ok(())
    }

    /// Checks, before an upload is read, that `id` is a documents request the user may still
    /// add to; answers its case and the folder its files go into.
    pub(crate) async fn client_request_upload_target(
        &self,
        p: &Principal,
        id: i64,
    ) -> Result<(i64, Option<i64>)> {
        let request = self.portal_client_request(p, id).await?;
        if request.kind != RequestKind::Documents {
            return Err(EngineError::validation(
                "requestId",
                "this request asks for no documents",
            ));
        }
        if !request.state.awaits_client() {
            return Err(EngineError::Conflict {
                message: format!(
                    "the request is {}; no more documents go into it",
                    request.state.key()
                ),
                related: Vec::new(),
            });
        }
        Ok((request.case_id, request.folder_id))
    }
}
