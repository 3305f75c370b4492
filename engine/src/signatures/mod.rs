//! Signatures of PDF documents that staff ask clients for (a client request of kind
//! `signature`). The client confirms with their password and their typed name; Portico then
//! appends a certificate page and a PAdES signature made with the organisation's key as an
//! incremental update ([`pdf`], [`cms`]), and stores the result as the document's newest
//! version. Every signature and refusal is recorded ([`store`]) with who, when, from where and
//! the hashes before and after, and the record outlives the document.
//!
//! Several signers sign in the order staff chose: each one's signature is added to the file
//! the one before produced, so every earlier signature stays valid.

pub mod cms;
pub mod pdf;
pub(crate) mod store;

pub use store::SignatureRecord;

/// The largest PDF that can be signed: the whole file is read into memory to be signed.
pub const MAX_SIGN_BYTES: i64 = 20 * 1024 * 1024;

/// The largest file a verification reads: a signed PDF of the largest size, with its pages.
pub const MAX_VERIFY_BYTES: u64 = 21 * 1024 * 1024;

/// Hex of a SHA-256 digest.
pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
