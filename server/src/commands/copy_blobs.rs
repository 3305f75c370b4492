//! `portico blobs copy FROM TO`: every document blob from one store to another (a directory
//! and a bucket, either way), for moving to object storage or back.
//!
//! Each blob is read from `FROM`, hashed again on the way into `TO` and kept there under the
//! same name; what `TO` already has is skipped, so an interrupted copy is resumed by running
//! the command again. The source is left as it was: switch `PORTICO_BLOB_URL` once the copy
//! is complete (a last run while the server is stopped catches uploads made meanwhile), and
//! remove the source when satisfied.

use crate::config::Config;
use portico_engine::documents::{BlobLocation, copy_blobs};
use std::sync::atomic::{AtomicUsize, Ordering};

#[derive(Debug, thiserror::Error)]
pub enum CopyError {
    #[error("{0}")]
    Location(String),
    #[error("{0}")]
    Engine(#[from] portico_engine::EngineError),
}

pub async fn run(config: &Config, from: &str, to: &str) -> Result<(), CopyError> {
    let open = |raw: &str| -> Result<_, CopyError> {
        let location = BlobLocation::parse(raw).map_err(CopyError::Location)?;
        Ok(location.open(&config.s3)?)
    };
    let (source, target) = (open(from)?, open(to)?);
    if source.describe() == target.describe() {
        return Err(CopyError::Location(
            "the source and the destination are the same store".into(),
        ));
    }
    source.ready().await?;
    target.ready().await?;
    let done = AtomicUsize::new(0);
    let progress = |_: &str| {
        let n = done.fetch_add(1, Ordering::Relaxed) + 1;
        if n.is_multiple_of(100) {
            println!("portico copied {n} blobs so far");
        }
    };
    let (copied, skipped) = copy_blobs(source.as_ref(), target.as_ref(), &progress).await?;
    println!(
        "portico copied {copied} blobs from {} to {} ({skipped} were already there)",
        source.describe(),
        target.describe()
    );
    Ok(())
}
