//! Findings 1 and 2 of the access review (and 9 of the second), replayed as they were found: a contact kept portal
//! access to a case after staff took them off it (or changed its client), a portal opener's
//! grant could not be seen or revoked, and staff without the portal permission could move a
//! portal user's login to an address they read.

use crate::helpers::code;
use crate::portal::{PUBLIC, PortalApp, id, portal_app};
use serde_json::{Value, json};

const CASE: &str = "query($c: ID!) { case(id: $c) { id subject } }";
const DOCS: &str = "query($c: ID!) { documents(caseId: $c) { id } }";
const UPLOAD: &str =
    "mutation($c: ID!, $file: Upload!) { uploadDocument(caseId: $c, file: $file) { id } }";
const CANDIDATES: &str =
    "query($c: ID!) { portalCandidates(caseId: $c) { contact { id } access { enabled } } }";
const AUDIT: &str = "query($c: ID!) { auditLog(entity: CASE, id: $c) { action detail } }";

/// The ids of the candidates whose access is enabled.
async fn enabled(t: &PortalApp, case: &str) -> Vec<String> {
    let c = t.manager.ok(CANDIDATES, json!({"c": case})).await;
    c["portalCandidates"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["access"]["enabled"] == true)
        .map(|c| c["contact"]["id"].as_str().unwrap().to_owned())
        .collect()
}

async fn revocations(t: &PortalApp, case: &str) -> Vec<Value> {
    let log = t.manager.ok(AUDIT, json!({"c": case})).await;
    log["auditLog"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["action"] == "portal_access_revoked")
        .cloned()
        .collect()
}

/// The portal answers for a case outside the user's scope exactly as for no case at all.
async fn shut_out(portal: &crate::helpers::Client, case: &str) {
    let e = portal.err(CASE, json!({"c": case})).await;
    assert_eq!(code(&e), "NOT_FOUND", "{e}");
    let e = portal.err(DOCS, json!({"c": case})).await;
    assert_eq!(code(&e), "NOT_FOUND", "{e}");
    let (status, body) = portal
        .upload_raw(
            UPLOAD,
            json!({"c": case}),
            "late.txt",
            "text/plain",
            b"still here?",
        )
        .await;
    assert_eq!(status, 404, "{body}");
    assert_eq!(code(&body["errors"][0]), "NOT_FOUND");
}

#[tokio::test]
async fn access_ends_when_the_contact_leaves_the_case_or_the_client_changes() {
    let t = portal_app().await;
    let carla = t
        .create_contact(json!({"name": "Carla", "email": "carla@example.com"}))
        .await;
    let dan = t
        .create_contact(json!({"name": "Dan", "email": "dan@example.com"}))
        .await;
    let other = t.create_contact(json!({"name": "Other client"})).await;
    let linked_case = t.create_case(json!({"subject": "Linked"})).await;
    t.link(&linked_case, &carla).await;
    t.set_access(&linked_case, &carla, true, true).await;
    let carla_portal = t.accept_mailed("carla@example.com", 1).await;
    carla_portal.ok(CASE, json!({"c": linked_case})).await;

    // Staff take Carla off the case: everything her grant gave her ends with it.
    t.manager
        .ok(
            "mutation($c: ID!, $p: ID!) { removeCaseContact(caseId: $c, contactId: $p) }",
            json!({"c": linked_case, "p": carla}),
        )
        .await;
    shut_out(&carla_portal, &linked_case).await;
    assert!(enabled(&t, &linked_case).await.is_empty());
    let revoked = revocations(&t, &linked_case).await;
    assert_eq!(revoked.len(), 1, "{revoked:?}");
    assert_eq!(revoked[0]["detail"]["contactId"].to_string(), carla);

    // Dan is the client of a case; the client changes, and his access goes with it.
    let client_case = t
        .create_case(json!({"subject": "Dan's", "client": dan}))
        .await;
    t.set_access(&client_case, &dan, true, false).await;
    let dan_portal = t.accept_mailed("dan@example.com", 1).await;
    dan_portal.ok(CASE, json!({"c": client_case})).await;
    t.manager
        .ok(
            "mutation($c: ID!, $o: ID!) { updateCase(id: $c, input: {client: $o}) { id } }",
            json!({"c": client_case, "o": other}),
        )
        .await;
    shut_out(&dan_portal, &client_case).await;
    assert_eq!(revocations(&t, &client_case).await.len(), 1);

    // Linking them again gives nothing back by itself: a grant is given, never inherited.
    t.link(&linked_case, &carla).await;
    shut_out(&carla_portal, &linked_case).await;
}

#[tokio::test]
async fn the_opener_of_a_portal_case_is_a_candidate_staff_can_revoke() {
    let t = portal_app().await;
    let acme = t
        .create_contact(json!({"name": "Acme", "kind": "ORGANISATION"}))
        .await;
    let carla = t
        .create_contact(json!({"name": "Carla", "email": "carla@example.com"}))
        .await;
    t.manager
        .ok(
            "mutation($i: ID!, $o: ID!) { addRelationship(individualId: $i, organisationId: $o) { id } }",
            json!({"i": carla, "o": acme}),
        )
        .await;
    let seed = t
        .create_case(json!({"subject": "Seed", "client": acme}))
        .await;
    t.link(&seed, &carla).await;
    t.set_access(&seed, &carla, true, true).await;
    let portal = t.accept_mailed("carla@example.com", 1).await;
    // Carla opens a case for Acme on the portal: Acme is its client, Carla its opener.
    let opened = id(&portal
        .ok(
            r#"mutation { createCase(input: {subject: "Opened on the portal"}) { id } }"#,
            json!({}),
        )
        .await["createCase"]);
    assert_eq!(enabled(&t, &opened).await, vec![carla.clone()]);
    // Staff can end that grant like any other.
    t.set_access(&opened, &carla, false, false).await;
    shut_out(&portal, &opened).await;
    assert_eq!(revocations(&t, &opened).await.len(), 1);
    // And the opener is on the case's contacts, where staff can see and remove them.
    let contacts = t
        .manager
        .ok(
            "query($c: ID!) { case(id: $c) { contacts { id } } }",
            json!({"c": opened}),
        )
        .await;
    assert_eq!(contacts["case"]["contacts"], json!([{"id": carla}]));
}

const UPDATE_EMAIL: &str =
    "mutation($id: ID!, $e: String!) { updateContact(id: $id, input: {email: $e}) { email } }";

#[tokio::test]
async fn moving_a_portal_login_needs_the_portal_permission_and_ends_the_old_credentials() {
    let t = portal_app().await;
    let carla = t
        .create_contact(json!({"name": "Carla", "email": "carla@example.com"}))
        .await;
    let case = t.create_case(json!({"subject": "Hers"})).await;
    t.link(&case, &carla).await;
    t.set_access(&case, &carla, true, true).await;
    let portal = t.accept_mailed("carla@example.com", 1).await;
    portal.ok(CASE, json!({"c": case})).await;

    // The attack: a colleague without the portal permission moves the login to an address
    // they read, then asks for a reset there.
    let plain = t.app.staff("plain@example.com", &[]).await;
    let e = plain
        .err(
            UPDATE_EMAIL,
            json!({"id": carla, "e": "attacker@example.com"}),
        )
        .await;
    assert_eq!(code(&e), "FORBIDDEN", "{e}");
    // Other fields of a portal user stay editable for them.
    plain
        .ok(
            "mutation($id: ID!) { updateContact(id: $id, input: {phone: \"+34 600\"}) { phone } }",
            json!({"id": carla}),
        )
        .await;
    portal.ok(CASE, json!({"c": case})).await;

    // Someone with the permission may: her session and outstanding links end, and the old
    // address hears of it.
    t.app
        .portal()
        .ok(
            r#"mutation { requestPasswordReset(email: "carla@example.com") }"#,
            json!({}),
        )
        .await;
    let reset = t
        .mail("carla@example.com", 2)
        .await
        .link(&format!("{PUBLIC}/portal/reset/"));
    t.manager
        .ok(
            UPDATE_EMAIL,
            json!({"id": carla, "e": "carla.new@example.com"}),
        )
        .await;
    let e = portal.err(CASE, json!({"c": case})).await;
    assert_eq!(code(&e), "UNAUTHENTICATED", "{e}");
    let token = reset.rsplit('/').next().unwrap();
    let e = t
        .app
        .portal()
        .err(
            "mutation($t: String!) { resetPassword(token: $t, password: \"a new long password\") { token } }",
            json!({"t": token}),
        )
        .await;
    assert_eq!(code(&e), "VALIDATION", "{e}");
    let told = t.mail("carla@example.com", 3).await;
    assert!(
        told.text().contains("carla.new@example.com"),
        "{}",
        told.text()
    );
    assert!(
        told.text().contains("manager@example.com"),
        "{}",
        told.text()
    );
    // Her password still works with the new address.
    let again = t
        .app
        .portal()
        .ok(
            "mutation($e: String!, $p: String!) { login(email: $e, password: $p) { token } }",
            json!({"e": "carla.new@example.com", "p": crate::portal::PASSWORD}),
        )
        .await;
    assert!(again["login"]["token"].as_str().is_some());
}

/// Finding 9 of the second security review, replayed as it was made: a staff user without
/// the portal setting related a portal user to another organisation, and the portal user then
/// switched to it and read its indicators. Relationships that change what a portal user sees
/// need the portal setting.
#[tokio::test]
async fn only_portal_staff_change_a_portal_users_organisations() {
    let t = portal_app().await;
    let plain = t.app.staff("plain@example.com", &[]).await;
    let acme = t
        .create_contact(json!({"name": "Acme", "kind": "ORGANISATION"}))
        .await;
    let globex = t
        .create_contact(json!({"name": "Globex", "kind": "ORGANISATION"}))
        .await;
    t.create_case(json!({"subject": "Globex books", "client": globex}))
        .await;
    let carla = t
        .create_contact(json!({"name": "Carla", "email": "carla@example.com"}))
        .await;
    let add = "mutation($i: ID!, $o: ID!) { addRelationship(individualId: $i, organisationId: $o) { id } }";
    let rel = t.manager.ok(add, json!({"i": carla, "o": acme})).await["addRelationship"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let seed = t
        .create_case(json!({"subject": "Seed", "client": acme}))
        .await;
    t.link(&seed, &carla).await;
    t.set_access(&seed, &carla, true, true).await;
    let portal = t.accept_mailed("carla@example.com", 1).await;
    let orgs = "{ me { organisations { name } } }";
    let seen = |v: &Value| {
        v["me"]["organisations"]
            .as_array()
            .unwrap()
            .iter()
            .map(|o| o["name"].as_str().unwrap().to_owned())
            .collect::<Vec<_>>()
    };
    assert_eq!(seen(&portal.ok(orgs, json!({})).await), ["Acme"]);

    // The review's move: plain staff relate her to Globex. Refused, and nothing changes.
    let e = plain.err(add, json!({"i": carla, "o": globex})).await;
    assert_eq!(code(&e), "FORBIDDEN", "{e}");
    assert!(e["message"].as_str().unwrap().contains("portal"), "{e}");
    assert_eq!(seen(&portal.ok(orgs, json!({})).await), ["Acme"]);
    let e = portal
        .err(
            "mutation($o: ID!) { switchOrganisation(id: $o) { currentOrganisation { name } } }",
            json!({"o": globex}),
        )
        .await;
    assert_ne!(code(&e), "<none>", "{e}");
    // Nor may they take Acme away.
    let e = plain
        .err(
            "mutation($r: ID!) { removeRelationship(id: $r) }",
            json!({"r": rel}),
        )
        .await;
    assert_eq!(code(&e), "FORBIDDEN", "{e}");
    assert_eq!(seen(&portal.ok(orgs, json!({})).await), ["Acme"]);
    // A contact who does not use the portal is theirs to relate, as before.
    let dora = t.create_contact(json!({"name": "Dora"})).await;
    plain.ok(add, json!({"i": dora, "o": globex})).await;
    // Staff with the portal setting may.
    t.manager.ok(add, json!({"i": carla, "o": globex})).await;
    assert_eq!(seen(&portal.ok(orgs, json!({})).await), ["Acme", "Globex"]);
}
