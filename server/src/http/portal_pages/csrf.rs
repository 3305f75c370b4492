//! Cross-site request forgery: a form POST counts only when it comes from our own pages.
//!
//! Two checks, both required. The browser's Fetch Metadata (`Sec-Fetch-Site`, sent by every
//! current browser) must say `same-origin` (or `none`: typed by the user), and an `Origin`
//! header, when sent, must be the public URL's; together these are the Fetch-Metadata scheme
//! (tower-http's csrf layer implements the same). Older browsers send neither, so every form
//! also carries a token that must equal the `portico_csrf` cookie (double submit): another
//! site can make a browser send our cookie, but cannot read it to put it in a form.

use super::visitor::{CSRF_COOKIE, cookie};
use axum::http::HeaderMap;
use axum::http::header::{HOST, ORIGIN};

/// Whether a form POST with `token` may be trusted.
pub fn allowed(headers: &HeaderMap, token: Option<&str>, public_url: &str) -> bool {
    let site_ok = match headers.get("sec-fetch-site").and_then(|v| v.to_str().ok()) {
        None => true,
        Some(site) => site == "same-origin" || site == "none",
    };
    // The page's origin is the public URL's, or the host the request was sent to (a server
    // reached by another name than its public URL, as in tests and on an intranet).
    let origin_ok = match headers.get(ORIGIN).and_then(|v| v.to_str().ok()) {
        None => true,
        Some(origin) => {
            same_origin(origin, public_url)
                || headers
                    .get(HOST)
                    .and_then(|v| v.to_str().ok())
                    .is_some_and(|host| origin_host(origin) == host.to_ascii_lowercase())
        }
    };
    let token_ok = match (cookie(headers, CSRF_COOKIE), token) {
        (Some(c), Some(t)) => c.len() == 64 && constant_time_eq(c.as_bytes(), t.as_bytes()),
        _ => false,
    };
    site_ok && origin_ok && token_ok
}

fn same_origin(origin: &str, public_url: &str) -> bool {
    let base = |u: &str| {
        let u = u.trim().to_ascii_lowercase();
        match u.split_once("://") {
            Some((scheme, rest)) => {
                format!("{scheme}://{}", rest.split('/').next().unwrap_or_default())
            }
            None => u,
        }
    };
    base(origin) == base(public_url)
}

/// `host[:port]` of an `Origin` header.
fn origin_host(origin: &str) -> String {
    let o = origin.trim().to_ascii_lowercase();
    o.split_once("://")
        .map_or(o.clone(), |(_, rest)| rest.to_owned())
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, HeaderValue::from_str(v).unwrap());
        }
        h
    }

    #[test]
    fn only_our_own_forms_pass() {
        let token = "a".repeat(64);
        let cookie = format!("portico_csrf={token}");
        let public = "https://portal.example.com";
        let ours = headers(&[
            ("cookie", &cookie),
            ("sec-fetch-site", "same-origin"),
            ("origin", public),
        ]);
        assert!(allowed(&ours, Some(&token), public));
        // Another site's form: the browser says so, whatever the token.
        let theirs = headers(&[
            ("cookie", &cookie),
            ("sec-fetch-site", "cross-site"),
            ("origin", "https://evil.example"),
        ]);
        assert!(!allowed(&theirs, Some(&token), public));
        // An old browser sends no metadata: the token decides.
        let old = headers(&[("cookie", &cookie)]);
        assert!(allowed(&old, Some(&token), public));
        assert!(!allowed(&old, Some(&"b".repeat(64)), public));
        assert!(!allowed(&old, None, public));
        assert!(!allowed(&headers(&[]), Some(&token), public));
        // Reached by another name: the request's own host counts as our origin.
        let local = headers(&[
            ("cookie", &cookie),
            ("origin", "http://127.0.0.1:8080"),
            ("host", "127.0.0.1:8080"),
        ]);
        assert!(allowed(&local, Some(&token), public));
        let spoofed = headers(&[
            ("cookie", &cookie),
            ("origin", "http://evil.example"),
            ("host", "127.0.0.1:8080"),
        ]);
        assert!(!allowed(&spoofed, Some(&token), public));
    }
}
