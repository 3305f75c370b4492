//! Signed documents: the organisation's signing identity (one row: its key and certificate,
//! made on first use, replaceable by an admin), and a record of every signature and refusal.
//! A record keeps its case, document and signer's details as they were, with no foreign key,
//! so it outlives the document (and the contact) it tells of.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("signing_identity")
                .col(ColumnDef::new("id").integer().not_null().primary_key())
                .col(ColumnDef::new("private_key").text().not_null())
                .col(ColumnDef::new("certificate").text().not_null())
                .col(ColumnDef::new("created_at").big_integer().not_null())
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("document_signatures")
                .col(
                    ColumnDef::new("id")
                        .big_integer()
                        .not_null()
                        .auto_increment()
                        .primary_key(),
                )
                .col(ColumnDef::new("request_id").big_integer().not_null())
                .col(ColumnDef::new("case_id").big_integer().not_null())
                .col(ColumnDef::new("document_id").big_integer().not_null())
                .col(ColumnDef::new("document_name").text().not_null())
                .col(ColumnDef::new("contact_id").big_integer().not_null())
                .col(ColumnDef::new("contact_name").text().not_null())
                .col(ColumnDef::new("contact_email").text().not_null())
                .col(ColumnDef::new("declared_name").text().null())
                .col(ColumnDef::new("signed_at").big_integer().null())
                .col(ColumnDef::new("declined_at").big_integer().null())
                .col(ColumnDef::new("reason").text().null())
                .col(ColumnDef::new("ip").string_len(64).null())
                .col(ColumnDef::new("user_agent").text().null())
                .col(ColumnDef::new("original_sha256").string_len(64).null())
                .col(ColumnDef::new("signed_sha256").string_len(64).null())
                .to_owned(),
        )
        .await?;
        m.create_index(crate::index(
            "document_signatures",
            "document_signatures_request",
            &["request_id", "contact_id"],
        ))
        .await?;
        m.create_index(crate::index(
            "document_signatures",
            "document_signatures_signed",
            &["signed_sha256"],
        ))
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for table in ["document_signatures", "signing_identity"] {
            m.drop_table(Table::drop().table(table).to_owned()).await?;
        }
        Ok(())
    }
}
