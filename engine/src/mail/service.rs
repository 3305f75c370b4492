//! The engine's mail operations.

use super::TemplateOverride;
use super::outbox::{self, NewMail, OutboxEntry};
use crate::Engine;
use crate::error::Result;
use crate::identity::Principal;

impl Engine {
    /// Queues a message on its own. Flows that email as part of a change write the outbox row
    /// in their own transaction instead; this is for admins' tools (and tests of delivery).
    pub(crate) async fn queue_mail(&self, p: &Principal, mail: NewMail) -> Result<i64> {
        self.authorize(
            p,
            crate::identity::Object::EmailTemplate,
            crate::identity::Action::Manage,
        )?;
        let txn = self.begin_write().await?;
        let id = outbox::enqueue(&txn, &mail).await?;
        txn.commit().await?;
        Ok(id)
    }

    /// Every outbox message, oldest first. Admins only.
    pub(crate) async fn outbox(&self, p: &Principal) -> Result<Vec<OutboxEntry>> {
        self.authorize(
            p,
            crate::identity::Object::FieldDefinition,
            crate::identity::Action::Manage,
        )?;
        outbox::all(&self.reader()).await
    }

    pub(crate) async fn email_template_override(
        &self,
        kind: super::EmailKind,
        language: &str,
    ) -> Result<Option<TemplateOverride>> {
        outbox::template_override(&self.reader(), kind, language).await
    }
}
