//! On PostgreSQL, every change of the `system_state` versions is announced on the
//! `portico_versions` channel (NOTIFY, delivered when the changing transaction commits), so a
//! process learns that its caches are stale without reading the row on every request. A trigger
//! rather than a NOTIFY in the code: whatever bumps a version (the engine, an operator's SQL)
//! is announced. SQLite has no such channel and reads the row (in microseconds, in place).

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DatabaseBackend;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        if m.get_database_backend() != DatabaseBackend::Postgres {
            return Ok(());
        }
        let db = m.get_connection();
        db.execute_unprepared(
            "CREATE OR REPLACE FUNCTION portico_versions_notify() RETURNS trigger \
             LANGUAGE plpgsql AS $$ BEGIN PERFORM pg_notify('portico_versions', ''); RETURN NULL; END $$",
        )
        .await?;
        db.execute_unprepared(
            "CREATE TRIGGER system_state_notify AFTER UPDATE ON system_state \
             FOR EACH STATEMENT EXECUTE FUNCTION portico_versions_notify()",
        )
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        if m.get_database_backend() != DatabaseBackend::Postgres {
            return Ok(());
        }
        let db = m.get_connection();
        db.execute_unprepared("DROP TRIGGER IF EXISTS system_state_notify ON system_state")
            .await?;
        db.execute_unprepared("DROP FUNCTION IF EXISTS portico_versions_notify()")
            .await?;
        Ok(())
    }
}
