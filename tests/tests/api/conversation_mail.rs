//! What the conversation sends and receives by email (issue 21): a staff reply reaches the
//! client at the real SMTP server with a reply address; answering it through Portico's own
//! inbound SMTP listener posts to the conversation (quoted history and signature trimmed,
//! the attachment kept), while a forged address, a wrong sender, an auto-reply, a bounce and
//! an oversized message post nothing. The daily digest gathers a day's shares and status
//! changes into one email per contact at the set time (the clock moved, not waited for), and
//! nothing for a contact whose access ended.

use crate::helpers::{Server, TempDir};
use crate::portal::{PUBLIC, PortalApp, portal_app_with};
use serde_json::json;
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};

/// An SMTP client for one delivery, as a relay would make it: the server's answer to each
/// step, so a test sees where a message was refused.
struct Delivery {
    greeting: String,
    mail: String,
    rcpt: String,
    data: Option<String>,
}

async fn deliver(addr: &str, from: &str, to: &str, message: &str) -> Delivery {
    let stream = tokio::net::TcpStream::connect(addr)
        .await
        .expect("connect to the inbound listener");
    let (read, mut write) = stream.into_split();
    let mut lines = BufReader::new(read);
    async fn answer(lines: &mut BufReader<tokio::net::tcp::OwnedReadHalf>) -> String {
        let mut all = String::new();
        loop {
            let mut line = String::new();
            lines.read_line(&mut line).await.expect("read an answer");
            all.push_str(&line);
            // A multi-line answer goes on while the fourth character is '-'.
            if line.len() < 4 || line.as_bytes()[3] != b'-' {
                return all;
            }
        }
    }
    let greeting = answer(&mut lines).await;
    write
        .write_all(b"EHLO relay.example.net\r\n")
        .await
        .unwrap();
    answer(&mut lines).await;
    write
        .write_all(format!("MAIL FROM:<{from}>\r\n").as_bytes())
        .await
        .unwrap();
    let mail = answer(&mut lines).await;
    write
        .write_all(format!("RCPT TO:<{to}>\r\n").as_bytes())
        .await
        .unwrap();
    let rcpt = answer(&mut lines).await;
    let data = if rcpt.starts_with("250") {
        write.write_all(b"DATA\r\n").await.unwrap();
        answer(&mut lines).await;
        let mut body = String::new();
        for line in message.replace("\r\n", "\n").split('\n') {
            // Dot-stuffing, as a client must.
            if line.starts_with('.') {
                body.push('.');
            }
            body.push_str(line);
            body.push_str("\r\n");
        }
        body.push_str(".\r\n");
        write.write_all(body.as_bytes()).await.unwrap();
        Some(answer(&mut lines).await)
    } else {
        None
    };
    let _ = write.write_all(b"QUIT\r\n").await;
    Delivery {
        greeting,
        mail,
        rcpt,
        data,
    }
}

/// The inbound listener's address, from the line the server prints before it serves.
fn inbound_addr(server_lines: &[String]) -> String {
    server_lines
        .iter()
        .find_map(|l| l.strip_prefix("portico receives replies by email on "))
        .expect("the server names its inbound listener")
        .trim()
        .to_owned()
}

fn header(data: &str, name: &str) -> Option<String> {
    let lower = format!("{}:", name.to_ascii_lowercase());
    data.lines()
        .find(|l| l.to_ascii_lowercase().starts_with(&lower))
        .map(|l| l[lower.len()..].trim().to_owned())
}

async fn messages(t: &PortalApp, case: &str) -> Vec<serde_json::Value> {
    t.manager
        .ok(
            "query($c: ID!) { caseMessages(caseId: $c) { body fromClient byEmail author { name } attachments { name } } }",
            json!({"c": case}),
        )
        .await["caseMessages"]
        .as_array()
        .unwrap()
        .clone()
}

#[tokio::test]
async fn answering_a_reply_email_posts_to_the_conversation_and_nothing_else_does() {
    let t = portal_app_with(&[
        ("PORTICO_INBOUND_SMTP_LISTEN", "127.0.0.1:0"),
        ("PORTICO_INBOUND_REPLY_DOMAIN", "replies.example.test"),
        ("PORTICO_INBOUND_MAX_BYTES", "200000"),
    ])
    .await;
    let inbound = inbound_addr(&t.app.server.stdout);
    let ana = t
        .create_contact(
            json!({"name": "Ana López", "email": "ana@example.com", "portalUser": true}),
        )
        .await;
    let case = t
        .create_case(json!({"subject": "Renta 2025", "client": ana}))
        .await;
    t.set_access(&case, &ana, true, true).await;
    t.accept_mailed("ana@example.com", 1).await;
    // The invitation, then the access to the case.
    t.mail("ana@example.com", 2).await;
    let before = t.to("ana@example.com").len();
    t.manager
        .ok(
            "mutation($c: ID!) { postCaseMessage(caseId: $c, body: \"¿Nos manda la nómina de marzo?\", internal: false) { id } }",
            json!({"c": case}),
        )
        .await;
    let mail = t.mail("ana@example.com", before + 1).await;
    let reply_to = header(&mail.data, "Reply-To").expect("a Reply-To header");
    let address = reply_to
        .rsplit('<')
        .next()
        .unwrap()
        .trim_end_matches('>')
        .to_owned();
    assert!(
        address.starts_with("reply+") && address.ends_with("@replies.example.test"),
        "{reply_to}"
    );
    assert!(
        mail.text()
            .contains("##- Escriba su respuesta encima de esta línea -##")
    );

    // Ana answers from her mail program: her text above the quote, a signature, a file.
    let answer = format!(
        "From: Ana López <ANA@example.com>\r\nTo: <{address}>\r\nSubject: Re: Nuevo mensaje\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"b1\"\r\n\r\n--b1\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\nAquí la tiene.\r\n.Con un punto al principio.\r\n\r\n-- \r\nAna López\r\n\r\nEl lun, 7 dic 2026 a las 10:00, Asesoría <portico@localhost> escribió:\r\n> ¿Nos manda la nómina de marzo?\r\n--b1\r\nContent-Type: text/plain; name=\"nomina-marzo.txt\"\r\nContent-Disposition: attachment; filename=\"nomina-marzo.txt\"\r\nContent-Transfer-Encoding: base64\r\n\r\nbsOzbWluYSBkZSBtYXJ6bw==\r\n--b1--\r\n"
    );
    let d = deliver(&inbound, "ana@example.com", &address, &answer).await;
    assert!(d.greeting.starts_with("220"), "{}", d.greeting);
    assert!(
        d.data.as_deref().unwrap_or("").starts_with("250"),
        "{:?} {:?}",
        d.rcpt,
        d.data
    );
    let posted = messages(&t, &case).await;
    assert_eq!(posted.len(), 2, "{posted:?}");
    assert_eq!(
        posted[1]["body"],
        "Aquí la tiene.\n.Con un punto al principio."
    );
    assert_eq!(posted[1]["fromClient"], true);
    assert_eq!(posted[1]["byEmail"], true);
    assert_eq!(posted[1]["author"]["name"], "Ana López");
    assert_eq!(posted[1]["attachments"][0]["name"], "nomina-marzo.txt");
    // The file is her upload on the case, with its bytes.
    let docs = t
        .manager
        .ok(
            "query($c: ID!) { case(id: $c) { documents { name origin size } } }",
            json!({"c": case}),
        )
        .await;
    assert!(
        docs.to_string().contains("\"origin\":\"CLIENT_PORTAL\""),
        "{docs}"
    );

    // None of these posts anything.
    let plain = |from: &str, extra: &str| {
        format!(
            "From: {from}\r\nTo: <{address}>\r\nSubject: Re: x\r\n{extra}Content-Type: text/plain\r\n\r\nPosted?\r\n"
        )
    };
    // A guessed or altered address is refused before the message is sent.
    let mut forged = address.clone();
    let at = forged.find('@').unwrap();
    let last = forged.as_bytes()[at - 1];
    forged.replace_range(at - 1..at, if last == b'0' { "1" } else { "0" });
    let other_case = address.replacen(&format!("reply+{case}-"), "reply+999-", 1);
    for to in [
        forged.as_str(),
        other_case.as_str(),
        "reply+1-2-3@replies.example.test",
        "postmaster@replies.example.test",
    ] {
        let d = deliver(
            &inbound,
            "ana@example.com",
            to,
            &plain("ana@example.com", ""),
        )
        .await;
        assert!(d.rcpt.starts_with("550"), "{to}: {}", d.rcpt);
        assert!(d.data.is_none());
    }
    // Someone else writing to Ana's address.
    let d = deliver(
        &inbound,
        "eve@example.com",
        &address,
        &plain("Eve <eve@example.com>", ""),
    )
    .await;
    assert!(
        d.data.as_deref().unwrap_or("").starts_with("550"),
        "{:?}",
        d.data
    );
    // Her out-of-office, a list's copy, a bounce: taken and dropped, never answered.
    for (from, envelope, extra) in [
        (
            "ana@example.com",
            "ana@example.com",
            "Auto-Submitted: auto-replied\r\n",
        ),
        ("ana@example.com", "ana@example.com", "Precedence: bulk\r\n"),
        ("MAILER-DAEMON@example.com", "", ""),
    ] {
        let d = deliver(&inbound, envelope, &address, &plain(from, extra)).await;
        assert!(
            d.data.as_deref().unwrap_or("").starts_with("250"),
            "{extra}: {:?}",
            d.data
        );
    }
    // Larger than the limit: refused when announced, and when not announced.
    let big = format!(
        "{}{}\r\n",
        plain("ana@example.com", ""),
        "x".repeat(250_000)
    );
    let d = deliver(&inbound, "ana@example.com", &address, &big).await;
    assert!(
        d.data.as_deref().unwrap_or("").starts_with("552"),
        "{:?}",
        d.data
    );
    assert!(d.mail.starts_with("250"));
    // Many short lines, over the limit together.
    let long = format!(
        "{}{}",
        plain("ana@example.com", ""),
        "more text on a line of its own\r\n".repeat(8_000)
    );
    let d = deliver(&inbound, "ana@example.com", &address, &long).await;
    assert!(
        d.data.as_deref().unwrap_or("").starts_with("552"),
        "{:?}",
        d.data
    );
    // Announced larger than the limit: refused before the message is sent.
    let stream = tokio::net::TcpStream::connect(&inbound).await.unwrap();
    let (read, mut write) = stream.into_split();
    let mut lines = BufReader::new(read).lines();
    lines.next_line().await.unwrap();
    write.write_all(b"EHLO relay\r\n").await.unwrap();
    while let Some(l) = lines.next_line().await.unwrap() {
        if l.starts_with("250 ") {
            break;
        }
    }
    write
        .write_all(b"MAIL FROM:<ana@example.com> SIZE=999999999\r\n")
        .await
        .unwrap();
    let said = lines.next_line().await.unwrap().unwrap_or_default();
    assert!(said.starts_with("552"), "{said}");
    assert_eq!(messages(&t, &case).await.len(), 2);

    // Once her access ends, her address leads nowhere.
    t.set_access(&case, &ana, false, false).await;
    let d = deliver(
        &inbound,
        "ana@example.com",
        &address,
        &plain("ana@example.com", ""),
    )
    .await;
    assert!(
        d.data.as_deref().unwrap_or("").starts_with("550"),
        "{:?}",
        d.data
    );
    assert_eq!(messages(&t, &case).await.len(), 2);
}

fn set_clock(file: &std::path::Path, at: chrono::DateTime<chrono::Utc>) {
    std::fs::write(file, at.to_rfc3339()).expect("write the clock");
}

#[tokio::test]
async fn the_daily_digest_gathers_the_days_news_into_one_email_per_contact() {
    let dir = TempDir::new();
    let clock = dir.0.join("now");
    let now = chrono::Utc::now();
    set_clock(&clock, now);
    let clock_path = clock.display().to_string();
    let t = portal_app_with(&[
        ("PORTICO_TEST_CLOCK_FILE", clock_path.as_str()),
        ("PORTICO_TEST_REMINDER_TICK_MS", "100"),
    ])
    .await;
    let ana = t
        .create_contact(json!({"name": "Ana", "email": "ana@example.com", "portalUser": true, "language": "EN"}))
        .await;
    let bea = t
        .create_contact(json!({"name": "Bea", "email": "bea@example.com", "portalUser": true}))
        .await;
    let case = t
        .create_case(json!({"subject": "Renta 2025", "client": ana}))
        .await;
    t.link(&case, &bea).await;
    let second = t
        .create_case(json!({"subject": "IVA", "client": ana}))
        .await;
    t.set_access(&case, &ana, true, true).await;
    t.set_access(&case, &bea, true, true).await;
    t.accept_mailed("ana@example.com", 1).await;
    t.accept_mailed("bea@example.com", 1).await;
    // Each has their invitation and the access to the case.
    t.mail("ana@example.com", 2).await;
    t.mail("bea@example.com", 2).await;
    // An admin sets the time: 07:30 in Madrid.
    t.app
        .admin
        .ok(
            "mutation { updateClientDigestSettings(sendAt: \"07:30\", timeZone: \"Europe/Madrid\") { sendAt } }",
            json!({}),
        )
        .await;
    // Access to a second case for someone who can sign in: the digest by default.
    t.set_access(&second, &ana, true, true).await;
    let before_ana = t.to("ana@example.com").len();
    let before_bea = t.to("bea@example.com").len();

    // A day's news: documents shared, a status changed twice.
    let upload = |name: &'static str| {
        let manager = t.manager.clone();
        let case = case.clone();
        async move {
            manager
                .upload(
                    "mutation($c: ID!, $file: Upload!) { uploadDocument(caseId: $c, file: $file) { id } }",
                    json!({"c": case}),
                    name,
                    b"contenido",
                )
                .await["uploadDocument"]["id"]
                .as_str()
                .unwrap()
                .to_owned()
        }
    };
    let (a, b) = (upload("borrador.txt").await, upload("calculo.txt").await);
    let share = "mutation($c: ID!, $p: ID!, $d: [ID!]!) { shareDocuments(caseId: $c, contactId: $p, documentIds: $d) { id } }";
    t.manager
        .ok(share, json!({"c": case, "p": ana, "d": [a, b]}))
        .await;
    t.manager
        .ok(share, json!({"c": case, "p": bea, "d": [a]}))
        .await;
    let status =
        "mutation($c: ID!, $s: CaseStatus!) { updateCase(id: $c, input: {status: $s}) { id } }";
    t.manager
        .ok(status, json!({"c": case, "s": "IN_PROGRESS"}))
        .await;
    // Bea chooses to hear of status changes right away.
    let bea_portal = t.app.portal().with_token(
        t.app
            .portal()
            .ok("mutation { login(email: \"bea@example.com\", password: \"a portal password\") { token } }", json!({}))
            .await["login"]["token"]
            .as_str()
            .unwrap(),
    );
    bea_portal
        .ok("mutation { updateNotificationSettings(settings: [{kind: STATUS_CHANGED, delivery: NOW}]) { kind delivery } }", json!({}))
        .await;
    t.manager
        .ok(status, json!({"c": case, "s": "CLOSED"}))
        .await;
    let right_away = t.mail("bea@example.com", before_bea + 1).await;
    // In her language (Spanish), the shipped status words translated.
    assert!(
        right_away.text().contains("a «Cerrado»"),
        "{}",
        right_away.text()
    );

    // Nothing else goes before the digest time.
    tokio::time::sleep(Duration::from_secs(4)).await;
    assert_eq!(t.to("ana@example.com").len(), before_ana);
    assert_eq!(t.to("bea@example.com").len(), before_bea + 1);
    // Bea's access ends before the digest: she gets nothing of it.
    t.set_access(&case, &bea, false, false).await;

    // The next 07:30 in Madrid comes (noon UTC the day after tomorrow is past it).
    let later = (now.date_naive() + chrono::Days::new(2))
        .and_hms_opt(12, 0, 0)
        .unwrap()
        .and_utc();
    set_clock(&clock, later);
    let digest = t.mail("ana@example.com", before_ana + 1).await;
    let text = digest.text();
    assert!(
        digest.data.contains("Subject: News on your cases"),
        "{}",
        digest.data
    );
    for seen in [
        "borrador.txt",
        "calculo.txt",
        "Renta 2025",
        "IVA",
        "You can now see this case",
    ] {
        assert!(text.contains(seen), "{seen}: {text}");
    }
    // Both status changes, in the order they came.
    let first = text.find("from “Open” to “In progress”");
    let second = text.find("from “In progress” to “Closed”");
    assert!(first.is_some() && first < second, "{text}");
    // One email per contact: nothing more for Ana, nothing for Bea.
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert_eq!(t.to("ana@example.com").len(), before_ana + 1);
    assert_eq!(t.to("bea@example.com").len(), before_bea + 1);
    // A second process at the same time sends no second digest.
    let smtp_url = t.smtp.url();
    let env = [
        ("PORTICO_SMTP_URL", smtp_url.as_str()),
        ("PORTICO_PUBLIC_URL", PUBLIC),
        ("PORTICO_TEST_CLOCK_FILE", clock_path.as_str()),
        ("PORTICO_TEST_REMINDER_TICK_MS", "100"),
    ];
    let _second = Server::start(&t.app.db, &env);
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert_eq!(t.to("ana@example.com").len(), before_ana + 1);
}
