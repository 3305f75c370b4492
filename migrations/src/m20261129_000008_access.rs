//! Access follows the records it came through, and credentials can be ended.
//!
//! - A portal grant whose contact is no longer linked to its case (a portal opener was never
//!   linked before this version) gets its contact linked, so that from now on every enabled
//!   grant belongs to a contact staff can see on the case and remove.
//! - API tokens may expire and record when they were last used.
//! - Rate limits (sign-in attempts, cases and uploads from the portal) count in one row per
//!   scope, updated atomically, instead of counting rows (which raced: concurrent sign-in
//!   attempts all saw the same count).

use crate::timestamp;
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.get_connection()
            .execute_unprepared(
                "INSERT INTO case_contacts (case_id, contact_id, created_at) \
                 SELECT a.case_id, a.contact_id, a.updated_at FROM case_portal_access a \
                 JOIN cases c ON c.id = a.case_id \
                 WHERE a.enabled AND (c.client_id IS NULL OR c.client_id <> a.contact_id) \
                 AND NOT EXISTS (SELECT 1 FROM case_contacts cc \
                   WHERE cc.case_id = a.case_id AND cc.contact_id = a.contact_id)",
            )
            .await?;
        m.alter_table(
            Table::alter()
                .table("api_tokens")
                .add_column(ColumnDef::new("expires_at").big_integer().null())
                .to_owned(),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table("api_tokens")
                .add_column(ColumnDef::new("last_used_at").big_integer().null())
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("rate_counters")
                .col(ColumnDef::new("scope").string().not_null().primary_key())
                .col(timestamp("window_start"))
                .col(ColumnDef::new("count").big_integer().not_null())
                .to_owned(),
        )
        .await?;
        m.drop_table(Table::drop().table("login_failures").to_owned())
            .await?;
        Ok(())
    }
}
