//! Every request's id: the one a trusted proxy (`PORTICO_TRUSTED_PROXIES`) sent in
//! `X-Request-Id`, else one made here. It is answered in `X-Request-Id` and is a field of the
//! span every log line of the request is written in, so one request's lines can be found
//! together (and, with `PORTICO_LOG_FORMAT=json`, filtered by `request_id`).

use super::AppState;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::HeaderValue;
use axum::middleware::Next;
use axum::response::Response;
use std::net::{IpAddr, SocketAddr};
use std::sync::atomic::{AtomicU64, Ordering};
use tracing::Instrument;

/// This process's ids: a random start (the standard library's randomly keyed hasher), then
/// one more each (unique, and cheap to make).
static NEXT: std::sync::LazyLock<AtomicU64> = std::sync::LazyLock::new(|| {
    use std::hash::BuildHasher;
    AtomicU64::new(std::collections::hash_map::RandomState::new().hash_one(std::process::id()))
});

/// An id someone else made, as far as it is safe to repeat in a header and a log line.
fn acceptable(id: &str) -> bool {
    (1..=128).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b':'))
}

pub async fn tag(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let peer = req
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map_or(IpAddr::from([127, 0, 0, 1]), |c| c.0.ip());
    let from_proxy = state
        .config
        .trusted_proxies
        .iter()
        .any(|c| c.contains(peer));
    let given = req
        .headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .filter(|v| from_proxy && acceptable(v))
        .map(str::to_owned);
    let id = given.unwrap_or_else(|| format!("{:016x}", NEXT.fetch_add(1, Ordering::Relaxed)));
    // The id alone is the span's field (each field is written out when the span is made, on
    // every request): the method and path are in the "answered" line, written at debug.
    let span = tracing::info_span!("request", request_id = %id);
    let answered = tracing::enabled!(tracing::Level::DEBUG)
        .then(|| (req.method().clone(), req.uri().path().to_owned()));
    let mut res = next.run(req).instrument(span.clone()).await;
    if let Some((method, path)) = answered {
        span.in_scope(|| {
            tracing::debug!(%method, %path, status = res.status().as_u16(), "answered");
        });
    }
    if let Ok(value) = HeaderValue::from_str(&id) {
        res.headers_mut().insert("x-request-id", value);
    }
    res
}
