//! GraphQL subscriptions over WebSocket at `/graphql/ws` (`graphql-transport-ws`, and the older
//! `graphql-ws`). A browser cannot set headers on a WebSocket, so the token may come in the
//! `connection_init` payload (`{"authorization": "Bearer ..."}` or `{"token": "..."}`), else
//! from the session cookie of the upgrade request. Anonymous connections are refused at init.
//!
//! A connection lives only as long as its credentials: every couple of seconds the token is
//! checked again, and a logout, a revoked token or a deactivated user closes the socket (4401).
//! Subscriptions are capped per connection and per user (4429 past either cap): each one holds
//! a task and a database poll. The session cookie is used only when the upgrade comes from the
//! public URL's origin (or from no browser at all): another site's page could otherwise open a
//! socket in the user's name and read their notifications.

use super::AppState;
use super::auth;
use super::auth::Endpoint;
use async_graphql::http::{ALL_WEBSOCKET_PROTOCOLS, WebSocket as GraphqlWebSocket, WsMessage};
use async_graphql::{Data, Error};
use axum::extract::ws::{CloseFrame, Message, WebSocket, WebSocketUpgrade};
use axum::extract::{ConnectInfo, State};
use axum::http::header::SEC_WEBSOCKET_PROTOCOL;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use futures_util::{SinkExt, StreamExt, future};
use portico_schema::{Caller, RequestInfo};
use std::collections::{HashMap, HashSet};
use std::net::SocketAddr;
use std::str::FromStr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// How often a connection's credentials are checked again.
const RECHECK: Duration = Duration::from_secs(2);

/// Live subscriptions per user, across this process's connections.
#[derive(Default)]
pub struct SubscriptionCounts(Mutex<HashMap<String, usize>>);

impl SubscriptionCounts {
    /// Live subscriptions in this process, for the metrics.
    pub fn total(&self) -> usize {
        self.0.lock().map_or(0, |c| c.values().sum())
    }

    fn take(&self, who: &str, max: usize) -> bool {
        let Ok(mut counts) = self.0.lock() else {
            return false;
        };
        let n = counts.entry(who.to_owned()).or_default();
        if *n >= max {
            return false;
        }
        *n += 1;
        true
    }

    fn give_back(&self, who: &str, n: usize) {
        if let Ok(mut counts) = self.0.lock()
            && let Some(c) = counts.get_mut(who)
        {
            *c = c.saturating_sub(n);
            if *c == 0 {
                counts.remove(who);
            }
        }
    }
}

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

/// What a client message does to the set of live subscriptions.
enum Change {
    Start(String),
    Stop(String),
    Other,
}

fn change_of(bytes: &[u8]) -> Change {
    let Ok(v) = serde_json::from_slice::<serde_json::Value>(bytes) else {
        return Change::Other;
    };
    let id = v.get("id").and_then(|i| i.as_str()).map(str::to_owned);
    match (v.get("type").and_then(|t| t.as_str()), id) {
        (Some("subscribe" | "start"), Some(id)) => Change::Start(id),
        (Some("complete" | "stop"), Some(id)) => Change::Stop(id),
        _ => Change::Other,
    }
}

/// One connection's live subscriptions and who they belong to.
struct Live {
    who: Option<String>,
    ids: HashSet<String>,
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
    let cookie = auth::token(&headers, Endpoint::Staff)
        // Another site's page can open a WebSocket to us with our cookie: its origin tells.
        .filter(|_| state.origins.sent_by_our_pages(&headers, false));
    let address =
        super::client_address::client_address(client.ip(), &headers, &state.config.trusted_proxies);
    let engine = state.engine.clone();
    let counts = state.subscriptions.clone();
    let per_connection = state.config.max_subscriptions_per_connection;
    let per_user = state.config.max_subscriptions_per_user;
    let stop = state.stop.clone();
    upgrade
        .protocols(ALL_WEBSOCKET_PROTOCOLS)
        .on_upgrade(move |socket: WebSocket| async move {
            let (mut sink, stream) = socket.split();
            let token: Arc<Mutex<Option<String>>> = Arc::default();
            let live = Arc::new(Mutex::new(Live {
                who: None,
                ids: HashSet::new(),
            }));
            let (refuse, mut refused) = tokio::sync::mpsc::channel::<(u16, &'static str)>(1);
            let input = {
                let live = live.clone();
                let counts = counts.clone();
                stream
                    .take_while(|m| future::ready(m.is_ok()))
                    .filter_map(move |m| {
                        let bytes = match m {
                            Ok(Message::Text(t)) => t.as_str().as_bytes().to_vec(),
                            Ok(Message::Binary(b)) => b.to_vec(),
                            _ => return future::ready(None),
                        };
                        let Ok(mut live) = live.lock() else {
                            return future::ready(None);
                        };
                        match change_of(&bytes) {
                            Change::Start(id) if live.who.is_some() && !live.ids.contains(&id) => {
                                let who = live.who.clone().unwrap_or_default();
                                if live.ids.len() >= per_connection {
                                    let _ = refuse.try_send((
                                        4429,
                                        "too many subscriptions on this connection",
                                    ));
                                    return future::ready(None);
                                }
                                if !counts.take(&who, per_user) {
                                    let _ = refuse
                                        .try_send((4429, "too many subscriptions for this user"));
                                    return future::ready(None);
                                }
                                live.ids.insert(id);
                            }
                            Change::Stop(id) => {
                                if live.ids.remove(&id)
                                    && let Some(who) = &live.who
                                {
                                    counts.give_back(who, 1);
                                }
                            }
                            _ => {}
                        }
                        future::ready(Some(bytes))
                    })
            };
            let on_init = {
                let engine = engine.clone();
                let token = token.clone();
                let live = live.clone();
                move |payload: serde_json::Value| async move {
                    let given = payload_token(&payload).or(cookie);
                    let handle = match &given {
                        Some(t) => engine
                            .authenticate(t)
                            .await
                            .map_err(|_| Error::new("internal error"))?,
                        None => None,
                    };
                    let Some(handle) = handle else {
                        return Err(Error::new("authentication required"));
                    };
                    let who = handle.subject();
                    if let Ok(mut slot) = token.lock() {
                        *slot = given;
                    }
                    if let Ok(mut live) = live.lock() {
                        live.who = Some(who);
                    }
                    let mut data = Data::default();
                    data.insert(RequestInfo::new(
                        Caller::Staff(handle),
                        Some(address.to_string()),
                    ));
                    Ok(data)
                }
            };
            let mut out =
                GraphqlWebSocket::new(schema, input, protocol).on_connection_init(on_init);
            let mut recheck = tokio::time::interval(RECHECK);
            let stopping = stop.stopped();
            let mut stopping = std::pin::pin!(stopping);
            let close = |code: u16, reason: &str| {
                Message::Close(Some(CloseFrame {
                    code,
                    reason: reason.to_owned().into(),
                }))
            };
            loop {
                tokio::select! {
                    msg = out.next() => {
                        let Some(msg) = msg else { break };
                        let sent = match msg {
                            WsMessage::Text(text) => {
                                // A subscription the server completed is no longer live.
                                if let Change::Stop(id) = change_of(text.as_bytes())
                                    && let Ok(mut live) = live.lock()
                                    && live.ids.remove(&id)
                                    && let Some(who) = live.who.clone()
                                {
                                    counts.give_back(&who, 1);
                                }
                                sink.send(Message::Text(text.into())).await
                            }
                            WsMessage::Close(code, reason) => sink.send(close(code, &reason)).await,
                        };
                        if sent.is_err() {
                            break;
                        }
                    }
                    Some((code, reason)) = refused.recv() => {
                        let _ = sink.send(close(code, reason)).await;
                        break;
                    }
                    () = &mut stopping => {
                        // "Going away": the client reconnects, to another process.
                        let _ = sink.send(close(1001, "the server is restarting")).await;
                        break;
                    }
                    _ = recheck.tick() => {
                        let current = token.lock().ok().and_then(|t| t.clone());
                        if let Some(t) = current
                            && matches!(engine.authenticate(&t).await, Ok(None))
                        {
                            let _ = sink.send(close(4401, "the session has ended")).await;
                            break;
                        }
                    }
                }
            }
            if let Ok(live) = live.lock()
                && let Some(who) = &live.who
            {
                counts.give_back(who, live.ids.len());
            }
        })
}
