//! Where the blobs are, as an operator writes it: a directory, or `s3://bucket/prefix` with the
//! S3 settings beside it.

use super::{BlobStore, LocalBlobStore, S3BlobStore};
use crate::error::{EngineError, Result};
use std::path::PathBuf;
use std::sync::Arc;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BlobLocation {
    Dir(PathBuf),
    S3 { bucket: String, prefix: String },
}

/// How to reach the S3-compatible service (`PORTICO_S3_*`, or the usual `AWS_*` variables).
#[derive(Clone, Default)]
pub struct S3Settings {
    /// `http://127.0.0.1:3900`, `https://s3.example.com`; none is AWS itself.
    pub endpoint: Option<String>,
    pub region: Option<String>,
    pub access_key_id: Option<String>,
    pub secret_access_key: Option<String>,
}

/// The secret stays out of logs and panics.
impl std::fmt::Debug for S3Settings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("S3Settings")
            .field("endpoint", &self.endpoint)
            .field("region", &self.region)
            .field("access_key_id", &self.access_key_id)
            .field(
                "secret_access_key",
                &self.secret_access_key.as_ref().map(|_| "(set)"),
            )
            .finish()
    }
}

impl BlobLocation {
    /// `s3://bucket[/prefix]`, `file:///path`, or a plain path.
    pub fn parse(raw: &str) -> std::result::Result<BlobLocation, String> {
        let raw = raw.trim();
        if let Some(rest) = raw.strip_prefix("s3://") {
            let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
            let valid_bucket = (3..=63).contains(&bucket.len())
                && bucket.bytes().all(|b| {
                    b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'.'
                });
            if !valid_bucket {
                return Err(format!(
                    "`{bucket}` is not a bucket name (3 to 63 lowercase letters, digits, dots and hyphens)"
                ));
            }
            let prefix = prefix.trim_matches('/');
            if prefix.split('/').any(|p| p == "." || p == "..")
                || prefix.contains("//")
                || prefix.chars().any(char::is_control)
            {
                return Err(format!(
                    "`{prefix}` is not a usable prefix inside the bucket"
                ));
            }
            return Ok(BlobLocation::S3 {
                bucket: bucket.to_owned(),
                prefix: prefix.to_owned(),
            });
        }
        if let Some((scheme, _)) = raw.split_once("://")
            && scheme != "file"
        {
            return Err(format!(
                "`{scheme}://` is not a blob location: use s3://bucket/prefix or a directory"
            ));
        }
        let path = raw.strip_prefix("file://").unwrap_or(raw);
        if path.is_empty() {
            return Err("the blob location is empty".into());
        }
        Ok(BlobLocation::Dir(PathBuf::from(path)))
    }

    /// Opens the store (nothing is contacted yet: [`BlobStore::ready`] does that).
    pub fn open(&self, s3: &S3Settings) -> Result<Arc<dyn BlobStore>> {
        Ok(match self {
            BlobLocation::Dir(dir) => Arc::new(LocalBlobStore::new(dir)),
            BlobLocation::S3 { bucket, prefix } => Arc::new(
                S3BlobStore::new(bucket, prefix, s3)
                    .map_err(|e| EngineError::Internal(format!("object storage: {e}")))?,
            ),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locations_parse_as_operators_write_them() {
        assert_eq!(
            BlobLocation::parse("s3://portico-docs/prod/files/"),
            Ok(BlobLocation::S3 {
                bucket: "portico-docs".into(),
                prefix: "prod/files".into()
            })
        );
        assert_eq!(
            BlobLocation::parse("s3://docs"),
            Ok(BlobLocation::S3 {
                bucket: "docs".into(),
                prefix: String::new()
            })
        );
        assert_eq!(
            BlobLocation::parse("/var/lib/portico/files"),
            Ok(BlobLocation::Dir("/var/lib/portico/files".into()))
        );
        assert_eq!(
            BlobLocation::parse("file:///srv/files"),
            Ok(BlobLocation::Dir("/srv/files".into()))
        );
        assert!(BlobLocation::parse("s3://Bad_Bucket").is_err());
        assert!(BlobLocation::parse("s3://docs/../other").is_err());
        assert!(BlobLocation::parse("gs://docs").is_err());
        assert!(BlobLocation::parse("").is_err());
    }
}
