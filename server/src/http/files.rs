//! Document downloads: `GET /files/<id>` for staff, `GET /portal/files/<id>` for portal users,
//! with the same authentication as the GraphQL endpoints. Streamed from the blob store with
//! the stored Content-Type, always as an attachment (a stored HTML file never runs in the
//! browser), with single-range `Range` support for resumed and partial downloads.

use super::answer::ApiError;
use super::auth::{PortalCaller, StaffCaller};
use axum::body::Body;
use axum::extract::Path;
use axum::http::header::{
    ACCEPT_RANGES, CONTENT_DISPOSITION, CONTENT_LENGTH, CONTENT_RANGE, CONTENT_TYPE, RANGE,
};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use portico_engine::EngineError;
use portico_engine::documents::Download;
use portico_engine::error::ErrorCode;
use portico_schema::Caller;
use tokio::io::AsyncReadExt;

pub async fn staff_file(
    StaffCaller(caller): StaffCaller,
    id: Path<String>,
    headers: HeaderMap,
) -> Response {
    serve(caller, id, headers).await
}

pub async fn portal_file(
    PortalCaller(caller): PortalCaller,
    id: Path<String>,
    headers: HeaderMap,
) -> Response {
    serve(caller, id, headers).await
}

/// A missing document, one of another case and one that is not shared all answer alike.
fn no_such_document() -> Response {
    ApiError::new(
        StatusCode::NOT_FOUND,
        ErrorCode::NotFound,
        "no such document",
    )
    .into_response()
}

async fn serve(caller: Caller, Path(id): Path<String>, headers: HeaderMap) -> Response {
    let Some(id) = id.parse::<i64>().ok().filter(|i| *i > 0) else {
        return no_such_document();
    };
    let found = match caller {
        Caller::Staff(h) => h.download(id).await,
        Caller::Portal(h) => h.download(id).await,
        Caller::Anonymous => Err(portico_engine::EngineError::Unauthenticated),
    };
    match found {
        Ok(download) => stream(download, headers.get(RANGE)).await,
        Err(EngineError::NotFound { .. }) => no_such_document(),
        Err(e) => ApiError::from(e).into_response(),
    }
}

/// `attachment; filename="..."` with an ASCII fallback and the exact name in RFC 5987 form.
fn disposition(name: &str) -> HeaderValue {
    let ascii: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_graphic() && c != '"' && c != '\\' || c == ' ' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let mut encoded = String::new();
    for b in name.as_bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(b) {
            encoded.push(*b as char);
        } else {
            encoded.push_str(&format!("%{b:02X}"));
        }
    }
    HeaderValue::from_str(&format!(
        "attachment; filename=\"{ascii}\"; filename*=UTF-8''{encoded}"
    ))
    .unwrap_or_else(|_| HeaderValue::from_static("attachment"))
}

/// A single `bytes=` range within `size`: `Ok(None)` for no (or an ignorable) header,
/// `Err(())` for one that cannot be satisfied.
fn range(header: Option<&HeaderValue>, size: u64) -> Result<Option<(u64, u64)>, ()> {
    let Some(raw) = header.and_then(|h| h.to_str().ok()) else {
        return Ok(None);
    };
    let Some(spec) = raw.trim().strip_prefix("bytes=") else {
        return Ok(None);
    };
    // Several ranges would need a multipart answer; the whole file serves them too.
    if spec.contains(',') {
        return Ok(None);
    }
    let (start, end) = spec.split_once('-').ok_or(())?;
    let (start, end) = match (start.trim(), end.trim()) {
        ("", suffix) => {
            let n: u64 = suffix.parse().map_err(|_| ())?;
            if n == 0 || size == 0 {
                return Err(());
            }
            (size.saturating_sub(n), size - 1)
        }
        (s, "") => (s.parse().map_err(|_| ())?, size.saturating_sub(1)),
        (s, e) => {
            let s: u64 = s.parse().map_err(|_| ())?;
            let e: u64 = e.parse().map_err(|_| ())?;
            (s, e.min(size.saturating_sub(1)))
        }
    };
    if start >= size || start > end {
        return Err(());
    }
    Ok(Some((start, end)))
}

pub(crate) async fn stream(download: Download, range_header: Option<&HeaderValue>) -> Response {
    let document = &download.document;
    let size = u64::try_from(document.size).unwrap_or(0);
    let (status, start, length) = match range(range_header, size) {
        Ok(None) => (StatusCode::OK, 0, size),
        Ok(Some((s, e))) => (StatusCode::PARTIAL_CONTENT, s, e - s + 1),
        Err(()) => {
            let mut r = StatusCode::RANGE_NOT_SATISFIABLE.into_response();
            if let Ok(v) = HeaderValue::from_str(&format!("bytes */{size}")) {
                r.headers_mut().insert(CONTENT_RANGE, v);
            }
            return r;
        }
    };
    // The whole file, or just the range asked for (passed to the store, not read and skipped).
    let wanted = (status == StatusCode::PARTIAL_CONTENT).then_some(start..start + length);
    let reader = match download.open(wanted).await {
        Ok(r) => r,
        Err(e) => return ApiError::from(e).into_response(),
    };
    let body = Body::from_stream(futures_util::stream::unfold(reader, |mut r| async move {
        let mut buf = vec![0u8; 64 * 1024];
        match r.read(&mut buf).await {
            Ok(0) => None,
            Ok(n) => {
                buf.truncate(n);
                Some((Ok::<_, std::io::Error>(axum::body::Bytes::from(buf)), r))
            }
            Err(e) => Some((Err(e), r)),
        }
    }));
    let mut response = (status, body).into_response();
    let h = response.headers_mut();
    h.insert(
        CONTENT_TYPE,
        HeaderValue::from_str(&document.content_type)
            .unwrap_or_else(|_| HeaderValue::from_static("application/octet-stream")),
    );
    h.insert(CONTENT_DISPOSITION, disposition(&document.name));
    h.insert(CONTENT_LENGTH, HeaderValue::from(length));
    h.insert(ACCEPT_RANGES, HeaderValue::from_static("bytes"));
    h.insert(
        "x-content-type-options",
        HeaderValue::from_static("nosniff"),
    );
    if status == StatusCode::PARTIAL_CONTENT
        && let Ok(v) =
            HeaderValue::from_str(&format!("bytes {start}-{}/{size}", start + length - 1))
    {
        h.insert(CONTENT_RANGE, v);
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(v: &str, size: u64) -> Result<Option<(u64, u64)>, ()> {
        range(Some(&HeaderValue::from_str(v).unwrap()), size)
    }

    #[test]
    fn ranges_follow_rfc_9110() {
        assert_eq!(r("bytes=0-9", 100), Ok(Some((0, 9))));
        assert_eq!(r("bytes=90-", 100), Ok(Some((90, 99))));
        assert_eq!(r("bytes=-10", 100), Ok(Some((90, 99))));
        assert_eq!(r("bytes=95-200", 100), Ok(Some((95, 99))));
        assert_eq!(r("bytes=100-", 100), Err(()));
        assert_eq!(r("bytes=5-1", 100), Err(()));
        assert_eq!(r("bytes=0-1,5-6", 100), Ok(None));
        assert_eq!(r("items=0-1", 100), Ok(None));
        assert_eq!(range(None, 100), Ok(None));
    }

    #[test]
    fn names_are_quoted_safely() {
        let d = disposition("Factura \"final\" ñ.pdf");
        let s = d.to_str().unwrap();
        assert!(
            s.starts_with("attachment; filename=\"Factura _final_ _.pdf\""),
            "{s}"
        );
        assert!(
            s.contains("filename*=UTF-8''Factura%20%22final%22%20%C3%B1.pdf"),
            "{s}"
        );
    }
}
