//! Reading resolver arguments and context data with errors that name the argument.

use crate::RequestInfo;
use crate::error::{invalid, to_graphql_error};
use async_graphql::dynamic::{ObjectAccessor, ResolverContext};
use async_graphql::{Error, Result};
use portico_engine::{Engine, EngineError, Principal};
use std::sync::Arc;

pub fn engine<'a>(ctx: &ResolverContext<'a>) -> Result<&'a Arc<Engine>> {
    ctx.data::<Arc<Engine>>()
}

pub fn principal(ctx: &ResolverContext<'_>) -> Principal {
    ctx.data_opt::<RequestInfo>()
        .map_or(Principal::Anonymous, |r| r.principal.clone())
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
