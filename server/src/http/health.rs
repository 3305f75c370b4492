//! `GET /healthz`: 200 while the database answers, so a load balancer can route around a
//! process that lost it. `GET /readyz`: whether this process can serve now: the database
//! reachable on a fresh connection (not one a pool kept from before a restart) and the
//! document store reachable; each part that is not is named.

use super::AppState;
use axum::extract::State;
use axum::http::StatusCode;

pub async fn healthz(State(state): State<AppState>) -> (StatusCode, &'static str) {
    match state.engine.ping().await {
        Ok(()) => (StatusCode::OK, "ok\n"),
        Err(e) => {
            tracing::warn!(error = %e, "health check failed");
            (StatusCode::SERVICE_UNAVAILABLE, "database unreachable\n")
        }
    }
}

pub async fn readyz(State(state): State<AppState>) -> (StatusCode, String) {
    if state.stop.is_stopping() {
        return (StatusCode::SERVICE_UNAVAILABLE, "shutting down\n".into());
    }
    let checks = state.engine.readiness().await;
    if checks.iter().all(|(_, outcome)| outcome.is_ok()) {
        return (StatusCode::OK, "ready\n".into());
    }
    let mut said = String::new();
    for (part, outcome) in checks {
        if let Err(e) = outcome {
            tracing::warn!(part, error = %e, "not ready");
            said.push_str(&format!("{part} unreachable\n"));
        }
    }
    (StatusCode::SERVICE_UNAVAILABLE, said)
}
