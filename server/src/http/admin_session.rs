//! The staff UI's session: `POST /admin/session` signs in and sets the `portico_session`
//! cookie (HttpOnly, so no script can read it; SameSite=Strict; Secure behind https);
//! `DELETE /admin/session` ends it. `/graphql` and `/graphql/ws` then take the cookie.
//!
//! Cross-site requests are refused: both take only JSON (which a form on another site cannot
//! send without a preflight our server never grants) and, when the browser says where the
//! request comes from (`Sec-Fetch-Site`, `Origin`), it must be here.

use super::AppState;
use super::answer::ApiError;
use super::auth::{Endpoint, SESSION_COOKIE};
use super::client_address::ClientAddress;
use axum::extract::State;
use axum::http::header::{CONTENT_TYPE, SET_COOKIE};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use portico_engine::error::ErrorCode;
use portico_engine::{EngineError, now_micros};
use serde::Deserialize;

#[derive(Deserialize)]
pub struct Credentials {
    email: String,
    password: String,
}

/// A refusal in the shape every GraphQL error has (`errors[0].extensions.code`), so the UI
/// reads one shape whatever it called.
fn refusal(status: StatusCode, code: ErrorCode, message: &str) -> Response {
    ApiError::new(status, code, message).into_response()
}

/// Whether the request came from one of our own pages, as JSON (a form cannot send that).
fn same_origin(headers: &HeaderMap, state: &AppState) -> bool {
    let json = headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.trim_start().starts_with("application/json"));
    json && state.origins.sent_by_our_pages(headers, false)
}

fn cookie(state: &AppState, value: &str, max_age: i64) -> HeaderValue {
    let secure = if state.public_url.starts_with("https://") {
        "; Secure"
    } else {
        ""
    };
    HeaderValue::from_str(&format!(
        "{SESSION_COOKIE}={value}; Path=/; HttpOnly; SameSite=Strict; Max-Age={max_age}{secure}"
    ))
    .unwrap_or_else(|_| HeaderValue::from_static("portico_invalid=1"))
}

pub async fn sign_in(
    State(state): State<AppState>,
    ClientAddress(client): ClientAddress,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    if !same_origin(&headers, &state) {
        return refusal(
            StatusCode::FORBIDDEN,
            ErrorCode::Forbidden,
            "sign in from Portico's own page",
        );
    }
    let Ok(creds) = serde_json::from_slice::<Credentials>(&body) else {
        return refusal(
            StatusCode::BAD_REQUEST,
            ErrorCode::Validation,
            "send {\"email\": ..., \"password\": ...} as JSON",
        );
    };
    let address = client.to_string();
    match state
        .engine
        .login(&creds.email, &creds.password, Some(&address))
        .await
    {
        Ok(session) => {
            let age = ((session.expires_at - now_micros()) / 1_000_000).max(0);
            let mut r = StatusCode::NO_CONTENT.into_response();
            r.headers_mut()
                .insert(SET_COOKIE, cookie(&state, &session.token, age));
            r
        }
        // One answer for every failure, so addresses cannot be probed.
        Err(EngineError::Unauthenticated) => refusal(
            StatusCode::UNAUTHORIZED,
            ErrorCode::Unauthenticated,
            "wrong email or password",
        ),
        Err(EngineError::RateLimited) => refusal(
            StatusCode::TOO_MANY_REQUESTS,
            ErrorCode::RateLimited,
            "too many attempts; wait a few minutes",
        ),
        Err(e) => ApiError::internal(e).into_response(),
    }
}

pub async fn sign_out(State(state): State<AppState>, headers: HeaderMap) -> Response {
    if !same_origin(&headers, &state) {
        return refusal(
            StatusCode::FORBIDDEN,
            ErrorCode::Forbidden,
            "sign out from Portico's own page",
        );
    }
    if let Some(token) = super::auth::token(&headers, Endpoint::Staff)
        && let Ok(Some(handle)) = state.engine.authenticate(&token).await
        && let Err(e) = handle.logout().await
    {
        tracing::error!(error = %e, "ending a staff session failed");
    }
    let mut r = StatusCode::NO_CONTENT.into_response();
    r.headers_mut().insert(SET_COOKIE, cookie(&state, "", 0));
    r
}
