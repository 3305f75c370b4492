//! A new staff user chooses their own password from an emailed link, as clients do, instead of
//! an admin inventing one and passing it on. Only the link's hash is stored; every link sent
//! keeps working until one sets the password, then all of them are marked used.

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
                .table("staff_invitations")
                .col(
                    ColumnDef::new("id")
                        .big_integer()
                        .not_null()
                        .auto_increment()
                        .primary_key(),
                )
                .col(ColumnDef::new("user_id").big_integer().not_null())
                .col(
                    ColumnDef::new("token_hash")
                        .string_len(64)
                        .not_null()
                        .unique_key(),
                )
                .col(ColumnDef::new("expires_at").big_integer().not_null())
                .col(ColumnDef::new("used_at").big_integer().null())
                .col(ColumnDef::new("created_at").big_integer().not_null())
                .foreign_key(
                    ForeignKey::create()
                        .from("staff_invitations", "user_id")
                        .to("staff_users", "id")
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(crate::index(
            "staff_invitations",
            "staff_invitations_user",
            &["user_id"],
        ))
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table("staff_invitations").to_owned())
            .await
    }
}
