//! Findings 5, 7 and parts of 8 of the access review, replayed as they were found: the login
//! limit raced by parallel guesses, an address limit that locked out everyone behind one proxy,
//! sessions and API tokens that outlived password changes and deactivation, concurrent
//! creates of one staff email answering INTERNAL, and password-reset timing that told known
//! addresses from unknown ones.

use crate::helpers::{ADMIN_EMAIL, ADMIN_PASSWORD, Client, code, spawn_app, spawn_app_with};
use serde_json::{Value, json};
use std::time::{Duration, Instant};

const LOGIN: &str =
    "mutation($e: String!, $p: String!) { login(email: $e, password: $p) { token } }";

#[tokio::test]
async fn parallel_wrong_passwords_get_five_checks_per_account() {
    let app = spawn_app().await;
    let anon = app.client();
    // 150 at once, as in the review.
    let attempts = (0..150).map(|_| {
        let anon = anon.clone();
        async move {
            let body = anon
                .raw(LOGIN, json!({"e": ADMIN_EMAIL, "p": "a wrong password"}))
                .await;
            code(&body["errors"][0]).to_owned()
        }
    });
    let codes = futures_util::future::join_all(attempts).await;
    let checked = codes.iter().filter(|c| *c == "UNAUTHENTICATED").count();
    let refused = codes.iter().filter(|c| *c == "RATE_LIMITED").count();
    assert_eq!(checked + refused, 150, "{codes:?}");
    assert!(
        checked <= 5,
        "{checked} wrong passwords were checked: {codes:?}"
    );
    // Locked: even the right password waits for the window.
    let e = anon
        .err(LOGIN, json!({"e": ADMIN_EMAIL, "p": ADMIN_PASSWORD}))
        .await;
    assert_eq!(code(&e), "RATE_LIMITED");
}

#[tokio::test]
async fn a_locked_account_gets_back_in_through_a_reset() {
    let app = spawn_app().await;
    let ana = app.staff("ana@example.com", &[]).await;
    let ana_id = user_id(&ana).await;
    for _ in 0..6 {
        app.client()
            .raw(
                LOGIN,
                json!({"e": "ana@example.com", "p": "a wrong password"}),
            )
            .await;
    }
    let e = app
        .client()
        .err(
            LOGIN,
            json!({"e": "ana@example.com", "p": "a long password"}),
        )
        .await;
    assert_eq!(code(&e), "RATE_LIMITED");
    // Staff: an admin sets a new password.
    app.admin
        .ok(
            "mutation($id: ID!) { updateStaffUser(id: $id, input: {password: \"a fresh long password\"}) { id } }",
            json!({"id": ana_id}),
        )
        .await;
    app.client()
        .login("ana@example.com", "a fresh long password")
        .await;

    // Portal: the mailed reset link.
    let t = crate::portal::portal_app().await;
    let carla = t
        .create_contact(json!({"name": "Carla", "email": "carla@example.com"}))
        .await;
    let case = t.create_case(json!({"subject": "Hers"})).await;
    t.link(&case, &carla).await;
    t.set_access(&case, &carla, true, true).await;
    t.accept_mailed("carla@example.com", 1).await;
    let anon = t.app.portal();
    for _ in 0..6 {
        anon.raw(
            LOGIN,
            json!({"e": "carla@example.com", "p": "a wrong password"}),
        )
        .await;
    }
    let e = anon
        .err(
            LOGIN,
            json!({"e": "carla@example.com", "p": crate::portal::PASSWORD}),
        )
        .await;
    assert_eq!(code(&e), "RATE_LIMITED");
    anon.ok(
        r#"mutation { requestPasswordReset(email: "carla@example.com") }"#,
        json!({}),
    )
    .await;
    let link = t
        .mail("carla@example.com", 2)
        .await
        .link(&format!("{}/portal/reset/", crate::portal::PUBLIC));
    anon.ok(
        "mutation($t: String!) { resetPassword(token: $t, password: \"a brand new password\") { token } }",
        json!({"t": link.rsplit('/').next().unwrap()}),
    )
    .await;
    anon.ok(
        LOGIN,
        json!({"e": "carla@example.com", "p": "a brand new password"}),
    )
    .await;
}

async fn login_from(
    app: &crate::helpers::App,
    forwarded: &str,
    email: &str,
    password: &str,
) -> Value {
    let res = reqwest::Client::new()
        .post(format!("{}/graphql", app.server.url))
        .header("x-forwarded-for", forwarded)
        .json(&json!({"query": LOGIN, "variables": {"e": email, "p": password}}))
        .send()
        .await
        .unwrap();
    res.json().await.unwrap()
}

#[tokio::test]
async fn clients_behind_a_trusted_proxy_are_counted_apart() {
    let app = spawn_app_with(&[("PORTICO_TRUSTED_PROXIES", "127.0.0.1/32, ::1")]).await;
    // 51 failures from one client behind the proxy, over many accounts.
    for i in 0..51 {
        let body = login_from(
            &app,
            "198.51.100.1",
            &format!("guess{}@example.com", i % 25),
            "wrong",
        )
        .await;
        let expected = if i < 50 {
            "UNAUTHENTICATED"
        } else {
            "RATE_LIMITED"
        };
        assert_eq!(code(&body["errors"][0]), expected, "attempt {i}: {body}");
    }
    // Another client behind the same proxy is not affected...
    let body = login_from(&app, "198.51.100.2", "guess1@example.com", "wrong").await;
    assert_eq!(code(&body["errors"][0]), "UNAUTHENTICATED", "{body}");
    // ...and the limited one still signs in with the right password.
    let body = login_from(&app, "198.51.100.1", ADMIN_EMAIL, ADMIN_PASSWORD).await;
    assert!(body["data"]["login"]["token"].is_string(), "{body}");
}

#[tokio::test]
async fn a_forwarded_address_from_an_untrusted_peer_is_ignored() {
    let app = spawn_app().await;
    // Each guess claims another address; without trusted proxies they are all one.
    for i in 0..50 {
        let body = login_from(
            &app,
            &format!("203.0.113.{i}"),
            &format!("guess{}@example.com", i % 25),
            "wrong",
        )
        .await;
        assert_eq!(code(&body["errors"][0]), "UNAUTHENTICATED", "attempt {i}");
    }
    let body = login_from(&app, "203.0.113.200", "guess1@example.com", "wrong").await;
    assert_eq!(code(&body["errors"][0]), "RATE_LIMITED", "{body}");
}

const ME: &str = "{ me { email } }";

async fn user_id(client: &Client) -> String {
    let me = client.ok("{ me { id } }", json!({})).await;
    me["me"]["id"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn password_changes_and_deactivation_end_sessions_and_tokens_for_good() {
    let app = spawn_app().await;
    let ana = app.staff("ana@example.com", &[]).await;
    let ana_id = user_id(&ana).await;
    let laptop = app
        .client()
        .login("ana@example.com", "a long password")
        .await;

    // Her own change keeps the session she made it from and ends the others.
    let changed = ana
        .ok(
            r#"mutation { changePassword(currentPassword: "a long password", newPassword: "a longer password") }"#,
            json!({}),
        )
        .await;
    assert_eq!(changed["changePassword"], true);
    ana.ok(ME, json!({})).await;
    assert_eq!(code(&laptop.err(ME, json!({})).await), "UNAUTHENTICATED");

    // An admin's change for her ends all of them.
    app.admin
        .ok(
            "mutation($id: ID!) { updateStaffUser(id: $id, input: {password: \"an admin's choice\"}) { id } }",
            json!({"id": ana_id}),
        )
        .await;
    assert_eq!(code(&ana.err(ME, json!({})).await), "UNAUTHENTICATED");
    let ana = app
        .client()
        .login("ana@example.com", "an admin's choice")
        .await;

    // Tokens: listed without their secret, revoked one by one, expiring.
    let made = ana
        .ok(
            r#"mutation { createApiToken(name: "sync") { id token createdAt } }"#,
            json!({}),
        )
        .await["createApiToken"]
        .clone();
    let token = ana.with_token(made["token"].as_str().unwrap());
    token.ok(ME, json!({})).await;
    let other = ana
        .ok(
            r#"mutation { createApiToken(name: "backup") { id token } }"#,
            json!({}),
        )
        .await["createApiToken"]
        .clone();
    let backup = ana.with_token(other["token"].as_str().unwrap());
    let list = ana
        .ok(
            "{ apiTokens { id name token createdAt lastUsedAt expiresAt } }",
            json!({}),
        )
        .await;
    let list = list["apiTokens"].as_array().unwrap();
    assert_eq!(list.len(), 2);
    assert!(list.iter().all(|t| t["token"].is_null()), "{list:?}");
    let sync = list.iter().find(|t| t["name"] == "sync").unwrap();
    assert!(sync["lastUsedAt"].is_string(), "{sync}");
    // The admin sees them too; nobody else can revoke them.
    let admin_view = app
        .admin
        .ok(
            "query($u: ID!) { apiTokens(userId: $u) { name } }",
            json!({"u": ana_id}),
        )
        .await;
    assert_eq!(admin_view["apiTokens"].as_array().unwrap().len(), 2);
    let bob = app.staff("bob@example.com", &[]).await;
    let e = bob
        .err(
            "mutation($id: ID!) { revokeApiToken(id: $id) }",
            json!({"id": made["id"]}),
        )
        .await;
    assert_eq!(code(&e), "NOT_FOUND");
    ana.ok(
        "mutation($id: ID!) { revokeApiToken(id: $id) }",
        json!({"id": made["id"]}),
    )
    .await;
    assert_eq!(code(&token.err(ME, json!({})).await), "UNAUTHENTICATED");
    backup.ok(ME, json!({})).await;

    // A token may expire; one in the past is refused when made.
    let e = ana
        .err(
            r#"mutation { createApiToken(name: "old", expiresAt: "2020-01-01T00:00:00Z") { id } }"#,
            json!({}),
        )
        .await;
    assert_eq!(code(&e), "VALIDATION");
    assert_eq!(e["extensions"]["field"], "expiresAt");
    let soon = (chrono::Utc::now() + chrono::Duration::seconds(2)).to_rfc3339();
    let short = ana
        .ok(
            "mutation($t: DateTime!) { createApiToken(name: \"short\", expiresAt: $t) { token expiresAt } }",
            json!({"t": soon}),
        )
        .await["createApiToken"]
        .clone();
    let short = ana.with_token(short["token"].as_str().unwrap());
    short.ok(ME, json!({})).await;
    tokio::time::sleep(Duration::from_millis(2500)).await;
    assert_eq!(code(&short.err(ME, json!({})).await), "UNAUTHENTICATED");

    // Deactivation ends her session and her tokens; reactivation brings none of them back.
    for active in [false, true] {
        app.admin
            .ok(
                "mutation($id: ID!, $a: Boolean!) { updateStaffUser(id: $id, input: {active: $a}) { id } }",
                json!({"id": ana_id, "a": active}),
            )
            .await;
    }
    assert_eq!(code(&ana.err(ME, json!({})).await), "UNAUTHENTICATED");
    assert_eq!(code(&backup.err(ME, json!({})).await), "UNAUTHENTICATED");
    app.client()
        .login("ana@example.com", "an admin's choice")
        .await;
}

#[tokio::test]
async fn parallel_creates_of_one_staff_email_answer_conflict() {
    let app = spawn_app().await;
    let creates = (0..10).map(|i| {
        let admin = app.admin.clone();
        async move {
            let body = admin
                .raw(
                    "mutation($i: CreateStaffUserInput!) { createStaffUser(input: $i) { id } }",
                    json!({"i": {"name": format!("Twin {i}"), "email": "twin@example.com", "password": "a long password"}}),
                )
                .await;
            match body.get("errors") {
                None => "OK".to_owned(),
                Some(e) => code(&e[0]).to_owned(),
            }
        }
    });
    let mut codes = futures_util::future::join_all(creates).await;
    codes.sort();
    let mut expected = vec!["CONFLICT".to_owned(); 9];
    expected.push("OK".to_owned());
    assert_eq!(codes, expected);
}

#[tokio::test]
async fn reset_requests_take_as_long_for_unknown_addresses() {
    let t = crate::portal::portal_app().await;
    let carla = t
        .create_contact(json!({"name": "Carla", "email": "carla@example.com"}))
        .await;
    let case = t.create_case(json!({"subject": "Hers"})).await;
    t.link(&case, &carla).await;
    t.set_access(&case, &carla, true, true).await;
    t.accept_mailed("carla@example.com", 1).await;
    let anon = t.app.portal();
    let ask = async |email: &str| {
        let started = Instant::now();
        anon.ok(
            "mutation($e: String!) { requestPasswordReset(email: $e) }",
            json!({"e": email}),
        )
        .await;
        started.elapsed()
    };
    // Alternating, five each (the per-email limit), medians compared.
    let mut known = Vec::new();
    let mut unknown = Vec::new();
    for i in 0..5 {
        known.push(ask("carla@example.com").await);
        unknown.push(ask(&format!("nobody{i}@example.com")).await);
    }
    known.sort();
    unknown.sort();
    let (k, u) = (known[2], unknown[2]);
    // Both answers wait for the same floor, far above the work either does.
    assert!(
        k >= Duration::from_millis(60) && u >= Duration::from_millis(60),
        "{k:?} {u:?}"
    );
    let gap = k.abs_diff(u);
    assert!(
        gap < Duration::from_millis(15),
        "known {k:?}, unknown {u:?}"
    );
}

/// Finding 10 of the second security review: API tokens survived a password change and an
/// admin's password reset. The reset revokes them; the owner's own change offers to.
#[tokio::test]
async fn api_tokens_end_with_a_password_reset_and_when_the_owner_asks() {
    let app = spawn_app().await;
    let beto = app.staff("beto@example.com", &[]).await;
    let token = |client: Client| async move {
        client
            .ok(
                "mutation { createApiToken(name: \"Script\") { token } }",
                json!({}),
            )
            .await["createApiToken"]["token"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    let works = |t: String| {
        let c = app.client().with_token(&t);
        async move {
            c.raw("{ me { email } }", json!({}))
                .await
                .get("errors")
                .is_none()
        }
    };
    let change = "mutation($c: String!, $n: String!, $r: Boolean) { changePassword(currentPassword: $c, newPassword: $n, revokeApiTokens: $r) }";

    // A routine change keeps the integration running.
    let kept = token(beto.clone()).await;
    beto.ok(
        change,
        json!({"c": "a long password", "n": "another long password", "r": null}),
    )
    .await;
    assert!(works(kept.clone()).await);
    // A change after a leak ends the tokens too.
    beto.ok(
        change,
        json!({"c": "another long password", "n": "a third long password", "r": true}),
    )
    .await;
    assert!(!works(kept).await);
    let listed = beto.ok("{ apiTokens { id } }", json!({})).await;
    assert_eq!(listed["apiTokens"], json!([]));

    // An admin's reset revokes them, whoever made them.
    let fresh = token(beto.clone()).await;
    assert!(works(fresh.clone()).await);
    let id = beto.ok("{ me { id } }", json!({})).await["me"]["id"].clone();
    app.admin
        .ok(
            "mutation($id: ID!) { updateStaffUser(id: $id, input: {password: \"reset by the admin\"}) { id } }",
            json!({"id": id}),
        )
        .await;
    assert!(!works(fresh).await);
    // A change of anything else keeps them.
    let kept = token(
        app.client()
            .login("beto@example.com", "reset by the admin")
            .await,
    )
    .await;
    app.admin
        .ok(
            "mutation($id: ID!) { updateStaffUser(id: $id, input: {name: \"Beto B.\"}) { id } }",
            json!({"id": id}),
        )
        .await;
    assert!(works(kept).await);
}
