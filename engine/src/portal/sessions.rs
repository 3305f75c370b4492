//! Portal sessions: the same `sessions` table as staff with audience `portal`, so a token of
//! one audience never resolves on the other's endpoint.

use super::organisations;
use crate::db::tables::{Contacts, Sessions};
use crate::db::{Exec, now_micros};
use crate::error::Result;
use crate::identity::{PortalPrincipal, Principal};
use sea_orm::sea_query::{Expr, ExprTrait, Query};

pub(crate) const AUDIENCE: &str = "portal";
/// Portal session tokens start with this, staff ones with `pst_`.
pub(crate) const PREFIX: &str = "ppt_";

/// The portal principal behind a session token hash, with its current organisation; `None`
/// when the session is unknown or expired, or the contact is no longer a portal user.
pub(crate) async fn lookup(db: &impl Exec, hash: &str) -> Result<Option<(Principal, i64)>> {
    let q = Query::select()
        .columns([Sessions::SubjectId, Sessions::Id, Sessions::ExpiresAt])
        .from(Sessions::Table)
        .and_where(Expr::col(Sessions::TokenHash).eq(hash))
        .and_where(Expr::col(Sessions::Audience).eq(AUDIENCE))
        .and_where(Expr::col(Sessions::ExpiresAt).gt(now_micros()))
        .to_owned();
    let Some(row) = db.query_one(&q).await? else {
        return Ok(None);
    };
    let contact_id: i64 = row.get(0)?;
    let session_id: i64 = row.get(1)?;
    let expires_at: i64 = row.get(2)?;
    let q = Query::select()
        .columns([Contacts::Name, Contacts::PortalUser])
        .from(Contacts::Table)
        .and_where(Expr::col(Contacts::Id).eq(contact_id))
        .to_owned();
    let Some(row) = db.query_one(&q).await? else {
        return Ok(None);
    };
    let portal_user: bool = row.get(1)?;
    if !portal_user {
        return Ok(None);
    }
    let organisation_id = organisations::current(db, contact_id).await?;
    let principal = Principal::Portal(PortalPrincipal {
        contact_id,
        name: row.get(0)?,
        session_id,
        organisation_id,
    });
    Ok(Some((principal, expires_at)))
}

/// Ends every portal session of a contact (their access was switched off).
pub(crate) async fn end_all(db: &impl Exec, contact_id: i64) -> Result<()> {
    db.execute(
        &Query::delete()
            .from_table(Sessions::Table)
            .and_where(Expr::col(Sessions::Audience).eq(AUDIENCE))
            .and_where(Expr::col(Sessions::SubjectId).eq(contact_id))
            .to_owned(),
    )
    .await?;
    Ok(())
}

/// Ends a contact's portal sessions but `keep` (their password changed in it).
pub(crate) async fn end_others(db: &impl Exec, contact_id: i64, keep: i64) -> Result<()> {
    db.execute(
        &Query::delete()
            .from_table(Sessions::Table)
            .and_where(Expr::col(Sessions::Audience).eq(AUDIENCE))
            .and_where(Expr::col(Sessions::SubjectId).eq(contact_id))
            .and_where(Expr::col(Sessions::Id).ne(keep))
            .to_owned(),
    )
    .await?;
    Ok(())
}
