//! How much a portal user may do in an hour. Every case a client opens mails and notifies
//! staff, and every upload takes disk: without a bound one account (or a script holding its
//! session) could flood both.

use crate::Engine;
use crate::db::Exec;
use crate::error::{EngineError, Result};
use crate::identity::count_in_window;

const HOUR_MICROS: i64 = 3600 * 1_000_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PortalLimits {
    /// Cases one portal user may open per hour.
    pub cases_per_hour: i64,
    /// Documents one portal user may upload per hour.
    pub uploads_per_hour: i64,
    /// Messages one portal user may write per hour, on all their cases.
    pub messages_per_hour: i64,
}

impl Default for PortalLimits {
    /// Far above what a person does by hand, far below a flood.
    fn default() -> Self {
        PortalLimits {
            cases_per_hour: 30,
            uploads_per_hour: 300,
            messages_per_hour: 60,
        }
    }
}

#[derive(Debug, Clone, Copy)]
pub(crate) enum Spend {
    Case,
    Upload,
    Message,
}

impl Engine {
    /// Counts one action of a portal user, inside the action's transaction (a refused or
    /// failed action rolls its count back), and refuses past the hour's limit.
    pub(crate) async fn spend(&self, db: &impl Exec, contact_id: i64, what: Spend) -> Result<()> {
        let limits = self.portal_limits;
        let (scope, limit) = match what {
            Spend::Case => (format!("portal-case:{contact_id}"), limits.cases_per_hour),
            Spend::Upload => (
                format!("portal-upload:{contact_id}"),
                limits.uploads_per_hour,
            ),
            Spend::Message => (
                format!("portal-message:{contact_id}"),
                limits.messages_per_hour,
            ),
        };
        if count_in_window(db, &scope, HOUR_MICROS).await? > limit {
            return Err(EngineError::RateLimited);
        }
        Ok(())
    }
}
