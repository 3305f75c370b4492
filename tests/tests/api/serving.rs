//! What the binary offers besides the API: demo data, the SDL, GraphiQL, health, the admin UI.

use crate::helpers::{ADMIN_EMAIL, ADMIN_PASSWORD, Client, Server, TestDb, portico, spawn_app};
use serde_json::json;

#[tokio::test]
async fn demo_data_loads_once_on_request() {
    let db = TestDb::new().await;
    let server = Server::start_with_args(&db.url, &db.dir.0, &[], &["--demo"]);
    assert!(
        server
            .stdout
            .iter()
            .any(|l| l.contains("loaded the demo data")),
        "{:?}",
        server.stdout
    );
    let admin = Client::new(&server.url)
        .login(ADMIN_EMAIL, ADMIN_PASSWORD)
        .await;
    let q = "{ orgs: contacts(filter: {kind: {eq: ORGANISATION}}) { totalCount }
               people: contacts(filter: {kind: {eq: INDIVIDUAL}}) { totalCount }
               cases { totalCount } deals { totalCount } }";
    let first = admin.ok(q, json!({})).await;
    assert!(
        first["orgs"]["totalCount"].as_i64().unwrap() >= 2,
        "{first}"
    );
    assert!(
        first["people"]["totalCount"].as_i64().unwrap() >= 2,
        "{first}"
    );
    assert!(
        first["cases"]["totalCount"].as_i64().unwrap() >= 4,
        "{first}"
    );
    assert!(
        first["deals"]["totalCount"].as_i64().unwrap() >= 4,
        "{first}"
    );
    drop(server);
    let again = Server::start_with_args(&db.url, &db.dir.0, &[], &["--demo"]);
    assert!(
        !again
            .stdout
            .iter()
            .any(|l| l.contains("loaded the demo data"))
    );
    let admin = Client::new(&again.url)
        .login(ADMIN_EMAIL, ADMIN_PASSWORD)
        .await;
    assert_eq!(
        admin.ok(q, json!({})).await,
        first,
        "a second --demo adds nothing"
    );
}

#[tokio::test]
async fn schema_print_writes_the_sdl_of_the_current_metadata() {
    let app = spawn_app().await;
    app.admin
        .ok("mutation { createFieldDefinition(input: {entity: CASE, key: \"priority\", label: \"P\", type: SELECT, options: [\"Low\", \"High\"]}) { id } }", json!({}))
        .await;
    let out = portico(&app.db.url, &app.db.dir.0)
        .args(["schema", "print"])
        .output()
        .expect("run portico");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let sdl = String::from_utf8(out.stdout).unwrap();
    for needle in [
        "type Case {",
        "priority: CasePriority",
        "enum CaseStatus {",
        "WAITING_FOR_RESPONSE",
        "type Mutation {",
        "createCase(input: CreateCaseInput!): Case!",
    ] {
        assert!(sdl.contains(needle), "SDL lacks `{needle}`");
    }
    // The portal's: no staff operations, no staff-only fields (priority is not a portal field).
    let out = portico(&app.db.url, &app.db.dir.0)
        .args(["schema", "print", "--portal"])
        .output()
        .expect("run portico");
    assert!(out.status.success());
    let sdl = String::from_utf8(out.stdout).unwrap();
    for needle in [
        "acceptInvitation(token: String!, password: String!): Session!",
        "status: [CaseStatus!]\n\t): CaseConnection!",
        "indicators: [Indicator!]!",
    ] {
        assert!(sdl.contains(needle), "portal SDL lacks `{needle}`:\n{sdl}");
    }
    for absent in ["priority", "createFieldDefinition", "staffUsers", "owner: "] {
        assert!(!sdl.contains(absent), "portal SDL has `{absent}`");
    }
    let bad = portico(&app.db.url, &app.db.dir.0)
        .args(["schema", "frobnicate"])
        .output()
        .expect("run portico");
    assert_eq!(bad.status.code(), Some(2));
}

#[tokio::test]
async fn graphiql_health_and_admin_are_served() {
    let app = spawn_app().await;
    let http = reqwest::Client::new();
    let page = http
        .get(format!("{}/graphql", app.server.url))
        .header("accept", "text/html")
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200);
    assert!(page.text().await.unwrap().contains("GraphiQL"));
    let health = http
        .get(format!("{}/healthz", app.server.url))
        .send()
        .await
        .unwrap();
    assert_eq!(health.status(), 200);
    // The admin UI's page, and the assets it names (their address carries their hash).
    let admin = http
        .get(format!("{}/admin/", app.server.url))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let base = crate::admin_ui::asset_base(&admin);
    let script = format!("{base}/app.js");
    let style = format!("{base}/style.css");
    for (path, kind) in [
        ("/admin/", "text/html"),
        (script.as_str(), "text/javascript"),
        (style.as_str(), "text/css"),
    ] {
        let r = http
            .get(format!("{}{path}", app.server.url))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200, "{path}");
        let ct = r.headers()["content-type"].to_str().unwrap().to_owned();
        assert!(ct.starts_with(kind), "{path}: {ct}");
    }
    let r = http
        .delete(format!("{}/graphql", app.server.url))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 405);
    assert_eq!(r.headers()["allow"], "GET, POST");
}

#[tokio::test]
async fn bad_mail_settings_stop_the_start_with_the_setting_named() {
    let db = crate::helpers::TestDb::new().await;
    for (name, value) in [
        ("PORTICO_SMTP_URL", "smtps://mail.example.com?tls=none"),
        ("PORTICO_SMTP_URL", "imap://mail.example.com"),
        ("PORTICO_SMTP_CA_FILE", "/nonexistent/ca.pem"),
        ("PORTICO_MAIL_FROM", "not an address"),
    ] {
        let out = portico(&db.url, &db.dir.0)
            .env("PORTICO_LISTEN", "127.0.0.1:0")
            .env(name, value)
            .output()
            .expect("run portico");
        assert!(!out.status.success(), "{name}={value} was accepted");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains(name), "{name}: {stderr}");
    }
}
