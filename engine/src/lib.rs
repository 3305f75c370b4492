//! The Portico domain: metadata, records, identity, authorization and the audit log.
//!
//! Everything a portal or an integrator can do is an [`Engine`] method that takes the acting
//! [`Principal`]; the web and GraphQL layers only translate. This crate knows nothing of HTTP or
//! GraphQL, so the same rules hold whichever edge a request arrives through.

pub mod audit;
pub mod db;
pub mod demo;
pub mod documents;
mod engine;
pub mod error;
pub mod identity;
pub mod mail;
pub mod metadata;
pub mod notifications;
pub mod policy;
pub mod portal;
pub mod records;
mod state;
mod version_check;

pub use engine::{Engine, EngineConfig};
pub use error::{EngineError, Result};
pub use identity::Principal;
