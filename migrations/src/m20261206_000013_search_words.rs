//! Search that forgives: every word of a record's title (and a contact's email, a case's
//! number), folded to lower case without accents, one row per word. A search term is then a
//! range over `(entity, word)`, `word >= 'fernan' AND word < 'fernao'`, an index range scan on
//! SQLite and PostgreSQL alike at any size; `LIKE '%fernan%'` over the records would read every
//! row. The engine fills the table on every write and, at start, for rows written before it
//! existed.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DatabaseBackend;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let mut word = ColumnDef::new("word");
        word.string_len(64).not_null();
        if m.get_database_backend() == DatabaseBackend::Postgres {
            // Byte order, so that a prefix is one contiguous range whatever the server's locale.
            word.extra("COLLATE \"C\"");
        }
        m.create_table(
            Table::create()
                .table("search_words")
                .col(ColumnDef::new("entity").string_len(16).not_null())
                .col(word)
                .col(ColumnDef::new("record_id").big_integer().not_null())
                .primary_key(Index::create().col("entity").col("word").col("record_id"))
                .to_owned(),
        )
        .await?;
        // Rewriting one record's words finds them by record.
        m.create_index(crate::index(
            "search_words",
            "search_words_record",
            &["entity", "record_id"],
        ))
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table("search_words").to_owned())
            .await
    }
}
