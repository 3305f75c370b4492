//! Field definitions: the metadata every schema, form and validator is built from.

use crate::{id_column, timestamp};
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    /// On SQLite too: a migration either happens whole or not at all, also when several
    /// processes start together on a new database.
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("field_definitions")
                .col(id_column())
                .col(ColumnDef::new("entity").string().not_null())
                .col(ColumnDef::new("key").string().not_null())
                .col(ColumnDef::new("label").string().not_null())
                .col(ColumnDef::new("field_type").string().not_null())
                // A JSON array of option labels, in display order.
                .col(ColumnDef::new("options").text().not_null())
                .col(ColumnDef::new("required").boolean().not_null())
                .col(ColumnDef::new("active").boolean().not_null())
                .col(ColumnDef::new("portal_visible").boolean().not_null())
                .col(ColumnDef::new("portal_editable").boolean().not_null())
                .col(ColumnDef::new("block").string().not_null())
                .col(ColumnDef::new("position").integer().not_null())
                .col(ColumnDef::new("help").text().null())
                .col(ColumnDef::new("system").boolean().not_null())
                .col(timestamp("created_at"))
                .col(timestamp("updated_at"))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("field_definitions_entity_key")
                .table("field_definitions")
                .col("entity")
                .col("key")
                .unique()
                .to_owned(),
        )
        .await
    }
}
