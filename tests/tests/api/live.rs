//! Finding 4 of the access review, replayed as it was found: a `/graphql/ws` subscription
//! outlived logout and deactivation, any number of them could be opened, and the upgrade took
//! the session cookie from any origin.

use crate::helpers::{App, spawn_app, spawn_app_with};
use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use std::time::Duration;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// What the server said next: a message, or how it closed the socket (code and reason).
#[derive(Debug)]
pub(crate) enum Heard {
    Message(Value),
    Closed(u16, String),
    Nothing,
}

pub(crate) async fn open(app: &App, headers: &[(&'static str, String)], payload: Value) -> Socket {
    let url = format!("{}/graphql/ws", app.server.url.replace("http://", "ws://"));
    let mut request = url.into_client_request().unwrap();
    request.headers_mut().insert(
        "sec-websocket-protocol",
        "graphql-transport-ws".parse().unwrap(),
    );
    for (k, v) in headers {
        request.headers_mut().insert(*k, v.parse().unwrap());
    }
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

pub(crate) async fn hear(socket: &mut Socket, secs: u64) -> Heard {
    loop {
        let msg = match tokio::time::timeout(Duration::from_secs(secs), socket.next()).await {
            Ok(Some(Ok(m))) => m,
            Ok(_) => return Heard::Closed(0, String::new()),
            Err(_) => return Heard::Nothing,
        };
        match msg {
            Message::Text(t) => return Heard::Message(serde_json::from_str(t.as_str()).unwrap()),
            Message::Close(frame) => {
                return match frame {
                    Some(f) => Heard::Closed(f.code.into(), f.reason.to_string()),
                    None => Heard::Closed(0, String::new()),
                };
            }
            _ => continue,
        }
    }
}

pub(crate) async fn acked(app: &App, token: &str) -> Socket {
    let mut socket = open(
        app,
        &[],
        json!({"authorization": format!("Bearer {token}")}),
    )
    .await;
    match hear(&mut socket, 5).await {
        Heard::Message(m) if m["type"] == "connection_ack" => socket,
        other => panic!("no ack: {other:?}"),
    }
}

pub(crate) async fn subscribe(socket: &mut Socket, id: &str) {
    let msg = json!({"id": id, "type": "subscribe", "payload": {"query": "subscription { notificationAdded { id } }"}});
    socket
        .send(Message::Text(msg.to_string().into()))
        .await
        .unwrap();
}

/// Waits up to `secs` for the socket to close, skipping messages.
pub(crate) async fn closed(socket: &mut Socket, secs: u64) -> Option<(u16, String)> {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(secs);
    loop {
        let left = deadline.saturating_duration_since(tokio::time::Instant::now());
        if left.is_zero() {
            return None;
        }
        match hear(socket, left.as_secs().max(1)).await {
            Heard::Closed(code, reason) => return Some((code, reason)),
            Heard::Nothing => return None,
            Heard::Message(_) => continue,
        }
    }
}

#[tokio::test]
async fn subscriptions_end_with_their_session_or_user() {
    let app = spawn_app().await;
    // Logout.
    let ana = app.staff("ana@example.com", &[]).await;
    let mut socket = acked(&app, ana.token.as_deref().unwrap()).await;
    subscribe(&mut socket, "1").await;
    assert!(matches!(hear(&mut socket, 1).await, Heard::Nothing));
    ana.ok("mutation { logout }", json!({})).await;
    let (code, _) = closed(&mut socket, 6).await.expect("closed after logout");
    assert_eq!(code, 4401);

    // Deactivation, with an API token this time.
    let ana = app
        .client()
        .login("ana@example.com", "a long password")
        .await;
    let ana_id = ana.ok("{ me { id } }", json!({})).await["me"]["id"].clone();
    let token = ana
        .ok(
            r#"mutation { createApiToken(name: "live") { token } }"#,
            json!({}),
        )
        .await["createApiToken"]["token"]
        .as_str()
        .unwrap()
        .to_owned();
    let mut socket = acked(&app, &token).await;
    subscribe(&mut socket, "1").await;
    app.admin
        .ok(
            "mutation($id: ID!) { updateStaffUser(id: $id, input: {active: false}) { id } }",
            json!({"id": ana_id}),
        )
        .await;
    let (code, _) = closed(&mut socket, 6)
        .await
        .expect("closed after deactivation");
    assert_eq!(code, 4401);
}

#[tokio::test]
async fn subscriptions_are_capped_per_connection_and_per_user() {
    let app = spawn_app_with(&[
        ("PORTICO_MAX_SUBSCRIPTIONS_PER_CONNECTION", "2"),
        ("PORTICO_MAX_SUBSCRIPTIONS_PER_USER", "3"),
    ])
    .await;
    let token = app.admin.token.clone().unwrap();
    let mut first = acked(&app, &token).await;
    subscribe(&mut first, "1").await;
    subscribe(&mut first, "2").await;
    assert!(matches!(hear(&mut first, 1).await, Heard::Nothing));
    // A third on the same connection closes it.
    subscribe(&mut first, "3").await;
    let (code, reason) = closed(&mut first, 5).await.expect("closed");
    assert_eq!(code, 4429, "{reason}");
    // Its two were given back; three across connections fit, a fourth does not.
    let mut a = acked(&app, &token).await;
    subscribe(&mut a, "1").await;
    subscribe(&mut a, "2").await;
    let mut b = acked(&app, &token).await;
    subscribe(&mut b, "1").await;
    assert!(matches!(hear(&mut b, 1).await, Heard::Nothing));
    subscribe(&mut b, "2").await;
    let (code, reason) = closed(&mut b, 5).await.expect("closed");
    assert_eq!(code, 4429, "{reason}");
    // Completing one frees its place.
    let complete = json!({"id": "2", "type": "complete"});
    a.send(Message::Text(complete.to_string().into()))
        .await
        .unwrap();
    let mut c = acked(&app, &token).await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    subscribe(&mut c, "1").await;
    assert!(matches!(hear(&mut c, 1).await, Heard::Nothing));
}

#[tokio::test]
async fn the_session_cookie_opens_a_socket_only_from_our_origin() {
    let app = spawn_app_with(&[("PORTICO_PUBLIC_URL", "https://portal.example.test")]).await;
    let token = app.admin.token.clone().unwrap();
    let cookie = ("cookie", format!("portico_session={token}"));
    // Another site's page, riding on the browser's cookie.
    let mut evil = open(
        &app,
        &[cookie.clone(), ("origin", "https://evil.example".into())],
        json!({}),
    )
    .await;
    match hear(&mut evil, 5).await {
        Heard::Message(m) => assert_ne!(m["type"], "connection_ack", "{m}"),
        other => assert!(matches!(other, Heard::Closed(..)), "{other:?}"),
    }
    // Our own page.
    let mut ours = open(
        &app,
        &[cookie, ("origin", "https://portal.example.test".into())],
        json!({}),
    )
    .await;
    match hear(&mut ours, 5).await {
        Heard::Message(m) => assert_eq!(m["type"], "connection_ack", "{m}"),
        other => panic!("{other:?}"),
    }
}
