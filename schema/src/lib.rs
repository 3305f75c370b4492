//! Portico's GraphQL layer: the staff schema, built at run time from the metadata with
//! async-graphql's dynamic schema, and the mapping of engine errors to stable codes.
//!
//! A schema is built once per metadata version and shared until the next change; requests in
//! flight keep the schema they started with. This crate knows nothing of HTTP: the server hands
//! it a request, the principal and the client's address.

mod args;
mod audit;
mod cache;
mod connection;
pub mod cost;
mod documents;
mod email_templates;
mod error;
mod identity;
pub mod introspection;
mod loaders;
mod metadata;
mod notifications;
mod portal;
mod portal_access;
mod records;
mod relations;
mod scalars;
mod staff;
mod values;

pub use cache::SchemaCache;
pub use error::to_graphql_error;
pub use portal::build_portal_schema;
pub use staff::build_staff_schema;

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
    /// The request's loaders of nested lists (staff only: the portal has none).
    pub loaders: Option<loaders::Loaders>,
}

impl RequestInfo {
    pub fn new(caller: Caller, client_address: Option<String>) -> RequestInfo {
        let loaders = match &caller {
            Caller::Staff(h) => Some(loaders::for_staff(h.clone())),
            _ => None,
        };
        RequestInfo {
            caller,
            client_address,
            loaders,
        }
    }
}

/// Most records one list field returns per request.
pub const MAX_PAGE_SIZE: u64 = 100;
