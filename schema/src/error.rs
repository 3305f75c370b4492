//! Engine errors as GraphQL errors: one place decides every `extensions.code`.

use async_graphql::{Error, ErrorExtensions, Value};
use portico_engine::EngineError;
use portico_engine::error::ErrorCode;
use portico_engine::error::RecordRef;

fn records(list: &[RecordRef]) -> Value {
    Value::List(
        list.iter()
            .map(|r| {
                let mut m = async_graphql::indexmap::IndexMap::new();
                m.insert(
                    async_graphql::Name::new("id"),
                    Value::String(r.id.to_string()),
                );
                m.insert(
                    async_graphql::Name::new("name"),
                    Value::String(r.name.clone()),
                );
                Value::Object(m)
            })
            .collect(),
    )
}

pub fn to_graphql_error(e: EngineError) -> Error {
    match e {
        EngineError::Unauthenticated => Error::new("authentication required")
            .extend_with(|_, x| x.set("code", ErrorCode::Unauthenticated.as_str())),
        EngineError::Forbidden(m) => {
            Error::new(m).extend_with(|_, x| x.set("code", ErrorCode::Forbidden.as_str()))
        }
        e @ EngineError::NotFound { .. } => Error::new(e.to_string())
            .extend_with(|_, x| x.set("code", ErrorCode::NotFound.as_str())),
        EngineError::Validation {
            field,
            message,
            problem,
        } => {
            let message = if message.contains(&format!("`{field}`")) || field.is_empty() {
                message
            } else {
                format!("`{field}` {message}")
            };
            Error::new(message).extend_with(|_, x| {
                x.set("code", ErrorCode::Validation.as_str());
                x.set("field", field.as_str());
                x.set("reason", problem.as_str());
            })
        }
        EngineError::Conflict { message, related } => Error::new(message).extend_with(|_, x| {
            x.set("code", ErrorCode::Conflict.as_str());
            if !related.is_empty() {
                x.set("related", records(&related));
            }
        }),
        e @ EngineError::PortalEmailConflict { .. } => {
            let contacts = match &e {
                EngineError::PortalEmailConflict { contacts } => records(contacts),
                _ => Value::Null,
            };
            Error::new(e.to_string()).extend_with(|_, x| {
                x.set("code", ErrorCode::PortalEmailConflict.as_str());
                x.set("contacts", contacts.clone());
            })
        }
        EngineError::NotQualified(m) => {
            Error::new(m).extend_with(|_, x| x.set("code", ErrorCode::NotQualified.as_str()))
        }
        e @ EngineError::RateLimited => Error::new(e.to_string())
            .extend_with(|_, x| x.set("code", ErrorCode::RateLimited.as_str())),
        e @ (EngineError::Db(_)
        | EngineError::Sqlite(_)
        | EngineError::Io(_)
        | EngineError::Internal(_)) => {
            // The details go to the log, never to the client.
            tracing::error!(error = %e, "request failed");
            Error::new("internal error")
                .extend_with(|_, x| x.set("code", ErrorCode::Internal.as_str()))
        }
    }
}

/// A VALIDATION error raised by the GraphQL layer itself (malformed ids, unknown enum values).
pub fn invalid(field: &str, message: impl Into<String>) -> Error {
    to_graphql_error(EngineError::validation(field, message))
}
