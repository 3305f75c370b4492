//! Telling the admins that one of their email templates failed while mail was being sent.
//!
//! The mail worker sends the built-in version instead (one broken template never stops mail);
//! the admins, who can mend it, get one in-app notification per email and language until they
//! read it, not one per message sent.

use crate::Engine;
use crate::db::tables::Notifications;
use crate::db::{Exec, now_micros};
use crate::error::Result;
use crate::mail::EmailKind;
use sea_orm::sea_query::{Expr, ExprTrait, Query};
use serde_json::json;

/// The notification's kind; the staff UI words it from `detail` (`kind`, `language`, `reason`).
pub const KIND: &str = "email_template_failed";

impl Engine {
    pub(crate) async fn tell_admins_template_failed(
        &self,
        kind: EmailKind,
        language: &str,
        reason: &str,
    ) -> Result<()> {
        let kind = kind.key();
        let txn = self.begin_write().await?;
        let admins = crate::identity::staff::active_admins(&txn).await?;
        let mut told = Vec::new();
        for user_id in admins {
            if already_told(&txn, user_id, kind, language).await? {
                continue;
            }
            txn.execute(
                &Query::insert()
                    .into_table(Notifications::Table)
                    .columns([Notifications::UserId, Notifications::Kind, Notifications::Message, Notifications::Detail, Notifications::CreatedAt])
                    .values_panic([
                        user_id.into(),
                        KIND.into(),
                        format!(
                            "The {kind} email ({language}) could not be rendered from your template, so the built-in one was sent: {reason}"
                        )
                        .into(),
                        json!({"kind": kind, "language": language, "reason": reason})
                            .to_string()
                            .into(),
                        now_micros().into(),
                    ])
                    .to_owned(),
            )
            .await?;
            told.push(user_id);
        }
        txn.commit().await?;
        for user in told {
            self.notification_signal.wake(user);
        }
        Ok(())
    }
}

/// Whether `user_id` has an unread notification about this email and language already.
async fn already_told(db: &impl Exec, user_id: i64, kind: &str, language: &str) -> Result<bool> {
    let q = Query::select()
        .column(Notifications::Detail)
        .from(Notifications::Table)
        .and_where(Expr::col(Notifications::UserId).eq(user_id))
        .and_where(Expr::col(Notifications::Kind).eq(KIND))
        .and_where(Expr::col(Notifications::ReadAt).is_null())
        .to_owned();
    for row in db.query_all(&q).await? {
        let detail: Option<String> = row.get(0)?;
        let detail: serde_json::Value = detail
            .and_then(|d| serde_json::from_str(&d).ok())
            .unwrap_or_default();
        if detail["kind"] == kind && detail["language"] == language {
            return Ok(true);
        }
    }
    Ok(false)
}
