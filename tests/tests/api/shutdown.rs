//! SIGTERM: the process stops taking connections, finishes what it has (an upload half sent
//! when the signal came, the email the mail worker was sending), tells subscription sockets it
//! is going away (1001), and exits 0. Two processes restarted one after the other under load
//! lose no request either of them accepted.

use crate::helpers::{
    ADMIN_EMAIL, ADMIN_PASSWORD, Client, Server, TestDb, raw_upload, spawn_app_with,
};
use crate::live::{acked, closed, subscribe};
use crate::portal::id;
use crate::smtp::SmtpServer;
use serde_json::json;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, RwLock};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

#[tokio::test]
async fn on_sigterm_an_upload_in_progress_finishes_sockets_go_away_and_the_process_exits_0() {
    let mut app = spawn_app_with(&[]).await;
    let token = app.admin.token.clone().expect("a token");
    let case_id = id(&app
        .admin
        .ok(
            "mutation { createCase(input: {subject: \"Restart\"}) { id } }",
            json!({}),
        )
        .await["createCase"]);
    let mut socket = acked(&app, &token).await;
    subscribe(&mut socket, "1").await;

    // Half an upload is on the wire when the signal comes.
    let addr = app.server.addr();
    let (head, tail) = raw_upload(addr, &token, &case_id, "slow.txt", 200_000);
    let mut conn = tokio::net::TcpStream::connect(addr).await.unwrap();
    conn.write_all(head.as_bytes()).await.unwrap();
    conn.write_all(&[b'a'; 100_000]).await.unwrap();
    tokio::time::sleep(Duration::from_millis(200)).await;
    app.server.terminate();

    // Subscribers are told the server is going away.
    let (code, reason) = closed(&mut socket, 5).await.expect("the socket closed");
    assert_eq!(code, 1001, "{reason}");
    // No new connection is taken.
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(tokio::net::TcpStream::connect(addr).await.is_err());

    // The rest of the upload arrives; it is stored and answered.
    conn.write_all(&[b'b'; 100_000]).await.unwrap();
    conn.write_all(tail.as_bytes()).await.unwrap();
    let mut answer = Vec::new();
    conn.read_to_end(&mut answer).await.unwrap();
    let answer = String::from_utf8_lossy(&answer);
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert!(answer.contains("\"size\":200000"), "{answer}");

    let status = app
        .server
        .exited(Duration::from_secs(10))
        .await
        .expect("the process exits");
    assert!(status.success(), "{status:?}");

    // The document is there for the next process.
    let next = Server::start(&app.db, &[]);
    let admin = Client::new(&next.url)
        .login(ADMIN_EMAIL, ADMIN_PASSWORD)
        .await;
    let docs = admin
        .ok(
            "query($id: ID!) { case(id: $id) { documents { size } } }",
            json!({"id": case_id}),
        )
        .await;
    assert_eq!(docs["case"]["documents"], json!([{"size": 200000.0}]));
}

async fn outbox_statuses(db: &TestDb) -> Vec<String> {
    use sea_orm::{ConnectionTrait, Database, Statement};
    let conn = Database::connect(&db.url).await.unwrap();
    let rows = conn
        .query_all_raw(Statement::from_string(
            conn.get_database_backend(),
            "SELECT status FROM mail_outbox ORDER BY id",
        ))
        .await
        .unwrap();
    rows.iter()
        .map(|r| r.try_get::<String>("", "status").unwrap())
        .collect()
}

#[tokio::test]
async fn on_sigterm_the_mail_worker_finishes_the_email_it_was_sending() {
    let smtp = SmtpServer::start().await;
    *smtp.answer_delay.lock().unwrap() = Duration::from_secs(3);
    let mut app = spawn_app_with(&[("PORTICO_SMTP_URL", &smtp.url())]).await;
    app.admin
        .ok(
            "mutation { createStaffUser(input: {name: \"Luis\", email: \"luis@example.com\", groups: []}) { id } }",
            json!({}),
        )
        .await;
    // The relay has the message and takes 3 s to acknowledge it; the signal comes meanwhile.
    let started = std::time::Instant::now();
    while smtp.messages().is_empty() {
        assert!(started.elapsed() < Duration::from_secs(20), "no email came");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    app.server.terminate();
    let status = app
        .server
        .exited(Duration::from_secs(20))
        .await
        .expect("the process exits");
    assert!(status.success(), "{status:?}");
    assert_eq!(outbox_statuses(&app.db).await, vec!["sent".to_owned()]);
    assert_eq!(smtp.messages().len(), 1);
}

#[tokio::test]
async fn a_rolling_restart_of_two_processes_under_load_loses_no_accepted_request() {
    let db = TestDb::new().await;
    let first = Server::start(&db, &[]);
    let token = Client::new(&first.url)
        .login(ADMIN_EMAIL, ADMIN_PASSWORD)
        .await
        .token
        .expect("a token");
    let servers = vec![first, Server::start(&db, &[])];
    let urls: Arc<RwLock<Vec<String>>> =
        Arc::new(RwLock::new(servers.iter().map(|s| s.url.clone()).collect()));
    let mut servers: Vec<Option<Server>> = servers.into_iter().map(Some).collect();

    // Clients as behind a load balancer: a new connection per request, round robin; a refused
    // connection (the process no longer listens) goes to the other process. Anything else that
    // goes wrong is a lost request.
    let running = Arc::new(AtomicBool::new(true));
    let (served, retried) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
    let lost: Arc<RwLock<Vec<String>>> = Arc::default();
    let mut clients = Vec::new();
    for n in 0..4usize {
        let (urls, running, served, retried, lost, token) = (
            urls.clone(),
            running.clone(),
            served.clone(),
            retried.clone(),
            lost.clone(),
            token.clone(),
        );
        clients.push(tokio::spawn(async move {
            let http = reqwest::Client::builder()
                .pool_max_idle_per_host(0)
                .build()
                .unwrap();
            let mut turn = n;
            while running.load(Ordering::Relaxed) {
                turn += 1;
                let mut tries = 0;
                loop {
                    let url = {
                        let urls = urls.read().unwrap();
                        urls[(turn + tries) % urls.len()].clone()
                    };
                    let sent = http
                        .post(format!("{url}/graphql"))
                        .bearer_auth(&token)
                        .json(&json!({"query": "{ me { email } cases(first: 3) { totalCount } }"}))
                        .send()
                        .await;
                    match sent {
                        Ok(res) => {
                            let status = res.status();
                            let body = res.text().await.unwrap_or_default();
                            if status == 200
                                && body.contains(ADMIN_EMAIL)
                                && !body.contains("errors")
                            {
                                served.fetch_add(1, Ordering::Relaxed);
                            } else {
                                lost.write().unwrap().push(format!("{status}: {body}"));
                            }
                            break;
                        }
                        Err(e) if e.is_connect() && tries < 4 => {
                            retried.fetch_add(1, Ordering::Relaxed);
                            tries += 1;
                        }
                        Err(e) => {
                            lost.write().unwrap().push(format!("{e:?}"));
                            break;
                        }
                    }
                }
                tokio::time::sleep(Duration::from_millis(3)).await;
            }
        }));
    }

    for (i, slot) in servers.iter_mut().enumerate() {
        tokio::time::sleep(Duration::from_millis(700)).await;
        let mut old = slot.take().expect("a running process");
        old.terminate();
        let status = old
            .exited(Duration::from_secs(20))
            .await
            .expect("the process exits");
        assert!(status.success(), "{status:?}");
        let new = Server::start(&db, &[]);
        urls.write().unwrap()[i] = new.url.clone();
        *slot = Some(new);
    }
    tokio::time::sleep(Duration::from_millis(700)).await;
    running.store(false, Ordering::Relaxed);
    for c in clients {
        c.await.unwrap();
    }
    let lost = lost.read().unwrap();
    assert!(lost.is_empty(), "{} requests lost: {lost:?}", lost.len());
    assert!(
        served.load(Ordering::Relaxed) > 100,
        "too little load to tell"
    );
    eprintln!(
        "served {} requests; {} went to the other process after a refused connection",
        served.load(Ordering::Relaxed),
        retried.load(Ordering::Relaxed)
    );
}
