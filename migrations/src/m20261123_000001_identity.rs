//! Staff users, permission groups, Casbin rules, sessions, API tokens and the login throttle.

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
        // One row of counters that every process compares with its caches on each request:
        // bumping one of them is how a change reaches all processes sharing the database.
        m.create_table(
            Table::create()
                .table("system_state")
                .col(ColumnDef::new("id").integer().not_null().primary_key())
                .col(ColumnDef::new("metadata_version").big_integer().not_null())
                .col(ColumnDef::new("policy_version").big_integer().not_null())
                .col(ColumnDef::new("auth_version").big_integer().not_null())
                .to_owned(),
        )
        .await?;
        m.exec_stmt(
            Query::insert()
                .into_table("system_state")
                .columns(["id", "metadata_version", "policy_version", "auth_version"])
                .values_panic([1.into(), 1.into(), 1.into(), 1.into()])
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table("staff_users")
                .col(id_column())
                .col(ColumnDef::new("name").string().not_null())
                .col(ColumnDef::new("email").string().not_null().unique_key())
                .col(ColumnDef::new("password_hash").string().not_null())
                .col(ColumnDef::new("active").boolean().not_null())
                .col(timestamp("created_at"))
                .col(timestamp("updated_at"))
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table("permission_groups")
                .col(id_column())
                .col(ColumnDef::new("name").string().not_null().unique_key())
                .col(ColumnDef::new("admin").boolean().not_null())
                .col(ColumnDef::new("portal_access").boolean().not_null())
                .col(timestamp("created_at"))
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table("staff_user_groups")
                .col(ColumnDef::new("user_id").big_integer().not_null())
                .col(ColumnDef::new("group_id").big_integer().not_null())
                .primary_key(Index::create().col("user_id").col("group_id"))
                .foreign_key(
                    ForeignKey::create()
                        .from("staff_user_groups", "user_id")
                        .to("staff_users", "id")
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .foreign_key(
                    ForeignKey::create()
                        .from("staff_user_groups", "group_id")
                        .to("permission_groups", "id")
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;

        let mut casbin = Table::create();
        casbin
            .table("casbin_rule")
            .col(id_column())
            .col(ColumnDef::new("ptype").string().not_null());
        for v in ["v0", "v1", "v2", "v3", "v4", "v5"] {
            casbin.col(ColumnDef::new(v).string().not_null().default(""));
        }
        m.create_table(casbin.to_owned()).await?;

        m.create_table(
            Table::create()
                .table("sessions")
                .col(id_column())
                .col(
                    ColumnDef::new("token_hash")
                        .string()
                        .not_null()
                        .unique_key(),
                )
                .col(ColumnDef::new("audience").string().not_null())
                .col(ColumnDef::new("subject_id").big_integer().not_null())
                .col(timestamp("expires_at"))
                .col(timestamp("created_at"))
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table("api_tokens")
                .col(id_column())
                .col(ColumnDef::new("name").string().not_null())
                .col(
                    ColumnDef::new("token_hash")
                        .string()
                        .not_null()
                        .unique_key(),
                )
                .col(ColumnDef::new("user_id").big_integer().not_null())
                .col(timestamp("created_at"))
                .foreign_key(
                    ForeignKey::create()
                        .from("api_tokens", "user_id")
                        .to("staff_users", "id")
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table("login_failures")
                .col(id_column())
                .col(ColumnDef::new("scope").string().not_null())
                .col(timestamp("at"))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("login_failures_scope_at")
                .table("login_failures")
                .col("scope")
                .col("at")
                .to_owned(),
        )
        .await?;
        Ok(())
    }
}
