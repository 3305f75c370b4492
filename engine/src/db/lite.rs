//! SQLite statements run in place, on the calling task's thread.
//!
//! sqlx gives every SQLite connection a thread of its own and hands each statement and each
//! result row across a channel; under load a quarter to a third of the CPU went to the kernel
//! switching threads, and a one-row query cost 75-100 µs where SQLite itself needs a few. The
//! hot paths (the per-request version check, reading and writing records) therefore run on
//! rusqlite connections of our own, used directly: a statement takes the thread for the few
//! microseconds SQLite needs. Everything else keeps going through sea-orm.
//!
//! Writes: SQLite has one writer at a time. In this process every write, through sea-orm or
//! here, first takes [`Lite::gate`], so the two writer connections never wait on each other's
//! file lock. Other processes on the same file are waited for by SQLite's busy handler (those
//! deployments should use PostgreSQL; see the README).

use super::exec::{LiteValue, Row};
use crate::error::{EngineError, Result};
use rusqlite::{Connection, OpenFlags};
use sea_orm::Statement;
use sea_orm::sea_query::Value as SqlValue;
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

pub(crate) struct Lite {
    readers: Box<[Mutex<Connection>]>,
    next: AtomicUsize,
    writer: Mutex<Connection>,
    gate: tokio::sync::Mutex<()>,
}

pub(crate) type WriteGate<'a> = tokio::sync::MutexGuard<'a, ()>;

impl Lite {
    /// Opens `readers` reading connections and one writing connection on a database that
    /// already exists and is migrated.
    pub fn open(path: &Path, readers: usize) -> Result<Lite> {
        let readers = (0..readers.max(1))
            .map(|_| open_connection(path, true).map(Mutex::new))
            .collect::<Result<Vec<_>>>()?;
        Ok(Lite {
            readers: readers.into_boxed_slice(),
            next: AtomicUsize::new(0),
            writer: Mutex::new(open_connection(path, false)?),
            gate: tokio::sync::Mutex::new(()),
        })
    }

    pub fn reader(&self) -> LiteReader<'_> {
        LiteReader { lite: self }
    }

    /// Waits for this process's turn to write; hold it for the whole transaction.
    pub async fn gate(&self) -> WriteGate<'_> {
        self.gate.lock().await
    }

    /// Begins a write transaction, holding the gate until it ends. `BEGIN IMMEDIATE` takes
    /// SQLite's write lock at once, so the transaction cannot fail later for a writer of
    /// another process that came first.
    pub async fn begin(&self) -> Result<LiteTxn<'_>> {
        let gate = self.gate().await;
        lock(&self.writer)?.execute_batch("BEGIN IMMEDIATE")?;
        Ok(LiteTxn {
            _gate: gate,
            conn: &self.writer,
            open: true,
        })
    }

    /// A free reading connection, or the next one in turn if all are in use (which happens
    /// only when more threads than connections read at the same moment).
    fn reading(&self) -> Result<MutexGuard<'_, Connection>> {
        let n = self.readers.len();
        let start = self.next.fetch_add(1, Ordering::Relaxed);
        for i in 0..n {
            if let Ok(guard) = self.readers[(start + i) % n].try_lock() {
                return Ok(guard);
            }
        }
        lock(&self.readers[start % n])
    }
}

fn lock(m: &Mutex<Connection>) -> Result<MutexGuard<'_, Connection>> {
    // A panic while a connection was held leaves it usable: each statement is reset on use.
    Ok(m.lock().unwrap_or_else(|poisoned| poisoned.into_inner()))
}

fn open_connection(path: &Path, read_only: bool) -> Result<Connection> {
    let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
        | OpenFlags::SQLITE_OPEN_URI
        | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let conn = Connection::open_with_flags(path, flags)?;
    conn.busy_timeout(Duration::from_secs(10))?;
    conn.set_prepared_statement_cache_capacity(256);
    // The same settings as the sea-orm pools (see `db::connect_with`).
    conn.execute_batch("PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL;")?;
    if read_only {
        conn.execute_batch("PRAGMA query_only = ON;")?;
    }
    Ok(conn)
}

/// Reads on whichever reading connection is free, one statement at a time.
pub(crate) struct LiteReader<'a> {
    lite: &'a Lite,
}

impl LiteReader<'_> {
    pub fn query_all(&self, stmt: &Statement) -> Result<Vec<Row>> {
        query(&*self.lite.reading()?, stmt)
    }
}

/// A write transaction on the writing connection.
pub(crate) struct LiteTxn<'a> {
    _gate: WriteGate<'a>,
    conn: &'a Mutex<Connection>,
    open: bool,
}

impl LiteTxn<'_> {
    pub fn query_all(&self, stmt: &Statement) -> Result<Vec<Row>> {
        query(&*lock(self.conn)?, stmt)
    }

    pub fn execute(&self, stmt: &Statement) -> Result<u64> {
        let conn = lock(self.conn)?;
        let mut st = conn.prepare_cached(&stmt.sql)?;
        let changed = st.execute(rusqlite::params_from_iter(params(stmt)?))?;
        Ok(changed as u64)
    }

    pub fn commit(mut self) -> Result<()> {
        self.open = false;
        if let Err(e) = lock(self.conn)?.execute_batch("COMMIT") {
            // A failed COMMIT can leave the transaction open; never hand it to the next writer.
            let _ = lock(self.conn)?.execute_batch("ROLLBACK");
            return Err(e.into());
        }
        Ok(())
    }
}

impl Drop for LiteTxn<'_> {
    fn drop(&mut self) {
        if self.open {
            let conn = self.conn.lock().unwrap_or_else(|p| p.into_inner());
            if let Err(e) = conn.execute_batch("ROLLBACK") {
                tracing::error!(error = %e, "rolling back an abandoned SQLite transaction");
            }
        }
    }
}

fn query(conn: &Connection, stmt: &Statement) -> Result<Vec<Row>> {
    let mut values = params(stmt)?;
    let sql = inline_limit(&stmt.sql, &mut values);
    let mut st = conn.prepare_cached(&sql)?;
    let columns = st.column_count();
    let mut rows = st.query(rusqlite::params_from_iter(values))?;
    let mut out = Vec::new();
    while let Some(row) = rows.next()? {
        let mut values = Vec::with_capacity(columns);
        for i in 0..columns {
            values.push(row.get::<_, LiteValue>(i)?);
        }
        out.push(Row::Lite(values));
    }
    Ok(out)
}

/// Writes a trailing `LIMIT ?` (and `OFFSET ?`) as numbers in the SQL. SQLite plans a LIMIT
/// with the value bound to it and marks such a statement to be compiled again whenever that
/// parameter is bound anew, so a cached statement with a bound LIMIT was re-prepared on every
/// run (a quarter of a portal page's instructions). Our limits are a handful of integers, so
/// the statement cache holds one statement per limit instead.
fn inline_limit<'a>(sql: &'a str, values: &mut Vec<LiteValue>) -> std::borrow::Cow<'a, str> {
    use std::borrow::Cow;
    let integer = |v: Option<&LiteValue>| match v {
        Some(LiteValue::Integer(n)) => Some(*n),
        _ => None,
    };
    if let Some(head) = sql.strip_suffix(" LIMIT ? OFFSET ?") {
        let n = values.len();
        if let (Some(limit), Some(offset)) = (
            integer(values.get(n.wrapping_sub(2))),
            integer(values.last()),
        ) {
            values.truncate(n - 2);
            return Cow::Owned(format!("{head} LIMIT {limit} OFFSET {offset}"));
        }
    } else if let Some(head) = sql.strip_suffix(" LIMIT ?")
        && let Some(limit) = integer(values.last())
    {
        values.pop();
        return Cow::Owned(format!("{head} LIMIT {limit}"));
    }
    Cow::Borrowed(sql)
}

/// sea-query's values as SQLite stores them through sqlx: booleans as integers, JSON as text.
fn params(stmt: &Statement) -> Result<Vec<LiteValue>> {
    let Some(values) = &stmt.values else {
        return Ok(Vec::new());
    };
    values.0.iter().map(param).collect()
}

fn param(v: &SqlValue) -> Result<LiteValue> {
    fn or_null<T>(v: &Option<T>, f: impl FnOnce(&T) -> LiteValue) -> LiteValue {
        v.as_ref().map_or(LiteValue::Null, f)
    }
    Ok(match v {
        SqlValue::Bool(b) => or_null(b, |b| LiteValue::Integer(i64::from(*b))),
        SqlValue::TinyInt(i) => or_null(i, |i| LiteValue::Integer(i64::from(*i))),
        SqlValue::SmallInt(i) => or_null(i, |i| LiteValue::Integer(i64::from(*i))),
        SqlValue::Int(i) => or_null(i, |i| LiteValue::Integer(i64::from(*i))),
        SqlValue::BigInt(i) => or_null(i, |i| LiteValue::Integer(*i)),
        SqlValue::TinyUnsigned(i) => or_null(i, |i| LiteValue::Integer(i64::from(*i))),
        SqlValue::SmallUnsigned(i) => or_null(i, |i| LiteValue::Integer(i64::from(*i))),
        SqlValue::Unsigned(i) => or_null(i, |i| LiteValue::Integer(i64::from(*i))),
        SqlValue::BigUnsigned(Some(i)) => LiteValue::Integer(
            i64::try_from(*i).map_err(|_| EngineError::Internal("integer out of range".into()))?,
        ),
        SqlValue::BigUnsigned(None) => LiteValue::Null,
        SqlValue::Float(f) => or_null(f, |f| LiteValue::Real(f64::from(*f))),
        SqlValue::Double(f) => or_null(f, |f| LiteValue::Real(*f)),
        SqlValue::String(s) => or_null(s, |s| LiteValue::Text(s.clone())),
        SqlValue::Char(c) => or_null(c, |c| LiteValue::Text(c.to_string())),
        SqlValue::Bytes(b) => or_null(b, |b| LiteValue::Blob(b.clone())),
        SqlValue::Json(j) => or_null(j, |j| LiteValue::Text(j.to_string())),
        other => {
            return Err(EngineError::Internal(format!(
                "no SQLite form for the value {other:?}"
            )));
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use rusqlite::StatementStatus;

    #[test]
    fn limits_are_written_into_the_statement() {
        let mut v = vec![LiteValue::Integer(7), LiteValue::Integer(20)];
        assert_eq!(
            inline_limit("SELECT a FROM t WHERE b = ? LIMIT ?", &mut v),
            "SELECT a FROM t WHERE b = ? LIMIT 20"
        );
        assert_eq!(v, [LiteValue::Integer(7)]);
        let mut v = vec![LiteValue::Integer(5), LiteValue::Integer(40)];
        assert_eq!(
            inline_limit("SELECT a FROM t LIMIT ? OFFSET ?", &mut v),
            "SELECT a FROM t LIMIT 5 OFFSET 40"
        );
        assert!(v.is_empty());
        // Anything else is left as it is.
        let mut v = vec![LiteValue::Text("x".into())];
        assert_eq!(
            inline_limit("SELECT a FROM t WHERE b = ?", &mut v),
            "SELECT a FROM t WHERE b = ?"
        );
        assert_eq!(v.len(), 1);
    }

    /// The reason for [`inline_limit`]: SQLite compiles a cached statement again each time its
    /// LIMIT parameter is bound, and not when the limit is in the SQL.
    #[test]
    fn a_bound_limit_recompiles_the_statement_and_an_inlined_one_does_not() {
        let conn = Connection::open_in_memory().unwrap();
        conn.execute_batch("CREATE TABLE t (a INTEGER); INSERT INTO t VALUES (1), (2), (3);")
            .unwrap();
        let runs = |sql: &str, bind: bool| {
            let mut st = conn.prepare(sql).unwrap();
            for _ in 0..5 {
                let rows: Vec<i64> = if bind {
                    st.query_map([2], |r| r.get(0))
                        .unwrap()
                        .map(|r| r.unwrap())
                        .collect()
                } else {
                    st.query_map([], |r| r.get(0))
                        .unwrap()
                        .map(|r| r.unwrap())
                        .collect()
                };
                assert_eq!(rows.len(), 2);
            }
            st.get_status(StatementStatus::RePrepare)
        };
        assert!(runs("SELECT a FROM t LIMIT ?", true) >= 4);
        assert_eq!(runs("SELECT a FROM t LIMIT 2", false), 0);
    }
}
