//! The organisation's signing identity and the CMS signatures made with it.
//!
//! The identity is a P-256 key and a self-signed certificate naming the firm, made the first
//! time a document is signed and kept in the database (one row), so every process signs with
//! the same one and a restore brings it back. The signature is a detached CMS `SignedData`
//! as PAdES baseline B-B asks: signed attributes with the content type, the message digest and
//! the signing certificate's hash (`signing-certificate-v2`), no signing time (the PDF's `/M`
//! holds it).

use der::asn1::{OctetString, SetOfVec};
use der::{Any, Decode, Encode};
use p256::ecdsa::{DerSignature, SigningKey};
use p256::pkcs8::{DecodePrivateKey, EncodePrivateKey};
use sha2::{Digest, Sha256};
use spki::{AlgorithmIdentifierOwned, ObjectIdentifier};
use std::str::FromStr;
use std::time::Duration;
use x509_cert::Certificate;
use x509_cert::attr::Attribute;
use x509_cert::builder::{Builder, CertificateBuilder, Profile};
use x509_cert::name::Name;
use x509_cert::serial_number::SerialNumber;
use x509_cert::spki::SubjectPublicKeyInfoOwned;
use x509_cert::time::Validity;

const SHA_256: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.2.1");
const ID_DATA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.7.1");
const SIGNING_CERTIFICATE_V2: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.16.2.47");

#[derive(Debug, thiserror::Error)]
#[error("signing failed: {0}")]
pub struct SignError(pub String);

fn err(e: impl std::fmt::Display) -> SignError {
    SignError(e.to_string())
}

/// A key and the certificate that names it.
pub struct Identity {
    key: SigningKey,
    pub certificate: Certificate,
}

impl Identity {
    /// A new key and a ten-year self-signed certificate for `firm`.
    pub fn generate(firm: &str) -> Result<Identity, SignError> {
        let key = SigningKey::random(&mut rand_core::OsRng);
        let cleaned: String = firm
            .chars()
            .filter(|c| c.is_alphanumeric() || " .-&'".contains(*c))
            .collect();
        let firm = if cleaned.trim().is_empty() {
            "Portico".to_owned()
        } else {
            cleaned.trim().to_owned()
        };
        let subject = Name::from_str(&format!("CN={firm} document signing,O={firm}"))
            .or_else(|_| Name::from_str("CN=Portico document signing"))
            .map_err(err)?;
        let mut serial = [0u8; 16];
        rand_core::RngCore::fill_bytes(&mut rand_core::OsRng, &mut serial);
        serial[0] &= 0x7f;
        let serial = SerialNumber::new(&serial).map_err(err)?;
        let validity =
            Validity::from_now(Duration::from_secs(10 * 366 * 24 * 3600)).map_err(err)?;
        let spki = SubjectPublicKeyInfoOwned::from_key(*key.verifying_key()).map_err(err)?;
        let profile = Profile::Leaf {
            issuer: subject.clone(),
            enable_key_agreement: false,
            enable_key_encipherment: false,
        };
        let builder =
            CertificateBuilder::new(profile, serial, validity, subject, spki, &key).map_err(err)?;
        let certificate = builder.build::<DerSignature>().map_err(err)?;
        Ok(Identity { key, certificate })
    }

    /// The key (PKCS #8) and certificate, DER, as stored.
    pub fn to_der(&self) -> Result<(Vec<u8>, Vec<u8>), SignError> {
        let key = self.key.to_pkcs8_der().map_err(err)?.as_bytes().to_vec();
        let cert = self.certificate.to_der().map_err(err)?;
        Ok((key, cert))
    }

    pub fn from_der(key: &[u8], certificate: &[u8]) -> Result<Identity, SignError> {
        Ok(Identity {
            key: SigningKey::from_pkcs8_der(key).map_err(err)?,
            certificate: Certificate::from_der(certificate).map_err(err)?,
        })
    }

    /// An admin's own key (PKCS #8 PEM, P-256) and the certificate for it (PEM).
    pub fn from_pem(key: &str, certificate: &str) -> Result<Identity, SignError> {
        use der::DecodePem;
        let key = SigningKey::from_pkcs8_pem(key.trim())
            .map_err(|_| SignError("the key is not a P-256 private key in PKCS #8 PEM".into()))?;
        let certificate = Certificate::from_pem(certificate.trim())
            .map_err(|_| SignError("the certificate is not an X.509 certificate in PEM".into()))?;
        let spki = SubjectPublicKeyInfoOwned::from_key(*key.verifying_key()).map_err(err)?;
        if certificate.tbs_certificate.subject_public_key_info != spki {
            return Err(SignError("the certificate is not for this key".into()));
        }
        Ok(Identity { key, certificate })
    }

    /// When the certificate stops being valid, as its text says it (UTC).
    pub fn not_after(&self) -> String {
        self.certificate
            .tbs_certificate
            .validity
            .not_after
            .to_string()
    }

    /// The SHA-256 of the certificate (what `signing-certificate-v2` names).
    pub fn certificate_hash(&self) -> Result<[u8; 32], SignError> {
        Ok(Sha256::digest(self.certificate.to_der().map_err(err)?).into())
    }

    /// The certificate's subject, as people read it.
    pub fn subject(&self) -> String {
        self.certificate.tbs_certificate.subject.to_string()
    }

    /// A detached CMS signature (DER) of content whose SHA-256 is `digest`.
    pub fn sign_detached(&self, digest: &[u8; 32]) -> Result<Vec<u8>, SignError> {
        use cms::builder::{SignedDataBuilder, SignerInfoBuilder};
        use cms::cert::{CertificateChoices, IssuerAndSerialNumber};
        use cms::signed_data::{EncapsulatedContentInfo, SignerIdentifier};
        let sha256 = AlgorithmIdentifierOwned {
            oid: SHA_256,
            parameters: None,
        };
        let content = EncapsulatedContentInfo {
            econtent_type: ID_DATA,
            econtent: None,
        };
        let sid = SignerIdentifier::IssuerAndSerialNumber(IssuerAndSerialNumber {
            issuer: self.certificate.tbs_certificate.issuer.clone(),
            serial_number: self.certificate.tbs_certificate.serial_number.clone(),
        });
        let mut signer =
            SignerInfoBuilder::new(&self.key, sid, sha256.clone(), &content, Some(digest))
                .map_err(err)?;
        signer
            .add_signed_attribute(self.signing_certificate_v2()?)
            .map_err(err)?;
        let signed = SignedDataBuilder::new(&content)
            .add_digest_algorithm(sha256)
            .map_err(err)?
            .add_certificate(CertificateChoices::Certificate(self.certificate.clone()))
            .map_err(err)?
            .add_signer_info::<SigningKey, DerSignature>(signer)
            .map_err(err)?
            .build()
            .map_err(err)?;
        signed.to_der().map_err(err)
    }

    /// `SigningCertificateV2 ::= SEQUENCE { certs SEQUENCE OF ESSCertIDv2 }` with one
    /// `ESSCertIDv2 ::= SEQUENCE { certHash OCTET STRING }` (SHA-256, the default algorithm).
    fn signing_certificate_v2(&self) -> Result<Attribute, SignError> {
        let hash = OctetString::new(self.certificate_hash()?.to_vec()).map_err(err)?;
        let ess_cert_id = der_sequence(&[hash.to_der().map_err(err)?]);
        let certs = der_sequence(&[ess_cert_id]);
        let value = der_sequence(&[certs]);
        let mut values = SetOfVec::new();
        values
            .insert(Any::from_der(&value).map_err(err)?)
            .map_err(err)?;
        Ok(Attribute {
            oid: SIGNING_CERTIFICATE_V2,
            values,
        })
    }
}

/// A DER SEQUENCE of already-encoded elements.
fn der_sequence(items: &[Vec<u8>]) -> Vec<u8> {
    let body: Vec<u8> = items.concat();
    let mut out = vec![0x30];
    let len = body.len();
    if len < 0x80 {
        out.push(len as u8);
    } else if len < 0x100 {
        out.extend_from_slice(&[0x81, len as u8]);
    } else {
        out.extend_from_slice(&[0x82, (len >> 8) as u8, len as u8]);
    }
    out.extend_from_slice(&body);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_identity_survives_storage_and_signs() {
        let id = Identity::generate("Asesoría Pérez & Hijos").unwrap();
        assert!(
            id.subject().contains("Asesoría Pérez & Hijos"),
            "{}",
            id.subject()
        );
        let (key, cert) = id.to_der().unwrap();
        let again = Identity::from_der(&key, &cert).unwrap();
        let sig = again.sign_detached(&[7u8; 32]).unwrap();
        let info = cms::content_info::ContentInfo::from_der(&sig).unwrap();
        assert_eq!(info.content_type.to_string(), "1.2.840.113549.1.7.2");
    }
}
