//! What the staff UI keeps on the server.
//!
//! - A staff user's language (`es`, `en`; empty until chosen), so the UI speaks it on every
//!   device they sign in from.
//! - A notification's facts (`detail`, JSON: who, which document) beside its English
//!   `message`, so each UI can word it in its own language.
//! - The lists' title columns (a case's subject, a contact's or deal's name), which the staff
//!   lists sort by and search: an index on `(title, id)` serves the sort a page at a time;
//!   on PostgreSQL a trigram index on `lower(title)` serves the search (`contains`, which the
//!   engine writes as `lower(title) LIKE '%...%'`), where the `pg_trgm` extension can be had
//!   (it is a trusted extension: a database owner may create it). Without it the search
//!   scans, as it does on SQLite.

use crate::index;
use sea_orm_migration::prelude::*;

/// The column each list is titled, searched and often sorted by.
const TITLES: [(&str, &str); 3] = [
    ("cases", "subject"),
    ("contacts", "name"),
    ("deals", "name"),
];

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table("staff_users")
                .add_column(ColumnDef::new("language").string_len(8).null())
                .to_owned(),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table("notifications")
                .add_column(ColumnDef::new("detail").text().null())
                .to_owned(),
        )
        .await?;
        for (table, column) in TITLES {
            let name: &'static str = match table {
                "cases" => "cases_subject_id",
                "contacts" => "contacts_name_id",
                _ => "deals_name_id",
            };
            m.create_index(index(table, name, &[column, "id"])).await?;
        }
        if m.get_database_backend() == sea_orm::DbBackend::Postgres {
            // A failure inside the block is caught there, so the migration's transaction
            // goes on without the extension.
            let db = m.get_connection();
            db.execute_unprepared(
                "DO $$ BEGIN CREATE EXTENSION IF NOT EXISTS pg_trgm; \
                 EXCEPTION WHEN OTHERS THEN RAISE NOTICE 'pg_trgm is not available: list searches scan'; END $$",
            )
            .await?;
            for (table, column) in TITLES {
                db.execute_unprepared(&format!(
                    "DO $$ BEGIN IF EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm') THEN \
                     EXECUTE 'CREATE INDEX IF NOT EXISTS {table}_{column}_trgm ON {table} USING gin (lower({column}) gin_trgm_ops)'; \
                     END IF; END $$"
                ))
                .await?;
            }
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for (table, column) in TITLES {
            m.get_connection()
                .execute_unprepared(&format!("DROP INDEX IF EXISTS {table}_{column}_trgm"))
                .await?;
        }
        for (table, name) in [
            ("cases", "cases_subject_id"),
            ("contacts", "contacts_name_id"),
            ("deals", "deals_name_id"),
        ] {
            m.drop_index(Index::drop().name(name).table(table).to_owned())
                .await?;
        }
        m.alter_table(
            Table::alter()
                .table("notifications")
                .drop_column("detail")
                .to_owned(),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table("staff_users")
                .drop_column("language")
                .to_owned(),
        )
        .await?;
        Ok(())
    }
}
