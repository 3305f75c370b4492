//! GraphQL over HTTP, written to the GraphQL-over-HTTP specification
//! (<https://graphql.github.io/graphql-over-http/draft/>) rather than with async-graphql-axum,
//! which answers every request error with 200 and ignores `Accept`.
//!
//! - `application/graphql-response+json` clients get 400 for request errors (unparsable JSON,
//!   bad parameters, documents that fail to parse or validate) and no `data` key with them.
//! - `application/json` clients (and those without `Accept`) get 200 for GraphQL errors and 400
//!   only for malformed HTTP requests.
//! - GET runs queries only: a mutation over GET is 405 with `Allow: POST`.

use super::AppState;
use super::answer::{ApiError, Media, respond};
use super::auth::{Endpoint, PortalCaller, StaffCaller};
use super::client_address::ClientAddress;
use async_graphql::parser::parse_query;
use async_graphql::parser::types::{DocumentOperations, OperationType};
use async_graphql::{Request, Variables};
use axum::body::Body as HttpBody;
use axum::extract::{RawQuery, State};
use axum::http::header::{ACCEPT, ALLOW, CONTENT_TYPE};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use portico_engine::error::ErrorCode;
use portico_schema::{Caller, RequestInfo, SchemaCache};
use serde::Serialize;
use serde_json::{Map, Value, json};
use std::collections::BTreeMap;
use std::net::IpAddr;

/// Picks the response type from `Accept`, first match wins; `None` means 406.
fn negotiate(headers: &HeaderMap) -> Option<Media> {
    let Some(accept) = headers.get(ACCEPT).and_then(|v| v.to_str().ok()) else {
        return Some(Media::Json);
    };
    if accept.trim().is_empty() {
        return Some(Media::Json);
    }
    for item in accept.split(',') {
        let mut parts = item.split(';').map(str::trim);
        let media = parts.next().unwrap_or_default().to_ascii_lowercase();
        let charset_ok = parts.all(|p| match p.split_once('=') {
            Some((k, v)) if k.trim().eq_ignore_ascii_case("charset") => {
                matches!(
                    v.trim().trim_matches('"').to_ascii_lowercase().as_str(),
                    "utf-8" | "utf8"
                )
            }
            _ => true,
        });
        if !charset_ok {
            continue;
        }
        match media.as_str() {
            "application/graphql-response+json" => return Some(Media::GraphqlResponse),
            "application/json" | "application/*" | "*/*" => return Some(Media::Json),
            _ => {}
        }
    }
    None
}

/// A malformed request: 400 whatever was accepted.
fn bad_request(message: &str) -> Response {
    ApiError::bad_request(message).into_response()
}

fn not_acceptable() -> Response {
    let mut r = (
        StatusCode::NOT_ACCEPTABLE,
        "Accept application/graphql-response+json or application/json\n",
    )
        .into_response();
    r.headers_mut().insert(
        ACCEPT,
        HeaderValue::from_static(
            "application/graphql-response+json; charset=utf-8, application/json; charset=utf-8",
        ),
    );
    r
}

pub async fn method_not_allowed() -> Response {
    let mut r = (StatusCode::METHOD_NOT_ALLOWED, "use GET or POST\n").into_response();
    r.headers_mut()
        .insert(ALLOW, HeaderValue::from_static("GET, POST"));
    r
}

/// The parameters of a GraphQL request, checked the same way for GET and POST.
struct Params {
    query: String,
    operation_name: Option<String>,
    variables: Option<Map<String, Value>>,
    extensions: Option<Map<String, Value>>,
}

fn params(mut body: Map<String, Value>) -> Result<Params, &'static str> {
    let query = match body.remove("query") {
        Some(Value::String(q)) => q,
        Some(_) => return Err("`query` must be a string"),
        None => return Err("`query` is required"),
    };
    let operation_name = match body.remove("operationName") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => Some(s),
        Some(_) => return Err("`operationName` must be a string"),
    };
    let variables = match body.remove("variables") {
        None | Some(Value::Null) => None,
        Some(Value::Object(m)) => Some(m),
        Some(_) => return Err("`variables` must be an object"),
    };
    let extensions = match body.remove("extensions") {
        None | Some(Value::Null) => None,
        Some(Value::Object(m)) => Some(m),
        Some(_) => return Err("`extensions` must be an object"),
    };
    Ok(Params {
        query,
        operation_name,
        variables,
        extensions,
    })
}

/// Whether the operation a GET would run is a mutation or subscription; parse errors are left
/// for execution to report.
fn is_read_only(query: &str, operation_name: Option<&str>) -> bool {
    let Ok(doc) = parse_query(query) else {
        return true;
    };
    let ty = match (&doc.operations, operation_name) {
        (DocumentOperations::Single(op), _) => Some(op.node.ty),
        (DocumentOperations::Multiple(ops), Some(name)) => ops.get(name).map(|op| op.node.ty),
        (DocumentOperations::Multiple(ops), None) if ops.len() == 1 => {
            ops.values().next().map(|op| op.node.ty)
        }
        _ => None,
    };
    !matches!(
        ty,
        Some(OperationType::Mutation | OperationType::Subscription)
    )
}

fn schema_cache(endpoint: Endpoint, state: &AppState) -> &SchemaCache {
    match endpoint {
        Endpoint::Staff => &state.staff_schema,
        Endpoint::Portal => &state.portal_schema,
    }
}

/// A request ready to run: the parsed parameters of a JSON or GET request, or the request a
/// multipart upload was read into.
enum Prepared {
    Params(Params),
    Request(Request),
}

/// Runs a request for `caller`, whom the handler's extractor authenticated (after bringing
/// the engine up to date, so the catalog is current).
async fn execute(
    state: &AppState,
    endpoint: Endpoint,
    caller: Caller,
    client: IpAddr,
    media: Media,
    prepared: Prepared,
) -> Response {
    let started = std::time::Instant::now();
    let catalog = state.engine.catalog();
    let schema = match schema_cache(endpoint, state)
        .get(&catalog, &state.engine)
        .await
    {
        Ok(s) => s,
        Err(e) => return ApiError::internal(e).into_response(),
    };
    // The request is assembled first, so that its parsed document (kept for its next use)
    // and variables are checked before it runs.
    let mut request = match prepared {
        Prepared::Request(r) => r,
        Prepared::Params(p) => {
            let mut request = Request::new(p.query);
            if let Some(name) = p.operation_name {
                request = request.operation_name(name);
            }
            if let Some(vars) = p.variables {
                request = request.variables(Variables::from_json(Value::Object(vars)));
            }
            let _ = p.extensions;
            request
        }
    };
    // A document too large for the cache is still parsed, and checked.
    let doc = state
        .documents
        .get(&request.query)
        .or_else(|| async_graphql::parser::parse_query(&request.query).ok());
    let mut kind = "invalid";
    if let Some(doc) = doc {
        if let Err(e) = portico_schema::check_request(&schema, &doc, &request.variables, &caller) {
            return shape(media, async_graphql::Response::from_errors(vec![e]));
        }
        kind = operation_kind(&doc, request.operation_name.as_deref());
        request.set_parsed_query(doc);
    }
    let request = request.data(RequestInfo::new(caller, Some(client.to_string())));
    let response = schema.execute(request).await;
    let endpoint_name = match endpoint {
        Endpoint::Staff => "staff",
        Endpoint::Portal => "portal",
    };
    super::graphql_operation(endpoint_name, kind, started);
    shape(media, response)
}

/// The kind of the operation a document runs (`query`, `mutation`, `subscription`).
fn operation_kind(
    doc: &async_graphql::parser::types::ExecutableDocument,
    name: Option<&str>,
) -> &'static str {
    let op = match (&doc.operations, name) {
        (DocumentOperations::Single(op), _) => Some(op),
        (DocumentOperations::Multiple(ops), Some(n)) => ops.get(n),
        (DocumentOperations::Multiple(ops), None) => ops.values().next(),
    };
    match op.map(|o| o.node.ty) {
        Some(OperationType::Query) => "query",
        Some(OperationType::Mutation) => "mutation",
        Some(OperationType::Subscription) => "subscription",
        None => "invalid",
    }
}

/// A request signed in by the web UI's cookie must come from our own pages (Fetch Metadata
/// and `Origin`), as the portal's forms and the admin sign-in must: another site's page can
/// make a browser send the cookie, not read it. Bearer tokens are never sent by a browser on
/// its own, and pass.
fn cross_site(state: &AppState, endpoint: Endpoint, headers: &HeaderMap) -> Option<Response> {
    if !super::auth::by_cookie(headers, endpoint) || state.origins.sent_by_our_pages(headers, false)
    {
        return None;
    }
    Some(
        ApiError::new(
            StatusCode::FORBIDDEN,
            ErrorCode::Forbidden,
            "a request signed in by cookie must come from Portico's own pages",
        )
        .into_response(),
    )
}

/// Turns an execution result into the HTTP answer. A result with no data and only errors
/// without a path never started executing (it failed to parse, validate or coerce variables):
/// a request error.
fn shape(media: Media, response: async_graphql::Response) -> Response {
    let request_error = response.data == async_graphql::Value::Null
        && !response.errors.is_empty()
        && response.errors.iter().all(|e| e.path.is_empty());
    let mut errors = Vec::with_capacity(response.errors.len());
    for e in &response.errors {
        let mut v = serde_json::to_value(e).unwrap_or_else(|_| json!({"message": e.message}));
        let has_code = e
            .extensions
            .as_ref()
            .is_some_and(|x| x.get("code").is_some());
        if !has_code && let Some(obj) = v.as_object_mut() {
            let code = if e.path.is_empty() {
                if let Some(field) = offending_input(&e.message) {
                    obj.entry("extensions")
                        .or_insert_with(|| json!({}))
                        .as_object_mut()
                        .map(|x| x.insert("field".into(), Value::from(field)));
                }
                ErrorCode::Validation.as_str()
            } else {
                // An error we did not produce ourselves: keep its details in the log only.
                tracing::error!(message = %e.message, "unclassified resolver error");
                obj.insert("message".into(), Value::from("internal error"));
                ErrorCode::Internal.as_str()
            };
            obj.entry("extensions")
                .or_insert_with(|| json!({}))
                .as_object_mut()
                .map(|x| x.insert("code".into(), Value::from(code)));
        }
        errors.push(v);
    }
    let status = if request_error && media == Media::GraphqlResponse {
        StatusCode::BAD_REQUEST
    } else {
        StatusCode::OK
    };
    // Serialised straight from async-graphql's values, without an intermediate JSON tree.
    let body = Body {
        data: (!request_error).then_some(&response.data),
        errors,
        extensions: &response.extensions,
    };
    respond(status, media, &body)
}

#[derive(Serialize)]
struct Body<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    data: Option<&'a async_graphql::Value>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    errors: Vec<Value>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    extensions: &'a BTreeMap<String, async_graphql::Value>,
}

/// The input a GraphQL validation message is about (`field "subject"`, `argument "filter.x"`,
/// `Variable "$id"`), so that document errors name the offending input like engine errors do.
fn offending_input(message: &str) -> Option<String> {
    let quoted_after = |marker: &str| {
        let rest = &message[message.find(marker)? + marker.len()..];
        rest.split('"').next().map(str::to_owned)
    };
    let argument = quoted_after("argument \"");
    if let Some(path) = argument.as_deref().filter(|a| a.contains('.')) {
        return path.rsplit('.').next().map(str::to_owned);
    }
    if let Some(f) = quoted_after("field \"") {
        return Some(f);
    }
    if argument.is_some() {
        return argument;
    }
    quoted_after("Variable \"$")
}

fn wants_html(headers: &HeaderMap) -> bool {
    headers
        .get(ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|a| a.contains("text/html"))
}

pub async fn staff_get(
    state: State<AppState>,
    client: ClientAddress,
    StaffCaller(caller): StaffCaller,
    raw: RawQuery,
    headers: HeaderMap,
) -> Response {
    get(Endpoint::Staff, caller, state, client, raw, headers).await
}

pub async fn portal_get(
    state: State<AppState>,
    client: ClientAddress,
    PortalCaller(caller): PortalCaller,
    raw: RawQuery,
    headers: HeaderMap,
) -> Response {
    get(Endpoint::Portal, caller, state, client, raw, headers).await
}

pub async fn staff_post(
    state: State<AppState>,
    client: ClientAddress,
    StaffCaller(caller): StaffCaller,
    headers: HeaderMap,
    body: HttpBody,
) -> Response {
    post(Endpoint::Staff, caller, state, client, headers, body).await
}

pub async fn portal_post(
    state: State<AppState>,
    client: ClientAddress,
    PortalCaller(caller): PortalCaller,
    headers: HeaderMap,
    body: HttpBody,
) -> Response {
    post(Endpoint::Portal, caller, state, client, headers, body).await
}

async fn get(
    endpoint: Endpoint,
    caller: Caller,
    State(state): State<AppState>,
    ClientAddress(client): ClientAddress,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
) -> Response {
    let pairs: Vec<(String, String)> = raw
        .as_deref()
        .map(form_urlencoded_pairs)
        .unwrap_or_default();
    let has_query = pairs.iter().any(|(k, _)| k == "query");
    if !has_query && wants_html(&headers) {
        return Html(super::graphiql::page(endpoint.path())).into_response();
    }
    if let Some(refused) = cross_site(&state, endpoint, &headers) {
        return refused;
    }
    let Some(media) = negotiate(&headers) else {
        return not_acceptable();
    };
    let mut body = Map::new();
    for (k, v) in pairs {
        let value = match k.as_str() {
            "variables" | "extensions" => match serde_json::from_str::<Value>(&v) {
                Ok(j) => j,
                Err(_) => return bad_request(&format!("`{k}` must be JSON")),
            },
            _ => Value::String(v),
        };
        body.insert(k, value);
    }
    let p = match params(body) {
        Ok(p) => p,
        Err(m) => return bad_request(m),
    };
    if !is_read_only(&p.query, p.operation_name.as_deref()) {
        let mut r = ApiError::new(
            StatusCode::METHOD_NOT_ALLOWED,
            ErrorCode::Validation,
            "mutations must be sent with POST",
        )
        .into_response();
        r.headers_mut()
            .insert(ALLOW, HeaderValue::from_static("POST"));
        return r;
    }
    execute(&state, endpoint, caller, client, media, Prepared::Params(p)).await
}

async fn post(
    endpoint: Endpoint,
    caller: Caller,
    State(state): State<AppState>,
    ClientAddress(client): ClientAddress,
    headers: HeaderMap,
    body: HttpBody,
) -> Response {
    if let Some(refused) = cross_site(&state, endpoint, &headers) {
        return refused;
    }
    let Some(media) = negotiate(&headers) else {
        return not_acceptable();
    };
    if is_multipart(&headers) {
        return post_multipart(endpoint, caller, &state, client, &headers, media, body).await;
    }
    let body = match axum::body::to_bytes(body, MAX_JSON_BODY).await {
        Ok(b) => b,
        // A body that stalled (or a connection that broke) is not one that was too long.
        Err(e) if !is_length_limit(&e) => {
            return bad_request(&format!("the request body could not be read: {e}"));
        }
        Err(_) => {
            return ApiError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                ErrorCode::Validation,
                format!(
                    "a JSON request may be at most {MAX_JSON_BODY} bytes; send files as multipart uploads"
                ),
            )
            .into_response();
        }
    };
    if !is_json_utf8(&headers) {
        return (
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "send the request as application/json\n",
        )
            .into_response();
    }
    let parsed: Map<String, Value> = match serde_json::from_slice::<Value>(&body) {
        Ok(Value::Object(m)) => m,
        Ok(Value::Array(_)) => return bad_request("batched requests are not supported"),
        Ok(_) => return bad_request("the body must be a JSON object"),
        Err(_) => return bad_request("the body is not valid JSON"),
    };
    let p = match params(parsed) {
        Ok(p) => p,
        Err(m) => return bad_request(m),
    };
    execute(&state, endpoint, caller, client, media, Prepared::Params(p)).await
}

/// A multipart upload: only a signed-in user may send one, as it is spooled to disk while it
/// arrives.
async fn post_multipart(
    endpoint: Endpoint,
    caller: Caller,
    state: &AppState,
    client: IpAddr,
    headers: &HeaderMap,
    media: Media,
    body: HttpBody,
) -> Response {
    if matches!(caller, Caller::Anonymous) {
        return ApiError::new(
            StatusCode::UNAUTHORIZED,
            ErrorCode::Unauthenticated,
            "sign in to upload",
        )
        .into_response();
    }
    // Each target is checked as the operation itself will check it, before a file is read.
    let allow = async |plan: &super::upload_plan::Plan| -> Result<(), Response> {
        for target in &plan.targets {
            let checked = match &caller {
                Caller::Staff(h) => h.check_upload(*target).await,
                Caller::Portal(h) => h.check_upload(*target).await,
                Caller::Anonymous => Err(portico_engine::EngineError::Unauthenticated),
            };
            checked.map_err(|e| ApiError::from(e).into_response())?;
        }
        Ok(())
    };
    match super::uploads::read(state, headers, body, allow).await {
        Ok(request) => {
            let prepared = Prepared::Request(request);
            execute(state, endpoint, caller, client, media, prepared).await
        }
        Err(response) => response,
    }
}

/// Whether reading a body failed for its length (axum's `to_bytes` limit), from the error's
/// causes.
fn is_length_limit(e: &axum::Error) -> bool {
    let mut cause: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(c) = cause {
        if c.is::<http_body_util::LengthLimitError>() {
            return true;
        }
        cause = c.source();
    }
    false
}

/// The largest JSON request body; files come as multipart uploads.
const MAX_JSON_BODY: usize = 2 * 1024 * 1024;

fn is_multipart(headers: &HeaderMap) -> bool {
    headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| {
            ct.trim_start()
                .to_ascii_lowercase()
                .starts_with("multipart/form-data")
        })
}

/// POST bodies must be `application/json` in UTF-8.
fn is_json_utf8(headers: &HeaderMap) -> bool {
    let Some(ct) = headers.get(CONTENT_TYPE).and_then(|v| v.to_str().ok()) else {
        return false;
    };
    let mut parts = ct.split(';').map(str::trim);
    if !parts
        .next()
        .unwrap_or_default()
        .eq_ignore_ascii_case("application/json")
    {
        return false;
    }
    parts.all(|p| match p.split_once('=') {
        Some((k, v)) if k.trim().eq_ignore_ascii_case("charset") => matches!(
            v.trim().trim_matches('"').to_ascii_lowercase().as_str(),
            "utf-8" | "utf8"
        ),
        _ => true,
    })
}

/// `application/x-www-form-urlencoded` pairs, `+` as space, percent-decoded.
fn form_urlencoded_pairs(q: &str) -> Vec<(String, String)> {
    fn decode(s: &str) -> String {
        let bytes = s.as_bytes();
        let mut out = Vec::with_capacity(bytes.len());
        let mut i = 0;
        while i < bytes.len() {
            match bytes[i] {
                b'+' => out.push(b' '),
                b'%' if i + 2 < bytes.len() => {
                    let hex = |c: u8| (c as char).to_digit(16);
                    match (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                        (Some(h), Some(l)) => {
                            out.push((h * 16 + l) as u8);
                            i += 2;
                        }
                        _ => out.push(b'%'),
                    }
                }
                b => out.push(b),
            }
            i += 1;
        }
        String::from_utf8_lossy(&out).into_owned()
    }
    q.split('&')
        .filter(|p| !p.is_empty())
        .map(|p| match p.split_once('=') {
            Some((k, v)) => (decode(k), decode(v)),
            None => (decode(p), String::new()),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_strings_decode_like_browsers_encode() {
        let pairs = form_urlencoded_pairs("query=%7B+__typename+%7D&variables=%7B%22a%22%3A1%7D&x");
        assert_eq!(pairs[0], ("query".into(), "{ __typename }".into()));
        assert_eq!(pairs[1], ("variables".into(), "{\"a\":1}".into()));
        assert_eq!(pairs[2], ("x".into(), String::new()));
        assert_eq!(form_urlencoded_pairs("a=%4")[0].1, "%4");
        assert_eq!(form_urlencoded_pairs("a=%zz")[0].1, "%zz");
    }

    #[test]
    fn accept_negotiation_follows_the_spec() {
        let h = |v: &str| {
            let mut m = HeaderMap::new();
            m.insert(ACCEPT, HeaderValue::from_str(v).unwrap());
            m
        };
        assert!(negotiate(&HeaderMap::new()) == Some(Media::Json));
        assert!(negotiate(&h("application/graphql-response+json")) == Some(Media::GraphqlResponse));
        assert!(
            negotiate(&h("application/json, application/graphql-response+json"))
                == Some(Media::Json)
        );
        assert!(negotiate(&h("*/*")) == Some(Media::Json));
        assert!(negotiate(&h("text/html")).is_none());
        assert!(negotiate(&h("application/json; charset=latin1")).is_none());
    }

    #[test]
    fn validation_messages_name_their_input() {
        let m = r#"Invalid value for argument "filter.slaHours", unknown field "contains" of type "IntFilter""#;
        assert_eq!(offending_input(m).as_deref(), Some("slaHours"));
        let m = r#"Invalid value for argument "input", field "subject" of type "CreateCaseInput" is required but not provided"#;
        assert_eq!(offending_input(m).as_deref(), Some("subject"));
        let m = r#"Invalid value for argument "filter.slaHours", expected type "Int""#;
        assert_eq!(offending_input(m).as_deref(), Some("slaHours"));
        let m = r#"Variable "$id" of non-null type "ID!" must not be null."#;
        assert_eq!(offending_input(m).as_deref(), Some("id"));
        assert_eq!(offending_input("Syntax error"), None);
    }

    #[test]
    fn only_queries_run_over_get() {
        assert!(is_read_only("{ __typename }", None));
        assert!(!is_read_only("mutation { logout }", None));
        assert!(!is_read_only("query A { a } mutation B { b }", Some("B")));
        assert!(is_read_only("query A { a } mutation B { b }", Some("A")));
        assert!(is_read_only("{", None));
    }
}
