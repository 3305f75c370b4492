//! The client portal end to end, with mail through a real SMTP server on loopback: invitations
//! (now, later, re-sent, expired), portal accounts and sessions, password resets, per-case
//! access with its emails and audit trail, and the portal's own GraphQL endpoint.

use crate::helpers::{App, Client, code, spawn_app_with};
use crate::smtp::{Received, SmtpServer};
use serde_json::{Value, json};
use std::time::Duration;

/// Every email link starts here (`PORTICO_PUBLIC_URL`).
pub const PUBLIC: &str = "http://portal.example.test";
pub const PASSWORD: &str = "a portal password";

pub struct PortalApp {
    pub app: App,
    pub smtp: SmtpServer,
    /// A staff user in a permission group with the portal setting.
    pub manager: Client,
}

/// A server mailing through a loopback SMTP server, with the "Portal user" field activated
/// and a manager allowed to give portal access.
pub async fn portal_app() -> PortalApp {
    portal_app_with(&[]).await
}

/// The same, with more of the server's environment (a limit, say).
pub async fn portal_app_with(extra_env: &[(&str, &str)]) -> PortalApp {
    let smtp = SmtpServer::start().await;
    let smtp_url = smtp.url();
    let mut env = vec![
        ("PORTICO_SMTP_URL", smtp_url.as_str()),
        ("PORTICO_PUBLIC_URL", PUBLIC),
    ];
    env.extend_from_slice(extra_env);
    let app = spawn_app_with(&env).await;
    app.admin
        .ok(
            r#"mutation { updateFieldDefinition(entity: CONTACT, key: "portalUser", input: {active: true}) { active } }"#,
            json!({}),
        )
        .await;
    let group = app
        .admin
        .ok(
            r#"mutation { createPermissionGroup(input: {name: "Portal", portalAccess: true}) { id } }"#,
            json!({}),
        )
        .await["createPermissionGroup"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let manager = app.staff("manager@example.com", &[&group]).await;
    PortalApp { app, smtp, manager }
}

pub fn id(v: &Value) -> String {
    v["id"].as_str().expect("an id").to_owned()
}

fn token_of(link: &str) -> String {
    link.rsplit('/').next().unwrap_or_default().to_owned()
}

impl PortalApp {
    pub fn to(&self, address: &str) -> Vec<Received> {
        self.smtp
            .messages()
            .into_iter()
            .filter(|m| m.to.iter().any(|t| t.contains(address)))
            .collect()
    }

    /// Waits (the worker polls every 2 s) for the `n`th message to `address`, counting from 1.
    pub async fn mail(&self, address: &str, n: usize) -> Received {
        for _ in 0..200 {
            let got = self.to(address);
            if got.len() >= n {
                return got[n - 1].clone();
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("no message {n} to {address}: {:?}", self.smtp.messages());
    }

    pub async fn create_contact(&self, input: Value) -> String {
        id(&self
            .manager
            .ok(
                "mutation($i: CreateContactInput!) { createContact(input: $i) { id } }",
                json!({ "i": input }),
            )
            .await["createContact"])
    }

    pub async fn create_case(&self, input: Value) -> String {
        id(&self
            .manager
            .ok(
                "mutation($i: CreateCaseInput!) { createCase(input: $i) { id } }",
                json!({ "i": input }),
            )
            .await["createCase"])
    }

    pub async fn link(&self, case: &str, contact: &str) {
        self.manager
            .ok(
                "mutation($c: ID!, $p: ID!) { addCaseContact(caseId: $c, contactId: $p) { id } }",
                json!({"c": case, "p": contact}),
            )
            .await;
    }

    pub async fn set_access(&self, case: &str, contact: &str, enabled: bool, download: bool) {
        self.manager
            .ok(
                "mutation($c: ID!, $p: ID!, $e: Boolean!, $d: Boolean!) { setPortalAccess(caseId: $c, contactId: $p, enabled: $e, canDownload: $d) { enabled } }",
                json!({"c": case, "p": contact, "e": enabled, "d": download}),
            )
            .await;
    }

    /// Accepts the invitation behind `link` and answers a portal client signed in with it.
    pub async fn accept(&self, link: &str) -> Client {
        let data = self
            .app
            .portal()
            .ok(
                "mutation($t: String!, $p: String!) { acceptInvitation(token: $t, password: $p) { token } }",
                json!({"t": token_of(link), "p": PASSWORD}),
            )
            .await;
        self.app
            .portal()
            .with_token(data["acceptInvitation"]["token"].as_str().unwrap())
    }

    /// Accepts the invitation in the `n`th email to `address` (counting from 1).
    pub async fn accept_mailed(&self, address: &str, n: usize) -> Client {
        let link = self
            .mail(address, n)
            .await
            .link(&format!("{PUBLIC}/portal/invitation/"));
        self.accept(&link).await
    }

    pub async fn status(&self, contact: &str) -> Value {
        self.manager
            .ok(
                "query($id: ID!) { contact(id: $id) { portalInvitation { status sentAt acceptedAt } } }",
                json!({"id": contact}),
            )
            .await["contact"]["portalInvitation"]
            .clone()
    }
}

const ACCEPT: &str =
    "mutation($t: String!, $p: String!) { acceptInvitation(token: $t, password: $p) { token } }";
const LOGIN: &str =
    "mutation($e: String!, $p: String!) { login(email: $e, password: $p) { token expiresAt } }";

#[tokio::test]
async fn invitations_accounts_and_password_resets() {
    let t = portal_app().await;
    let invitation = format!("{PUBLIC}/portal/invitation/");

    // Send now (the default): the invitation goes out, in the contact's language.
    let ana = t
        .create_contact(json!({"name": "Ana", "email": "ana@example.com", "language": "EN", "portalUser": true}))
        .await;
    let mail = t.mail("ana@example.com", 1).await;
    assert!(
        mail.data
            .contains("Subject: Your access to the client portal")
    );
    let ana_link = mail.link(&invitation);
    assert_eq!(t.status(&ana).await["status"], "SENT");

    // Send later: nothing goes out until staff send it.
    let ben = t
        .create_contact(json!({"name": "Ben", "email": "ben@example.com"}))
        .await;
    let later = t
        .manager
        .ok(
            "mutation($id: ID!) { updateContact(id: $id, input: {portalUser: true}, sendInvitation: LATER) { portalUser } }",
            json!({"id": ben}),
        )
        .await;
    assert_eq!(later["updateContact"]["portalUser"], true);
    let status = t.status(&ben).await;
    assert_eq!(status["status"], "NOT_SENT");
    assert!(status["sentAt"].is_null());
    let send = "mutation($id: ID!) { sendPortalInvitation(contactId: $id) { status sentAt } }";
    let sent = t.manager.ok(send, json!({"id": ben})).await;
    assert_eq!(sent["sendPortalInvitation"]["status"], "SENT");
    let first = t.mail("ben@example.com", 1).await;
    assert!(
        first
            .data
            .contains("Subject: Su acceso al portal de clientes")
    );
    // Re-sending keeps the first link working: a client may open either email first.
    t.manager.ok(send, json!({"id": ben})).await;
    let second = t.mail("ben@example.com", 2).await;
    let (old, new) = (first.link(&invitation), second.link(&invitation));
    assert_ne!(old, new);
    // A weak password is refused, and the link still works afterwards.
    let e = t
        .app
        .portal()
        .err(ACCEPT, json!({"t": token_of(&old), "p": "short"}))
        .await;
    assert_eq!(e["extensions"]["field"], "password");
    let ben_portal = t.accept(&old).await;
    let status = t.status(&ben).await;
    assert_eq!(status["status"], "ACCEPTED");
    assert!(status["acceptedAt"].is_string());
    // Once the account is set up, no invitation sets its password again: the one used and
    // the one still unread are both spent.
    for link in [&old, &new] {
        let e = t
            .app
            .portal()
            .err(ACCEPT, json!({"t": token_of(link), "p": PASSWORD}))
            .await;
        assert_eq!(code(&e), "VALIDATION");
        assert_eq!(e["extensions"]["field"], "token");
    }

    let me = ben_portal
        .ok(
            "{ me { contact { name email } organisations { id } currentOrganisation { id } } }",
            json!({}),
        )
        .await;
    assert_eq!(me["me"]["contact"]["email"], "ben@example.com");
    assert_eq!(me["me"]["organisations"], json!([]));

    // Portal and staff sessions do not cross.
    let staff_with_portal_token =
        Client::new(&t.app.server.url).with_token(ben_portal.token.as_deref().unwrap());
    assert_eq!(
        code(
            &staff_with_portal_token
                .err("{ me { id } }", json!({}))
                .await
        ),
        "UNAUTHENTICATED"
    );
    let portal_with_staff_token = t
        .app
        .portal()
        .with_token(t.manager.token.as_deref().unwrap());
    assert_eq!(
        code(
            &portal_with_staff_token
                .err("{ me { contact { id } } }", json!({}))
                .await
        ),
        "UNAUTHENTICATED"
    );

    // Login and logout, case-insensitive email.
    let login = t
        .app
        .portal()
        .ok(LOGIN, json!({"e": "BEN@example.com", "p": PASSWORD}))
        .await;
    let second_session = t
        .app
        .portal()
        .with_token(login["login"]["token"].as_str().unwrap());
    assert_eq!(
        second_session.ok("mutation { logout }", json!({})).await["logout"],
        true
    );
    assert_eq!(
        code(
            &second_session
                .err("{ me { contact { id } } }", json!({}))
                .await
        ),
        "UNAUTHENTICATED"
    );
    ben_portal.ok("{ me { contact { id } } }", json!({})).await;

    // An expired invitation: the link fails and staff see EXPIRED.
    t.app
        .sql(&format!(
            "UPDATE portal_tokens SET expires_at = 1 WHERE contact_id = {ana}; UPDATE portal_accounts SET invitation_expires_at = 1 WHERE contact_id = {ana}"
        ))
        .await;
    let e = t
        .app
        .portal()
        .err(ACCEPT, json!({"t": token_of(&ana_link), "p": PASSWORD}))
        .await;
    assert_eq!(code(&e), "VALIDATION");
    assert_eq!(t.status(&ana).await["status"], "EXPIRED");
    // Re-sending gives a working link again.
    t.manager.ok(send, json!({"id": ana})).await;
    let ana_portal = t.accept_mailed("ana@example.com", 2).await;
    ana_portal.ok("{ me { contact { id } } }", json!({})).await;

    // Password reset: the same answer for unknown addresses, and mail only to real ones.
    let reset = "mutation($e: String!) { requestPasswordReset(email: $e) }";
    for email in ["nobody@example.com", "Ben@Example.com"] {
        let d = t.app.portal().ok(reset, json!({"e": email})).await;
        assert_eq!(d["requestPasswordReset"], true);
    }
    let reset_mail = t.mail("ben@example.com", 3).await;
    let reset_link = reset_mail.link(&format!("{PUBLIC}/portal/reset/"));
    let d = t
        .app
        .portal()
        .ok(
            "mutation($t: String!, $p: String!) { resetPassword(token: $t, password: $p) { token } }",
            json!({"t": token_of(&reset_link), "p": "a brand new password"}),
        )
        .await;
    assert!(d["resetPassword"]["token"].is_string());
    // The old password and the old session are gone.
    assert_eq!(
        code(&ben_portal.err("{ me { contact { id } } }", json!({})).await),
        "UNAUTHENTICATED"
    );
    let e = t
        .app
        .portal()
        .err(LOGIN, json!({"e": "ben@example.com", "p": PASSWORD}))
        .await;
    assert_eq!(code(&e), "UNAUTHENTICATED");
    t.app
        .portal()
        .ok(
            LOGIN,
            json!({"e": "ben@example.com", "p": "a brand new password"}),
        )
        .await;
    assert!(t.to("nobody@example.com").is_empty());

    // Guessing passwords: past the limit even the right one is refused.
    for _ in 0..5 {
        let e = t
            .app
            .portal()
            .err(
                LOGIN,
                json!({"e": "ana@example.com", "p": "wrong password"}),
            )
            .await;
        assert_eq!(code(&e), "UNAUTHENTICATED");
    }
    let e = t
        .app
        .portal()
        .err(LOGIN, json!({"e": "ana@example.com", "p": PASSWORD}))
        .await;
    assert_eq!(code(&e), "RATE_LIMITED");

    // Switching the portal user off ends their sessions and their logins.
    t.manager
        .ok(
            "mutation($id: ID!) { updateContact(id: $id, input: {portalUser: false}) { id } }",
            json!({"id": ana}),
        )
        .await;
    assert_eq!(
        code(&ana_portal.err("{ me { contact { id } } }", json!({})).await),
        "UNAUTHENTICATED"
    );

    // Staff without the portal setting may neither switch nor invite.
    let plain = t.app.staff("plain@example.com", &[]).await;
    let e = plain
        .err(
            "mutation($id: ID!) { updateContact(id: $id, input: {portalUser: true}) { id } }",
            json!({"id": ana}),
        )
        .await;
    assert_eq!(code(&e), "FORBIDDEN");
    assert_eq!(
        code(&plain.err(send, json!({"id": ben})).await),
        "FORBIDDEN"
    );
    // Inviting a contact who is not a portal user is refused.
    let e = t.manager.err(send, json!({"id": ana})).await;
    assert_eq!(code(&e), "NOT_QUALIFIED");
}

#[tokio::test]
async fn case_access_organisations_and_portal_cases() {
    let t = portal_app().await;
    let acme = t
        .create_contact(json!({"name": "Acme", "kind": "ORGANISATION"}))
        .await;
    let beta = t
        .create_contact(json!({"name": "Beta", "kind": "ORGANISATION"}))
        .await;
    let carla = t
        .create_contact(json!({"name": "Carla", "email": "carla@example.com", "language": "EN"}))
        .await;
    let dan = t
        .create_contact(json!({"name": "Dan", "email": "dan@example.com"}))
        .await;
    let eve = t.create_contact(json!({"name": "Eve"})).await;
    for org in [&acme, &beta] {
        t.manager
            .ok(
                "mutation($i: ID!, $o: ID!) { addRelationship(individualId: $i, organisationId: $o) { id } }",
                json!({"i": carla, "o": org}),
            )
            .await;
    }
    let case1 = t
        .create_case(json!({"subject": "Acme invoice", "client": acme}))
        .await;
    let case2 = t
        .create_case(json!({"subject": "Beta audit", "client": beta}))
        .await;
    let case3 = t
        .create_case(json!({"subject": "Dan's own", "client": dan}))
        .await;
    t.link(&case1, &carla).await;
    t.link(&case1, &eve).await;
    t.link(&case2, &carla).await;

    // Candidates: linked contacts with an email (not Eve, not the org without one).
    let c = t
        .manager
        .ok(
            "query($c: ID!) { portalCandidates(caseId: $c) { contact { id name } access { enabled canDownload } sharedDocumentCount } }",
            json!({"c": case1}),
        )
        .await;
    assert_eq!(
        c["portalCandidates"],
        json!([{"contact": {"id": carla, "name": "Carla"}, "access": {"enabled": false, "canDownload": false}, "sharedDocumentCount": 0}])
    );
    // Only linked contacts can be given access.
    let e = t
        .manager
        .err(
            "mutation($c: ID!, $p: ID!) { setPortalAccess(caseId: $c, contactId: $p, enabled: true, canDownload: false) { enabled } }",
            json!({"c": case1, "p": dan}),
        )
        .await;
    assert_eq!(code(&e), "VALIDATION");
    assert_eq!(e["extensions"]["field"], "contactId");

    // Granting emails a link to the case, with an invitation while Carla has no password.
    t.set_access(&case1, &carla, true, true).await;
    let mail = t.mail("carla@example.com", 1).await;
    assert!(
        mail.text()
            .contains(&format!("{PUBLIC}/portal/cases/{case1}")),
        "{}",
        mail.text()
    );
    let carla_portal = t
        .accept(&mail.link(&format!("{PUBLIC}/portal/invitation/")))
        .await;
    // Someone who can sign in hears of another case in the day's digest by default; Carla
    // asks to hear at once.
    carla_portal
        .ok(
            "mutation { updateNotificationSettings(settings: [{kind: CASE_ACCESS, delivery: NOW}]) { kind } }",
            json!({}),
        )
        .await;
    t.set_access(&case2, &carla, true, false).await;
    // Carla has a password now: the second grant's email has no invitation in it.
    let second = t.mail("carla@example.com", 2).await;
    assert!(second.text().contains(&format!("/portal/cases/{case2}")));
    assert!(
        !second.text().contains("/portal/invitation/"),
        "{}",
        second.text()
    );
    t.link(&case3, &dan).await;
    t.set_access(&case3, &dan, true, false).await;

    // The audit log says who gave access, and when.
    let log = t
        .manager
        .ok(
            "query($id: ID!) { auditLog(entity: CASE, id: $id) { at actor { name } action detail } }",
            json!({"id": case1}),
        )
        .await;
    let granted = log["auditLog"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["action"] == "portal_access_granted")
        .expect("a grant in the audit log")
        .clone();
    assert_eq!(granted["actor"]["name"], "manager@example.com");
    assert!(granted["at"].is_string());
    let candidates = t
        .manager
        .ok(
            "query($c: ID!) { portalCandidates(caseId: $c) { access { enabled canDownload } } }",
            json!({"c": case1}),
        )
        .await;
    assert_eq!(
        candidates["portalCandidates"][0]["access"],
        json!({"enabled": true, "canDownload": true})
    );

    // Organisations: Acme is current (first by name); the list follows it.
    let me = carla_portal
        .ok(
            "{ me { organisations { name } currentOrganisation { name } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        me["me"]["organisations"],
        json!([{"name": "Acme"}, {"name": "Beta"}])
    );
    assert_eq!(me["me"]["currentOrganisation"]["name"], "Acme");
    let list = "{ cases { totalCount edges { node { id subject status number } } } }";
    let subjects = |v: &Value| -> Vec<String> {
        v["cases"]["edges"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["node"]["subject"].as_str().unwrap().to_owned())
            .collect()
    };
    let got = carla_portal.ok(list, json!({})).await;
    assert_eq!(subjects(&got), ["Acme invoice"]);
    assert_eq!(got["cases"]["totalCount"], 1);
    let switched = carla_portal
        .ok(
            "mutation($id: ID!) { switchOrganisation(id: $id) { currentOrganisation { name } } }",
            json!({"id": beta}),
        )
        .await;
    assert_eq!(
        switched["switchOrganisation"]["currentOrganisation"]["name"],
        "Beta"
    );
    assert_eq!(
        subjects(&carla_portal.ok(list, json!({})).await),
        ["Beta audit"]
    );
    // Not an organisation of hers.
    let e = carla_portal
        .err(
            "mutation($id: ID!) { switchOrganisation(id: $id) { currentOrganisation { name } } }",
            json!({"id": dan}),
        )
        .await;
    assert_eq!(code(&e), "NOT_FOUND");
    // Another contact's case, and a case of her other organisation, are not found.
    for other in [&case3, &case1] {
        let e = carla_portal
            .err(
                "query($id: ID!) { case(id: $id) { id } }",
                json!({"id": other}),
            )
            .await;
        assert_eq!(code(&e), "NOT_FOUND", "{other}");
    }
    let one = carla_portal
        .ok(
            "query($id: ID!) { case(id: $id) { subject status } }",
            json!({"id": case2}),
        )
        .await;
    assert_eq!(
        one["case"],
        json!({"subject": "Beta audit", "status": "OPEN"})
    );

    // Filtering by status.
    t.manager
        .ok(
            "mutation($id: ID!) { updateCase(id: $id, input: {status: IN_PROGRESS}) { id } }",
            json!({"id": case2}),
        )
        .await;
    let open = carla_portal
        .ok("{ cases(status: [OPEN]) { totalCount } }", json!({}))
        .await;
    assert_eq!(open["cases"]["totalCount"], 0);
    let busy = carla_portal
        .ok("{ cases(status: [IN_PROGRESS, WAITING_FOR_RESPONSE]) { totalCount edges { node { subject } } } }", json!({}))
        .await;
    assert_eq!(busy["cases"]["totalCount"], 1);

    // Opening a case on the portal: portal-editable fields only; client and owner are set.
    let e = carla_portal
        .err(
            "mutation { createCase(input: {subject: \"X\", status: CLOSED}) { id } }",
            json!({}),
        )
        .await;
    assert_eq!(code(&e), "VALIDATION");
    let created = carla_portal
        .ok(
            "mutation { createCase(input: {subject: \"Need help\", description: \"Details\"}) { id subject status } }",
            json!({}),
        )
        .await;
    let new_case = id(&created["createCase"]);
    assert_eq!(created["createCase"]["status"], "OPEN");
    let staff_view = t
        .manager
        .ok(
            "query($id: ID!) { case(id: $id) { client { id name } owner { name } } }",
            json!({"id": new_case}),
        )
        .await;
    assert_eq!(staff_view["case"]["client"]["id"], beta);
    assert_eq!(staff_view["case"]["owner"]["name"], "Administrator");
    assert_eq!(
        subjects(&carla_portal.ok(list, json!({})).await),
        ["Need help", "Beta audit"]
    );

    // Revoking hides the case at once.
    t.set_access(&case2, &carla, false, false).await;
    assert_eq!(
        subjects(&carla_portal.ok(list, json!({})).await),
        ["Need help"]
    );
    let e = carla_portal
        .err(
            "query($id: ID!) { case(id: $id) { id } }",
            json!({"id": case2}),
        )
        .await;
    assert_eq!(code(&e), "NOT_FOUND");
    let log = t
        .manager
        .ok(
            "query($id: ID!) { auditLog(entity: CASE, id: $id) { action actor { name } } }",
            json!({"id": case2}),
        )
        .await;
    assert!(log.to_string().contains("portal_access_revoked"), "{log}");

    // An email another contact uses cannot get access.
    let dan_twin = t
        .create_contact(json!({"name": "Dan Twin", "email": "DAN@example.com"}))
        .await;
    t.link(&case1, &dan_twin).await;
    let e = t
        .manager
        .err(
            "mutation($c: ID!, $p: ID!) { setPortalAccess(caseId: $c, contactId: $p, enabled: true, canDownload: false) { enabled } }",
            json!({"c": case1, "p": dan_twin}),
        )
        .await;
    assert_eq!(code(&e), "PORTAL_EMAIL_CONFLICT");
    assert_eq!(
        e["extensions"]["contacts"],
        json!([{"id": dan, "name": "Dan"}])
    );

    // Indicators for the current organisation (Acme again).
    carla_portal
        .ok(
            "mutation($id: ID!) { switchOrganisation(id: $id) { currentOrganisation { name } } }",
            json!({"id": acme}),
        )
        .await;
    for (name, stage, amount) in [
        ("D1", "PROSPECTING", 100.0),
        ("D2", "WON", 50.5),
        ("D3", "WON", 10.0),
    ] {
        t.manager
            .ok(
                "mutation($i: CreateDealInput!) { createDeal(input: $i) { id } }",
                json!({"i": {"name": name, "stage": stage, "amount": amount, "client": acme}}),
            )
            .await;
    }
    t.manager
        .ok(
            "mutation($i: CreateDealInput!) { createDeal(input: $i) { id } }",
            json!({"i": {"name": "Other", "client": beta}}),
        )
        .await;
    let ind = carla_portal
        .ok(
            "{ indicators { key title buckets { label count amount } } }",
            json!({}),
        )
        .await;
    let by_key = |k: &str| -> Value {
        ind["indicators"]
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["key"] == k)
            .unwrap_or_else(|| panic!("no {k} in {ind}"))["buckets"]
            .clone()
    };
    let cases = by_key("casesByStatus");
    assert_eq!(
        cases[0],
        json!({"label": "Open", "count": 1, "amount": null})
    );
    assert_eq!(cases.as_array().unwrap().len(), 4);
    let stages = by_key("dealsByStage");
    assert_eq!(
        stages[0],
        json!({"label": "Prospecting", "count": 1, "amount": 100.0})
    );
    assert_eq!(
        stages[4],
        json!({"label": "Won", "count": 2, "amount": 60.5})
    );
    assert_eq!(
        by_key("dealsByOwner"),
        json!([{"label": "manager@example.com", "count": 3, "amount": 160.5}])
    );
}

#[tokio::test]
async fn the_portal_schema_follows_the_portal_field_setting() {
    let t = portal_app().await;
    let carla = t
        .create_contact(json!({"name": "Carla", "email": "carla@example.com", "portalUser": true}))
        .await;
    let portal = t.accept_mailed("carla@example.com", 1).await;
    let _ = carla;
    let fields = |name: &'static str| {
        let portal = portal.clone();
        async move {
            let q =
                "query($n: String!) { __type(name: $n) { fields { name } inputFields { name } } }";
            let t = portal.ok(q, json!({"n": name})).await["__type"].clone();
            let list = if t["fields"].is_array() {
                &t["fields"]
            } else {
                &t["inputFields"]
            };
            list.as_array()
                .unwrap()
                .iter()
                .map(|f| f["name"].as_str().unwrap().to_owned())
                .collect::<Vec<_>>()
        }
    };
    let case_fields = fields("Case").await;
    for f in [
        "id",
        "number",
        "subject",
        "description",
        "status",
        "createdAt",
    ] {
        assert!(
            case_fields.contains(&f.to_owned()),
            "{f} in {case_fields:?}"
        );
    }
    // Staff-only fields stay out.
    for f in ["owner", "client", "contacts"] {
        assert!(
            !case_fields.contains(&f.to_owned()),
            "{f} in {case_fields:?}"
        );
    }
    assert_eq!(fields("CreateCaseInput").await, ["subject", "description"]);

    t.app
        .admin
        .ok(
            r#"mutation { createFieldDefinition(input: {entity: CASE, key: "orderRef", label: "Order reference", type: TEXT}) { id } }"#,
            json!({}),
        )
        .await;
    assert!(!fields("Case").await.contains(&"orderRef".to_owned()));
    let tick = |visible: bool, editable: bool| {
        let admin = t.app.admin.clone();
        async move {
            admin
                .ok(
                    "mutation($v: Boolean!, $e: Boolean!) { updateFieldDefinition(entity: CASE, key: \"orderRef\", input: {portalVisible: $v, portalEditable: $e}) { id } }",
                    json!({"v": visible, "e": editable}),
                )
                .await;
        }
    };
    tick(true, true).await;
    assert!(fields("Case").await.contains(&"orderRef".to_owned()));
    assert!(
        fields("CreateCaseInput")
            .await
            .contains(&"orderRef".to_owned())
    );
    let created = portal
        .ok(
            "mutation { createCase(input: {subject: \"S\", orderRef: \"PO-7\"}) { orderRef } }",
            json!({}),
        )
        .await;
    assert_eq!(created["createCase"]["orderRef"], "PO-7");
    // The list reads the custom values when a custom field is asked for, and only then.
    let listed = portal
        .ok(
            "{ cases { edges { node { subject orderRef } } } }",
            json!({}),
        )
        .await;
    assert_eq!(listed["cases"]["edges"][0]["node"]["orderRef"], "PO-7");
    tick(false, false).await;
    assert!(!fields("Case").await.contains(&"orderRef".to_owned()));
    assert!(
        !fields("CreateCaseInput")
            .await
            .contains(&"orderRef".to_owned())
    );
}

#[tokio::test]
async fn admins_override_email_templates() {
    let t = portal_app().await;
    let list = t
        .app
        .admin
        .ok(
            "{ emailTemplates { kind language subject customised } }",
            json!({}),
        )
        .await;
    let list = list["emailTemplates"].as_array().unwrap().clone();
    // Every kind in both languages.
    assert_eq!(list.len(), 26);
    assert!(list.iter().all(|t| t["customised"] == false));
    assert!(
        list.iter()
            .any(|t| t["kind"] == "CASE_ACCESS" && t["language"] == "ES")
    );

    let update = "mutation($s: String!, $h: String!, $t: String!) { updateEmailTemplate(kind: INVITATION, language: EN, input: {subject: $s, html: $h, text: $t}) { subject customised updatedAt } }";
    // Staff other than admins may not touch them.
    let e = t
        .manager
        .err("{ emailTemplates { kind } }", json!({}))
        .await;
    assert_eq!(code(&e), "FORBIDDEN");
    // A template that does not render is refused, naming the part.
    let e = t
        .app
        .admin
        .err(
            update,
            json!({"s": "Hi", "h": "<p>{{ contact_name </p>", "t": "{{ link }}"}),
        )
        .await;
    assert_eq!(code(&e), "VALIDATION");
    assert_eq!(e["extensions"]["field"], "html");
    // The editor's preview: rendered with sample data, errors by part, nothing stored.
    let preview = "query($s: String!, $h: String!, $t: String!) { previewEmailTemplate(kind: INVITATION, language: EN, input: {subject: $s, html: $h, text: $t}) { subject html text } }";
    let shown = t
        .app
        .admin
        .ok(
            preview,
            json!({"s": "Hello {{ contact_name }}", "h": "<p>{{ contact_name }}, {{ email }}</p>", "t": "{{ link }}"}),
        )
        .await;
    assert_eq!(shown["previewEmailTemplate"]["subject"], "Hello Ana López");
    assert_eq!(
        shown["previewEmailTemplate"]["html"],
        "<p>Ana López, ana@example.com</p>"
    );
    assert!(
        shown["previewEmailTemplate"]["text"]
            .as_str()
            .unwrap()
            .contains("/portal/invitation/")
    );
    let e = t
        .app
        .admin
        .err(preview, json!({"s": "{% if %}", "h": "", "t": ""}))
        .await;
    assert_eq!(
        (code(&e), e["extensions"]["field"].as_str()),
        ("VALIDATION", Some("subject"))
    );
    let stored = t
        .app
        .admin
        .ok("{ emailTemplates { customised } }", json!({}))
        .await;
    assert!(!stored.to_string().contains("true"), "{stored}");
    let done = t
        .app
        .admin
        .ok(
            update,
            json!({
                "s": "Welcome, {{ contact_name }}",
                "h": "<p>Hi {{ contact_name }}: <a href=\"{{ link }}\">start here</a></p>",
                "t": "Hi {{ contact_name }}, start here: {{ link }}",
            }),
        )
        .await;
    assert_eq!(done["updateEmailTemplate"]["customised"], true);

    // The next English invitation uses it, autoescaped in HTML; Spanish keeps the built-in.
    t.create_contact(json!({"name": "Ann <b>", "email": "ann@example.com", "language": "EN", "portalUser": true}))
        .await;
    t.create_contact(json!({"name": "Ana", "email": "ana@example.com", "portalUser": true}))
        .await;
    let en = t.mail("ann@example.com", 1).await;
    assert!(en.data.contains("Subject: Welcome, Ann <b>"), "{}", en.data);
    assert!(en.html().contains("Hi Ann &lt;b&gt;:"), "{}", en.html());
    assert!(
        en.text()
            .starts_with("Hi Ann <b>, start here: http://portal.example.test/portal/invitation/")
    );
    let es = t.mail("ana@example.com", 1).await;
    assert!(es.data.contains("Subject: Su acceso al portal de clientes"));

    let reset = t
        .app
        .admin
        .ok("mutation { resetEmailTemplate(kind: INVITATION, language: EN) { subject customised } }", json!({}))
        .await;
    assert_eq!(reset["resetEmailTemplate"]["customised"], false);
    assert!(
        !reset["resetEmailTemplate"]["subject"]
            .as_str()
            .unwrap()
            .contains("Welcome")
    );
}
