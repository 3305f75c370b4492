//! Logging in and out, tokens stored hashed, API tokens, and the login throttle.

use crate::helpers::{ADMIN_EMAIL, ADMIN_PASSWORD, code, spawn_app};
use sea_orm::{ConnectionTrait, Database, Statement};
use serde_json::json;

#[tokio::test]
async fn login_logout_and_tokens_are_stored_hashed() {
    let app = spawn_app().await;
    let me = app
        .admin
        .ok("{ me { email groups { name admin } } }", json!({}))
        .await;
    assert_eq!(me["me"]["email"], ADMIN_EMAIL);
    assert_eq!(me["me"]["groups"][0]["admin"], true);

    let token = app.admin.token.clone().unwrap();
    let api = app
        .admin
        .ok(
            "mutation { createApiToken(name: \"bench\") { id name token } }",
            json!({}),
        )
        .await;
    let api_token = api["createApiToken"]["token"].as_str().unwrap().to_owned();
    let db = Database::connect(&app.db.url).await.unwrap();
    let backend = db.get_database_backend();
    for (table, secret) in [("sessions", &token), ("api_tokens", &api_token)] {
        let rows = db
            .query_all_raw(Statement::from_string(
                backend,
                format!("SELECT token_hash FROM {table}"),
            ))
            .await
            .unwrap();
        assert!(!rows.is_empty());
        for row in rows {
            let stored: String = row.try_get_by_index(0).unwrap();
            assert_ne!(&stored, secret, "{table} holds the secret itself");
            assert!(
                !stored.contains(&secret[4..]),
                "{table} holds the secret itself"
            );
        }
    }
    let hashes = db
        .query_all_raw(Statement::from_string(
            backend,
            "SELECT password_hash FROM staff_users",
        ))
        .await
        .unwrap();
    let hash: String = hashes[0].try_get_by_index(0).unwrap();
    assert!(hash.starts_with("$argon2id$"), "{hash}");

    let integrator = app.client().with_token(&api_token);
    let d = integrator.ok("{ me { email } }", json!({})).await;
    assert_eq!(d["me"]["email"], ADMIN_EMAIL);

    let out = app.admin.ok("mutation { logout }", json!({})).await;
    assert_eq!(out["logout"], true);
    let e = app.admin.err("{ me { email } }", json!({})).await;
    assert_eq!(code(&e), "UNAUTHENTICATED");
    // The API token is not a session and outlives the logout.
    integrator.ok("{ me { email } }", json!({})).await;
    let e = app
        .client()
        .with_token("pst_0000")
        .err("{ me { email } }", json!({}))
        .await;
    assert_eq!(code(&e), "UNAUTHENTICATED");
}

#[tokio::test]
async fn wrong_passwords_are_throttled_per_account() {
    let app = spawn_app().await;
    let anon = app.client();
    let login = "mutation($e: String!, $p: String!) { login(email: $e, password: $p) { token } }";
    for _ in 0..5 {
        let e = anon
            .err(login, json!({"e": ADMIN_EMAIL, "p": "wrong password"}))
            .await;
        assert_eq!(code(&e), "UNAUTHENTICATED");
    }
    // Even the right password is refused now, and an unknown account looks like a wrong one.
    let e = anon
        .err(login, json!({"e": ADMIN_EMAIL, "p": ADMIN_PASSWORD}))
        .await;
    assert_eq!(code(&e), "RATE_LIMITED");
    let e = anon
        .err(
            login,
            json!({"e": "nobody@example.com", "p": "whatever it is"}),
        )
        .await;
    assert_eq!(code(&e), "UNAUTHENTICATED");
    assert_eq!(e["message"], "wrong email or password");
    // Other accounts are unaffected.
    let staff = app.staff("staff@example.com", &[]).await;
    staff.ok("{ me { email } }", json!({})).await;
}

#[tokio::test]
async fn staff_users_and_groups_are_managed_by_admins() {
    let app = spawn_app().await;
    let g = app
        .admin
        .ok("mutation { createPermissionGroup(input: {name: \"Client service\", portalAccess: true}) { id name portalAccess admin } }", json!({}))
        .await;
    let gid = g["createPermissionGroup"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(g["createPermissionGroup"]["portalAccess"], true);
    // Group names are unique, on create and on rename.
    let e = app
        .admin
        .err(
            "mutation { createPermissionGroup(input: {name: \"Client service\"}) { id } }",
            json!({}),
        )
        .await;
    assert_eq!(code(&e), "CONFLICT");
    let other = app
        .admin
        .ok(
            "mutation { createPermissionGroup(input: {name: \"Billing\"}) { id } }",
            json!({}),
        )
        .await;
    let e = app
        .admin
        .err(
            "mutation($id: ID!) { updatePermissionGroup(id: $id, input: {name: \"Client service\"}) { id } }",
            json!({"id": other["createPermissionGroup"]["id"]}),
        )
        .await;
    assert_eq!(code(&e), "CONFLICT");
    let u = app
        .admin
        .ok(
            "mutation($g: ID!) { createStaffUser(input: {name: \"Marta\", email: \"Marta@Example.com\", password: \"a long password\", groups: [$g]}) { id email groups { name } } }",
            json!({"g": gid}),
        )
        .await;
    assert_eq!(u["createStaffUser"]["email"], "marta@example.com");
    assert_eq!(
        u["createStaffUser"]["groups"],
        json!([{"name": "Client service"}])
    );
    let uid = u["createStaffUser"]["id"].clone();
    let e = app
        .admin
        .err("mutation { createStaffUser(input: {name: \"M\", email: \"marta@example.com\", password: \"a long password\"}) { id } }", json!({}))
        .await;
    assert_eq!(code(&e), "CONFLICT");
    for (input, field) in [
        (
            json!({"name": "M", "email": "not an email", "password": "a long password"}),
            "email",
        ),
        (
            json!({"name": "M", "email": "m2@example.com", "password": "short"}),
            "password",
        ),
        (
            json!({"name": "", "email": "m2@example.com", "password": "a long password"}),
            "name",
        ),
        (
            json!({"name": "M", "email": "m2@example.com", "password": "a long password", "groups": ["9999"]}),
            "groups",
        ),
    ] {
        let e = app
            .admin
            .err(
                "mutation($i: CreateStaffUserInput!) { createStaffUser(input: $i) { id } }",
                json!({"i": input}),
            )
            .await;
        assert_eq!(
            (code(&e), e["extensions"]["field"].as_str()),
            ("VALIDATION", Some(field)),
            "{e}"
        );
    }
    let marta = app
        .client()
        .login("marta@example.com", "a long password")
        .await;
    // Deactivation ends her sessions at once.
    app.admin
        .ok(
            "mutation($id: ID!) { updateStaffUser(id: $id, input: {active: false}) { active } }",
            json!({"id": uid}),
        )
        .await;
    let e = marta.err("{ me { email } }", json!({})).await;
    assert_eq!(code(&e), "UNAUTHENTICATED");
    let e = app.client().err("mutation { login(email: \"marta@example.com\", password: \"a long password\") { token } }", json!({})).await;
    assert_eq!(code(&e), "UNAUTHENTICATED");
    let groups = app
        .admin
        .ok(
            "{ permissionGroups { name admin portalAccess } staffUsers { email active } }",
            json!({}),
        )
        .await;
    assert_eq!(groups["permissionGroups"][0]["name"], "Administrators");
    assert_eq!(groups["staffUsers"].as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn the_first_start_creates_an_admin_with_a_password_shown_once() {
    let db = crate::helpers::TestDb::new().await;
    let dir = db.dir.0.to_string_lossy().into_owned();
    let first = crate::helpers::Server::start_in(
        &db.url,
        &db.dir.0,
        &[("PORTICO_ADMIN_PASSWORD", ""), ("PORTICO_ADMIN_EMAIL", "")],
    );
    let line = first
        .stdout
        .iter()
        .find(|l| l.contains("with password"))
        .unwrap_or_else(|| panic!("no password line in {:?} ({dir})", first.stdout))
        .clone();
    let password = line
        .split("with password ")
        .nth(1)
        .unwrap()
        .split(' ')
        .next()
        .unwrap()
        .to_owned();
    let email = line
        .split("first admin: ")
        .nth(1)
        .unwrap()
        .split(' ')
        .next()
        .unwrap()
        .to_owned();
    crate::helpers::Client::new(&first.url)
        .login(&email, &password)
        .await;
    drop(first);
    let second = crate::helpers::Server::start_in(
        &db.url,
        &db.dir.0,
        &[("PORTICO_ADMIN_PASSWORD", ""), ("PORTICO_ADMIN_EMAIL", "")],
    );
    assert!(
        second.stdout.iter().all(|l| !l.contains("password")),
        "{:?}",
        second.stdout
    );
}

#[tokio::test]
async fn wrong_passwords_are_throttled_per_address_across_accounts() {
    let app = spawn_app().await;
    let anon = app.client();
    let login = "mutation($e: String!, $p: String!) { login(email: $e, password: $p) { token } }";
    // One address guessing many accounts, a few times each: under every per-account limit.
    for i in 0..50 {
        let e = anon
            .err(
                login,
                json!({"e": format!("guess{}@example.com", i % 25), "p": "wrong password"}),
            )
            .await;
        assert_eq!(code(&e), "UNAUTHENTICATED", "attempt {i}");
    }
    // Past the address's limit a wrong password says so...
    let e = anon
        .err(
            login,
            json!({"e": "guess1@example.com", "p": "wrong password"}),
        )
        .await;
    assert_eq!(code(&e), "RATE_LIMITED");
    // ...but the right one still signs in: many people may share the address.
    anon.login(ADMIN_EMAIL, ADMIN_PASSWORD).await;
}
