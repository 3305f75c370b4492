//! Staff notifications: who hears about a case's portal activity, and the in-app inbox.

use crate::{foreign_key, id_column, index, timestamp};
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        // A case without rows notifies its owner in the app and by email; the first change to
        // the list writes the owner's row too.
        m.create_table(
            Table::create()
                .table("case_notification_recipients")
                .col(ColumnDef::new("case_id").big_integer().not_null())
                .col(ColumnDef::new("user_id").big_integer().not_null())
                .col(ColumnDef::new("in_app").boolean().not_null())
                .col(ColumnDef::new("email").boolean().not_null())
                .col(timestamp("created_at"))
                .primary_key(Index::create().col("case_id").col("user_id"))
                .foreign_key(&mut foreign_key(
                    ("case_notification_recipients", "case_id"),
                    "cases",
                    ForeignKeyAction::Cascade,
                ))
                .foreign_key(&mut foreign_key(
                    ("case_notification_recipients", "user_id"),
                    "staff_users",
                    ForeignKeyAction::Cascade,
                ))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("notifications")
                .col(id_column())
                .col(ColumnDef::new("user_id").big_integer().not_null())
                .col(ColumnDef::new("case_id").big_integer().null())
                .col(ColumnDef::new("kind").string().not_null())
                .col(ColumnDef::new("message").text().not_null())
                .col(ColumnDef::new("read_at").big_integer().null())
                .col(timestamp("created_at"))
                .foreign_key(&mut foreign_key(
                    ("notifications", "user_id"),
                    "staff_users",
                    ForeignKeyAction::Cascade,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            "notifications",
            "notifications_user",
            &["user_id", "id"],
        ))
        .await
    }
}
