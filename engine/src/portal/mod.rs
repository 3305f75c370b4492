//! The client portal: contacts with portal accounts, invitations, password resets, per-case
//! access grants, and what a signed-in portal user may read and do.
//!
//! A portal user is a contact whose `portalUser` field is on. They sign in with their email and
//! a password they chose by accepting an invitation. They see a case only through an access
//! grant (staff give one, or they created the case), and the grant is part of every query's
//! WHERE clause, never a filter applied after loading.

mod access;
pub(crate) mod accounts;
mod case_page;
mod cases;
mod contacts;
mod indicators;
mod invitations;
mod limits;
mod links;
mod organisations;
mod references;
mod sessions;
mod sign_in;

pub use access::{PortalAccess, PortalCandidate};
pub use case_page::CasePage;
pub(crate) use contacts::PortalContact;
pub use indicators::{Bucket, Indicator};
pub use invitations::{Invitation, InvitationStatus, SendInvitation};
pub use limits::PortalLimits;
pub(crate) use limits::Spend;
pub use links::Links;
pub use organisations::Me;
pub use sign_in::{LinkState, PortalLink};

pub(crate) use access::{access_row, follow_links, granted_contacts};
pub(crate) use contacts::{after_contact_write, login_email_changed};
