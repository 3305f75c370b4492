//! The "Portal user" switch on contacts: only staff in a group with the portal setting may use
//! it, only individuals with an email qualify, and the email must be theirs alone.

use crate::helpers::{code, spawn_app};
use serde_json::json;

const ACTIVATE: &str = "mutation { updateFieldDefinition(entity: CONTACT, key: \"portalUser\", input: {active: true}) { active } }";
const CREATE: &str = "mutation($i: CreateContactInput!) { createContact(input: $i) { id portalUser portalQualified } }";
const UPDATE: &str = "mutation($id: ID!, $i: UpdateContactInput!) { updateContact(id: $id, input: $i) { id portalUser email } }";

#[tokio::test]
async fn only_portal_staff_switch_on_individuals_with_an_email_of_their_own() {
    let app = spawn_app().await;
    app.admin.ok(ACTIVATE, json!({})).await;
    let g = app
        .admin
        .ok(
            "mutation { createPermissionGroup(input: {name: \"Portal\", portalAccess: true}) { id } }",
            json!({}),
        )
        .await;
    let gid = g["createPermissionGroup"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let portal_staff = app.staff("portal@example.com", &[&gid]).await;
    let plain_staff = app.staff("plain@example.com", &[]).await;

    let ana = portal_staff
        .ok(
            CREATE,
            json!({"i": {"name": "Ana", "kind": "INDIVIDUAL", "email": "ana@example.com"}}),
        )
        .await["createContact"]["id"]
        .clone();
    // Plain staff may edit the contact, but not switch portal access.
    let e = plain_staff
        .err(UPDATE, json!({"id": ana, "i": {"portalUser": true}}))
        .await;
    assert_eq!(code(&e), "FORBIDDEN");
    plain_staff
        .ok(
            UPDATE,
            json!({"id": ana, "i": {"phone": "+34 600 000 000"}}),
        )
        .await;
    let on = portal_staff
        .ok(UPDATE, json!({"id": ana, "i": {"portalUser": true}}))
        .await;
    assert_eq!(on["updateContact"]["portalUser"], true);

    // A contact created without a kind is an individual, and may be switched on at once.
    let ok = portal_staff
        .ok(
            CREATE,
            json!({"i": {"name": "Eva", "email": "eva@example.com", "portalUser": true}}),
        )
        .await;
    assert_eq!(ok["createContact"]["portalUser"], true);

    // The staff API says where the switch can work.
    let q = portal_staff
        .ok(
            CREATE,
            json!({"i": {"name": "Bea", "kind": "INDIVIDUAL", "email": "bea@example.com"}}),
        )
        .await;
    assert_eq!(q["createContact"]["portalQualified"], true);
    for i in [
        json!({"name": "Org", "kind": "ORGANISATION", "email": "org@example.com"}),
        json!({"name": "No email", "kind": "INDIVIDUAL"}),
    ] {
        let q = portal_staff.ok(CREATE, json!({ "i": i })).await;
        assert_eq!(q["createContact"]["portalQualified"], false, "{i}");
    }

    // Not qualified: an organisation, an individual without an email.
    let e = portal_staff
        .err(
            CREATE,
            json!({"i": {"name": "Acme", "kind": "ORGANISATION", "email": "info@acme.example", "portalUser": true}}),
        )
        .await;
    assert_eq!(code(&e), "NOT_QUALIFIED");
    let e = portal_staff
        .err(
            CREATE,
            json!({"i": {"name": "Luis", "kind": "INDIVIDUAL", "portalUser": true}}),
        )
        .await;
    assert_eq!(code(&e), "NOT_QUALIFIED");
    // Nor can a portal user lose their email or become an organisation.
    let e = portal_staff
        .err(UPDATE, json!({"id": ana, "i": {"email": null}}))
        .await;
    assert_eq!(code(&e), "NOT_QUALIFIED");

    // An email another contact uses is refused, naming that contact; nothing is written.
    let twin = portal_staff
        .ok(
            CREATE,
            json!({"i": {"name": "Ana (duplicate)", "kind": "INDIVIDUAL", "email": "ANA@example.com"}}),
        )
        .await["createContact"]["id"]
        .clone();
    let e = portal_staff
        .err(UPDATE, json!({"id": twin, "i": {"portalUser": true}}))
        .await;
    assert_eq!(code(&e), "PORTAL_EMAIL_CONFLICT");
    assert_eq!(e["extensions"]["contacts"][0]["id"], ana);
    assert_eq!(e["extensions"]["contacts"][0]["name"], "Ana");
    let still = portal_staff
        .ok(
            UPDATE,
            json!({"id": twin, "i": {"phone": "+34 600 000 001"}}),
        )
        .await;
    assert_eq!(still["updateContact"]["portalUser"], false);
    // And a portal user cannot take an email that another contact has.
    let luis = portal_staff
        .ok(
            CREATE,
            json!({"i": {"name": "Luis", "kind": "INDIVIDUAL", "email": "luis@example.com", "portalUser": true}}),
        )
        .await["createContact"]["id"]
        .clone();
    let e = portal_staff
        .err(
            UPDATE,
            json!({"id": luis, "i": {"email": "ana@example.com"}}),
        )
        .await;
    assert_eq!(code(&e), "PORTAL_EMAIL_CONFLICT");
}

#[tokio::test]
async fn simultaneous_switches_on_one_email_leave_one_portal_user() {
    let app = spawn_app().await;
    app.admin.ok(ACTIVATE, json!({})).await;
    // Created at the same moment, each before the others commit: on PostgreSQL the engine's
    // check cannot see the others, and the database's unique index decides.
    let attempts = (0..6).map(|i| {
        let admin = app.admin.clone();
        async move {
            admin
                .raw(
                    "mutation($i: CreateContactInput!) { createContact(input: $i, sendInvitation: LATER) { id } }",
                    json!({"i": {"name": format!("Twin {i}"), "email": "twin@example.com", "portalUser": true}}),
                )
                .await
        }
    });
    let results = futures_join_all(attempts).await;
    let created = results.iter().filter(|r| r.get("errors").is_none()).count();
    assert_eq!(created, 1, "{results:?}");
    for r in results.iter().filter(|r| r.get("errors").is_some()) {
        assert_eq!(code(&r["errors"][0]), "PORTAL_EMAIL_CONFLICT", "{r}");
        assert!(
            r["errors"][0]["extensions"]["contacts"][0]["id"].is_string(),
            "{r}"
        );
    }
}

/// Runs futures concurrently on the test's runtime (no extra crate for `join_all`).
async fn futures_join_all<F: std::future::Future + Send + 'static>(
    futures: impl Iterator<Item = F>,
) -> Vec<F::Output>
where
    F::Output: Send + 'static,
{
    let handles: Vec<_> = futures.map(tokio::spawn).collect();
    let mut out = Vec::new();
    for h in handles {
        out.push(h.await.expect("task"));
    }
    out
}
