//! The engine's hold on the blob store and the upload limit, from its configuration (the
//! server knows the data directory and the configured limit).

use super::blob::{Blob, BlobStore};
use super::model;
use super::sniff;
use crate::db::Exec;
use crate::error::{EngineError, Result};
use std::sync::Arc;
use tokio::io::AsyncRead;

/// A file arriving from a client: streamed, never held in memory whole.
pub struct Upload<'a> {
    pub filename: String,
    pub content_type: Option<String>,
    pub content: &'a mut (dyn AsyncRead + Send + Unpin),
}

pub(crate) struct Storage {
    store: Arc<dyn BlobStore>,
    max_upload: u64,
}

/// A stored upload, ready to be recorded.
pub(crate) struct Stored {
    pub name: String,
    pub content_type: String,
    pub blob: Blob,
}

impl Storage {
    pub(crate) fn new(store: Arc<dyn BlobStore>, max_upload: u64) -> Storage {
        Storage { store, max_upload }
    }

    pub(crate) fn store(&self) -> &Arc<dyn BlobStore> {
        &self.store
    }

    /// Streams the upload into the store and checks what it is; a refused file leaves no blob.
    pub(crate) async fn accept(&self, upload: Upload<'_>) -> Result<Stored> {
        let (store, limit) = (&self.store, &self.max_upload);
        let name = sniff::clean_name(&upload.filename)
            .map_err(|_| EngineError::validation("file", "the file needs a name"))?;
        let declared = upload.content_type.clone();
        let check = |head: &[u8]| sniff::content_type(&name, declared.as_deref(), head).map(|_| ());
        let blob = store.put(upload.content, *limit, &check).await?;
        let content_type = sniff::content_type(&name, declared.as_deref(), &blob.head)?;
        Ok(Stored {
            name,
            content_type,
            blob,
        })
    }

    /// Removes blobs that no document or version refers to any more.
    pub(crate) async fn collect(&self, db: &impl Exec, hashes: &[String]) -> Result<()> {
        let store = self.store();
        for h in hashes {
            if !model::blob_in_use(db, h).await? {
                store.remove(h).await?;
            }
        }
        Ok(())
    }

    /// Removes every blob nothing refers to (past the store's grace period); answers how many.
    pub(crate) async fn sweep(&self, db: &impl Exec) -> Result<usize> {
        let store = self.store();
        let mut removed = 0;
        for name in store.names().await? {
            if !model::blob_in_use(db, &name).await? && store.remove(&name).await? {
                removed += 1;
            }
        }
        Ok(removed)
    }
}
