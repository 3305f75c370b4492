//! Cross-site request forgery: a form POST counts only when it comes from our own pages.
//!
//! Two checks, both required. The browser's Fetch Metadata and `Origin` must say the post
//! comes from one of our origins ([`Origins::sent_by_our_pages`]), and the form must carry the
//! token its page was rendered with: [`form_token`], a code the server signs over the
//! visitor's `portico_csrf` cookie and their session cookie. Another site can make a browser
//! send our cookies but cannot read them; and since the token is signed (and bound to the
//! session), a cookie planted by someone else with a matching form value does not pass, as it
//! did when the token was a plain double submit (a second security review).

use super::super::AppState;
use super::super::auth::{PORTAL_SESSION_COOKIE, cookie};
use axum::http::HeaderMap;

/// The visitor's nonce the form token is signed over.
pub const CSRF_COOKIE: &str = "portico_csrf";

/// What the token is signed for (no other signature of the installation passes as one).
const PURPOSE: &str = "portal-form";

/// The token a page's forms carry, for a visitor with the `nonce` cookie and (when signed in)
/// the session cookie `session`.
pub fn form_token(state: &AppState, nonce: &str, session: Option<&str>) -> String {
    state
        .engine
        .sign(PURPOSE, &format!("{nonce}|{}", session.unwrap_or_default()))
}

/// Whether a form POST with `token` may be trusted.
pub fn allowed(state: &AppState, headers: &HeaderMap, token: Option<&str>) -> bool {
    if !state.origins.sent_by_our_pages(headers, true) {
        return false;
    }
    let Some(nonce) = cookie(headers, CSRF_COOKIE).filter(|c| c.len() == 64) else {
        return false;
    };
    let expected = form_token(state, nonce, cookie(headers, PORTAL_SESSION_COOKIE));
    token.is_some_and(|t| portico_engine::same_secret(expected.as_bytes(), t.as_bytes()))
}
