//! Several `portico` processes on one database: a field, permission or session change made
//! through one is in effect in the other on its very next request, with no restart (on
//! PostgreSQL each process is told by NOTIFY instead of reading the version row every request).

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

    // A permission change through A is in effect in B on its next request: Ana joins a group
    // that may manage portal access.
    let group = via_a
        .ok(
            "mutation { createPermissionGroup(input: {name: \"Portal\", portalAccess: true}) { id } }",
            json!({}),
        )
        .await["createPermissionGroup"]["id"]
        .clone();
    let ana_id = via_a
        .ok(
            "mutation { createStaffUser(input: {name: \"Ana\", email: \"ana@example.com\", password: \"a long password\", groups: []}) { id } }",
            json!({}),
        )
        .await["createStaffUser"]["id"]
        .clone();
    let ana = Client::new(&b.url)
        .login("ana@example.com", "a long password")
        .await;
    let invite = "mutation { sendPortalInvitation(contactId: \"999999\") { status } }";
    assert_eq!(code(&ana.err(invite, json!({})).await), "FORBIDDEN");
    via_a
        .ok(
            "mutation($id: ID!, $g: ID!) { updateStaffUser(id: $id, input: {groups: [$g]}) { id } }",
            json!({"id": ana_id, "g": group}),
        )
        .await;
    assert_eq!(code(&ana.err(invite, json!({})).await), "NOT_FOUND");

    // Logging out through B ends the session in A too.
    via_b.ok("mutation { logout }", json!({})).await;
    let e = via_a.err("{ me { id } }", json!({})).await;
    assert_eq!(code(&e), "UNAUTHENTICATED");
}

#[tokio::test]
async fn several_processes_can_start_together_on_a_new_database() {
    let db = TestDb::new().await;
    let (url, dir) = (db.url.clone(), db.dir.0.clone());
    let servers: Vec<Server> = std::thread::scope(|s| {
        let starting: Vec<_> = (0..3)
            .map(|_| s.spawn(|| Server::start_in(&url, &dir, &[])))
            .collect();
        starting
            .into_iter()
            .map(|h| h.join().expect("a process failed to start"))
            .collect()
    });
    let mut clients = Vec::new();
    for server in &servers {
        clients.push(
            Client::new(&server.url)
                .login(ADMIN_EMAIL, ADMIN_PASSWORD)
                .await,
        );
    }
    let d = clients[2]
        .ok("{ staffUsers { email } fieldDefinitions(entity: CASE, includeInactive: true) { key } }", json!({}))
        .await;
    assert_eq!(
        d["staffUsers"].as_array().unwrap().len(),
        1,
        "one first admin: {d}"
    );
    let keys: Vec<&str> = d["fieldDefinitions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["key"].as_str().unwrap())
        .collect();
    let mut unique = keys.clone();
    unique.sort_unstable();
    unique.dedup();
    assert_eq!(
        keys.len(),
        unique.len(),
        "system fields seeded once: {keys:?}"
    );
}
