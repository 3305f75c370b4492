//! Keys of this installation, shared by every process through the database: today the key
//! that signs the portal's form tokens (a second security review planted a CSRF cookie with a
//! matching form value, and it passed; a token must come from the server).

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("installation_secrets")
                .col(
                    ColumnDef::new("name")
                        .string_len(64)
                        .not_null()
                        .primary_key(),
                )
                .col(ColumnDef::new("value").string().not_null())
                .col(crate::timestamp("created_at"))
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table("installation_secrets").to_owned())
            .await
    }
}
