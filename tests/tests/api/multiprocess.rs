//! Several `portico` processes on one database: a field change made through one is served by
//! the other on its very next request, with no restart.

use crate::helpers::{ADMIN_EMAIL, ADMIN_PASSWORD, Client, Server, TestDb, code};
use serde_json::json;

#[tokio::test]
async fn a_field_change_through_one_process_is_served_by_the_other_on_its_next_request() {
    let db = TestDb::new().await;
    let a = Server::start(&db, &[]);
    let b = Server::start(&db, &[]);
    let via_a = Client::new(&a.url).login(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    // The session made through A is valid on B: nothing lives only in one process.
    let via_b = Client::new(&b.url).with_token(via_a.token.as_deref().unwrap());

    let q = "{ cases { edges { node { subject escalation } } } }";
    let e = via_b.err(q, json!({})).await;
    assert_eq!(code(&e), "VALIDATION", "B does not know the field yet: {e}");

    via_a
        .ok("mutation { createFieldDefinition(input: {entity: CASE, key: \"escalation\", label: \"Escalation\", type: SELECT, options: [\"None\", \"Manager\"]}) { id } }", json!({}))
        .await;
    via_a
        .ok(
            "mutation { createCase(input: {subject: \"Late\", escalation: MANAGER}) { id } }",
            json!({}),
        )
        .await;
    let d = via_b.ok(q, json!({})).await;
    assert_eq!(
        d["cases"]["edges"][0]["node"],
        json!({"subject": "Late", "escalation": "MANAGER"})
    );

    // And back: B deactivates it, A stops serving it.
    via_b
        .ok("mutation { updateFieldDefinition(entity: CASE, key: \"escalation\", input: {active: false}) { active } }", json!({}))
        .await;
    let e = via_a.err(q, json!({})).await;
    assert_eq!(code(&e), "VALIDATION");

    // Logging out through B ends the session in A too.
    via_b.ok("mutation { logout }", json!({})).await;
    let e = via_a.err("{ me { id } }", json!({})).await;
    assert_eq!(code(&e), "UNAUTHENTICATED");
}
