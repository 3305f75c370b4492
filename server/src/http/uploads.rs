//! Reading GraphQL multipart requests (<https://github.com/jaydenseric/graphql-multipart-request-spec>):
//! the body is streamed and each file spooled to a temporary file by async-graphql, so a 1 GiB
//! upload never needs 1 GiB of memory. Files over `PORTICO_MAX_UPLOAD_BYTES` are refused with
//! 413 before the whole body is read.

use super::AppState;
use super::graphql::{Media, respond};
use async_graphql::http::{MultipartOptions, receive_body};
use async_graphql::{ParseRequestError, Request};
use axum::body::Body;
use axum::http::header::{AUTHORIZATION, CONTENT_TYPE};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use futures_util::TryStreamExt;
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

pub async fn read(state: &AppState, headers: &HeaderMap, body: Body) -> Result<Request, Response> {
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
    let reader = body
        .into_data_stream()
        .map_err(std::io::Error::other)
        .into_async_read();
    let options = MultipartOptions::default()
        .max_file_size(usize::try_from(limit).unwrap_or(usize::MAX))
        .max_num_files(20);
    receive_body(content_type, reader, options)
        .await
        .map_err(|e| match e {
            ParseRequestError::PayloadTooLarge => error(
                StatusCode::PAYLOAD_TOO_LARGE,
                format!("`file` is larger than the limit of {limit} bytes"),
                Some("file"),
            ),
            other => error(StatusCode::BAD_REQUEST, other.to_string(), None),
        })
}
