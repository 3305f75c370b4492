//! Scalars beyond the built-in ones. Values travel as strings; the engine's validators check
//! their format and name the field when it is wrong.

use async_graphql::Value;
use async_graphql::dynamic::Scalar;

pub const DATE: &str = "Date";
pub const DATE_TIME: &str = "DateTime";
pub const JSON: &str = "JSON";

pub fn all() -> Vec<Scalar> {
    vec![
        Scalar::new(DATE)
            .description("A calendar date, `YYYY-MM-DD`.")
            .specified_by_url("https://www.rfc-editor.org/rfc/rfc3339#section-5.6")
            .validator(|v| matches!(v, Value::String(_))),
        Scalar::new(DATE_TIME)
            .description("An instant, RFC 3339 (`2026-11-23T09:30:00Z`); Portico answers in UTC.")
            .specified_by_url("https://www.rfc-editor.org/rfc/rfc3339")
            .validator(|v| matches!(v, Value::String(_))),
        Scalar::new(JSON).description("Any JSON value."),
    ]
}
