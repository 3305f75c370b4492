//! A field's label, help text and options' labels in each language the product speaks, as JSON
//! (`{"es": "...", "en": "..."}`, and for options `{"<option>": {"es": ..., "en": ...}}`).
//! `label`, `help` and the options themselves stay: they are the text in the default language
//! and what a language without its own text falls back to.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for column in ["labels", "helps", "option_labels"] {
            m.alter_table(
                Table::alter()
                    .table("field_definitions")
                    .add_column(ColumnDef::new(column).text().not_null().default("{}"))
                    .to_owned(),
            )
            .await?;
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for column in ["labels", "helps", "option_labels"] {
            m.alter_table(
                Table::alter()
                    .table("field_definitions")
                    .drop_column(column)
                    .to_owned(),
            )
            .await?;
        }
        Ok(())
    }
}
