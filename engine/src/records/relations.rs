//! Links between records: an individual's relationships with organisations, and the contacts
//! linked to a case.

use crate::db::tables::{CaseContacts, Contacts, Relationships};
use crate::db::{Exec, Row, now_micros};
use crate::error::{EngineError, Result};
use sea_orm::sea_query::{Expr, ExprTrait, Order, Query};

#[derive(Debug, Clone, PartialEq)]
pub struct Relationship {
    pub id: i64,
    pub individual_id: i64,
    pub organisation_id: i64,
    pub role: Option<String>,
    pub created_at: i64,
}

pub(crate) fn relationship(row: &Row) -> Result<Relationship> {
    Ok(Relationship {
        id: row.get(0)?,
        individual_id: row.get(1)?,
        organisation_id: row.get(2)?,
        role: row.get(3)?,
        created_at: row.get(4)?,
    })
}

pub(crate) const REL_COLUMNS: [Relationships; 5] = [
    Relationships::Id,
    Relationships::IndividualId,
    Relationships::OrganisationId,
    Relationships::Role,
    Relationships::CreatedAt,
];

pub(crate) async fn contact_kind(db: &impl Exec, id: i64) -> Result<Option<String>> {
    let q = Query::select()
        .column(Contacts::Kind)
        .from(Contacts::Table)
        .and_where(Expr::col(Contacts::Id).eq(id))
        .to_owned();
    Ok(match db.query_one(&q).await? {
        Some(row) => Some(row.get(0)?),
        None => None,
    })
}

pub(crate) async fn add_relationship(
    db: &impl Exec,
    individual_id: i64,
    organisation_id: i64,
    role: Option<String>,
) -> Result<Relationship> {
    match contact_kind(db, individual_id).await?.as_deref() {
        Some("Individual") => {}
        Some(_) => {
            return Err(EngineError::validation(
                "individualId",
                "must be a contact of kind INDIVIDUAL",
            ));
        }
        None => return Err(EngineError::not_found("Contact", individual_id)),
    }
    match contact_kind(db, organisation_id).await?.as_deref() {
        Some("Organisation") => {}
        Some(_) => {
            return Err(EngineError::validation(
                "organisationId",
                "must be a contact of kind ORGANISATION",
            ));
        }
        None => return Err(EngineError::not_found("Contact", organisation_id)),
    }
    let role = role.map(|r| r.trim().to_owned()).filter(|r| !r.is_empty());
    if role.as_ref().is_some_and(|r| r.chars().count() > 200) {
        return Err(EngineError::validation(
            "role",
            "must be at most 200 characters",
        ));
    }
    let existing = Query::select()
        .column(Relationships::Id)
        .from(Relationships::Table)
        .and_where(Expr::col(Relationships::IndividualId).eq(individual_id))
        .and_where(Expr::col(Relationships::OrganisationId).eq(organisation_id))
        .to_owned();
    if db.query_one(&existing).await?.is_some() {
        return Err(EngineError::conflict(
            "the two contacts are already related",
        ));
    }
    let now = now_micros();
    let q = Query::insert()
        .into_table(Relationships::Table)
        .columns([
            Relationships::IndividualId,
            Relationships::OrganisationId,
            Relationships::Role,
            Relationships::CreatedAt,
        ])
        .values_panic([
            individual_id.into(),
            organisation_id.into(),
            role.clone().into(),
            now.into(),
        ])
        .returning_col(Relationships::Id)
        .to_owned();
    let id = crate::db::insert_id(db, &q).await?;
    Ok(Relationship {
        id,
        individual_id,
        organisation_id,
        role,
        created_at: now,
    })
}

/// One relationship, by id.
pub(crate) async fn find_relationship(db: &impl Exec, id: i64) -> Result<Relationship> {
    let q = Query::select()
        .columns(REL_COLUMNS)
        .from(Relationships::Table)
        .and_where(Expr::col(Relationships::Id).eq(id))
        .to_owned();
    match db.query_one(&q).await? {
        Some(row) => relationship(&row),
        None => Err(EngineError::not_found("Relationship", id)),
    }
}

/// Whether the contact signs in to the portal, or is switched on to: its relationships are
/// then what it may see there (the organisations it works for and their cases).
pub(crate) async fn reaches_portal(db: &impl Exec, contact_id: i64) -> Result<bool> {
    let flagged = Query::select()
        .column(Contacts::Id)
        .from(Contacts::Table)
        .and_where(Expr::col(Contacts::Id).eq(contact_id))
        .and_where(Expr::col(Contacts::PortalUser).eq(true))
        .to_owned();
    if db.query_one(&flagged).await?.is_some() {
        return Ok(true);
    }
    Ok(crate::portal::accounts::find(db, contact_id)
        .await?
        .is_some())
}

pub(crate) async fn remove_relationship(db: &impl Exec, id: i64) -> Result<()> {
    let q = Query::delete()
        .from_table(Relationships::Table)
        .and_where(Expr::col(Relationships::Id).eq(id))
        .to_owned();
    if db.execute(&q).await? == 0 {
        return Err(EngineError::not_found("Relationship", id));
    }
    Ok(())
}

/// The relationships a contact takes part in, from either side.
pub(crate) async fn relationships_of(db: &impl Exec, contact_id: i64) -> Result<Vec<Relationship>> {
    let q = Query::select()
        .columns(REL_COLUMNS)
        .from(Relationships::Table)
        .cond_where(
            sea_orm::sea_query::Cond::any()
                .add(Expr::col(Relationships::IndividualId).eq(contact_id))
                .add(Expr::col(Relationships::OrganisationId).eq(contact_id)),
        )
        .order_by(Relationships::Id, Order::Asc)
        .to_owned();
    db.query_all(&q).await?.iter().map(relationship).collect()
}

pub(crate) async fn add_case_contact(
    db: &impl Exec,
    case_id: i64,
    contact_id: i64,
) -> Result<bool> {
    if contact_kind(db, contact_id).await?.is_none() {
        return Err(EngineError::not_found("Contact", contact_id));
    }
    let exists = Query::select()
        .column(CaseContacts::CaseId)
        .from(CaseContacts::Table)
        .and_where(Expr::col(CaseContacts::CaseId).eq(case_id))
        .and_where(Expr::col(CaseContacts::ContactId).eq(contact_id))
        .to_owned();
    if db.query_one(&exists).await?.is_some() {
        return Ok(false);
    }
    let q = Query::insert()
        .into_table(CaseContacts::Table)
        .columns([
            CaseContacts::CaseId,
            CaseContacts::ContactId,
            CaseContacts::CreatedAt,
        ])
        .values_panic([case_id.into(), contact_id.into(), now_micros().into()])
        .to_owned();
    db.execute(&q).await?;
    Ok(true)
}

/// Links a contact to a case created in the same transaction (nothing can be linked yet).
pub(crate) async fn link_new_case(db: &impl Exec, case_id: i64, contact_id: i64) -> Result<()> {
    let q = Query::insert()
        .into_table(CaseContacts::Table)
        .columns([
            CaseContacts::CaseId,
            CaseContacts::ContactId,
            CaseContacts::CreatedAt,
        ])
        .values_panic([case_id.into(), contact_id.into(), now_micros().into()])
        .to_owned();
    db.execute(&q).await?;
    Ok(())
}

pub(crate) async fn remove_case_contact(
    db: &impl Exec,
    case_id: i64,
    contact_id: i64,
) -> Result<()> {
    let q = Query::delete()
        .from_table(CaseContacts::Table)
        .and_where(Expr::col(CaseContacts::CaseId).eq(case_id))
        .and_where(Expr::col(CaseContacts::ContactId).eq(contact_id))
        .to_owned();
    if db.execute(&q).await? == 0 {
        return Err(EngineError::not_found("case contact", contact_id));
    }
    Ok(())
}

pub(crate) async fn case_contact_ids(db: &impl Exec, case_id: i64) -> Result<Vec<i64>> {
    let q = Query::select()
        .column(CaseContacts::ContactId)
        .from(CaseContacts::Table)
        .and_where(Expr::col(CaseContacts::CaseId).eq(case_id))
        .order_by(CaseContacts::CreatedAt, Order::Asc)
        .to_owned();
    crate::db::ids(db, &q).await
}
