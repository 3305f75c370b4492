//! The `portal_accounts` and `portal_tokens` tables.

use crate::db::{Exec, now_micros};
use crate::error::Result;
use crate::identity::{hash_token, new_token};
use sea_orm::sea_query::{Expr, ExprTrait, Func, JoinType, Query};

/// How long an invitation link works.
pub(crate) const INVITATION_MICROS: i64 = 7 * 24 * 3600 * 1_000_000;
/// How long a password-reset link works.
pub(crate) const RESET_MICROS: i64 = 3600 * 1_000_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Purpose {
    Invitation,
    Reset,
}

impl Purpose {
    fn as_str(self) -> &'static str {
        match self {
            Purpose::Invitation => "invitation",
            Purpose::Reset => "reset",
        }
    }

    fn prefix(self) -> &'static str {
        match self {
            Purpose::Invitation => "pin_",
            Purpose::Reset => "prs_",
        }
    }
}

#[derive(Debug, Clone, Default)]
pub(crate) struct Account {
    pub password_hash: Option<String>,
    pub invited_at: Option<i64>,
    pub invitation_expires_at: Option<i64>,
    pub accepted_at: Option<i64>,
    pub organisation_id: Option<i64>,
}

pub(crate) async fn find(db: &impl Exec, contact_id: i64) -> Result<Option<Account>> {
    let q = Query::select()
        .columns([
            "password_hash",
            "invited_at",
            "invitation_expires_at",
            "accepted_at",
            "organisation_id",
        ])
        .from("portal_accounts")
        .and_where(Expr::col("contact_id").eq(contact_id))
        .to_owned();
    let Some(row) = db.query_one(&q).await? else {
        return Ok(None);
    };
    Ok(Some(Account {
        password_hash: row.get(0)?,
        invited_at: row.get(1)?,
        invitation_expires_at: row.get(2)?,
        accepted_at: row.get(3)?,
        organisation_id: row.get(4)?,
    }))
}

/// Creates the contact's account row when it has none.
pub(crate) async fn ensure(db: &impl Exec, contact_id: i64) -> Result<()> {
    if find(db, contact_id).await?.is_some() {
        return Ok(());
    }
    db.execute(
        &Query::insert()
            .into_table("portal_accounts")
            .columns(["contact_id", "created_at"])
            .values_panic([contact_id.into(), now_micros().into()])
            .to_owned(),
    )
    .await?;
    Ok(())
}

pub(crate) async fn set(
    db: &impl Exec,
    contact_id: i64,
    values: Vec<(&'static str, sea_orm::sea_query::SimpleExpr)>,
) -> Result<()> {
    db.execute(
        &Query::update()
            .table("portal_accounts")
            .values(values)
            .and_where(Expr::col("contact_id").eq(contact_id))
            .to_owned(),
    )
    .await?;
    Ok(())
}

/// Issues a token, voiding the contact's earlier ones of the same purpose. Returns the token
/// (to go into an email, never stored) and when it expires.
pub(crate) async fn issue_token(
    db: &impl Exec,
    contact_id: i64,
    purpose: Purpose,
) -> Result<(String, i64)> {
    void_tokens(db, contact_id, Some(purpose)).await?;
    let (token, hash) = new_token(purpose.prefix());
    let now = now_micros();
    let ttl = match purpose {
        Purpose::Invitation => INVITATION_MICROS,
        Purpose::Reset => RESET_MICROS,
    };
    db.execute(
        &Query::insert()
            .into_table("portal_tokens")
            .columns([
                "contact_id",
                "purpose",
                "token_hash",
                "expires_at",
                "created_at",
            ])
            .values_panic([
                contact_id.into(),
                purpose.as_str().into(),
                hash.into(),
                (now + ttl).into(),
                now.into(),
            ])
            .to_owned(),
    )
    .await?;
    Ok((token, now + ttl))
}

pub(crate) async fn void_tokens(
    db: &impl Exec,
    contact_id: i64,
    purpose: Option<Purpose>,
) -> Result<()> {
    let mut q = Query::delete();
    q.from_table("portal_tokens")
        .and_where(Expr::col("contact_id").eq(contact_id));
    if let Some(p) = purpose {
        q.and_where(Expr::col("purpose").eq(p.as_str()));
    }
    db.execute(&q).await?;
    Ok(())
}

/// Whether a token exists and has not expired, without using it up.
pub(crate) async fn token_is_live(db: &impl Exec, purpose: Purpose, token: &str) -> Result<bool> {
    let q = Query::select()
        .column("contact_id")
        .from("portal_tokens")
        .and_where(Expr::col("token_hash").eq(hash_token(token.trim())))
        .and_where(Expr::col("purpose").eq(purpose.as_str()))
        .and_where(Expr::col("expires_at").gt(now_micros()))
        .to_owned();
    Ok(db.query_one(&q).await?.is_some())
}

/// Uses up a token: the contact it belongs to when it is valid; it is deleted either way, so
/// it never works twice. Expired and unknown tokens look the same to the caller.
pub(crate) async fn take_token(
    db: &impl Exec,
    purpose: Purpose,
    token: &str,
) -> Result<Option<i64>> {
    let hash = hash_token(token.trim());
    let q = Query::select()
        .columns(["contact_id", "expires_at"])
        .from("portal_tokens")
        .and_where(Expr::col("token_hash").eq(hash.as_str()))
        .and_where(Expr::col("purpose").eq(purpose.as_str()))
        .to_owned();
    let Some(row) = db.query_one(&q).await? else {
        return Ok(None);
    };
    let contact_id: i64 = row.get(0)?;
    let expires_at: i64 = row.get(1)?;
    db.execute(
        &Query::delete()
            .from_table("portal_tokens")
            .and_where(Expr::col("token_hash").eq(hash))
            .to_owned(),
    )
    .await?;
    Ok((expires_at > now_micros()).then_some(contact_id))
}

/// The portal user signing in with `email`: their contact id and password hash, when the
/// contact is a portal user who has set a password.
pub(crate) async fn credentials(db: &impl Exec, email: &str) -> Result<Option<(i64, String)>> {
    let q = Query::select()
        .column(("c", "id"))
        .column(("a", "password_hash"))
        .from_as("contacts", "c")
        .join_as(
            JoinType::InnerJoin,
            "portal_accounts",
            "a",
            Expr::col(("a", "contact_id")).equals(("c", "id")),
        )
        .and_where(Expr::expr(Func::lower(Expr::col(("c", "email")))).eq(email))
        .and_where(Expr::col(("c", "portal_user")).eq(true))
        .and_where(Expr::col(("a", "password_hash")).is_not_null())
        .limit(1)
        .to_owned();
    match db.query_one(&q).await? {
        Some(row) => Ok(Some((row.get(0)?, row.get(1)?))),
        None => Ok(None),
    }
}

/// The portal user with this (lower-cased) email, whether or not they have a password yet.
pub(crate) async fn portal_user_by_email(db: &impl Exec, email: &str) -> Result<Option<i64>> {
    let q = Query::select()
        .column("id")
        .from("contacts")
        .and_where(Expr::expr(Func::lower(Expr::col("email"))).eq(email))
        .and_where(Expr::col("portal_user").eq(true))
        .limit(1)
        .to_owned();
    Ok(crate::db::ids(db, &q).await?.first().copied())
}
