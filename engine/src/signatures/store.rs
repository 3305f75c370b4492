//! The signing identity's row and the signature records.

use super::cms::Identity;
use crate::db::tables::{DocumentSignatures, SigningIdentity};
use crate::db::{Exec, Row, now_micros};
use crate::error::{EngineError, Result};
use sea_orm::sea_query::{Expr, ExprTrait, OnConflict, Order, Query};

/// One signature, or one refusal to sign, as it happened.
#[derive(Debug, Clone, PartialEq)]
pub struct SignatureRecord {
    pub id: i64,
    pub request_id: i64,
    pub case_id: i64,
    pub document_id: i64,
    pub document_name: String,
    pub contact_id: i64,
    pub contact_name: String,
    pub contact_email: String,
    /// The full name the signer typed.
    pub declared_name: Option<String>,
    pub signed_at: Option<i64>,
    pub declined_at: Option<i64>,
    pub reason: Option<String>,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
    pub original_sha256: Option<String>,
    pub signed_sha256: Option<String>,
}

const COLUMNS: [DocumentSignatures; 16] = [
    DocumentSignatures::Id,
    DocumentSignatures::RequestId,
    DocumentSignatures::CaseId,
    DocumentSignatures::DocumentId,
    DocumentSignatures::DocumentName,
    DocumentSignatures::ContactId,
    DocumentSignatures::ContactName,
    DocumentSignatures::ContactEmail,
    DocumentSignatures::DeclaredName,
    DocumentSignatures::SignedAt,
    DocumentSignatures::DeclinedAt,
    DocumentSignatures::Reason,
    DocumentSignatures::Ip,
    DocumentSignatures::UserAgent,
    DocumentSignatures::OriginalSha256,
    DocumentSignatures::SignedSha256,
];

fn from_row(row: &Row) -> Result<SignatureRecord> {
    Ok(SignatureRecord {
        id: row.get(0)?,
        request_id: row.get(1)?,
        case_id: row.get(2)?,
        document_id: row.get(3)?,
        document_name: row.get(4)?,
        contact_id: row.get(5)?,
        contact_name: row.get(6)?,
        contact_email: row.get(7)?,
        declared_name: row.get(8)?,
        signed_at: row.get(9)?,
        declined_at: row.get(10)?,
        reason: row.get(11)?,
        ip: row.get(12)?,
        user_agent: row.get(13)?,
        original_sha256: row.get(14)?,
        signed_sha256: row.get(15)?,
    })
}

pub(crate) async fn insert(db: &impl Exec, r: &SignatureRecord) -> Result<()> {
    let q = Query::insert()
        .into_table(DocumentSignatures::Table)
        .columns(COLUMNS[1..].iter().copied())
        .values_panic([
            r.request_id.into(),
            r.case_id.into(),
            r.document_id.into(),
            r.document_name.clone().into(),
            r.contact_id.into(),
            r.contact_name.clone().into(),
            r.contact_email.clone().into(),
            r.declared_name.clone().into(),
            r.signed_at.into(),
            r.declined_at.into(),
            r.reason.clone().into(),
            r.ip.clone().into(),
            r.user_agent.clone().into(),
            r.original_sha256.clone().into(),
            r.signed_sha256.clone().into(),
        ])
        .to_owned();
    db.execute(&q).await?;
    Ok(())
}

/// The records of the given requests, oldest first.
pub(crate) async fn of_requests(db: &impl Exec, ids: &[i64]) -> Result<Vec<SignatureRecord>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let q = Query::select()
        .columns(COLUMNS)
        .from(DocumentSignatures::Table)
        .and_where(Expr::col(DocumentSignatures::RequestId).is_in(ids.iter().copied()))
        .order_by(DocumentSignatures::Id, Order::Asc)
        .to_owned();
    db.query_all(&q).await?.iter().map(from_row).collect()
}

/// The signatures that produced a file whose SHA-256 is `sha256` (hex), and those before them
/// on the same document (a second signer's file carries the first signature too).
pub(crate) async fn producing(db: &impl Exec, sha256: &str) -> Result<Vec<SignatureRecord>> {
    let q = Query::select()
        .columns(COLUMNS)
        .from(DocumentSignatures::Table)
        .and_where(Expr::col(DocumentSignatures::SignedSha256).eq(sha256))
        .to_owned();
    let Some(last) = db.query_one(&q).await?.map(|r| from_row(&r)).transpose()? else {
        return Ok(Vec::new());
    };
    let all = of_requests(db, &[last.request_id]).await?;
    Ok(all
        .into_iter()
        .filter(|r| r.signed_at.is_some() && r.id <= last.id)
        .collect())
}

/// The organisation's identity, made and stored the first time (a second process making one
/// at the same moment keeps the first one stored).
pub(crate) async fn identity(db: &impl Exec, firm: &str) -> Result<Identity> {
    let read = Query::select()
        .columns([SigningIdentity::PrivateKey, SigningIdentity::Certificate])
        .from(SigningIdentity::Table)
        .and_where(Expr::col(SigningIdentity::Id).eq(1))
        .to_owned();
    let internal = |e: super::cms::SignError| EngineError::Internal(e.to_string());
    if let Some(row) = db.query_one(&read).await? {
        let key: String = row.get(0)?;
        let cert: String = row.get(1)?;
        return Identity::from_der(&unhex(&key)?, &unhex(&cert)?).map_err(internal);
    }
    let made = Identity::generate(firm).map_err(internal)?;
    let (key, cert) = made.to_der().map_err(internal)?;
    let insert = Query::insert()
        .into_table(SigningIdentity::Table)
        .columns([
            SigningIdentity::Id,
            SigningIdentity::PrivateKey,
            SigningIdentity::Certificate,
            SigningIdentity::CreatedAt,
        ])
        .values_panic([
            1.into(),
            super::hex(&key).into(),
            super::hex(&cert).into(),
            now_micros().into(),
        ])
        .on_conflict(
            OnConflict::column(SigningIdentity::Id)
                .do_nothing()
                .to_owned(),
        )
        .to_owned();
    db.execute(&insert).await?;
    let row = db
        .query_one(&read)
        .await?
        .ok_or_else(|| EngineError::Internal("the signing identity was not stored".into()))?;
    let key: String = row.get(0)?;
    let cert: String = row.get(1)?;
    Identity::from_der(&unhex(&key)?, &unhex(&cert)?).map_err(internal)
}

/// Puts `identity` in place of the organisation's (an admin's own key and certificate).
pub(crate) async fn replace_identity(db: &impl Exec, identity: &Identity) -> Result<()> {
    let (key, cert) = identity
        .to_der()
        .map_err(|e| EngineError::Internal(e.to_string()))?;
    let q = Query::insert()
        .into_table(SigningIdentity::Table)
        .columns([
            SigningIdentity::Id,
            SigningIdentity::PrivateKey,
            SigningIdentity::Certificate,
            SigningIdentity::CreatedAt,
        ])
        .values_panic([
            1.into(),
            super::hex(&key).into(),
            super::hex(&cert).into(),
            now_micros().into(),
        ])
        .on_conflict(
            OnConflict::column(SigningIdentity::Id)
                .update_columns([
                    SigningIdentity::PrivateKey,
                    SigningIdentity::Certificate,
                    SigningIdentity::CreatedAt,
                ])
                .to_owned(),
        )
        .to_owned();
    db.execute(&q).await?;
    Ok(())
}

fn unhex(s: &str) -> Result<Vec<u8>> {
    (0..s.len())
        .step_by(2)
        .map(|i| {
            s.get(i..i + 2)
                .and_then(|b| u8::from_str_radix(b, 16).ok())
                .ok_or_else(|| EngineError::Internal("a stored key is not hex".into()))
        })
        .collect()
}
