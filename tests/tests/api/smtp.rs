//! A real SMTP server on a loopback port, for tests to read what Portico sent and to stop and
//! start mid-run (which mailin-embedded, serving forever, cannot). It speaks the part of SMTP a
//! client sending plain mail uses: EHLO/HELO, MAIL, RCPT, DATA (dot-unstuffed), RSET, NOOP, QUIT.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

#[derive(Debug, Clone)]
pub struct Received {
    pub from: String,
    pub to: Vec<String>,
    pub data: String,
}

pub struct SmtpServer {
    pub addr: SocketAddr,
    pub received: Arc<Mutex<Vec<Received>>>,
    task: Option<JoinHandle<()>>,
    /// How long the server takes to accept a message once its data has arrived (a slow relay).
    pub answer_delay: Arc<Mutex<std::time::Duration>>,
}

impl SmtpServer {
    pub async fn start() -> SmtpServer {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind smtp");
        let addr = listener.local_addr().expect("addr");
        let received = Arc::new(Mutex::new(Vec::new()));
        let answer_delay = Arc::new(Mutex::new(std::time::Duration::ZERO));
        let task = Some(tokio::spawn(accept(
            listener,
            received.clone(),
            answer_delay.clone(),
        )));
        SmtpServer {
            addr,
            received,
            task,
            answer_delay,
        }
    }

    /// Plain SMTP (`?tls=none`), as to a relay on the same host.
    pub fn url(&self) -> String {
        format!("smtp://{}?tls=none", self.addr)
    }

    /// Stops listening and drops every open session: clients now get "connection refused".
    pub async fn stop(&mut self) {
        if let Some(t) = self.task.take() {
            t.abort();
            let _ = t.await;
        }
    }

    /// Listens again on the same port.
    pub async fn restart(&mut self) {
        let listener = TcpListener::bind(self.addr).await.expect("rebind smtp");
        self.task = Some(tokio::spawn(accept(
            listener,
            self.received.clone(),
            self.answer_delay.clone(),
        )));
    }

    pub fn messages(&self) -> Vec<Received> {
        self.received.lock().expect("lock").clone()
    }
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        if let Some(t) = self.task.take() {
            t.abort();
        }
    }
}

async fn accept(
    listener: TcpListener,
    received: Arc<Mutex<Vec<Received>>>,
    delay: Arc<Mutex<std::time::Duration>>,
) {
    let mut sessions = tokio::task::JoinSet::new();
    while let Ok((stream, _)) = listener.accept().await {
        sessions.spawn(session(stream, received.clone(), true, delay.clone()));
    }
}

/// How a TLS test server speaks TLS.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TlsMode {
    /// TLS from the first byte (`smtps://`).
    Implicit,
    /// Plain text until the client says STARTTLS, which it must before anything else.
    StartTls,
}

impl SmtpServer {
    /// A server speaking TLS with the certificate chain and key in the PEM files given.
    pub async fn start_tls(
        mode: TlsMode,
        cert: &std::path::Path,
        key: &std::path::Path,
    ) -> SmtpServer {
        use rustls::pki_types::pem::PemObject;
        use rustls::pki_types::{CertificateDer, PrivateKeyDer};
        let chain: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(cert)
            .expect("the certificate file")
            .map(|c| c.expect("a certificate"))
            .collect();
        let key = PrivateKeyDer::from_pem_file(key).expect("the key file");
        // ring, as lettre's rustls uses (aws-lc-rs, the provider rustls now prefers for its
        // post-quantum key exchange, is a large C build this test server does not need).
        #[allow(deprecated)]
        let config = rustls::ServerConfig::builder_with_provider(Arc::new(
            rustls::crypto::ring::default_provider(),
        ))
        .with_safe_default_protocol_versions()
        .expect("TLS versions")
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .expect("the server's certificate");
        let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind smtp");
        let addr = listener.local_addr().expect("addr");
        let received = Arc::new(Mutex::new(Vec::new()));
        let task = Some(tokio::spawn(accept_tls(
            listener,
            received.clone(),
            acceptor,
            mode,
        )));
        SmtpServer {
            addr,
            received,
            task,
            answer_delay: Arc::default(),
        }
    }
}

async fn accept_tls(
    listener: TcpListener,
    received: Arc<Mutex<Vec<Received>>>,
    acceptor: tokio_rustls::TlsAcceptor,
    mode: TlsMode,
) {
    let mut sessions = tokio::task::JoinSet::new();
    while let Ok((stream, _)) = listener.accept().await {
        let (received, acceptor) = (received.clone(), acceptor.clone());
        sessions.spawn(async move {
            match mode {
                TlsMode::Implicit => {
                    if let Ok(tls) = acceptor.accept(stream).await {
                        session(tls, received, true, Arc::default()).await;
                    }
                }
                TlsMode::StartTls => starttls(stream, received, acceptor).await,
            }
        });
    }
}

/// The plain-text part of a STARTTLS session: EHLO offers STARTTLS, and nothing else is taken
/// before it. Read a byte at a time, so nothing the TLS handshake needs is buffered here.
async fn starttls(
    mut stream: tokio::net::TcpStream,
    received: Arc<Mutex<Vec<Received>>>,
    acceptor: tokio_rustls::TlsAcceptor,
) {
    use tokio::io::AsyncReadExt;
    if stream.write_all(b"220 test SMTP ready\r\n").await.is_err() {
        return;
    }
    loop {
        let mut line = Vec::new();
        loop {
            let mut byte = [0u8; 1];
            match stream.read(&mut byte).await {
                Ok(1) => {
                    line.push(byte[0]);
                    if byte[0] == b'\n' {
                        break;
                    }
                }
                _ => return,
            }
        }
        let upper = String::from_utf8_lossy(&line).to_ascii_uppercase();
        let reply: &[u8] = if upper.starts_with("EHLO") {
            b"250-test\r\n250 STARTTLS\r\n"
        } else if upper.starts_with("STARTTLS") {
            if stream.write_all(b"220 ready for TLS\r\n").await.is_err() {
                return;
            }
            if let Ok(tls) = acceptor.accept(stream).await {
                session(tls, received, false, Arc::default()).await;
            }
            return;
        } else if upper.starts_with("QUIT") {
            let _ = stream.write_all(b"221 bye\r\n").await;
            return;
        } else {
            b"530 5.7.0 must issue a STARTTLS command first\r\n"
        };
        if stream.write_all(reply).await.is_err() {
            return;
        }
    }
}

async fn session<S>(
    stream: S,
    received: Arc<Mutex<Vec<Received>>>,
    greet: bool,
    delay: Arc<Mutex<std::time::Duration>>,
) where
    S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin,
{
    let (read, mut write) = tokio::io::split(stream);
    let mut lines = BufReader::new(read).lines();
    let mut from = String::new();
    let mut to = Vec::new();
    if greet && write.write_all(b"220 test SMTP ready\r\n").await.is_err() {
        return;
    }
    while let Ok(Some(line)) = lines.next_line().await {
        let upper = line.to_ascii_uppercase();
        let reply: &[u8] = if upper.starts_with("EHLO") {
            b"250-test\r\n250 8BITMIME\r\n"
        } else if upper.starts_with("HELO") || upper.starts_with("NOOP") {
            b"250 ok\r\n"
        } else if upper.starts_with("MAIL FROM:") {
            from = line[10..].trim().to_owned();
            to.clear();
            b"250 ok\r\n"
        } else if upper.starts_with("RCPT TO:") {
            to.push(line[8..].trim().to_owned());
            b"250 ok\r\n"
        } else if upper.starts_with("RSET") {
            from.clear();
            to.clear();
            b"250 ok\r\n"
        } else if upper.starts_with("DATA") {
            if write.write_all(b"354 end with .\r\n").await.is_err() {
                return;
            }
            let mut data = String::new();
            loop {
                match lines.next_line().await {
                    Ok(Some(l)) if l == "." => break,
                    Ok(Some(l)) => {
                        data.push_str(l.strip_prefix('.').unwrap_or(&l));
                        data.push('\n');
                    }
                    _ => return,
                }
            }
            received.lock().expect("lock").push(Received {
                from: from.clone(),
                to: to.clone(),
                data,
            });
            // Received, not yet acknowledged: the sender waits for the 250.
            let wait = *delay.lock().expect("lock");
            tokio::time::sleep(wait).await;
            b"250 queued\r\n"
        } else if upper.starts_with("QUIT") {
            let _ = write.write_all(b"221 bye\r\n").await;
            return;
        } else {
            b"502 not implemented\r\n"
        };
        if write.write_all(reply).await.is_err() {
            return;
        }
    }
}

impl Received {
    /// The decoded `text/plain` part of the message, as the recipient reads it.
    pub fn text(&self) -> String {
        self.part("text/plain")
    }

    pub fn html(&self) -> String {
        self.part("text/html")
    }

    /// A decoded part (quoted-printable, base64, 7bit or 8bit) by content type.
    fn part(&self, content_type: &str) -> String {
        let wanted = format!("content-type: {content_type}");
        let data = self.data.replace("\r\n", "\n");
        // The parts are between boundary lines (a body line may start with "--" too).
        let boundary = data
            .split("boundary=")
            .nth(1)
            .map(|b| b.trim_start_matches('"'))
            .and_then(|b| b.split(['"', '\n', ';']).next())
            .map(|b| format!("\n--{b}"))
            .unwrap_or_else(|| "\n--".to_owned());
        for part in data.split(boundary.as_str()) {
            let Some((headers, body)) = part.split_once("\n\n") else {
                continue;
            };
            let headers = headers.to_ascii_lowercase();
            if !headers.contains(&wanted) {
                continue;
            }
            // The part ends at the next boundary line, which `split` already removed.
            let body = body.trim_end_matches('\n');
            return if headers.contains("content-transfer-encoding: quoted-printable") {
                decode_quoted_printable(body)
            } else if headers.contains("content-transfer-encoding: base64") {
                decode_base64(body)
            } else {
                body.to_owned()
            };
        }
        panic!("no {content_type} part in {}", self.data)
    }

    /// The first link in the text that starts with `prefix`.
    pub fn link(&self, prefix: &str) -> String {
        let text = self.text();
        let start = text
            .find(prefix)
            .unwrap_or_else(|| panic!("no link {prefix} in {text}"));
        text[start..]
            .split(|c: char| c.is_whitespace())
            .next()
            .unwrap_or_default()
            .to_owned()
    }
}

fn decode_quoted_printable(s: &str) -> String {
    let joined = s.replace("=\n", "");
    let bytes = joined.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'=' && i + 2 < bytes.len() {
            let hex = std::str::from_utf8(&bytes[i + 1..(i + 3).min(bytes.len())]).unwrap_or("");
            if let Ok(b) = u8::from_str_radix(hex, 16) {
                out.push(b);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn decode_base64(s: &str) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = Vec::new();
    let (mut acc, mut bits) = (0u32, 0);
    for c in s.bytes() {
        let Some(v) = ALPHABET.iter().position(|a| *a == c) else {
            continue;
        };
        acc = (acc << 6) | v as u32;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}
