//! Reading GraphQL multipart requests (<https://github.com/jaydenseric/graphql-multipart-request-spec>):
//! the body is streamed and each file spooled to a temporary file by async-graphql, so a 1 GiB
//! upload never needs 1 GiB of memory. Files over `PORTICO_MAX_UPLOAD_BYTES` are refused with
//! 413 before the whole body is read.

use super::AppState;
use super::graphql::{Media, respond};
use super::upload_plan::{Plan, leading_parts, plan};
use async_graphql::http::{MultipartOptions, receive_body};
use async_graphql::{ParseRequestError, Request};
use axum::body::Body;
use axum::http::header::{AUTHORIZATION, CONTENT_TYPE};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use futures_util::{StreamExt, TryStreamExt};
use serde_json::json;

/// Headers a browser never sends on a cross-site form post: a multipart request authenticated
/// by cookie must carry one, so another site cannot upload in a user's name.
const PREFLIGHT_HEADERS: [&str; 3] = [
    "apollo-require-preflight",
    "x-requested-with",
    "graphql-preflight",
];

fn error(status: StatusCode, message: String, field: Option<&str>) -> Response {
    let mut ext = json!({"code": "VALIDATION"});
    if let Some(f) = field {
        ext["field"] = json!(f);
    }
    respond(
        status,
        Media::Json,
        &json!({"errors": [{"message": message, "extensions": ext}]}),
    )
}

/// Room for the `operations` and `map` parts (and the first part's headers).
const MAX_PREFIX: usize = 2 * 1024 * 1024 + 64 * 1024;

pub(super) fn boundary_of(content_type: &str) -> Option<String> {
    content_type.split(';').skip(1).find_map(|p| {
        let (k, v) = p.split_once('=')?;
        k.trim()
            .eq_ignore_ascii_case("boundary")
            .then(|| v.trim().trim_matches('"').to_owned())
            .filter(|b| !b.is_empty())
    })
}

/// Reads and drops what is left of a refused request (up to a size and a time bound), so that
/// the client, still sending, gets to read the error instead of a connection reset; a client
/// that stops sending gets the answer when the time is up.
pub(super) async fn drain(stream: &mut axum::body::BodyDataStream) {
    let read = async {
        let mut left = DRAIN_LIMIT;
        while let Some(Ok(chunk)) = stream.next().await {
            match left.checked_sub(chunk.len()) {
                Some(l) => left = l,
                None => break,
            }
        }
    };
    let _ = tokio::time::timeout(DRAIN_TIME, read).await;
}

/// How long a refused upload is read and dropped at most.
const DRAIN_TIME: std::time::Duration = std::time::Duration::from_secs(1);

/// How much of a refused upload is read and dropped before the connection is given up.
const DRAIN_LIMIT: usize = 64 * 1024 * 1024;

/// How many times `needle` occurs in `hay`.
fn count(hay: &[u8], needle: &[u8]) -> usize {
    if needle.is_empty() || hay.len() < needle.len() {
        return 0;
    }
    hay.windows(needle.len()).filter(|w| *w == needle).count()
}

/// Reads an upload. `allow` sees the plan (targets and file count) once `operations` and
/// `map` are in, before any file part is read, and answers the refusal to send if it refuses.
pub async fn read(
    state: &AppState,
    headers: &HeaderMap,
    body: Body,
    allow: impl AsyncFnOnce(&Plan) -> Result<(), Response>,
) -> Result<Request, Response> {
    let bearer = headers.contains_key(AUTHORIZATION);
    if !bearer && !PREFLIGHT_HEADERS.iter().any(|h| headers.contains_key(*h)) {
        return Err(error(
            StatusCode::BAD_REQUEST,
            "multipart requests need an Authorization header or an `Apollo-Require-Preflight` header".into(),
            None,
        ));
    }
    let content_type = headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let limit = state.config.max_upload_bytes;
    let boundary = content_type
        .as_deref()
        .and_then(boundary_of)
        .ok_or_else(|| {
            error(
                StatusCode::BAD_REQUEST,
                "the multipart request has no boundary".into(),
                None,
            )
        })?;
    let mut stream = body.into_data_stream();
    // The spec puts `operations` and `map` before the files, and async-graphql reads them into
    // memory: they must be small. Read up to the start of the third part (the first file), at
    // most MAX_PREFIX bytes, then hand the rest on as it comes.
    let marker = format!("--{boundary}").into_bytes();
    let mut prefix: Vec<u8> = Vec::new();
    while count(&prefix, &marker) < 3 {
        match stream.next().await {
            Some(Ok(chunk)) => prefix.extend_from_slice(&chunk),
            Some(Err(e)) => {
                return Err(error(StatusCode::BAD_REQUEST, e.to_string(), None));
            }
            None => break,
        }
        if prefix.len() > MAX_PREFIX {
            drain(&mut stream).await;
            return Err(error(
                StatusCode::PAYLOAD_TOO_LARGE,
                format!("`operations` and `map` may take at most {MAX_PREFIX} bytes"),
                Some("operations"),
            ));
        }
    }
    let (operations, map) = leading_parts(&prefix, &boundary);
    let (Some(operations), Some(map)) = (operations, map) else {
        drain(&mut stream).await;
        return Err(error(
            StatusCode::BAD_REQUEST,
            "a multipart request starts with the `operations` and `map` parts".into(),
            Some("operations"),
        ));
    };
    let plan = match plan(&operations, &map) {
        Ok(p) => p,
        Err(message) => {
            drain(&mut stream).await;
            return Err(error(StatusCode::BAD_REQUEST, message, Some("operations")));
        }
    };
    let max_files = state.config.max_upload_files;
    if plan.files > max_files {
        drain(&mut stream).await;
        return Err(error(
            StatusCode::PAYLOAD_TOO_LARGE,
            format!("one request may carry at most {max_files} files; send the others in another"),
            Some("map"),
        ));
    }
    if let Err(refusal) = allow(&plan).await {
        drain(&mut stream).await;
        return Err(refusal);
    }
    let head =
        futures_util::stream::once(
            async move { Ok::<_, axum::Error>(axum::body::Bytes::from(prefix)) },
        );
    let reader = head
        .chain(stream.by_ref())
        .map_err(std::io::Error::other)
        .into_async_read();
    let options = MultipartOptions::default()
        .max_file_size(usize::try_from(limit).unwrap_or(usize::MAX))
        .max_num_files(max_files);
    let received = receive_body(content_type, reader, options).await;
    if received.is_err() {
        drain(&mut stream).await;
    }
    received.map_err(|e| match e {
        ParseRequestError::PayloadTooLarge => error(
            StatusCode::PAYLOAD_TOO_LARGE,
            format!("`file` is larger than the limit of {limit} bytes"),
            Some("file"),
        ),
        other => error(StatusCode::BAD_REQUEST, other.to_string(), None),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn boundaries_and_markers_are_found() {
        assert_eq!(
            boundary_of("multipart/form-data; boundary=abc").as_deref(),
            Some("abc")
        );
        assert_eq!(
            boundary_of("multipart/form-data; charset=utf-8; Boundary=\"x y\"").as_deref(),
            Some("x y")
        );
        assert_eq!(boundary_of("multipart/form-data"), None);
        assert_eq!(count(b"--a\r\n--a\r\n--a--", b"--a"), 3);
        assert_eq!(count(b"", b"--a"), 0);
    }
}
