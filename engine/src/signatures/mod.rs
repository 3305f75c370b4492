//! Signatures of PDF documents that staff ask clients for (a client request of kind
//! `signature`). The client confirms with their password and their typed name; Portico then
//! appends a certificate page and a PAdES signature made with the organisation's key as an
//! incremental update ([`pdf`], [`cms`]), and stores the result as the document's newest
//! version. Every signature and refusal is recorded ([`store`]) with who, when, from where and
//! the hashes before and after, and the record outlives the document.
//!
//! Several signers sign in the order staff chose: each one's signature is added to the file
//! the one before produced, so every earlier signature stays valid.

pub mod cms;
pub mod pdf;
pub(crate) mod store;

pub use store::SignatureRecord;

use crate::Engine;
use crate::error::{EngineError, Result};
use crate::identity::{Action, Object, Principal};

/// The certificate documents are signed with, as an admin reads it.
#[derive(Debug, Clone, PartialEq)]
pub struct SigningCertificate {
    pub subject: String,
    pub not_after: String,
    /// SHA-256 of the certificate (DER), hex: what a reader compares with another copy.
    pub sha256: String,
}

fn describe(identity: &cms::Identity) -> Result<SigningCertificate> {
    Ok(SigningCertificate {
        subject: identity.subject(),
        not_after: identity.not_after(),
        sha256: hex(&identity
            .certificate_hash()
            .map_err(|e| EngineError::Internal(e.to_string()))?),
    })
}

impl Engine {
    fn firm_name(&self) -> String {
        let b = self.branding();
        if b.firm_name.is_empty() {
            "Portico".to_owned()
        } else {
            b.firm_name.clone()
        }
    }

    /// The organisation's signing certificate (made now if nothing was signed yet); admins.
    pub(crate) async fn signing_certificate(&self, p: &Principal) -> Result<SigningCertificate> {
        self.authorize(p, Object::Branding, Action::Update)?;
        let txn = self.begin_write().await?;
        let identity = store::identity(&txn, &self.firm_name()).await?;
        txn.commit().await?;
        describe(&identity)
    }

    /// Replaces the organisation's key and certificate with an admin's own (PEM); documents
    /// signed before keep the signature they had.
    pub(crate) async fn replace_signing_identity(
        &self,
        p: &Principal,
        key_pem: &str,
        certificate_pem: &str,
    ) -> Result<SigningCertificate> {
        self.authorize(p, Object::Branding, Action::Update)?;
        let identity = cms::Identity::from_pem(key_pem, certificate_pem).map_err(|e| {
            let field = if e.0.contains("key") && !e.0.contains("certificate") {
                "privateKeyPem"
            } else {
                "certificatePem"
            };
            EngineError::validation(field, e.0)
        })?;
        let txn = self.begin_write().await?;
        store::replace_identity(&txn, &identity).await?;
        let described = describe(&identity)?;
        // No record holds installation settings; the server log keeps who changed the key.
        tracing::warn!(by = %crate::records::actor(p).name, subject = %described.subject,
            sha256 = %described.sha256, "the signing key and certificate were replaced");
        txn.commit().await?;
        Ok(described)
    }
}

/// The largest PDF that can be signed: the whole file is read into memory to be signed.
pub const MAX_SIGN_BYTES: i64 = 20 * 1024 * 1024;

/// The largest file a verification reads: a signed PDF of the largest size, with its pages.
pub const MAX_VERIFY_BYTES: u64 = 21 * 1024 * 1024;

/// Hex of a SHA-256 digest.
pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
