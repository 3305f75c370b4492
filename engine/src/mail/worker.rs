//! The mail worker: claims due messages, renders, delivers, records the outcome.

use super::EmailKind;
use super::outbox::{self, OutboxEntry};
use super::transport::{self, Transport};
use crate::Engine;
use crate::db::now_micros;
use crate::error::Result;
use lettre::message::Mailbox;
use serde_json::Value;
use std::sync::Arc;
use std::time::Duration;

/// After this many failed attempts a message is given up (status `failed`).
pub const MAX_ATTEMPTS: i32 = 10;
/// How long a claim lasts: a worker that dies mid-send frees its message after this.
const LEASE_MICROS: i64 = 120 * 1_000_000;

/// A rendered email.
pub struct RenderedMail {
    pub subject: String,
    pub html: String,
    pub text: String,
    /// Why an admin's version could not be used, when the built-in one was sent instead.
    pub override_error: Option<String>,
}

/// An admin's version of one email in one language.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TemplateOverride {
    pub subject: String,
    pub html: String,
    pub text: String,
}

/// Renders an outbox message; the server gives the worker the theme's templates.
pub trait MailRenderer: Send + Sync + 'static {
    fn render(
        &self,
        kind: EmailKind,
        language: &str,
        context: &Value,
        custom: Option<&TemplateOverride>,
    ) -> std::result::Result<RenderedMail, String>;

    /// The built-in sources of one email, for an admin to start editing from.
    fn builtin(&self, kind: EmailKind, language: &str) -> Option<TemplateOverride>;

    /// An admin's version rendered with sample data of the context its email is sent with
    /// (what the editor previews, and the check before it is stored); on failure, which part
    /// (`subject`, `html` or `text`) and why.
    fn preview(
        &self,
        kind: EmailKind,
        language: &str,
        custom: &TemplateOverride,
    ) -> std::result::Result<RenderedMail, (String, String)>;
}

pub struct MailWorker {
    engine: Arc<Engine>,
    renderer: Arc<dyn MailRenderer>,
    transport: Transport,
    from: Mailbox,
    domain: String,
    /// Names this worker's claims: unique per process start.
    id: String,
    retry_base: Duration,
}

/// Delay before attempt `n + 1` after `n` failures: `base` doubling, at most an hour.
pub fn backoff(base: Duration, failures: i32) -> Duration {
    let exp = failures.clamp(1, 12) as u32 - 1;
    (base * (1u32 << exp)).min(Duration::from_secs(3600))
}

impl MailWorker {
    /// A worker rendering with the engine's own renderer (its configuration's).
    pub fn new(engine: Arc<Engine>, transport: Transport, from: Mailbox) -> MailWorker {
        let renderer = engine.mail_renderer.clone();
        let domain = from.email.domain().to_owned();
        let id = format!(
            "{}-{}-{}",
            std::process::id(),
            now_micros(),
            crate::identity::random_hex::<6>()
        );
        MailWorker {
            engine,
            renderer,
            transport,
            from,
            domain,
            id,
            retry_base: Duration::from_secs(10),
        }
    }

    /// The first retry's delay (10 s by default; later ones double it).
    pub fn with_retry_base(mut self, base: Duration) -> Self {
        self.retry_base = base;
        self
    }

    /// Sends every message that is due now; gives how many were delivered.
    pub async fn run_once(&self) -> Result<usize> {
        self.run_until(&tokio::sync::watch::channel(false).1).await
    }

    /// Looks for due mail every `every` until `stop` turns true; then finishes the message it
    /// claimed (if any) and returns, claiming no more (another process, or this one after its
    /// restart, sends the rest).
    pub async fn run(self, every: Duration, mut stop: tokio::sync::watch::Receiver<bool>) {
        while !*stop.borrow() {
            if let Err(e) = self.run_until(&stop).await {
                tracing::warn!(error = %e, "the mail worker failed a round; it will try again");
            }
            tokio::select! {
                () = tokio::time::sleep(every) => {}
                _ = stop.wait_for(|s| *s) => {}
            }
        }
    }

    /// Sends every message that is due, stopping between messages once `stop` is true.
    async fn run_until(&self, stop: &tokio::sync::watch::Receiver<bool>) -> Result<usize> {
        let mut delivered = 0;
        while !*stop.borrow() {
            let Some(entry) = self.claim().await? else {
                break;
            };
            if self.deliver(&entry).await? {
                delivered += 1;
            }
        }
        Ok(delivered)
    }

    async fn claim(&self) -> Result<Option<OutboxEntry>> {
        let now = now_micros();
        let txn = self.engine.begin_write().await?;
        let entry = outbox::claim(&txn, &self.id, now, now + LEASE_MICROS).await?;
        txn.commit().await?;
        Ok(entry)
    }

    /// Renders and sends one claimed message and records the outcome; `true` if delivered.
    async fn deliver(&self, entry: &OutboxEntry) -> Result<bool> {
        let outcome = match self.prepare(entry).await {
            Ok(message) => self.transport.send(message).await.map_err(|e| {
                let permanent = e.permanent;
                (e.message, permanent)
            }),
            // A template or address that cannot work now will not work later either.
            Err(e) => Err((e, true)),
        };
        let txn = self.engine.begin_write().await?;
        let delivered = match &outcome {
            Ok(()) => {
                outbox::mark_sent(&txn, entry.id, &self.id).await?;
                true
            }
            Err((error, permanent)) => {
                let failures = entry.attempts + 1;
                let retry_at = (!permanent && failures < MAX_ATTEMPTS)
                    .then(|| now_micros() + backoff(self.retry_base, failures).as_micros() as i64);
                tracing::warn!(id = entry.id, %error, failures, "sending mail failed");
                outbox::mark_failed(&txn, entry.id, &self.id, error, retry_at).await?;
                false
            }
        };
        txn.commit().await?;
        Ok(delivered)
    }

    /// The message's context with the firm's brand as it is now (not as it was when the
    /// message was queued): `brand.name`, `brand.color`, `brand.logo_url`.
    async fn with_brand(&self, context: &Value) -> Value {
        if let Err(e) = self.engine.sync().await {
            tracing::warn!(error = %e, "reading the brand for an email failed; the last one read is used");
        }
        let b = self.engine.branding();
        let mut context = context.clone();
        if let Value::Object(map) = &mut context {
            map.insert(
                "brand".into(),
                serde_json::json!({
                    "name": b.firm_name,
                    "color": b.primary_color,
                    "logo_url": self.engine.branding_logo_url(&b),
                }),
            );
        }
        context
    }

    async fn prepare(&self, entry: &OutboxEntry) -> std::result::Result<lettre::Message, String> {
        let custom = self
            .engine
            .email_template_override(entry.kind, &entry.language)
            .await
            .map_err(|e| e.to_string())?;
        // Rendering is CPU work (and an admin's template a child process): off the async
        // workers, so a slow template never stalls requests.
        let renderer = self.renderer.clone();
        let (kind, language) = (entry.kind, entry.language.clone());
        let context = self.with_brand(&entry.context).await;
        let rendered = tokio::task::spawn_blocking(move || {
            renderer.render(kind, &language, &context, custom.as_ref())
        })
        .await
        .map_err(|e| format!("rendering stopped: {e}"))??;
        if let Some(reason) = &rendered.override_error {
            tracing::warn!(kind = entry.kind.key(), language = %entry.language, %reason,
                "an admin's email template failed; the built-in one was sent");
            if let Err(e) = self
                .engine
                .tell_admins_template_failed(entry.kind, &entry.language, reason)
                .await
            {
                tracing::warn!(error = %e, "telling the admins about a failed template failed");
            }
        }
        let address = entry
            .to_address
            .parse()
            .map_err(|e| format!("recipient {}: {e}", entry.to_address))?;
        let to = Mailbox::new(entry.to_name.clone(), address);
        // A staff reply's email is answered into the case's conversation.
        let reply_to = entry
            .context
            .get("reply_to")
            .and_then(Value::as_str)
            .and_then(|a| a.parse().ok())
            .map(|a| Mailbox::new(self.from.name.clone(), a));
        let envelope = transport::Envelope {
            from: &self.from,
            to,
            outbox_id: entry.id,
            domain: &self.domain,
            reply_to,
        };
        transport::message(envelope, &rendered.subject, rendered.text, rendered.html)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_back_off_to_an_hour() {
        let base = Duration::from_secs(10);
        assert_eq!(backoff(base, 1), Duration::from_secs(10));
        assert_eq!(backoff(base, 2), Duration::from_secs(20));
        assert_eq!(backoff(base, 4), Duration::from_secs(80));
        assert_eq!(backoff(base, 9), Duration::from_secs(2560));
        assert_eq!(backoff(base, 10), Duration::from_secs(3600));
    }
}
