//! Login throttling per account and per client address, kept in the database so every process
//! sharing it counts the same failures.

use crate::db::Exec;
use crate::db::now_micros;
use crate::error::{EngineError, Result};
use sea_orm::sea_query::{Expr, ExprTrait, Query};

const WINDOW_MICROS: i64 = 15 * 60 * 1_000_000;

pub(crate) struct Throttle {
    pub per_account: i64,
    pub per_address: i64,
}

impl Default for Throttle {
    fn default() -> Self {
        Throttle {
            per_account: 5,
            per_address: 50,
        }
    }
}

fn scopes(audience: &str, account: &str, address: Option<&str>) -> (String, Option<String>) {
    (
        format!("{audience}:account:{}", account.to_lowercase()),
        address.map(|a| format!("{audience}:address:{a}")),
    )
}

impl Throttle {
    async fn failures(&self, db: &impl Exec, scope: &str) -> Result<i64> {
        let q = Query::select()
            .expr(Expr::col("id").count())
            .from("login_failures")
            .and_where(Expr::col("scope").eq(scope))
            .and_where(Expr::col("at").gt(now_micros() - WINDOW_MICROS))
            .to_owned();
        Ok(match db.query_one(&q).await? {
            Some(row) => row.get(0)?,
            None => 0,
        })
    }

    /// Refuses before the password is even checked once either limit is reached.
    pub async fn check(
        &self,
        db: &impl Exec,
        audience: &str,
        account: &str,
        address: Option<&str>,
    ) -> Result<()> {
        let (account_scope, address_scope) = scopes(audience, account, address);
        if self.failures(db, &account_scope).await? >= self.per_account {
            return Err(EngineError::RateLimited);
        }
        if let Some(scope) = address_scope
            && self.failures(db, &scope).await? >= self.per_address
        {
            return Err(EngineError::RateLimited);
        }
        Ok(())
    }

    pub async fn failed(
        &self,
        db: &impl Exec,
        audience: &str,
        account: &str,
        address: Option<&str>,
    ) -> Result<()> {
        let (account_scope, address_scope) = scopes(audience, account, address);
        let now = now_micros();
        for scope in std::iter::once(account_scope).chain(address_scope) {
            let q = Query::insert()
                .into_table("login_failures")
                .columns(["scope", "at"])
                .values_panic([scope.into(), now.into()])
                .to_owned();
            db.execute(&q).await?;
        }
        // Old rows only slow the counts down.
        let q = Query::delete()
            .from_table("login_failures")
            .and_where(Expr::col("at").lt(now - WINDOW_MICROS))
            .to_owned();
        db.execute(&q).await?;
        Ok(())
    }

    /// For attempts that name no account (a guessed link): only the address is limited.
    pub async fn check_address(&self, db: &impl Exec, audience: &str, address: &str) -> Result<()> {
        let (_, scope) = scopes(audience, "", Some(address));
        match scope {
            Some(scope) if self.failures(db, &scope).await? >= self.per_address => {
                Err(EngineError::RateLimited)
            }
            _ => Ok(()),
        }
    }

    pub async fn failed_address(
        &self,
        db: &impl Exec,
        audience: &str,
        address: &str,
    ) -> Result<()> {
        let (_, scope) = scopes(audience, "", Some(address));
        let q = Query::insert()
            .into_table("login_failures")
            .columns(["scope", "at"])
            .values_panic([scope.unwrap_or_default().into(), now_micros().into()])
            .to_owned();
        db.execute(&q).await?;
        Ok(())
    }

    pub async fn succeeded(&self, db: &impl Exec, audience: &str, account: &str) -> Result<()> {
        let (account_scope, _) = scopes(audience, account, None);
        let q = Query::delete()
            .from_table("login_failures")
            .and_where(Expr::col("scope").eq(account_scope))
            .to_owned();
        db.execute(&q).await?;
        Ok(())
    }
}
