//! The SMTP a relay speaks to deliver mail (RFC 5321): EHLO/HELO, MAIL, RCPT, DATA, RSET,
//! NOOP, QUIT, with SIZE (RFC 1870) so an oversized message is refused before it is sent.
//! No AUTH and no relaying: mail is taken only for our reply addresses.

use super::reply;
use crate::config::Inbound;
use portico_engine::Engine;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;

/// A command line longer than this is refused (RFC 5321 says 512 with extensions' room).
const MAX_LINE: usize = 2048;
/// Waiting this long for the client's next line ends the session.
const IDLE: Duration = Duration::from_secs(60);
/// Recipients one message may have.
const MAX_RECIPIENTS: usize = 20;

pub struct Session {
    engine: Arc<Engine>,
    config: Inbound,
    peer: SocketAddr,
    sender: Option<String>,
    recipients: Vec<String>,
}

/// What one line of the client asks.
enum Read {
    Line(String),
    TooLong,
    Closed,
}

async fn read_line(reader: &mut BufReader<tokio::net::tcp::OwnedReadHalf>) -> Read {
    let mut line = Vec::new();
    let mut limited = reader.take(MAX_LINE as u64 + 2);
    match tokio::time::timeout(IDLE, limited.read_until(b'\n', &mut line)).await {
        Ok(Ok(0)) | Err(_) | Ok(Err(_)) => Read::Closed,
        Ok(Ok(_)) if !line.ends_with(b"\n") => Read::TooLong,
        Ok(Ok(_)) => Read::Line(
            String::from_utf8_lossy(&line)
                .trim_end_matches(['\r', '\n'])
                .to_owned(),
        ),
    }
}

/// The address in `FROM:<a@b> SIZE=1` or `TO:<a@b>`, and the rest of the line.
fn path(arg: &str) -> Option<(String, &str)> {
    let (_, rest) = arg.split_once(':')?;
    let rest = rest.trim_start();
    if let Some(inner) = rest.strip_prefix('<') {
        let (address, tail) = inner.split_once('>')?;
        return Some((address.trim().to_owned(), tail));
    }
    let (address, tail) = rest.split_once(' ').unwrap_or((rest, ""));
    Some((address.trim().to_owned(), tail))
}

impl Session {
    pub fn new(engine: Arc<Engine>, config: Inbound, peer: SocketAddr) -> Session {
        Session {
            engine,
            config,
            peer,
            sender: None,
            recipients: Vec::new(),
        }
    }

    pub async fn run(mut self, stream: TcpStream) {
        let (read, mut write) = stream.into_split();
        let mut reader = BufReader::new(read);
        let greeting = format!("220 {} Portico ESMTP\r\n", self.config.reply_domain);
        if write.write_all(greeting.as_bytes()).await.is_err() {
            return;
        }
        loop {
            let line = match read_line(&mut reader).await {
                Read::Line(l) => l,
                Read::TooLong => {
                    let _ = write.write_all(b"500 5.5.2 line too long\r\n").await;
                    return;
                }
                Read::Closed => return,
            };
            let (verb, arg) = line.split_once(' ').unwrap_or((line.as_str(), ""));
            let answer = match verb.to_ascii_uppercase().as_str() {
                "EHLO" => format!(
                    "250-{} greets {}\r\n250-SIZE {}\r\n250-8BITMIME\r\n250 ENHANCEDSTATUSCODES\r\n",
                    self.config.reply_domain,
                    arg.trim(),
                    self.config.max_bytes
                ),
                "HELO" => format!("250 {}\r\n", self.config.reply_domain),
                "MAIL" => self.mail(arg),
                "RCPT" => self.rcpt(arg),
                "DATA" => {
                    if self.sender.is_none() || self.recipients.is_empty() {
                        "503 5.5.1 MAIL and RCPT first\r\n".to_owned()
                    } else {
                        if write
                            .write_all(b"354 end with <CRLF>.<CRLF>\r\n")
                            .await
                            .is_err()
                        {
                            return;
                        }
                        let answer = self.data(&mut reader).await;
                        self.sender = None;
                        self.recipients.clear();
                        match answer {
                            Data::Answer(a) => a,
                            Data::Gone => return,
                        }
                    }
                }
                "RSET" => {
                    self.sender = None;
                    self.recipients.clear();
                    "250 2.0.0 ok\r\n".to_owned()
                }
                "NOOP" => "250 2.0.0 ok\r\n".to_owned(),
                "QUIT" => {
                    let _ = write.write_all(b"221 2.0.0 bye\r\n").await;
                    return;
                }
                "VRFY" => "252 2.5.2 cannot verify\r\n".to_owned(),
                _ => "502 5.5.2 command not recognised\r\n".to_owned(),
            };
            if write.write_all(answer.as_bytes()).await.is_err() {
                return;
            }
        }
    }

    fn mail(&mut self, arg: &str) -> String {
        let Some((address, tail)) = path(arg) else {
            return "501 5.5.4 MAIL FROM:<address>\r\n".to_owned();
        };
        let declared = tail
            .split_whitespace()
            .find_map(|p| p.strip_prefix("SIZE=").or_else(|| p.strip_prefix("size=")))
            .and_then(|n| n.parse::<u64>().ok());
        if declared.is_some_and(|n| n > self.config.max_bytes) {
            tracing::info!(peer = %self.peer, size = declared, "inbound mail refused: larger than the limit");
            return "552 5.3.4 message larger than the limit\r\n".to_owned();
        }
        self.sender = Some(address);
        self.recipients.clear();
        "250 2.1.0 ok\r\n".to_owned()
    }

    fn rcpt(&mut self, arg: &str) -> String {
        if self.sender.is_none() {
            return "503 5.5.1 MAIL first\r\n".to_owned();
        }
        let Some((address, _)) = path(arg) else {
            return "501 5.5.4 RCPT TO:<address>\r\n".to_owned();
        };
        if self.recipients.len() >= MAX_RECIPIENTS {
            return "452 4.5.3 too many recipients\r\n".to_owned();
        }
        match self.engine.accepts_reply_address(&address) {
            Ok(()) => {
                self.recipients.push(address);
                "250 2.1.5 ok\r\n".to_owned()
            }
            Err(why) => {
                tracing::info!(peer = %self.peer, recipient = %address, reason = %why, "inbound mail refused");
                "550 5.1.1 no such mailbox\r\n".to_owned()
            }
        }
    }

    /// Reads the message to its final dot and posts it.
    async fn data(&mut self, reader: &mut BufReader<tokio::net::tcp::OwnedReadHalf>) -> Data {
        let mut raw: Vec<u8> = Vec::new();
        let mut too_big = false;
        // Whether the next bytes start a line (a line longer than the limit is read in
        // pieces, none of which can be the final dot).
        let mut at_line_start = true;
        loop {
            let mut line = Vec::new();
            // No piece is held longer than a whole message may be.
            let mut limited = (&mut *reader).take(self.config.max_bytes + 2);
            let read = tokio::time::timeout(IDLE, limited.read_until(b'\n', &mut line)).await;
            match read {
                Ok(Ok(0)) | Err(_) | Ok(Err(_)) => return Data::Gone,
                Ok(Ok(_)) => {}
            }
            let whole = line.ends_with(b"\n");
            let starts_line = std::mem::replace(&mut at_line_start, whole);
            if !whole || !starts_line {
                // Part of a line longer than the limit: read on to the end, keeping none.
                too_big = true;
                raw = Vec::new();
                continue;
            }
            let content = line
                .strip_suffix(b"\r\n")
                .or_else(|| line.strip_suffix(b"\n"))
                .unwrap_or(&line);
            if content == b"." {
                break;
            }
            // Dot-stuffing (RFC 5321 4.5.2): a leading dot was doubled by the client.
            let content = content.strip_prefix(b".").unwrap_or(content);
            if too_big {
                continue;
            }
            if raw.len() as u64 + content.len() as u64 + 2 > self.config.max_bytes {
                // Read to the end (so the client hears our answer), keeping none of it.
                too_big = true;
                raw = Vec::new();
                continue;
            }
            raw.extend_from_slice(content);
            raw.extend_from_slice(b"\r\n");
        }
        if too_big {
            tracing::info!(peer = %self.peer, "inbound mail refused: larger than the limit");
            return Data::Answer("552 5.3.4 message larger than the limit\r\n".to_owned());
        }
        let sender = self.sender.clone().unwrap_or_default();
        let mut answer = "250 2.0.0 ok\r\n".to_owned();
        for recipient in self.recipients.clone() {
            match reply::deliver(&self.engine, &recipient, &sender, &raw).await {
                reply::Outcome::Posted(id) => {
                    tracing::info!(peer = %self.peer, recipient = %recipient, message = id, "a reply by email was posted to its conversation");
                }
                reply::Outcome::Dropped(why) => {
                    tracing::info!(peer = %self.peer, recipient = %recipient, reason = %why, "inbound mail dropped");
                }
                reply::Outcome::Refused(why) => {
                    tracing::info!(peer = %self.peer, recipient = %recipient, reason = %why, "inbound mail refused");
                    answer = format!("550 5.7.1 {why}\r\n");
                }
                reply::Outcome::Failed(why) => {
                    tracing::warn!(peer = %self.peer, recipient = %recipient, error = %why, "posting a reply by email failed");
                    answer = "451 4.3.0 try again later\r\n".to_owned();
                }
            }
        }
        Data::Answer(answer)
    }
}

/// What reading a message's data ends in.
enum Data {
    Answer(String),
    /// The client went away.
    Gone,
}

#[cfg(test)]
mod tests {
    use super::path;

    #[test]
    fn paths_are_read_with_or_without_brackets() {
        assert_eq!(
            path("FROM:<a@b.es> SIZE=10"),
            Some(("a@b.es".into(), " SIZE=10"))
        );
        assert_eq!(path("FROM:<>"), Some((String::new(), "")));
        assert_eq!(path("TO: x@y.com"), Some(("x@y.com".into(), "")));
        assert_eq!(path("nonsense"), None);
    }
}
