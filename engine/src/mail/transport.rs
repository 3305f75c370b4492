//! Delivering a rendered message: over SMTP with lettre, or as an `.eml` file when no SMTP
//! server is configured (a fresh installation still shows what it would have sent).

use lettre::message::{Mailbox, MultiPart, header::MessageId};
use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncFileTransport, AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use std::path::Path;

pub enum Transport {
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
    Files(AsyncFileTransport<Tokio1Executor>),
}

/// Why a delivery failed, and whether trying again later may help.
#[derive(Debug)]
pub struct DeliveryError {
    pub message: String,
    pub permanent: bool,
}

impl Transport {
    /// SMTP at `smtp_url`, else `.eml` files under `<data_dir>/mail`.
    pub fn new(smtp_url: Option<&str>, data_dir: &Path) -> Result<Transport, String> {
        match smtp_url {
            Some(url) => smtp(url).map(Transport::Smtp),
            None => {
                let dir = data_dir.join("mail");
                std::fs::create_dir_all(&dir)
                    .map_err(|e| format!("creating {}: {e}", dir.display()))?;
                Ok(Transport::Files(AsyncFileTransport::new(dir)))
            }
        }
    }

    pub async fn send(&self, message: Message) -> Result<(), DeliveryError> {
        match self {
            Transport::Smtp(t) => t
                .send(message)
                .await
                .map(|_| ())
                .map_err(|e| DeliveryError {
                    permanent: e.is_permanent(),
                    message: e.to_string(),
                }),
            Transport::Files(t) => t
                .send(message)
                .await
                .map(|_| ())
                .map_err(|e| DeliveryError {
                    permanent: false,
                    message: e.to_string(),
                }),
        }
    }
}

/// `smtp://[user:password@]host[:port]`: plain SMTP, as to a relay on the same host or network.
/// (TLS to a remote provider is not built in yet: run a local relay.)
fn smtp(url: &str) -> Result<AsyncSmtpTransport<Tokio1Executor>, String> {
    let bad = |why: &str| format!("PORTICO_SMTP_URL `{url}`: {why}");
    let rest = url
        .strip_prefix("smtp://")
        .ok_or_else(|| bad("expected smtp://host:port"))?
        .trim_end_matches('/');
    let (credentials, host_port) = match rest.rsplit_once('@') {
        Some((user_pass, host_port)) => {
            let (user, pass) = user_pass.split_once(':').unwrap_or((user_pass, ""));
            (
                Some(Credentials::new(user.to_owned(), pass.to_owned())),
                host_port,
            )
        }
        None => (None, rest),
    };
    let (host, port) = match host_port.rsplit_once(':') {
        Some((h, p)) => (h, p.parse::<u16>().map_err(|_| bad("bad port"))?),
        None => (host_port, 25),
    };
    if host.is_empty() {
        return Err(bad("no host"));
    }
    let mut builder = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(host).port(port);
    if let Some(c) = credentials {
        builder = builder.credentials(c);
    }
    Ok(builder.build())
}

/// Builds the MIME message: text and HTML alternatives, and a Message-ID derived from the
/// outbox row, so that a receiver can recognise the same message should it ever arrive twice.
/// An email's envelope: who it is from and to, its outbox id (its `Message-ID`), and where
/// an answer goes when that is not the sender (`Reply-To`).
pub struct Envelope<'a> {
    pub from: &'a Mailbox,
    pub to: Mailbox,
    pub outbox_id: i64,
    pub domain: &'a str,
    pub reply_to: Option<Mailbox>,
}

pub fn message(
    envelope: Envelope<'_>,
    subject: &str,
    text: String,
    html: String,
) -> Result<Message, String> {
    let Envelope {
        from,
        to,
        outbox_id,
        domain,
        reply_to,
    } = envelope;
    let mut builder = Message::builder()
        .from(from.clone())
        .to(to)
        .subject(subject)
        .header(MessageId::from(format!("<outbox-{outbox_id}@{domain}>")));
    if let Some(reply_to) = reply_to {
        builder = builder.reply_to(reply_to);
    }
    builder
        .multipart(MultiPart::alternative_plain_html(text, html))
        .map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn smtp_urls_are_checked() {
        assert!(smtp("smtp://127.0.0.1:2525").is_ok());
        assert!(smtp("smtp://user:secret@relay.internal").is_ok());
        for bad in [
            "smtps://mail.example.com",
            "smtp://host:port",
            "smtp://",
            "mail.example.com",
        ] {
            let e = smtp(bad).err().unwrap_or_default();
            assert!(e.contains("PORTICO_SMTP_URL"), "{bad}: {e}");
        }
    }
}
