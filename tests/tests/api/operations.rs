//! Running Portico as a service (issue 22, first part): liveness and readiness apart, a
//! request id on every answer and in every log line of its request, JSON logs.

use crate::helpers::{Server, TestDb, portico};
use std::io::{BufRead, BufReader};
use std::process::Stdio;

async fn get(url: &str, headers: &[(&str, &str)]) -> (u16, Option<String>, String) {
    let mut req = reqwest::Client::new().get(url);
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    let res = req.send().await.expect("answer");
    let id = res
        .headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    (
        res.status().as_u16(),
        id,
        res.text().await.unwrap_or_default(),
    )
}

#[tokio::test]
async fn readiness_names_what_is_missing_and_every_answer_has_a_request_id() {
    let db = TestDb::new().await;
    let server = Server::start(&db, &[]);
    let (status, id, _) = get(&format!("{}/readyz", server.url), &[]).await;
    assert_eq!(status, 200);
    let first = id.expect("a request id");
    assert!(
        first.len() == 16 && first.bytes().all(|b| b.is_ascii_hexdigit()),
        "{first}"
    );
    // Each request its own; one a client makes up is not believed (it is no trusted proxy).
    let (_, again, _) = get(
        &format!("{}/portal/login", server.url),
        &[("x-request-id", "made-up-by-the-client")],
    )
    .await;
    let again = again.expect("a request id");
    assert_ne!(again, first);
    assert_ne!(again, "made-up-by-the-client");

    // The document store goes away: not ready (named), still alive.
    let files = db.dir.0.join("files");
    let _ = std::fs::remove_dir_all(&files);
    std::fs::write(&files, b"not a directory").unwrap();
    let (status, _, body) = get(&format!("{}/readyz", server.url), &[]).await;
    assert_eq!(status, 503, "{body}");
    assert!(
        body.contains("storage unreachable") && !body.contains("database"),
        "{body}"
    );
    let (status, _, _) = get(&format!("{}/healthz", server.url), &[]).await;
    assert_eq!(status, 200);
    std::fs::remove_file(&files).unwrap();
    std::fs::create_dir(&files).unwrap();
    assert_eq!(get(&format!("{}/readyz", server.url), &[]).await.0, 200);
}

#[tokio::test]
async fn behind_a_trusted_proxy_its_request_id_is_kept_and_json_logs_carry_it() {
    let db = TestDb::new().await;
    let mut cmd = portico(&db.url, &db.dir.0);
    cmd.env("PORTICO_TRUSTED_PROXIES", "127.0.0.1")
        .env("PORTICO_LOG_FORMAT", "json")
        .env("PORTICO_LOG", "warn,portico_server=debug")
        .stderr(Stdio::piped());
    cmd.stdout(Stdio::piped());
    let mut child = cmd.spawn().expect("start portico");
    let stderr = child.stderr.take().expect("stderr");
    let lines = std::sync::Arc::new(std::sync::Mutex::new(Vec::<String>::new()));
    let kept = lines.clone();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            kept.lock().unwrap().push(line);
        }
    });
    let stdout = child.stdout.take().expect("stdout");
    let mut out = BufReader::new(stdout).lines();
    let url = loop {
        let line = out.next().expect("portico printed").expect("a line");
        if let Some(u) = line.strip_prefix("portico listening on ") {
            break u.trim().to_owned();
        }
    };
    std::thread::spawn(move || for _ in out {});
    let (_, id, _) = get(
        &format!("{url}/portal/login"),
        &[("x-request-id", "lb-7f3a.42")],
    )
    .await;
    assert_eq!(id.as_deref(), Some("lb-7f3a.42"));
    // One that is not safe to repeat is replaced.
    let (_, id, _) = get(
        &format!("{url}/portal/login"),
        &[("x-request-id", "a b\"c")],
    )
    .await;
    assert_ne!(id.as_deref(), Some("a b\"c"));
    let mut found = None;
    for _ in 0..50 {
        found = lines
            .lock()
            .unwrap()
            .iter()
            .find(|l| l.contains("lb-7f3a.42"))
            .cloned();
        if found.is_some() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let line = found.expect("a log line of the request");
    let parsed: serde_json::Value = serde_json::from_str(&line).expect("one JSON object a line");
    assert_eq!(parsed["span"]["request_id"], "lb-7f3a.42", "{line}");
    let answered = lines
        .lock()
        .unwrap()
        .iter()
        .find(|l| l.contains("lb-7f3a.42") && l.contains("answered"))
        .cloned()
        .expect("the request's answered line");
    let answered: serde_json::Value = serde_json::from_str(&answered).unwrap();
    assert_eq!(answered["fields"]["path"], "/portal/login", "{answered}");
    let _ = child.kill();
    let _ = child.wait();
}

#[tokio::test]
async fn metrics_are_scraped_from_their_own_listener_or_with_the_token() {
    let db = TestDb::new().await;
    let server = Server::start(
        &db,
        &[
            ("PORTICO_METRICS_LISTEN", "127.0.0.1:0"),
            ("PORTICO_METRICS_TOKEN", "scrape-secret-123"),
        ],
    );
    let metrics = server
        .stdout
        .iter()
        .find_map(|l| l.strip_prefix("portico serves metrics on "))
        .expect("the metrics listener is named")
        .trim()
        .to_owned();
    // Some traffic: a page, a GraphQL query, a wrong password.
    get(&format!("{}/portal/login", server.url), &[]).await;
    let admin = crate::helpers::Client::new(&server.url);
    admin
        .login(crate::helpers::ADMIN_EMAIL, crate::helpers::ADMIN_PASSWORD)
        .await
        .ok("{ cases { totalCount } }", serde_json::json!({}))
        .await;
    let wrong = admin
        .raw(
            "mutation { login(email: \"nobody@example.com\", password: \"wrong password\") { token } }",
            serde_json::json!({}),
        )
        .await;
    assert!(wrong.get("errors").is_some());

    let (status, _, body) = get(&metrics, &[]).await;
    assert_eq!(status, 200);
    for expected in [
        "portico_http_requests_total{route=\"/portal/login\",status=\"200\"} 1",
        "portico_http_request_duration_seconds_bucket{route=\"/graphql\"",
        "portico_graphql_operation_duration_seconds_bucket{endpoint=\"staff\",kind=\"query\"",
        "portico_graphql_operation_duration_seconds_bucket{endpoint=\"staff\",kind=\"mutation\"",
        "portico_failed_sign_ins 1",
        "portico_mail_outbox_pending ",
        "portico_mail_outbox_oldest_seconds ",
        "portico_documents 0",
        "portico_document_bytes 0",
        "portico_db_pool_connections{state=\"in_use\"}",
        "portico_active_subscriptions 0",
    ] {
        assert!(body.contains(expected), "{expected} missing from:\n{body}");
    }
    // On PostgreSQL, changes are pushed to the process (LISTEN is connected by now); SQLite
    // reads the version row instead and has no such gauge.
    let pushed = body.contains("portico_version_push_connected 1");
    assert_eq!(pushed, db.url.starts_with("postgres"), "{body}");
    // And there, the hot-path connections: in use, idle, and requests waiting for one.
    let hot = body.contains("portico_db_hot_connections{state=\"waiting\"} 0");
    assert_eq!(hot, db.url.starts_with("postgres"), "{body}");
    // On the public port: only with the token.
    let public = format!("{}/metrics", server.url);
    assert_eq!(get(&public, &[]).await.0, 401);
    assert_eq!(
        get(&public, &[("authorization", "Bearer wrong-secret-12")])
            .await
            .0,
        401
    );
    let (status, _, body) = get(&public, &[("authorization", "Bearer scrape-secret-123")]).await;
    assert_eq!(status, 200);
    assert!(body.contains("portico_http_requests_total"));
    // Without a token set, the public port has no metrics at all.
    let other = TestDb::new().await;
    let plain = Server::start(&other, &[]);
    assert_eq!(get(&format!("{}/metrics", plain.url), &[]).await.0, 404);
}
