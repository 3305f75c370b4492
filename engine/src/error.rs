//! The one error type of the engine. Each variant is a distinct answer the edges map to a
//! stable code; database failures stay opaque so their details never reach a client.

use serde::Serialize;

pub type Result<T, E = EngineError> = std::result::Result<T, E>;

/// A record named in an error, so a user can go and fix the data.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct RecordRef {
    pub id: i64,
    pub name: String,
}

/// Why an input was refused, carried as data from where the refusal is made: an edge words it
/// in its own language from this (the portal's "required" beside a field), never from the
/// English message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Problem {
    /// Nothing was given where something must be.
    Missing,
    /// What was given is not acceptable.
    Invalid,
}

impl Problem {
    /// The value of GraphQL's `extensions.reason`.
    pub fn as_str(self) -> &'static str {
        match self {
            Problem::Missing => "MISSING",
            Problem::Invalid => "INVALID",
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    /// No valid session or token came with a request that needs one.
    #[error("authentication required")]
    Unauthenticated,
    /// The principal is known but its groups do not allow the action.
    #[error("not allowed: {0}")]
    Forbidden(String),
    #[error("{entity} {id} not found")]
    NotFound { entity: &'static str, id: String },
    /// Bad input; `field` is the key of the offending input.
    #[error("{message}")]
    Validation {
        field: String,
        message: String,
        problem: Problem,
    },
    /// The change contradicts stored data (a duplicate, a record still referenced...).
    #[error("{message}")]
    Conflict {
        message: String,
        related: Vec<RecordRef>,
    },
    #[error("the email is used by other contacts")]
    PortalEmailConflict { contacts: Vec<RecordRef> },
    #[error("{0}")]
    NotQualified(String),
    #[error("too many attempts, try again later")]
    RateLimited,
    #[error("database error: {0}")]
    Db(#[from] sea_orm::DbErr),
    /// From the statements run in place on SQLite (`db::lite`).
    #[error("database error: {0}")]
    Sqlite(#[from] rusqlite::Error),
    /// Reading or writing document files.
    #[error("file storage error: {0}")]
    Io(#[from] std::io::Error),
    #[error("internal error: {0}")]
    Internal(String),
}

/// The stable codes clients read in every error's `extensions.code` (API.md's list, and
/// docs/graphql.md's table, which a test holds to this): one definition, so no edge can misspell
/// one or invent another.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorCode {
    Unauthenticated,
    Forbidden,
    NotFound,
    Validation,
    Conflict,
    PortalEmailConflict,
    NotQualified,
    RateLimited,
    Internal,
}

impl ErrorCode {
    pub const ALL: [ErrorCode; 9] = [
        ErrorCode::Unauthenticated,
        ErrorCode::Forbidden,
        ErrorCode::NotFound,
        ErrorCode::Validation,
        ErrorCode::Conflict,
        ErrorCode::PortalEmailConflict,
        ErrorCode::NotQualified,
        ErrorCode::RateLimited,
        ErrorCode::Internal,
    ];

    pub const fn as_str(self) -> &'static str {
        match self {
            ErrorCode::Unauthenticated => "UNAUTHENTICATED",
            ErrorCode::Forbidden => "FORBIDDEN",
            ErrorCode::NotFound => "NOT_FOUND",
            ErrorCode::Validation => "VALIDATION",
            ErrorCode::Conflict => "CONFLICT",
            ErrorCode::PortalEmailConflict => "PORTAL_EMAIL_CONFLICT",
            ErrorCode::NotQualified => "NOT_QUALIFIED",
            ErrorCode::RateLimited => "RATE_LIMITED",
            ErrorCode::Internal => "INTERNAL",
        }
    }
}

impl EngineError {
    /// The code clients are given for this error.
    pub fn code(&self) -> ErrorCode {
        match self {
            EngineError::Unauthenticated => ErrorCode::Unauthenticated,
            EngineError::Forbidden(_) => ErrorCode::Forbidden,
            EngineError::NotFound { .. } => ErrorCode::NotFound,
            EngineError::Validation { .. } => ErrorCode::Validation,
            EngineError::Conflict { .. } => ErrorCode::Conflict,
            EngineError::PortalEmailConflict { .. } => ErrorCode::PortalEmailConflict,
            EngineError::NotQualified(_) => ErrorCode::NotQualified,
            EngineError::RateLimited => ErrorCode::RateLimited,
            EngineError::Db(_)
            | EngineError::Sqlite(_)
            | EngineError::Io(_)
            | EngineError::Internal(_) => ErrorCode::Internal,
        }
    }

    pub fn validation(field: impl Into<String>, message: impl Into<String>) -> Self {
        EngineError::Validation {
            field: field.into(),
            message: message.into(),
            problem: Problem::Invalid,
        }
    }

    /// A required input left out or left empty.
    pub fn missing(field: impl Into<String>, message: impl Into<String>) -> Self {
        EngineError::Validation {
            field: field.into(),
            message: message.into(),
            problem: Problem::Missing,
        }
    }

    pub fn not_found(entity: &'static str, id: impl ToString) -> Self {
        EngineError::NotFound {
            entity,
            id: id.to_string(),
        }
    }

    /// Whether a write failed on a foreign key, on either executor.
    pub(crate) fn is_foreign_key_violation(&self) -> bool {
        match self {
            EngineError::Db(e) => matches!(
                e.sql_err(),
                Some(sea_orm::SqlErr::ForeignKeyConstraintViolation(_))
            ),
            EngineError::Sqlite(rusqlite::Error::SqliteFailure(e, _)) => {
                e.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_FOREIGNKEY
            }
            _ => false,
        }
    }

    /// Whether a write failed on a unique constraint, on either executor.
    pub(crate) fn is_unique_violation(&self) -> bool {
        match self {
            EngineError::Db(e) => matches!(
                e.sql_err(),
                Some(sea_orm::SqlErr::UniqueConstraintViolation(_))
            ),
            EngineError::Sqlite(rusqlite::Error::SqliteFailure(e, _)) => matches!(
                e.extended_code,
                rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE
                    | rusqlite::ffi::SQLITE_CONSTRAINT_PRIMARYKEY
            ),
            _ => false,
        }
    }

    pub fn conflict(message: impl Into<String>) -> Self {
        EngineError::Conflict {
            message: message.into(),
            related: Vec::new(),
        }
    }
}

/// A statement sea-query could not build (a values row of the wrong width): the engine's bug.
impl From<sea_orm::sea_query::error::Error> for EngineError {
    fn from(e: sea_orm::sea_query::error::Error) -> Self {
        EngineError::Internal(format!("building a statement: {e}"))
    }
}

impl From<casbin::Error> for EngineError {
    fn from(e: casbin::Error) -> Self {
        EngineError::Internal(format!("policy: {e}"))
    }
}

#[cfg(test)]
mod code_tests {
    use super::ErrorCode;

    /// docs/graphql.md's table of codes is the one integrators read: it must list exactly the
    /// codes the server can give, each once (a code added here and not there fails).
    #[test]
    fn the_guide_lists_every_code_and_no_other() {
        let guide = include_str!("../../docs/graphql.md");
        let table = guide
            .split("## Errors")
            .nth(1)
            .expect("an Errors section")
            .split("\n\n")
            .find(|block| block.starts_with("| code |"))
            .expect("the table of codes");
        let listed: Vec<&str> = table
            .lines()
            .skip(2)
            .filter_map(|l| l.strip_prefix("| `")?.split('`').next())
            .collect();
        let ours: Vec<&str> = ErrorCode::ALL.iter().map(|c| c.as_str()).collect();
        assert_eq!(listed, ours);
    }
}
