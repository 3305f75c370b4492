//! The portal handle: what a signed-in client can do, inside their row scope.

use crate::Engine;
use crate::documents::{Document, DocumentQuery, Download, Folder, Upload, UploadTarget};
use crate::error::Result;
use crate::identity::{PortalPrincipal, Principal, StaffUser};
use crate::portal::{Indicator, Me};
use crate::records::{Condition, ListQuery, Page, Record};
use serde_json::{Map, Value};
use std::sync::Arc;

/// A portal user, signed in, with the organisation they chose: the scope every query of theirs
/// runs in is fixed when the handle is made. Only [`Engine::authenticate_portal`] makes one.
#[derive(Clone)]
pub struct PortalHandle {
    engine: Arc<Engine>,
    principal: Principal,
}

impl PortalHandle {
    pub(crate) fn new(engine: Arc<Engine>, me: PortalPrincipal) -> PortalHandle {
        PortalHandle {
            engine,
            principal: Principal::Portal(me),
        }
    }

    fn scope(&self) -> Option<&PortalPrincipal> {
        match &self.principal {
            Principal::Portal(me) => Some(me),
            _ => None,
        }
    }

    /// The contact signed in.
    pub fn contact_id(&self) -> i64 {
        self.scope().map_or(0, |m| m.contact_id)
    }

    pub fn name(&self) -> &str {
        self.scope().map_or("", |m| m.name.as_str())
    }

    /// The organisation the user works for now, if any.
    pub fn organisation_id(&self) -> Option<i64> {
        self.scope().and_then(|m| m.organisation_id)
    }

    pub fn catalog(&self) -> Arc<crate::metadata::Catalog> {
        self.engine.catalog()
    }
}

/// Each operation is the engine's portal operation of the same name (`cases` is
/// `portal_cases`), run as this handle's portal user.
impl PortalHandle {
    pub async fn client_requests(
        &self,
        states: &[crate::requests::RequestState],
    ) -> Result<Vec<crate::requests::ClientRequest>> {
        self.engine
            .portal_client_requests(&self.principal, states)
            .await
    }
    /// One case's requests addressed to this user, newest first.
    pub async fn client_request(&self, id: i64) -> Result<crate::requests::ClientRequest> {
        self.engine.portal_client_request(&self.principal, id).await
    }
    /// Saves answers as a draft (each checked by its question).
    pub async fn answer_client_request(
        &self,
        id: i64,
        answers: serde_json::Value,
    ) -> Result<crate::requests::ClientRequest> {
        self.engine
            .answer_client_request(&self.principal, id, answers)
            .await
    }
    pub async fn submit_client_request(&self, id: i64) -> Result<crate::requests::ClientRequest> {
        self.engine.submit_client_request(&self.principal, id).await
    }
    /// Signs a signature request's document, the password asked again.
    pub async fn sign_client_request(
        &self,
        id: i64,
        full_name: &str,
        password: &str,
        context: crate::requests::SigningContext,
    ) -> Result<crate::requests::ClientRequest> {
        self.engine
            .sign_client_request(&self.principal, id, full_name, password, context)
            .await
    }
    pub async fn decline_signature(
        &self,
        id: i64,
        reason: &str,
    ) -> Result<crate::requests::ClientRequest> {
        self.engine
            .decline_signature(&self.principal, id, reason)
            .await
    }
    /// The document a signature request asks this user to sign, to read before signing.
    pub async fn document_to_sign(&self, id: i64) -> Result<Download> {
        self.engine.document_to_sign(&self.principal, id).await
    }
    /// Who signed the PDF `bytes` with this Portico (empty: not signed here, or changed since).
    pub async fn verify_signed_file(
        &self,
        bytes: &[u8],
    ) -> Result<Vec<crate::signatures::SignatureRecord>> {
        self.engine.verify_signed_file(&self.principal, bytes).await
    }
    /// Whether this user may add documents to request `id` now, known before a file is read.
    pub async fn check_client_request_upload(&self, id: i64) -> Result<()> {
        self.engine
            .client_request_upload_target(&self.principal, id)
            .await
            .map(|_| ())
    }
    /// Uploads a document into a documents request: into its case (and folder), then linked.
    pub async fn upload_to_client_request(
        &self,
        request_id: i64,
        folder_id: Option<i64>,
        upload: crate::documents::Upload<'_>,
    ) -> Result<crate::documents::Document> {
        let (case_id, folder) = self
            .engine
            .client_request_upload_target(&self.principal, request_id)
            .await?;
        let doc = self
            .upload_document(case_id, folder_id.or(folder), upload)
            .await?;
        self.engine
            .attach_to_client_request(&self.principal, request_id, doc.id)
            .await?;
        Ok(doc)
    }
    /// The time zone the dates in this user's emails are written in; `None` for the
    /// installation's.
    pub async fn time_zone(&self) -> Result<Option<String>> {
        let contact =
            crate::portal::PortalContact::load(&self.engine.reader(), self.contact_id()).await?;
        Ok(contact.time_zone)
    }
    /// Chooses the time zone of this user's emails (an IANA name).
    pub async fn set_time_zone(&self, zone: &str) -> Result<String> {
        self.engine
            .portal_set_time_zone(&self.principal, zone)
            .await
    }
    pub async fn change_password(&self, current: &str, new: &str) -> Result<bool> {
        self.engine
            .portal_change_password(&self.principal, current, new)
            .await
    }

    pub async fn check_upload(&self, target: UploadTarget) -> Result<()> {
        self.engine.check_upload(&self.principal, target).await
    }
    pub async fn upload_document(
        &self,
        case_id: i64,
        folder_id: Option<i64>,
        upload: Upload<'_>,
    ) -> Result<Document> {
        self.engine
            .portal_upload_document(&self.principal, case_id, folder_id, upload)
            .await
    }
    /// Everything a case's page shows, with the user's grant checked once.
    pub async fn case_page(
        &self,
        case_id: i64,
        how: &DocumentQuery,
        window: crate::conversation::Window,
    ) -> Result<crate::portal::CasePage> {
        self.engine
            .portal_case_page(&self.principal, case_id, how, window)
            .await
    }
    pub async fn folders(&self, case_id: i64) -> Result<Vec<Folder>> {
        self.engine.portal_folders(&self.principal, case_id).await
    }
    pub async fn download(&self, id: i64) -> Result<Download> {
        self.engine.portal_download(&self.principal, id).await
    }
    pub async fn documents(&self, case_id: i64, how: &DocumentQuery) -> Result<Vec<Document>> {
        self.engine
            .portal_documents(&self.principal, case_id, how)
            .await
    }
    pub async fn case_messages(
        &self,
        case_id: i64,
        window: crate::conversation::Window,
    ) -> Result<crate::conversation::Conversation> {
        self.engine
            .portal_case_messages(&self.principal, case_id, window)
            .await
    }
    /// The case page's messages, once the page has read the case, marked read: with how many
    /// were unread.
    pub async fn post_case_message(
        &self,
        case_id: i64,
        body: &str,
        attachments: Vec<crate::documents::Upload<'_>>,
    ) -> Result<crate::conversation::CaseMessage> {
        self.engine
            .portal_post_case_message(&self.principal, case_id, body, attachments)
            .await
    }
    pub async fn edit_case_message(
        &self,
        id: i64,
        body: &str,
    ) -> Result<crate::conversation::CaseMessage> {
        self.engine
            .portal_edit_case_message(&self.principal, id, body)
            .await
    }
    pub async fn delete_case_message(&self, id: i64) -> Result<crate::conversation::CaseMessage> {
        self.engine
            .portal_delete_case_message(&self.principal, id)
            .await
    }
    pub async fn mark_case_messages_read(&self, case_id: i64) -> Result<bool> {
        self.engine
            .portal_mark_case_messages_read(&self.principal, case_id)
            .await
    }
    pub async fn unread_messages(
        &self,
        case_ids: &[i64],
    ) -> Result<std::collections::HashMap<i64, i64>> {
        self.engine
            .portal_unread_messages(&self.principal, case_ids)
            .await
    }
    pub async fn unread_cases(&self) -> Result<Vec<(Record, i64)>> {
        self.engine.portal_unread_cases(&self.principal).await
    }
    pub async fn news_settings(&self) -> Result<Vec<crate::client_news::NewsSetting>> {
        self.engine.news_settings(&self.principal).await
    }
    pub async fn set_news_settings(
        &self,
        wanted: &[crate::client_news::NewsSetting],
    ) -> Result<Vec<crate::client_news::NewsSetting>> {
        self.engine.set_news_settings(&self.principal, wanted).await
    }
    pub async fn cases(&self, q: &ListQuery) -> Result<Page> {
        self.engine.portal_cases(&self.principal, q).await
    }
    pub async fn case_count(&self, conditions: &[Condition]) -> Result<i64> {
        self.engine
            .portal_case_count(&self.principal, conditions)
            .await
    }
    pub async fn case(&self, id: i64) -> Result<Record> {
        self.engine.portal_case(&self.principal, id).await
    }
    pub async fn create_case(&self, values: Map<String, Value>) -> Result<Record> {
        self.engine
            .portal_create_case(&self.principal, values)
            .await
    }
    pub async fn indicators(&self) -> Result<Vec<Indicator>> {
        self.engine.portal_indicators(&self.principal).await
    }
    pub async fn me(&self) -> Result<Me> {
        self.engine.portal_me(&self.principal).await
    }
    pub async fn switch_organisation(&self, organisation_id: i64) -> Result<Me> {
        self.engine
            .switch_organisation(&self.principal, organisation_id)
            .await
    }
    pub async fn staff_user(&self, id: i64) -> Result<StaffUser> {
        self.engine.portal_staff_user(&self.principal, id).await
    }
    pub async fn contact(&self, id: i64) -> Result<Record> {
        self.engine.portal_contact(&self.principal, id).await
    }
    pub async fn logout(&self) -> Result<bool> {
        self.engine.portal_logout(&self.principal).await
    }
}
