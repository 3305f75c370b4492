//! Capabilities: what the world outside the engine holds instead of the engine.
//!
//! A request is authenticated once, at the edge, into a handle: a [`StaffHandle`] for a staff
//! user or an integrator's token, a [`PortalHandle`] for a signed-in client. The handle carries
//! its principal, fixed when it was made, and offers exactly the operations of its audience;
//! each one checks the principal's Casbin rights (staff) or runs inside the portal user's row
//! scope (portal). The engine's operations themselves are not public, and neither are the
//! principals, the system principal, raw connections or unscoped queries, so a resolver or a
//! page cannot forget a check or reach another audience's operation: the code does not
//! compile. (The model is lldap's access-control handlers and kanidm's single search choke
//! point; see docs/architecture.md.)

mod portal;
mod staff;

pub use portal::PortalHandle;
pub use staff::StaffHandle;
