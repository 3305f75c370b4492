//! How much a portal user may do in an hour. Every case a client opens mails and notifies
//! staff, and every upload takes disk: without a bound one account (or a script holding its
//! session) could flood both.

use crate::Engine;
use crate::error::{EngineError, Result};
use crate::identity::{count_in_window, uncount};

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

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Spend {
    Case,
    Upload,
    Message,
}

impl Engine {
    /// Runs `action`, a portal user's actions of the kinds in `spends` (a kind once per
    /// action: a message with two files is a message and two uploads), refused past the
    /// hour's limit of any of them.
    ///
    /// Each kind's count is one statement, committed before the action's transaction begins:
    /// counted inside it, the counter's row stayed locked until that transaction committed,
    /// and one user's concurrent actions waited for each other's whole transactions (a
    /// script's burst of cases ran one at a time). An action refused or failed gives its
    /// counts back, as the rolled-back count did; one cancelled midway keeps them.
    pub(crate) async fn spending<T>(
        &self,
        contact_id: i64,
        spends: &[Spend],
        action: impl Future<Output = Result<T>>,
    ) -> Result<T> {
        let mut counted = Vec::new();
        let result = match self.count_all(contact_id, spends, &mut counted).await {
            Ok(true) => action.await,
            Ok(false) => Err(EngineError::RateLimited),
            Err(e) => Err(e),
        };
        if result.is_err() {
            for (scope, by) in &counted {
                if let Err(e) = self.uncount(scope, *by).await {
                    tracing::warn!(scope, error = %e, "a portal action's count was not given back");
                }
            }
        }
        result
    }

    /// Counts `spends`, each kind by how often it appears in one statement (a message with
    /// three files is two statements, not four), noting each scope counted in `counted`;
    /// false at the first kind past its limit.
    async fn count_all(
        &self,
        contact_id: i64,
        spends: &[Spend],
        counted: &mut Vec<(String, i64)>,
    ) -> Result<bool> {
        let limits = self.portal_limits;
        let mut kinds: Vec<(Spend, i64)> = Vec::new();
        for what in spends {
            match kinds.iter_mut().find(|(k, _)| k == what) {
                Some((_, n)) => *n += 1,
                None => kinds.push((*what, 1)),
            }
        }
        for (what, by) in kinds {
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
            let txn = self.begin_one_statement().await?;
            let count = count_in_window(&txn, &scope, HOUR_MICROS, by).await?;
            txn.commit().await?;
            counted.push((scope, by));
            if count > limit {
                return Ok(false);
            }
        }
        Ok(true)
    }

    async fn uncount(&self, scope: &str, by: i64) -> Result<()> {
        let txn = self.begin_one_statement().await?;
        uncount(&txn, scope, by).await?;
        txn.commit().await
    }
}
