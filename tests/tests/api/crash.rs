//! Killing the server with SIGKILL in the middle of concurrent creates loses nothing that was
//! answered and leaves nothing half-written.

use crate::helpers::{ADMIN_EMAIL, ADMIN_PASSWORD, Client, Server, TestDb};
use serde_json::{Value, json};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use tokio::sync::Mutex;

const CREATE: &str =
    "mutation($i: CreateCaseInput!) { createCase(input: $i) { id subject slaHours priority } }";

#[tokio::test]
async fn answered_creates_survive_a_sigkill_whole() {
    let db = TestDb::new().await;
    let mut server = Server::start(&db, &[]);
    let admin = Client::new(&server.url)
        .login(ADMIN_EMAIL, ADMIN_PASSWORD)
        .await;
    admin
        .ok("mutation { createFieldDefinition(input: {entity: CASE, key: \"slaHours\", label: \"SLA\", type: NUMBER, required: true}) { id } }", json!({}))
        .await;
    admin
        .ok("mutation { createFieldDefinition(input: {entity: CASE, key: \"priority\", label: \"P\", type: SELECT, options: [\"Low\", \"High\"], required: true}) { id } }", json!({}))
        .await;

    let answered: Arc<Mutex<Vec<Value>>> = Arc::default();
    let sent = Arc::new(AtomicUsize::new(0));
    let mut workers = Vec::new();
    for w in 0..8 {
        let admin = admin.clone();
        let answered = answered.clone();
        let sent = sent.clone();
        workers.push(tokio::spawn(async move {
            for i in 0..10_000 {
                sent.fetch_add(1, Ordering::Relaxed);
                let subject = format!("w{w} n{i}");
                let vars = json!({"i": {"subject": subject, "description": format!("body of {subject}"), "slaHours": i, "priority": "HIGH"}});
                let res = admin.http.post(&admin.endpoint).bearer_auth(admin.token.as_deref().unwrap()).json(&json!({"query": CREATE, "variables": vars})).send().await;
                let Ok(res) = res else { break };
                let Ok(body) = res.json::<Value>().await else { break };
                if body["data"]["createCase"].is_object() {
                    answered.lock().await.push(body["data"]["createCase"].clone());
                }
            }
        }));
    }
    // Let the creates run, then kill mid-stream.
    loop {
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        if answered.lock().await.len() >= 300 {
            break;
        }
    }
    server.kill();
    for w in workers {
        let _ = w.await;
    }
    let answered = answered.lock().await.clone();
    assert!(answered.len() >= 300);
    assert!(
        sent.load(Ordering::Relaxed) > answered.len(),
        "some requests were in flight at the kill"
    );

    let server = Server::start(&db, &[]);
    let admin = Client::new(&server.url)
        .login(ADMIN_EMAIL, ADMIN_PASSWORD)
        .await;
    for created in &answered {
        let d = admin
            .ok(
                "query($id: ID!) { case(id: $id) { id subject description slaHours priority } }",
                json!({"id": created["id"]}),
            )
            .await;
        let c = &d["case"];
        assert_eq!(
            c["subject"], created["subject"],
            "answered create lost or changed"
        );
        assert_eq!(c["slaHours"], created["slaHours"]);
        assert_eq!(c["priority"], "HIGH");
    }
    // Nothing stored is half-written: every case has all its fields and its audit event.
    let mut after: Option<String> = None;
    let mut total = 0;
    loop {
        let page = admin
            .ok("query($a: String) { cases(first: 100, after: $a) { edges { node { id subject description slaHours priority } } pageInfo { hasNextPage endCursor } } }", json!({"a": after}))
            .await;
        for e in page["cases"]["edges"].as_array().unwrap() {
            let c = &e["node"];
            let subject = c["subject"].as_str().unwrap();
            assert_eq!(c["description"], format!("body of {subject}"), "{c}");
            assert!(c["slaHours"].is_i64() && c["priority"] == "HIGH", "{c}");
            total += 1;
        }
        if page["cases"]["pageInfo"]["hasNextPage"] == false {
            break;
        }
        after = page["cases"]["pageInfo"]["endCursor"]
            .as_str()
            .map(str::to_owned);
    }
    assert!(total >= answered.len());
    let sample = &answered[answered.len() / 2]["id"];
    let log = admin
        .ok(
            "query($id: ID!) { auditLog(entity: CASE, id: $id) { action } }",
            json!({"id": sample}),
        )
        .await;
    assert_eq!(log["auditLog"][0]["action"], "created");
}
