//! One way for the engine to run statements, whether they go through sea-orm (PostgreSQL, and
//! SQLite off the hot path) or run in place on SQLite (see `lite`).
//!
//! The hot paths (the version check, reading and writing records) are written once against
//! [`Exec`]; rows come back as [`Row`], read by position with [`Row::get`].

use super::lite::{LiteReader, LiteTxn};
use super::pg::{PgConnections, PgTxn};
use crate::error::{EngineError, Result};
use sea_orm::{
    ConnectionTrait, DatabaseConnection, DatabaseTransaction, DbBackend, QueryResult, Statement,
    StatementBuilder, TryGetable,
};
use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};

pub(crate) type LiteValue = rusqlite::types::Value;

/// Statements this process has run through [`Exec`], and on PostgreSQL the `BEGIN`, `COMMIT`
/// and `ROLLBACK` of its own transactions (each a round trip too): how a test (or an operator)
/// sees whether a request's queries grow with its page size, and what a write costs.
pub(crate) static STATEMENTS: AtomicU64 = AtomicU64::new(0);

/// A row from either executor.
pub(crate) enum Row {
    Orm(QueryResult),
    Lite(Vec<LiteValue>),
}

impl Row {
    pub fn get<T: Cell>(&self, index: usize) -> Result<T> {
        match self {
            Row::Orm(r) => Ok(r.try_get_by_index(index)?),
            Row::Lite(values) => {
                let v = values.get(index).ok_or_else(|| {
                    EngineError::Internal(format!("no column {index} in a result row"))
                })?;
                T::from_lite(v).ok_or_else(|| {
                    EngineError::Internal(format!(
                        "column {index} holds {:?}, not a {}",
                        v.data_type(),
                        std::any::type_name::<T>()
                    ))
                })
            }
        }
    }
}

/// A Rust type a column decodes into on both executors, with SQLite's storage classes read the
/// way sqlx reads them (booleans are integers, JSON is text).
pub(crate) trait Cell: TryGetable + Sized {
    fn from_lite(v: &LiteValue) -> Option<Self>;
}

impl Cell for i64 {
    fn from_lite(v: &LiteValue) -> Option<Self> {
        match v {
            LiteValue::Integer(i) => Some(*i),
            _ => None,
        }
    }
}

impl Cell for i32 {
    fn from_lite(v: &LiteValue) -> Option<Self> {
        i64::from_lite(v).and_then(|i| i32::try_from(i).ok())
    }
}

impl Cell for f64 {
    fn from_lite(v: &LiteValue) -> Option<Self> {
        match v {
            LiteValue::Real(f) => Some(*f),
            LiteValue::Integer(i) => Some(*i as f64),
            _ => None,
        }
    }
}

impl Cell for bool {
    fn from_lite(v: &LiteValue) -> Option<Self> {
        i64::from_lite(v).map(|i| i != 0)
    }
}

impl Cell for String {
    fn from_lite(v: &LiteValue) -> Option<Self> {
        match v {
            LiteValue::Text(s) => Some(s.clone()),
            _ => None,
        }
    }
}

impl Cell for serde_json::Value {
    fn from_lite(v: &LiteValue) -> Option<Self> {
        match v {
            LiteValue::Text(s) => serde_json::from_str(s).ok(),
            _ => None,
        }
    }
}

impl<T: Cell> Cell for Option<T> {
    fn from_lite(v: &LiteValue) -> Option<Self> {
        match v {
            LiteValue::Null => Some(None),
            other => T::from_lite(other).map(Some),
        }
    }
}

/// Runs statements. Implemented by sea-orm's connections and transactions and by the in-place
/// SQLite reader and transaction.
pub(crate) trait Exec: Sync {
    fn backend(&self) -> DbBackend;

    fn query_all_raw(&self, stmt: Statement) -> impl Future<Output = Result<Vec<Row>>> + Send;

    fn query_one_raw(&self, stmt: Statement) -> impl Future<Output = Result<Option<Row>>> + Send;

    /// Runs a statement that returns no rows; gives the number of rows it changed.
    fn execute_raw(&self, stmt: Statement) -> impl Future<Output = Result<u64>> + Send;

    fn query_all<S: StatementBuilder>(
        &self,
        q: &S,
    ) -> impl Future<Output = Result<Vec<Row>>> + Send {
        STATEMENTS.fetch_add(1, Ordering::Relaxed);
        self.query_all_raw(q.build(&self.backend()))
    }

    fn query_one<S: StatementBuilder>(
        &self,
        q: &S,
    ) -> impl Future<Output = Result<Option<Row>>> + Send {
        STATEMENTS.fetch_add(1, Ordering::Relaxed);
        self.query_one_raw(q.build(&self.backend()))
    }

    fn execute<S: StatementBuilder>(&self, q: &S) -> impl Future<Output = Result<u64>> + Send {
        STATEMENTS.fetch_add(1, Ordering::Relaxed);
        self.execute_raw(q.build(&self.backend()))
    }
}

/// sea-orm's connections and transactions.
macro_rules! orm_exec {
    ($t:ty) => {
        impl Exec for $t {
            fn backend(&self) -> DbBackend {
                self.get_database_backend()
            }

            async fn query_all_raw(&self, stmt: Statement) -> Result<Vec<Row>> {
                let rows = ConnectionTrait::query_all_raw(self, stmt).await?;
                Ok(rows.into_iter().map(Row::Orm).collect())
            }

            async fn query_one_raw(&self, stmt: Statement) -> Result<Option<Row>> {
                Ok(ConnectionTrait::query_one_raw(self, stmt)
                    .await?
                    .map(Row::Orm))
            }

            async fn execute_raw(&self, stmt: Statement) -> Result<u64> {
                Ok(ConnectionTrait::execute_raw(self, stmt)
                    .await?
                    .rows_affected())
            }
        }
    };
}

orm_exec!(DatabaseConnection);
orm_exec!(DatabaseTransaction);

impl<T: Exec> Exec for &T {
    fn backend(&self) -> DbBackend {
        (**self).backend()
    }

    fn query_all_raw(&self, stmt: Statement) -> impl Future<Output = Result<Vec<Row>>> + Send {
        (**self).query_all_raw(stmt)
    }

    fn query_one_raw(&self, stmt: Statement) -> impl Future<Output = Result<Option<Row>>> + Send {
        (**self).query_one_raw(stmt)
    }

    fn execute_raw(&self, stmt: Statement) -> impl Future<Output = Result<u64>> + Send {
        (**self).execute_raw(stmt)
    }
}

/// Where hot-path reads go: the in-place SQLite readers, the PostgreSQL readers, or (for an
/// in-memory SQLite database) sea-orm's pool.
pub(crate) enum Reader<'a> {
    Orm(&'a DatabaseConnection),
    Lite(LiteReader<'a>),
    Pg(&'a PgConnections),
}

impl Exec for Reader<'_> {
    fn backend(&self) -> DbBackend {
        match self {
            Reader::Orm(c) => c.get_database_backend(),
            Reader::Lite(_) => DbBackend::Sqlite,
            Reader::Pg(_) => DbBackend::Postgres,
        }
    }

    async fn query_all_raw(&self, stmt: Statement) -> Result<Vec<Row>> {
        match self {
            Reader::Orm(c) => Exec::query_all_raw(c, stmt).await,
            Reader::Lite(l) => {
                // In place, a statement never awaits: without this, a request running
                // thousands of them would hold its runtime thread until done, and every other
                // request (health checks included) scheduled there would wait.
                tokio::task::consume_budget().await;
                l.query_all(&stmt)
            }
            Reader::Pg(p) => p.query_all(&stmt).await,
        }
    }

    async fn query_one_raw(&self, stmt: Statement) -> Result<Option<Row>> {
        Ok(self.query_all_raw(stmt).await?.into_iter().next())
    }

    async fn execute_raw(&self, stmt: Statement) -> Result<u64> {
        Err(EngineError::Internal(format!(
            "a write through a reader: {}",
            stmt.sql
        )))
    }
}

/// A write transaction on either executor; dropped without [`Txn::commit`], it rolls back.
pub(crate) enum Txn<'a> {
    Orm(DatabaseTransaction),
    Lite(LiteTxn<'a>),
    Pg(PgTxn<'a>),
}

impl Txn<'_> {
    pub async fn commit(self) -> Result<()> {
        match self {
            Txn::Orm(t) => Ok(t.commit().await?),
            Txn::Lite(t) => t.commit(),
            Txn::Pg(t) => t.commit().await,
        }
    }

    pub async fn rollback(self) -> Result<()> {
        match self {
            Txn::Orm(t) => Ok(t.rollback().await?),
            Txn::Pg(t) => t.rollback().await,
            // Dropping it rolls back, in place.
            Txn::Lite(t) => {
                drop(t);
                Ok(())
            }
        }
    }
}

impl Exec for Txn<'_> {
    fn backend(&self) -> DbBackend {
        match self {
            Txn::Orm(c) => c.get_database_backend(),
            Txn::Lite(_) => DbBackend::Sqlite,
            Txn::Pg(_) => DbBackend::Postgres,
        }
    }

    async fn query_all_raw(&self, stmt: Statement) -> Result<Vec<Row>> {
        match self {
            Txn::Orm(c) => Exec::query_all_raw(c, stmt).await,
            Txn::Lite(l) => {
                tokio::task::consume_budget().await;
                l.query_all(&stmt)
            }
            Txn::Pg(p) => p.query_all(&stmt).await,
        }
    }

    async fn query_one_raw(&self, stmt: Statement) -> Result<Option<Row>> {
        match self {
            Txn::Orm(c) => Exec::query_one_raw(c, stmt).await,
            Txn::Lite(l) => {
                tokio::task::consume_budget().await;
                Ok(l.query_all(&stmt)?.into_iter().next())
            }
            Txn::Pg(p) => Ok(p.query_all(&stmt).await?.into_iter().next()),
        }
    }

    async fn execute_raw(&self, stmt: Statement) -> Result<u64> {
        match self {
            Txn::Orm(c) => Exec::execute_raw(c, stmt).await,
            Txn::Lite(l) => {
                tokio::task::consume_budget().await;
                l.execute(&stmt)
            }
            Txn::Pg(p) => p.execute(&stmt).await,
        }
    }
}
