//! When a contact first (and last) opened a document shared with them: staff's read receipt
//! in the Share list and on a message's attachments. Clients are never shown anything of the
//! kind about staff.

use crate::db::tables::{Contacts, DocumentOpens};
use crate::db::{Exec, now_micros};
use crate::error::Result;
use sea_orm::sea_query::{Expr, ExprTrait, JoinType, OnConflict, Order, Query};

/// A contact's opening of a document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocumentOpen {
    pub contact_id: i64,
    pub contact_name: String,
    pub first_at: i64,
    pub last_at: i64,
}

pub(crate) async fn record(db: &impl Exec, document_id: i64, contact_id: i64) -> Result<()> {
    let now = now_micros();
    db.execute(
        &Query::insert()
            .into_table(DocumentOpens::Table)
            .columns([
                DocumentOpens::DocumentId,
                DocumentOpens::ContactId,
                DocumentOpens::FirstAt,
                DocumentOpens::LastAt,
            ])
            .values_panic([
                document_id.into(),
                contact_id.into(),
                now.into(),
                now.into(),
            ])
            .on_conflict(
                OnConflict::columns([DocumentOpens::DocumentId, DocumentOpens::ContactId])
                    .update_column(DocumentOpens::LastAt)
                    .to_owned(),
            )
            .to_owned(),
    )
    .await?;
    Ok(())
}

/// Who has opened a document, first opener first.
pub(crate) async fn of_document(db: &impl Exec, document_id: i64) -> Result<Vec<DocumentOpen>> {
    let q = Query::select()
        .column((DocumentOpens::Table, DocumentOpens::ContactId))
        .column((Contacts::Table, Contacts::Name))
        .column((DocumentOpens::Table, DocumentOpens::FirstAt))
        .column((DocumentOpens::Table, DocumentOpens::LastAt))
        .from(DocumentOpens::Table)
        .join(
            JoinType::InnerJoin,
            Contacts::Table,
            Expr::col((Contacts::Table, Contacts::Id))
                .equals((DocumentOpens::Table, DocumentOpens::ContactId)),
        )
        .and_where(Expr::col((DocumentOpens::Table, DocumentOpens::DocumentId)).eq(document_id))
        .order_by((DocumentOpens::Table, DocumentOpens::FirstAt), Order::Asc)
        .to_owned();
    db.query_all(&q)
        .await?
        .iter()
        .map(|r| {
            Ok(DocumentOpen {
                contact_id: r.get(0)?,
                contact_name: r.get(1)?,
                first_at: r.get(2)?,
                last_at: r.get(3)?,
            })
        })
        .collect()
}

impl crate::Engine {
    /// Who of the clients has opened a document (staff with the right to read cases).
    pub(crate) async fn document_opens(
        &self,
        p: &crate::identity::Principal,
        document_id: i64,
    ) -> Result<Vec<DocumentOpen>> {
        self.authorize(
            p,
            crate::identity::Object::Case,
            crate::identity::Action::Read,
        )?;
        of_document(&self.reader(), document_id).await
    }
}
