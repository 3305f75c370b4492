//! Where document bytes live: a store behind a trait, content-addressed by SHA-256.
//!
//! Two stores: a directory ([`LocalBlobStore`], the default `<data dir>/files`) and an
//! S3-compatible bucket ([`S3BlobStore`]), chosen by [`BlobLocation`]. Both keep the same rules:
//! a blob is named by its hash only once every byte is written and checked, so a document row
//! never points at a half-written blob, and nothing a user types becomes part of a name.

mod intake;
mod local;
mod location;
mod reader;
mod s3;

pub use local::LocalBlobStore;
pub use location::{BlobLocation, S3Settings};
pub use s3::S3BlobStore;

pub(crate) use intake::Intake;

use crate::error::Result;
use std::ops::Range;
use tokio::io::AsyncRead;

/// What a stored blob is: its hash (its name) and its size.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Blob {
    pub hash: String,
    pub size: u64,
    /// The first bytes, for the content sniff.
    pub head: Vec<u8>,
}

/// A blob's bytes (or a range of them) as they arrive from the store.
pub type BlobReader = Box<dyn AsyncRead + Send + Unpin>;

/// Checks a blob's first bytes before it is kept (the content sniff).
pub type HeadCheck<'a> = &'a (dyn for<'h> Fn(&'h [u8]) -> Result<()> + Send + Sync);

#[async_trait::async_trait]
pub trait BlobStore: Send + Sync + 'static {
    /// Streams `src` into the store. More than `limit` bytes, or first bytes that `check`
    /// refuses, and nothing is kept.
    async fn put(
        &self,
        src: &mut (dyn AsyncRead + Send + Unpin),
        limit: u64,
        check: HeadCheck<'_>,
    ) -> Result<Blob>;
    /// Reads a blob, or the `range` of its bytes (within its size; the caller checks).
    async fn open(&self, hash: &str, range: Option<Range<u64>>) -> Result<BlobReader>;
    /// Removes a blob no document refers to any more, unless it was written within the
    /// store's grace period ([`GRACE`] by default): an upload of the same bytes may be about to
    /// refer to it. Answers whether it went.
    async fn remove(&self, hash: &str) -> Result<bool>;
    /// Every blob's name, for the sweep that removes what nothing refers to (and for copying
    /// a store); also drops what an upload that died left behind.
    async fn names(&self) -> Result<Vec<String>>;
    /// Whether the store can be used now (readiness).
    async fn ready(&self) -> Result<()>;
    /// Where the store is, for messages (a directory or `s3://bucket/prefix`).
    fn describe(&self) -> String;
}

/// See [`BlobStore::remove`].
pub const GRACE: std::time::Duration = std::time::Duration::from_secs(60);

/// A temporary upload untouched this long belongs to a process that died.
pub(crate) const STALE_UPLOAD: std::time::Duration = std::time::Duration::from_secs(24 * 3600);

/// Blob names are lowercase hex SHA-256: nothing else is ever looked up or written.
pub(crate) fn valid_hash(hash: &str) -> bool {
    hash.len() == 64
        && hash
            .bytes()
            .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
}

/// A blob's name split as both stores lay it out (`ab` / `cdef...`: two levels keep
/// directories and listings small); anything but a blob name is refused, never looked up.
pub(crate) fn split_name(hash: &str) -> Result<(&str, &str)> {
    if !valid_hash(hash) {
        return Err(crate::error::EngineError::Internal(format!(
            "not a blob name: {hash}"
        )));
    }
    Ok(hash.split_at(2))
}

/// Copies one blob from `from` to `to`, checking its bytes against its name on the way (a
/// blob whose bytes no longer match is reported, not copied: the copy, content-addressed too,
/// went in under its true name, which no document points at, and the sweep takes it).
pub async fn copy_one(from: &dyn BlobStore, to: &dyn BlobStore, name: &str) -> Result<()> {
    let mut src = from.open(name, None).await?;
    let any = |_: &[u8]| Ok(());
    let blob = to.put(&mut src, u64::MAX, &any).await?;
    if blob.hash != name {
        return Err(crate::error::EngineError::Internal(format!(
            "blob {name} in {} does not hash to its name (it hashes to {})",
            from.describe(),
            blob.hash
        )));
    }
    Ok(())
}

/// Copies every blob `from` has and `to` lacks, checking each by its hash on the way (a blob
/// whose bytes no longer match its name is reported, not copied). Answers (copied, already
/// there); run again after an interruption, it takes up where it stopped.
pub async fn copy_all(
    from: &dyn BlobStore,
    to: &dyn BlobStore,
    progress: &(dyn Fn(&str) + Send + Sync),
) -> Result<(usize, usize)> {
    let have: std::collections::HashSet<String> = to.names().await?.into_iter().collect();
    let mut names = from.names().await?;
    names.sort();
    let (mut copied, mut skipped) = (0, 0);
    for name in names {
        if have.contains(&name) {
            skipped += 1;
            continue;
        }
        copy_one(from, to, &name).await?;
        copied += 1;
        progress(&name);
    }
    Ok((copied, skipped))
}
