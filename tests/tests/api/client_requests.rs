//! Client requests over both GraphQL APIs (issue 20, first part): staff ask a case's portal
//! contacts for answers or documents; the contact answers (a wrong answer named, nothing
//! stored), uploads into it and submits; staff return it with a comment or accept it; every
//! step is in the case's audit log; a contact without the request or the case sees nothing.

use crate::helpers::code;
use crate::portal::portal_app;
use serde_json::{Value, json};

const FIELDS: &str = "id kind state title dueDate comment answers contacts { id name } documents { name } questions { key type required options }";

#[tokio::test]
async fn a_client_answers_and_uploads_what_staff_asked_for() {
    let t = portal_app().await;
    let ana = t
        .create_contact(json!({"name": "Ana", "email": "ana@example.com", "portalUser": true}))
        .await;
    let bea = t
        .create_contact(json!({"name": "Bea", "email": "bea@example.com", "portalUser": true}))
        .await;
    let case = t
        .create_case(json!({"subject": "Renta 2025", "client": ana}))
        .await;
    let other = t
        .create_case(json!({"subject": "Otro caso", "client": bea}))
        .await;
    t.set_access(&case, &ana, true, true).await;
    t.set_access(&other, &bea, true, true).await;
    let create = |input: Value| {
        let manager = t.manager.clone();
        async move {
            manager
                .raw(
                    &format!("mutation($i: CreateClientRequestInput!) {{ createClientRequest(input: $i) {{ {FIELDS} }} }}"),
                    json!({"i": input}),
                )
                .await
        }
    };
    let questions = json!([
        {"key": "taxYear", "label": "Ejercicio", "type": "NUMBER", "required": true},
        {"key": "married", "label": "¿Casada?", "type": "BOOLEAN"},
        {"key": "regime", "label": "Régimen", "type": "SELECT", "options": ["General", "Módulos"], "required": true}
    ]);
    // Refused, naming what is wrong: a contact without access, a bad date, no questions, a
    // signature without its document.
    for (input, field) in [
        (
            json!({"caseId": case, "contactIds": [bea], "kind": "QUESTIONS", "title": "Datos", "questions": questions}),
            "contactIds",
        ),
        (
            json!({"caseId": case, "contactIds": [ana], "kind": "QUESTIONS", "title": "Datos", "questions": questions, "dueDate": "31/12/2026"}),
            "dueDate",
        ),
        (
            json!({"caseId": case, "contactIds": [ana], "kind": "QUESTIONS", "title": "Datos", "questions": []}),
            "questions",
        ),
        (
            json!({"caseId": case, "contactIds": [ana], "kind": "SIGNATURE", "title": "Firma"}),
            "documentId",
        ),
    ] {
        let body = create(input).await;
        assert_eq!(code(&body["errors"][0]), "VALIDATION", "{body}");
        assert_eq!(body["errors"][0]["extensions"]["field"], field, "{body}");
    }
    let made = create(json!({"caseId": case, "contactIds": [ana], "kind": "QUESTIONS", "title": "Datos de la renta",
        "questions": questions, "dueDate": "2026-12-31"}))
    .await;
    let q = made["data"]["createClientRequest"].clone();
    assert_eq!(
        (q["state"].as_str(), q["dueDate"].as_str()),
        (Some("OPEN"), Some("2026-12-31")),
        "{made}"
    );
    let qid = q["id"].as_str().unwrap().to_owned();
    let docs = create(json!({"caseId": case, "contactIds": [ana], "kind": "DOCUMENTS", "title": "Nóminas de 2025"})).await;
    let did = docs["data"]["createClientRequest"]["id"]
        .as_str()
        .unwrap()
        .to_owned();

    // Ana sees both; Bea sees neither, and cannot act on them.
    let client = t.accept_mailed("ana@example.com", 1).await;
    let mine = client
        .ok(&format!("{{ clientRequests {{ {FIELDS} }} }}"), json!({}))
        .await;
    assert_eq!(
        mine["clientRequests"].as_array().unwrap().len(),
        2,
        "{mine}"
    );
    let stranger = t.accept_mailed("bea@example.com", 1).await;
    let theirs = stranger.ok("{ clientRequests { id } }", json!({})).await;
    assert_eq!(theirs["clientRequests"], json!([]));
    let seen = stranger
        .ok(
            "query($id: ID!) { clientRequest(id: $id) { id } }",
            json!({"id": qid}),
        )
        .await;
    assert_eq!(seen["clientRequest"], Value::Null);
    let e = stranger
        .err(
            "mutation($id: ID!) { submitClientRequest(id: $id) { id } }",
            json!({"id": qid}),
        )
        .await;
    assert_eq!(code(&e), "NOT_FOUND");

    // A wrong answer is named and nothing is stored; a good one is kept as a draft.
    let answer = |answers: Value| {
        let client = client.clone();
        let qid = qid.clone();
        async move {
            client
                .raw(
                    "mutation($id: ID!, $a: JSON!) { answerClientRequest(id: $id, answers: $a) { answers state } }",
                    json!({"id": qid, "a": answers}),
                )
                .await
        }
    };
    let body = answer(json!({"taxYear": "dos mil", "married": true})).await;
    assert_eq!(
        body["errors"][0]["extensions"]["field"], "taxYear",
        "{body}"
    );
    let body = answer(json!({"taxYear": 2025, "married": true})).await;
    assert_eq!(
        body["data"]["answerClientRequest"]["answers"],
        json!({"taxYear": 2025, "married": true}),
        "{body}"
    );
    // Submitting asks every required answer.
    let e = client
        .err(
            "mutation($id: ID!) { submitClientRequest(id: $id) { state } }",
            json!({"id": qid}),
        )
        .await;
    assert_eq!(
        (code(&e), e["extensions"]["field"].as_str()),
        ("VALIDATION", Some("regime")),
        "{e}"
    );
    answer(json!({"regime": "Módulos"})).await;
    let sent = client
        .ok(
            "mutation($id: ID!) { submitClientRequest(id: $id) { state answers } }",
            json!({"id": qid}),
        )
        .await;
    assert_eq!(sent["submitClientRequest"]["state"], "SUBMITTED");
    // The case's recipients (its owner, the manager) are told, in the app and by email.
    let told = t
        .manager
        .ok("{ notifications { kind message } }", json!({}))
        .await;
    assert!(
        told["notifications"]
            .as_array()
            .unwrap()
            .iter()
            .any(|n| n["kind"] == "client_request_submitted"
                && n["message"] == "Ana sent “Datos de la renta” back done on the portal"),
        "{told}"
    );
    let mail = t.mail("manager@example.com", 1).await.text();
    assert!(mail.contains("Datos de la renta"), "{mail}");

    // Staff return it with a comment; Ana sees why, changes an answer and sends it again.
    let e = t
        .manager
        .err(
            "mutation($id: ID!) { returnClientRequest(id: $id, comment: \"  \") { id } }",
            json!({"id": qid}),
        )
        .await;
    assert_eq!(e["extensions"]["field"], "comment");
    t.manager
        .ok("mutation($id: ID!) { returnClientRequest(id: $id, comment: \"El ejercicio es 2024\") { state } }", json!({"id": qid}))
        .await;
    let back = client
        .ok(
            "query($id: ID!) { clientRequest(id: $id) { state comment } }",
            json!({"id": qid}),
        )
        .await;
    assert_eq!(
        back["clientRequest"],
        json!({"state": "RETURNED", "comment": "El ejercicio es 2024"})
    );
    answer(json!({"taxYear": 2024})).await;
    client
        .ok(
            "mutation($id: ID!) { submitClientRequest(id: $id) { state } }",
            json!({"id": qid}),
        )
        .await;
    let done = t
        .manager
        .ok(
            "mutation($id: ID!) { acceptClientRequest(id: $id) { state } }",
            json!({"id": qid}),
        )
        .await;
    assert_eq!(done["acceptClientRequest"]["state"], "ACCEPTED");
    let e = t
        .manager
        .err(
            "mutation($id: ID!) { acceptClientRequest(id: $id) { state } }",
            json!({"id": qid}),
        )
        .await;
    assert_eq!(code(&e), "CONFLICT");
    let body = answer(json!({"taxYear": 2023})).await;
    assert_eq!(code(&body["errors"][0]), "CONFLICT", "{body}");

    // Documents: nothing to send until a file is uploaded into the request.
    let e = client
        .err(
            "mutation($id: ID!) { submitClientRequest(id: $id) { state } }",
            json!({"id": did}),
        )
        .await;
    assert_eq!(e["extensions"]["field"], "documents");
    client
        .upload(
            "mutation($c: ID!, $r: ID, $file: Upload!) { uploadDocument(caseId: $c, requestId: $r, file: $file) { id origin } }",
            json!({"c": case, "r": did}),
            "nomina-enero.pdf",
            b"%PDF-1.4 payslip",
        )
        .await;
    // Not into a request on another case.
    let (_, body) = client
        .upload_raw(
            "mutation($c: ID!, $r: ID, $file: Upload!) { uploadDocument(caseId: $c, requestId: $r, file: $file) { id } }",
            json!({"c": other, "r": did}),
            "x.pdf",
            "application/pdf",
            b"%PDF-1.4 x",
        )
        .await;
    assert!(body["errors"][0].is_object(), "{body}");
    let sent = client
        .ok(
            &format!("mutation($id: ID!) {{ submitClientRequest(id: $id) {{ {FIELDS} }} }}"),
            json!({"id": did}),
        )
        .await;
    assert_eq!(
        sent["submitClientRequest"]["documents"],
        json!([{"name": "nomina-enero.pdf"}])
    );
    assert_eq!(sent["submitClientRequest"]["state"], "SUBMITTED");

    // Staff: the case's list, and every request of their cases.
    let list = t
        .manager
        .ok(
            "query($c: ID!) { clientRequests(caseId: $c) { title state } }",
            json!({"c": case}),
        )
        .await;
    assert_eq!(
        list["clientRequests"],
        json!([{"title": "Nóminas de 2025", "state": "SUBMITTED"}, {"title": "Datos de la renta", "state": "ACCEPTED"}])
    );
    let submitted = t
        .manager
        .ok(
            "{ clientRequests(state: [SUBMITTED]) { title } }",
            json!({}),
        )
        .await;
    assert_eq!(
        submitted["clientRequests"],
        json!([{"title": "Nóminas de 2025"}])
    );
    // Each step is in the case's audit log, who and when.
    let log = t
        .manager
        .ok(
            "query($id: ID!) { auditLog(entity: CASE, id: $id) { action actor { name } } }",
            json!({"id": case}),
        )
        .await;
    let actions: Vec<&str> = log["auditLog"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| e["action"].as_str())
        .filter(|a| a.starts_with("client_request"))
        .collect();
    assert_eq!(
        actions,
        [
            "client_request_created",
            "client_request_created",
            "client_request_submitted",
            "client_request_returned",
            "client_request_submitted",
            "client_request_accepted",
            "client_request_submitted"
        ]
    );
}

/// The client's "To do" on the portal home: what the firm asked for, late ones first and
/// marked, each leading to its case, where the request reads with its instructions.
#[tokio::test]
async fn a_client_sees_what_the_firm_asked_under_to_do() {
    use crate::portal::PASSWORD;
    use crate::webdriver::Browser;
    let t = portal_app().await;
    let server = t.app.server.url.clone();
    let ana = t
        .create_contact(json!({"name": "Ana", "email": "ana@example.com", "portalUser": true}))
        .await;
    let case = t
        .create_case(json!({"subject": "Renta 2025", "client": ana}))
        .await;
    t.set_access(&case, &ana, true, true).await;
    for (title, due) in [
        ("Nóminas de 2025", "2030-01-31"),
        ("Certificado de retenciones", "2020-01-31"),
    ] {
        t.manager
            .ok(
                "mutation($i: CreateClientRequestInput!) { createClientRequest(input: $i) { id } }",
                json!({"i": {"caseId": case, "contactIds": [ana], "kind": "DOCUMENTS", "title": title,
                    "dueDate": due, "instructions": "Las doce del año, en PDF."}}),
            )
            .await;
    }
    t.accept_mailed("ana@example.com", 1).await;
    let b = Browser::start(true).await;
    b.goto(&format!("{server}/portal/login")).await;
    b.type_into("#email", "ana@example.com").await;
    b.type_into("#password", PASSWORD).await;
    b.click("form.stack button[type=submit]").await;
    b.wait_for("Pendiente").await;
    let home = b.source().await;
    let late = home
        .find("Certificado de retenciones")
        .expect("the late one");
    let later = home.find("Nóminas de 2025").expect("the other one");
    assert!(late < later, "the late one comes first: {home}");
    assert!(
        home.contains("Con retraso, era para el: 31/01/2020"),
        "{home}"
    );
    assert!(home.contains("Para el: 31/01/2030"), "{home}");
    b.check("portal-home-todo").await;
    // The case page lists them too, each leading to its own page.
    b.goto(&format!("{server}/portal/cases/{case}")).await;
    b.wait_for("Lo que le hemos pedido").await;
    b.wait_for("Las doce del año, en PDF.").await;
    b.check("portal-case-requests").await;
}

/// A request's page, and its forms, answer a contact who is not asked (here, of another
/// organisation) exactly as a request that does not exist: the same 404, and nothing changes.
#[tokio::test]
async fn a_request_page_is_a_404_to_anyone_not_asked() {
    use crate::portal_pages::Browser;
    let t = portal_app().await;
    let ana = t
        .create_contact(json!({"name": "Ana", "email": "ana@example.com", "portalUser": true}))
        .await;
    let bea = t
        .create_contact(json!({"name": "Bea", "email": "bea@example.com", "portalUser": true}))
        .await;
    let case = t
        .create_case(json!({"subject": "Renta 2025", "client": ana}))
        .await;
    let hers = t
        .create_case(json!({"subject": "Otro caso", "client": bea}))
        .await;
    t.set_access(&case, &ana, true, true).await;
    t.set_access(&hers, &bea, true, true).await;
    let made = t
        .manager
        .ok(
            "mutation($i: CreateClientRequestInput!) { createClientRequest(input: $i) { id } }",
            json!({"i": {"caseId": case, "contactIds": [ana], "kind": "DOCUMENTS", "title": "Nóminas"}}),
        )
        .await;
    let id = made["createClientRequest"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    t.accept_mailed("ana@example.com", 1).await;
    t.accept_mailed("bea@example.com", 1).await;

    // Signed out: to sign in, and back here after.
    let mut nobody = Browser::new(&t.app.server.url);
    let page = nobody.get(&format!("/portal/requests/{id}")).await;
    assert_eq!(page.status, 303);
    assert!(
        page.location
            .unwrap_or_default()
            .starts_with("/portal/login?next="),
    );

    let mut b = Browser::new(&t.app.server.url);
    b.sign_in("bea@example.com").await;
    let missing = b.get("/portal/requests/999999").await;
    assert_eq!(missing.status, 404);
    let guessed = b.get(&format!("/portal/requests/{id}")).await;
    assert_eq!(guessed.status, 404);
    assert!(!guessed.body.contains("Nóminas"), "{}", guessed.body);
    let sent = b
        .post(&format!("/portal/requests/{id}"), &[("action", "submit")])
        .await;
    assert_eq!(sent.status, 404);
    let csrf = b.csrf();
    let upload = b
        .post_parts(
            &format!("/portal/requests/{id}/documents"),
            &[
                ("csrf", None, csrf.as_bytes()),
                ("files", Some("x.pdf"), b"%PDF-1.4 x"),
            ],
        )
        .await;
    assert_eq!(upload.status, 404);
    let still = t
        .manager
        .ok(
            "query($c: ID!) { clientRequests(caseId: $c) { state documents { id } } }",
            json!({"c": case}),
        )
        .await;
    assert_eq!(
        still["clientRequests"],
        json!([{"state": "OPEN", "documents": []}])
    );

    // Ana, who is asked, gets the page.
    let mut a = Browser::new(&t.app.server.url);
    a.sign_in("ana@example.com").await;
    let page = a.get(&format!("/portal/requests/{id}")).await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("Nóminas"), "{}", page.body);

    // Her access ends: the request leaves her "To do" and its page is a 404 too.
    t.set_access(&case, &ana, false, false).await;
    let home = a.get("/portal").await;
    assert_eq!(home.status, 200);
    assert!(
        home.body.contains("Pendiente") && !home.body.contains("Nóminas"),
        "{}",
        home.body
    );
    assert_eq!(a.get(&format!("/portal/requests/{id}")).await.status, 404);
}
