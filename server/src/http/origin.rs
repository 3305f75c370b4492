//! Whether a browser request comes from one of our own pages: the one check behind the
//! portal's forms, the admin sign-in, cookie-authenticated `/graphql` and the WebSocket
//! upgrade.
//!
//! Our origins are the public URL's, the address the process listens on (a server reached by
//! its own address, as in tests and on an intranet), and any listed in
//! `PORTICO_ALLOWED_ORIGINS`. The request's `Host` header is not one of them: a second security
//! review showed any Host counted as ours, and the Host is whatever the client writes.

use axum::http::HeaderMap;
use axum::http::header::ORIGIN;

/// The origins (`scheme://host[:port]`, lower-case) our pages are served from.
#[derive(Debug, Clone)]
pub struct Origins(Vec<String>);

/// `scheme://host[:port]` of a URL, lower-cased, for comparing with an `Origin` header.
pub fn origin_of(url: &str) -> String {
    let url = url.trim().to_ascii_lowercase();
    match url.split_once("://") {
        Some((scheme, rest)) => {
            let host = rest.split(['/', '?', '#']).next().unwrap_or_default();
            let host = match (scheme, host.rsplit_once(':')) {
                // The default port is the same origin written without it.
                ("http", Some((h, "80"))) | ("https", Some((h, "443"))) => h,
                _ => host,
            };
            format!("{scheme}://{host}")
        }
        None => url,
    }
}

impl Origins {
    pub fn new<'a>(urls: impl IntoIterator<Item = &'a str>) -> Origins {
        let mut list: Vec<String> = urls.into_iter().map(origin_of).collect();
        list.dedup();
        Origins(list)
    }

    pub fn contains(&self, origin: &str) -> bool {
        let origin = origin_of(origin);
        self.0.contains(&origin)
    }

    /// Whether a request with these headers may act on the visitor's cookie: the browser's
    /// Fetch Metadata (`Sec-Fetch-Site`) says `same-origin` (or `none`, typed by the user, when
    /// `typed_ok`), and an `Origin`, when sent, is ours. A client that is not a browser sends
    /// neither and passes; it has no visitor's cookie to abuse.
    pub fn sent_by_our_pages(&self, headers: &HeaderMap, typed_ok: bool) -> bool {
        let site_ok = match headers.get("sec-fetch-site").and_then(|v| v.to_str().ok()) {
            None => true,
            Some("same-origin") => true,
            Some("none") => typed_ok,
            Some(_) => false,
        };
        let origin_ok = match headers.get(ORIGIN).map(|v| v.to_str()) {
            None => true,
            Some(Ok(origin)) => self.contains(origin),
            Some(Err(_)) => false,
        };
        site_ok && origin_ok
    }
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
    fn only_our_origins_count_whatever_the_host_says() {
        let ours = Origins::new(["https://portal.example.com/", "http://127.0.0.1:8080"]);
        assert!(ours.contains("HTTPS://Portal.Example.com"));
        assert!(ours.contains("https://portal.example.com:443"));
        assert!(ours.contains("http://127.0.0.1:8080"));
        assert!(!ours.contains("http://portal.example.com"));
        assert!(!ours.contains("null"));
        // The review's request: another site's origin with a Host header naming it.
        let forged = headers(&[
            ("origin", "http://evil.example"),
            ("host", "evil.example"),
            ("sec-fetch-site", "same-origin"),
        ]);
        assert!(!ours.sent_by_our_pages(&forged, true));
        assert!(ours.sent_by_our_pages(&HeaderMap::new(), false));
        let ok = headers(&[
            ("origin", "http://127.0.0.1:8080"),
            ("sec-fetch-site", "same-origin"),
        ]);
        assert!(ours.sent_by_our_pages(&ok, false));
        let cross = headers(&[("sec-fetch-site", "cross-site")]);
        assert!(!ours.sent_by_our_pages(&cross, true));
        let typed = headers(&[("sec-fetch-site", "none")]);
        assert!(ours.sent_by_our_pages(&typed, true));
        assert!(!ours.sent_by_our_pages(&typed, false));
    }
}
