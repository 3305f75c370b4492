//! Portico's GraphQL layer: the staff schema, built at run time from the metadata with
//! async-graphql's dynamic schema, and the mapping of engine errors to stable codes.
//!
//! A schema is built once per metadata version and shared until the next change; requests in
//! flight keep the schema they started with. This crate knows nothing of HTTP: the server hands
//! it a request, the principal and the client's address.

mod anonymous;
mod args;
mod audit;
mod branding;
mod cache;
mod client_requests;
mod connection;
mod conversation;
mod cost;
mod documents;
mod email_templates;
mod error;
mod identity;
mod introspection;
mod loaders;
mod metadata;
mod names;
mod notifications;
mod portal;
mod portal_access;
mod records;
mod relations;
mod scalars;
mod staff;
mod staff_invitations;
mod values;

pub use cache::SchemaCache;
pub use error::to_graphql_error;
pub use portal::build_portal_schema;
pub use staff::build_staff_schema;

/// What is checked before a request runs, on the parsed document (before it is validated):
/// a caller without credentials may only sign in, reading the schema needs a signed-in caller,
/// and the request's cost and aliases must stay within bounds.
pub fn check_request(
    schema: &async_graphql::dynamic::Schema,
    doc: &async_graphql::parser::types::ExecutableDocument,
    variables: &async_graphql::Variables,
    caller: &Caller,
) -> Result<(), async_graphql::ServerError> {
    let anonymous = matches!(caller, Caller::Anonymous);
    if anonymous {
        anonymous::check(doc)?;
    }
    introspection::check(doc, anonymous)?;
    cost::check(schema.registry(), doc, variables)
}

/// Who is asking: the handle the server authenticated the request into. A resolver reaches
/// the engine's operations only through it.
#[derive(Clone)]
pub enum Caller {
    Anonymous,
    Staff(portico_engine::StaffHandle),
    Portal(portico_engine::PortalHandle),
}

/// What a request carries besides its GraphQL document: who is asking, and from where (for the
/// login throttle).
#[derive(Clone)]
pub struct RequestInfo {
    pub caller: Caller,
    pub client_address: Option<String>,
    /// The request's loaders of nested lists, made on first use (staff only).
    loaders: std::sync::Arc<std::sync::OnceLock<loaders::Loaders>>,
}

impl RequestInfo {
    pub fn new(caller: Caller, client_address: Option<String>) -> RequestInfo {
        RequestInfo {
            caller,
            client_address,
            loaders: Default::default(),
        }
    }

    /// The loaders of this request, for a staff caller.
    pub(crate) fn loaders(&self) -> Option<&loaders::Loaders> {
        match &self.caller {
            Caller::Staff(h) => Some(
                self.loaders
                    .get_or_init(|| loaders::Loaders::for_staff(h.clone())),
            ),
            _ => None,
        }
    }
}

/// Most records one list field returns per request.
pub const MAX_PAGE_SIZE: u64 = 100;
