//! A portal user's case list, newest first, read in the order shown from their grants: each
//! grant carries its case's creation time, indexed after the user, so a page is an index range
//! of twenty grants whether the user has ten cases or ten thousand (before, every grant was
//! joined to its case and the lot sorted). A case's creation time never changes, so the copy
//! cannot go stale; the engine writes it with the grant, from the case row.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let db = m.get_connection();
        db.execute_unprepared(
            "ALTER TABLE case_portal_access ADD COLUMN case_created_at BIGINT NOT NULL DEFAULT 0",
        )
        .await?;
        db.execute_unprepared(
            "UPDATE case_portal_access SET case_created_at = \
             (SELECT created_at FROM cases WHERE cases.id = case_portal_access.case_id)",
        )
        .await?;
        db.execute_unprepared(
            "CREATE INDEX case_portal_access_newest ON case_portal_access \
             (contact_id, enabled, case_created_at, case_id)",
        )
        .await?;
        // Its columns lead the new index, which serves every query it served.
        db.execute_unprepared("DROP INDEX case_portal_access_contact")
            .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let db = m.get_connection();
        db.execute_unprepared(
            "CREATE INDEX case_portal_access_contact ON case_portal_access \
             (contact_id, enabled, case_id)",
        )
        .await?;
        db.execute_unprepared("DROP INDEX case_portal_access_newest")
            .await?;
        db.execute_unprepared("ALTER TABLE case_portal_access DROP COLUMN case_created_at")
            .await?;
        Ok(())
    }
}
