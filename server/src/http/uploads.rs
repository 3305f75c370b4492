//! Reading GraphQL multipart requests (<https://github.com/jaydenseric/graphql-multipart-request-spec>):
//! the body is streamed and each file spooled to a temporary file, so a 1 GiB
//! upload never needs 1 GiB of memory. Files over `PORTICO_MAX_UPLOAD_BYTES` are refused with
//! 413 before the whole body is read.

use super::AppState;
use super::answer::ApiError;
use super::upload_plan::{Plan, plan};
use async_graphql::{Request, UploadValue};
use axum::body::Body;
use axum::http::header::{AUTHORIZATION, CONTENT_TYPE};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use futures_util::StreamExt;
use portico_engine::error::ErrorCode;
use std::collections::HashMap;

/// Headers a browser never sends on a cross-site form post: a multipart request authenticated
/// by cookie must carry one, so another site cannot upload in a user's name.
const PREFLIGHT_HEADERS: [&str; 3] = [
    "apollo-require-preflight",
    "x-requested-with",
    "graphql-preflight",
];

/// A refused upload request: `VALIDATION`, naming the part when one is at fault.
fn error(status: StatusCode, message: String, field: Option<&str>) -> Response {
    let e = ApiError::new(status, ErrorCode::Validation, message);
    match field {
        Some(f) => e.field(f),
        None => e,
    }
    .into_response()
}

/// The most bytes the `operations` part, and the `map` part, may each take.
const MAX_PREFIX: usize = 2 * 1024 * 1024;

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

/// Why a multipart body could not be read; each becomes one answer in [`Refusal::response`].
enum Refusal {
    /// The body breaks the spec's order or names (status 400, the part named).
    Shape(String, &'static str),
    /// A part is larger than its limit (status 413).
    TooLarge(String, &'static str),
    /// No temporary file could be had: logged, and answered without the OS's words.
    Spool(std::io::Error),
    /// The body itself failed: the client stopped sending or the connection broke.
    Body(multer::Error),
    /// The caller may not upload there (the answer is the authorization's).
    Denied(Response),
}

impl Refusal {
    fn response(self) -> Response {
        match self {
            Refusal::Shape(message, field) => error(StatusCode::BAD_REQUEST, message, Some(field)),
            Refusal::TooLarge(message, field) => {
                error(StatusCode::PAYLOAD_TOO_LARGE, message, Some(field))
            }
            Refusal::Spool(e) => {
                tracing::error!(error = %e, "no temporary file for an upload");
                ApiError::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    ErrorCode::Internal,
                    "the server cannot take files right now; try again shortly",
                )
                .into_response()
            }
            Refusal::Body(e) => {
                let message = match &e {
                    // The stream's own error says what happened (a body idle too long).
                    multer::Error::StreamReadFailed(inner) => {
                        format!("the request body could not be read: {inner}")
                    }
                    other => format!("the multipart body is not valid: {other}"),
                };
                error(StatusCode::BAD_REQUEST, message, None)
            }
            Refusal::Denied(response) => response,
        }
    }
}

/// One part's bytes, at most `limit` of them.
async fn small_part(part: &mut multer::Field<'_>, name: &'static str) -> Result<Vec<u8>, Refusal> {
    let mut bytes = Vec::new();
    while let Some(chunk) = part.chunk().await.map_err(Refusal::Body)? {
        if bytes.len() + chunk.len() > MAX_PREFIX {
            return Err(Refusal::TooLarge(
                format!("`{name}` may take at most {MAX_PREFIX} bytes"),
                name,
            ));
        }
        bytes.extend_from_slice(&chunk);
    }
    Ok(bytes)
}

/// The next part, which must be named `name` (the spec's order: `operations`, `map`, files).
async fn leading_part(
    multipart: &mut multer::Multipart<'_>,
    name: &'static str,
) -> Result<Vec<u8>, Refusal> {
    let order = "a multipart request starts with the `operations` part, then the `map` part";
    let mut part = multipart
        .next_field()
        .await
        .map_err(Refusal::Body)?
        .ok_or_else(|| Refusal::Shape(order.into(), name))?;
    if part.name() != Some(name) {
        return Err(Refusal::Shape(order.into(), name));
    }
    small_part(&mut part, name).await
}

/// A file part spooled to an unnamed temporary file (gone when closed), at most `limit` bytes.
async fn spool(part: &mut multer::Field<'_>, limit: u64) -> Result<std::fs::File, Refusal> {
    use std::io::{Seek, Write};
    let mut file = tempfile::tempfile().map_err(Refusal::Spool)?;
    let mut size = 0u64;
    while let Some(chunk) = part.chunk().await.map_err(Refusal::Body)? {
        size += chunk.len() as u64;
        if size > limit {
            return Err(Refusal::TooLarge(
                format!("`file` is larger than the limit of {limit} bytes"),
                "file",
            ));
        }
        file.write_all(&chunk).map_err(Refusal::Spool)?;
    }
    file.rewind().map_err(Refusal::Spool)?;
    Ok(file)
}

/// Reads an upload. `allow` sees the plan (targets and file count) once `operations` and
/// `map` are in, before any file part is read, and answers the refusal to send if it refuses.
///
/// The body must be exactly the spec's: one `operations`, one `map`, then one part for each
/// key of `map`, each at most once. A part `map` does not name is refused from its headers,
/// before a byte of it is spooled: a second security review sent thousands of unnamed file
/// parts in one body, each held open as a temporary file, until the process ran out of files.
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
    let boundary = headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(boundary_of)
        .ok_or_else(|| {
            error(
                StatusCode::BAD_REQUEST,
                "the multipart request has no boundary".into(),
                None,
            )
        })?;
    let mut stream = body.into_data_stream();
    let read = read_parts(state, &mut stream, boundary, allow).await;
    match read {
        Ok(request) => Ok(request),
        Err(refusal) => {
            drain(&mut stream).await;
            Err(refusal.response())
        }
    }
}

async fn read_parts(
    state: &AppState,
    stream: &mut axum::body::BodyDataStream,
    boundary: String,
    allow: impl AsyncFnOnce(&Plan) -> Result<(), Response>,
) -> Result<Request, Refusal> {
    let mut multipart = multer::Multipart::new(stream.by_ref(), boundary);
    let operations = leading_part(&mut multipart, "operations").await?;
    let map_bytes = leading_part(&mut multipart, "map").await?;
    let plan = plan(&operations, &map_bytes).map_err(|m| Refusal::Shape(m, "operations"))?;
    let max_files = state.config.max_upload_files;
    if plan.files > max_files {
        return Err(Refusal::TooLarge(
            format!("one request may carry at most {max_files} files; send the others in another"),
            "map",
        ));
    }
    allow(&plan).await.map_err(Refusal::Denied)?;
    let mut map: HashMap<String, Vec<String>> =
        serde_json::from_slice(&map_bytes).map_err(|_| {
            Refusal::Shape(
                "`map` must map part names to lists of variable paths".into(),
                "map",
            )
        })?;
    let mut request: Request = serde_json::from_slice(&operations).map_err(|e| {
        Refusal::Shape(
            format!("`operations` is not a GraphQL request: {e}"),
            "operations",
        )
    })?;
    let limit = state.config.max_upload_bytes;
    while let Some(mut part) = multipart.next_field().await.map_err(Refusal::Body)? {
        let name = part.name().unwrap_or_default().to_owned();
        let Some(paths) = map.remove(&name) else {
            let message = match name.as_str() {
                "operations" | "map" => {
                    format!("a multipart request has one `{name}` part, before the files")
                }
                _ => format!("part `{name}` is not named in `map` (or came twice)"),
            };
            return Err(Refusal::Shape(message, "map"));
        };
        let filename = part
            .file_name()
            .map(str::to_owned)
            .ok_or_else(|| Refusal::Shape(format!("part `{name}` is not a file"), "file"))?;
        let content_type = part.content_type().map(ToString::to_string);
        let file = spool(&mut part, limit).await?;
        for path in paths {
            let content = file.try_clone().map_err(Refusal::Spool)?;
            request.set_upload(
                &path,
                UploadValue {
                    filename: filename.clone(),
                    content_type: content_type.clone(),
                    content,
                },
            );
        }
    }
    if let Some(missing) = map.keys().next() {
        return Err(Refusal::Shape(
            format!("`map` names part `{missing}`, which the request does not have"),
            "map",
        ));
    }
    Ok(request)
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
    }
}
