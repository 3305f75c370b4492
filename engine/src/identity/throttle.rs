//! Login throttling per account and per client address, kept in the database so every process
//! sharing it counts the same attempts.
//!
//! Each scope (an account from one address, an address) is one row whose counter is bumped by
//! a single atomic upsert that returns the new count. An attempt takes its place in the count
//! *before* the password is checked and commits it, so however many attempts race, at most
//! `per_account` of them per window and address ever reach the password check. A success
//! clears the account's rows.
//!
//! The account's count is kept per client address: a second security review locked every
//! account, admins included, by sending wrong passwords from anywhere, which made the owner's
//! right password `RATE_LIMITED` too. Now an attacker exhausts only their own address's tries
//! on the account; the owner, signing in from an address that has not been failing, gets in.
//! Guessing stays bounded per address: `per_account` tries an account and `per_address`
//! failures in all, per window.
//!
//! The address limit never refuses a correct password: many people may share an address
//! (everyone behind one reverse proxy, one office NAT). Past it, wrong passwords answer
//! RATE_LIMITED and each one is logged with the address, for a firewall rule to act on.

use crate::db::Exec;
use crate::db::now_micros;
use crate::db::tables::RateCounters;
use crate::error::{EngineError, Result};
use sea_orm::sea_query::{Cond, Expr, ExprTrait, LikeExpr, OnConflict, Query};

const WINDOW_MICROS: i64 = 15 * 60 * 1_000_000;

pub(crate) struct Throttle {
    pub per_account: i64,
    pub per_address: i64,
    /// Wrong passwords this process has seen, staff and portal (for the metrics).
    pub failures: std::sync::atomic::AtomicU64,
}

impl Default for Throttle {
    fn default() -> Self {
        Throttle {
            per_account: 5,
            per_address: 50,
            failures: Default::default(),
        }
    }
}

fn account_scope(audience: &str, account: &str) -> String {
    format!("{audience}:account:{}", account.to_lowercase())
}

/// The account's attempts from one address (or, with no address known, from anywhere).
fn attempts_scope(audience: &str, account: &str, address: Option<&str>) -> String {
    match address {
        Some(a) => format!("{}:from:{a}", account_scope(audience, account)),
        None => account_scope(audience, account),
    }
}

/// `text` for a LIKE pattern, its wildcards taken literally (escape character `\`).
fn like_literal(text: &str) -> String {
    text.replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_")
}

fn address_scope(audience: &str, address: &str) -> String {
    format!("{audience}:address:{address}")
}

async fn bump(db: &impl Exec, scope: &str) -> Result<i64> {
    count_in_window(db, scope, WINDOW_MICROS, 1).await
}

/// Adds `by` to a scope's count in the current window of `window` microseconds (starting a
/// new window when the old one is over) and answers the new count, in one statement: racing
/// callers each get a different count, so a limit holds whatever the concurrency.
pub(crate) async fn count_in_window(
    db: &impl Exec,
    scope: &str,
    window: i64,
    by: i64,
) -> Result<i64> {
    let now = now_micros();
    let stale = || Expr::col((RateCounters::Table, RateCounters::WindowStart)).lte(now - window);
    let q = Query::insert()
        .into_table(RateCounters::Table)
        .columns([
            RateCounters::Scope,
            RateCounters::WindowStart,
            RateCounters::Count,
        ])
        .values_panic([scope.into(), now.into(), by.into()])
        .on_conflict(
            OnConflict::column(RateCounters::Scope)
                .values([
                    (
                        "count",
                        Expr::case(stale(), by)
                            .finally(Expr::col((RateCounters::Table, RateCounters::Count)).add(by))
                            .into(),
                    ),
                    (
                        "window_start",
                        Expr::case(stale(), now)
                            .finally(Expr::col((RateCounters::Table, RateCounters::WindowStart)))
                            .into(),
                    ),
                ])
                .to_owned(),
        )
        .returning_col(RateCounters::Count)
        .to_owned();
    match db.query_one(&q).await? {
        Some(row) => row.get(0),
        None => Err(EngineError::Internal(
            "the throttle upsert returned no row".into(),
        )),
    }
}

/// Takes `by` back from a scope's count (actions counted and then not done), never below
/// zero (the window may have started again in between).
pub(crate) async fn uncount(db: &impl Exec, scope: &str, by: i64) -> Result<()> {
    let q = Query::update()
        .table(RateCounters::Table)
        .value(
            RateCounters::Count,
            Expr::case(
                Expr::col(RateCounters::Count).gt(by),
                Expr::col(RateCounters::Count).sub(by),
            )
            .finally(0i64),
        )
        .and_where(Expr::col(RateCounters::Scope).eq(scope))
        .and_where(Expr::col(RateCounters::Count).gt(0i64))
        .to_owned();
    db.execute(&q).await?;
    Ok(())
}

/// A scope's count in the current window, without adding to it.
async fn count(db: &impl Exec, scope: &str) -> Result<i64> {
    let q = Query::select()
        .column(RateCounters::Count)
        .from(RateCounters::Table)
        .and_where(Expr::col(RateCounters::Scope).eq(scope))
        .and_where(Expr::col(RateCounters::WindowStart).gt(now_micros() - WINDOW_MICROS))
        .to_owned();
    Ok(match db.query_one(&q).await? {
        Some(row) => row.get(0)?,
        None => 0,
    })
}

impl Throttle {
    /// Takes a place among the account's attempts from `address`; refused once that address
    /// has had its share of the account this window. Run it in a transaction of its own and
    /// commit before checking the password, so concurrent attempts count each other.
    pub async fn attempt(
        &self,
        db: &impl Exec,
        audience: &str,
        account: &str,
        address: Option<&str>,
    ) -> Result<()> {
        if bump(db, &attempts_scope(audience, account, address)).await? > self.per_account {
            return Err(EngineError::RateLimited);
        }
        Ok(())
    }

    /// Counts a wrong password against the address. Answers the error the caller gives: the
    /// plain refusal, or RATE_LIMITED past the address's limit.
    pub async fn failed(
        &self,
        db: &impl Exec,
        audience: &str,
        address: Option<&str>,
    ) -> Result<EngineError> {
        self.failures
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let Some(address) = address else {
            return Ok(EngineError::Unauthenticated);
        };
        let n = bump(db, &address_scope(audience, address)).await?;
        if n > self.per_address {
            tracing::warn!(
                audience,
                address,
                failures = n,
                "too many failed sign-ins from one address"
            );
            return Ok(EngineError::RateLimited);
        }
        Ok(EngineError::Unauthenticated)
    }

    /// Counts one request against each of its scopes and refuses past either limit: for
    /// requests that send mail (password resets), where every request costs, right or wrong.
    /// (A refused reset stops no one signing in: the sign-in counts are apart.)
    pub async fn hit(
        &self,
        db: &impl Exec,
        audience: &str,
        account: &str,
        address: Option<&str>,
    ) -> Result<()> {
        if bump(db, &account_scope(audience, account)).await? > self.per_account {
            return Err(EngineError::RateLimited);
        }
        if let Some(address) = address
            && bump(db, &address_scope(audience, address)).await? > self.per_address
        {
            return Err(EngineError::RateLimited);
        }
        Ok(())
    }

    /// For attempts that name no account (a guessed link): only the address is limited.
    pub async fn check_address(&self, db: &impl Exec, audience: &str, address: &str) -> Result<()> {
        if count(db, &address_scope(audience, address)).await? >= self.per_address {
            return Err(EngineError::RateLimited);
        }
        Ok(())
    }

    pub async fn failed_address(
        &self,
        db: &impl Exec,
        audience: &str,
        address: &str,
    ) -> Result<()> {
        bump(db, &address_scope(audience, address)).await?;
        Ok(())
    }

    /// Clears the account's count from `address` after a right password there. The counts of
    /// other addresses stay: an attacker's tries are not given back by the owner signing in.
    pub async fn succeeded(
        &self,
        db: &impl Exec,
        audience: &str,
        account: &str,
        address: Option<&str>,
    ) -> Result<()> {
        let q = Query::delete()
            .from_table(RateCounters::Table)
            .and_where(
                Expr::col(RateCounters::Scope).eq(attempts_scope(audience, account, address)),
            )
            .to_owned();
        db.execute(&q).await?;
        self.sweep(db).await
    }

    /// Clears the account's counts from every address: a new password (set through a mailed
    /// link, by an admin or by the owner) makes every earlier guess moot, and is how a
    /// locked-out user gets back in.
    pub async fn cleared(&self, db: &impl Exec, audience: &str, account: &str) -> Result<()> {
        let base = account_scope(audience, account);
        let from = format!("{}:from:%", like_literal(&base));
        let q = Query::delete()
            .from_table(RateCounters::Table)
            .cond_where(
                Cond::any()
                    .add(Expr::col(RateCounters::Scope).eq(base))
                    .add(Expr::col(RateCounters::Scope).like(LikeExpr::new(from).escape('\\'))),
            )
            .to_owned();
        db.execute(&q).await?;
        self.sweep(db).await
    }

    /// Forgets windows that are over; called now and then so the table stays small.
    async fn sweep(&self, db: &impl Exec) -> Result<()> {
        let q = Query::delete()
            .from_table(RateCounters::Table)
            .and_where(Expr::col(RateCounters::WindowStart).lte(now_micros() - WINDOW_MICROS))
            .to_owned();
        db.execute(&q).await?;
        Ok(())
    }
}
