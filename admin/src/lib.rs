//! The staff and admin web UI: a single-page app of plain ES modules (Preact, htm and signals,
//! vendored; no bundler, no build step) embedded in the binary, talking to `/graphql` and
//! `/graphql/ws` like any integrator.
//!
//! Every address under `/admin` is a screen of the app: the server answers each with the same
//! `index.html` (never cached), and the app draws the screen the address names, so a reload or
//! a shared link shows the same screen. The assets it loads are content-addressed (`assets`).

pub mod assets;

use assets::ASSETS;
use axum::Router;
use axum::extract::Path;
use axum::http::header::{
    ACCEPT_ENCODING, CACHE_CONTROL, CONTENT_ENCODING, CONTENT_TYPE, ETAG, IF_NONE_MATCH, VARY,
};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use std::sync::LazyLock;

const INDEX: &str = include_str!("../assets/index.html");

/// `index.html` with the assets' address filled in.
static PAGE: LazyLock<String> = LazyLock::new(|| INDEX.replace("{{assets}}", &ASSETS.base()));

/// Routes under `/admin`; generic over the state so the server can nest it as it is.
pub fn router<S: Clone + Send + Sync + 'static>() -> Router<S> {
    Router::new()
        .route("/", get(index))
        .route("/assets/{hash}/{*path}", get(asset))
        .route("/{*screen}", get(index))
}

/// The app's page, for every screen's address. Never cached: it names the current assets.
pub async fn index() -> Response {
    (
        [
            (CONTENT_TYPE, "text/html; charset=utf-8"),
            (CACHE_CONTROL, "no-cache"),
        ],
        PAGE.as_str(),
    )
        .into_response()
}

/// The size of a first visit's page and assets as a browser taking gzip receives them.
pub fn first_load_bytes() -> usize {
    let assets = ASSETS.loaded_bytes();
    let page = assets::gzip(PAGE.as_bytes()).map_or(PAGE.len(), |g| g.len());
    assets + page
}

async fn asset(Path((hash, path)): Path<(String, String)>, headers: HeaderMap) -> Response {
    // An old page asking for an old set's file: it no longer exists under that address.
    let found = (hash == ASSETS.hash).then(|| ASSETS.get(&path)).flatten();
    let Some(file) = found else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let mut response = if headers
        .get(IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|tags| tags.split(',').any(|t| t.trim() == file.etag))
    {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        let takes_gzip = headers
            .get(ACCEPT_ENCODING)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| {
                v.split(',')
                    .any(|e| e.trim().split(';').next() == Some("gzip") && !e.contains("q=0"))
            });
        match (&file.gzip, takes_gzip) {
            (Some(gz), true) => {
                let mut r = gz.clone().into_response();
                r.headers_mut()
                    .insert(CONTENT_ENCODING, HeaderValue::from_static("gzip"));
                r
            }
            _ => file.bytes.into_response(),
        }
    };
    let h = response.headers_mut();
    h.insert(CONTENT_TYPE, HeaderValue::from_static(file.content_type));
    h.insert(
        CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=31536000, immutable"),
    );
    h.insert(VARY, HeaderValue::from_static("Accept-Encoding"));
    if let Ok(tag) = HeaderValue::from_str(&file.etag) {
        h.insert(ETAG, tag);
    }
    response
}
