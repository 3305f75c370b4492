//! API tokens for integrators: made by a staff user and acting with their rights, listed
//! without their secret, ended by their owner or an admin, optionally expiring.
//!
//! A token is a credential as strong as a session, so it has the same lifecycle: it can be
//! seen (name, created, last used), revoked one by one, and every token of a user ends when
//! the user is deactivated.

use super::staff::check_name;
use super::{Action, ApiToken, Object, Principal, new_token};
use crate::Engine;
use crate::db::tables::ApiTokens;
use crate::db::{Exec, now_micros};
use crate::error::{EngineError, Result};
use crate::state::{self, Counter};
use sea_orm::sea_query::{Cond, Expr, ExprTrait, Order, Query};

/// How often, at most, a token's "last used" time is written per process.
const LAST_USED_PRECISION_MICROS: i64 = 60 * 1_000_000;

const COLUMNS: [ApiTokens; 6] = [
    ApiTokens::Id,
    ApiTokens::Name,
    ApiTokens::UserId,
    ApiTokens::CreatedAt,
    ApiTokens::LastUsedAt,
    ApiTokens::ExpiresAt,
];

fn token_row(row: &crate::db::Row) -> Result<ApiToken> {
    Ok(ApiToken {
        id: row.get(0)?,
        name: row.get(1)?,
        token: None,
        user_id: row.get(2)?,
        created_at: row.get(3)?,
        last_used_at: row.get(4)?,
        expires_at: row.get(5)?,
    })
}

/// The user behind a live token (not expired), with its expiry for the session cache.
pub(crate) async fn lookup(db: &impl Exec, hash: &str) -> Result<Option<(i64, Option<i64>)>> {
    let q = Query::select()
        .columns([ApiTokens::UserId, ApiTokens::ExpiresAt])
        .from(ApiTokens::Table)
        .and_where(Expr::col(ApiTokens::TokenHash).eq(hash))
        .cond_where(
            Cond::any()
                .add(Expr::col(ApiTokens::ExpiresAt).is_null())
                .add(Expr::col(ApiTokens::ExpiresAt).gt(now_micros())),
        )
        .to_owned();
    Ok(match db.query_one(&q).await? {
        Some(row) => Some((row.get(0)?, row.get(1)?)),
        None => None,
    })
}

pub(crate) async fn revoke_all(db: &impl Exec, user_id: i64) -> Result<()> {
    db.execute(
        &Query::delete()
            .from_table(ApiTokens::Table)
            .and_where(Expr::col(ApiTokens::UserId).eq(user_id))
            .to_owned(),
    )
    .await?;
    Ok(())
}

impl Engine {
    /// A token for an integrator, acting with the rights of the user who made it. The secret
    /// is in this answer only. `expires_at` (microseconds) must lie in the future.
    pub(crate) async fn create_api_token(
        &self,
        p: &Principal,
        name: &str,
        expires_at: Option<i64>,
    ) -> Result<ApiToken> {
        self.authorize(p, Object::ApiToken, Action::Create)?;
        let Principal::Staff(me) = p else {
            return Err(EngineError::Unauthenticated);
        };
        let name = check_name(name, "name")?;
        let now = now_micros();
        if expires_at.is_some_and(|t| t <= now) {
            return Err(EngineError::validation(
                "expiresAt",
                "must be in the future",
            ));
        }
        let (token, hash) = new_token("pat_");
        let q = Query::insert()
            .into_table(ApiTokens::Table)
            .columns([
                ApiTokens::Name,
                ApiTokens::TokenHash,
                ApiTokens::UserId,
                ApiTokens::CreatedAt,
                ApiTokens::ExpiresAt,
            ])
            .values_panic([
                name.clone().into(),
                hash.into(),
                me.user_id.into(),
                now.into(),
                expires_at.into(),
            ])
            .returning_col(ApiTokens::Id)
            .to_owned();
        let txn = self.begin_write().await?;
        let id = crate::db::insert_id(&txn, &q).await?;
        txn.commit().await?;
        Ok(ApiToken {
            id,
            name,
            token: Some(token),
            user_id: me.user_id,
            created_at: now,
            last_used_at: None,
            expires_at,
        })
    }

    /// A user's tokens, newest first, never with their secret. Anyone sees their own; another
    /// user's need the right to manage staff users (admins).
    pub(crate) async fn api_tokens(
        &self,
        p: &Principal,
        user_id: Option<i64>,
    ) -> Result<Vec<ApiToken>> {
        let owner = self.token_owner_in_reach(p, user_id)?;
        let q = Query::select()
            .columns(COLUMNS)
            .from(ApiTokens::Table)
            .and_where(Expr::col(ApiTokens::UserId).eq(owner))
            .order_by(ApiTokens::Id, Order::Desc)
            .to_owned();
        self.reader()
            .query_all(&q)
            .await?
            .iter()
            .map(token_row)
            .collect()
    }

    /// Ends a token at once, in every process (the auth version moves). Another user's token
    /// is NOT_FOUND to anyone but an admin, like a token that does not exist.
    pub(crate) async fn revoke_api_token(&self, p: &Principal, id: i64) -> Result<bool> {
        let Principal::Staff(me) = p else {
            return Err(EngineError::Unauthenticated);
        };
        let admin = self.allows(p, Object::StaffUser, Action::Update);
        let mut q = Query::delete();
        q.from_table(ApiTokens::Table)
            .and_where(Expr::col(ApiTokens::Id).eq(id));
        if !admin {
            q.and_where(Expr::col(ApiTokens::UserId).eq(me.user_id));
        }
        let txn = self.begin_write().await?;
        if txn.execute(&q).await? == 0 {
            return Err(EngineError::not_found("ApiToken", id));
        }
        state::bump(&txn, Counter::Auth).await?;
        txn.commit().await?;
        self.changed().await?;
        Ok(true)
    }

    fn token_owner_in_reach(&self, p: &Principal, user_id: Option<i64>) -> Result<i64> {
        let Principal::Staff(me) = p else {
            return Err(EngineError::Unauthenticated);
        };
        match user_id {
            Some(other) if other != me.user_id => {
                self.authorize(p, Object::StaffUser, Action::Update)?;
                Ok(other)
            }
            _ => Ok(me.user_id),
        }
    }

    /// Records that a token was used, at most once a minute per token and process: the list
    /// shows integrators' activity without a write on every request.
    pub(crate) async fn touch_api_token(&self, hash: &str) -> Result<()> {
        let now = now_micros();
        if !self
            .sessions
            .should_touch(hash, now, LAST_USED_PRECISION_MICROS)
        {
            return Ok(());
        }
        let txn = self.begin_write().await?;
        txn.execute(
            &Query::update()
                .table(ApiTokens::Table)
                .value(ApiTokens::LastUsedAt, now)
                .and_where(Expr::col(ApiTokens::TokenHash).eq(hash))
                .to_owned(),
        )
        .await?;
        txn.commit().await?;
        Ok(())
    }
}
