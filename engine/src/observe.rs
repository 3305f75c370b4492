//! What an operator watches, read when the metrics are scraped (never on a request's path):
//! the mail outbox's depth and age, the documents stored, the database pool, failed sign-ins.
//! The server turns these into Prometheus metrics; the engine knows nothing of the format.

use crate::Engine;
use crate::db::tables::{Documents, MailOutbox};
use crate::db::{Exec, now_micros};
use crate::error::Result;
use sea_orm::sea_query::{Expr, ExprTrait, Func, Query};

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Gauges {
    /// Messages waiting to be sent (pending), and how long the oldest has waited, in seconds.
    pub outbox_pending: i64,
    pub outbox_oldest_seconds: f64,
    pub documents: i64,
    pub document_bytes: i64,
    /// The read pool's connections: open, and of those idle (`None` on SQLite's in-place
    /// reads, which hold no pool for requests).
    pub pool_open: Option<u32>,
    pub pool_idle: Option<u32>,
    /// PostgreSQL's hot-path connections (`db/pg.rs`): in use, in all, and requests waiting
    /// for one; `None` on SQLite.
    pub hot_connections: Option<(usize, usize, usize)>,
    /// Wrong passwords this process has seen since it started.
    pub failed_sign_ins: u64,
    /// Whether changes made elsewhere are pushed to this process (PostgreSQL's LISTEN is
    /// connected); `None` on SQLite, which reads the version row on every request.
    pub versions_pushed: Option<bool>,
}

impl Engine {
    pub async fn gauges(&self) -> Result<Gauges> {
        let db = self.reader();
        let q = Query::select()
            .expr(Expr::col(MailOutbox::Id).count())
            .expr(Expr::col(MailOutbox::CreatedAt).min())
            .from(MailOutbox::Table)
            .and_where(Expr::col(MailOutbox::Status).eq("pending"))
            .to_owned();
        let (pending, oldest): (i64, Option<i64>) = match db.query_one(&q).await? {
            Some(r) => (r.get(0)?, r.get(1)?),
            None => (0, None),
        };
        let q = Query::select()
            .expr(Expr::col(Documents::Id).count())
            // SUM of a bigint is numeric on PostgreSQL: cast back.
            .expr(Func::cast_as(
                Func::coalesce([Expr::col(Documents::Size).sum(), Expr::val(0i64)]),
                sea_orm::sea_query::Alias::new("BIGINT"),
            ))
            .from(Documents::Table)
            .to_owned();
        let (documents, bytes): (i64, i64) = match db.query_one(&q).await? {
            Some(r) => (r.get(0)?, r.get(1)?),
            None => (0, 0),
        };
        let (pool_open, pool_idle) = match self.db.get_database_backend() {
            sea_orm::DbBackend::Postgres => {
                let pool = self.db.get_postgres_connection_pool();
                (Some(pool.size()), Some(pool.num_idle() as u32))
            }
            _ => {
                let pool = self.db.get_sqlite_connection_pool();
                (Some(pool.size()), Some(pool.num_idle() as u32))
            }
        };
        Ok(Gauges {
            outbox_pending: pending,
            outbox_oldest_seconds: oldest
                .map(|at| Ord::max(now_micros() - at, 0) as f64 / 1e6)
                .unwrap_or(0.0),
            documents,
            document_bytes: bytes,
            pool_open,
            pool_idle,
            hot_connections: self.pg.as_ref().map(|pg| pg.usage()),
            failed_sign_ins: self
                .throttle
                .failures
                .load(std::sync::atomic::Ordering::Relaxed),
            versions_pushed: self.version_check.as_ref().and_then(|c| c.listening()),
        })
    }
}
