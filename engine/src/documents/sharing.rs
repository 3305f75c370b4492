//! Which case documents a portal contact sees: a row per (document, contact). Staff share and
//! unshare; a client's own upload gets its row when uploaded. Removing a row hides the document
//! from that contact only; it stays in the case.

use super::model::{self, Document, DocumentQuery};
use crate::Engine;
use crate::audit;
use crate::audit::AuditAction;
use crate::db::tables::{DocumentShares, Documents};
use crate::db::{Exec, now_micros};
use crate::error::{EngineError, Result};
use crate::identity::{Action, Object, Principal};
use crate::metadata::EntityKind;
use crate::portal::access_row;
use crate::records::actor;
use sea_orm::sea_query::{Expr, ExprTrait, Query};
use serde_json::json;

pub(crate) async fn is_shared(db: &impl Exec, document_id: i64, contact_id: i64) -> Result<bool> {
    let q = Query::select()
        .expr(Expr::val(1))
        .from(DocumentShares::Table)
        .and_where(Expr::col(DocumentShares::DocumentId).eq(document_id))
        .and_where(Expr::col(DocumentShares::ContactId).eq(contact_id))
        .to_owned();
    Ok(db.query_one(&q).await?.is_some())
}

pub(crate) async fn share(
    db: &impl Exec,
    case_id: i64,
    contact_id: i64,
    document_id: i64,
) -> Result<()> {
    if is_shared(db, document_id, contact_id).await? {
        return Ok(());
    }
    db.execute(
        &Query::insert()
            .into_table(DocumentShares::Table)
            .columns([
                DocumentShares::DocumentId,
                DocumentShares::ContactId,
                DocumentShares::CaseId,
                DocumentShares::CreatedAt,
            ])
            .values_panic([
                document_id.into(),
                contact_id.into(),
                case_id.into(),
                now_micros().into(),
            ])
            .to_owned(),
    )
    .await?;
    Ok(())
}

/// A case as its portal page shows it.
pub struct CaseView {
    pub case: crate::records::Record,
    /// Shared with the user, or theirs.
    pub documents: Vec<Document>,
    pub folders: Vec<model::Folder>,
    pub can_download: bool,
}

/// Whether the contact's grant on the case lets them download.
pub(crate) async fn can_download(db: &impl Exec, case_id: i64, contact_id: i64) -> Result<bool> {
    Ok(access_row(db, case_id, contact_id)
        .await?
        .is_some_and(|a| a.enabled && a.can_download))
}

/// Documents shared with or uploaded by the contact on the case (still visible to them).
pub(crate) async fn shared_count(db: &impl Exec, case_id: i64, contact_id: i64) -> Result<i64> {
    let q = Query::select()
        .expr(Expr::col(DocumentShares::DocumentId).count())
        .from(DocumentShares::Table)
        .and_where(Expr::col(DocumentShares::CaseId).eq(case_id))
        .and_where(Expr::col(DocumentShares::ContactId).eq(contact_id))
        .to_owned();
    Ok(match db.query_one(&q).await? {
        Some(r) => r.get(0)?,
        None => 0,
    })
}

async fn shared_list(
    db: &impl Exec,
    case_id: i64,
    contact_id: i64,
    how: &DocumentQuery,
) -> Result<Vec<Document>> {
    let shared = Query::select()
        .column(DocumentShares::DocumentId)
        .from(DocumentShares::Table)
        .and_where(Expr::col(DocumentShares::CaseId).eq(case_id))
        .and_where(Expr::col(DocumentShares::ContactId).eq(contact_id))
        .to_owned();
    let mut q = model::select();
    q.and_where(Expr::col((Documents::Table, Documents::CaseId)).eq(case_id))
        .and_where(Expr::col((Documents::Table, Documents::Id)).in_subquery(shared));
    model::arrange(&mut q, how);
    model::list(db, &q).await
}

impl Engine {
    /// Shares chosen case documents with a contact who has portal access to the case; answers
    /// that contact's shared list after the change.
    pub(crate) async fn share_documents(
        &self,
        p: &Principal,
        case_id: i64,
        contact_id: i64,
        document_ids: &[i64],
    ) -> Result<Vec<Document>> {
        self.authorize(p, Object::Case, Action::Update)?;
        let txn = self.begin_write().await?;
        let enabled = access_row(&txn, case_id, contact_id)
            .await?
            .is_some_and(|a| a.enabled);
        if !enabled {
            return Err(EngineError::validation(
                "contactId",
                "has no portal access to this case; give access first",
            ));
        }
        let mut newly = Vec::new();
        for id in document_ids {
            let doc = model::find(&txn, *id).await?;
            if doc.case_id != case_id {
                return Err(EngineError::validation(
                    "documentIds",
                    format!("document {id} belongs to another case"),
                ));
            }
            if !is_shared(&txn, *id, contact_id).await? {
                share(&txn, case_id, contact_id, *id).await?;
                newly.push(doc.name);
            }
        }
        if !newly.is_empty() {
            self.tell_documents_shared(&txn, case_id, contact_id, &newly, &actor(p).name)
                .await?;
        }
        audit::record(
            &txn,
            EntityKind::Case,
            case_id,
            &actor(p),
            AuditAction::DocumentsShared,
            &json!({"contactId": contact_id, "documentIds": document_ids}),
        )
        .await?;
        txn.commit().await?;
        shared_list(
            &self.reader(),
            case_id,
            contact_id,
            &DocumentQuery::default(),
        )
        .await
    }

    /// Hides a document from one contact's portal; it stays in the case.
    pub(crate) async fn unshare_document(
        &self,
        p: &Principal,
        case_id: i64,
        contact_id: i64,
        document_id: i64,
    ) -> Result<bool> {
        self.authorize(p, Object::Case, Action::Update)?;
        let txn = self.begin_write().await?;
        let removed = txn
            .execute(
                &Query::delete()
                    .from_table(DocumentShares::Table)
                    .and_where(Expr::col(DocumentShares::CaseId).eq(case_id))
                    .and_where(Expr::col(DocumentShares::ContactId).eq(contact_id))
                    .and_where(Expr::col(DocumentShares::DocumentId).eq(document_id))
                    .to_owned(),
            )
            .await?;
        if removed > 0 {
            audit::record(
                &txn,
                EntityKind::Case,
                case_id,
                &actor(p),
                AuditAction::DocumentUnshared,
                &json!({"contactId": contact_id, "documentId": document_id}),
            )
            .await?;
        }
        txn.commit().await?;
        Ok(removed > 0)
    }

    /// "Shared (visible on portal)": what the contact sees on the case.
    pub(crate) async fn shared_documents(
        &self,
        p: &Principal,
        case_id: i64,
        contact_id: i64,
        how: &DocumentQuery,
    ) -> Result<Vec<Document>> {
        self.authorize(p, Object::Case, Action::Read)?;
        shared_list(&self.reader(), case_id, contact_id, how).await
    }

    /// The contacts a document is shared with (staff view).
    pub(crate) async fn document_shared_with(
        &self,
        p: &Principal,
        document_id: i64,
    ) -> Result<Vec<i64>> {
        self.authorize(p, Object::Case, Action::Read)?;
        let q = Query::select()
            .column(DocumentShares::ContactId)
            .from(DocumentShares::Table)
            .and_where(Expr::col(DocumentShares::DocumentId).eq(document_id))
            .to_owned();
        crate::db::ids(&self.reader(), &q).await
    }

    /// One of the portal user's cases with its documents, folders and download right, and the
    /// user's grant row on it, which the case page goes on to check its requests and messages
    /// against (read once, not once for each part).
    pub(crate) async fn portal_case_view_granted(
        &self,
        p: &Principal,
        case_id: i64,
        how: &DocumentQuery,
    ) -> Result<(CaseView, Option<crate::portal::PortalAccess>)> {
        let case = self.portal_case(p, case_id).await?;
        let Principal::Portal(me) = p else {
            return Err(EngineError::Unauthenticated);
        };
        let db = self.reader();
        let granted = access_row(&db, case.id, me.contact_id).await?;
        let view = CaseView {
            documents: shared_list(&db, case.id, me.contact_id, how).await?,
            folders: model::folders(&db, case.id).await?,
            can_download: granted
                .as_ref()
                .is_some_and(|a| a.enabled && a.can_download),
            case,
        };
        Ok((view, granted))
    }

    /// The portal user's documents on one of their cases.
    pub(crate) async fn portal_documents(
        &self,
        p: &Principal,
        case_id: i64,
        how: &DocumentQuery,
    ) -> Result<Vec<Document>> {
        let case = self.portal_case(p, case_id).await?;
        let Principal::Portal(me) = p else {
            return Err(EngineError::Unauthenticated);
        };
        shared_list(&self.reader(), case.id, me.contact_id, how).await
    }
}
