//! The `portal_accounts` and `portal_tokens` tables.

use crate::db::tables::{Contacts, PortalAccounts, PortalTokens};
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
            PortalAccounts::PasswordHash,
            PortalAccounts::InvitedAt,
            PortalAccounts::InvitationExpiresAt,
            PortalAccounts::AcceptedAt,
            PortalAccounts::OrganisationId,
        ])
        .from(PortalAccounts::Table)
        .and_where(Expr::col(PortalAccounts::ContactId).eq(contact_id))
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
            .into_table(PortalAccounts::Table)
            .columns([PortalAccounts::ContactId, PortalAccounts::CreatedAt])
            .values_panic([contact_id.into(), now_micros().into()])
            .to_owned(),
    )
    .await?;
    Ok(())
}

pub(crate) async fn set(
    db: &impl Exec,
    contact_id: i64,
    values: Vec<(PortalAccounts, sea_orm::sea_query::SimpleExpr)>,
) -> Result<()> {
    db.execute(
        &Query::update()
            .table(PortalAccounts::Table)
            .values(values)
            .and_where(Expr::col(PortalAccounts::ContactId).eq(contact_id))
            .to_owned(),
    )
    .await?;
    Ok(())
}

/// Issues a token and answers it (to go into an email, never stored) with when it expires.
/// A new reset link voids the earlier ones, as a reset is asked for again when one went astray;
/// invitation links all keep working until one is used, because a client reads our emails in
/// any order and the first they open must not be a dead end.
pub(crate) async fn issue_token(
    db: &impl Exec,
    contact_id: i64,
    purpose: Purpose,
) -> Result<(String, i64)> {
    if purpose == Purpose::Reset {
        void_tokens(db, contact_id, Some(purpose)).await?;
    }
    let (token, hash) = new_token(purpose.prefix());
    let now = now_micros();
    let ttl = match purpose {
        Purpose::Invitation => INVITATION_MICROS,
        Purpose::Reset => RESET_MICROS,
    };
    db.execute(
        &Query::insert()
            .into_table(PortalTokens::Table)
            .columns([
                PortalTokens::ContactId,
                PortalTokens::Purpose,
                PortalTokens::TokenHash,
                PortalTokens::ExpiresAt,
                PortalTokens::CreatedAt,
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
    q.from_table(PortalTokens::Table)
        .and_where(Expr::col(PortalTokens::ContactId).eq(contact_id));
    if let Some(p) = purpose {
        q.and_where(Expr::col(PortalTokens::Purpose).eq(p.as_str()));
    }
    db.execute(&q).await?;
    Ok(())
}

/// A link's token as stored.
pub(crate) struct StoredToken {
    pub contact_id: i64,
    pub expires_at: i64,
    pub used_at: Option<i64>,
}

impl StoredToken {
    /// Unused and unexpired: it may still set a password.
    pub fn is_live(&self) -> bool {
        self.used_at.is_none() && self.expires_at > now_micros()
    }
}

/// The token behind a link, used or not, expired or not.
pub(crate) async fn find_token(
    db: &impl Exec,
    purpose: Purpose,
    token: &str,
) -> Result<Option<StoredToken>> {
    let q = Query::select()
        .columns([
            PortalTokens::ContactId,
            PortalTokens::ExpiresAt,
            PortalTokens::UsedAt,
        ])
        .from(PortalTokens::Table)
        .and_where(Expr::col(PortalTokens::TokenHash).eq(hash_token(token.trim())))
        .and_where(Expr::col(PortalTokens::Purpose).eq(purpose.as_str()))
        .to_owned();
    Ok(match db.query_one(&q).await? {
        Some(row) => Some(StoredToken {
            contact_id: row.get(0)?,
            expires_at: row.get(1)?,
            used_at: row.get(2)?,
        }),
        None => None,
    })
}

/// Uses up a live token: the contact it belongs to, or `None` when it is unknown, expired or
/// used. Every other link of the same purpose the contact holds is marked used with it, so
/// that the emails read later lead to sign-in instead of setting the password again. The
/// conditional update is the claim: of two requests racing with one link, one wins.
pub(crate) async fn take_token(
    db: &impl Exec,
    purpose: Purpose,
    token: &str,
) -> Result<Option<i64>> {
    let Some(found) = find_token(db, purpose, token).await? else {
        return Ok(None);
    };
    if !found.is_live() {
        return Ok(None);
    }
    let now = now_micros();
    let claimed = db
        .execute(
            &Query::update()
                .table(PortalTokens::Table)
                .value(PortalTokens::UsedAt, now)
                .and_where(Expr::col(PortalTokens::TokenHash).eq(hash_token(token.trim())))
                .and_where(Expr::col(PortalTokens::UsedAt).is_null())
                .to_owned(),
        )
        .await?;
    if claimed == 0 {
        return Ok(None);
    }
    db.execute(
        &Query::update()
            .table(PortalTokens::Table)
            .value(PortalTokens::UsedAt, now)
            .and_where(Expr::col(PortalTokens::ContactId).eq(found.contact_id))
            .and_where(Expr::col(PortalTokens::Purpose).eq(purpose.as_str()))
            .and_where(Expr::col(PortalTokens::UsedAt).is_null())
            .to_owned(),
    )
    .await?;
    Ok(Some(found.contact_id))
}

/// The portal user signing in with `email`: their contact id and password hash, when the
/// contact is a portal user who has set a password.
pub(crate) async fn credentials(db: &impl Exec, email: &str) -> Result<Option<(i64, String)>> {
    let q = Query::select()
        .column(("c", Contacts::Id))
        .column(("a", PortalAccounts::PasswordHash))
        .from_as(Contacts::Table, "c")
        .join_as(
            JoinType::InnerJoin,
            PortalAccounts::Table,
            "a",
            Expr::col(("a", PortalAccounts::ContactId)).equals(("c", Contacts::Id)),
        )
        .and_where(Expr::expr(Func::lower(Expr::col(("c", Contacts::Email)))).eq(email))
        .and_where(Expr::col(("c", Contacts::PortalUser)).eq(true))
        .and_where(Expr::col(("a", PortalAccounts::PasswordHash)).is_not_null())
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
        .column(Contacts::Id)
        .from(Contacts::Table)
        .and_where(Expr::expr(Func::lower(Expr::col(Contacts::Email))).eq(email))
        .and_where(Expr::col(Contacts::PortalUser).eq(true))
        .limit(1)
        .to_owned();
    Ok(crate::db::ids(db, &q).await?.first().copied())
}
