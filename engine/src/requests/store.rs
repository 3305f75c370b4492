//! Reading and writing requests, their contacts and their documents.

use super::{
    ClientRequest, NewRequest, Question, RequestContact, RequestDocument, RequestKind, RequestState,
};
use crate::db::tables::{
    ClientRequestContacts, ClientRequestDocuments, ClientRequests, Contacts, Documents,
};
use crate::db::{Exec, Row, now_micros};
use crate::error::{EngineError, Result};
use sea_orm::sea_query::{Expr, ExprTrait, JoinType, Order, Query, SelectStatement};
use serde_json::Value;

const COLUMNS: [ClientRequests; 15] = [
    ClientRequests::Id,
    ClientRequests::CaseId,
    ClientRequests::Kind,
    ClientRequests::State,
    ClientRequests::Title,
    ClientRequests::Instructions,
    ClientRequests::DueDate,
    ClientRequests::FolderId,
    ClientRequests::DocumentId,
    ClientRequests::Questions,
    ClientRequests::Answers,
    ClientRequests::Comment,
    ClientRequests::CreatedAt,
    ClientRequests::UpdatedAt,
    ClientRequests::SubmittedAt,
];

fn from_row(row: &Row) -> Result<ClientRequest> {
    let kind: String = row.get(2)?;
    let state: String = row.get(3)?;
    let questions: String = row.get(9)?;
    let answers: String = row.get(10)?;
    let bad = |what: &str| EngineError::Internal(format!("a client request's {what}"));
    Ok(ClientRequest {
        id: row.get(0)?,
        case_id: row.get(1)?,
        kind: RequestKind::from_key(&kind).ok_or_else(|| bad("kind"))?,
        state: RequestState::from_key(&state).ok_or_else(|| bad("state"))?,
        title: row.get(4)?,
        instructions: row.get(5)?,
        due_date: row.get(6)?,
        folder_id: row.get(7)?,
        document_id: row.get(8)?,
        questions: serde_json::from_str::<Vec<Question>>(&questions)
            .map_err(|_| bad("questions"))?,
        answers: serde_json::from_str::<Value>(&answers).map_err(|_| bad("answers"))?,
        comment: row.get(11)?,
        contacts: Vec::new(),
        documents: Vec::new(),
        signatures: Vec::new(),
        created_at: row.get(12)?,
        updated_at: row.get(13)?,
        submitted_at: row.get(14)?,
    })
}

/// Fills in each request's contacts and documents (two queries for the whole list).
async fn complete(db: &impl Exec, mut list: Vec<ClientRequest>) -> Result<Vec<ClientRequest>> {
    if list.is_empty() {
        return Ok(list);
    }
    let ids: Vec<i64> = list.iter().map(|r| r.id).collect();
    let q = Query::select()
        .column(("rc", ClientRequestContacts::RequestId))
        .column(("c", Contacts::Id))
        .column(("c", Contacts::Name))
        .from_as(ClientRequestContacts::Table, "rc")
        .join_as(
            JoinType::InnerJoin,
            Contacts::Table,
            "c",
            Expr::col(("c", Contacts::Id)).equals(("rc", ClientRequestContacts::ContactId)),
        )
        .and_where(Expr::col(("rc", ClientRequestContacts::RequestId)).is_in(ids.clone()))
        .order_by(("rc", ClientRequestContacts::Position), Order::Asc)
        .to_owned();
    for row in db.query_all(&q).await? {
        let request: i64 = row.get(0)?;
        if let Some(r) = list.iter_mut().find(|r| r.id == request) {
            r.contacts.push(RequestContact {
                id: row.get(1)?,
                name: row.get(2)?,
            });
        }
    }
    let q = Query::select()
        .column(("rd", ClientRequestDocuments::RequestId))
        .column(("d", Documents::Id))
        .column(("d", Documents::Name))
        .from_as(ClientRequestDocuments::Table, "rd")
        .join_as(
            JoinType::InnerJoin,
            Documents::Table,
            "d",
            Expr::col(("d", Documents::Id)).equals(("rd", ClientRequestDocuments::DocumentId)),
        )
        .and_where(Expr::col(("rd", ClientRequestDocuments::RequestId)).is_in(ids.clone()))
        .order_by(("d", Documents::Id), Order::Asc)
        .to_owned();
    for row in db.query_all(&q).await? {
        let request: i64 = row.get(0)?;
        if let Some(r) = list.iter_mut().find(|r| r.id == request) {
            r.documents.push(RequestDocument {
                id: row.get(1)?,
                name: row.get(2)?,
            });
        }
    }
    let signature_requests: Vec<i64> = list
        .iter()
        .filter(|r| r.kind == RequestKind::Signature)
        .map(|r| r.id)
        .collect();
    // A signature request's document is the one to sign.
    let to_sign: Vec<i64> = list
        .iter()
        .filter(|r| r.kind == RequestKind::Signature)
        .filter_map(|r| r.document_id)
        .collect();
    if !to_sign.is_empty() {
        let q = Query::select()
            .columns([Documents::Id, Documents::Name])
            .from(Documents::Table)
            .and_where(Expr::col(Documents::Id).is_in(to_sign))
            .to_owned();
        for row in db.query_all(&q).await? {
            let id: i64 = row.get(0)?;
            let name: String = row.get(1)?;
            for r in list.iter_mut().filter(|r| r.document_id == Some(id)) {
                r.documents.push(RequestDocument {
                    id,
                    name: name.clone(),
                });
            }
        }
    }
    for record in crate::signatures::store::of_requests(db, &signature_requests).await? {
        if let Some(r) = list.iter_mut().find(|r| r.id == record.request_id) {
            r.signatures.push(record);
        }
    }
    Ok(list)
}

fn select() -> SelectStatement {
    Query::select()
        .columns(COLUMNS.map(|c| (ClientRequests::Table, c)))
        .from(ClientRequests::Table)
        .to_owned()
}

fn states_key(states: &[RequestState]) -> Vec<&'static str> {
    states.iter().map(|s| s.key()).collect()
}

pub(super) async fn find(db: &impl Exec, id: i64) -> Result<ClientRequest> {
    let q = select()
        .and_where(Expr::col((ClientRequests::Table, ClientRequests::Id)).eq(id))
        .to_owned();
    let Some(row) = db.query_one(&q).await? else {
        return Err(EngineError::not_found("ClientRequest", id));
    };
    let one = complete(db, vec![from_row(&row)?]).await?;
    one.into_iter()
        .next()
        .ok_or_else(|| EngineError::not_found("ClientRequest", id))
}

/// Runs a select of requests, narrowed to `states` when any are given, with their contacts
/// and documents.
async fn run(
    db: &impl Exec,
    mut q: SelectStatement,
    states: &[RequestState],
) -> Result<Vec<ClientRequest>> {
    if !states.is_empty() {
        q.and_where(
            Expr::col((ClientRequests::Table, ClientRequests::State)).is_in(states_key(states)),
        );
    }
    let rows = db.query_all(&q).await?;
    complete(db, rows.iter().map(from_row).collect::<Result<_>>()?).await
}

/// A case's requests, newest first.
pub(super) async fn of_case(
    db: &impl Exec,
    case_id: i64,
    states: &[RequestState],
) -> Result<Vec<ClientRequest>> {
    let q = select()
        .and_where(Expr::col((ClientRequests::Table, ClientRequests::CaseId)).eq(case_id))
        .order_by((ClientRequests::Table, ClientRequests::Id), Order::Desc)
        .to_owned();
    run(db, q, states).await
}

/// The requests addressed to a contact, newest first.
pub(super) async fn of_contact(
    db: &impl Exec,
    contact_id: i64,
    case_id: Option<i64>,
    states: &[RequestState],
) -> Result<Vec<ClientRequest>> {
    let mut q = select()
        .inner_join(
            ClientRequestContacts::Table,
            Expr::col((
                ClientRequestContacts::Table,
                ClientRequestContacts::RequestId,
            ))
            .equals((ClientRequests::Table, ClientRequests::Id)),
        )
        .and_where(
            Expr::col((
                ClientRequestContacts::Table,
                ClientRequestContacts::ContactId,
            ))
            .eq(contact_id),
        )
        .order_by((ClientRequests::Table, ClientRequests::Id), Order::Desc)
        .to_owned();
    if let Some(case) = case_id {
        q.and_where(Expr::col((ClientRequests::Table, ClientRequests::CaseId)).eq(case));
    }
    run(db, q, states).await
}

/// The requests waiting for the client whose due date is on or before `last_day`
/// (`YYYY-MM-DD`, compared as text): those a reminder may be due for.
pub(super) async fn due_by(db: &impl Exec, last_day: &str) -> Result<Vec<ClientRequest>> {
    let q = select()
        .and_where(Expr::col((ClientRequests::Table, ClientRequests::DueDate)).is_not_null())
        .and_where(Expr::col((ClientRequests::Table, ClientRequests::DueDate)).lte(last_day))
        .order_by((ClientRequests::Table, ClientRequests::Id), Order::Asc)
        .to_owned();
    run(db, q, &[RequestState::Open, RequestState::Returned]).await
}

/// The requests of the cases a staff user owns.
pub(super) async fn of_owner(
    db: &impl Exec,
    owner_id: i64,
    states: &[RequestState],
) -> Result<Vec<ClientRequest>> {
    use crate::db::tables::Cases;
    let q = select()
        .inner_join(
            Cases::Table,
            Expr::col((Cases::Table, Cases::Id))
                .equals((ClientRequests::Table, ClientRequests::CaseId)),
        )
        .and_where(Expr::col((Cases::Table, Cases::OwnerId)).eq(owner_id))
        .order_by((ClientRequests::Table, ClientRequests::Id), Order::Desc)
        .to_owned();
    run(db, q, states).await
}

pub(super) async fn insert(
    db: &impl Exec,
    new: &NewRequest,
    questions: &[Question],
    created_by: Option<i64>,
) -> Result<i64> {
    let now = now_micros();
    let q = Query::insert()
        .into_table(ClientRequests::Table)
        .columns([
            ClientRequests::CaseId,
            ClientRequests::Kind,
            ClientRequests::State,
            ClientRequests::Title,
            ClientRequests::Instructions,
            ClientRequests::DueDate,
            ClientRequests::FolderId,
            ClientRequests::DocumentId,
            ClientRequests::Questions,
            ClientRequests::Answers,
            ClientRequests::CreatedBy,
            ClientRequests::CreatedAt,
            ClientRequests::UpdatedAt,
        ])
        .values_panic([
            new.case_id.into(),
            new.kind.key().into(),
            RequestState::Open.key().into(),
            new.title.clone().into(),
            new.instructions.clone().unwrap_or_default().into(),
            new.due_date.clone().into(),
            new.folder_id.into(),
            new.document_id.into(),
            serde_json::to_string(questions)
                .map_err(|e| EngineError::Internal(e.to_string()))?
                .into(),
            "{}".into(),
            created_by.into(),
            now.into(),
            now.into(),
        ])
        .returning_col(ClientRequests::Id)
        .to_owned();
    let id = crate::db::insert_id(db, &q).await?;
    for (position, contact) in new.contact_ids.iter().enumerate() {
        db.execute(
            &Query::insert()
                .into_table(ClientRequestContacts::Table)
                .columns([
                    ClientRequestContacts::RequestId,
                    ClientRequestContacts::ContactId,
                    ClientRequestContacts::Position,
                ])
                .values_panic([id.into(), (*contact).into(), (position as i32).into()])
                .to_owned(),
        )
        .await?;
    }
    Ok(id)
}

/// Moves a request from one of `from` to `to`; answers whether it was in one of them (a
/// request changed by someone else meanwhile is not moved).
pub(super) async fn move_state(
    db: &impl Exec,
    id: i64,
    from: &[RequestState],
    to: RequestState,
    comment: Option<&str>,
) -> Result<bool> {
    let now = now_micros();
    let mut q = Query::update()
        .table(ClientRequests::Table)
        .value(ClientRequests::State, to.key())
        .value(ClientRequests::UpdatedAt, now)
        .and_where(Expr::col(ClientRequests::Id).eq(id))
        .and_where(Expr::col(ClientRequests::State).is_in(states_key(from)))
        .to_owned();
    if to == RequestState::Submitted {
        q.value(ClientRequests::SubmittedAt, now);
    }
    if let Some(c) = comment {
        q.value(ClientRequests::Comment, c.to_owned());
    }
    Ok(db.execute(&q).await? > 0)
}

pub(super) async fn set_answers(db: &impl Exec, id: i64, answers: &Value) -> Result<()> {
    db.execute(
        &Query::update()
            .table(ClientRequests::Table)
            .value(ClientRequests::Answers, answers.to_string())
            .value(ClientRequests::UpdatedAt, now_micros())
            .and_where(Expr::col(ClientRequests::Id).eq(id))
            .to_owned(),
    )
    .await?;
    Ok(())
}

pub(super) async fn add_document(db: &impl Exec, id: i64, document_id: i64) -> Result<()> {
    db.execute(
        &Query::insert()
            .into_table(ClientRequestDocuments::Table)
            .columns([
                ClientRequestDocuments::RequestId,
                ClientRequestDocuments::DocumentId,
            ])
            .values_panic([id.into(), document_id.into()])
            .to_owned(),
    )
    .await?;
    Ok(())
}

/// States by their public names (`OPEN`, `submitted`...), refusing an unknown one by name.
pub fn parse_states(names: &[String]) -> Result<Vec<RequestState>> {
    names
        .iter()
        .map(|n| {
            RequestState::from_key(&n.to_ascii_lowercase()).ok_or_else(|| {
                EngineError::validation("state", format!("`{n}` is not a request state"))
            })
        })
        .collect()
}
