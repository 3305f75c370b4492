//! The installation's own keys, made once and kept in the database so that every process
//! signs and checks with the same one, and message authentication codes made with them.

use crate::db::tables::InstallationSecrets;
use crate::db::{Exec, now_micros};
use crate::error::{EngineError, Result};
use crate::identity::{hex, random_hex, unhex};
use sea_orm::sea_query::{Expr, ExprTrait, OnConflict, Query};
use sha2::{Digest, Sha256};

/// The key that signs the web forms' tokens.
const FORM_KEY: &str = "form_signing";

/// A 32-byte key.
#[derive(Clone)]
pub(crate) struct Key([u8; 32]);

/// The key named `name`: the stored one, or a new random one stored now. Processes starting
/// together agree: only the first insert lands, and every process reads what landed.
async fn load_or_create(db: &impl Exec, name: &str) -> Result<Key> {
    db.execute(
        &Query::insert()
            .into_table(InstallationSecrets::Table)
            .columns([
                InstallationSecrets::Name,
                InstallationSecrets::Value,
                InstallationSecrets::CreatedAt,
            ])
            .values_panic([name.into(), random_hex::<32>().into(), now_micros().into()])
            .on_conflict(
                OnConflict::column(InstallationSecrets::Name)
                    .do_nothing()
                    .to_owned(),
            )
            .to_owned(),
    )
    .await?;
    let row = db
        .query_one(
            &Query::select()
                .column(InstallationSecrets::Value)
                .from(InstallationSecrets::Table)
                .and_where(Expr::col(InstallationSecrets::Name).eq(name))
                .to_owned(),
        )
        .await?
        .ok_or_else(|| EngineError::Internal(format!("no installation secret `{name}`")))?;
    let value: String = row.get(0)?;
    let bytes = unhex(&value)
        .and_then(|b| <[u8; 32]>::try_from(b).ok())
        .ok_or_else(|| {
            EngineError::Internal(format!("installation secret `{name}` is malformed"))
        })?;
    Ok(Key(bytes))
}

pub(crate) async fn form_key(db: &impl Exec) -> Result<Key> {
    load_or_create(db, FORM_KEY).await
}

/// Whether two secrets (a token, a code) are the same, in time that does not depend on where
/// they first differ, so that answers' timing cannot reveal a secret byte by byte.
pub fn same_secret(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// HMAC-SHA256 (RFC 2104) of `message` under `key`, hex-encoded.
fn hmac(key: &Key, message: &[u8]) -> String {
    let mut inner = Sha256::new();
    let mut outer = Sha256::new();
    let mut block = [0u8; 64];
    block[..32].copy_from_slice(&key.0);
    inner.update(block.map(|b| b ^ 0x36));
    inner.update(message);
    outer.update(block.map(|b| b ^ 0x5c));
    outer.update(inner.finalize());
    hex(&outer.finalize())
}

impl crate::Engine {
    /// A code only this installation can make for `message`, for `purpose` (so a code made
    /// for one use never passes as another's): how the web forms' tokens are signed.
    pub fn sign(&self, purpose: &str, message: &str) -> String {
        let mut m = Vec::with_capacity(purpose.len() + 1 + message.len());
        m.extend_from_slice(purpose.as_bytes());
        m.push(0);
        m.extend_from_slice(message.as_bytes());
        hmac(&self.form_key, &m)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hmac_matches_rfc_4231() {
        // RFC 4231's first message with a 32-byte key of 0x0b, as
        // `openssl dgst -sha256 -mac HMAC -macopt hexkey:0b...` (32 bytes) computes it.
        let key = Key([0x0b; 32]);
        assert_eq!(
            hmac(&key, b"Hi There"),
            "198a607eb44bfbc69903a0f1cf2bbdc5ba0aa3f3d9ae3c1c7a3b1696a0b68cf7"
        );
    }
}
