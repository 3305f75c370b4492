//! What every store does to the bytes coming in, whatever it writes them to: counts them
//! against the limit, hashes them for the name, keeps the first ones for the content sniff.

use super::Blob;
use crate::error::{EngineError, Result};
use sha2::{Digest, Sha256};

/// How many leading bytes the sniff looks at.
const HEAD: usize = 512;

pub(crate) struct Intake {
    hasher: Sha256,
    size: u64,
    head: Vec<u8>,
    limit: u64,
}

impl Intake {
    pub(crate) fn new(limit: u64) -> Intake {
        Intake {
            hasher: Sha256::new(),
            size: 0,
            head: Vec::with_capacity(HEAD),
            limit,
        }
    }

    /// Takes the next bytes in; more than the limit in all is a validation error on `file`.
    pub(crate) fn take(&mut self, bytes: &[u8]) -> Result<()> {
        self.size += bytes.len() as u64;
        if self.size > self.limit {
            return Err(EngineError::validation(
                "file",
                format!("is larger than the limit of {} bytes", self.limit),
            ));
        }
        if self.head.len() < HEAD {
            let take = (HEAD - self.head.len()).min(bytes.len());
            self.head.extend_from_slice(&bytes[..take]);
        }
        self.hasher.update(bytes);
        Ok(())
    }

    pub(crate) fn head(&self) -> &[u8] {
        &self.head
    }

    pub(crate) fn finish(self) -> Blob {
        Blob {
            hash: crate::identity::hex(&self.hasher.finalize()),
            size: self.size,
            head: self.head,
        }
    }
}
