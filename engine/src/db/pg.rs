//! PostgreSQL reads on connections of our own.
//!
//! sqlx's pool sends a Sync round trip to PostgreSQL every time a connection goes back to it (a
//! "ping" on release), so each statement through sea-orm cost two round trips; on the two cores
//! the server shares with PostgreSQL that was a large part of the reads' cost. The hot-path reads
//! therefore run on a few plain sqlx connections held here, each behind an async mutex, with
//! sqlx's per-connection statement cache. A connection that fails is dropped and reopened on its
//! next use; one left mid-answer by a cancelled request is drained by sqlx before its next
//! statement. Writes keep sea-orm's pool and its transactions.

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
use tokio::sync::Mutex;

pub(crate) struct PgReaders {
    options: PgConnectOptions,
    connections: Box<[Mutex<Option<PgConnection>>]>,
    next: AtomicUsize,
}

impl PgReaders {
    /// Connections are opened on first use.
    pub fn new(url: &str, connections: usize) -> Result<PgReaders> {
        let options = PgConnectOptions::from_str(url).map_err(to_db_err)?;
        Ok(PgReaders {
            options,
            connections: (0..connections.max(1)).map(|_| Mutex::new(None)).collect(),
            next: AtomicUsize::new(0),
        })
    }

    pub async fn query_all(&self, stmt: &Statement) -> Result<Vec<Row>> {
        let n = self.connections.len();
        let start = self.next.fetch_add(1, Ordering::Relaxed);
        let mut slot = match (0..n).find_map(|i| self.connections[(start + i) % n].try_lock().ok())
        {
            Some(free) => free,
            None => self.connections[start % n].lock().await,
        };
        let conn = match slot.as_mut() {
            Some(conn) => conn,
            None => slot.insert(
                PgConnection::connect_with(&self.options)
                    .await
                    .map_err(to_db_err)?,
            ),
        };
        let values = stmt.values.clone().unwrap_or(Values(Vec::new()));
        let query = sqlx::query_with(sqlx::AssertSqlSafe(stmt.sql.as_str()), SqlxValues(values));
        match query.fetch_all(&mut *conn).await {
            Ok(rows) => Ok(rows
                .into_iter()
                .map(|r| Row::Orm(QueryResult::from(r)))
                .collect()),
            Err(e) => {
                if !matches!(
                    e,
                    sqlx::Error::Database(_) | sqlx::Error::ColumnDecode { .. }
                ) {
                    // The connection itself may be broken: start afresh next time.
                    *slot = None;
                }
                Err(to_db_err(e).into())
            }
        }
    }
}

fn to_db_err(e: sqlx::Error) -> DbErr {
    DbErr::Query(RuntimeErr::SqlxError(Arc::new(e)))
}
