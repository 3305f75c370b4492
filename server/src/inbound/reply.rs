//! One emailed answer: read (MIME), told apart from auto-replies and bounces, its new text
//! separated from the quoted history and the signature, its files kept, and handed to the
//! engine.

use mail_parser::{MessageParser, MimeHeaders};
use portico_engine::Engine;
use portico_engine::conversation::EmailedFile;

pub enum Outcome {
    Posted(i64),
    /// Accepted and not posted (auto-replies, bounces): no answer goes back.
    Dropped(String),
    /// Refused, with the reason the sending server is told.
    Refused(String),
    /// Our failure; the sending server should try again.
    Failed(String),
}

/// Why a message is an automatic one (RFC 3834, and the headers mail services use), if it is.
fn automatic(envelope_sender: &str, message: &mail_parser::Message<'_>) -> Option<&'static str> {
    if envelope_sender.trim().is_empty() {
        return Some("a bounce (null sender)");
    }
    let header = |name: &str| {
        message
            .header_raw(name)
            .map(|v| v.trim().to_ascii_lowercase())
    };
    if header("Auto-Submitted").is_some_and(|v| v != "no") {
        return Some("an automatic message (Auto-Submitted)");
    }
    if header("Precedence")
        .is_some_and(|v| matches!(v.as_str(), "bulk" | "junk" | "list" | "auto_reply"))
    {
        return Some("an automatic message (Precedence)");
    }
    if header("X-Autoreply").is_some()
        || header("X-Autorespond").is_some()
        || header("X-Auto-Response-Suppress").is_some_and(|v| v.contains("all"))
    {
        return Some("an automatic message (auto-reply header)");
    }
    if message.content_type().is_some_and(|c| {
        c.ctype().eq_ignore_ascii_case("multipart")
            && c.subtype()
                .is_some_and(|s| s.eq_ignore_ascii_case("report"))
    }) {
        return Some("a delivery report");
    }
    None
}

/// The answer's own text: the quoted history (`>` lines, "On ... wrote:", an Outlook header
/// block, our "reply above this line" marker) and the signature ("-- ", "Sent from my ...")
/// cut off.
pub fn new_text(body: &str) -> String {
    let lines: Vec<&str> = body.lines().collect();
    let mut end = lines.len();
    for (i, line) in lines.iter().enumerate() {
        let t = line.trim();
        let lower = t.to_lowercase();
        let quote_header = (lower.ends_with("wrote:") || lower.ends_with("escribió:"))
            && (lower.starts_with("on ") || lower.starts_with("el ") || i > 0);
        let marker = lower.contains("reply above this line")
            || lower.contains("respuesta encima de esta línea");
        let original = lower.starts_with("-----original message")
            || lower.starts_with("-----mensaje original")
            || (t.starts_with("________________") && t.chars().all(|c| c == '_'));
        let outlook = (lower.starts_with("from:") || lower.starts_with("de:"))
            && lines[i + 1..].iter().take(4).any(|l| {
                let l = l.trim().to_lowercase();
                l.starts_with("sent:")
                    || l.starts_with("enviado:")
                    || l.starts_with("date:")
                    || l.starts_with("fecha:")
            });
        let signature = *line == "-- " || t == "--";
        if quote_header || marker || original || outlook || signature {
            // "On Mon, 1 Dec 2026 at 10:00, Bea <bea@x>" wrapped before "wrote:".
            end = if quote_header
                && !lower.starts_with("on ")
                && !lower.starts_with("el ")
                && i > 0
                && {
                    let prev = lines[i - 1].trim().to_lowercase();
                    prev.starts_with("on ") || prev.starts_with("el ")
                } {
                i - 1
            } else {
                i
            };
            break;
        }
    }
    let kept: Vec<&str> = lines[..end]
        .iter()
        .copied()
        .filter(|l| !l.trim_start().starts_with('>'))
        .collect();
    let mut text = kept.join("\n");
    // A phone's signature line at the very end.
    let trimmed = text.trim_end().to_owned();
    if let Some((head, last)) = trimmed.rsplit_once('\n') {
        let l = last.trim().to_lowercase();
        if l.starts_with("sent from my")
            || l.starts_with("enviado desde mi")
            || l.starts_with("get outlook for")
        {
            text = head.to_owned();
        }
    }
    text.trim().to_owned()
}

/// The files of a message: named attachments, not the images a signature embeds.
fn files(message: &mail_parser::Message<'_>) -> Vec<EmailedFile> {
    let mut out = Vec::new();
    for (i, part) in message.attachments().enumerate() {
        let inline_image = part.content_id().is_some()
            && part
                .content_disposition()
                .is_none_or(|d| d.ctype().eq_ignore_ascii_case("inline"));
        if inline_image {
            continue;
        }
        let content_type = part.content_type().map(|c| match c.subtype() {
            Some(sub) => format!("{}/{}", c.ctype(), sub),
            None => c.ctype().to_owned(),
        });
        let filename = part
            .attachment_name()
            .map(str::to_owned)
            .unwrap_or_else(|| format!("attachment-{}", i + 1));
        out.push(EmailedFile {
            filename,
            content_type,
            bytes: part.contents().to_vec(),
        });
    }
    out
}

pub async fn deliver(
    engine: &Engine,
    recipient: &str,
    envelope_sender: &str,
    raw: &[u8],
) -> Outcome {
    let Some(message) = MessageParser::default().parse(raw) else {
        return Outcome::Refused("the message could not be read".into());
    };
    if let Some(why) = automatic(envelope_sender, &message) {
        return Outcome::Dropped(why.into());
    }
    let Some(from) = message
        .from()
        .and_then(|a| a.first())
        .and_then(|a| a.address())
        .map(str::to_owned)
    else {
        return Outcome::Refused("the message says nobody sent it".into());
    };
    let body = message
        .body_text(0)
        .map(|b| new_text(&b))
        .unwrap_or_default();
    let files = files(&message);
    match engine
        .receive_emailed_reply(recipient, &from, &body, files)
        .await
    {
        Ok(Ok(m)) => Outcome::Posted(m.id),
        Ok(Err(why)) => Outcome::Refused(why.to_string()),
        Err(e) => Outcome::Failed(e.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::new_text;

    #[test]
    fn quoted_history_and_signatures_are_cut() {
        let gmail = "Gracias, mando el contrato.\n\nUn saludo\n\nEl lun, 7 dic 2026 a las 10:00, Bea <bea@x.es> escribió:\n> Hola\n> ¿Puede mandarlo?";
        assert_eq!(new_text(gmail), "Gracias, mando el contrato.\n\nUn saludo");
        let wrapped = "Yes, fine.\n\nOn Mon, 7 Dec 2026 at 10:00, Bea Martín <bea@example.com>\nwrote:\n> Hello";
        assert_eq!(new_text(wrapped), "Yes, fine.");
        let outlook = "Here it is.\n\nAna\n________________________________\nFrom: Bea\nSent: Monday\nTo: Ana\nSubject: x";
        assert_eq!(new_text(outlook), "Here it is.\n\nAna");
        let outlook_headers =
            "Done.\r\n\r\nFrom: Bea <b@x>\r\nSent: Monday\r\nSubject: y\r\n\r\nold";
        assert_eq!(new_text(outlook_headers), "Done.");
        let signature = "See you then.\n-- \nAna López\nLópez & Hijos";
        assert_eq!(new_text(signature), "See you then.");
        let phone = "Ok\n\nSent from my iPhone";
        assert_eq!(new_text(phone), "Ok");
        let marker = "Perfecto\n\n##- Escriba su respuesta encima de esta línea -##\nHola Ana:";
        assert_eq!(new_text(marker), "Perfecto");
        assert_eq!(new_text("> only a quote"), "");
    }
}
