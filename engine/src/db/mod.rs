//! Opening the database and the few things that differ between SQLite and PostgreSQL.

mod exec;
mod lite;
mod pg;
pub mod tables;

pub(crate) use exec::{Exec, Reader, Row, STATEMENTS, Txn};
pub(crate) use lite::{Lite, WriteGate};
pub(crate) use pg::PgConnections;

use crate::error::Result;
use portico_migrations::{Migrator, MigratorTrait};
use sea_orm::sea_query::SelectStatement;
use sea_orm::sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqliteSynchronous};
use sea_orm::{ConnectOptions, Database, DatabaseConnection};
use std::str::FromStr;
use std::time::Duration;

pub(crate) struct Pools {
    pub reader: DatabaseConnection,
    pub writer: DatabaseConnection,
    /// In-place SQLite connections for the hot paths; `None` on PostgreSQL.
    pub lite: Option<Lite>,
    /// PostgreSQL connections for the hot-path reads and writes; `None` on SQLite.
    pub pg: Option<PgConnections>,
}

/// The read pool and the write pool. On SQLite writes get a pool of their own with a single
/// connection (see `Engine::writer`), and the hot paths get in-place connections (`lite`); on
/// PostgreSQL both pools are the same.
pub(crate) async fn connect_pools(url: &str) -> Result<Pools> {
    if url.starts_with("sqlite:") && !url.contains(":memory:") {
        let writer = connect_with(url, 1).await?;
        Migrator::up(&writer, None).await?;
        let reader = connect_with(url, 4).await?;
        let options = SqliteConnectOptions::from_str(url)
            .map_err(|e| crate::EngineError::Internal(format!("database URL: {e}")))?;
        let lite = Lite::open(options.get_filename(), 4)?;
        Ok(Pools {
            reader,
            writer,
            lite: Some(lite),
            pg: None,
        })
    } else {
        let pool = connect(url).await?;
        let pg = if url.starts_with("postgres") {
            Some(PgConnections::new(url, 8)?)
        } else {
            None
        };
        Ok(Pools {
            reader: pool.clone(),
            writer: pool,
            lite: None,
            pg,
        })
    }
}

/// Connects and brings the schema up to date. SQLite runs in WAL mode with `synchronous=NORMAL`
/// (durable across process crashes, which is what the kill test checks) and waits on locks
/// instead of failing, so several writers queue up rather than erroring.
pub async fn connect(url: &str) -> Result<DatabaseConnection> {
    // Each connection to an in-memory database is a database of its own: keep one.
    let pool = if url.contains(":memory:") {
        1
    } else if url.starts_with("sqlite:") {
        8
    } else {
        16
    };
    let db = connect_with(url, pool).await?;
    Migrator::up(&db, None).await?;
    Ok(db)
}

/// Connects without migrating: for administrative connections (creating test databases).
#[cfg(test)]
pub(crate) async fn connect_unmigrated(url: &str) -> Result<DatabaseConnection> {
    connect_with(url, 1).await
}

async fn connect_with(url: &str, pool: u32) -> Result<DatabaseConnection> {
    let mut opts = ConnectOptions::new(url.to_owned());
    // On SQLite, no ping before each use of a pooled connection: it doubled the round trips of
    // every query (each one a hand-off to the connection's thread). Idle ones are recycled.
    opts.sqlx_logging(false)
        .test_before_acquire(false)
        .idle_timeout(Duration::from_secs(300))
        .acquire_timeout(Duration::from_secs(10))
        .connect_timeout(Duration::from_secs(10));
    if url.starts_with("sqlite:") {
        opts.max_connections(pool)
            .min_connections(1)
            .map_sqlx_sqlite_opts(|o| {
                o.journal_mode(SqliteJournalMode::Wal)
                    .synchronous(SqliteSynchronous::Normal)
                    .busy_timeout(Duration::from_secs(10))
                    .foreign_keys(true)
                    .create_if_missing(true)
            });
    } else {
        // On PostgreSQL the hot paths have connections of their own (`pg.rs`); what goes
        // through this pool (sign-in, metadata and policy loads, admin screens) is worth a
        // ping first, so that after a PostgreSQL restart a connection from before it is
        // replaced instead of failing a request.
        opts.max_connections(pool)
            .min_connections(1)
            .test_before_acquire(true);
    }
    Ok(Database::connect(opts).await?)
}

/// Microseconds since the Unix epoch: how every timestamp is stored.
pub fn now_micros() -> i64 {
    chrono::Utc::now().timestamp_micros()
}

pub fn micros_to_rfc3339(micros: i64) -> String {
    chrono::DateTime::from_timestamp_micros(micros)
        .unwrap_or_default()
        .to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

/// Runs an `INSERT ... RETURNING id` (or a statement that ends in one) and gives the new id.
pub(crate) async fn insert_id(db: &impl Exec, q: &impl sea_orm::StatementBuilder) -> Result<i64> {
    match db.query_one(q).await? {
        Some(row) => row.get(0),
        None => Err(crate::EngineError::Internal("insert returned no id".into())),
    }
}

/// The first column of every row, as ids.
pub(crate) async fn ids(db: &impl Exec, q: &SelectStatement) -> Result<Vec<i64>> {
    db.query_all(q).await?.iter().map(|r| r.get(0)).collect()
}
