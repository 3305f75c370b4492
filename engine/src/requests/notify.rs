//! Telling a case's notification recipients (in the app and by email) what a client did with
//! a request: sent it, signed, declined.

use crate::Engine;
use crate::db::Exec;
use crate::db::tables::Cases;
use crate::error::Result;
use sea_orm::sea_query::{Expr, ExprTrait, Query};

/// A case's subject, as the messages about it name it.
pub(crate) async fn case_subject(db: &impl Exec, case_id: i64) -> Result<String> {
    let q = Query::select()
        .column(Cases::Subject)
        .from(Cases::Table)
        .and_where(Expr::col(Cases::Id).eq(case_id))
        .to_owned();
    Ok(match db.query_one(&q).await? {
        Some(row) => row.get::<Option<String>>(0)?.unwrap_or_default(),
        None => String::new(),
    })
}

impl Engine {
    /// Records `activity` for the case's notification recipients, commits `txn`, wakes their
    /// bells, and answers request `id` as it now stands.
    pub(super) async fn commit_notifying(
        &self,
        txn: crate::db::Txn<'_>,
        case_id: i64,
        activity: &crate::notifications::Activity,
        id: i64,
    ) -> Result<super::ClientRequest> {
        let case_ref = crate::notifications::CaseRef {
            id: case_id,
            subject: case_subject(&txn, case_id).await?,
            new_with_owner: None,
        };
        let woken = crate::notifications::record(self, &txn, &case_ref, activity).await?;
        txn.commit().await?;
        for user in woken {
            self.notification_signal.wake(user);
        }
        super::store::find(&self.reader(), id).await
    }
}
