//! PostgreSQL hot paths on connections of our own.
//!
//! sqlx's pool sends a Sync round trip to PostgreSQL every time a connection goes back to it (a
//! "ping" on release), so each statement through sea-orm cost two round trips; on the two cores
//! the server shares with PostgreSQL that was a large part of the cost. The hot-path reads and
//! write transactions therefore run on a few plain sqlx connections held here, each behind an
//! async mutex, with sqlx's per-connection statement cache. A connection that fails is dropped
//! and reopened on its next use; one left mid-answer by a cancelled request is drained by sqlx
//! before its next statement; one whose transaction was abandoned is closed, which rolls the
//! transaction back.

use super::exec::Row;
use crate::error::Result;
use sea_orm::sea_query::Values;
use sea_orm::sqlx::postgres::{PgConnectOptions, PgConnection};
use sea_orm::sqlx::{self, Connection};
use sea_orm::{DbErr, QueryResult, RuntimeErr, Statement};
use sea_query_sqlx::SqlxValues;
use std::str::FromStr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use tokio::sync::{Mutex, MutexGuard, Semaphore, SemaphorePermit};

pub(crate) struct PgConnections {
    options: PgConnectOptions,
    connections: Box<[Mutex<Option<PgConnection>>]>,
    /// One permit per connection: a request waits here, in arrival order, for whichever
    /// connection frees first (waiting on one connection's own lock, it could sit behind a
    /// slow transaction while others were idle).
    free: Semaphore,
    next: AtomicUsize,
    /// Requests waiting because every connection is taken (for the metrics).
    waiting: AtomicUsize,
}

/// Counts a request among the waiting for as long as it waits, even if it is cancelled.
struct Waiting<'a>(&'a AtomicUsize);

impl Drop for Waiting<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::Relaxed);
    }
}

impl PgConnections {
    /// Connections are opened on first use.
    pub fn new(url: &str, connections: usize) -> Result<PgConnections> {
        let options = PgConnectOptions::from_str(url).map_err(to_db_err)?;
        Ok(PgConnections {
            options,
            connections: (0..connections.max(1)).map(|_| Mutex::new(None)).collect(),
            free: Semaphore::new(connections.max(1)),
            next: AtomicUsize::new(0),
            waiting: AtomicUsize::new(0),
        })
    }

    /// A free connection (opened if it is not yet, or was dropped), waiting for the first to
    /// free when all are in use.
    async fn acquire(&self) -> Result<Slot<'_>> {
        let permit = match self.free.try_acquire() {
            Ok(permit) => permit,
            Err(_) => {
                self.waiting.fetch_add(1, Ordering::Relaxed);
                let _counted = Waiting(&self.waiting);
                self.free
                    .acquire()
                    .await
                    .map_err(|e| crate::EngineError::Internal(e.to_string()))?
            }
        };
        // A permit is a connection no one holds: the scan finds it unlocked.
        let n = self.connections.len();
        let start = self.next.fetch_add(1, Ordering::Relaxed);
        let connection =
            match (0..n).find_map(|i| self.connections[(start + i) % n].try_lock().ok()) {
                Some(free) => free,
                None => self.connections[start % n].lock().await,
            };
        let mut slot = Slot {
            connection,
            _permit: permit,
        };
        self.open(&mut slot).await?;
        Ok(slot)
    }

    async fn open(&self, slot: &mut Slot<'_>) -> Result<()> {
        if slot.is_none() {
            let conn = PgConnection::connect_with(&self.options)
                .await
                .map_err(to_db_err)?;
            **slot = Some(conn);
        }
        Ok(())
    }

    /// Whether PostgreSQL accepts a new connection now (readiness: the held connections may
    /// be from before a restart). The connection is closed again.
    pub async fn fresh_ping(&self) -> Result<()> {
        let mut conn = PgConnection::connect_with(&self.options)
            .await
            .map_err(to_db_err)?;
        let answer = conn.ping().await.map_err(to_db_err);
        let _ = conn.close().await;
        Ok(answer?)
    }

    /// Connections in use, all of them, and requests waiting for one (for the metrics).
    pub fn usage(&self) -> (usize, usize, usize) {
        // Counted from the permits: locking a connection to look would take it from a request.
        let all = self.connections.len();
        (
            all - self.free.available_permits().min(all),
            all,
            self.waiting.load(Ordering::Relaxed),
        )
    }

    /// A read. One that meets a connection PostgreSQL no longer has (it restarted) is tried
    /// again, once, on a new connection: a read has nothing to undo, and the request need not
    /// fail because the connection was opened before the restart.
    pub async fn query_all(&self, stmt: &Statement) -> Result<Vec<Row>> {
        let mut slot = self.acquire().await?;
        match fetch_all(&mut slot, stmt).await {
            Ok(rows) => Ok(rows),
            Err(e) if connection_lost(&e) => {
                *slot = None;
                self.open(&mut slot).await?;
                fetch_all(&mut slot, stmt)
                    .await
                    .map_err(|e| failed(&mut slot, e))
            }
            Err(e) => Err(failed(&mut slot, e)),
        }
    }

    /// A write transaction. `BEGIN` on a connection from before a restart is tried again on a
    /// new one, as a read is (nothing has been written yet).
    pub async fn begin(&self) -> Result<PgTxn<'_>> {
        let mut slot = self.acquire().await?;
        if let Err(e) = run_simple(&mut slot, "BEGIN").await {
            if !connection_lost(&e) {
                return Err(failed(&mut slot, e));
            }
            *slot = None;
            self.open(&mut slot).await?;
            run_simple(&mut slot, "BEGIN")
                .await
                .map_err(|e| failed(&mut slot, e))?;
        }
        Ok(PgTxn {
            slot: tokio::sync::Mutex::new(slot),
            open: true,
        })
    }

    /// A connection for a write that is one statement, which PostgreSQL runs as its own
    /// transaction: no `BEGIN` and `COMMIT` round trips. Unlike a read, the statement is not
    /// tried again when the connection is lost: it may have committed before the answer was.
    pub async fn one_statement(&self) -> Result<PgTxn<'_>> {
        let slot = self.acquire().await?;
        Ok(PgTxn {
            slot: tokio::sync::Mutex::new(slot),
            open: false,
        })
    }
}

/// A connection held, and the permit that says so; the lock is released before the permit.
struct Slot<'a> {
    connection: MutexGuard<'a, Option<PgConnection>>,
    _permit: SemaphorePermit<'a>,
}

impl std::ops::Deref for Slot<'_> {
    type Target = Option<PgConnection>;
    fn deref(&self) -> &Self::Target {
        &self.connection
    }
}

impl std::ops::DerefMut for Slot<'_> {
    fn deref_mut(&mut self) -> &mut Self::Target {
        &mut self.connection
    }
}

/// A write transaction on one of the connections; dropped without `commit`, its connection is
/// closed, and PostgreSQL rolls the transaction back.
pub(crate) struct PgTxn<'a> {
    // A mutex only to make `&PgTxn` usable from `Exec`'s `&self` methods.
    slot: tokio::sync::Mutex<Slot<'a>>,
    /// A transaction is open on the connection: dropped, it closes the connection. Never for
    /// [`PgConnections::one_statement`], which has nothing to commit or roll back.
    open: bool,
}

impl PgTxn<'_> {
    pub async fn query_all(&self, stmt: &Statement) -> Result<Vec<Row>> {
        query_all(&mut *self.slot.lock().await, stmt).await
    }

    pub async fn execute(&self, stmt: &Statement) -> Result<u64> {
        let mut slot = self.slot.lock().await;
        let conn = connection(&mut slot)?;
        let result = query(stmt).execute(&mut *conn).await;
        match result {
            Ok(done) => Ok(done.rows_affected()),
            Err(e) => Err(failed(&mut slot, e)),
        }
    }

    pub async fn commit(mut self) -> Result<()> {
        if !std::mem::replace(&mut self.open, false) {
            return Ok(());
        }
        simple(&mut *self.slot.lock().await, "COMMIT").await
    }

    pub async fn rollback(mut self) -> Result<()> {
        if !std::mem::replace(&mut self.open, false) {
            return Ok(());
        }
        simple(&mut *self.slot.lock().await, "ROLLBACK").await
    }
}

impl Drop for PgTxn<'_> {
    fn drop(&mut self) {
        if self.open {
            // No async ROLLBACK from a destructor: closing the connection ends the transaction.
            **self.slot.get_mut() = None;
        }
    }
}

fn connection<'s>(slot: &'s mut Slot<'_>) -> Result<&'s mut PgConnection> {
    slot.as_mut()
        .ok_or_else(|| crate::EngineError::Internal("a closed PostgreSQL connection".into()))
}

fn query(stmt: &Statement) -> sqlx::query::Query<'_, sqlx::Postgres, SqlxValues> {
    let values = stmt.values.clone().unwrap_or(Values(Vec::new()));
    sqlx::query_with(sqlx::AssertSqlSafe(stmt.sql.as_str()), SqlxValues(values))
}

async fn fetch_all(slot: &mut Slot<'_>, stmt: &Statement) -> Result<Vec<Row>, sqlx::Error> {
    let Some(conn) = slot.as_mut() else {
        return Err(sqlx::Error::PoolClosed);
    };
    Ok(query(stmt)
        .fetch_all(&mut *conn)
        .await?
        .into_iter()
        .map(|r| Row::Orm(QueryResult::from(r)))
        .collect())
}

async fn query_all(slot: &mut Slot<'_>, stmt: &Statement) -> Result<Vec<Row>> {
    fetch_all(slot, stmt).await.map_err(|e| failed(slot, e))
}

async fn run_simple(slot: &mut Slot<'_>, sql: &'static str) -> Result<(), sqlx::Error> {
    // A round trip like any statement (see `STATEMENTS`).
    super::STATEMENTS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let Some(conn) = slot.as_mut() else {
        return Err(sqlx::Error::PoolClosed);
    };
    sqlx::raw_sql(sqlx::AssertSqlSafe(sql))
        .execute(&mut *conn)
        .await
        .map(|_| ())
}

async fn simple(slot: &mut Slot<'_>, sql: &'static str) -> Result<()> {
    run_simple(slot, sql).await.map_err(|e| failed(slot, e))
}

/// Whether the connection itself is gone (PostgreSQL restarted, or cut it: SQLSTATE classes
/// 08 and 57P), as opposed to the statement failing on a working connection.
fn connection_lost(e: &sqlx::Error) -> bool {
    match e {
        sqlx::Error::Database(d) => d
            .code()
            .is_some_and(|c| c.starts_with("08") || c.starts_with("57P")),
        sqlx::Error::Io(_)
        | sqlx::Error::Protocol(_)
        | sqlx::Error::Tls(_)
        | sqlx::Error::PoolClosed
        | sqlx::Error::WorkerCrashed => true,
        _ => false,
    }
}

/// After an error that is not the statement's own, the connection may be broken: drop it, and
/// the next user opens a new one.
fn failed(slot: &mut Slot<'_>, e: sqlx::Error) -> crate::EngineError {
    let statement_only = matches!(
        e,
        sqlx::Error::Database(_) | sqlx::Error::ColumnDecode { .. }
    ) && !connection_lost(&e);
    if !statement_only {
        **slot = None;
    }
    to_db_err(e).into()
}

fn to_db_err(e: sqlx::Error) -> DbErr {
    DbErr::Query(RuntimeErr::SqlxError(Arc::new(e)))
}
