//! Case documents: folders, documents and their versions (bytes live in the blob store, named
//! by their SHA-256), and which documents are shared with which portal contacts.

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
        // Staff make folders per case; portal users upload into them but cannot make them.
        m.create_table(
            Table::create()
                .table("folders")
                .col(id_column())
                .col(ColumnDef::new("case_id").big_integer().not_null())
                .col(ColumnDef::new("parent_id").big_integer().null())
                .col(ColumnDef::new("name").string().not_null())
                .col(ColumnDef::new("created_by").big_integer().null())
                .col(timestamp("created_at"))
                .foreign_key(&mut foreign_key(
                    ("folders", "case_id"),
                    "cases",
                    ForeignKeyAction::Cascade,
                ))
                .foreign_key(&mut foreign_key(
                    ("folders", "parent_id"),
                    "folders",
                    ForeignKeyAction::Cascade,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(index("folders", "folders_case", &["case_id", "name"]))
            .await?;

        // The current version of each document; `blob` is the SHA-256 of its bytes.
        m.create_table(
            Table::create()
                .table("documents")
                .col(id_column())
                .col(ColumnDef::new("case_id").big_integer().not_null())
                .col(ColumnDef::new("folder_id").big_integer().null())
                .col(ColumnDef::new("name").string().not_null())
                .col(ColumnDef::new("doc_type").string().not_null())
                // STAFF or CLIENT_PORTAL.
                .col(ColumnDef::new("origin").string().not_null())
                .col(ColumnDef::new("created_by").big_integer().null())
                .col(ColumnDef::new("uploaded_by").big_integer().null())
                .col(ColumnDef::new("blob").string().not_null())
                .col(ColumnDef::new("size").big_integer().not_null())
                .col(ColumnDef::new("content_type").string().not_null())
                .col(ColumnDef::new("version").integer().not_null())
                .col(timestamp("created_at"))
                .col(timestamp("updated_at"))
                .foreign_key(&mut foreign_key(
                    ("documents", "case_id"),
                    "cases",
                    ForeignKeyAction::Cascade,
                ))
                .foreign_key(&mut foreign_key(
                    ("documents", "folder_id"),
                    "folders",
                    ForeignKeyAction::SetNull,
                ))
                .foreign_key(&mut foreign_key(
                    ("documents", "created_by"),
                    "staff_users",
                    ForeignKeyAction::SetNull,
                ))
                .foreign_key(&mut foreign_key(
                    ("documents", "uploaded_by"),
                    "contacts",
                    ForeignKeyAction::SetNull,
                ))
                .to_owned(),
        )
        .await?;
        for (name, cols) in [
            (
                "documents_case_created",
                &["case_id", "created_at", "id"][..],
            ),
            (
                "documents_case_updated",
                &["case_id", "updated_at", "id"][..],
            ),
            ("documents_case_name", &["case_id", "name", "id"][..]),
            ("documents_blob", &["blob"][..]),
        ] {
            m.create_index(index("documents", name, cols)).await?;
        }

        // Every earlier version, so replacing content never loses what was there.
        m.create_table(
            Table::create()
                .table("document_versions")
                .col(ColumnDef::new("document_id").big_integer().not_null())
                .col(ColumnDef::new("version").integer().not_null())
                .col(ColumnDef::new("blob").string().not_null())
                .col(ColumnDef::new("size").big_integer().not_null())
                .col(ColumnDef::new("content_type").string().not_null())
                .col(timestamp("created_at"))
                .primary_key(Index::create().col("document_id").col("version"))
                .foreign_key(&mut foreign_key(
                    ("document_versions", "document_id"),
                    "documents",
                    ForeignKeyAction::Cascade,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            "document_versions",
            "document_versions_blob",
            &["blob"],
        ))
        .await?;

        m.create_table(
            Table::create()
                .table("document_shares")
                .col(ColumnDef::new("document_id").big_integer().not_null())
                .col(ColumnDef::new("contact_id").big_integer().not_null())
                .col(ColumnDef::new("case_id").big_integer().not_null())
                .col(timestamp("created_at"))
                .primary_key(Index::create().col("document_id").col("contact_id"))
                .foreign_key(&mut foreign_key(
                    ("document_shares", "document_id"),
                    "documents",
                    ForeignKeyAction::Cascade,
                ))
                .foreign_key(&mut foreign_key(
                    ("document_shares", "contact_id"),
                    "contacts",
                    ForeignKeyAction::Cascade,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            "document_shares",
            "document_shares_case_contact",
            &["case_id", "contact_id"],
        ))
        .await
    }
}
