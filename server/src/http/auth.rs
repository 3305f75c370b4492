//! Finding the credentials of a request (a bearer token, else the session cookie), and the
//! authenticated callers the API handlers take as arguments: each request is authenticated
//! once, in an extractor, never by a handler of its own accord.

use super::AppState;
use super::answer::ApiError;
use axum::extract::FromRequestParts;
use axum::http::HeaderMap;
use axum::http::header::{AUTHORIZATION, COOKIE};
use axum::http::request::Parts;
use portico_schema::Caller;

/// The web UIs' session cookies: one per audience, so signing in to the portal in a browser
/// never replaces a staff session there (or the other way round).
pub const SESSION_COOKIE: &str = "portico_session";
pub const PORTAL_SESSION_COOKIE: &str = "portico_portal_session";

/// The two API audiences: each has its own GraphQL schema and resolves only its own
/// sessions, so a portal token is anonymous on `/graphql` and a staff token on
/// `/portal/graphql`.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Endpoint {
    Staff,
    Portal,
}

impl Endpoint {
    pub fn path(self) -> &'static str {
        match self {
            Endpoint::Staff => "/graphql",
            Endpoint::Portal => "/portal/graphql",
        }
    }

    fn session_cookie(self) -> &'static str {
        match self {
            Endpoint::Staff => SESSION_COOKIE,
            Endpoint::Portal => PORTAL_SESSION_COOKIE,
        }
    }
}

/// The value of the cookie `name`, the one cookie parser of the edge.
pub fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|c| c.trim().split_once('='))
        .find(|(n, _)| *n == name)
        .map(|(_, v)| v)
}

/// Whether the request's credentials are the web UI's cookie (no `Authorization` header):
/// then a browser may have sent it from another site's page.
pub fn by_cookie(headers: &HeaderMap, endpoint: Endpoint) -> bool {
    !headers.contains_key(AUTHORIZATION) && token(headers, endpoint).is_some()
}

pub fn token(headers: &HeaderMap, endpoint: Endpoint) -> Option<String> {
    if let Some(v) = headers.get(AUTHORIZATION).and_then(|v| v.to_str().ok()) {
        let mut parts = v.splitn(2, ' ');
        if let (Some(scheme), Some(token)) = (parts.next(), parts.next())
            && scheme.eq_ignore_ascii_case("bearer")
        {
            return Some(token.trim().to_owned());
        }
    }
    cookie(headers, endpoint.session_cookie()).map(str::to_owned)
}

/// The handle the request's credentials give on `endpoint` (anonymous when none or unknown):
/// the only way a resolver reaches the engine's operations. The engine is brought up to date
/// first, so a session ended in another process is ended here too.
async fn caller_of(
    state: &AppState,
    endpoint: Endpoint,
    headers: &HeaderMap,
) -> Result<Caller, ApiError> {
    state.engine.sync().await?;
    let Some(token) = token(headers, endpoint) else {
        return Ok(Caller::Anonymous);
    };
    Ok(match endpoint {
        Endpoint::Staff => state
            .engine
            .authenticate(&token)
            .await?
            .map_or(Caller::Anonymous, Caller::Staff),
        Endpoint::Portal => state
            .engine
            .authenticate_portal(&token)
            .await?
            .map_or(Caller::Anonymous, Caller::Portal),
    })
}

/// Whoever called `/graphql` or `/files/...`: a staff user or integrator, or anonymous.
pub struct StaffCaller(pub Caller);

/// Whoever called `/portal/graphql` or `/portal/files/...`: a portal user, or anonymous.
pub struct PortalCaller(pub Caller);

impl FromRequestParts<AppState> for StaffCaller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        caller_of(state, Endpoint::Staff, &parts.headers)
            .await
            .map(StaffCaller)
    }
}

impl FromRequestParts<AppState> for PortalCaller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        caller_of(state, Endpoint::Portal, &parts.headers)
            .await
            .map(PortalCaller)
    }
}
