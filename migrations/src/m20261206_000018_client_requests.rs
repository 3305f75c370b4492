//! Client requests: staff ask a case's portal contacts for documents, answers or a signature,
//! and the contacts do it on the portal. A request belongs to its case; its contacts (in
//! signing order) and the documents uploaded into it are rows of their own, so a contact's
//! "To do" and a case's list are index lookups.

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
                .table("client_requests")
                .col(
                    ColumnDef::new("id")
                        .big_integer()
                        .not_null()
                        .auto_increment()
                        .primary_key(),
                )
                .col(ColumnDef::new("case_id").big_integer().not_null())
                .col(ColumnDef::new("kind").string_len(16).not_null())
                .col(ColumnDef::new("state").string_len(16).not_null())
                .col(ColumnDef::new("title").text().not_null())
                .col(ColumnDef::new("instructions").text().not_null().default(""))
                .col(ColumnDef::new("due_date").string_len(10).null())
                .col(ColumnDef::new("folder_id").big_integer().null())
                .col(ColumnDef::new("document_id").big_integer().null())
                .col(ColumnDef::new("questions").text().not_null().default("[]"))
                .col(ColumnDef::new("answers").text().not_null().default("{}"))
                .col(ColumnDef::new("comment").text().null())
                .col(ColumnDef::new("created_by").big_integer().null())
                .col(ColumnDef::new("created_at").big_integer().not_null())
                .col(ColumnDef::new("updated_at").big_integer().not_null())
                .col(ColumnDef::new("submitted_at").big_integer().null())
                .foreign_key(
                    ForeignKey::create()
                        .from("client_requests", "case_id")
                        .to("cases", "id")
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(crate::index(
            "client_requests",
            "client_requests_case",
            &["case_id", "id"],
        ))
        .await?;
        m.create_table(
            Table::create()
                .table("client_request_contacts")
                .col(ColumnDef::new("request_id").big_integer().not_null())
                .col(ColumnDef::new("contact_id").big_integer().not_null())
                .col(ColumnDef::new("position").integer().not_null())
                .primary_key(Index::create().col("request_id").col("contact_id"))
                .foreign_key(
                    ForeignKey::create()
                        .from("client_request_contacts", "request_id")
                        .to("client_requests", "id")
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(crate::index(
            "client_request_contacts",
            "client_request_contacts_contact",
            &["contact_id", "request_id"],
        ))
        .await?;
        m.create_table(
            Table::create()
                .table("client_request_documents")
                .col(ColumnDef::new("request_id").big_integer().not_null())
                .col(ColumnDef::new("document_id").big_integer().not_null())
                .primary_key(Index::create().col("request_id").col("document_id"))
                .foreign_key(
                    ForeignKey::create()
                        .from("client_request_documents", "request_id")
                        .to("client_requests", "id")
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            "client_request_documents",
            "client_request_contacts",
            "client_requests",
        ] {
            m.drop_table(Table::drop().table(table).to_owned()).await?;
        }
        Ok(())
    }
}
