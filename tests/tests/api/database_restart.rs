//! PostgreSQL restarted under a running Portico (a server of the test's own): while it is down
//! `/readyz` says the database is unreachable; once it accepts connections again `/readyz` is
//! 200 within 2 s, and requests succeed at once: connections from before the restart are
//! dropped and a read that met one is tried again on a new one.

use crate::helpers::{ADMIN_EMAIL, ADMIN_PASSWORD, Client, Server, TempDir};
use crate::private_pg::PrivatePg;
use serde_json::json;
use std::time::{Duration, Instant};

async fn readyz(http: &reqwest::Client, url: &str) -> (u16, String) {
    match http.get(format!("{url}/readyz")).send().await {
        Ok(res) => (res.status().as_u16(), res.text().await.unwrap_or_default()),
        Err(e) => (0, e.to_string()),
    }
}

/// Many reads at once, so that every connection this process holds is used.
async fn reads(admin: &Client, n: usize) -> Vec<serde_json::Value> {
    let all = (0..n).map(|_| {
        admin.raw(
            "{ cases(first: 5) { totalCount edges { node { id subject } } } me { email } }",
            json!({}),
        )
    });
    futures_util::future::join_all(all).await
}

#[tokio::test]
async fn after_postgresql_restarts_requests_succeed_at_once_and_readiness_returns_within_two_seconds()
 {
    let pg = PrivatePg::start();
    let dir = TempDir::new();
    let server = Server::start_in(&pg.url(), &dir.0, &[]);
    let admin = Client::new(&server.url)
        .login(ADMIN_EMAIL, ADMIN_PASSWORD)
        .await;
    admin
        .ok(
            "mutation { createCase(input: {subject: \"Before the restart\"}) { id } }",
            json!({}),
        )
        .await;
    for answer in reads(&admin, 32).await {
        assert!(answer.get("errors").is_none(), "{answer}");
    }
    let http = reqwest::Client::new();
    assert_eq!(readyz(&http, &server.url).await.0, 200);

    pg.stop();
    let (status, body) = readyz(&http, &server.url).await;
    assert_eq!(status, 503, "{body}");
    assert!(body.contains("database unreachable"), "{body}");

    pg.start_again();
    let back = Instant::now();
    loop {
        let (status, body) = readyz(&http, &server.url).await;
        if status == 200 {
            break;
        }
        assert!(
            back.elapsed() < Duration::from_secs(2),
            "/readyz still {status} ({body}) 2 s after PostgreSQL came back"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }

    // Every connection held from before the restart is stale: reads on all of them succeed.
    for answer in reads(&admin, 32).await {
        assert!(
            answer.get("errors").is_none(),
            "a read failed after PostgreSQL was back: {answer}"
        );
        assert_eq!(answer["data"]["me"]["email"], ADMIN_EMAIL);
    }
    // And writes go through.
    let made = admin
        .raw(
            "mutation { createCase(input: {subject: \"After the restart\"}) { id } }",
            json!({}),
        )
        .await;
    assert!(made.get("errors").is_none(), "{made}");
}
