//! Gathering a client's activity into one email looked through every held email to the same
//! address and compared each one's context in the engine: under a burst of new cases (each its
//! own topic) that was every email of the last minute, read and parsed on every new one. The
//! held email's topic is now a column, so the engine asks for the one email it could join.
//! Emails held when this runs have no key and go out on their own (at most a minute's worth).

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let db = m.get_connection();
        db.execute_unprepared("ALTER TABLE mail_outbox ADD COLUMN gather_key TEXT NULL")
            .await?;
        db.execute_unprepared(
            "CREATE INDEX mail_outbox_gather ON mail_outbox (to_address, kind, gather_key) \
             WHERE gather_key IS NOT NULL",
        )
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let db = m.get_connection();
        db.execute_unprepared("DROP INDEX mail_outbox_gather")
            .await?;
        db.execute_unprepared("ALTER TABLE mail_outbox DROP COLUMN gather_key")
            .await?;
        Ok(())
    }
}
