//! What the staff UI keeps on the server.
//!
//! - A staff user's language (`es`, `en`; empty until chosen), so the UI speaks it on every
//!   device they sign in from.
//! - A notification's facts (`detail`, JSON: who, which document) beside its English
//!   `message`, so each UI can word it in its own language.

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
                .table("staff_users")
                .add_column(ColumnDef::new("language").string_len(8).null())
                .to_owned(),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table("notifications")
                .add_column(ColumnDef::new("detail").text().null())
                .to_owned(),
        )
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table("notifications")
                .drop_column("detail")
                .to_owned(),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table("staff_users")
                .drop_column("language")
                .to_owned(),
        )
        .await?;
        Ok(())
    }
}
