//! The `system_state` row: version counters that tell every process its caches are stale.

use crate::db::Exec;
use crate::error::Result;
use sea_orm::Statement;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Versions {
    pub metadata: i64,
    pub policy: i64,
    pub auth: i64,
}

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
        Counter::Metadata => "metadata_version",
        Counter::Policy => "policy_version",
        Counter::Auth => "auth_version",
    };
    db.execute_raw(Statement::from_string(
        db.backend(),
        format!("UPDATE system_state SET {col} = {col} + 1 WHERE id = 1"),
    ))
    .await?;
    Ok(())
}
