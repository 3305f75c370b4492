//! Delivering a rendered message: over SMTP with lettre, or as an `.eml` file when no SMTP
//! server is configured (a fresh installation still shows what it would have sent).

use lettre::message::{Mailbox, MultiPart, header::MessageId};
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Certificate, Tls, TlsParameters};
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
    /// SMTP at `smtp_url` (trusting `ca_pem` besides the usual roots, for a relay with a
    /// private CA), else `.eml` files under `<data_dir>/mail`.
    pub fn new(
        smtp_url: Option<&str>,
        ca_pem: Option<&[u8]>,
        data_dir: &Path,
    ) -> Result<Transport, String> {
        match smtp_url {
            Some(url) => smtp(url, ca_pem).map(Transport::Smtp),
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
            // A refused TLS handshake or certificate is not permanent in lettre's sense (no
            // 5xx answer): the message stays in the outbox with the reason and is retried,
            // never sent in clear instead.
            Transport::Smtp(t) => t
                .send(message)
                .await
                .map(|_| ())
                .map_err(|e| DeliveryError {
                    permanent: e.is_permanent(),
                    message: describe(&e),
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

/// An SMTP error with its causes (lettre's own message for a TLS failure is only
/// "Connection error"; the certificate's problem is in its source).
fn describe(e: &lettre::transport::smtp::Error) -> String {
    let mut text = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

/// How the connection to the SMTP server is protected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Security {
    /// `smtps://`: TLS from the first byte (port 465 by default).
    Implicit,
    /// `smtp://`: STARTTLS, required: a server that does not offer it is not written to.
    StartTls,
    /// `smtp://...?tls=none`: plain text, for a relay on the same host.
    None,
}

/// `smtps://[user:password@]host[:port]`, or `smtp://[user:password@]host[:port]` with
/// STARTTLS required unless `?tls=none` is given. Certificates are verified against the
/// Mozilla roots and `ca_pem`.
fn smtp(url: &str, ca_pem: Option<&[u8]>) -> Result<AsyncSmtpTransport<Tokio1Executor>, String> {
    let bad = |why: &str| format!("PORTICO_SMTP_URL `{url}`: {why}");
    let (security, rest) = if let Some(rest) = url.strip_prefix("smtps://") {
        (Security::Implicit, rest)
    } else if let Some(rest) = url.strip_prefix("smtp://") {
        (Security::StartTls, rest)
    } else {
        return Err(bad("expected smtps://host[:port] or smtp://host[:port]"));
    };
    let (rest, query) = rest.split_once('?').unwrap_or((rest, ""));
    let security = match (security, query) {
        (s, "") => s,
        (Security::StartTls, "tls=none") => Security::None,
        (Security::Implicit, "tls=none") => {
            return Err(bad(
                "smtps:// is TLS; use smtp://...?tls=none for plain text",
            ));
        }
        _ => return Err(bad("the only option is ?tls=none")),
    };
    let rest = rest.trim_end_matches('/');
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
    let default_port = match security {
        Security::Implicit => 465,
        _ => 25,
    };
    let (host, port) = match host_port.rsplit_once(':') {
        Some((h, p)) => (h, p.parse::<u16>().map_err(|_| bad("bad port"))?),
        None => (host_port, default_port),
    };
    if host.is_empty() {
        return Err(bad("no host"));
    }
    let tls = || -> Result<TlsParameters, String> {
        let mut params = TlsParameters::builder(host.to_owned());
        if let Some(pem) = ca_pem {
            let ca = Certificate::from_pem(pem)
                .map_err(|e| format!("PORTICO_SMTP_CA_FILE is not a PEM certificate: {e}"))?;
            params = params.add_root_certificate(ca);
        }
        params.build_rustls().map_err(|e| bad(&format!("TLS: {e}")))
    };
    let tls = match security {
        Security::Implicit => Tls::Wrapper(tls()?),
        Security::StartTls => Tls::Required(tls()?),
        Security::None => Tls::None,
    };
    let mut builder = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(host)
        .port(port)
        .tls(tls);
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
        assert!(smtp("smtp://127.0.0.1:2525", None).is_ok());
        assert!(smtp("smtp://127.0.0.1:2525?tls=none", None).is_ok());
        assert!(smtp("smtps://mail.example.com", None).is_ok());
        assert!(smtp("smtp://user:secret@relay.internal", None).is_ok());
        for bad in [
            "smtps://mail.example.com?tls=none",
            "smtp://host:2525?tls=maybe",
            "smtp://host:port",
            "smtp://",
            "mail.example.com",
        ] {
            let e = smtp(bad, None).err().unwrap_or_default();
            assert!(e.contains("PORTICO_SMTP_URL"), "{bad}: {e}");
        }
    }
}
