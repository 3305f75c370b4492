//! Finding the credentials of a request: a bearer token, else the session cookie.

use super::graphql::Endpoint;
use axum::http::HeaderMap;
use axum::http::header::{AUTHORIZATION, COOKIE};

/// The web UIs' session cookies: one per audience, so signing in to the portal in a browser
/// never replaces a staff session there (or the other way round).
pub const SESSION_COOKIE: &str = "portico_session";
pub const PORTAL_SESSION_COOKIE: &str = "portico_portal_session";

/// Whether the request's credentials are the web UI's cookie (no `Authorization` header):
/// then a browser may have sent it from another site's page.
pub fn by_cookie(headers: &HeaderMap, endpoint: Endpoint) -> bool {
    !headers.contains_key(AUTHORIZATION) && token(headers, endpoint).is_some()
}

pub fn token(headers: &HeaderMap, endpoint: Endpoint) -> Option<String> {
    let cookie = match endpoint {
        Endpoint::Staff => SESSION_COOKIE,
        Endpoint::Portal => PORTAL_SESSION_COOKIE,
    };
    if let Some(v) = headers.get(AUTHORIZATION).and_then(|v| v.to_str().ok()) {
        let mut parts = v.splitn(2, ' ');
        if let (Some(scheme), Some(token)) = (parts.next(), parts.next())
            && scheme.eq_ignore_ascii_case("bearer")
        {
            return Some(token.trim().to_owned());
        }
    }
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|c| c.trim().split_once('='))
        .find(|(name, _)| *name == cookie)
        .map(|(_, value)| value.to_owned())
}
