//! Findings 3, 6 and parts of 8 of the access review, replayed as they were found: one
//! request multiplied by aliases into thousands of queries while the health check waited,
//! uploads spooled to disk before anyone checked they could be made, a portal user opening
//! cases as fast as a script can, and anyone reading the staff schema.

use crate::helpers::{Client, code, spawn_app, spawn_app_with};
use crate::portal::{PortalApp, id, portal_app, portal_app_with};
use crate::portal_pages::a_client_with_a_case;
use serde_json::json;
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// The review's request: 263 aliases of a page of 100 cases with everything nested.
fn aliased(n: usize) -> String {
    let one = "cases(first: 100) { edges { node { id contacts { id } client { id } owner { id } documents { id } } } }";
    let fields: Vec<String> = (0..n).map(|i| format!("a{i}: {one}")).collect();
    format!("{{ {} }}", fields.join(" "))
}

#[tokio::test]
async fn expensive_requests_are_refused_before_they_run() {
    let app = spawn_app().await;
    let e = app.admin.err(&aliased(263), json!({})).await;
    assert_eq!(code(&e), "VALIDATION", "{e}");
    assert!(e["message"].as_str().unwrap().contains("aliases"), "{e}");
    // Without aliases, a page's cost is its size times what each row asks for.
    let nested = "{ cases(first: 100) { edges { node { id contacts { id } client { name } } } } }";
    app.admin.ok(nested, json!({})).await;
    let deep = "{ cases(first: 100) { edges { node { contacts { id } documents { id sharedWith { id } } } } } a: cases(first: 100) { edges { node { documents { sharedWith { id } } } } } }";
    let e = app.admin.err(deep, json!({})).await;
    assert_eq!(code(&e), "VALIDATION", "{e}");
    assert!(
        e["extensions"]["cost"].as_u64().unwrap() > e["extensions"]["maxCost"].as_u64().unwrap()
    );
    // `first` through a variable counts the same as written in the query.
    let by_var = "query($n: Int) { cases(first: $n) { edges { node { documents { sharedWith { id } } contacts { id } } } } b: cases(first: $n) { edges { node { documents { sharedWith { id } } } } } }";
    let e = app.admin.err(by_var, json!({"n": 100})).await;
    assert_eq!(code(&e), "VALIDATION");
    app.admin.ok(by_var, json!({"n": 5})).await;
    // A variable's default counts as what will run (the second review had it priced at a
    // fifth): the same request with `first` from a default of 100 and no variables sent.
    let by_default = "query($f: Int = 100) { a: cases(first: $f) { edges { node { documents { sharedWith { id } } contacts { id } } } } b: cases(first: $f) { edges { node { documents { sharedWith { id } } } } } }";
    let e = app.admin.err(by_default, json!({})).await;
    assert_eq!(code(&e), "VALIDATION", "{e}");
    assert!(
        e["extensions"]["cost"].as_u64().unwrap() > e["extensions"]["maxCost"].as_u64().unwrap()
    );
    // A value sent wins over the default, as it does when the request runs.
    app.admin.ok(by_default, json!({"f": 5})).await;

    // Six of the review's requests at once, 30 aliases each (under the alias limit, over the
    // cost): the health check answers meanwhile.
    let heavy = aliased(30);
    let attackers: Vec<_> = (0..6)
        .map(|_| {
            let admin = app.admin.clone();
            let heavy = heavy.clone();
            tokio::spawn(async move {
                for _ in 0..20 {
                    let body = admin.raw(&heavy, json!({})).await;
                    assert_eq!(code(&body["errors"][0]), "VALIDATION");
                }
            })
        })
        .collect();
    let http = reqwest::Client::new();
    let mut slowest = Duration::ZERO;
    for _ in 0..20 {
        let started = Instant::now();
        let res = http
            .get(format!("{}/healthz", app.server.url))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200);
        slowest = slowest.max(started.elapsed());
    }
    for a in attackers {
        a.await.unwrap();
    }
    // The review saw 7 s; a bound ten times over its target keeps this test steady on a
    // loaded machine (docs/performance.md has the measured figure).
    println!("slowest of 20 health checks during the attack: {slowest:?}");
    assert!(slowest < Duration::from_secs(1), "healthz took {slowest:?}");
}

#[tokio::test]
async fn only_signed_in_principals_read_the_schema() {
    let app = spawn_app().await;
    let query = "{ __schema { types { name } } }";
    for client in [app.client(), app.portal()] {
        let e = client.err(query, json!({})).await;
        assert_eq!(code(&e), "UNAUTHENTICATED", "{e}");
        // `__typename` is not introspection of the schema: it keeps working.
        client.ok("{ __typename }", json!({})).await;
    }
    app.admin.ok(query, json!({})).await;
}

/// Sends a multipart upload's `operations` and `map`, then the start of a file that never
/// ends, and answers the status line the server sent before the file was finished.
async fn status_before_the_file_ends(
    base: &str,
    token: &str,
    operations: &str,
    map: &str,
) -> String {
    let address = base.trim_start_matches("http://");
    let mut socket = tokio::net::TcpStream::connect(address).await.unwrap();
    let boundary = "x-portico-boundary";
    let head = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"operations\"\r\n\r\n{operations}\r\n--{boundary}\r\nContent-Disposition: form-data; name=\"map\"\r\n\r\n{map}\r\n--{boundary}\r\nContent-Disposition: form-data; name=\"0\"; filename=\"big.bin\"\r\nContent-Type: application/octet-stream\r\n\r\n"
    );
    // 2 GiB announced, as in the review; a few hundred KiB sent.
    let request = format!(
        "POST {} HTTP/1.1\r\nHost: {address}\r\nAuthorization: Bearer {token}\r\nContent-Type: multipart/form-data; boundary={boundary}\r\nContent-Length: {}\r\nAccept: application/json\r\n\r\n",
        if token.starts_with("ppt_") {
            "/portal/graphql"
        } else {
            "/graphql"
        },
        2u64 * 1024 * 1024 * 1024
    );
    socket.write_all(request.as_bytes()).await.unwrap();
    socket.write_all(head.as_bytes()).await.unwrap();
    socket.write_all(&vec![b'x'; 256 * 1024]).await.unwrap();
    let mut buf = vec![0u8; 4096];
    let n = tokio::time::timeout(Duration::from_secs(10), socket.read(&mut buf))
        .await
        .expect("the server answered before the file was sent")
        .unwrap();
    String::from_utf8_lossy(&buf[..n])
        .lines()
        .next()
        .unwrap_or_default()
        .to_owned()
}

#[tokio::test]
async fn uploads_are_authorized_before_their_files_are_read() {
    let t = portal_app().await;
    let carla = t
        .create_contact(json!({"name": "Carla", "email": "carla@example.com"}))
        .await;
    let hers = t.create_case(json!({"subject": "Hers"})).await;
    let not_hers = t.create_case(json!({"subject": "Someone else's"})).await;
    t.link(&hers, &carla).await;
    t.set_access(&hers, &carla, true, true).await;
    let portal = t.accept_mailed("carla@example.com", 1).await;
    let token = portal.token.clone().unwrap();
    let ops = |case: &str| {
        json!({"query": "mutation($c: ID!, $f: Upload!) { uploadDocument(caseId: $c, file: $f) { id } }", "variables": {"c": case, "f": null}}).to_string()
    };
    let map = r#"{"0": ["variables.f"]}"#;
    // A case she cannot see, and one that does not exist: refused alike, before the file.
    for case in [not_hers.as_str(), "999999"] {
        let status = status_before_the_file_ends(&t.app.server.url, &token, &ops(case), map).await;
        assert!(status.contains(" 404 "), "{status}");
    }
    // An operation that takes no files.
    let other = json!({"query": "mutation { logout }"}).to_string();
    let status = status_before_the_file_ends(&t.app.server.url, &token, &other, map).await;
    assert!(status.contains(" 400 "), "{status}");
    // Staff without the right to change cases (none here: plain staff may) - a document id
    // that does not exist is refused before its new version is read.
    let admin_token = t.app.admin.token.clone().unwrap();
    let replace = json!({"query": "mutation($f: Upload!) { replaceDocumentContent(id: \"999999\", file: $f) { id } }", "variables": {"f": null}}).to_string();
    let status = status_before_the_file_ends(&t.app.server.url, &admin_token, &replace, map).await;
    assert!(status.contains(" 404 "), "{status}");
    // Her own case takes the upload.
    portal
        .upload(
            "mutation($c: ID!, $file: Upload!) { uploadDocument(caseId: $c, file: $file) { id } }",
            json!({"c": hers}),
            "receipt.txt",
            b"paid",
        )
        .await;
}

#[tokio::test]
async fn one_request_carries_a_bounded_number_of_files() {
    let app = spawn_app_with(&[("PORTICO_MAX_UPLOAD_FILES", "3")]).await;
    let case = id(&app
        .admin
        .ok(
            r#"mutation { createCase(input: {subject: "Files"}) { id } }"#,
            json!({}),
        )
        .await["createCase"]);
    let ops = json!({"query": "mutation($c: ID!, $f: Upload!) { uploadDocument(caseId: $c, file: $f) { id } }", "variables": {"c": case, "f": null}}).to_string();
    let map: Vec<String> = (0..4)
        .map(|i| format!("\"{i}\": [\"variables.f\"]"))
        .collect();
    let map = format!("{{{}}}", map.join(", "));
    let token = app.admin.token.clone().unwrap();
    let status = status_before_the_file_ends(&app.server.url, &token, &ops, &map).await;
    assert!(status.contains(" 413 "), "{status}");
}

#[tokio::test]
async fn portal_users_open_cases_at_a_bounded_rate() {
    let t = portal_app_with(&[("PORTICO_PORTAL_CASES_PER_HOUR", "3")]).await;
    let carla = t
        .create_contact(json!({"name": "Carla", "email": "carla@example.com"}))
        .await;
    let case = t
        .create_case(json!({"subject": "Seed", "client": carla}))
        .await;
    t.set_access(&case, &carla, true, true).await;
    let portal: Client = t.accept_mailed("carla@example.com", 1).await;
    // A create the engine refuses gives its count back: it does not use up the hour.
    let refused = portal
        .raw(
            "mutation { createCase(input: {subject: \"\"}) { id } }",
            json!({}),
        )
        .await;
    assert_eq!(code(&refused["errors"][0]), "VALIDATION", "{refused}");
    // Ten at once, as a script would: three get through.
    let creates = (0..10).map(|i| {
        let portal = portal.clone();
        async move {
            let body = portal
                .raw(
                    "mutation($s: String!) { createCase(input: {subject: $s}) { id } }",
                    json!({"s": format!("Flood {i}")}),
                )
                .await;
            match body.get("errors") {
                None => "OK".to_owned(),
                Some(e) => code(&e[0]).to_owned(),
            }
        }
    });
    let codes = futures_util::future::join_all(creates).await;
    assert_eq!(codes.iter().filter(|c| *c == "OK").count(), 3, "{codes:?}");
    assert_eq!(
        codes.iter().filter(|c| *c == "RATE_LIMITED").count(),
        7,
        "{codes:?}"
    );
    let count = portal.ok("{ cases { totalCount } }", json!({})).await;
    assert_eq!(count["cases"]["totalCount"], 4);
}

#[tokio::test]
async fn a_staff_template_cannot_loop_without_bound() {
    let app = spawn_app().await;
    let update = "mutation($t: String!) { updateEmailTemplate(kind: INVITATION, language: EN, input: {subject: \"S\", html: \"<p>{{ link }}</p>\", text: $t}) { customised } }";
    let started = Instant::now();
    let e = app
        .admin
        .err(
            update,
            json!({"t": "{% for a in range(end=100000) %}{% for b in range(end=100000) %}{% for c in range(end=100000) %}x{% endfor %}{% endfor %}{% endfor %}"}),
        )
        .await;
    assert_eq!(code(&e), "VALIDATION", "{e}");
    assert_eq!(e["extensions"]["field"], "text");
    assert!(started.elapsed() < Duration::from_secs(5));
    let e = app
        .admin
        .err(
            update,
            json!({"t": "{% for a in range(end=1000000) %}x{% endfor %}"}),
        )
        .await;
    assert_eq!(code(&e), "VALIDATION", "{e}");
}

#[tokio::test]
async fn required_text_cannot_be_blank_and_cases_get_an_owner() {
    let app = spawn_app().await;
    for subject in ["", "   "] {
        let e = app
            .admin
            .err(
                "mutation($s: String!) { createCase(input: {subject: $s}) { id } }",
                json!({"s": subject}),
            )
            .await;
        assert_eq!(code(&e), "VALIDATION", "{e}");
        assert_eq!(e["extensions"]["field"], "subject");
    }
    let staff = app.staff("ana@example.com", &[]).await;
    let me = staff.ok("{ me { id } }", json!({})).await["me"]["id"].clone();
    let case = staff
        .ok(
            r#"mutation { createCase(input: {subject: "Mine"}) { id owner { id } } }"#,
            json!({}),
        )
        .await["createCase"]
        .clone();
    assert_eq!(case["owner"]["id"], me);
    let e = staff
        .err(
            "mutation($id: ID!) { updateCase(id: $id, input: {subject: \" \"}) { id } }",
            json!({"id": case["id"]}),
        )
        .await;
    assert_eq!(e["extensions"]["field"], "subject");
    // An owner given explicitly (or none, with null) is respected.
    let unowned = staff
        .ok(r#"mutation { createCase(input: {subject: "Nobody's", owner: null}) { owner { id } } }"#, json!({}))
        .await;
    assert!(unowned["createCase"]["owner"].is_null(), "{unowned}");
    // An integrator's token acts as its creator: the creator owns its cases and deals.
    let token = staff
        .ok(
            r#"mutation { createApiToken(name: "import") { token } }"#,
            json!({}),
        )
        .await["createApiToken"]["token"]
        .as_str()
        .unwrap()
        .to_owned();
    let integrator = app.client().with_token(&token);
    let deal = integrator
        .ok(
            r#"mutation { createDeal(input: {name: "Imported"}) { owner { id } } }"#,
            json!({}),
        )
        .await;
    assert_eq!(deal["createDeal"]["owner"]["id"], me);
}

#[tokio::test]
async fn anonymous_requests_cannot_upload_or_read_the_schema() {
    let app = spawn_app().await;
    let (status, body) = app
        .client()
        .upload_raw(
            "mutation($file: Upload!) { uploadDocument(caseId: \"1\", file: $file) { id } }",
            json!({}),
            "a.txt",
            "text/plain",
            b"a",
        )
        .await;
    assert_eq!(status, 401, "{body}");
}

#[tokio::test]
async fn portal_users_upload_at_a_bounded_rate() {
    let t = portal_app_with(&[("PORTICO_PORTAL_UPLOADS_PER_HOUR", "2")]).await;
    let carla = t
        .create_contact(json!({"name": "Carla", "email": "carla@example.com"}))
        .await;
    let case = t
        .create_case(json!({"subject": "Seed", "client": carla}))
        .await;
    t.set_access(&case, &carla, true, true).await;
    let portal: Client = t.accept_mailed("carla@example.com", 1).await;
    let upload =
        "mutation($c: ID!, $file: Upload!) { uploadDocument(caseId: $c, file: $file) { id } }";
    for i in 0..2 {
        portal
            .upload(upload, json!({"c": case}), &format!("r{i}.txt"), b"receipt")
            .await;
    }
    let (_, body) = portal
        .upload_raw(
            upload,
            json!({"c": case}),
            "r3.txt",
            "text/plain",
            b"receipt",
        )
        .await;
    assert_eq!(code(&body["errors"][0]), "RATE_LIMITED", "{body}");
}

/// A message's files are uploads, counted together: three files on one message when two are
/// left is refused whole (no message, no document), and gives back what it counted, so the
/// two that are left still go.
#[tokio::test]
async fn a_message_with_files_spends_an_upload_for_each() {
    let t = portal_app_with(&[("PORTICO_PORTAL_UPLOADS_PER_HOUR", "2")]).await;
    let (_, case) = a_client_with_a_case(&t).await;
    let portal: Client = t.accept_mailed("carla@example.com", 1).await;
    let post = "mutation($c: ID!, $files: [Upload!]) { postCaseMessage(caseId: $c, body: \"Recibos\", attachments: $files) { id attachments { name } } }";
    let three: [(&str, &[u8]); 3] = [("a.txt", b"a"), ("b.txt", b"b"), ("c.txt", b"c")];
    let (_, body) = portal
        .upload_list(post, json!({"c": case}), "files", &three)
        .await;
    assert_eq!(code(&body["errors"][0]), "RATE_LIMITED", "{body}");
    nothing_posted(&t, &case).await;

    let (_, body) = portal
        .upload_list(post, json!({"c": case}), "files", &three[..2])
        .await;
    assert!(body.get("errors").is_none(), "{body}");
    assert_eq!(
        body["data"]["postCaseMessage"]["attachments"][1]["name"],
        "b.txt"
    );
    // And none is left.
    let (_, body) = portal
        .upload_list(post, json!({"c": case}), "files", &three[2..])
        .await;
    assert_eq!(code(&body["errors"][0]), "RATE_LIMITED", "{body}");
}

/// On the case page, a message refused because its files are past the hour's uploads says
/// so (not only "many messages"), sends nothing, and keeps what was typed.
#[tokio::test]
async fn the_case_page_says_a_message_with_files_was_past_the_hours_uploads() {
    use crate::portal_pages::Browser;
    let t = portal_app_with(&[("PORTICO_PORTAL_UPLOADS_PER_HOUR", "1")]).await;
    let (_, case) = a_client_with_a_case(&t).await;
    t.accept_mailed("carla@example.com", 1).await;
    let mut carla = Browser::new(&t.app.server.url);
    carla.sign_in("carla@example.com").await;
    carla.get(&format!("/portal/cases/{case}")).await;
    let csrf = carla.csrf();
    let refused = carla
        .post_parts(
            &format!("/portal/cases/{case}/messages"),
            &[
                ("csrf", None, csrf.as_bytes()),
                ("body", None, "Los recibos de marzo".as_bytes()),
                ("files", Some("uno.txt"), b"1"),
                ("files", Some("dos.txt"), b"2"),
            ],
        )
        .await;
    assert_eq!(refused.status, 422, "{}", refused.body);
    assert!(
        refused.body.contains(
            "Ha enviado muchos mensajes o archivos en la última hora; no se ha enviado nada."
        ),
        "{}",
        refused.body
    );
    assert!(
        refused.body.contains("Los recibos de marzo</textarea>"),
        "{}",
        refused.body
    );
    nothing_posted(&t, &case).await;
}

/// The case has no message and no document: a refused message stored nothing.
async fn nothing_posted(t: &PortalApp, case: &str) {
    let count =
        "query($c: ID!) { caseMessages(caseId: $c) { id } case(id: $c) { documents { id } } }";
    let none = t.manager.ok(count, json!({"c": case})).await;
    assert_eq!(none["caseMessages"], json!([]), "{none}");
    assert_eq!(none["case"]["documents"], json!([]), "{none}");
}
