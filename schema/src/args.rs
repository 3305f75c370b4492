//! Reading resolver arguments and context data with errors that name the argument.

use crate::error::{invalid, to_graphql_error};
use crate::{Caller, RequestInfo};
use async_graphql::dynamic::{ObjectAccessor, ResolverContext};
use async_graphql::{Error, Result};
use portico_engine::{Engine, EngineError, PortalHandle, StaffHandle};
use std::sync::Arc;

/// The engine's front door: signing in, which needs no principal. Everything else goes
/// through the caller's handle ([`staff`], [`portal`]).
pub fn engine<'a>(ctx: &ResolverContext<'a>) -> Result<&'a Arc<Engine>> {
    ctx.data::<Arc<Engine>>()
}

/// The staff handle of the request; UNAUTHENTICATED for anyone else.
pub fn staff<'a>(ctx: &ResolverContext<'a>) -> Result<&'a StaffHandle> {
    match ctx.data_opt::<RequestInfo>().map(|r| &r.caller) {
        Some(Caller::Staff(h)) => Ok(h),
        _ => Err(to_graphql_error(EngineError::Unauthenticated)),
    }
}

/// The request's loaders of nested lists; UNAUTHENTICATED for anyone but staff.
pub fn loaders<'a>(ctx: &ResolverContext<'a>) -> Result<&'a crate::loaders::Loaders> {
    match ctx.data_opt::<RequestInfo>().and_then(|r| r.loaders()) {
        Some(l) => Ok(l),
        None => Err(to_graphql_error(EngineError::Unauthenticated)),
    }
}

/// The portal handle of the request; UNAUTHENTICATED for anyone else.
pub fn portal<'a>(ctx: &ResolverContext<'a>) -> Result<&'a PortalHandle> {
    match ctx.data_opt::<RequestInfo>().map(|r| &r.caller) {
        Some(Caller::Portal(h)) => Ok(h),
        _ => Err(to_graphql_error(EngineError::Unauthenticated)),
    }
}

pub fn request_info(ctx: &ResolverContext<'_>) -> Option<RequestInfo> {
    ctx.data_opt::<RequestInfo>().cloned()
}

/// Parses a record id: our ids are positive integers written as strings.
pub fn parse_id(raw: &str, field: &str) -> Result<i64> {
    raw.trim()
        .parse::<i64>()
        .ok()
        .filter(|id| *id > 0)
        .ok_or_else(|| invalid(field, format!("`{raw}` is not a valid id")))
}

pub fn id_arg(args: &ObjectAccessor<'_>, name: &str) -> Result<i64> {
    let v = args.try_get(name)?;
    let raw = match v.as_value() {
        async_graphql::Value::Number(n) => n.to_string(),
        _ => v.string()?.to_owned(),
    };
    parse_id(&raw, name)
}

pub fn opt_string(args: &ObjectAccessor<'_>, name: &str) -> Result<Option<String>> {
    match args.get(name) {
        Some(v) if !v.is_null() => Ok(Some(v.string()?.to_owned())),
        _ => Ok(None),
    }
}

/// The `search` argument of a record list as a condition, when one was typed.
pub fn search_condition(
    args: &ObjectAccessor<'_>,
) -> Result<Option<portico_engine::records::Condition>> {
    Ok(opt_string(args, "search")?
        .filter(|s| !s.trim().is_empty())
        .map(|s| portico_engine::records::Condition {
            key: "search".into(),
            op: portico_engine::records::Op::Search,
            value: s.into(),
        }))
}

/// The `search` argument's declaration, the same on every record list.
pub fn search_argument() -> async_graphql::dynamic::InputValue {
    async_graphql::dynamic::InputValue::new(
        "search",
        async_graphql::dynamic::TypeRef::named(async_graphql::dynamic::TypeRef::STRING),
    )
    .description(
        "What a person types: each word must start a word of the record's title (a contact's \
         name or email, a case's subject or number, a deal's name), ignoring case and accents.",
    )
}

/// A text input that may be left out (`None`: unchanged) or set to null (`Some(None)`:
/// cleared), as partial updates take it.
pub fn nullable_string(args: &ObjectAccessor<'_>, name: &str) -> Result<Option<Option<String>>> {
    match args.get(name) {
        Some(v) if v.is_null() => Ok(Some(None)),
        Some(v) => Ok(Some(Some(v.string()?.to_owned()))),
        None => Ok(None),
    }
}

pub fn opt_bool(args: &ObjectAccessor<'_>, name: &str) -> Result<Option<bool>> {
    match args.get(name) {
        Some(v) if !v.is_null() => Ok(Some(v.boolean()?)),
        _ => Ok(None),
    }
}

pub fn opt_i32(args: &ObjectAccessor<'_>, name: &str) -> Result<Option<i32>> {
    match args.get(name) {
        Some(v) if !v.is_null() => {
            let n = v.i64()?;
            i32::try_from(n)
                .map(Some)
                .map_err(|_| invalid(name, "is out of range"))
        }
        _ => Ok(None),
    }
}

pub fn string(args: &ObjectAccessor<'_>, name: &str) -> Result<String> {
    Ok(args.try_get(name)?.string()?.to_owned())
}

pub fn engine_err(e: EngineError) -> Error {
    to_graphql_error(e)
}
