//! Security headers on every response. Browsers enforce them on our behalf: a page of ours
//! cannot be framed by another site (clickjacking), cannot run script that an attacker slipped
//! into it, does not leak our URLs to other sites, and a response is never read as a type it
//! does not declare, and no shared cache (or the browser's disk) keeps an answer that a
//! handler did not mark as cacheable: downloads and GraphQL answers are a signed-in person's
//! data. One layer over the whole router means a new route cannot forget them.

use axum::http::header::{
    CACHE_CONTROL, CONTENT_DISPOSITION, CONTENT_SECURITY_POLICY, CONTENT_TYPE, REFERRER_POLICY,
    X_CONTENT_TYPE_OPTIONS, X_FRAME_OPTIONS,
};
use axum::http::{HeaderMap, HeaderValue};
use axum::response::Response;

/// The policy of our own HTML pages (GraphiQL, the admin UI). Scripts come only from files of
/// this origin, never inline, so an injected `<script>` or event handler does not run; nothing
/// we serve needs `eval` either. Inline styles stay allowed because GraphiQL's dialogs and menus
/// insert a `<style>` element when they open (its scroll lock), and a style cannot run code.
/// Fonts and images may be `data:` URLs because GraphiQL's stylesheet embeds its fonts and a
/// few images that way.
const PAGE_POLICY: &str = "default-src 'self'; script-src 'self'; \
    style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; \
    connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'; \
    object-src 'none'";

/// The policy of everything else (JSON, scripts, downloads, plain text): should a browser
/// ever render such a response as a document, it may load and run nothing.
const OTHER_POLICY: &str = "default-src 'none'; frame-ancestors 'none'";

/// Adds the headers a handler did not set itself, so that a handler with a stricter (or
/// different) need keeps its own.
pub async fn apply(mut response: Response) -> Response {
    let policy = if is_our_page(response.headers()) {
        PAGE_POLICY
    } else {
        OTHER_POLICY
    };
    let headers = response.headers_mut();
    for (name, value) in [
        (X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (REFERRER_POLICY, "same-origin"),
        (X_FRAME_OPTIONS, "DENY"),
        (CONTENT_SECURITY_POLICY, policy),
        // Assets that may be kept say so themselves (immutable, hashed names).
        (CACHE_CONTROL, "private, no-store"),
    ] {
        headers
            .entry(name)
            .or_insert_with(|| HeaderValue::from_static(value));
    }
    response
}

/// Whether the response is an HTML page that we wrote. A download is HTML when a user uploaded
/// HTML; it is sent as an attachment, and should a browser show it anyway, it gets the policy
/// that lets nothing run.
fn is_our_page(headers: &HeaderMap) -> bool {
    let html = headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|media| media.trim().eq_ignore_ascii_case("text/html"));
    html && !headers.contains_key(CONTENT_DISPOSITION)
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::body::Body;

    fn response(headers: &[(&'static str, &'static str)]) -> Response {
        let mut r = Response::new(Body::empty());
        for (k, v) in headers {
            r.headers_mut().insert(*k, HeaderValue::from_static(v));
        }
        r
    }

    async fn policy(headers: &[(&'static str, &'static str)]) -> String {
        let r = apply(response(headers)).await;
        r.headers()[CONTENT_SECURITY_POLICY]
            .to_str()
            .unwrap()
            .to_owned()
    }

    #[tokio::test]
    async fn pages_get_the_page_policy_and_everything_else_the_strict_one() {
        assert_eq!(
            policy(&[("content-type", "text/html; charset=utf-8")]).await,
            PAGE_POLICY
        );
        assert_eq!(policy(&[("content-type", "Text/HTML")]).await, PAGE_POLICY);
        assert_eq!(
            policy(&[("content-type", "application/json")]).await,
            OTHER_POLICY
        );
        assert_eq!(policy(&[]).await, OTHER_POLICY);
        assert_eq!(
            policy(&[
                ("content-type", "text/html"),
                ("content-disposition", "attachment; filename=\"x.html\""),
            ])
            .await,
            OTHER_POLICY
        );
    }

    #[tokio::test]
    async fn a_handlers_own_headers_are_kept() {
        let r = apply(response(&[
            ("content-security-policy", "sandbox"),
            ("x-frame-options", "SAMEORIGIN"),
        ]))
        .await;
        assert_eq!(r.headers()[CONTENT_SECURITY_POLICY], "sandbox");
        assert_eq!(r.headers()[X_FRAME_OPTIONS], "SAMEORIGIN");
        assert_eq!(r.headers()[REFERRER_POLICY], "same-origin");
        assert_eq!(r.headers()[X_CONTENT_TYPE_OPTIONS], "nosniff");
    }
}
