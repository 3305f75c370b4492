//! The mail outbox and worker against a real SMTP server on loopback: delivery in both
//! languages, two workers (as two processes) sending each message once, and the SMTP server
//! going away and coming back without a message lost or sent twice.

use crate::helpers::TestDb;
use crate::smtp::SmtpServer;
use portico_engine::Engine;
use portico_engine::mail::{EmailKind, MailWorker, NewMail, Transport};
use serde_json::json;
use std::collections::HashSet;
use std::time::Duration;

fn invitation(i: usize) -> NewMail {
    NewMail {
        to_address: format!("client{i}@example.com"),
        to_name: Some(format!("Client {i}")),
        kind: EmailKind::Invitation,
        language: if i.is_multiple_of(2) { "es" } else { "en" }.into(),
        context: json!({
            "contact_name": format!("Client {i}"),
            "email": format!("client{i}@example.com"),
            "link": format!("http://127.0.0.1/portal/invitation/token{i}"),
            "expires_at": "2026-11-30 10:00 UTC",
        }),
        time_zone: None,
    }
}

fn message_ids(smtp: &SmtpServer) -> Vec<String> {
    smtp.messages()
        .iter()
        .filter_map(|m| {
            m.data
                .lines()
                .find_map(|l| l.strip_prefix("Message-ID: ").map(str::to_owned))
        })
        .collect()
}

#[tokio::test]
async fn queued_mail_is_delivered_once_even_when_the_smtp_server_goes_away() {
    let db = TestDb::new().await;
    let mut smtp = SmtpServer::start().await;
    let (engine, maintenance) = Engine::open(crate::helpers::engine_config(&db, None))
        .await
        .unwrap();
    let worker = || {
        MailWorker::new(
            engine.clone(),
            Transport::new(Some(&smtp.url()), None, &db.dir.0).unwrap(),
            "Portico <portico@example.com>".parse().unwrap(),
        )
        // Long enough that a round cannot meet its own failures again (which would count a
        // second attempt), short enough to wait out after the restart.
        .with_retry_base(Duration::from_millis(500))
    };
    // Two workers on one database stand for two processes.
    let (a, b) = (worker(), worker());
    let admin = crate::helpers::admin_handle(&engine, &maintenance).await;
    for i in 0..6 {
        admin.queue_mail(invitation(i)).await.unwrap();
    }
    let (x, y) = tokio::join!(a.run_once(), b.run_once());
    assert_eq!(x.unwrap() + y.unwrap(), 6);
    let got = smtp.messages();
    assert_eq!(got.len(), 6);
    let first = got
        .iter()
        .find(|m| m.to == ["<client0@example.com>"])
        .expect("client 0's invitation");
    assert!(first.from.contains("portico@example.com"), "{first:?}");
    assert!(
        first
            .data
            .contains("Subject: Su acceso al portal de clientes"),
        "{}",
        first.data
    );
    assert!(first.data.contains("text/plain") && first.data.contains("text/html"));
    assert!(
        first
            .data
            .contains("http://127.0.0.1/portal/invitation/token0")
    );
    let second = got
        .iter()
        .find(|m| m.to == ["<client1@example.com>"])
        .expect("client 1's invitation");
    assert!(
        second
            .data
            .contains("Subject: Your access to the client portal"),
        "{}",
        second.data
    );

    // The SMTP server goes away: nothing is delivered, nothing is lost.
    smtp.stop().await;
    for i in 6..9 {
        admin.queue_mail(invitation(i)).await.unwrap();
    }
    assert_eq!(a.run_once().await.unwrap(), 0);
    let outbox = admin.outbox().await.unwrap();
    let waiting: Vec<_> = outbox.iter().filter(|m| m.status == "pending").collect();
    assert_eq!(waiting.len(), 3, "{outbox:?}");
    assert!(
        waiting
            .iter()
            .all(|m| m.attempts == 1 && m.last_error.is_some())
    );

    // Back again: after the backoff the rest goes out, each message exactly once.
    smtp.restart().await;
    tokio::time::sleep(Duration::from_millis(600)).await;
    let (x, y) = tokio::join!(a.run_once(), b.run_once());
    assert_eq!(x.unwrap() + y.unwrap(), 3);
    let ids = message_ids(&smtp);
    assert_eq!(ids.len(), 9, "{ids:?}");
    assert_eq!(ids.iter().collect::<HashSet<_>>().len(), 9, "{ids:?}");
    let outbox = admin.outbox().await.unwrap();
    assert!(outbox.iter().all(|m| m.status == "sent"), "{outbox:?}");
}

#[tokio::test]
async fn without_smtp_mail_is_written_as_eml_files() {
    let db = TestDb::new().await;
    let (engine, maintenance) = Engine::open(crate::helpers::engine_config(&db, None))
        .await
        .unwrap();
    let worker = MailWorker::new(
        engine.clone(),
        Transport::new(None, None, &db.dir.0).unwrap(),
        "Portico <portico@example.com>".parse().unwrap(),
    );
    crate::helpers::admin_handle(&engine, &maintenance)
        .await
        .queue_mail(invitation(1))
        .await
        .unwrap();
    assert_eq!(worker.run_once().await.unwrap(), 1);
    let files: Vec<_> = std::fs::read_dir(db.dir.0.join("mail"))
        .unwrap()
        .filter_map(|e| e.ok())
        .collect();
    assert_eq!(files.len(), 1);
    let eml = std::fs::read_to_string(files[0].path()).unwrap();
    assert!(
        eml.contains("Subject: Your access to the client portal"),
        "{eml}"
    );
    assert!(
        eml.contains("To: \"Client 1\" <client1@example.com>"),
        "{eml}"
    );
}

#[tokio::test]
async fn only_admins_queue_mail_directly() {
    let db = TestDb::new().await;
    let (engine, maintenance) = Engine::open(crate::helpers::engine_config(&db, None))
        .await
        .unwrap();
    let admin = crate::helpers::admin_handle(&engine, &maintenance).await;
    admin
        .create_staff_user(portico_engine::identity::NewStaffUser {
            name: "Plain".into(),
            email: "plain@example.com".into(),
            password: Some("a long password".into()),
            groups: vec![],
        })
        .await
        .unwrap();
    let session = engine
        .login("plain@example.com", "a long password", None)
        .await
        .unwrap();
    let plain = engine.authenticate(&session.token).await.unwrap().unwrap();
    let e = plain.queue_mail(invitation(1)).await.unwrap_err();
    assert!(
        matches!(e, portico_engine::EngineError::Forbidden(_)),
        "{e:?}"
    );
    assert!(plain.outbox().await.is_err());
    // Without credentials there is no handle at all.
    assert!(engine.authenticate("pst_guessed").await.unwrap().is_none());
}
