//! The `mail_outbox` table: writing, claiming and settling messages.

use super::EmailKind;
use crate::db::{Exec, Row, now_micros};
use crate::error::{EngineError, Result};
use sea_orm::sea_query::{Expr, ExprTrait, Query};
use sea_orm::{DbBackend, Statement};
use serde_json::Value;

/// A message to send: who to, which email, in which language, with what template context.
#[derive(Debug, Clone)]
pub struct NewMail {
    pub to_address: String,
    pub to_name: Option<String>,
    pub kind: EmailKind,
    pub language: String,
    pub context: Value,
}

/// A row of the outbox, as the worker and the tests see it.
#[derive(Debug, Clone, PartialEq)]
pub struct OutboxEntry {
    pub id: i64,
    pub to_address: String,
    pub to_name: Option<String>,
    pub kind: EmailKind,
    pub language: String,
    pub context: Value,
    pub status: String,
    pub attempts: i32,
    pub last_error: Option<String>,
}

const COLUMNS: &str =
    "id, to_address, to_name, kind, language, context, status, attempts, last_error";

fn entry(row: &Row) -> Result<OutboxEntry> {
    let context: String = row.get(5)?;
    let kind: String = row.get(3)?;
    Ok(OutboxEntry {
        id: row.get(0)?,
        to_address: row.get(1)?,
        to_name: row.get(2)?,
        kind: EmailKind::from_key(&kind).ok_or_else(|| {
            EngineError::Internal(format!("an outbox message of no known kind `{kind}`"))
        })?,
        language: row.get(4)?,
        context: serde_json::from_str(&context).unwrap_or(Value::Null),
        status: row.get(6)?,
        attempts: row.get(7)?,
        last_error: row.get(8)?,
    })
}

/// Writes a message into the outbox; call it inside the transaction of the change that causes
/// the message.
pub(crate) async fn enqueue(db: &impl Exec, mail: &NewMail) -> Result<i64> {
    let now = now_micros();
    let q = Query::insert()
        .into_table("mail_outbox")
        .columns([
            "to_address",
            "to_name",
            "kind",
            "language",
            "context",
            "status",
            "attempts",
            "next_attempt_at",
            "created_at",
        ])
        .values_panic([
            mail.to_address.clone().into(),
            mail.to_name.clone().into(),
            mail.kind.key().into(),
            mail.language.clone().into(),
            mail.context.to_string().into(),
            "pending".into(),
            0i32.into(),
            now.into(),
            now.into(),
        ])
        .returning_col("id")
        .to_owned();
    crate::db::insert_id(db, &q).await
}

/// Claims the next due message for `worker` until `lease_until`: pending, due, and not held by
/// another worker's live lease. The claim is one statement, so two workers never get the same
/// row (PostgreSQL skips rows another claim has locked; SQLite has one writer).
pub(crate) async fn claim(
    db: &impl Exec,
    worker: &str,
    now: i64,
    lease_until: i64,
) -> Result<Option<OutboxEntry>> {
    let backend = db.backend();
    let (pick, p) = match backend {
        DbBackend::Postgres => (
            "SELECT id FROM mail_outbox WHERE status = 'pending' AND next_attempt_at <= $3 \
             AND (claimed_until IS NULL OR claimed_until < $3) \
             ORDER BY next_attempt_at, id LIMIT 1 FOR UPDATE SKIP LOCKED",
            ["$1", "$2"],
        ),
        _ => (
            "SELECT id FROM mail_outbox WHERE status = 'pending' AND next_attempt_at <= ?3 \
             AND (claimed_until IS NULL OR claimed_until < ?3) \
             ORDER BY next_attempt_at, id LIMIT 1",
            ["?1", "?2"],
        ),
    };
    let sql = format!(
        "UPDATE mail_outbox SET claimed_by = {}, claimed_until = {} WHERE id = ({pick}) \
         RETURNING {COLUMNS}",
        p[0], p[1]
    );
    let stmt = Statement::from_sql_and_values(
        backend,
        sql,
        [worker.into(), lease_until.into(), now.into()],
    );
    match db.query_one_raw(stmt).await? {
        Some(row) => Ok(Some(entry(&row)?)),
        None => Ok(None),
    }
}

/// Records a delivery. Only the worker holding the claim may settle a message.
pub(crate) async fn mark_sent(db: &impl Exec, id: i64, worker: &str) -> Result<bool> {
    let q = Query::update()
        .table("mail_outbox")
        .values([
            ("status", "sent".into()),
            ("sent_at", now_micros().into()),
            // The context may hold a single-use link; once delivered, nothing needs it.
            ("context", "{}".into()),
            ("claimed_until", Option::<i64>::None.into()),
            ("last_error", Option::<String>::None.into()),
        ])
        .value("attempts", Expr::col("attempts").add(1))
        .and_where(Expr::col("id").eq(id))
        .and_where(Expr::col("claimed_by").eq(worker))
        .to_owned();
    Ok(db.execute(&q).await? > 0)
}

/// Records a failed attempt: retried at `retry_at`, or given up (`None`).
pub(crate) async fn mark_failed(
    db: &impl Exec,
    id: i64,
    worker: &str,
    error: &str,
    retry_at: Option<i64>,
) -> Result<bool> {
    let (status, next) = match retry_at {
        Some(at) => ("pending", at),
        None => ("failed", now_micros()),
    };
    let q = Query::update()
        .table("mail_outbox")
        .values([
            ("status", status.into()),
            ("next_attempt_at", next.into()),
            ("claimed_until", Option::<i64>::None.into()),
            ("last_error", error.into()),
        ])
        .value("attempts", Expr::col("attempts").add(1))
        .and_where(Expr::col("id").eq(id))
        .and_where(Expr::col("claimed_by").eq(worker))
        .to_owned();
    Ok(db.execute(&q).await? > 0)
}

/// Every message, oldest first: for tests and for an admin's view of the outbox.
pub(crate) async fn all(db: &impl Exec) -> Result<Vec<OutboxEntry>> {
    let stmt = Statement::from_string(
        db.backend(),
        format!("SELECT {COLUMNS} FROM mail_outbox ORDER BY id"),
    );
    db.query_all_raw(stmt).await?.iter().map(entry).collect()
}

/// An admin's override of one email in one language, if there is one.
pub(crate) async fn template_override(
    db: &impl Exec,
    kind: EmailKind,
    language: &str,
) -> Result<Option<super::TemplateOverride>> {
    let q = Query::select()
        .columns(["subject", "html", "text"])
        .from("email_templates")
        .and_where(Expr::col("kind").eq(kind.key()))
        .and_where(Expr::col("language").eq(language))
        .to_owned();
    match db.query_one(&q).await? {
        Some(row) => Ok(Some(super::TemplateOverride {
            subject: row.get(0)?,
            html: row.get(1)?,
            text: row.get(2)?,
        })),
        None => Ok(None),
    }
}
