//! The `system_state` row: version counters that tell every process its caches are stale.

use crate::db::Exec;
use crate::db::tables::SystemState;
use crate::error::Result;
use sea_orm::Statement;
use sea_orm::sea_query::{Expr, ExprTrait, Query};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Versions {
    pub metadata: i64,
    pub policy: i64,
    pub auth: i64,
}

/// Raw SQL on purpose: every request runs it (see `version_check`), and a fixed string skips
/// building the statement each time. `db::tables::verify` checks these columns at start.
pub(crate) async fn read(db: &impl Exec) -> Result<Versions> {
    let row = db
        .query_one_raw(Statement::from_string(
            db.backend(),
            "SELECT metadata_version, policy_version, auth_version FROM system_state WHERE id = 1",
        ))
        .await?
        .ok_or_else(|| crate::EngineError::Internal("system_state row missing".into()))?;
    Ok(Versions {
        metadata: row.get(0)?,
        policy: row.get(1)?,
        auth: row.get(2)?,
    })
}

#[derive(Debug, Clone, Copy)]
pub enum Counter {
    Metadata,
    Policy,
    Auth,
}

/// Bumps a counter; call it inside the transaction that made the change, so the bump and the
/// change become visible together.
pub(crate) async fn bump(db: &impl Exec, counter: Counter) -> Result<()> {
    let col = match counter {
        Counter::Metadata => SystemState::MetadataVersion,
        Counter::Policy => SystemState::PolicyVersion,
        Counter::Auth => SystemState::AuthVersion,
    };
    let q = Query::update()
        .table(SystemState::Table)
        .value(col, Expr::col(col).add(1))
        .and_where(Expr::col(SystemState::Id).eq(1))
        .to_owned();
    db.execute(&q).await?;
    Ok(())
}
