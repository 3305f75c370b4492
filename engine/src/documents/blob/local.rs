//! The directory store: blobs under `<data dir>/files` (or the directory configured).
//!
//! The bytes stream into a temporary file in the same directory tree while being hashed and
//! counted, are fsynced, and the file is renamed to its hash (then the directory is fsynced).
//! A crash leaves at most a stray temporary file, never a half file under a name a document
//! points to.

use super::{
    Blob, BlobReader, BlobStore, GRACE, HeadCheck, Intake, STALE_UPLOAD, split_name, valid_hash,
};
use crate::error::{EngineError, Result};
use std::ops::Range;
use std::path::{Path, PathBuf};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncSeekExt, AsyncWriteExt};

pub struct LocalBlobStore {
    root: PathBuf,
    grace: std::time::Duration,
}

impl LocalBlobStore {
    pub fn new(root: impl Into<PathBuf>) -> LocalBlobStore {
        LocalBlobStore {
            root: root.into(),
            grace: GRACE,
        }
    }

    /// A store with another grace period (tests use none).
    pub fn with_grace(mut self, grace: std::time::Duration) -> LocalBlobStore {
        self.grace = grace;
        self
    }

    fn path(&self, hash: &str) -> Result<PathBuf> {
        let (dir, file) = split_name(hash)?;
        Ok(self.root.join(dir).join(file))
    }
}

async fn sync_dir(dir: &Path) -> std::io::Result<()> {
    let dir = dir.to_owned();
    tokio::task::spawn_blocking(move || std::fs::File::open(&dir)?.sync_all())
        .await
        .map_err(std::io::Error::other)?
}

#[async_trait::async_trait]
impl BlobStore for LocalBlobStore {
    async fn put(
        &self,
        src: &mut (dyn AsyncRead + Send + Unpin),
        limit: u64,
        check: HeadCheck<'_>,
    ) -> Result<Blob> {
        let tmp_dir = self.root.join("tmp");
        tokio::fs::create_dir_all(&tmp_dir).await?;
        let tmp = tmp_dir.join(format!("upload-{}", crate::identity::random_hex::<16>()));
        let result = async {
            let mut file = tokio::fs::File::create(&tmp).await?;
            let mut intake = Intake::new(limit);
            let mut buf = vec![0u8; 64 * 1024];
            loop {
                let n = src.read(&mut buf).await?;
                if n == 0 {
                    break;
                }
                intake.take(&buf[..n])?;
                file.write_all(&buf[..n]).await?;
            }
            check(intake.head())?;
            file.flush().await?;
            file.sync_all().await?;
            drop(file);
            let blob = intake.finish();
            let dest = self.path(&blob.hash)?;
            let dir = dest.parent().map(Path::to_path_buf).unwrap_or_default();
            tokio::fs::create_dir_all(&dir).await?;
            // Same bytes, same name: an existing blob is already what we wrote (and the new
            // file's time starts the grace period again).
            tokio::fs::rename(&tmp, &dest).await?;
            sync_dir(&dir).await?;
            Ok(blob)
        }
        .await;
        if result.is_err() {
            let _ = tokio::fs::remove_file(&tmp).await;
        }
        result
    }

    async fn ready(&self) -> Result<()> {
        // The directory is made on first use; a path that cannot be one is not ready.
        tokio::fs::create_dir_all(&self.root).await?;
        let meta = tokio::fs::metadata(&self.root).await?;
        if !meta.is_dir() {
            return Err(EngineError::Internal(format!(
                "{} is not a directory",
                self.root.display()
            )));
        }
        Ok(())
    }

    async fn names(&self) -> Result<Vec<String>> {
        let mut out = Vec::new();
        let mut dirs = match tokio::fs::read_dir(&self.root).await {
            Ok(d) => d,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(out),
            Err(e) => return Err(e.into()),
        };
        while let Some(dir) = dirs.next_entry().await? {
            let prefix = dir.file_name().to_string_lossy().into_owned();
            if prefix == "tmp" {
                // An upload in progress writes its temporary file continuously; one untouched
                // for a day belongs to a process that died.
                let mut tmp = tokio::fs::read_dir(dir.path()).await?;
                while let Some(f) = tmp.next_entry().await? {
                    let stale = f
                        .metadata()
                        .await
                        .and_then(|m| m.modified())
                        .ok()
                        .and_then(|t| t.elapsed().ok())
                        .is_some_and(|age| age > STALE_UPLOAD);
                    if stale {
                        let _ = tokio::fs::remove_file(f.path()).await;
                    }
                }
                continue;
            }
            if prefix.len() != 2 || !dir.file_type().await?.is_dir() {
                continue;
            }
            let mut files = tokio::fs::read_dir(dir.path()).await?;
            while let Some(f) = files.next_entry().await? {
                let name = format!("{prefix}{}", f.file_name().to_string_lossy());
                if valid_hash(&name) {
                    out.push(name);
                }
            }
        }
        Ok(out)
    }

    async fn open(&self, hash: &str, range: Option<Range<u64>>) -> Result<BlobReader> {
        let mut file = tokio::fs::File::open(self.path(hash)?).await?;
        Ok(match range {
            None => Box::new(file),
            Some(r) => {
                file.seek(std::io::SeekFrom::Start(r.start)).await?;
                Box::new(file.take(r.end.saturating_sub(r.start)))
            }
        })
    }

    fn describe(&self) -> String {
        self.root.display().to_string()
    }

    async fn remove(&self, hash: &str) -> Result<bool> {
        let path = self.path(hash)?;
        let recent = tokio::fs::metadata(&path)
            .await
            .and_then(|m| m.modified())
            .ok()
            .and_then(|t| t.elapsed().ok())
            .is_some_and(|age| age < self.grace);
        if recent {
            return Ok(false);
        }
        match tokio::fs::remove_file(path).await {
            Ok(()) => Ok(true),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(false),
            Err(e) => Err(e.into()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn blobs_are_named_by_their_hash_and_limits_leave_nothing_behind() {
        let dir = std::env::temp_dir().join(format!("portico_blob_{}", std::process::id()));
        let store = LocalBlobStore::new(&dir);
        let ok = |_: &[u8]| Ok(());
        let blob = store.put(&mut &b"hello"[..], 100, &ok).await.unwrap();
        assert_eq!(
            blob.hash,
            "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824"
        );
        assert_eq!(blob.size, 5);
        let mut back = String::new();
        store
            .open(&blob.hash, None)
            .await
            .unwrap()
            .read_to_string(&mut back)
            .await
            .unwrap();
        assert_eq!(back, "hello");
        // The same bytes again: one blob.
        assert_eq!(store.put(&mut &b"hello"[..], 100, &ok).await.unwrap(), blob);
        let e = store.put(&mut &[0u8; 200][..], 100, &ok).await.unwrap_err();
        assert!(matches!(e, EngineError::Validation { .. }), "{e:?}");
        let refuse = |_: &[u8]| Err(EngineError::validation("file", "no"));
        assert!(store.put(&mut &b"other"[..], 100, &refuse).await.is_err());
        let leftovers = std::fs::read_dir(dir.join("tmp")).unwrap().count();
        assert_eq!(leftovers, 0);
        assert!(store.open("../../etc/passwd", None).await.is_err());
        let mut part = String::new();
        store
            .open(&blob.hash, Some(1..4))
            .await
            .unwrap()
            .read_to_string(&mut part)
            .await
            .unwrap();
        assert_eq!(part, "ell");
        // Just written: kept through the grace period.
        assert!(!store.remove(&blob.hash).await.unwrap());
        assert!(store.open(&blob.hash, None).await.is_ok());
        let _ = std::fs::remove_dir_all(&dir);
    }
}
