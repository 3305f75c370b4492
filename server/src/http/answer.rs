//! How the API surfaces answer, in one place: the response media of GraphQL over HTTP, and
//! [`ApiError`], the one error type of `/graphql`, `/portal/graphql`, the downloads and
//! `/admin/session` outside GraphQL execution. Every such error has GraphQL's shape,
//! `{"errors": [{"message", "extensions": {"code", "field"?}}]}`, so a client reads one shape
//! whatever it called. (Portal pages answer with pages: `portal_pages::visitor`.)

use axum::http::header::CONTENT_TYPE;
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use portico_engine::EngineError;
use portico_engine::error::ErrorCode;
use serde::Serialize;
use serde_json::json;

const GRAPHQL_RESPONSE: &str = "application/graphql-response+json; charset=utf-8";
const JSON: &str = "application/json; charset=utf-8";

/// The two response media of GraphQL over HTTP.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Media {
    GraphqlResponse,
    Json,
}

impl Media {
    fn content_type(self) -> &'static str {
        match self {
            Media::GraphqlResponse => GRAPHQL_RESPONSE,
            Media::Json => JSON,
        }
    }
}

/// `body` as JSON in `media`, with `status`.
pub fn respond(status: StatusCode, media: Media, body: &impl Serialize) -> Response {
    let text = match serde_json::to_vec(body) {
        Ok(text) => text,
        Err(e) => {
            tracing::error!(error = %e, "serialising a response failed");
            br#"{"errors":[{"message":"internal error","extensions":{"code":"INTERNAL"}}]}"#
                .to_vec()
        }
    };
    let mut response = (status, text).into_response();
    response
        .headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static(media.content_type()));
    response
}

/// A refusal or failure answered before (or instead of) GraphQL execution.
#[derive(Debug)]
pub struct ApiError {
    status: StatusCode,
    code: ErrorCode,
    message: String,
    field: Option<String>,
}

impl ApiError {
    pub fn new(status: StatusCode, code: ErrorCode, message: impl Into<String>) -> Self {
        ApiError {
            status,
            code,
            message: message.into(),
            field: None,
        }
    }

    /// A malformed request: 400, `VALIDATION`.
    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, ErrorCode::Validation, message)
    }

    /// Names the offending input (`extensions.field`).
    pub fn field(mut self, field: impl Into<String>) -> Self {
        self.field = Some(field.into());
        self
    }

    /// A failure of ours: logged with its details, answered 500 `INTERNAL` without them.
    pub fn internal(detail: impl std::fmt::Display) -> Self {
        tracing::error!(error = %detail, "request failed outside execution");
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            ErrorCode::Internal,
            "internal error",
        )
    }
}

/// The HTTP status each code is answered with outside GraphQL execution.
fn status_of(code: ErrorCode) -> StatusCode {
    match code {
        ErrorCode::Unauthenticated => StatusCode::UNAUTHORIZED,
        ErrorCode::Forbidden => StatusCode::FORBIDDEN,
        ErrorCode::NotFound => StatusCode::NOT_FOUND,
        ErrorCode::Validation => StatusCode::BAD_REQUEST,
        ErrorCode::Conflict | ErrorCode::PortalEmailConflict => StatusCode::CONFLICT,
        ErrorCode::NotQualified => StatusCode::UNPROCESSABLE_ENTITY,
        ErrorCode::RateLimited => StatusCode::TOO_MANY_REQUESTS,
        ErrorCode::Internal => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

/// The engine's errors, mapped once, by their code ([`EngineError::code`]); an `INTERNAL`
/// one (the database, the files) is [`ApiError::internal`].
impl From<EngineError> for ApiError {
    fn from(e: EngineError) -> Self {
        let code = e.code();
        if code == ErrorCode::Internal {
            return Self::internal(e);
        }
        let field = match &e {
            EngineError::Validation { field, .. } => Some(field.clone()),
            _ => None,
        };
        ApiError {
            status: status_of(code),
            code,
            message: e.to_string(),
            field,
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut extensions = json!({"code": self.code.as_str()});
        if let Some(f) = self.field {
            extensions["field"] = json!(f);
        }
        respond(
            self.status,
            Media::Json,
            &json!({"errors": [{"message": self.message, "extensions": extensions}]}),
        )
    }
}
