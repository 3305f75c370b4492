//! Reading and writing messages, whom they are addressed to, their attachments and who has
//! read them.

use super::{
    CaseMessage, Conversation, MessageAttachment, MessageAuthor, MessageReceipt, Via, Window,
};
use crate::db::tables::{
    CaseMessageAttachments, CaseMessageReads, CaseMessageRecipients, CaseMessages, Contacts,
    Documents,
};
use crate::db::{Exec, Row, now_micros};
use crate::error::{EngineError, Result};
use sea_orm::sea_query::{
    Alias, Expr, ExprTrait, Func, JoinType, OnConflict, Order, Query, SelectStatement,
};
use std::collections::HashMap;

const COLUMNS: [CaseMessages; 11] = [
    CaseMessages::Id,
    CaseMessages::CaseId,
    CaseMessages::AuthorUserId,
    CaseMessages::AuthorContactId,
    CaseMessages::AuthorName,
    CaseMessages::Body,
    CaseMessages::Internal,
    CaseMessages::Via,
    CaseMessages::CreatedAt,
    CaseMessages::EditedAt,
    CaseMessages::DeletedAt,
];

fn select() -> SelectStatement {
    Query::select()
        .columns(COLUMNS.iter().map(|c| (CaseMessages::Table, *c)))
        .from(CaseMessages::Table)
        .to_owned()
}

fn from_row(row: &Row) -> Result<CaseMessage> {
    let via: String = row.get(7)?;
    Ok(CaseMessage {
        id: row.get(0)?,
        case_id: row.get(1)?,
        author: MessageAuthor {
            user_id: row.get(2)?,
            contact_id: row.get(3)?,
            name: row.get(4)?,
        },
        body: row.get(5)?,
        internal: row.get(6)?,
        via: Via::from_key(&via).unwrap_or(Via::App),
        created_at: row.get(8)?,
        edited_at: row.get(9)?,
        deleted_at: row.get(10)?,
        attachments: Vec::new(),
        receipts: Vec::new(),
    })
}

/// What a new message is.
pub(super) struct NewMessage<'a> {
    pub case_id: i64,
    pub author: &'a MessageAuthor,
    pub body: &'a str,
    pub internal: bool,
    pub via: Via,
}

pub(super) async fn insert(db: &impl Exec, m: &NewMessage<'_>) -> Result<i64> {
    let q = Query::insert()
        .into_table(CaseMessages::Table)
        .columns(COLUMNS[1..9].iter().copied())
        .values_panic([
            m.case_id.into(),
            m.author.user_id.into(),
            m.author.contact_id.into(),
            m.author.name.clone().into(),
            m.body.into(),
            m.internal.into(),
            m.via.key().into(),
            now_micros().into(),
        ])
        .returning_col(CaseMessages::Id)
        .to_owned();
    crate::db::insert_id(db, &q).await
}

/// Addresses a message to a contact; `read_at` is set for the contact who wrote it.
pub(super) async fn address(
    db: &impl Exec,
    message_id: i64,
    case_id: i64,
    contact_id: i64,
    read_at: Option<i64>,
) -> Result<()> {
    db.execute(
        &Query::insert()
            .into_table(CaseMessageRecipients::Table)
            .columns([
                CaseMessageRecipients::MessageId,
                CaseMessageRecipients::ContactId,
                CaseMessageRecipients::CaseId,
                CaseMessageRecipients::ReadAt,
            ])
            .values_panic([
                message_id.into(),
                contact_id.into(),
                case_id.into(),
                read_at.into(),
            ])
            .to_owned(),
    )
    .await?;
    Ok(())
}

pub(super) async fn attach(db: &impl Exec, message_id: i64, document_id: i64) -> Result<()> {
    db.execute(
        &Query::insert()
            .into_table(CaseMessageAttachments::Table)
            .columns([
                CaseMessageAttachments::MessageId,
                CaseMessageAttachments::DocumentId,
            ])
            .values_panic([message_id.into(), document_id.into()])
            .to_owned(),
    )
    .await?;
    Ok(())
}

/// Fills in the attachments (and, for staff, the receipts) of a list, two queries in all.
async fn complete(
    db: &impl Exec,
    mut list: Vec<CaseMessage>,
    receipts: bool,
) -> Result<Vec<CaseMessage>> {
    if list.is_empty() {
        return Ok(list);
    }
    let ids: Vec<i64> = list.iter().map(|m| m.id).collect();
    let index: HashMap<i64, usize> = ids.iter().enumerate().map(|(i, id)| (*id, i)).collect();
    let q = Query::select()
        .column(("a", CaseMessageAttachments::MessageId))
        .column(("d", Documents::Id))
        .column(("d", Documents::Name))
        .from_as(CaseMessageAttachments::Table, "a")
        .join_as(
            JoinType::InnerJoin,
            Documents::Table,
            "d",
            Expr::col(("d", Documents::Id)).equals(("a", CaseMessageAttachments::DocumentId)),
        )
        .and_where(Expr::col(("a", CaseMessageAttachments::MessageId)).is_in(ids.clone()))
        .order_by(("d", Documents::Id), Order::Asc)
        .to_owned();
    for row in db.query_all(&q).await? {
        let message: i64 = row.get(0)?;
        if let Some(i) = index.get(&message) {
            list[*i].attachments.push(MessageAttachment {
                id: row.get(1)?,
                name: row.get(2)?,
            });
        }
    }
    if receipts {
        let q = Query::select()
            .column(("r", CaseMessageRecipients::MessageId))
            .column(("r", CaseMessageRecipients::ContactId))
            .column(("c", Contacts::Name))
            .column(("r", CaseMessageRecipients::ReadAt))
            .from_as(CaseMessageRecipients::Table, "r")
            .join_as(
                JoinType::InnerJoin,
                Contacts::Table,
                "c",
                Expr::col(("c", Contacts::Id)).equals(("r", CaseMessageRecipients::ContactId)),
            )
            .and_where(Expr::col(("r", CaseMessageRecipients::MessageId)).is_in(ids))
            .order_by(("c", Contacts::Name), Order::Asc)
            .to_owned();
        for row in db.query_all(&q).await? {
            let message: i64 = row.get(0)?;
            if let Some(i) = index.get(&message) {
                list[*i].receipts.push(MessageReceipt {
                    contact_id: row.get(1)?,
                    name: row.get(2)?,
                    read_at: row.get(3)?,
                });
            }
        }
    }
    Ok(list)
}

/// One message, with its attachments and receipts.
pub(super) async fn find(db: &impl Exec, id: i64) -> Result<CaseMessage> {
    let mut q = select();
    q.and_where(Expr::col((CaseMessages::Table, CaseMessages::Id)).eq(id));
    let Some(row) = db.query_one(&q).await? else {
        return Err(EngineError::not_found("CaseMessage", id));
    };
    let list = complete(db, vec![from_row(&row)?], true).await?;
    list.into_iter()
        .next()
        .ok_or_else(|| EngineError::not_found("CaseMessage", id))
}

/// Orders a conversation's select newest first within `window`, and answers the rows oldest
/// first with whether earlier ones are left out.
async fn windowed(
    db: &impl Exec,
    mut q: SelectStatement,
    window: Window,
    id_col: (
        impl sea_orm::sea_query::IntoIden + Copy,
        impl sea_orm::sea_query::IntoIden + Copy,
    ),
    receipts: bool,
) -> Result<Conversation> {
    if let Some(before) = window.before {
        q.and_where(Expr::col(id_col).lt(before));
    }
    q.order_by(id_col, Order::Desc);
    if let Some(last) = window.last {
        q.limit(last + 1);
    }
    let mut list = db
        .query_all(&q)
        .await?
        .iter()
        .map(from_row)
        .collect::<Result<Vec<_>>>()?;
    let earlier = window.last.is_some_and(|last| list.len() as u64 > last);
    if earlier {
        list.pop();
    }
    list.reverse();
    Ok(Conversation {
        messages: complete(db, list, receipts).await?,
        earlier,
    })
}

/// The conversation of a case as staff see it, oldest first.
pub(super) async fn of_case(db: &impl Exec, case_id: i64, window: Window) -> Result<Conversation> {
    let mut q = select();
    q.and_where(Expr::col((CaseMessages::Table, CaseMessages::CaseId)).eq(case_id));
    windowed(db, q, window, (CaseMessages::Table, CaseMessages::Id), true).await
}

/// The messages of a case addressed to a contact, oldest first (never an internal note).
pub(super) async fn of_contact(
    db: &impl Exec,
    case_id: i64,
    contact_id: i64,
    window: Window,
) -> Result<Conversation> {
    let mut q = select();
    q.join(
        JoinType::InnerJoin,
        CaseMessageRecipients::Table,
        Expr::col((
            CaseMessageRecipients::Table,
            CaseMessageRecipients::MessageId,
        ))
        .equals((CaseMessages::Table, CaseMessages::Id)),
    )
    .and_where(
        Expr::col((
            CaseMessageRecipients::Table,
            CaseMessageRecipients::ContactId,
        ))
        .eq(contact_id),
    )
    .and_where(Expr::col((CaseMessageRecipients::Table, CaseMessageRecipients::CaseId)).eq(case_id))
    .and_where(Expr::col((CaseMessages::Table, CaseMessages::Internal)).eq(false));
    let id = (
        CaseMessageRecipients::Table,
        CaseMessageRecipients::MessageId,
    );
    windowed(db, q, window, id, false).await
}

pub(super) async fn set_body(db: &impl Exec, id: i64, body: &str) -> Result<()> {
    db.execute(
        &Query::update()
            .table(CaseMessages::Table)
            .values([
                (CaseMessages::Body, body.into()),
                (CaseMessages::EditedAt, now_micros().into()),
            ])
            .and_where(Expr::col(CaseMessages::Id).eq(id))
            .to_owned(),
    )
    .await?;
    Ok(())
}

/// Removes what a message said; the row stays, so the others see that it was deleted.
pub(super) async fn delete(db: &impl Exec, id: i64) -> Result<()> {
    db.execute(
        &Query::update()
            .table(CaseMessages::Table)
            .values([
                (CaseMessages::Body, "".into()),
                (CaseMessages::DeletedAt, now_micros().into()),
            ])
            .and_where(Expr::col(CaseMessages::Id).eq(id))
            .to_owned(),
    )
    .await?;
    Ok(())
}

/// Marks everything on a case read for a staff user, up to its newest message.
pub(super) async fn mark_read_by_user(db: &impl Exec, case_id: i64, user_id: i64) -> Result<()> {
    let newest = Query::select()
        .expr(Expr::col(CaseMessages::Id).max())
        .from(CaseMessages::Table)
        .and_where(Expr::col(CaseMessages::CaseId).eq(case_id))
        .to_owned();
    let Some(last) = db
        .query_one(&newest)
        .await?
        .and_then(|r| r.get::<Option<i64>>(0).ok().flatten())
    else {
        return Ok(());
    };
    let now = now_micros();
    db.execute(
        &Query::insert()
            .into_table(CaseMessageReads::Table)
            .columns([
                CaseMessageReads::CaseId,
                CaseMessageReads::UserId,
                CaseMessageReads::LastReadId,
                CaseMessageReads::ReadAt,
            ])
            .values_panic([case_id.into(), user_id.into(), last.into(), now.into()])
            .on_conflict(
                OnConflict::columns([CaseMessageReads::CaseId, CaseMessageReads::UserId])
                    .update_columns([CaseMessageReads::LastReadId, CaseMessageReads::ReadAt])
                    .to_owned(),
            )
            .to_owned(),
    )
    .await?;
    Ok(())
}

/// Marks a contact's messages on a case read; answers how many were unread.
pub(super) async fn mark_read_by_contact(
    db: &impl Exec,
    case_id: i64,
    contact_id: i64,
) -> Result<u64> {
    db.execute(
        &Query::update()
            .table(CaseMessageRecipients::Table)
            .value(CaseMessageRecipients::ReadAt, now_micros())
            .and_where(Expr::col(CaseMessageRecipients::ContactId).eq(contact_id))
            .and_where(Expr::col(CaseMessageRecipients::CaseId).eq(case_id))
            .and_where(Expr::col(CaseMessageRecipients::ReadAt).is_null())
            .to_owned(),
    )
    .await
}

fn counts(rows: Vec<Row>) -> Result<HashMap<i64, i64>> {
    rows.iter()
        .map(|r| Ok((r.get::<i64>(0)?, r.get::<i64>(1)?)))
        .collect()
}

/// For each of `case_ids`, the messages a staff user has not read: written by someone else
/// (a client or a colleague), not deleted, after their mark. Cases with none are absent.
pub(super) async fn unread_by_user(
    db: &impl Exec,
    user_id: i64,
    case_ids: &[i64],
) -> Result<HashMap<i64, i64>> {
    if case_ids.is_empty() {
        return Ok(HashMap::new());
    }
    let m = Alias::new("m");
    let r = Alias::new("r");
    let q = Query::select()
        .column((m.clone(), CaseMessages::CaseId))
        .expr(Expr::col((m.clone(), CaseMessages::Id)).count())
        .from_as(CaseMessages::Table, m.clone())
        .join_as(
            JoinType::LeftJoin,
            CaseMessageReads::Table,
            r.clone(),
            Expr::col((r.clone(), CaseMessageReads::CaseId))
                .equals((m.clone(), CaseMessages::CaseId))
                .and(Expr::col((r.clone(), CaseMessageReads::UserId)).eq(user_id)),
        )
        .and_where(Expr::col((m.clone(), CaseMessages::CaseId)).is_in(case_ids.iter().copied()))
        .and_where(Expr::col((m.clone(), CaseMessages::DeletedAt)).is_null())
        .and_where(
            Expr::col((m.clone(), CaseMessages::AuthorUserId))
                .is_null()
                .or(Expr::col((m.clone(), CaseMessages::AuthorUserId)).ne(user_id)),
        )
        .and_where(Expr::col((m.clone(), CaseMessages::Id)).gt(Func::coalesce([
            Expr::col((r.clone(), CaseMessageReads::LastReadId)),
            Expr::val(0i64),
        ])))
        .group_by_col((m, CaseMessages::CaseId))
        .to_owned();
    counts(db.query_all(&q).await?)
}

/// For each case (of `case_ids`, or all), the messages addressed to a contact they have not
/// read. Cases with none are absent.
pub(super) async fn unread_by_contact(
    db: &impl Exec,
    contact_id: i64,
    case_ids: Option<&[i64]>,
) -> Result<HashMap<i64, i64>> {
    let r = Alias::new("r");
    let m = Alias::new("m");
    let mut q = Query::select()
        .column((r.clone(), CaseMessageRecipients::CaseId))
        .expr(Expr::col((r.clone(), CaseMessageRecipients::MessageId)).count())
        .from_as(CaseMessageRecipients::Table, r.clone())
        .join_as(
            JoinType::InnerJoin,
            CaseMessages::Table,
            m.clone(),
            Expr::col((m.clone(), CaseMessages::Id))
                .equals((r.clone(), CaseMessageRecipients::MessageId)),
        )
        .and_where(Expr::col((r.clone(), CaseMessageRecipients::ContactId)).eq(contact_id))
        .and_where(Expr::col((r.clone(), CaseMessageRecipients::ReadAt)).is_null())
        .and_where(Expr::col((m, CaseMessages::DeletedAt)).is_null())
        .group_by_col((r.clone(), CaseMessageRecipients::CaseId))
        .to_owned();
    if let Some(ids) = case_ids {
        if ids.is_empty() {
            return Ok(HashMap::new());
        }
        q.and_where(Expr::col((r, CaseMessageRecipients::CaseId)).is_in(ids.iter().copied()));
    }
    counts(db.query_all(&q).await?)
}

/// The cases a staff user owns or is notified of whose conversation holds messages by others
/// they have not read, most recent first (at most `limit`), with how many.
pub(super) async fn unread_cases_of_user(
    db: &impl Exec,
    user_id: i64,
    limit: u64,
) -> Result<Vec<(i64, i64)>> {
    use crate::db::tables::{CaseNotificationRecipients, Cases};
    let m = Alias::new("m");
    let r = Alias::new("r");
    let c = Alias::new("c");
    let followed = Query::select()
        .column(CaseNotificationRecipients::CaseId)
        .from(CaseNotificationRecipients::Table)
        .and_where(Expr::col(CaseNotificationRecipients::UserId).eq(user_id))
        .to_owned();
    let q = Query::select()
        .column((m.clone(), CaseMessages::CaseId))
        .expr(Expr::col((m.clone(), CaseMessages::Id)).count())
        .from_as(CaseMessages::Table, m.clone())
        .join_as(
            JoinType::InnerJoin,
            Cases::Table,
            c.clone(),
            Expr::col((c.clone(), Cases::Id)).equals((m.clone(), CaseMessages::CaseId)),
        )
        .join_as(
            JoinType::LeftJoin,
            CaseMessageReads::Table,
            r.clone(),
            Expr::col((r.clone(), CaseMessageReads::CaseId))
                .equals((m.clone(), CaseMessages::CaseId))
                .and(Expr::col((r.clone(), CaseMessageReads::UserId)).eq(user_id)),
        )
        .cond_where(
            sea_orm::sea_query::Cond::any()
                .add(Expr::col((c.clone(), Cases::OwnerId)).eq(user_id))
                .add(Expr::col((c, Cases::Id)).in_subquery(followed)),
        )
        .and_where(Expr::col((m.clone(), CaseMessages::DeletedAt)).is_null())
        .and_where(
            Expr::col((m.clone(), CaseMessages::AuthorUserId))
                .is_null()
                .or(Expr::col((m.clone(), CaseMessages::AuthorUserId)).ne(user_id)),
        )
        .and_where(Expr::col((m.clone(), CaseMessages::Id)).gt(Func::coalesce([
            Expr::col((r, CaseMessageReads::LastReadId)),
            Expr::val(0i64),
        ])))
        .group_by_col((m.clone(), CaseMessages::CaseId))
        .order_by_expr(Expr::col((m, CaseMessages::Id)).max(), Order::Desc)
        .limit(limit)
        .to_owned();
    db.query_all(&q)
        .await?
        .iter()
        .map(|row| Ok((row.get::<i64>(0)?, row.get::<i64>(1)?)))
        .collect()
}
