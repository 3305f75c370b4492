//! A signature request as its signers do it: open the document, confirm with their password and
//! typed name, and sign, or decline saying why. Each signer in turn; the last one's signature
//! sends the request back to staff, as a refusal does.

use super::{ClientRequest, RequestKind, RequestState, store};
use crate::Engine;
use crate::audit::AuditAction;
use crate::documents::{Document, Upload};
use crate::error::{EngineError, Result};
use crate::identity::Principal;
use crate::metadata::EntityKind;
use crate::portal::PortalContact;
use crate::records::{actor, case_number};
use crate::signatures::pdf::{self, PdfError, SignerInfo};
use crate::signatures::{MAX_SIGN_BYTES, SignatureRecord, hex};
use serde_json::json;
use sha2::{Digest, Sha256};
use tokio::io::AsyncReadExt;

/// What signing adds to a file at most (certificate pages and signatures of a few signers).
pub(crate) fn pdf_overhead() -> i64 {
    1024 * 1024
}

/// Where a signature comes from, as the server saw it.
#[derive(Debug, Clone, Default)]
pub struct SigningContext {
    pub ip: Option<String>,
    pub user_agent: Option<String>,
}

/// Why a document cannot be signed, in words for the field that chose it.
pub(crate) fn check_signable(doc: &Document) -> Result<()> {
    if doc.content_type != "application/pdf" {
        return Err(EngineError::validation(
            "documentId",
            format!(
                "«{}» is not a PDF: only PDF documents can be signed",
                doc.name
            ),
        ));
    }
    if doc.size > MAX_SIGN_BYTES {
        return Err(EngineError::validation(
            "documentId",
            format!(
                "«{}» is larger than the {} MB a signed document may have",
                doc.name,
                MAX_SIGN_BYTES / 1024 / 1024
            ),
        ));
    }
    Ok(())
}

fn unsignable(e: PdfError) -> EngineError {
    let why = match e {
        PdfError::Encrypted => "the PDF is password-protected; ask for an unprotected copy",
        PdfError::NoPages => "the PDF has no pages",
        PdfError::Unreadable(_) => "the PDF cannot be read; ask for another copy",
        PdfError::TooLarge => "the signature does not fit in the document",
    };
    EngineError::validation("documentId", why)
}

/// The certificate page's lines, in the signer's language.
fn certificate_page(
    language: &str,
    r: &SignatureRecord,
    request: &ClientRequest,
    signed_at: chrono::DateTime<chrono::Utc>,
    firm: &str,
) -> (String, Vec<String>) {
    let when = signed_at.format("%Y-%m-%d %H:%M:%S UTC").to_string();
    let ip = r.ip.clone().unwrap_or_else(|| "-".into());
    let original = r.original_sha256.clone().unwrap_or_default();
    let declared = r.declared_name.clone().unwrap_or_default();
    let case = case_number(request.case_id);
    if language == "en" {
        (
            "Signature certificate".into(),
            vec![
                format!("Document: {}", r.document_name),
                format!("Signed by: {} <{}>", r.contact_name, r.contact_email),
                format!("Name typed by the signer: {declared}"),
                format!("Signed at: {when}"),
                format!("IP address: {ip}"),
                format!("SHA-256 of the document before signing: {original}"),
                format!(
                    "Request: \"{}\" (no. {}), case {case}",
                    request.title, request.id
                ),
                format!(
                    "The signer confirmed with their portal password. Signed for {firm} by Portico."
                ),
            ],
        )
    } else {
        (
            "Certificado de firma".into(),
            vec![
                format!("Documento: {}", r.document_name),
                format!("Firmado por: {} <{}>", r.contact_name, r.contact_email),
                format!("Nombre escrito por quien firma: {declared}"),
                format!("Fecha y hora: {when}"),
                format!("Dirección IP: {ip}"),
                format!("SHA-256 del documento antes de firmar: {original}"),
                format!(
                    "Petición: «{}» (n.º {}), caso {case}",
                    request.title, request.id
                ),
                format!(
                    "Quien firma lo confirmó con su contraseña del portal. Firmado para {firm} con Portico."
                ),
            ],
        )
    }
}

impl Engine {
    /// A signature request of the user's whose turn it is, still waiting.
    async fn my_turn(&self, p: &Principal, id: i64) -> Result<(ClientRequest, i64)> {
        let request = self.portal_client_request(p, id).await?;
        let Principal::Portal(me) = p else {
            return Err(EngineError::Unauthenticated);
        };
        if request.kind != RequestKind::Signature {
            return Err(EngineError::validation(
                "requestId",
                "this request asks for no signature",
            ));
        }
        if !request.state.awaits_client() {
            return Err(EngineError::Conflict {
                message: format!(
                    "the request is {}; it can no longer be signed",
                    request.state.key()
                ),
                related: Vec::new(),
            });
        }
        Ok((request, me.contact_id))
    }

    /// The document a signer is asked to sign, for them to read (whatever its sharing).
    pub(crate) async fn document_to_sign(
        &self,
        p: &Principal,
        id: i64,
    ) -> Result<crate::documents::Download> {
        let request = self.portal_client_request(p, id).await?;
        let doc_id = request
            .document_id
            .filter(|_| request.kind == RequestKind::Signature)
            .ok_or_else(|| EngineError::not_found("Document", id))?;
        let document = crate::documents::find(&self.reader(), doc_id).await?;
        Ok(crate::documents::Download::new(
            document,
            self.storage.store(),
        ))
    }

    /// Signs the request's document as the user, after checking their password again.
    pub(crate) async fn sign_client_request(
        &self,
        p: &Principal,
        id: i64,
        full_name: &str,
        password: &str,
        context: SigningContext,
    ) -> Result<ClientRequest> {
        let (request, me) = self.my_turn(p, id).await?;
        if request.next_signer().map(|c| c.id) != Some(me) {
            let first = request
                .next_signer()
                .map(|c| c.name.clone())
                .unwrap_or_default();
            return Err(EngineError::Conflict {
                message: format!("it is not your turn to sign yet: {first} signs first"),
                related: Vec::new(),
            });
        }
        let declared = full_name.trim();
        if declared.is_empty() || declared.chars().count() > 200 {
            return Err(EngineError::missing(
                "fullName",
                "type your full name to sign",
            ));
        }
        if !self.portal_password_is(p, password).await? {
            return Err(EngineError::validation(
                "password",
                "is not your portal password",
            ));
        }
        let doc_id = request.document_id.ok_or_else(|| {
            EngineError::Internal("a signature request without its document".into())
        })?;
        let document = crate::documents::find(&self.reader(), doc_id).await?;
        check_signable(&document)?;
        let mut original = Vec::with_capacity(usize::try_from(document.size).unwrap_or(0));
        self.storage
            .store()
            .open(&document.blob, None)
            .await?
            .take(u64::try_from(MAX_SIGN_BYTES).unwrap_or(0) + 1)
            .read_to_end(&mut original)
            .await
            .map_err(|e| EngineError::Internal(e.to_string()))?;
        let contact = PortalContact::load(&self.reader(), me).await?;
        let signed_at = chrono::Utc::now();
        let mut record = SignatureRecord {
            id: 0,
            request_id: request.id,
            case_id: request.case_id,
            document_id: document.id,
            document_name: document.name.clone(),
            contact_id: me,
            contact_name: contact.name.clone(),
            contact_email: contact.email.clone(),
            declared_name: Some(declared.to_owned()),
            signed_at: Some(signed_at.timestamp_micros()),
            declined_at: None,
            reason: None,
            ip: context.ip,
            user_agent: context.user_agent.map(|u| u.chars().take(500).collect()),
            original_sha256: Some(hex(&Sha256::digest(&original))),
            signed_sha256: None,
        };
        let branding = self.branding();
        let firm = if branding.firm_name.is_empty() {
            "Portico".to_owned()
        } else {
            branding.firm_name.clone()
        };
        let (title, lines) =
            certificate_page(&contact.language, &record, &request, signed_at, &firm);
        let identity = {
            let txn = self.begin_write().await?;
            let identity = crate::signatures::store::identity(&txn, &firm).await?;
            txn.commit().await?;
            identity
        };
        // Reading a client's PDF and signing it is CPU work on untrusted input: it runs off the
        // threads that serve requests, and a parser failure there fails only this signature.
        let (name, email, reason) = (
            declared.to_owned(),
            contact.email.clone(),
            request.title.clone(),
        );
        let pdf_time = signed_at.format("D:%Y%m%d%H%M%SZ").to_string();
        let signed = tokio::task::spawn_blocking(move || {
            let signer = SignerInfo {
                name: &name,
                email: &email,
                reason: &reason,
                pdf_time,
            };
            let prepared = pdf::prepare(&original, &title, &lines, &signer).map_err(unsignable)?;
            let signature = identity
                .sign_detached(&prepared.digest())
                .map_err(|e| EngineError::Internal(e.to_string()))?;
            prepared.embed(&signature).map_err(unsignable)
        })
        .await
        .map_err(|_| unsignable(PdfError::Unreadable("the reader stopped".into())))??;
        record.signed_sha256 = Some(hex(&Sha256::digest(&signed)));
        let mut content: &[u8] = &signed;
        let stored = self
            .storage
            .accept(Upload {
                filename: document.name.clone(),
                content_type: Some("application/pdf".into()),
                content: &mut content,
            })
            .await?;

        let txn = self.begin_write().await?;
        let now = store::find(&txn, id).await?;
        if now.next_signer().map(|c| c.id) != Some(me) || !now.state.awaits_client() {
            return Err(EngineError::Conflict {
                message: "the request changed while you signed; look at it again".into(),
                related: Vec::new(),
            });
        }
        let version = crate::documents::add_version(&txn, document.id, &stored).await?;
        crate::signatures::store::insert(&txn, &record).await?;
        crate::audit::record(
            &txn,
            EntityKind::Case,
            request.case_id,
            &actor(p),
            AuditAction::ClientRequestSigned,
            &json!({"request": id, "title": request.title, "documentId": document.id,
                "document": document.name, "version": version, "declaredName": declared,
                "originalSha256": record.original_sha256, "signedSha256": record.signed_sha256}),
        )
        .await?;
        let after = store::find(&txn, id).await?;
        match after.next_signer() {
            // The next signer's turn: they are told now.
            Some(next) => {
                let mut extra = serde_json::Map::new();
                extra.insert("instructions".into(), json!(after.instructions));
                extra.insert("asked_by".into(), json!(""));
                let kind = crate::mail::EmailKind::ClientRequest;
                super::mail::to_contact(self, &txn, &after, next.id, kind, &extra).await?;
            }
            None => {
                store::move_state(
                    &txn,
                    id,
                    &[RequestState::Open, RequestState::Returned],
                    RequestState::Submitted,
                    None,
                )
                .await?;
            }
        }
        let activity = crate::notifications::Activity::Signed {
            contact: contact.name.clone(),
            document: document.name.clone(),
        };
        self.commit_notifying(txn, request.case_id, &activity, id)
            .await
    }

    /// The user will not sign, and says why; staff are told, and the request comes back to
    /// them.
    pub(crate) async fn decline_signature(
        &self,
        p: &Principal,
        id: i64,
        reason: &str,
    ) -> Result<ClientRequest> {
        let (request, me) = self.my_turn(p, id).await?;
        let reason = reason.trim();
        if reason.is_empty() || reason.chars().count() > 2000 {
            return Err(EngineError::missing(
                "reason",
                "say why you will not sign (at most 2000 characters)",
            ));
        }
        if request.signatures.iter().any(|s| s.contact_id == me) {
            return Err(EngineError::Conflict {
                message: "you have signed this document already".into(),
                related: Vec::new(),
            });
        }
        let doc_id = request.document_id.unwrap_or_default();
        let document = crate::documents::find(&self.reader(), doc_id).await?;
        let contact = PortalContact::load(&self.reader(), me).await?;
        let record = SignatureRecord {
            id: 0,
            request_id: id,
            case_id: request.case_id,
            document_id: document.id,
            document_name: document.name.clone(),
            contact_id: me,
            contact_name: contact.name.clone(),
            contact_email: contact.email.clone(),
            declared_name: None,
            signed_at: None,
            declined_at: Some(crate::db::now_micros()),
            reason: Some(reason.to_owned()),
            ip: None,
            user_agent: None,
            original_sha256: None,
            signed_sha256: None,
        };
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
                message: "the request changed; look at it again".into(),
                related: Vec::new(),
            });
        }
        crate::signatures::store::insert(&txn, &record).await?;
        crate::audit::record(
            &txn,
            EntityKind::Case,
            request.case_id,
            &actor(p),
            AuditAction::ClientRequestDeclined,
            &json!({"request": id, "title": request.title, "document": document.name, "reason": reason}),
        )
        .await?;
        let activity = crate::notifications::Activity::DeclinedSignature {
            contact: contact.name.clone(),
            document: document.name.clone(),
            reason: reason.to_owned(),
        };
        self.commit_notifying(txn, request.case_id, &activity, id)
            .await
    }

    /// The signatures that produced the PDF `bytes`, as staff or a portal user checks a file
    /// they hold: empty when this Portico did not sign it, or it was changed after. The file
    /// is matched by its SHA-256 against the files Portico signed, so a copy that differs by
    /// one byte is not taken for a signed one.
    pub(crate) async fn verify_signed_file(
        &self,
        p: &Principal,
        bytes: &[u8],
    ) -> Result<Vec<SignatureRecord>> {
        match p {
            Principal::Staff(_) => self.authorize(
                p,
                crate::identity::Object::Case,
                crate::identity::Action::Read,
            )?,
            Principal::Portal(_) => {}
            _ => return Err(EngineError::Unauthenticated),
        }
        if i64::try_from(bytes.len()).unwrap_or(i64::MAX) > MAX_SIGN_BYTES + pdf_overhead() {
            return Err(EngineError::validation(
                "file",
                "this file is larger than any document Portico signs",
            ));
        }
        let digest = hex(&Sha256::digest(bytes));
        crate::signatures::store::producing(&self.reader(), &digest).await
    }
}
