//! The conversation on a case over both GraphQL APIs (issue 21): staff write a reply and an
//! internal note; the client sees only the reply, answers with an attachment (text with HTML
//! in it kept as text), reads, edits and deletes within the window; staff see who read what;
//! unread counts on both sides; a contact without access, of another client, or whose access
//! ended gets NOT_FOUND and stores nothing; the limits (length, messages an hour) hold; every
//! send, edit and delete is in the case's audit log.

use crate::helpers::code;
use crate::portal::{PortalApp, portal_app_with};
use serde_json::{Value, json};

const FIELDS: &str = "id body internal fromClient byEmail author { id name } createdAt editedAt deleted attachments { id name }";

async fn post_staff(t: &PortalApp, case: &str, body: &str, internal: bool) -> Value {
    t.manager
        .raw(
            &format!("mutation($c: ID!, $b: String!, $i: Boolean!) {{ postCaseMessage(caseId: $c, body: $b, internal: $i) {{ {FIELDS} readBy {{ contactId name readAt }} }} }}"),
            json!({"c": case, "b": body, "i": internal}),
        )
        .await
}

/// A case with Ana (portal access) and Carl (a contact of the case without access); Bea has
/// access to another client's case only.
async fn setting() -> (PortalApp, String, String, String, String, String) {
    setting_with(&[]).await
}

async fn setting_with(env: &[(&str, &str)]) -> (PortalApp, String, String, String, String, String) {
    let mut env = env.to_vec();
    env.push(("PORTICO_PORTAL_MESSAGES_PER_HOUR", "6"));
    let t = portal_app_with(&env).await;
    let ana = t
        .create_contact(json!({"name": "Ana", "email": "ana@example.com", "portalUser": true}))
        .await;
    let bea = t
        .create_contact(json!({"name": "Bea", "email": "bea@example.com", "portalUser": true}))
        .await;
    let carl = t
        .create_contact(json!({"name": "Carl", "email": "carl@example.com"}))
        .await;
    let case = t
        .create_case(json!({"subject": "Renta 2025", "client": ana}))
        .await;
    t.link(&case, &carl).await;
    let other = t
        .create_case(json!({"subject": "Otro", "client": bea}))
        .await;
    t.set_access(&case, &ana, true, true).await;
    t.set_access(&other, &bea, true, true).await;
    (t, ana, bea, carl, case, other)
}

#[tokio::test]
async fn staff_and_client_talk_on_a_case_and_only_the_right_people_see_it() {
    let (t, ana, _bea, _carl, case, other) = setting().await;
    let ana_portal = t.accept_mailed("ana@example.com", 1).await;
    let bea_portal = t.accept_mailed("bea@example.com", 1).await;

    // Staff write an internal note and a reply with an attachment.
    let note = post_staff(&t, &case, "Ojo: pendiente de la nómina de marzo", true).await;
    assert!(note.get("errors").is_none(), "{note}");
    assert_eq!(note["data"]["postCaseMessage"]["readBy"], json!([]));
    let (status, reply) = t
        .manager
        .upload_raw(
            &format!("mutation($c: ID!, $file: Upload!) {{ postCaseMessage(caseId: $c, body: \"Hola Ana,\\nadjunto el borrador: https://ejemplo.es/guia\", internal: false, attachments: [$file]) {{ {FIELDS} readBy {{ contactId name readAt }} }} }}"),
            json!({"c": case}),
            "borrador.txt",
            "text/plain",
            b"borrador de la renta",
        )
        .await;
    assert_eq!(status, 200, "{reply}");
    let reply = reply["data"]["postCaseMessage"].clone();
    assert_eq!(reply["attachments"][0]["name"], "borrador.txt", "{reply}");
    assert_eq!(reply["readBy"][0]["name"], "Ana");
    assert!(reply["readBy"][0]["readAt"].is_null());
    let reply_id = reply["id"].as_str().unwrap().to_owned();

    // Ana sees the reply (and its attachment, shared with her), never the note.
    let unread = "query($c: ID!) { case(id: $c) { unreadMessages } }";
    assert_eq!(
        ana_portal.ok(unread, json!({"c": case})).await["case"]["unreadMessages"],
        1
    );
    let seen = ana_portal
        .ok(
            &format!("query($c: ID!) {{ caseMessages(caseId: $c) {{ {FIELDS} }} }}"),
            json!({"c": case}),
        )
        .await;
    let list = seen["caseMessages"].as_array().unwrap();
    assert_eq!(list.len(), 1, "{seen}");
    assert_eq!(list[0]["id"], reply_id.as_str());
    assert!(!seen.to_string().contains("nómina de marzo"), "{seen}");
    let docs = ana_portal
        .ok(
            "query($c: ID!) { documents(caseId: $c) { name } }",
            json!({"c": case}),
        )
        .await;
    assert!(docs.to_string().contains("borrador.txt"), "{docs}");
    // Staff see when she opens the file (the Share list's receipt); she sees nothing of the kind.
    let attachment = list[0]["attachments"][0]["id"].as_str().unwrap().to_owned();
    let opened = "query($d: ID!) { document(id: $d) { openedBy { name firstAt } } }";
    let before = t.manager.ok(opened, json!({"d": attachment})).await;
    assert_eq!(before["document"]["openedBy"], json!([]));
    let file = ana_portal
        .http
        .get(format!("{}/portal/files/{attachment}", t.app.server.url))
        .bearer_auth(ana_portal.token.as_deref().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(file.status(), 200);
    assert_eq!(
        file.bytes().await.unwrap().as_ref(),
        b"borrador de la renta"
    );
    let after = t.manager.ok(opened, json!({"d": attachment})).await;
    assert_eq!(after["document"]["openedBy"][0]["name"], "Ana", "{after}");
    let hidden = ana_portal
        .raw(
            "query($c: ID!) { documents(caseId: $c) { openedBy { name } } }",
            json!({"c": case}),
        )
        .await;
    assert_eq!(code(&hidden["errors"][0]), "VALIDATION", "{hidden}");
    // The portal's type has no read receipts at all.
    let receipts = ana_portal
        .raw(
            "query($c: ID!) { caseMessages(caseId: $c) { readBy { name } } }",
            json!({"c": case}),
        )
        .await;
    assert_eq!(code(&receipts["errors"][0]), "VALIDATION", "{receipts}");

    // Reading marks it read; staff see when.
    ana_portal
        .ok(
            "mutation($c: ID!) { markCaseMessagesRead(caseId: $c) }",
            json!({"c": case}),
        )
        .await;
    assert_eq!(
        ana_portal.ok(unread, json!({"c": case})).await["case"]["unreadMessages"],
        0
    );
    let staff_view = t
        .manager
        .ok(
            "query($c: ID!) { caseMessages(caseId: $c) { id internal readBy { name readAt } } }",
            json!({"c": case}),
        )
        .await;
    let read = staff_view["caseMessages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["id"] == reply_id.as_str())
        .unwrap()
        .clone();
    assert!(read["readBy"][0]["readAt"].is_string(), "{staff_view}");

    // Ana answers with HTML and a script in it: kept, and given back, as the text she typed.
    let typed = "Gracias <b>mil</b> <script>alert('x')</script>\nOtra línea";
    let (status, answer) = ana_portal
        .upload_raw(
            &format!("mutation($c: ID!, $file: Upload!) {{ postCaseMessage(caseId: $c, body: {}, attachments: [$file]) {{ {FIELDS} }} }}", json!(typed)),
            json!({"c": case}),
            "nomina-marzo.txt",
            "text/plain",
            b"nomina",
        )
        .await;
    assert_eq!(status, 200, "{answer}");
    let answer = answer["data"]["postCaseMessage"].clone();
    assert_eq!(answer["body"], typed);
    assert_eq!(answer["fromClient"], true);
    assert_eq!(answer["author"]["name"], "Ana");
    let answer_id = answer["id"].as_str().unwrap().to_owned();
    // Her attachment is a client upload on the case.
    let uploaded = t
        .manager
        .ok("query($c: ID!) { case(id: $c) { documents { name origin uploadedBy { name } } unreadMessages } }", json!({"c": case}))
        .await;
    assert!(
        uploaded["case"]["documents"]
            .as_array()
            .unwrap()
            .iter()
            .any(|d| d["name"] == "nomina-marzo.txt" && d["origin"] == "CLIENT_PORTAL"),
        "{uploaded}"
    );
    // The manager's home lists the case among the conversations with unread messages.
    let home = t
        .manager
        .ok("{ unreadConversations { id unreadMessages } }", json!({}))
        .await;
    assert_eq!(
        home["unreadConversations"],
        json!([{"id": case, "unreadMessages": 1}])
    );
    // The manager wrote the other two: one unread, Ana's. The case list says so too.
    assert_eq!(uploaded["case"]["unreadMessages"], 1, "{uploaded}");
    let list = t
        .manager
        .ok(
            "{ cases(first: 10) { edges { node { id unreadMessages } } } }",
            json!({}),
        )
        .await;
    assert!(
        list.to_string()
            .contains(&format!("{{\"id\":\"{case}\",\"unreadMessages\":1}}")),
        "{list}"
    );
    t.manager
        .ok(
            "mutation($c: ID!) { markCaseMessagesRead(caseId: $c) }",
            json!({"c": case}),
        )
        .await;
    let after = t.manager.ok(unread, json!({"c": case})).await;
    assert_eq!(after["case"]["unreadMessages"], 0);
    let home = t
        .manager
        .ok("{ unreadConversations { id } }", json!({}))
        .await;
    assert_eq!(home["unreadConversations"], json!([]));
    // The case's notification recipients (its owner by default) hear of it in the app.
    let bell = t
        .manager
        .ok(
            "{ notifications(unreadOnly: true) { kind message } }",
            json!({}),
        )
        .await;
    assert!(bell.to_string().contains("client_message"), "{bell}");

    // Edits and deletes: one's own, within the window; the others see "edited" / "deleted".
    let edit = "mutation($id: ID!, $b: String!) { editCaseMessage(id: $id, body: $b) { body editedAt deleted } }";
    let edited = ana_portal
        .ok(edit, json!({"id": answer_id, "b": "Gracias mil"}))
        .await;
    assert_eq!(edited["editCaseMessage"]["body"], "Gracias mil");
    assert!(edited["editCaseMessage"]["editedAt"].is_string());
    let theirs = ana_portal
        .raw(edit, json!({"id": reply_id, "b": "cambiado"}))
        .await;
    assert_eq!(code(&theirs["errors"][0]), "NOT_FOUND", "{theirs}");
    let by_staff = t
        .manager
        .raw(edit, json!({"id": answer_id, "b": "cambiado"}))
        .await;
    assert_eq!(code(&by_staff["errors"][0]), "FORBIDDEN", "{by_staff}");
    let deleted = t
        .manager
        .ok(
            "mutation($id: ID!) { deleteCaseMessage(id: $id) { body deleted } }",
            json!({"id": reply_id}),
        )
        .await;
    assert_eq!(
        deleted["deleteCaseMessage"],
        json!({"body": "", "deleted": true})
    );
    let now_seen = ana_portal
        .ok(
            "query($c: ID!) { caseMessages(caseId: $c) { id body deleted editedAt } }",
            json!({"c": case}),
        )
        .await;
    assert_eq!(now_seen["caseMessages"][0]["deleted"], true, "{now_seen}");
    assert_eq!(now_seen["caseMessages"][0]["body"], "");
    assert!(now_seen["caseMessages"][1]["editedAt"].is_string());

    // Bad input: named, nothing stored.
    let post = "mutation($c: ID!, $b: String!) { postCaseMessage(caseId: $c, body: $b) { id } }";
    for body in ["   \n ".to_owned(), "x".repeat(20_001)] {
        let refused = ana_portal.raw(post, json!({"c": case, "b": body})).await;
        assert_eq!(code(&refused["errors"][0]), "VALIDATION", "{refused}");
        assert_eq!(refused["errors"][0]["extensions"]["field"], "body");
    }
    let count = |v: Value| v["caseMessages"].as_array().unwrap().len();
    let staff_count = "query($c: ID!) { caseMessages(caseId: $c) { id } }";
    assert_eq!(
        count(t.manager.ok(staff_count, json!({"c": case})).await),
        3
    );

    // Bea (another client) guesses the case: as missing as one that does not exist, for
    // reading and writing, and nothing is stored.
    for (query, vars) in [
        (staff_count, json!({"c": case})),
        (post, json!({"c": case, "b": "hola"})),
        (
            "mutation($c: ID!) { markCaseMessagesRead(caseId: $c) }",
            json!({"c": case}),
        ),
    ] {
        let body = bea_portal.raw(query, vars).await;
        assert_eq!(code(&body["errors"][0]), "NOT_FOUND", "{body}");
    }
    let (_, upload) = bea_portal
        .upload_raw(
            "mutation($c: ID!, $file: Upload!) { postCaseMessage(caseId: $c, body: \"x\", attachments: [$file]) { id } }",
            json!({"c": case}),
            "x.txt",
            "text/plain",
            b"x",
        )
        .await;
    assert_eq!(code(&upload["errors"][0]), "NOT_FOUND", "{upload}");
    assert_eq!(
        count(t.manager.ok(staff_count, json!({"c": case})).await),
        3
    );
    // Her own case is fine.
    bea_portal.ok(post, json!({"c": other, "b": "Hola"})).await;

    // Messages an hour: the sixth this hour is the last (one sent already).
    for n in 0..5 {
        ana_portal
            .ok(post, json!({"c": case, "b": format!("mensaje {n}")}))
            .await;
    }
    let limited = ana_portal
        .raw(post, json!({"c": case, "b": "uno más"}))
        .await;
    assert_eq!(code(&limited["errors"][0]), "RATE_LIMITED", "{limited}");

    // Losing access hides the conversation from then on.
    t.set_access(&case, &ana, false, false).await;
    let gone = ana_portal.raw(staff_count, json!({"c": case})).await;
    assert_eq!(code(&gone["errors"][0]), "NOT_FOUND", "{gone}");
    // Staff still write notes; a reply needs someone to go to.
    let nobody = post_staff(&t, &case, "¿Sigue ahí?", false).await;
    assert_eq!(code(&nobody["errors"][0]), "VALIDATION", "{nobody}");
    assert_eq!(nobody["errors"][0]["extensions"]["field"], "internal");

    // Every send, edit and delete is in the case's audit log.
    let log = t
        .manager
        .ok(
            "query($c: ID!) { auditLog(entity: CASE, id: $c) { action } }",
            json!({"c": case}),
        )
        .await
        .to_string();
    for action in ["message_posted", "message_edited", "message_deleted"] {
        assert!(log.contains(action), "{action}: {log}");
    }
}

#[tokio::test]
async fn a_staff_reply_is_emailed_to_the_clients_and_a_note_never_is() {
    let (t, _ana, _bea, _carl, case, _other) =
        setting_with(&[("PORTICO_MAIL_GATHER_SECS", "6")]).await;
    t.accept_mailed("ana@example.com", 1).await;
    // The invitation, then the access to the case.
    t.mail("ana@example.com", 2).await;
    let before = t.to("ana@example.com").len();
    post_staff(&t, &case, "Nota interna: llamar al banco", true).await;
    let reply = post_staff(&t, &case, "Hola Ana:\nya tenemos su borrador.", false).await;
    assert!(reply.get("errors").is_none(), "{reply}");
    // A second reply straight after goes in the same email.
    post_staff(&t, &case, "Y le falta firmar la página 2.", false).await;
    let mail = t.mail("ana@example.com", before + 1).await;
    let text = mail.text();
    assert!(
        mail.data.contains("Subject: Nuevo mensaje sobre CAS-"),
        "{}",
        mail.data
    );
    assert!(text.contains("ya tenemos su borrador"), "{text}");
    assert!(
        text.contains("Tiene mensajes nuevos") && text.contains("firmar la página 2"),
        "{text}"
    );
    assert!(
        text.contains(&format!("/portal/cases/{case}#conversation")),
        "{text}"
    );
    // Without an inbound listener there is no address to answer to.
    assert!(
        !mail.data.to_ascii_lowercase().contains("reply-to:"),
        "{}",
        mail.data
    );
    // The note went nowhere: no other email, and nothing of it in this one.
    tokio::time::sleep(std::time::Duration::from_secs(8)).await;
    assert_eq!(t.to("ana@example.com").len(), before + 1);
    assert!(!mail.data.contains("llamar al banco"));
    // Nothing to Carl, who has no access.
    assert!(t.to("carl@example.com").is_empty());
}

#[tokio::test]
async fn the_portal_pages_hold_the_conversation_without_javascript() {
    use crate::portal_pages::Browser;
    let (t, _ana, _bea, _carl, case, _other) = setting().await;
    t.accept_mailed("ana@example.com", 1).await;
    t.accept_mailed("bea@example.com", 1).await;
    let mut ana = Browser::new(&t.app.server.url);
    ana.sign_in("ana@example.com").await;
    let page = ana.get(&format!("/portal/cases/{case}")).await;
    assert!(
        page.body.contains("Todavía no hay mensajes"),
        "{}",
        page.body
    );

    // A staff reply: on the home page as a new message, until the case page is seen.
    post_staff(&t, &case, "Hola Ana, ¿todo bien? www.ejemplo.es", false).await;
    let home = ana.get("/portal").await;
    assert!(
        home.body.contains("Mensajes nuevos") && home.body.contains("1 mensaje nuevo"),
        "{}",
        home.body
    );
    let page = ana.get(&format!("/portal/cases/{case}")).await;
    assert!(page.body.contains("<a href=\"https://www.ejemplo.es\" rel=\"noopener noreferrer nofollow\">www.ejemplo.es</a>"), "{}", page.body);
    assert!(page.body.contains(">nuevo<"), "the new message is marked");
    let home = ana.get("/portal").await;
    assert!(!home.body.contains("Mensajes nuevos"), "{}", home.body);

    // An empty message is refused beside the form; what was chosen is said.
    let csrf = ana.csrf();
    let path = format!("/portal/cases/{case}/messages");
    let empty = ana
        .post_parts(
            &path,
            &[("csrf", None, csrf.as_bytes()), ("body", None, b"  ")],
        )
        .await;
    assert_eq!(empty.status, 422);
    assert!(
        empty
            .body
            .contains("Escriba un mensaje o adjunte un archivo."),
        "{}",
        empty.body
    );
    // A message with HTML in it and a file: sent, then shown as text.
    let csrf = ana.csrf();
    let sent = ana
        .post_parts(
            &path,
            &[
                ("csrf", None, csrf.as_bytes()),
                (
                    "body",
                    None,
                    "Todo bien <img src=x onerror=alert(1)>".as_bytes(),
                ),
                ("files", Some("justificante.txt"), b"pagado"),
            ],
        )
        .await;
    assert_eq!(sent.status, 303, "{}", sent.body);
    assert_eq!(
        sent.location.as_deref(),
        Some(format!("/portal/cases/{case}?sent=1#conversation").as_str())
    );
    let page = ana.get(&format!("/portal/cases/{case}?sent=1")).await;
    assert!(page.body.contains("Hemos recibido su mensaje"));
    assert!(
        page.body
            .contains("Todo bien &lt;img src=x onerror=alert(1)&gt;"),
        "{}",
        page.body
    );
    assert!(!page.body.contains("<img src=x"));
    assert!(page.body.contains("justificante.txt"));
    let staff = t
        .manager
        .ok(
            "query($c: ID!) { caseMessages(caseId: $c) { body attachments { name } } }",
            json!({"c": case}),
        )
        .await;
    assert_eq!(
        staff["caseMessages"][1]["body"],
        "Todo bien <img src=x onerror=alert(1)>"
    );
    assert_eq!(
        staff["caseMessages"][1]["attachments"][0]["name"],
        "justificante.txt"
    );

    // Bea, of another client, guessing the case: the same 404 as a missing case, for the
    // page and the form, and nothing is stored.
    let mut bea = Browser::new(&t.app.server.url);
    bea.sign_in("bea@example.com").await;
    assert_eq!(bea.get(&format!("/portal/cases/{case}")).await.status, 404);
    bea.get("/portal").await;
    let csrf = bea.csrf();
    let forged = bea
        .post_parts(
            &path,
            &[
                ("csrf", None, csrf.as_bytes()),
                ("body", None, b"hola"),
                ("files", Some("x.txt"), b"x"),
            ],
        )
        .await;
    assert_eq!(forged.status, 404, "{}", forged.body);
    let after = t
        .manager
        .ok(
            "query($c: ID!) { caseMessages(caseId: $c) { id } }",
            json!({"c": case}),
        )
        .await;
    assert_eq!(after["caseMessages"].as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn a_client_changes_and_deletes_a_message_on_the_page() {
    use crate::portal_pages::Browser;
    let (t, _ana, _bea, _carl, case, _other) = setting().await;
    t.accept_mailed("ana@example.com", 1).await;
    let mut ana = Browser::new(&t.app.server.url);
    ana.sign_in("ana@example.com").await;
    ana.get(&format!("/portal/cases/{case}")).await;
    let csrf = ana.csrf();
    let path = format!("/portal/cases/{case}/messages");
    let sent = ana
        .post_parts(
            &path,
            &[
                ("csrf", None, csrf.as_bytes()),
                ("body", None, "Primer texto".as_bytes()),
            ],
        )
        .await;
    assert_eq!(sent.status, 303);
    let page = ana.get(&format!("/portal/cases/{case}")).await;
    assert!(page.body.contains("Cambiar o borrar"), "{}", page.body);
    let id = t
        .manager
        .ok(
            "query($c: ID!) { caseMessages(caseId: $c) { id } }",
            json!({"c": case}),
        )
        .await["caseMessages"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let changed = ana
        .post(
            &format!("{path}/{id}"),
            &[("action", "save"), ("body", "Texto corregido")],
        )
        .await;
    assert_eq!(changed.status, 303, "{}", changed.body);
    let page = ana.get(&format!("/portal/cases/{case}")).await;
    assert!(
        page.body.contains("Texto corregido") && page.body.contains("(editado)"),
        "{}",
        page.body
    );
    let gone = ana
        .post(&format!("{path}/{id}"), &[("action", "delete")])
        .await;
    assert_eq!(gone.status, 303);
    let page = ana.get(&format!("/portal/cases/{case}")).await;
    assert!(
        page.body.contains("Este mensaje se borró.") && !page.body.contains("Texto corregido"),
        "{}",
        page.body
    );
    let staff = t
        .manager
        .ok(
            "query($c: ID!) { caseMessages(caseId: $c) { deleted editedAt } }",
            json!({"c": case}),
        )
        .await;
    assert_eq!(staff["caseMessages"][0]["deleted"], true);
    // Another's message (a staff reply) cannot be changed from the page.
    let reply = post_staff(&t, &case, "Recibido", false).await["data"]["postCaseMessage"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    ana.get(&format!("/portal/cases/{case}")).await;
    let theirs = ana
        .post(
            &format!("{path}/{reply}"),
            &[("action", "save"), ("body", "cambiado")],
        )
        .await;
    assert_eq!(theirs.status, 404, "{}", theirs.body);
}

#[tokio::test]
async fn a_long_conversation_shows_its_newest_messages_and_leads_to_the_earlier_ones() {
    use crate::portal_pages::Browser;
    let (t, _ana, _bea, _carl, case, _other) = setting().await;
    t.accept_mailed("ana@example.com", 1).await;
    for n in 1..=55 {
        post_staff(&t, &case, &format!("Mensaje número {n}."), false).await;
    }
    let mut ana = Browser::new(&t.app.server.url);
    ana.sign_in("ana@example.com").await;
    let page = ana.get(&format!("/portal/cases/{case}")).await;
    assert!(
        page.body.contains("Mensaje número 55.") && page.body.contains("Mensaje número 6."),
        "the newest 50"
    );
    assert!(
        !page.body.contains("Mensaje número 5."),
        "only the newest 50"
    );
    let link = page
        .body
        .split("href=\"")
        .find(|p| p.contains("?before="))
        .and_then(|p| p.split('"').next())
        .expect("a link to the earlier messages")
        .replace("&amp;", "&");
    let earlier = ana.get(&link).await;
    assert!(
        earlier.body.contains("Mensaje número 1.") && earlier.body.contains("Mensaje número 5."),
        "{}",
        earlier.body
    );
    assert!(!earlier.body.contains("Mensaje número 6."));
    assert!(earlier.body.contains("Mensajes más recientes"));
    // The same windows over GraphQL.
    let newest = t
        .manager
        .ok(
            "query($c: ID!) { caseMessages(caseId: $c, last: 2) { id body } }",
            json!({"c": case}),
        )
        .await;
    assert_eq!(newest["caseMessages"][1]["body"], "Mensaje número 55.");
    assert_eq!(newest["caseMessages"].as_array().unwrap().len(), 2);
    let before = newest["caseMessages"][0]["id"].as_str().unwrap();
    let older = t
        .manager
        .ok(
            "query($c: ID!, $b: ID!) { caseMessages(caseId: $c, last: 1, before: $b) { body } }",
            json!({"c": case, "b": before}),
        )
        .await;
    assert_eq!(older["caseMessages"][0]["body"], "Mensaje número 53.");
}
