//! The `mail_outbox` table: writing, claiming and settling messages.

use super::EmailKind;
use crate::db::tables::{EmailTemplates, MailOutbox};
use crate::db::{Exec, Row, now_micros};
use crate::error::{EngineError, Result};
use sea_orm::DbBackend;
use sea_orm::sea_query::{Cond, Expr, ExprTrait, LockBehavior, LockType, Order, Query};
use serde_json::Value;

/// A message to send: who to, which email, in which language, with what template context.
#[derive(Debug, Clone)]
pub struct NewMail {
    pub to_address: String,
    pub to_name: Option<String>,
    pub kind: EmailKind,
    pub language: String,
    pub context: Value,
    /// The recipient's time zone (an IANA name) for the dates in the email; `None`: the
    /// installation's. Kept in the stored context as `time_zone`.
    pub time_zone: Option<String>,
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

const COLUMNS: [MailOutbox; 9] = [
    MailOutbox::Id,
    MailOutbox::ToAddress,
    MailOutbox::ToName,
    MailOutbox::Kind,
    MailOutbox::Language,
    MailOutbox::Context,
    MailOutbox::Status,
    MailOutbox::Attempts,
    MailOutbox::LastError,
];

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
/// The context as stored: the mail's, with the recipient's time zone beside it.
fn stored_context(mail: &NewMail) -> Value {
    let mut context = mail.context.clone();
    if let (Some(zone), Value::Object(map)) = (&mail.time_zone, &mut context) {
        map.insert("time_zone".into(), Value::String(zone.clone()));
    }
    context
}

pub(crate) async fn enqueue(db: &impl Exec, mail: &NewMail) -> Result<i64> {
    enqueue_at(db, mail, now_micros(), None).await
}

/// Queues `mail` to go out no sooner than `due` (microseconds).
/// `gather_key`: what a later email must match to join this one (see [`enqueue_gathered`]).
async fn enqueue_at(
    db: &impl Exec,
    mail: &NewMail,
    due: i64,
    gather_key: Option<String>,
) -> Result<i64> {
    let now = now_micros();
    let q = Query::insert()
        .into_table(MailOutbox::Table)
        .columns([
            MailOutbox::ToAddress,
            MailOutbox::ToName,
            MailOutbox::Kind,
            MailOutbox::Language,
            MailOutbox::Context,
            MailOutbox::Status,
            MailOutbox::Attempts,
            MailOutbox::NextAttemptAt,
            MailOutbox::CreatedAt,
            MailOutbox::GatherKey,
        ])
        .values_panic([
            mail.to_address.clone().into(),
            mail.to_name.clone().into(),
            mail.kind.key().into(),
            mail.language.clone().into(),
            stored_context(mail).to_string().into(),
            "pending".into(),
            0i32.into(),
            due.into(),
            now.into(),
            gather_key.into(),
        ])
        .returning_col(MailOutbox::Id)
        .to_owned();
    crate::db::insert_id(db, &q).await
}

/// The topic and its value ("case_id=12"): only a held email with the same key is read.
fn gather_key(mail: &NewMail, topic: &str) -> String {
    format!(
        "{topic}={}",
        mail.context.get(topic).unwrap_or(&Value::Null)
    )
}

/// Queues `mail` held for `hold` microseconds under `topic`, for later ones to join (see
/// [`enqueue_gathered`]), without looking for a held one first: for a topic that is new (a
/// case just opened), under which nothing can be held yet.
pub(crate) async fn enqueue_held(
    db: &impl Exec,
    mail: &NewMail,
    topic: &str,
    hold: i64,
) -> Result<()> {
    enqueue_at(db, mail, now_micros() + hold, Some(gather_key(mail, topic))).await?;
    Ok(())
}

/// Queues `mail` held for `hold` microseconds, unless a held message of the same kind to the
/// same address has the same `topic` in its context: then `mail` joins that one (`join` makes
/// the held context and the new one into the one that goes out) and nothing new is queued.
/// The join is a conditional update of a message no worker has claimed, so a message already
/// on its way is never changed; the new one is queued on its own instead.
pub(crate) async fn enqueue_gathered(
    db: &impl Exec,
    mail: &NewMail,
    topic: &str,
    hold: i64,
    join: impl Fn(&Value, &Value) -> Value,
) -> Result<()> {
    let now = now_micros();
    let key = gather_key(mail, topic);
    let held = Query::select()
        .columns([MailOutbox::Id, MailOutbox::Context])
        .from(MailOutbox::Table)
        .and_where(Expr::col(MailOutbox::ToAddress).eq(mail.to_address.as_str()))
        .and_where(Expr::col(MailOutbox::Kind).eq(mail.kind.key()))
        .and_where(Expr::col(MailOutbox::GatherKey).eq(key.as_str()))
        .and_where(Expr::col(MailOutbox::Status).eq("pending"))
        .and_where(Expr::col(MailOutbox::ClaimedBy).is_null())
        .and_where(Expr::col(MailOutbox::NextAttemptAt).gt(now))
        .to_owned();
    for row in db.query_all(&held).await? {
        let id: i64 = row.get(0)?;
        let context: String = row.get(1)?;
        let Ok(context) = serde_json::from_str::<Value>(&context) else {
            continue;
        };
        let joined = db
            .execute(
                &Query::update()
                    .table(MailOutbox::Table)
                    .value(
                        MailOutbox::Context,
                        join(&context, &mail.context).to_string(),
                    )
                    .and_where(Expr::col(MailOutbox::Id).eq(id))
                    .and_where(Expr::col(MailOutbox::Status).eq("pending"))
                    .and_where(Expr::col(MailOutbox::ClaimedBy).is_null())
                    .to_owned(),
            )
            .await?;
        if joined > 0 {
            return Ok(());
        }
    }
    enqueue_at(db, mail, now + hold, Some(key)).await?;
    Ok(())
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
    let mut pick = Query::select();
    pick.column(MailOutbox::Id)
        .from(MailOutbox::Table)
        .and_where(Expr::col(MailOutbox::Status).eq("pending"))
        .and_where(Expr::col(MailOutbox::NextAttemptAt).lte(now))
        .cond_where(
            Cond::any()
                .add(Expr::col(MailOutbox::ClaimedUntil).is_null())
                .add(Expr::col(MailOutbox::ClaimedUntil).lt(now)),
        )
        .order_by(MailOutbox::NextAttemptAt, Order::Asc)
        .order_by(MailOutbox::Id, Order::Asc)
        .limit(1);
    if db.backend() == DbBackend::Postgres {
        pick.lock_with_behavior(LockType::Update, LockBehavior::SkipLocked);
    }
    let q = Query::update()
        .table(MailOutbox::Table)
        .values([
            (MailOutbox::ClaimedBy, worker.into()),
            (MailOutbox::ClaimedUntil, lease_until.into()),
        ])
        .and_where(Expr::col(MailOutbox::Id).in_subquery(pick))
        .returning(Query::returning().columns(COLUMNS))
        .to_owned();
    match db.query_one(&q).await? {
        Some(row) => Ok(Some(entry(&row)?)),
        None => Ok(None),
    }
}

/// Records a delivery. Only the worker holding the claim may settle a message.
pub(crate) async fn mark_sent(db: &impl Exec, id: i64, worker: &str) -> Result<bool> {
    let q = Query::update()
        .table(MailOutbox::Table)
        .values([
            (MailOutbox::Status, "sent".into()),
            (MailOutbox::SentAt, now_micros().into()),
            // The context may hold a single-use link; once delivered, nothing needs it.
            (MailOutbox::Context, "{}".into()),
            (MailOutbox::ClaimedUntil, Option::<i64>::None.into()),
            (MailOutbox::LastError, Option::<String>::None.into()),
        ])
        .value(MailOutbox::Attempts, Expr::col(MailOutbox::Attempts).add(1))
        .and_where(Expr::col(MailOutbox::Id).eq(id))
        .and_where(Expr::col(MailOutbox::ClaimedBy).eq(worker))
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
        .table(MailOutbox::Table)
        .values([
            (MailOutbox::Status, status.into()),
            (MailOutbox::NextAttemptAt, next.into()),
            (MailOutbox::ClaimedUntil, Option::<i64>::None.into()),
            (MailOutbox::LastError, error.into()),
        ])
        .value(MailOutbox::Attempts, Expr::col(MailOutbox::Attempts).add(1))
        .and_where(Expr::col(MailOutbox::Id).eq(id))
        .and_where(Expr::col(MailOutbox::ClaimedBy).eq(worker))
        .to_owned();
    Ok(db.execute(&q).await? > 0)
}

/// Every message, oldest first: for tests and for an admin's view of the outbox.
pub(crate) async fn all(db: &impl Exec) -> Result<Vec<OutboxEntry>> {
    let q = Query::select()
        .columns(COLUMNS)
        .from(MailOutbox::Table)
        .order_by(MailOutbox::Id, Order::Asc)
        .to_owned();
    db.query_all(&q).await?.iter().map(entry).collect()
}

/// An admin's override of one email in one language, if there is one.
pub(crate) async fn template_override(
    db: &impl Exec,
    kind: EmailKind,
    language: &str,
) -> Result<Option<super::TemplateOverride>> {
    let q = Query::select()
        .columns([
            EmailTemplates::Subject,
            EmailTemplates::Html,
            EmailTemplates::Text,
        ])
        .from(EmailTemplates::Table)
        .and_where(Expr::col(EmailTemplates::Kind).eq(kind.key()))
        .and_where(Expr::col(EmailTemplates::Language).eq(language))
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
