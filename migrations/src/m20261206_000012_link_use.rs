//! A portal link is marked used instead of deleted, so that an invitation a client opens after
//! setting up their account (they may read our emails in any order) still knows whose it was
//! and leads them to sign-in rather than to "this link no longer works".

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table("portal_tokens")
                .add_column(ColumnDef::new("used_at").big_integer().null())
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table("portal_tokens")
                .drop_column("used_at")
                .to_owned(),
        )
        .await
    }
}
