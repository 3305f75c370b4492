//! The Portico domain: metadata, records, identity, authorization and the audit log.
//!
//! Nothing outside this crate holds the engine's operations. A request is authenticated into a
//! capability, a [`StaffHandle`] or a [`PortalHandle`], and can do only what that handle
//! offers, as the principal it was made for (see [`access`]). This crate knows nothing of HTTP
//! or GraphQL, so the same rules hold whichever edge a request arrives through.

pub mod access;
pub mod audit;
pub mod backup;
mod batch;
pub mod branding;
pub mod client_news;
pub mod conversation;
pub(crate) mod db;
mod demo;
pub mod documents;
mod engine;
pub mod error;
pub mod identity;
pub mod mail;
pub mod metadata;
pub mod notifications;
pub mod observe;
pub(crate) mod policy;
pub mod portal;
pub mod records;
pub mod requests;
mod secrets;
pub mod signatures;
mod state;
mod version_check;
mod vocabulary;

pub use access::{PortalHandle, StaffHandle};
pub use db::{micros_to_rfc3339, now_micros};
pub use engine::{DEFAULT_MAIL_GATHER, Engine, EngineConfig, Maintenance};
pub use error::{EngineError, Result};
pub use secrets::same_secret;
