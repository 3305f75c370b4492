//! The firm's brand: one row (id 1) that every process reads with the metadata, so a change an
//! admin makes through one process shows on the next page any process serves. The logo's bytes
//! live in the row too: it is small (the engine caps it) and then needs no shared file system.

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
                .table("branding")
                .col(ColumnDef::new("id").integer().not_null().primary_key())
                .col(ColumnDef::new("firm_name").text().not_null().default(""))
                .col(ColumnDef::new("welcome_text").text().not_null().default(""))
                .col(
                    ColumnDef::new("primary_color")
                        .string_len(7)
                        .not_null()
                        .default("#1d4ed8"),
                )
                .col(
                    ColumnDef::new("currency")
                        .string_len(3)
                        .not_null()
                        .default("EUR"),
                )
                .col(ColumnDef::new("logo").blob().null())
                .col(ColumnDef::new("logo_type").string_len(32).null())
                .col(ColumnDef::new("logo_hash").string_len(64).null())
                .col(ColumnDef::new("updated_at").big_integer().not_null())
                .to_owned(),
        )
        .await?;
        m.exec_stmt(
            Query::insert()
                .into_table("branding")
                .columns(["id", "updated_at"])
                .values_panic([1.into(), 0i64.into()])
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table("branding").to_owned())
            .await
    }
}
