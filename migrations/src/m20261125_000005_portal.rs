//! The client portal: portal accounts, their single-use tokens (invitations, password resets),
//! per-case access grants, and the database's guarantee that a portal user's email is theirs.

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
        // One row per contact that was ever invited. The password is set by accepting an
        // invitation; the invitation status is read from the three timestamps.
        m.create_table(
            Table::create()
                .table("portal_accounts")
                .col(
                    ColumnDef::new("contact_id")
                        .big_integer()
                        .not_null()
                        .primary_key(),
                )
                .col(ColumnDef::new("password_hash").string().null())
                .col(ColumnDef::new("invited_at").big_integer().null())
                .col(ColumnDef::new("invitation_expires_at").big_integer().null())
                .col(ColumnDef::new("accepted_at").big_integer().null())
                // The organisation the user last chose to work for.
                .col(ColumnDef::new("organisation_id").big_integer().null())
                .col(timestamp("created_at"))
                .foreign_key(&mut foreign_key(
                    ("portal_accounts", "contact_id"),
                    "contacts",
                    ForeignKeyAction::Cascade,
                ))
                .to_owned(),
        )
        .await?;

        // Invitation and reset tokens, stored hashed; a token is deleted when used, and issuing
        // a new one of a kind deletes the contact's older ones.
        m.create_table(
            Table::create()
                .table("portal_tokens")
                .col(id_column())
                .col(ColumnDef::new("contact_id").big_integer().not_null())
                .col(ColumnDef::new("purpose").string().not_null())
                .col(
                    ColumnDef::new("token_hash")
                        .string()
                        .not_null()
                        .unique_key(),
                )
                .col(timestamp("expires_at"))
                .col(timestamp("created_at"))
                .foreign_key(&mut foreign_key(
                    ("portal_tokens", "contact_id"),
                    "contacts",
                    ForeignKeyAction::Cascade,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            "portal_tokens",
            "portal_tokens_contact",
            &["contact_id", "purpose"],
        ))
        .await?;

        // Who may see which case on the portal. A revoked grant keeps its row (enabled false)
        // so the "can download" choice survives a later re-grant.
        m.create_table(
            Table::create()
                .table("case_portal_access")
                .col(ColumnDef::new("case_id").big_integer().not_null())
                .col(ColumnDef::new("contact_id").big_integer().not_null())
                .col(ColumnDef::new("enabled").boolean().not_null())
                .col(ColumnDef::new("can_download").boolean().not_null())
                .col(timestamp("updated_at"))
                .primary_key(Index::create().col("case_id").col("contact_id"))
                .foreign_key(&mut foreign_key(
                    ("case_portal_access", "case_id"),
                    "cases",
                    ForeignKeyAction::Cascade,
                ))
                .foreign_key(&mut foreign_key(
                    ("case_portal_access", "contact_id"),
                    "contacts",
                    ForeignKeyAction::Cascade,
                ))
                .to_owned(),
        )
        .await?;
        // The portal's case list starts from the user's grants.
        m.create_index(index(
            "case_portal_access",
            "case_portal_access_contact",
            &["contact_id", "enabled", "case_id"],
        ))
        .await?;

        // The engine refuses a portal user whose email another contact has; this index makes
        // two concurrent switches on the same email fail too. Both SQLite and PostgreSQL take
        // a partial expression index in this spelling.
        m.get_connection()
            .execute_unprepared(
                "CREATE UNIQUE INDEX contacts_portal_email ON contacts (lower(email)) WHERE portal_user",
            )
            .await?;
        Ok(())
    }
}
