//! Outgoing mail: the transactional outbox, and admins' overrides of the email templates.

use crate::{id_column, timestamp};
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        // One row per message, written in the transaction of the change that caused it. The
        // worker renders it when it sends it (so an admin's template fix also reaches queued
        // mail), claims it with a lease so that one process sends it, and records the outcome.
        m.create_table(
            Table::create()
                .table("mail_outbox")
                .col(id_column())
                .col(ColumnDef::new("to_address").string().not_null())
                .col(ColumnDef::new("to_name").string().null())
                .col(ColumnDef::new("kind").string().not_null())
                .col(ColumnDef::new("language").string().not_null())
                // The template context, JSON.
                .col(ColumnDef::new("context").text().not_null())
                // pending, sent, failed (gave up).
                .col(ColumnDef::new("status").string().not_null())
                .col(ColumnDef::new("attempts").integer().not_null())
                .col(timestamp("next_attempt_at"))
                .col(ColumnDef::new("claimed_by").string().null())
                .col(ColumnDef::new("claimed_until").big_integer().null())
                .col(ColumnDef::new("last_error").text().null())
                .col(timestamp("created_at"))
                .col(ColumnDef::new("sent_at").big_integer().null())
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("mail_outbox_due")
                .table("mail_outbox")
                .col("status")
                .col("next_attempt_at")
                .col("id")
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("email_templates")
                .col(id_column())
                .col(ColumnDef::new("kind").string().not_null())
                .col(ColumnDef::new("language").string().not_null())
                .col(ColumnDef::new("subject").text().not_null())
                .col(ColumnDef::new("html").text().not_null())
                .col(ColumnDef::new("text").text().not_null())
                .col(timestamp("updated_at"))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("email_templates_kind_language")
                .table("email_templates")
                .col("kind")
                .col("language")
                .unique()
                .to_owned(),
        )
        .await
    }
}
