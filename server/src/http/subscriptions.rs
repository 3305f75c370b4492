//! GraphQL subscriptions over WebSocket at `/graphql/ws` (`graphql-transport-ws`, and the older
//! `graphql-ws`). A browser cannot set headers on a WebSocket, so the token may come in the
//! `connection_init` payload (`{"authorization": "Bearer ..."}` or `{"token": "..."}`), else
//! from the session cookie of the upgrade request. Anonymous connections are refused at init.

use super::AppState;
use super::auth;
use super::graphql::Endpoint;
use async_graphql::http::{ALL_WEBSOCKET_PROTOCOLS, WebSocket as GraphqlWebSocket, WsMessage};
use async_graphql::{Data, Error};
use axum::extract::ws::{CloseFrame, Message, WebSocket, WebSocketUpgrade};
use axum::extract::{ConnectInfo, State};
use axum::http::header::SEC_WEBSOCKET_PROTOCOL;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use futures_util::{SinkExt, StreamExt, future};
use portico_engine::Principal;
use portico_schema::RequestInfo;
use std::net::SocketAddr;
use std::str::FromStr;

fn payload_token(payload: &serde_json::Value) -> Option<String> {
    let raw = ["authorization", "Authorization", "token"]
        .iter()
        .find_map(|k| payload.get(*k).and_then(|v| v.as_str()))?;
    let raw = raw.trim();
    Some(match raw.split_once(' ') {
        Some((scheme, t)) if scheme.eq_ignore_ascii_case("bearer") => t.trim().to_owned(),
        _ => raw.to_owned(),
    })
}

pub async fn staff_ws(
    State(state): State<AppState>,
    ConnectInfo(client): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    upgrade: WebSocketUpgrade,
) -> Response {
    let protocol = headers
        .get(SEC_WEBSOCKET_PROTOCOL)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            v.split(',')
                .find_map(|p| async_graphql::http::WebSocketProtocols::from_str(p.trim()).ok())
        });
    let Some(protocol) = protocol else {
        return (
            StatusCode::BAD_REQUEST,
            "ask for the graphql-transport-ws subprotocol\n",
        )
            .into_response();
    };
    let catalog = match state.engine.sync().await {
        Ok(c) => c,
        Err(e) => {
            tracing::error!(error = %e, "subscription start failed");
            return StatusCode::INTERNAL_SERVER_ERROR.into_response();
        }
    };
    let schema = match state.staff_schema.get(&catalog, &state.engine).await {
        Ok(s) => s,
        Err(e) => {
            tracing::error!(error = %e, "subscription start failed");
            return StatusCode::INTERNAL_SERVER_ERROR.into_response();
        }
    };
    let cookie = auth::token(&headers, Endpoint::Staff);
    let engine = state.engine.clone();
    upgrade
        .protocols(ALL_WEBSOCKET_PROTOCOLS)
        .on_upgrade(move |socket: WebSocket| async move {
            let (mut sink, stream) = socket.split();
            let input = stream
                .take_while(|m| future::ready(m.is_ok()))
                .filter_map(|m| {
                    future::ready(match m {
                        Ok(Message::Text(t)) => Some(t.as_str().as_bytes().to_vec()),
                        Ok(Message::Binary(b)) => Some(b.to_vec()),
                        _ => None,
                    })
                });
            let on_init = move |payload: serde_json::Value| async move {
                let token = payload_token(&payload).or(cookie);
                let principal = match token {
                    Some(t) => engine
                        .authenticate(&t)
                        .await
                        .map_err(|_| Error::new("internal error"))?,
                    None => Principal::Anonymous,
                };
                if matches!(principal, Principal::Anonymous) {
                    return Err(Error::new("authentication required"));
                }
                let mut data = Data::default();
                data.insert(RequestInfo {
                    principal,
                    client_address: Some(client.ip().to_string()),
                });
                Ok(data)
            };
            let mut out =
                GraphqlWebSocket::new(schema, input, protocol).on_connection_init(on_init);
            while let Some(msg) = out.next().await {
                let sent = match msg {
                    WsMessage::Text(text) => sink.send(Message::Text(text.into())).await,
                    WsMessage::Close(code, reason) => {
                        sink.send(Message::Close(Some(CloseFrame {
                            code,
                            reason: reason.into(),
                        })))
                        .await
                    }
                };
                if sent.is_err() {
                    break;
                }
            }
        })
}
