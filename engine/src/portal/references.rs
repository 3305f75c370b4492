//! The people a portal user's cases point to, when an admin made the case's owner or client a
//! portal field: staff by name only, and contacts only when they are the user or one of
//! their organisations.

use super::organisations::{portal, related};
use crate::Engine;
use crate::error::{EngineError, Result};
use crate::identity::{Principal, StaffUser};
use crate::metadata::EntityKind;
use crate::records::Record;

impl Engine {
    /// A staff user as the portal may show them; the portal schema exposes the id and name.
    pub(crate) async fn portal_staff_user(&self, p: &Principal, id: i64) -> Result<StaffUser> {
        portal(p)?;
        if let Some(user) = self.sessions.user(id) {
            return Ok(user);
        }
        let user = crate::identity::staff::find_user(&self.reader(), id)
            .await?
            .ok_or_else(|| EngineError::not_found("StaffUser", id))?;
        self.sessions.put_user(user.clone());
        Ok(user)
    }

    /// A contact the portal user may see: themselves or one of their organisations.
    pub(crate) async fn portal_contact(&self, p: &Principal, id: i64) -> Result<Record> {
        let me = portal(p)?;
        if id != me.contact_id && !related(&self.reader(), me.contact_id).await?.contains(&id) {
            return Err(EngineError::not_found("Contact", id));
        }
        self.load_record(EntityKind::Contact, id).await
    }
}
