//! The bucket store: blobs as objects in an S3-compatible bucket, through the `object_store`
//! crate (its signer, retries and multipart uploads).
//!
//! Keys mirror the directory store (`<prefix>/ab/cdef...`), so a copy from one to the other is
//! name for name. A file up to one part long is hashed in memory and written with one PUT under
//! its final name; a longer one streams as a multipart upload to `<prefix>/tmp/upload-<random>`
//! (invisible until complete), is copied server-side to its hash's name, and the temporary
//! object goes. A process that dies mid-upload leaves an incomplete multipart upload (never
//! listed; a bucket lifecycle rule or Garage's `cleanup-incomplete-uploads` reclaims it) or a
//! temporary object (the sweep removes it after a day), never a blob under a document's name.

use super::reader::ChunkReader;
use super::{
    Blob, BlobReader, BlobStore, GRACE, HeadCheck, Intake, S3Settings, STALE_UPLOAD, split_name,
    valid_hash,
};
use crate::error::{EngineError, Result};
use bytes::Bytes;
use futures_util::{StreamExt, TryStreamExt};
use object_store::aws::{AmazonS3, AmazonS3Builder};
use object_store::path::Path;
use object_store::{
    ClientOptions, GetOptions, GetRange, ObjectStore, ObjectStoreExt, RetryConfig, WriteMultipart,
};
use std::ops::Range;
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncReadExt};

/// The size of a multipart upload's parts, and the most bytes held for one upload: S3's
/// smallest part. With [`PARTS_IN_FLIGHT`] this bounds an upload's memory (about 15 MiB
/// whatever the file's size); 10,000 parts allow files of up to 50 GB.
const PART: usize = 5 * 1024 * 1024;
const PARTS_IN_FLIGHT: usize = 2;

pub struct S3BlobStore {
    store: AmazonS3,
    bucket: String,
    prefix: String,
    grace: Duration,
}

fn io(e: object_store::Error) -> EngineError {
    EngineError::Io(e.into())
}

impl S3BlobStore {
    /// The `AWS_*` variables are read first; the settings given override them. An `http://`
    /// endpoint (a store on the same host or network) is allowed as written.
    pub fn new(
        bucket: &str,
        prefix: &str,
        settings: &S3Settings,
    ) -> std::result::Result<S3BlobStore, object_store::Error> {
        // Downloads stream for as long as the client reads; only connecting is bounded.
        let client = ClientOptions::new()
            .with_timeout_disabled()
            .with_connect_timeout(Duration::from_secs(5));
        let mut builder = AmazonS3Builder::from_env()
            .with_client_options(client)
            .with_bucket_name(bucket)
            .with_retry(RetryConfig {
                max_retries: 3,
                retry_timeout: Duration::from_secs(30),
                ..RetryConfig::default()
            });
        if let Some(endpoint) = &settings.endpoint {
            builder = builder
                .with_endpoint(endpoint)
                .with_allow_http(endpoint.starts_with("http://"));
        }
        if let Some(region) = &settings.region {
            builder = builder.with_region(region);
        }
        if let Some(key) = &settings.access_key_id {
            builder = builder.with_access_key_id(key);
        }
        if let Some(secret) = &settings.secret_access_key {
            builder = builder.with_secret_access_key(secret);
        }
        Ok(S3BlobStore {
            store: builder.build()?,
            bucket: bucket.to_owned(),
            prefix: prefix.trim_matches('/').to_owned(),
            grace: GRACE,
        })
    }

    /// A store with another grace period (tests use none).
    pub fn with_grace(mut self, grace: Duration) -> S3BlobStore {
        self.grace = grace;
        self
    }

    fn under(&self, rest: &str) -> Path {
        if self.prefix.is_empty() {
            Path::from(rest)
        } else {
            Path::from(format!("{}/{rest}", self.prefix))
        }
    }

    fn key(&self, hash: &str) -> Result<Path> {
        let (dir, file) = split_name(hash)?;
        Ok(self.under(&format!("{dir}/{file}")))
    }

    fn prefix_path(&self) -> Option<Path> {
        (!self.prefix.is_empty()).then(|| Path::from(self.prefix.as_str()))
    }

    /// The rest of a file longer than one part: a multipart upload to a temporary key, then
    /// the server-side copy to its name.
    async fn put_long(
        &self,
        first: Vec<u8>,
        src: &mut (dyn AsyncRead + Send + Unpin),
        mut intake: Intake,
    ) -> Result<Blob> {
        let tmp = self.under(&format!(
            "tmp/upload-{}",
            crate::identity::random_hex::<16>()
        ));
        let upload = self.store.put_multipart(&tmp).await.map_err(io)?;
        let mut writer = WriteMultipart::new_with_chunk_size(upload, PART);
        writer.put(Bytes::from(first));
        let mut buf = vec![0u8; 64 * 1024];
        let streamed: Result<()> = async {
            loop {
                writer
                    .wait_for_capacity(PARTS_IN_FLIGHT)
                    .await
                    .map_err(io)?;
                let n = src.read(&mut buf).await?;
                if n == 0 {
                    return Ok(());
                }
                intake.take(&buf[..n])?;
                writer.write(&buf[..n]);
            }
        }
        .await;
        if let Err(e) = streamed {
            let _ = writer.abort().await;
            return Err(e);
        }
        writer.finish().await.map_err(io)?;
        let blob = intake.finish();
        // Copied even when the name exists: the new time starts the grace period again, so a
        // sweep that found the old copy unused cannot take it from under this upload.
        let copied = self.store.copy(&tmp, &self.key(&blob.hash)?).await;
        let _ = self.store.delete(&tmp).await;
        copied.map_err(io)?;
        Ok(blob)
    }
}

#[async_trait::async_trait]
impl BlobStore for S3BlobStore {
    async fn put(
        &self,
        src: &mut (dyn AsyncRead + Send + Unpin),
        limit: u64,
        check: HeadCheck<'_>,
    ) -> Result<Blob> {
        let mut intake = Intake::new(limit);
        let mut first = Vec::new();
        let mut buf = vec![0u8; 64 * 1024];
        let mut ended = false;
        while first.len() < PART {
            let want = buf.len().min(PART - first.len());
            let n = src.read(&mut buf[..want]).await?;
            if n == 0 {
                ended = true;
                break;
            }
            intake.take(&buf[..n])?;
            first.extend_from_slice(&buf[..n]);
        }
        // The head is complete (or the file is shorter): refused before a byte is written.
        check(intake.head())?;
        if !ended {
            return self.put_long(first, src, intake).await;
        }
        let blob = intake.finish();
        self.store
            .put(&self.key(&blob.hash)?, Bytes::from(first).into())
            .await
            .map_err(io)?;
        Ok(blob)
    }

    async fn open(&self, hash: &str, range: Option<Range<u64>>) -> Result<BlobReader> {
        let options = GetOptions {
            range: range.map(GetRange::Bounded),
            ..GetOptions::default()
        };
        let answer = self
            .store
            .get_opts(&self.key(hash)?, options)
            .await
            .map_err(io)?;
        let chunks = answer.into_stream().map_err(std::io::Error::from).boxed();
        Ok(Box::new(ChunkReader::new(chunks)))
    }

    async fn remove(&self, hash: &str) -> Result<bool> {
        let key = self.key(hash)?;
        let meta = match self.store.head(&key).await {
            Ok(m) => m,
            Err(object_store::Error::NotFound { .. }) => return Ok(false),
            Err(e) => return Err(io(e)),
        };
        let age = (chrono::Utc::now() - meta.last_modified)
            .to_std()
            .unwrap_or_default();
        if age < self.grace {
            return Ok(false);
        }
        match self.store.delete(&key).await {
            Ok(()) => Ok(true),
            Err(object_store::Error::NotFound { .. }) => Ok(false),
            Err(e) => Err(io(e)),
        }
    }

    async fn names(&self) -> Result<Vec<String>> {
        let mut out = Vec::new();
        let prefix = self.prefix_path();
        let skip = if self.prefix.is_empty() {
            0
        } else {
            self.prefix.len() + 1
        };
        let mut listing = self.store.list(prefix.as_ref());
        while let Some(meta) = listing.next().await {
            let meta = meta.map_err(io)?;
            let key = meta.location.as_ref();
            let Some(rest) = key.get(skip..) else {
                continue;
            };
            if rest.starts_with("tmp/") {
                let age = (chrono::Utc::now() - meta.last_modified)
                    .to_std()
                    .unwrap_or_default();
                if age > STALE_UPLOAD {
                    let _ = self.store.delete(&meta.location).await;
                }
                continue;
            }
            if let Some((dir, file)) = rest.split_once('/') {
                let name = format!("{dir}{file}");
                if dir.len() == 2 && valid_hash(&name) {
                    out.push(name);
                }
            }
        }
        Ok(out)
    }

    async fn ready(&self) -> Result<()> {
        // Listing the top level needs the bucket to exist and the keys to be good; a missing
        // object would answer "not found" for a missing bucket too.
        self.store
            .list_with_delimiter(self.prefix_path().as_ref())
            .await
            .map_err(io)?;
        Ok(())
    }

    fn describe(&self) -> String {
        if self.prefix.is_empty() {
            format!("s3://{}", self.bucket)
        } else {
            format!("s3://{}/{}", self.bucket, self.prefix)
        }
    }
}
