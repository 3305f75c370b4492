//! The firm's logo, and the favicon made from it.
//!
//! The logo's fingerprint is in its address, so it is cached for good and a new logo is
//! fetched at once; an old address answers 404. It is the one file of ours a browser renders
//! inline, so it keeps the strict policy every non-page response gets (`default-src 'none'`):
//! opened on its own, even an SVG runs nothing (the engine has already rebuilt it without
//! script).

use super::AppState;
use axum::extract::{Path, State};
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

/// Shown as the favicon until a firm uploads its logo: a rounded square in the default colour.
const DEFAULT_ICON: &str = r##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><rect width="32" height="32" rx="7" fill="#1d4ed8"/><path d="M10 8h8a6 6 0 0 1 0 12h-4v5h-4z M14 12v4h4a2 2 0 0 0 0-4z" fill="#fff" fill-rule="evenodd"/></svg>"##;

fn image(content_type: &'static str, bytes: axum::body::Bytes, cache: &'static str) -> Response {
    let mut r = bytes.into_response();
    let h = r.headers_mut();
    h.insert(CONTENT_TYPE, HeaderValue::from_static(content_type));
    h.insert(CACHE_CONTROL, HeaderValue::from_static(cache));
    r
}

/// `GET /branding/logo-<fingerprint>.<ext>`
pub async fn logo(State(state): State<AppState>, Path(file): Path<String>) -> Response {
    if let Err(e) = state.engine.sync().await {
        tracing::warn!(error = %e, "reading the brand failed");
        return StatusCode::SERVICE_UNAVAILABLE.into_response();
    }
    let branding = state.engine.branding();
    match (&branding.logo, branding.logo_path()) {
        (Some(logo), Some(path)) if path.strip_prefix("/branding/") == Some(file.as_str()) => {
            image(
                logo.content_type,
                axum::body::Bytes::copy_from_slice(&logo.bytes),
                "public, max-age=31536000, immutable",
            )
        }
        _ => StatusCode::NOT_FOUND.into_response(),
    }
}

/// `GET /favicon.ico`: the logo, or Portico's mark. Browsers ask for it on every page of the
/// admin UI and the portal; an hour's cache lets a new logo show the same day.
pub async fn favicon(State(state): State<AppState>) -> Response {
    let _ = state.engine.sync().await;
    let branding = state.engine.branding();
    match &branding.logo {
        Some(logo) => image(
            logo.content_type,
            axum::body::Bytes::copy_from_slice(&logo.bytes),
            "public, max-age=3600",
        ),
        None => image(
            "image/svg+xml",
            axum::body::Bytes::from_static(DEFAULT_ICON.as_bytes()),
            "public, max-age=3600",
        ),
    }
}
