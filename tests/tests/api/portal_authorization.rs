//! Who may do what on `/portal/graphql`: every root field for an anonymous client, a staff
//! token (useless there), and a portal user; then a portal user on another contact's case, on
//! a revoked case, and with an expired session. The table must list every root field.

use crate::helpers::{Client, code};
use crate::portal::{PASSWORD, portal_app};
use serde_json::{Value, json};

#[derive(Clone, Copy, Debug, PartialEq)]
enum Expect {
    Allowed,
    Unauthenticated,
    NotFound,
    Validation,
}
use Expect::*;

/// (operation, document, [anonymous, staff token, portal user])
fn table(case: &str, org: &str) -> Vec<(&'static str, String, [Expect; 3])> {
    let user = [Unauthenticated, Unauthenticated, Allowed];
    vec![
        ("me", "{ me { contact { id } } }".into(), user),
        ("branding", "{ branding { firmName currency } }".into(), [Allowed; 3]),
        ("clientRequests", "{ clientRequests { id } }".into(), user),
        // A request that is not yours reads as none, as a missing one does.
        ("clientRequest", "{ clientRequest(id: \"999999\") { id } }".into(), user),
        ("answerClientRequest", "mutation { answerClientRequest(id: \"999999\", answers: {}) { id } }".into(), [Unauthenticated, Unauthenticated, NotFound]),
        ("submitClientRequest", "mutation { submitClientRequest(id: \"999999\") { id } }".into(), [Unauthenticated, Unauthenticated, NotFound]),
        ("verifySignedDocument", "mutation($file: Upload!) { verifySignedDocument(file: $file) { signedAt } }".into(), user),
        ("signDocument", "mutation { signDocument(requestId: \"999999\", fullName: \"Carla\", password: \"a portal password\") { id } }".into(), [Unauthenticated, Unauthenticated, NotFound]),
        ("declineSignature", "mutation { declineSignature(requestId: \"999999\", reason: \"No\") { id } }".into(), [Unauthenticated, Unauthenticated, NotFound]),
        ("cases", "{ cases { totalCount edges { node { id } } } }".into(), user),
        ("case", format!("{{ case(id: \"{case}\") {{ id subject }} }}"), user),
        ("indicators", "{ indicators { key } }".into(), user),
        ("createCase", "mutation { createCase(input: {subject: \"From the portal\"}) { id } }".into(), user),
        ("switchOrganisation", format!("mutation {{ switchOrganisation(id: \"{org}\") {{ currentOrganisation {{ id }} }} }}"), user),
        ("setMyTimeZone", "mutation { setMyTimeZone(timeZone: \"America/Mexico_City\") }".into(), user),
        ("logout", "mutation { logout }".into(), user),
        ("login", "mutation { login(email: \"carla@example.com\", password: \"wrong password\") { token } }".into(), [Unauthenticated; 3]),
        ("acceptInvitation", "mutation { acceptInvitation(token: \"pin_nothing\", password: \"a long password\") { token } }".into(), [Validation; 3]),
        ("resetPassword", "mutation { resetPassword(token: \"prs_nothing\", password: \"a long password\") { token } }".into(), [Validation; 3]),
        ("documents", format!("{{ documents(caseId: \"{case}\") {{ id }} }}"), user),
        ("folders", format!("{{ folders(caseId: \"{case}\") {{ id }} }}"), user),
        ("uploadDocument", format!("mutation($file: Upload!) {{ uploadDocument(caseId: \"{case}\", file: $file) {{ id }} }}"), user),
        ("caseMessages", format!("{{ caseMessages(caseId: \"{case}\") {{ id body }} }}"), user),
        ("postCaseMessage", format!("mutation {{ postCaseMessage(caseId: \"{case}\", body: \"Hello\") {{ id }} }}"), user),
        ("editCaseMessage", "mutation { editCaseMessage(id: \"999999\", body: \"x\") { id } }".into(), [Unauthenticated, Unauthenticated, NotFound]),
        ("deleteCaseMessage", "mutation { deleteCaseMessage(id: \"999999\") { id } }".into(), [Unauthenticated, Unauthenticated, NotFound]),
        ("markCaseMessagesRead", format!("mutation {{ markCaseMessagesRead(caseId: \"{case}\") }}"), user),
        ("notificationSettings", "{ notificationSettings { kind delivery } }".into(), user),
        ("updateNotificationSettings", "mutation { updateNotificationSettings(settings: [{kind: STATUS_CHANGED, delivery: NOW}]) { kind delivery } }".into(), user),
        ("requestPasswordReset", "mutation { requestPasswordReset(email: \"someone@example.com\") }".into(), [Allowed; 3]),
    ]
}

fn outcome(body: &Value, what: &str) -> Expect {
    match body.get("errors") {
        None => Allowed,
        Some(errors) => match code(&errors[0]) {
            "UNAUTHENTICATED" => Unauthenticated,
            "NOT_FOUND" => NotFound,
            "VALIDATION" => Validation,
            other => panic!("{what}: unexpected {other}: {body}"),
        },
    }
}

#[tokio::test]
async fn every_portal_operation_for_every_role() {
    let t = portal_app().await;
    let org = t
        .create_contact(json!({"name": "Acme", "kind": "ORGANISATION"}))
        .await;
    let carla = t
        .create_contact(json!({"name": "Carla", "email": "carla@example.com"}))
        .await;
    let dan = t
        .create_contact(json!({"name": "Dan", "email": "dan@example.com"}))
        .await;
    t.manager
        .ok(
            "mutation($i: ID!, $o: ID!) { addRelationship(individualId: $i, organisationId: $o) { id } }",
            json!({"i": carla, "o": org}),
        )
        .await;
    let mine = t
        .create_case(json!({"subject": "Mine", "client": org}))
        .await;
    let theirs = t
        .create_case(json!({"subject": "Theirs", "client": dan}))
        .await;
    t.link(&mine, &carla).await;
    t.link(&theirs, &dan).await;
    t.set_access(&mine, &carla, true, true).await;
    t.set_access(&theirs, &dan, true, true).await;
    let carla_portal = t.accept_mailed("carla@example.com", 1).await;
    let dan_portal = t.accept_mailed("dan@example.com", 1).await;

    // Every root field of the portal schema has a row.
    let d = carla_portal
        .ok("{ q: __type(name: \"Query\") { fields { name } } m: __type(name: \"Mutation\") { fields { name } } }", json!({}))
        .await;
    let rows = table(&mine, &org);
    for t in ["q", "m"] {
        for f in d[t]["fields"].as_array().unwrap() {
            let name = f["name"].as_str().unwrap();
            assert!(
                rows.iter().any(|r| r.0 == name),
                "`{name}` has no row in the portal table"
            );
        }
    }

    let staff_token = t
        .app
        .portal()
        .with_token(t.app.admin.token.as_deref().unwrap());
    for (role, who) in ["anonymous", "staff token", "portal user"]
        .iter()
        .enumerate()
    {
        for (op, doc, expect) in table(&mine, &org) {
            let client: Client = match role {
                0 => t.app.portal(),
                1 => staff_token.clone(),
                // Each logout ends a session of its own.
                _ if op == "logout" => {
                    let s = t
                        .app
                        .portal()
                        .ok("mutation($p: String!) { login(email: \"carla@example.com\", password: $p) { token } }", json!({"p": PASSWORD}))
                        .await;
                    t.app
                        .portal()
                        .with_token(s["login"]["token"].as_str().unwrap())
                }
                _ => carla_portal.clone(),
            };
            let body = if doc.contains("$file") {
                client
                    .upload_raw(&doc, json!({}), "note.txt", "text/plain", b"note")
                    .await
                    .1
            } else {
                client.raw(&doc, json!({})).await
            };
            assert_eq!(
                outcome(&body, &format!("{who} {op}")),
                expect[role],
                "{who} {op}: {body}"
            );
        }
    }

    // Another contact's case: not found, by id and in the list.
    let body = carla_portal
        .raw(
            "query($id: ID!) { case(id: $id) { id } }",
            json!({"id": theirs}),
        )
        .await;
    assert_eq!(outcome(&body, "other's case"), NotFound, "{body}");
    let list = carla_portal
        .ok("{ cases { edges { node { id } } } }", json!({}))
        .await;
    assert!(
        !list.to_string().contains(&format!("\"{theirs}\"")),
        "{list}"
    );
    // Dan sees his, not Carla's.
    let body = dan_portal
        .raw(
            "query($id: ID!) { case(id: $id) { id } }",
            json!({"id": mine}),
        )
        .await;
    assert_eq!(outcome(&body, "dan on carla's"), NotFound, "{body}");
    // Dan may not switch to Carla's organisation.
    let body = dan_portal
        .raw(
            "mutation($id: ID!) { switchOrganisation(id: $id) { currentOrganisation { id } } }",
            json!({"id": org}),
        )
        .await;
    assert_eq!(outcome(&body, "dan switching"), NotFound, "{body}");

    // Revoked access: the case is gone from the list and by id.
    t.set_access(&theirs, &dan, false, false).await;
    let body = dan_portal
        .raw(
            "query($id: ID!) { case(id: $id) { id } }",
            json!({"id": theirs}),
        )
        .await;
    assert_eq!(outcome(&body, "revoked"), NotFound, "{body}");
    let count = dan_portal.ok("{ cases { totalCount } }", json!({})).await;
    assert_eq!(count["cases"]["totalCount"], 0);

    // An expired session is anonymous.
    t.app
        .sql("UPDATE sessions SET expires_at = 1 WHERE audience = 'portal'")
        .await;
    // Sessions are cached per process until the auth version moves; a logout elsewhere moves it.
    t.manager.ok("mutation { logout }", json!({})).await;
    let body = carla_portal
        .raw("{ me { contact { id } } }", json!({}))
        .await;
    assert_eq!(outcome(&body, "expired session"), Unauthenticated, "{body}");
}

#[tokio::test]
async fn guessing_links_is_rate_limited_per_address() {
    let t = portal_app().await;
    let guess = "mutation($t: String!) { resetPassword(token: $t, password: \"a long password\") { token } }";
    // 50 bad links from one address within 15 minutes, then no more attempts at all.
    for i in 0..50 {
        let e = t
            .app
            .portal()
            .err(guess, json!({"t": format!("prs_{i:064x}")}))
            .await;
        assert_eq!(code(&e), "VALIDATION", "attempt {i}: {e}");
    }
    let e = t.app.portal().err(guess, json!({"t": "prs_0"})).await;
    assert_eq!(code(&e), "RATE_LIMITED");
    let e = t
        .app
        .portal()
        .err("mutation { acceptInvitation(token: \"pin_0\", password: \"a long password\") { token } }", json!({}))
        .await;
    assert_eq!(code(&e), "RATE_LIMITED");
}
