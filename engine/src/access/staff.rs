//! The staff handle: every operation staff users and integrators have, run as its principal.

use crate::Engine;
use crate::audit::AuditEvent;
use crate::documents::{Document, DocumentQuery, Download, Folder, Upload, UploadTarget};
use crate::error::Result;
use crate::identity::{
    Action, ApiToken, NewPermissionGroup, NewStaffUser, Object, PermissionGroup, Principal,
    StaffUser, StaffUserChange,
};
use crate::mail::{EmailTemplate, NewMail, OutboxEntry, RenderedMail, TemplateOverride};
use crate::metadata::{DefinitionChange, EntityKind, FieldDefinition, NewDefinition};
use crate::notifications::{Notification, Recipient};
use crate::portal::{Invitation, PortalAccess, PortalCandidate, SendInvitation};
use crate::records::{Condition, ListQuery, NewRecord, Page, Record, Relationship};
use serde_json::{Map, Value};
use std::collections::HashMap;
use std::sync::Arc;

/// A staff user (by session or API token), with the rights their groups give them. Only the
/// engine makes one: [`Engine::authenticate`] from a token, or the engine itself for its own
/// start-up work.
#[derive(Clone)]
pub struct StaffHandle {
    engine: Arc<Engine>,
    principal: Principal,
}

impl StaffHandle {
    pub(crate) fn new(engine: Arc<Engine>, principal: Principal) -> StaffHandle {
        StaffHandle { engine, principal }
    }

    /// The staff user this handle acts for (`None` for the engine's own work).
    pub fn user_id(&self) -> Option<i64> {
        match &self.principal {
            Principal::Staff(s) => Some(s.user_id),
            _ => None,
        }
    }

    /// Who this is, for limits kept per user (`user:<id>`).
    pub fn subject(&self) -> String {
        self.principal.subject().unwrap_or_default()
    }

    /// Whether the user's groups allow `action` on `object`: for showing or hiding what they
    /// may not do. The operations check for themselves.
    pub fn allows(&self, object: Object, action: Action) -> bool {
        self.engine.allows(&self.principal, object, action)
    }

    pub fn catalog(&self) -> Arc<crate::metadata::Catalog> {
        self.engine.catalog()
    }
}

/// Nested lists for a whole page at once (see `batch`): one query per list, not per row.
impl StaffHandle {
    pub async fn case_contacts_for(&self, case_ids: &[i64]) -> Result<HashMap<i64, Vec<Record>>> {
        self.engine
            .case_contacts_for(&self.principal, case_ids)
            .await
    }

    pub async fn case_documents_for(
        &self,
        case_ids: &[i64],
        how: &DocumentQuery,
    ) -> Result<HashMap<i64, Vec<Document>>> {
        self.engine
            .case_documents_for(&self.principal, case_ids, how)
            .await
    }

    pub async fn case_folders_for(&self, case_ids: &[i64]) -> Result<HashMap<i64, Vec<Folder>>> {
        self.engine
            .case_folders_for(&self.principal, case_ids)
            .await
    }

    pub async fn document_shared_with_for(
        &self,
        document_ids: &[i64],
    ) -> Result<HashMap<i64, Vec<Record>>> {
        self.engine
            .document_shared_with_for(&self.principal, document_ids)
            .await
    }

    pub async fn relationships_for(
        &self,
        contact_ids: &[i64],
    ) -> Result<HashMap<i64, Vec<Relationship>>> {
        self.engine
            .relationships_for(&self.principal, contact_ids)
            .await
    }

    pub async fn staff_users_for(&self, ids: &[i64]) -> Result<HashMap<i64, StaffUser>> {
        self.engine.staff_users_for(&self.principal, ids).await
    }
}

/// Each operation is the engine's operation of the same name, run as this handle's principal.
impl StaffHandle {
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
            .upload_document(&self.principal, case_id, folder_id, upload)
            .await
    }
    pub async fn document(&self, id: i64) -> Result<Document> {
        self.engine.document(&self.principal, id).await
    }
    pub async fn case_documents(&self, case_id: i64, how: &DocumentQuery) -> Result<Vec<Document>> {
        self.engine
            .case_documents(&self.principal, case_id, how)
            .await
    }
    pub async fn rename_document(&self, id: i64, name: &str) -> Result<Document> {
        self.engine.rename_document(&self.principal, id, name).await
    }
    pub async fn replace_document_content(&self, id: i64, upload: Upload<'_>) -> Result<Document> {
        self.engine
            .replace_document_content(&self.principal, id, upload)
            .await
    }
    pub async fn delete_document(&self, id: i64) -> Result<()> {
        self.engine.delete_document(&self.principal, id).await
    }
    pub async fn create_folder(
        &self,
        case_id: i64,
        name: &str,
        parent_id: Option<i64>,
    ) -> Result<Folder> {
        self.engine
            .create_folder(&self.principal, case_id, name, parent_id)
            .await
    }
    pub async fn folders(&self, case_id: i64) -> Result<Vec<Folder>> {
        self.engine.folders(&self.principal, case_id).await
    }
    pub async fn download(&self, id: i64) -> Result<Download> {
        self.engine.download(&self.principal, id).await
    }
    pub async fn share_documents(
        &self,
        case_id: i64,
        contact_id: i64,
        document_ids: &[i64],
    ) -> Result<Vec<Document>> {
        self.engine
            .share_documents(&self.principal, case_id, contact_id, document_ids)
            .await
    }
    pub async fn unshare_document(
        &self,
        case_id: i64,
        contact_id: i64,
        document_id: i64,
    ) -> Result<bool> {
        self.engine
            .unshare_document(&self.principal, case_id, contact_id, document_id)
            .await
    }
    pub async fn shared_documents(
        &self,
        case_id: i64,
        contact_id: i64,
        how: &DocumentQuery,
    ) -> Result<Vec<Document>> {
        self.engine
            .shared_documents(&self.principal, case_id, contact_id, how)
            .await
    }
    pub async fn document_shared_with(&self, document_id: i64) -> Result<Vec<i64>> {
        self.engine
            .document_shared_with(&self.principal, document_id)
            .await
    }
    pub async fn create_api_token(&self, name: &str, expires_at: Option<i64>) -> Result<ApiToken> {
        self.engine
            .create_api_token(&self.principal, name, expires_at)
            .await
    }
    pub async fn api_tokens(&self, user_id: Option<i64>) -> Result<Vec<ApiToken>> {
        self.engine.api_tokens(&self.principal, user_id).await
    }
    pub async fn revoke_api_token(&self, id: i64) -> Result<bool> {
        self.engine.revoke_api_token(&self.principal, id).await
    }
    pub async fn logout(&self) -> Result<bool> {
        self.engine.logout(&self.principal).await
    }
    pub async fn create_staff_user(&self, new: NewStaffUser) -> Result<StaffUser> {
        self.engine.create_staff_user(&self.principal, new).await
    }
    pub async fn create_client_request(
        &self,
        new: crate::requests::NewRequest,
    ) -> Result<crate::requests::ClientRequest> {
        self.engine
            .create_client_request(&self.principal, new)
            .await
    }
    /// A case's requests, or (no case) those of every case the caller owns, late first.
    pub async fn client_requests(
        &self,
        case_id: Option<i64>,
        states: &[crate::requests::RequestState],
    ) -> Result<Vec<crate::requests::ClientRequest>> {
        self.engine
            .client_requests(&self.principal, case_id, states)
            .await
    }
    pub async fn client_request(&self, id: i64) -> Result<crate::requests::ClientRequest> {
        self.engine.client_request(&self.principal, id).await
    }
    /// Accepts, returns (with `comment`) or cancels a request.
    pub async fn decide_client_request(
        &self,
        id: i64,
        to: crate::requests::RequestState,
        comment: Option<String>,
    ) -> Result<crate::requests::ClientRequest> {
        self.engine
            .decide_client_request(&self.principal, id, to, comment)
            .await
    }
    /// Who signed the PDF `bytes` with this Portico (empty: not signed here, or changed since).
    pub async fn document_opens(
        &self,
        document_id: i64,
    ) -> Result<Vec<crate::documents::DocumentOpen>> {
        self.engine
            .document_opens(&self.principal, document_id)
            .await
    }
    pub async fn case_messages(
        &self,
        case_id: i64,
        window: crate::conversation::Window,
    ) -> Result<crate::conversation::Conversation> {
        self.engine
            .case_messages(&self.principal, case_id, window)
            .await
    }
    pub async fn post_case_message(
        &self,
        case_id: i64,
        body: &str,
        internal: bool,
        attachments: Vec<crate::documents::Upload<'_>>,
    ) -> Result<crate::conversation::CaseMessage> {
        self.engine
            .post_case_message(&self.principal, case_id, body, internal, attachments)
            .await
    }
    pub async fn edit_case_message(
        &self,
        id: i64,
        body: &str,
    ) -> Result<crate::conversation::CaseMessage> {
        self.engine
            .edit_case_message(&self.principal, id, body)
            .await
    }
    pub async fn delete_case_message(&self, id: i64) -> Result<crate::conversation::CaseMessage> {
        self.engine.delete_case_message(&self.principal, id).await
    }
    pub async fn unread_conversations(&self) -> Result<Vec<(Record, i64)>> {
        self.engine.unread_conversations(&self.principal).await
    }
    pub async fn mark_case_messages_read(&self, case_id: i64) -> Result<bool> {
        self.engine
            .mark_case_messages_read(&self.principal, case_id)
            .await
    }
    pub async fn unread_messages(
        &self,
        case_ids: &[i64],
    ) -> Result<std::collections::HashMap<i64, i64>> {
        self.engine.unread_messages(&self.principal, case_ids).await
    }
    pub async fn digest_settings(&self) -> Result<crate::client_news::DigestSettings> {
        self.engine.digest_settings(&self.principal).await
    }
    pub async fn set_digest_settings(
        &self,
        wanted: crate::client_news::DigestSettings,
    ) -> Result<crate::client_news::DigestSettings> {
        self.engine
            .set_digest_settings(&self.principal, wanted)
            .await
    }
    pub async fn verify_signed_file(
        &self,
        bytes: &[u8],
    ) -> Result<Vec<crate::signatures::SignatureRecord>> {
        self.engine.verify_signed_file(&self.principal, bytes).await
    }
    /// The certificate documents are signed with; admins only.
    pub async fn signing_certificate(&self) -> Result<crate::signatures::SigningCertificate> {
        self.engine.signing_certificate(&self.principal).await
    }
    /// Replaces the signing key and certificate with an admin's own (PEM).
    pub async fn replace_signing_identity(
        &self,
        key_pem: &str,
        certificate_pem: &str,
    ) -> Result<crate::signatures::SigningCertificate> {
        self.engine
            .replace_signing_identity(&self.principal, key_pem, certificate_pem)
            .await
    }
    /// When reminders of client requests go out; admins only.
    pub async fn reminder_settings(&self) -> Result<crate::requests::ReminderSettings> {
        self.engine.reminder_settings(&self.principal).await
    }
    pub async fn set_reminder_settings(
        &self,
        s: crate::requests::ReminderSettings,
    ) -> Result<crate::requests::ReminderSettings> {
        self.engine.set_reminder_settings(&self.principal, s).await
    }
    pub async fn questionnaire_templates(
        &self,
    ) -> Result<Vec<crate::requests::QuestionnaireTemplate>> {
        self.engine.questionnaire_templates(&self.principal).await
    }
    /// Saves a questionnaire to reuse, replacing one of the same name.
    pub async fn save_questionnaire_template(
        &self,
        name: &str,
        questions: Vec<crate::requests::Question>,
    ) -> Result<crate::requests::QuestionnaireTemplate> {
        self.engine
            .save_questionnaire_template(&self.principal, name, questions)
            .await
    }
    pub async fn delete_questionnaire_template(&self, id: i64) -> Result<bool> {
        self.engine
            .delete_questionnaire_template(&self.principal, id)
            .await
    }
    /// Sends another invitation to a user who has not chosen a password yet.
    pub async fn send_staff_invitation(&self, id: i64) -> Result<StaffUser> {
        self.engine.send_staff_invitation(&self.principal, id).await
    }
    pub async fn update_staff_user(&self, id: i64, change: StaffUserChange) -> Result<StaffUser> {
        self.engine
            .update_staff_user(&self.principal, id, change)
            .await
    }
    pub async fn change_password(
        &self,
        current: &str,
        new: &str,
        revoke_api_tokens: bool,
    ) -> Result<bool> {
        self.engine
            .change_password(&self.principal, current, new, revoke_api_tokens)
            .await
    }
    /// The time zone the dates in your emails are written in (an IANA name).
    pub async fn set_my_time_zone(&self, zone: &str) -> Result<StaffUser> {
        self.engine.set_my_time_zone(&self.principal, zone).await
    }
    pub async fn set_my_language(&self, language: &str) -> Result<StaffUser> {
        self.engine.set_my_language(&self.principal, language).await
    }
    pub async fn staff_user(&self, id: i64) -> Result<StaffUser> {
        self.engine.staff_user(&self.principal, id).await
    }
    pub async fn staff_users(&self) -> Result<Vec<StaffUser>> {
        self.engine.staff_users(&self.principal).await
    }
    pub async fn permission_groups(&self) -> Result<Vec<PermissionGroup>> {
        self.engine.permission_groups(&self.principal).await
    }
    pub async fn create_permission_group(
        &self,
        new: NewPermissionGroup,
    ) -> Result<PermissionGroup> {
        self.engine
            .create_permission_group(&self.principal, new)
            .await
    }
    pub async fn update_permission_group(
        &self,
        id: i64,
        name: Option<String>,
        admin: Option<bool>,
        portal_access: Option<bool>,
    ) -> Result<PermissionGroup> {
        self.engine
            .update_permission_group(&self.principal, id, name, admin, portal_access)
            .await
    }
    pub async fn queue_mail(&self, mail: NewMail) -> Result<i64> {
        self.engine.queue_mail(&self.principal, mail).await
    }
    pub async fn outbox(&self) -> Result<Vec<OutboxEntry>> {
        self.engine.outbox(&self.principal).await
    }
    pub async fn update_branding(
        &self,
        change: crate::branding::BrandingChange,
    ) -> Result<std::sync::Arc<crate::branding::Branding>> {
        self.engine.update_branding(&self.principal, change).await
    }
    /// `None` removes the logo.
    pub async fn set_branding_logo(
        &self,
        bytes: Option<&[u8]>,
    ) -> Result<std::sync::Arc<crate::branding::Branding>> {
        self.engine.set_branding_logo(&self.principal, bytes).await
    }
    pub async fn email_templates(&self) -> Result<Vec<EmailTemplate>> {
        self.engine.email_templates(&self.principal).await
    }
    pub async fn update_email_template(
        &self,
        kind: crate::mail::EmailKind,
        language: &str,
        source: TemplateOverride,
    ) -> Result<EmailTemplate> {
        self.engine
            .update_email_template(&self.principal, kind, language, source)
            .await
    }
    pub async fn preview_email_template(
        &self,
        kind: crate::mail::EmailKind,
        language: &str,
        source: &TemplateOverride,
    ) -> Result<RenderedMail> {
        self.engine
            .preview_email_template(&self.principal, kind, language, source)
            .await
    }
    pub async fn reset_email_template(
        &self,
        kind: crate::mail::EmailKind,
        language: &str,
    ) -> Result<EmailTemplate> {
        self.engine
            .reset_email_template(&self.principal, kind, language)
            .await
    }
    pub async fn field_definitions(
        &self,
        entity: EntityKind,
        include_inactive: bool,
    ) -> Result<Vec<FieldDefinition>> {
        self.engine
            .field_definitions(&self.principal, entity, include_inactive)
            .await
    }
    pub async fn create_field_definition(&self, new: NewDefinition) -> Result<FieldDefinition> {
        self.engine
            .create_field_definition(&self.principal, new)
            .await
    }
    pub async fn update_field_definition(
        &self,
        entity: EntityKind,
        key: &str,
        change: DefinitionChange,
    ) -> Result<FieldDefinition> {
        self.engine
            .update_field_definition(&self.principal, entity, key, change)
            .await
    }
    pub async fn field_option_usage(
        &self,
        entity: EntityKind,
        key: &str,
    ) -> Result<Vec<(String, i64)>> {
        self.engine
            .field_option_usage(&self.principal, entity, key)
            .await
    }
    pub async fn rename_field_option(
        &self,
        entity: EntityKind,
        key: &str,
        from: &str,
        to: &str,
    ) -> Result<FieldDefinition> {
        self.engine
            .rename_field_option(&self.principal, entity, key, from, to)
            .await
    }
    pub async fn notifications(&self, unread_only: bool) -> Result<Vec<Notification>> {
        self.engine
            .notifications(&self.principal, unread_only)
            .await
    }
    pub async fn mark_notification_read(&self, id: i64) -> Result<Notification> {
        self.engine
            .mark_notification_read(&self.principal, id)
            .await
    }
    pub async fn notification_stream(
        &self,
    ) -> Result<impl futures_util::Stream<Item = Notification> + Send + use<>> {
        self.engine.notification_stream(&self.principal).await
    }
    /// The case's audit events from now on, as they happen.
    pub async fn case_activity_stream(
        &self,
        case_id: i64,
    ) -> Result<impl futures_util::Stream<Item = crate::audit::AuditEvent> + Send + use<>> {
        self.engine
            .case_activity_stream(&self.principal, case_id)
            .await
    }
    pub async fn case_notification_recipients(&self, case_id: i64) -> Result<Vec<Recipient>> {
        self.engine
            .case_notification_recipients(&self.principal, case_id)
            .await
    }
    pub async fn set_case_notification_recipient(
        &self,
        case_id: i64,
        user_id: i64,
        in_app: bool,
        email: bool,
    ) -> Result<Recipient> {
        self.engine
            .set_case_notification_recipient(&self.principal, case_id, user_id, in_app, email)
            .await
    }
    pub async fn remove_case_notification_recipient(
        &self,
        case_id: i64,
        user_id: i64,
    ) -> Result<bool> {
        self.engine
            .remove_case_notification_recipient(&self.principal, case_id, user_id)
            .await
    }
    pub async fn portal_candidates(&self, case_id: i64) -> Result<Vec<PortalCandidate>> {
        self.engine
            .portal_candidates(&self.principal, case_id)
            .await
    }
    pub async fn set_portal_access(
        &self,
        case_id: i64,
        contact_id: i64,
        enabled: bool,
        can_download: bool,
    ) -> Result<PortalAccess> {
        self.engine
            .set_portal_access(&self.principal, case_id, contact_id, enabled, can_download)
            .await
    }
    pub async fn send_portal_invitation(&self, contact_id: i64) -> Result<Invitation> {
        self.engine
            .send_portal_invitation(&self.principal, contact_id)
            .await
    }
    pub async fn portal_invitation(&self, contact_id: i64) -> Result<Invitation> {
        self.engine
            .portal_invitation(&self.principal, contact_id)
            .await
    }
    pub async fn list(&self, entity: EntityKind, q: &ListQuery) -> Result<Page> {
        self.engine.list(&self.principal, entity, q).await
    }
    pub async fn count(&self, entity: EntityKind, conditions: &[Condition]) -> Result<i64> {
        self.engine.count(&self.principal, entity, conditions).await
    }
    pub async fn get(&self, entity: EntityKind, id: i64) -> Result<Record> {
        self.engine.get(&self.principal, entity, id).await
    }
    pub async fn get_many(&self, entity: EntityKind, ids: &[i64]) -> Result<Vec<Record>> {
        self.engine.get_many(&self.principal, entity, ids).await
    }
    pub async fn create(&self, entity: EntityKind, values: Map<String, Value>) -> Result<Record> {
        self.engine.create(&self.principal, entity, values).await
    }
    pub async fn create_with(
        &self,
        entity: EntityKind,
        values: Map<String, Value>,
        send: SendInvitation,
    ) -> Result<Record> {
        self.engine
            .create_with(&self.principal, entity, values, send)
            .await
    }
    pub async fn import(&self, entity: EntityKind, records: Vec<NewRecord>) -> Result<usize> {
        self.engine.import(&self.principal, entity, records).await
    }
    pub async fn update(
        &self,
        entity: EntityKind,
        id: i64,
        patch: Map<String, Value>,
    ) -> Result<Record> {
        self.engine.update(&self.principal, entity, id, patch).await
    }
    pub async fn update_with(
        &self,
        entity: EntityKind,
        id: i64,
        patch: Map<String, Value>,
        send: SendInvitation,
    ) -> Result<Record> {
        self.engine
            .update_with(&self.principal, entity, id, patch, send)
            .await
    }
    pub async fn delete(&self, entity: EntityKind, id: i64) -> Result<()> {
        self.engine.delete(&self.principal, entity, id).await
    }
    pub async fn add_case_contact(&self, case_id: i64, contact_id: i64) -> Result<Record> {
        self.engine
            .add_case_contact(&self.principal, case_id, contact_id)
            .await
    }
    pub async fn remove_case_contact(&self, case_id: i64, contact_id: i64) -> Result<()> {
        self.engine
            .remove_case_contact(&self.principal, case_id, contact_id)
            .await
    }
    pub async fn case_contacts(&self, case_id: i64) -> Result<Vec<Record>> {
        self.engine.case_contacts(&self.principal, case_id).await
    }
    pub async fn add_relationship(
        &self,
        individual_id: i64,
        organisation_id: i64,
        role: Option<String>,
    ) -> Result<Relationship> {
        self.engine
            .add_relationship(&self.principal, individual_id, organisation_id, role)
            .await
    }
    pub async fn remove_relationship(&self, id: i64) -> Result<()> {
        self.engine.remove_relationship(&self.principal, id).await
    }
    pub async fn relationships(&self, contact_id: i64) -> Result<Vec<Relationship>> {
        self.engine.relationships(&self.principal, contact_id).await
    }
    pub async fn audit_log(&self, entity: EntityKind, id: i64) -> Result<Vec<AuditEvent>> {
        self.engine.audit_log(&self.principal, entity, id).await
    }
}
