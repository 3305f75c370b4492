//! Each person's time zone, for the dates in the emails they get: a staff user's is taken from
//! their browser the first time they sign in (and can be changed on their account page), a
//! portal user's is chosen on the portal's account page. Unset, the installation's
//! (`PORTICO_TIME_ZONE`) is used.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for table in ["staff_users", "portal_accounts"] {
            m.alter_table(
                Table::alter()
                    .table(table)
                    .add_column(ColumnDef::new("time_zone").string_len(64).null())
                    .to_owned(),
            )
            .await?;
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for table in ["staff_users", "portal_accounts"] {
            m.alter_table(
                Table::alter()
                    .table(table)
                    .drop_column("time_zone")
                    .to_owned(),
            )
            .await?;
        }
        Ok(())
    }
}
