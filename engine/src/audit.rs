//! The audit log: who did what to which record, written in the same transaction as the change.

use crate::db::Exec;
use crate::db::now_micros;
use crate::db::tables::{AuditEvents, Shared};
use crate::error::Result;
use crate::metadata::EntityKind;
use sea_orm::sea_query::{Alias, Expr, ExprTrait, InsertStatement, Order, Query, SimpleExpr};
use serde_json::Value;

/// Who an audit event is attributed to. The name is copied so the log still reads well after
/// the user is renamed or removed.
#[derive(Debug, Clone)]
pub struct Actor {
    pub id: Option<i64>,
    pub name: String,
}

impl Actor {
    pub fn system() -> Self {
        Actor {
            id: None,
            name: "Portico".into(),
        }
    }
}

crate::vocabulary::vocabulary! {
    /// Every action the audit log records, named once. The stored and public name is
    /// [`AuditAction::key`] (`AuditEvent.action`); the staff UI words each one (a test holds
    /// its catalogs to [`AuditAction::ALL`]).
    pub enum AuditAction {
        Created = "created",
        Updated = "updated",
        Deleted = "deleted",
        ContactAdded = "contact_added",
        ContactRemoved = "contact_removed",
        RelationshipAdded = "relationship_added",
        DocumentUploaded = "document_uploaded",
        DocumentRenamed = "document_renamed",
        DocumentReplaced = "document_replaced",
        DocumentDeleted = "document_deleted",
        DocumentsShared = "documents_shared",
        DocumentUnshared = "document_unshared",
        PortalAccessGranted = "portal_access_granted",
        PortalAccessChanged = "portal_access_changed",
        PortalAccessRevoked = "portal_access_revoked",
        PortalInvitationSent = "portal_invitation_sent",
        ClientRequestCreated = "client_request_created",
        ClientRequestSubmitted = "client_request_submitted",
        ClientRequestAccepted = "client_request_accepted",
        ClientRequestReturned = "client_request_returned",
        ClientRequestCancelled = "client_request_cancelled",
        ClientRequestSigned = "client_request_signed",
        ClientRequestDeclined = "client_request_declined",
        MessagePosted = "message_posted",
        MessageEdited = "message_edited",
        MessageDeleted = "message_deleted",
    }
}

#[derive(Debug, Clone)]
pub struct AuditEvent {
    pub at: i64,
    pub actor: Actor,
    pub action: String,
    pub detail: Value,
}

const COLUMNS: [AuditEvents; 7] = [
    AuditEvents::Entity,
    AuditEvents::RecordId,
    AuditEvents::ActorId,
    AuditEvents::ActorName,
    AuditEvents::Action,
    AuditEvents::Detail,
    AuditEvents::At,
];

/// An event's values in [`COLUMNS`] order; `record_id` may be an expression (the id a
/// statement is inserting, see [`record_inserted`]).
fn row(
    entity: EntityKind,
    record_id: SimpleExpr,
    actor: &Actor,
    action: AuditAction,
    detail: &Value,
) -> [SimpleExpr; 7] {
    [
        entity.as_str().into(),
        record_id,
        actor.id.into(),
        actor.name.clone().into(),
        action.key().into(),
        detail.to_string().into(),
        now_micros().into(),
    ]
}

pub(crate) async fn record(
    db: &impl Exec,
    entity: EntityKind,
    record_id: i64,
    actor: &Actor,
    action: AuditAction,
    detail: &Value,
) -> Result<()> {
    let q = Query::insert()
        .into_table(AuditEvents::Table)
        .columns(COLUMNS)
        .values_panic(row(entity, record_id.into(), actor, action, detail))
        .to_owned();
    db.execute(&q).await?;
    Ok(())
}

/// The event of a record whose id is the `id` column of `inserted`, a common table expression
/// of the same statement: how a record and its event are written in one statement (and one
/// round trip) on PostgreSQL.
pub(crate) fn record_inserted(
    inserted: &str,
    entity: EntityKind,
    actor: &Actor,
    action: AuditAction,
    detail: &Value,
) -> Result<InsertStatement> {
    let id = Expr::col((Alias::new(inserted), Shared::Id));
    let select = Query::select()
        .exprs(row(entity, id, actor, action, detail))
        .from(Alias::new(inserted))
        .to_owned();
    Ok(Query::insert()
        .into_table(AuditEvents::Table)
        .columns(COLUMNS)
        .select_from(select)?
        .to_owned())
}

/// An event from a row whose columns `at..at + 5` are at, actor id and name, action, detail.
fn event_from(row: &crate::db::Row, at: usize) -> Result<AuditEvent> {
    let detail: String = row.get(at + 4)?;
    Ok(AuditEvent {
        at: row.get(at)?,
        actor: Actor {
            id: row.get(at + 1)?,
            name: row.get(at + 2)?,
        },
        action: row.get(at + 3)?,
        detail: serde_json::from_str(&detail).unwrap_or(Value::Null),
    })
}

pub(crate) async fn events(
    db: &impl Exec,
    entity: EntityKind,
    record_id: i64,
) -> Result<Vec<AuditEvent>> {
    let q = Query::select()
        .columns([
            AuditEvents::At,
            AuditEvents::ActorId,
            AuditEvents::ActorName,
            AuditEvents::Action,
            AuditEvents::Detail,
        ])
        .from(AuditEvents::Table)
        .and_where(Expr::col(AuditEvents::Entity).eq(entity.as_str()))
        .and_where(Expr::col(AuditEvents::RecordId).eq(record_id))
        .order_by(AuditEvents::At, Order::Asc)
        .order_by(AuditEvents::Id, Order::Asc)
        .to_owned();
    db.query_all(&q)
        .await?
        .iter()
        .map(|row| event_from(row, 0))
        .collect()
}

/// The newest event id of a record (0 when none): where a live stream starts.
async fn last_id(db: &impl Exec, entity: EntityKind, record_id: i64) -> Result<i64> {
    let q = Query::select()
        .expr(Expr::col(AuditEvents::Id).max())
        .from(AuditEvents::Table)
        .and_where(Expr::col(AuditEvents::Entity).eq(entity.as_str()))
        .and_where(Expr::col(AuditEvents::RecordId).eq(record_id))
        .to_owned();
    Ok(match db.query_one(&q).await? {
        Some(r) => r.get::<Option<i64>>(0)?.unwrap_or(0),
        None => 0,
    })
}

/// A record's events after `after`, oldest first, with their ids.
async fn events_after(
    db: &impl Exec,
    entity: EntityKind,
    record_id: i64,
    after: i64,
) -> Result<Vec<(i64, AuditEvent)>> {
    let q = Query::select()
        .columns([
            AuditEvents::Id,
            AuditEvents::At,
            AuditEvents::ActorId,
            AuditEvents::ActorName,
            AuditEvents::Action,
            AuditEvents::Detail,
        ])
        .from(AuditEvents::Table)
        .and_where(Expr::col(AuditEvents::Entity).eq(entity.as_str()))
        .and_where(Expr::col(AuditEvents::RecordId).eq(record_id))
        .and_where(Expr::col(AuditEvents::Id).gt(after))
        .order_by(AuditEvents::Id, Order::Asc)
        .limit(100)
        .to_owned();
    db.query_all(&q)
        .await?
        .iter()
        .map(|row| Ok((row.get(0)?, event_from(row, 1)?)))
        .collect()
}

impl crate::Engine {
    /// What happens to a case from now on (a client's upload, a grant, a change by a
    /// colleague), as its audit events, for a screen that stays current without a reload.
    ///
    /// The audit log is written in the transaction of each change, in whichever process made
    /// it, so reading it is what makes the stream see every process's changes: it looks once a
    /// second, and at once when this process records a notification (a client's activity).
    pub(crate) async fn case_activity_stream(
        self: &std::sync::Arc<Self>,
        p: &crate::identity::Principal,
        case_id: i64,
    ) -> Result<impl futures_util::Stream<Item = AuditEvent> + Send + use<>> {
        self.authorize(
            p,
            crate::identity::Object::Case,
            crate::identity::Action::Read,
        )?;
        let start = last_id(&self.reader(), EntityKind::Case, case_id).await?;
        Ok(self.notification_signal.rows_after(
            std::sync::Arc::clone(self),
            start,
            "a case's activity",
            move |engine, after| async move {
                events_after(&engine.reader(), EntityKind::Case, case_id, after).await
            },
        ))
    }
}
