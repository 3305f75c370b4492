//! Outgoing mail: a transactional outbox and the worker that delivers it.
//!
//! A change that must email someone writes an outbox row in its own transaction
//! ([`outbox::enqueue`]), so the email exists exactly when the change does. A [`MailWorker`]
//! per process claims due rows with a lease (one process sends each message), renders them with
//! the theme's templates (through [`MailRenderer`], so the engine does not depend on the theme),
//! and delivers them over SMTP or as `.eml` files. Failures are retried with backoff; a message
//! that keeps failing is given up after [`worker::MAX_ATTEMPTS`] and stays in the table with
//! its last error.

mod kind;
pub mod outbox;
mod service;
mod templates;
pub mod transport;
pub mod worker;

pub use kind::{BRAND_VARIABLES, EmailKind};
pub use lettre::message::Mailbox;
pub use outbox::{NewMail, OutboxEntry};
pub use templates::EmailTemplate;
pub use transport::Transport;
pub use worker::{MailRenderer, MailWorker, RenderedMail, TemplateOverride};
