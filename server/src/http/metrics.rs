//! `/metrics` in the Prometheus text format, and what every request adds to it: a count by
//! route and status and a latency histogram by route (every portal page and API route is one),
//! plus, from the GraphQL handler, a histogram by endpoint and operation kind. What is read
//! from the database (outbox, documents, pool, failed sign-ins) is read when scraped, never on
//! a request's path.
//!
//! Served on its own listener (`PORTICO_METRICS_LISTEN`, for a network only Prometheus reaches),
//! or on the public port only with `Authorization: Bearer <PORTICO_METRICS_TOKEN>`; with
//! neither, not at all.

use super::AppState;
use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};
use std::collections::HashMap;
use std::sync::OnceLock;
use std::time::Instant;

/// Request latencies, in seconds: from a millisecond to ten seconds.
const BUCKETS: [f64; 12] = [
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0,
];

static HANDLE: OnceLock<Option<PrometheusHandle>> = OnceLock::new();

/// The process's recorder, installed on first use (a process has one).
pub fn install() -> Option<&'static PrometheusHandle> {
    HANDLE
        .get_or_init(|| {
            let builder = PrometheusBuilder::new().set_buckets(&BUCKETS).ok()?;
            match builder.install_recorder() {
                Ok(h) => {
                    keep_drained(h.clone());
                    Some(h)
                }
                Err(e) => {
                    tracing::warn!(error = %e, "the metrics recorder could not be installed");
                    None
                }
            }
        })
        .as_ref()
}

/// How often recorded latencies are folded into their histograms.
const UPKEEP_EVERY: std::time::Duration = std::time::Duration::from_secs(5);

/// The recorder keeps every histogram sample in a list until upkeep folds it into the
/// buckets, and `install_recorder` leaves upkeep to its caller: without this, a server no one
/// scraped grew by about 50 bytes a request (from 70 to 180 MiB in 45 s of `{ __typename }`).
/// A thread of its own, so that it runs whichever runtime (or test) installed the recorder.
fn keep_drained(handle: PrometheusHandle) {
    let started = std::thread::Builder::new()
        .name("metrics-upkeep".into())
        .spawn(move || {
            loop {
                std::thread::sleep(UPKEEP_EVERY);
                handle.run_upkeep();
            }
        });
    if let Err(e) = started {
        tracing::warn!(error = %e, "the metrics upkeep thread could not start");
    }
}

/// A route's (and status's) metrics, registered once: building a metric's key from its labels
/// on every request cost more than the rest of the measuring (SipHash over each label).
type Handles = (metrics::Histogram, metrics::Counter);

/// By the route's pattern (each route's `MatchedPath` is one shared string, so its address names
/// it) and the status.
static BY_ROUTE: std::sync::LazyLock<std::sync::RwLock<HashMap<(usize, u16), Handles>>> =
    std::sync::LazyLock::new(Default::default);

fn handles(route: Option<&MatchedPath>, status: u16) -> Handles {
    let key = (route.map_or(0, |r| r.as_str().as_ptr() as usize), status);
    if let Some(h) = BY_ROUTE.read().ok().and_then(|m| m.get(&key).cloned()) {
        return h;
    }
    let name = route.map_or("unmatched", |r| r.as_str()).to_owned();
    let made = (
        metrics::histogram!("portico_http_request_duration_seconds", "route" => name.clone()),
        metrics::counter!("portico_http_requests_total", "route" => name, "status" => status.to_string()),
    );
    if let Ok(mut m) = BY_ROUTE.write() {
        m.insert(key, made.clone());
    }
    made
}

/// Counts and times each request by the route it matched.
pub async fn measure(req: Request, next: Next) -> Response {
    let route = req.extensions().get::<MatchedPath>().cloned();
    let started = Instant::now();
    let res = next.run(req).await;
    let (histogram, counter) = handles(route.as_ref(), res.status().as_u16());
    histogram.record(started.elapsed().as_secs_f64());
    counter.increment(1);
    res
}

/// The GraphQL histograms, by endpoint and kind, registered once.
static GRAPHQL: std::sync::LazyLock<
    std::sync::RwLock<HashMap<(&'static str, &'static str), metrics::Histogram>>,
> = std::sync::LazyLock::new(Default::default);

/// A GraphQL operation's time, by endpoint (`staff`, `portal`) and kind (`query`, ...).
pub fn graphql_operation(endpoint: &'static str, kind: &'static str, started: Instant) {
    let key = (endpoint, kind);
    let found = GRAPHQL.read().ok().and_then(|m| m.get(&key).cloned());
    let histogram = found.unwrap_or_else(|| {
        let made = metrics::histogram!(
            "portico_graphql_operation_duration_seconds",
            "endpoint" => endpoint,
            "kind" => kind
        );
        if let Ok(mut m) = GRAPHQL.write() {
            m.insert(key, made.clone());
        }
        made
    });
    histogram.record(started.elapsed().as_secs_f64());
}

/// The metrics as they stand, with what is read when scraped.
async fn render(state: &AppState) -> Response {
    let Some(handle) = install() else {
        return (StatusCode::SERVICE_UNAVAILABLE, "metrics unavailable\n").into_response();
    };
    match state.engine.gauges().await {
        Ok(g) => {
            metrics::gauge!("portico_mail_outbox_pending").set(g.outbox_pending as f64);
            metrics::gauge!("portico_mail_outbox_oldest_seconds").set(g.outbox_oldest_seconds);
            metrics::gauge!("portico_documents").set(g.documents as f64);
            metrics::gauge!("portico_document_bytes").set(g.document_bytes as f64);
            if let (Some(open), Some(idle)) = (g.pool_open, g.pool_idle) {
                let in_use = open.saturating_sub(idle);
                metrics::gauge!("portico_db_pool_connections", "state" => "in_use")
                    .set(f64::from(in_use));
                metrics::gauge!("portico_db_pool_connections", "state" => "idle")
                    .set(f64::from(idle));
            }
            if let Some((in_use, all, waiting)) = g.hot_connections {
                metrics::gauge!("portico_db_hot_connections", "state" => "in_use")
                    .set(in_use as f64);
                metrics::gauge!("portico_db_hot_connections", "state" => "idle")
                    .set(all.saturating_sub(in_use) as f64);
                metrics::gauge!("portico_db_hot_connections", "state" => "waiting")
                    .set(waiting as f64);
            }
            metrics::gauge!("portico_failed_sign_ins").set(g.failed_sign_ins as f64);
            if let Some(pushed) = g.versions_pushed {
                metrics::gauge!("portico_version_push_connected").set(f64::from(u8::from(pushed)));
            }
        }
        Err(e) => tracing::warn!(error = %e, "reading the metrics' gauges failed"),
    }
    metrics::gauge!("portico_active_subscriptions").set(state.subscriptions.total() as f64);
    handle.run_upkeep();
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        handle.render(),
    )
        .into_response()
}

/// `/metrics` on its own listener: anyone who can reach it.
pub async fn open(State(state): State<AppState>) -> Response {
    render(&state).await
}

/// `/metrics` on the public port: only with the token.
pub async fn guarded(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let Some(token) = state.config.metrics_token.as_deref() else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let given = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or_default();
    if !portico_engine::same_secret(given.as_bytes(), token.as_bytes()) {
        return (StatusCode::UNAUTHORIZED, "a metrics token is needed\n").into_response();
    }
    render(&state).await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn upkeep_threads() -> usize {
        std::fs::read_dir("/proc/self/task")
            .expect("this process's threads")
            .filter_map(|t| t.ok())
            .filter_map(|t| std::fs::read_to_string(t.path().join("comm")).ok())
            .filter(|name| name.trim() == "metrics-upkeep")
            .count()
    }

    /// The leak this guards against: with no upkeep, every latency sample stayed in memory
    /// until a scrape (issue 23's side-by-side run: 125 MiB, rising with each request).
    #[test]
    fn installing_the_recorder_starts_its_upkeep() {
        assert!(install().is_some(), "the recorder installs");
        // A new thread takes its name itself, a moment after it starts.
        let mut waited = 0;
        while upkeep_threads() == 0 && waited < 200 {
            std::thread::sleep(std::time::Duration::from_millis(10));
            waited += 1;
        }
        assert_eq!(upkeep_threads(), 1, "the upkeep thread runs");
        // Installing again (every router does) starts no second one.
        assert!(install().is_some());
        std::thread::sleep(std::time::Duration::from_millis(50));
        assert_eq!(upkeep_threads(), 1);
    }
}
