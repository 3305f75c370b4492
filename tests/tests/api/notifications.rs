//! Staff notifications of portal activity: the per-case list (owner by default, the owner's
//! switch-off rule), in-app notifications pushed over `/graphql/ws`, listed and marked read,
//! and emails through the outbox linking to the case in the admin UI.

use crate::helpers::code;
use crate::portal::{PUBLIC, id, portal_app};
use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use std::time::Duration;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// Opens `/graphql/ws` with graphql-transport-ws and sends `connection_init` with `payload`.
async fn connect(base: &str, payload: Value) -> Socket {
    let url = format!("{}/graphql/ws", base.replace("http://", "ws://"));
    let mut request = url.into_client_request().unwrap();
    request.headers_mut().insert(
        "sec-websocket-protocol",
        "graphql-transport-ws".parse().unwrap(),
    );
    let (mut socket, _) = tokio_tungstenite::connect_async(request)
        .await
        .expect("websocket");
    let init = json!({"type": "connection_init", "payload": payload});
    socket
        .send(Message::Text(init.to_string().into()))
        .await
        .unwrap();
    socket
}

/// The next JSON message, waiting at most `secs`.
async fn next(socket: &mut Socket, secs: u64) -> Option<Value> {
    loop {
        let msg = tokio::time::timeout(Duration::from_secs(secs), socket.next())
            .await
            .ok()??
            .ok()?;
        match msg {
            Message::Text(t) => return serde_json::from_str(t.as_str()).ok(),
            Message::Close(frame) => {
                return Some(
                    json!({"type": "closed", "frame": frame.map(|f| f.reason.to_string())}),
                );
            }
            _ => continue,
        }
    }
}

const UPLOAD: &str =
    "mutation($c: ID!, $file: Upload!) { uploadDocument(caseId: $c, file: $file) { id } }";
const RECIPIENTS: &str =
    "query($c: ID!) { caseNotificationRecipients(caseId: $c) { user { name } inApp email } }";
const SET: &str = "mutation($c: ID!, $u: ID!, $i: Boolean!, $e: Boolean!) { setCaseNotificationRecipient(caseId: $c, userId: $u, inApp: $i, email: $e) { inApp email } }";

#[tokio::test]
async fn portal_activity_notifies_the_case_list_live_and_by_email() {
    let t = portal_app().await;
    let manager_id = id(&t.manager.ok("{ me { id } }", json!({})).await["me"]);
    let admin_id = id(&t.app.admin.ok("{ me { id } }", json!({})).await["me"]);
    let carla = t
        .create_contact(json!({"name": "Carla", "email": "carla@example.com"}))
        .await;
    let case_id = t
        .create_case(json!({"subject": "Watched", "owner": manager_id}))
        .await;
    t.link(&case_id, &carla).await;
    t.set_access(&case_id, &carla, true, true).await;
    let carla_portal = t.accept_mailed("carla@example.com", 1).await;

    // By default: the owner, in the app and by email.
    let list = t.manager.ok(RECIPIENTS, json!({"c": case_id})).await;
    assert_eq!(
        list["caseNotificationRecipients"],
        json!([{"user": {"name": "manager@example.com"}, "inApp": true, "email": true}])
    );

    // Anonymous subscriptions are refused at init; the manager's is acknowledged.
    let mut anonymous = connect(&t.app.server.url, json!({})).await;
    let refused = next(&mut anonymous, 5)
        .await
        .unwrap_or(json!({"type": "closed"}));
    assert_ne!(refused["type"], "connection_ack", "{refused}");
    let token = t.manager.token.clone().unwrap();
    let mut socket = connect(
        &t.app.server.url,
        json!({"authorization": format!("Bearer {token}")}),
    )
    .await;
    assert_eq!(
        next(&mut socket, 5).await.unwrap()["type"],
        "connection_ack"
    );
    let subscribe = json!({"id": "1", "type": "subscribe", "payload": {"query": "subscription { notificationAdded { id kind message caseId read } }"}});
    socket
        .send(Message::Text(subscribe.to_string().into()))
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(300)).await;

    // The manager reads English: the email comes in it (the default is Spanish).
    let me = t.manager.ok("{ me { language } }", json!({})).await;
    assert_eq!(me["me"]["language"], Value::Null);
    t.manager
        .ok(
            "mutation { setMyLanguage(language: \"en\") { language } }",
            json!({}),
        )
        .await;

    // A client upload: pushed live, listed, emailed.
    carla_portal
        .upload(
            UPLOAD,
            json!({"c": case_id}),
            "receipt.pdf",
            b"%PDF receipt",
        )
        .await;
    let pushed = next(&mut socket, 10).await.expect("a pushed notification");
    assert_eq!(pushed["type"], "next", "{pushed}");
    let n = &pushed["payload"]["data"]["notificationAdded"];
    assert_eq!(n["kind"], "client_upload");
    assert_eq!(n["message"], "Carla uploaded receipt.pdf on the portal");
    assert_eq!(n["caseId"], case_id);
    assert_eq!(n["read"], false);
    let unread = t
        .manager
        .ok(
            "{ notifications(unreadOnly: true) { id message detail case { id } } }",
            json!({}),
        )
        .await;
    assert_eq!(unread["notifications"].as_array().unwrap().len(), 1);
    assert_eq!(
        unread["notifications"][0]["detail"],
        json!({"contact": "Carla", "document": "receipt.pdf"})
    );
    let nid = id(&unread["notifications"][0]);
    let mail = t.mail("manager@example.com", 1).await;
    assert!(
        mail.text()
            .contains("Carla uploaded receipt.pdf on the portal"),
        "{}",
        mail.text()
    );
    assert!(
        mail.text()
            .contains(&format!("{PUBLIC}/admin/cases/{case_id}")),
        "{}",
        mail.text()
    );
    // Someone else cannot mark it; its owner can.
    let e = t
        .app
        .admin
        .err(
            "mutation($id: ID!) { markNotificationRead(id: $id) { id } }",
            json!({"id": nid}),
        )
        .await;
    assert_eq!(code(&e), "NOT_FOUND");
    let read = t
        .manager
        .ok(
            "mutation($id: ID!) { markNotificationRead(id: $id) { read readAt } }",
            json!({"id": nid}),
        )
        .await;
    assert_eq!(read["markNotificationRead"]["read"], true);
    let unread = t
        .manager
        .ok("{ notifications(unreadOnly: true) { id } }", json!({}))
        .await;
    assert_eq!(unread["notifications"], json!([]));
    let all = t.manager.ok("{ notifications { id } }", json!({})).await;
    assert_eq!(all["notifications"].as_array().unwrap().len(), 1);

    // The owner cannot be switched off while nobody else listens.
    let e = t
        .manager
        .err(
            SET,
            json!({"c": case_id, "u": manager_id, "i": false, "e": false}),
        )
        .await;
    assert_eq!(code(&e), "VALIDATION");
    assert_eq!(e["extensions"]["field"], "userId");
    // With the admin on the list (in the app only), the owner may step off.
    t.manager
        .ok(
            SET,
            json!({"c": case_id, "u": admin_id, "i": true, "e": false}),
        )
        .await;
    t.manager
        .ok(
            SET,
            json!({"c": case_id, "u": manager_id, "i": false, "e": false}),
        )
        .await;
    let list = t.manager.ok(RECIPIENTS, json!({"c": case_id})).await;
    assert_eq!(
        list["caseNotificationRecipients"].as_array().unwrap().len(),
        2
    );
    // And the admin cannot leave now that only they listen.
    let e = t
        .manager
        .err(
            "mutation($c: ID!, $u: ID!) { removeCaseNotificationRecipient(caseId: $c, userId: $u) }",
            json!({"c": case_id, "u": admin_id}),
        )
        .await;
    assert_eq!(code(&e), "VALIDATION");

    carla_portal
        .upload(UPLOAD, json!({"c": case_id}), "second.pdf", b"%PDF second")
        .await;
    let admin_inbox = t
        .app
        .admin
        .ok("{ notifications { message } }", json!({}))
        .await;
    assert_eq!(
        admin_inbox["notifications"][0]["message"],
        "Carla uploaded second.pdf on the portal"
    );
    // The manager switched off: nothing new in their inbox, nothing pushed, no second email.
    let all = t.manager.ok("{ notifications { id } }", json!({})).await;
    assert_eq!(all["notifications"].as_array().unwrap().len(), 1);
    assert!(next(&mut socket, 2).await.is_none());

    // A case opened on the portal notifies its owner (the default owner, the admin).
    carla_portal
        .ok(
            "mutation { createCase(input: {subject: \"Opened on the portal\"}) { id } }",
            json!({}),
        )
        .await;
    let admin_inbox = t
        .app
        .admin
        .ok("{ notifications { kind message } }", json!({}))
        .await;
    assert_eq!(
        admin_inbox["notifications"][0]["kind"],
        "portal_case_created"
    );
    assert_eq!(
        admin_inbox["notifications"][0]["message"],
        "Carla opened the case on the portal"
    );
    assert_eq!(t.to("manager@example.com").len(), 1);
    // The admin chose no language: their email is in Spanish, the activity too.
    let mail = t.mail("admin@example.com", 1).await;
    assert!(
        mail.text().contains("Carla abrió el caso en el portal"),
        "{}",
        mail.text()
    );
}

#[tokio::test]
async fn a_staff_user_keeps_their_language_on_their_account() {
    let t = portal_app().await;
    let chosen = t
        .manager
        .ok(
            "mutation { setMyLanguage(language: \"EN\") { language } }",
            json!({}),
        )
        .await;
    assert_eq!(chosen["setMyLanguage"]["language"], "en");
    // Another session (another device) sees it.
    let again = t
        .app
        .client()
        .login("manager@example.com", "a long password")
        .await;
    let me = again.ok("{ me { language } }", json!({})).await;
    assert_eq!(me["me"]["language"], "en");
    let e = t
        .manager
        .err(
            "mutation { setMyLanguage(language: \"fr\") { language } }",
            json!({}),
        )
        .await;
    assert_eq!(
        (code(&e), e["extensions"]["field"].as_str()),
        ("VALIDATION", Some("language"))
    );
    let e = t
        .app
        .client()
        .err(
            "mutation { setMyLanguage(language: \"es\") { language } }",
            json!({}),
        )
        .await;
    assert_eq!(code(&e), "UNAUTHENTICATED");
    let me = t.manager.ok("{ me { language } }", json!({})).await;
    assert_eq!(me["me"]["language"], "en");
}

/// A client who opens a case with an attachment does one thing: the owner gets one email that
/// says both, not one for the case and another for the file (issue 19).
#[tokio::test]
async fn opening_a_case_with_an_attachment_is_one_email_to_the_owner() {
    let t = portal_app().await;
    let carla = t
        .create_contact(json!({"name": "Carla", "email": "carla@example.com"}))
        .await;
    let first = t
        .create_case(json!({"subject": "First", "client": carla}))
        .await;
    t.set_access(&first, &carla, true, true).await;
    let carla_portal = t.accept_mailed("carla@example.com", 1).await;
    let opened = carla_portal
        .ok(
            "mutation { createCase(input: {subject: \"Factura de noviembre\"}) { id } }",
            json!({}),
        )
        .await;
    let case = id(&opened["createCase"]);
    carla_portal
        .upload(UPLOAD, json!({"c": case}), "factura.pdf", b"%PDF factura")
        .await;
    // The default owner (the admin) is told once, with both things in the one email.
    let mail = t.mail("admin@example.com", 1).await;
    let text = mail.text();
    assert!(
        text.contains("Carla abrió el caso en el portal") && text.contains("factura.pdf"),
        "{text}"
    );
    tokio::time::sleep(Duration::from_secs(8)).await;
    assert_eq!(
        t.to("admin@example.com").len(),
        1,
        "{:?}",
        t.to("admin@example.com")
    );
    // In the app both stay apart: the bell lists each.
    let inbox = t
        .app
        .admin
        .ok("{ notifications { kind } }", json!({}))
        .await;
    assert_eq!(
        inbox["notifications"].as_array().unwrap().len(),
        2,
        "{inbox}"
    );
}
