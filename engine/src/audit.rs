//! The audit log: who did what to which record, written in the same transaction as the change.

use crate::db::Exec;
use crate::db::now_micros;
use crate::error::Result;
use crate::metadata::EntityKind;
use sea_orm::sea_query::{Expr, ExprTrait, Order, Query};
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

/// Every action the audit log records, named once. The stored and public name is
/// [`AuditAction::key`]; the staff UI words each one (a test holds its catalogs to
/// [`AuditAction::ALL`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuditAction {
    Created,
    Updated,
    Deleted,
    ContactAdded,
    ContactRemoved,
    RelationshipAdded,
    DocumentUploaded,
    DocumentRenamed,
    DocumentReplaced,
    DocumentDeleted,
    DocumentsShared,
    DocumentUnshared,
    PortalAccessGranted,
    PortalAccessChanged,
    PortalAccessRevoked,
    PortalInvitationSent,
}

impl AuditAction {
    pub const ALL: [AuditAction; 16] = [
        AuditAction::Created,
        AuditAction::Updated,
        AuditAction::Deleted,
        AuditAction::ContactAdded,
        AuditAction::ContactRemoved,
        AuditAction::RelationshipAdded,
        AuditAction::DocumentUploaded,
        AuditAction::DocumentRenamed,
        AuditAction::DocumentReplaced,
        AuditAction::DocumentDeleted,
        AuditAction::DocumentsShared,
        AuditAction::DocumentUnshared,
        AuditAction::PortalAccessGranted,
        AuditAction::PortalAccessChanged,
        AuditAction::PortalAccessRevoked,
        AuditAction::PortalInvitationSent,
    ];

    /// The stored name, which `AuditEvent.action` answers (`portal_access_granted`).
    pub fn key(self) -> &'static str {
        match self {
            AuditAction::Created => "created",
            AuditAction::Updated => "updated",
            AuditAction::Deleted => "deleted",
            AuditAction::ContactAdded => "contact_added",
            AuditAction::ContactRemoved => "contact_removed",
            AuditAction::RelationshipAdded => "relationship_added",
            AuditAction::DocumentUploaded => "document_uploaded",
            AuditAction::DocumentRenamed => "document_renamed",
            AuditAction::DocumentReplaced => "document_replaced",
            AuditAction::DocumentDeleted => "document_deleted",
            AuditAction::DocumentsShared => "documents_shared",
            AuditAction::DocumentUnshared => "document_unshared",
            AuditAction::PortalAccessGranted => "portal_access_granted",
            AuditAction::PortalAccessChanged => "portal_access_changed",
            AuditAction::PortalAccessRevoked => "portal_access_revoked",
            AuditAction::PortalInvitationSent => "portal_invitation_sent",
        }
    }
}

#[derive(Debug, Clone)]
pub struct AuditEvent {
    pub at: i64,
    pub actor: Actor,
    pub action: String,
    pub detail: Value,
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
        .into_table("audit_events")
        .columns([
            "entity",
            "record_id",
            "actor_id",
            "actor_name",
            "action",
            "detail",
            "at",
        ])
        .values_panic([
            entity.as_str().into(),
            record_id.into(),
            actor.id.into(),
            actor.name.clone().into(),
            action.key().into(),
            detail.to_string().into(),
            now_micros().into(),
        ])
        .to_owned();
    db.execute(&q).await?;
    Ok(())
}

pub(crate) async fn events(
    db: &impl Exec,
    entity: EntityKind,
    record_id: i64,
) -> Result<Vec<AuditEvent>> {
    let q = Query::select()
        .columns(["at", "actor_id", "actor_name", "action", "detail"])
        .from("audit_events")
        .and_where(Expr::col("entity").eq(entity.as_str()))
        .and_where(Expr::col("record_id").eq(record_id))
        .order_by("at", Order::Asc)
        .order_by("id", Order::Asc)
        .to_owned();
    db.query_all(&q)
        .await?
        .iter()
        .map(|row| {
            let detail: String = row.get(4)?;
            Ok(AuditEvent {
                at: row.get(0)?,
                actor: Actor {
                    id: row.get(1)?,
                    name: row.get(2)?,
                },
                action: row.get(3)?,
                detail: serde_json::from_str(&detail).unwrap_or(Value::Null),
            })
        })
        .collect()
}
