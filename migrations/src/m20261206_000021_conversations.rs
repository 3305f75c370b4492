//! The conversation on each case and what clients are told of changes.
//!
//! A message is addressed: a staff reply to the case's contacts who could see the case when it
//! was written (one row per contact in `case_message_recipients`, which is also that contact's
//! unread state and staff's read receipt); an internal note to nobody outside the firm (no
//! rows). Staff users' unread state is one "read up to" mark per case.
//!
//! Clients choose per kind of news whether it is mailed at once, gathered into a daily digest
//! or not sent (`contact_notification_settings`; no row: the default); digest items wait in
//! `client_digest_items` until the time the admin set (`client_digest_settings`).

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

fn id_col() -> ColumnDef {
    ColumnDef::new("id")
        .big_integer()
        .not_null()
        .auto_increment()
        .primary_key()
        .to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("case_messages")
                .col(id_col())
                .col(ColumnDef::new("case_id").big_integer().not_null())
                .col(ColumnDef::new("author_user_id").big_integer().null())
                .col(ColumnDef::new("author_contact_id").big_integer().null())
                .col(ColumnDef::new("author_name").text().not_null())
                .col(ColumnDef::new("body").text().not_null())
                .col(ColumnDef::new("internal").boolean().not_null())
                .col(ColumnDef::new("via").string_len(16).not_null())
                .col(ColumnDef::new("created_at").big_integer().not_null())
                .col(ColumnDef::new("edited_at").big_integer().null())
                .col(ColumnDef::new("deleted_at").big_integer().null())
                .foreign_key(
                    ForeignKey::create()
                        .from("case_messages", "case_id")
                        .to("cases", "id")
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(crate::index(
            "case_messages",
            "case_messages_case",
            &["case_id", "id"],
        ))
        .await?;
        m.create_table(
            Table::create()
                .table("case_message_recipients")
                .col(ColumnDef::new("message_id").big_integer().not_null())
                .col(ColumnDef::new("contact_id").big_integer().not_null())
                .col(ColumnDef::new("case_id").big_integer().not_null())
                .col(ColumnDef::new("read_at").big_integer().null())
                .primary_key(Index::create().col("message_id").col("contact_id"))
                .foreign_key(
                    ForeignKey::create()
                        .from("case_message_recipients", "message_id")
                        .to("case_messages", "id")
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        // A contact's messages on a case in order, and their unread ones across cases.
        m.create_index(crate::index(
            "case_message_recipients",
            "case_message_recipients_contact",
            &["contact_id", "case_id", "message_id"],
        ))
        .await?;
        m.create_table(
            Table::create()
                .table("case_message_attachments")
                .col(ColumnDef::new("message_id").big_integer().not_null())
                .col(ColumnDef::new("document_id").big_integer().not_null())
                .primary_key(Index::create().col("message_id").col("document_id"))
                .foreign_key(
                    ForeignKey::create()
                        .from("case_message_attachments", "message_id")
                        .to("case_messages", "id")
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("case_message_reads")
                .col(ColumnDef::new("case_id").big_integer().not_null())
                .col(ColumnDef::new("user_id").big_integer().not_null())
                .col(ColumnDef::new("last_read_id").big_integer().not_null())
                .col(ColumnDef::new("read_at").big_integer().not_null())
                .primary_key(Index::create().col("case_id").col("user_id"))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("document_opens")
                .col(ColumnDef::new("document_id").big_integer().not_null())
                .col(ColumnDef::new("contact_id").big_integer().not_null())
                .col(ColumnDef::new("first_at").big_integer().not_null())
                .col(ColumnDef::new("last_at").big_integer().not_null())
                .primary_key(Index::create().col("document_id").col("contact_id"))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("contact_notification_settings")
                .col(ColumnDef::new("contact_id").big_integer().not_null())
                .col(ColumnDef::new("kind").string_len(32).not_null())
                .col(ColumnDef::new("mode").string_len(16).not_null())
                .col(ColumnDef::new("updated_at").big_integer().not_null())
                .primary_key(Index::create().col("contact_id").col("kind"))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("client_digest_items")
                .col(id_col())
                .col(ColumnDef::new("contact_id").big_integer().not_null())
                .col(ColumnDef::new("case_id").big_integer().not_null())
                .col(ColumnDef::new("kind").string_len(32).not_null())
                .col(ColumnDef::new("detail").text().not_null())
                .col(ColumnDef::new("created_at").big_integer().not_null())
                .col(ColumnDef::new("sent_at").big_integer().null())
                .to_owned(),
        )
        .await?;
        m.create_index(crate::index(
            "client_digest_items",
            "client_digest_items_waiting",
            &["sent_at", "contact_id"],
        ))
        .await?;
        m.create_table(
            Table::create()
                .table("client_digest_settings")
                .col(ColumnDef::new("id").integer().not_null().primary_key())
                .col(ColumnDef::new("send_at").string_len(5).not_null())
                .col(ColumnDef::new("time_zone").string_len(64).null())
                .col(ColumnDef::new("updated_at").big_integer().not_null())
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            "client_digest_settings",
            "client_digest_items",
            "contact_notification_settings",
            "document_opens",
            "case_message_reads",
            "case_message_attachments",
            "case_message_recipients",
            "case_messages",
        ] {
            m.drop_table(Table::drop().table(table).to_owned()).await?;
        }
        Ok(())
    }
}
