//! Mail out over TLS (issue 22), against a real TLS SMTP server on loopback whose certificate a
//! test CA made with `openssl`: TLS from the first byte (`smtps://`) and STARTTLS (`smtp://`,
//! required), the CA given as `PORTICO_SMTP_CA_FILE`. A server whose certificate the CA did not
//! make, the same server without the CA, and a plain server that offers no STARTTLS get nothing:
//! the mail stays in the outbox with the reason, and nothing is ever sent in clear.

use crate::helpers::{TempDir, TestDb};
use crate::portal::portal_app_with;
use crate::smtp::{SmtpServer, TlsMode};
use portico_engine::Engine;
use portico_engine::mail::{EmailKind, MailWorker, NewMail, Transport};
use serde_json::json;
use std::path::{Path, PathBuf};
use std::time::Duration;

fn openssl(dir: &Path, args: &[&str]) {
    let out = std::process::Command::new("openssl")
        .args(args)
        .current_dir(dir)
        .output()
        .expect("openssl is needed to make the test certificates: apt-get install openssl");
    assert!(
        out.status.success(),
        "openssl {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

struct Certificates {
    ca: PathBuf,
    cert: PathBuf,
    key: PathBuf,
    /// A certificate for the same address that the CA did not make.
    wrong_cert: PathBuf,
    wrong_key: PathBuf,
}

/// A CA, a server certificate it signs for 127.0.0.1, and a self-signed one for the same.
fn certificates(dir: &Path) -> Certificates {
    let ec = [
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:P-256",
        "-nodes",
    ];
    let ca = [
        &["req", "-x509"][..],
        &ec,
        &[
            "-keyout",
            "ca.key",
            "-out",
            "ca.pem",
            "-days",
            "2",
            "-subj",
            "/CN=Portico test CA",
        ],
    ]
    .concat();
    openssl(dir, &ca);
    let csr = [
        &["req"][..],
        &ec,
        &[
            "-keyout",
            "server.key",
            "-out",
            "server.csr",
            "-subj",
            "/CN=127.0.0.1",
        ],
    ]
    .concat();
    openssl(dir, &csr);
    std::fs::write(dir.join("san.cnf"), "subjectAltName=IP:127.0.0.1\n").unwrap();
    openssl(
        dir,
        &[
            "x509",
            "-req",
            "-in",
            "server.csr",
            "-CA",
            "ca.pem",
            "-CAkey",
            "ca.key",
            "-CAcreateserial",
            "-out",
            "server.pem",
            "-days",
            "2",
            "-extfile",
            "san.cnf",
        ],
    );
    let wrong = [
        &["req", "-x509"][..],
        &ec,
        &[
            "-keyout",
            "wrong.key",
            "-out",
            "wrong.pem",
            "-days",
            "2",
            "-subj",
            "/CN=127.0.0.1",
            "-addext",
            "subjectAltName=IP:127.0.0.1",
        ],
    ]
    .concat();
    openssl(dir, &wrong);
    Certificates {
        ca: dir.join("ca.pem"),
        cert: dir.join("server.pem"),
        key: dir.join("server.key"),
        wrong_cert: dir.join("wrong.pem"),
        wrong_key: dir.join("wrong.key"),
    }
}

fn mail(to: &str) -> NewMail {
    NewMail {
        to_address: to.to_owned(),
        to_name: None,
        kind: EmailKind::PasswordReset,
        language: "en".into(),
        context: json!({"contact_name": "Ana", "email": to, "link": "http://127.0.0.1/portal/reset/x", "expires_at": "2026-12-31T10:00:00Z"}),
        time_zone: None,
    }
}

#[tokio::test]
async fn mail_goes_out_over_tls_or_waits_and_never_in_clear() {
    let dir = TempDir::new();
    let certs = certificates(&dir.0);
    let ca = std::fs::read(&certs.ca).unwrap();
    let db = TestDb::new().await;
    let (engine, maintenance) = Engine::open(crate::helpers::engine_config(&db, None))
        .await
        .unwrap();
    let admin = crate::helpers::admin_handle(&engine, &maintenance).await;
    let worker = |url: String, ca: Option<&[u8]>| {
        MailWorker::new(
            engine.clone(),
            Transport::new(Some(&url), ca, &db.dir.0).unwrap(),
            "Portico <portico@example.com>".parse().unwrap(),
        )
        // A failed message is not tried again within the test.
        .with_retry_base(Duration::from_secs(3600))
    };
    let status_of = |to: &'static str| {
        let admin = admin.clone();
        async move {
            let outbox = admin.outbox().await.unwrap();
            let m = outbox.iter().find(|m| m.to_address == to).unwrap().clone();
            (m.status, m.last_error.unwrap_or_default())
        }
    };
    let implicit = SmtpServer::start_tls(TlsMode::Implicit, &certs.cert, &certs.key).await;
    let starttls = SmtpServer::start_tls(TlsMode::StartTls, &certs.cert, &certs.key).await;
    let wrong = SmtpServer::start_tls(TlsMode::Implicit, &certs.wrong_cert, &certs.wrong_key).await;
    let plain = SmtpServer::start().await;

    // The right server, without the CA that made its certificate: not trusted, kept.
    admin.queue_mail(mail("a@example.com")).await.unwrap();
    let sent = worker(format!("smtps://{}", implicit.addr), None)
        .run_once()
        .await
        .unwrap();
    assert_eq!(sent, 0);
    let (status, why) = status_of("a@example.com").await;
    assert_eq!(status, "pending");
    assert!(why.to_lowercase().contains("certificate"), "{why}");
    assert!(implicit.messages().is_empty());

    // A certificate the CA did not make.
    admin.queue_mail(mail("b@example.com")).await.unwrap();
    let sent = worker(format!("smtps://{}", wrong.addr), Some(&ca))
        .run_once()
        .await
        .unwrap();
    assert_eq!(sent, 0);
    let (status, why) = status_of("b@example.com").await;
    assert_eq!(status, "pending");
    assert!(why.to_lowercase().contains("certificate"), "{why}");
    assert!(wrong.messages().is_empty());

    // STARTTLS required, and the server offers none: nothing goes in clear.
    admin.queue_mail(mail("c@example.com")).await.unwrap();
    let sent = worker(format!("smtp://{}", plain.addr), Some(&ca))
        .run_once()
        .await
        .unwrap();
    assert_eq!(sent, 0);
    let (status, why) = status_of("c@example.com").await;
    assert_eq!(status, "pending");
    assert!(!why.is_empty());
    assert!(
        plain.messages().is_empty(),
        "sent in clear: {:?}",
        plain.messages()
    );

    // With the CA: TLS from the first byte, and STARTTLS.
    admin.queue_mail(mail("d@example.com")).await.unwrap();
    let sent = worker(format!("smtps://{}", implicit.addr), Some(&ca))
        .run_once()
        .await
        .unwrap();
    assert_eq!(sent, 1);
    assert_eq!(implicit.messages().len(), 1);
    assert!(
        implicit.messages()[0]
            .to
            .iter()
            .any(|t| t.contains("d@example.com"))
    );
    admin.queue_mail(mail("e@example.com")).await.unwrap();
    let sent = worker(format!("smtp://{}", starttls.addr), Some(&ca))
        .run_once()
        .await
        .unwrap();
    assert_eq!(sent, 1);
    assert!(
        starttls.messages()[0]
            .to
            .iter()
            .any(|t| t.contains("e@example.com"))
    );
    assert_eq!(status_of("e@example.com").await.0, "sent");
}

#[tokio::test]
async fn the_server_sends_over_tls_with_the_ca_file_it_is_given() {
    let dir = TempDir::new();
    let certs = certificates(&dir.0);
    let tls = SmtpServer::start_tls(TlsMode::StartTls, &certs.cert, &certs.key).await;
    let url = format!("smtp://{}", tls.addr);
    let ca = certs.ca.display().to_string();
    let t = portal_app_with(&[
        ("PORTICO_SMTP_URL", url.as_str()),
        ("PORTICO_SMTP_CA_FILE", ca.as_str()),
    ])
    .await;
    t.create_contact(json!({"name": "Ana", "email": "ana@example.com", "portalUser": true}))
        .await;
    for _ in 0..100 {
        if !tls.messages().is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let got = tls.messages();
    assert_eq!(got.len(), 1, "the invitation over STARTTLS");
    assert!(
        got[0].data.contains("portal/invitation/"),
        "{}",
        got[0].data
    );
}
