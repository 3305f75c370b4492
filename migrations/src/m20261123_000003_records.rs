//! Contacts, relationships, cases, case contacts, deals and the audit log.
//!
//! System fields are real columns; admin-defined fields live in the JSON `custom` column
//! (`jsonb` on PostgreSQL). Each list a user pages through has an index ending in
//! `(created_at, id)`, the default order, so paging stays an index range scan.

use crate::{foreign_key, id_column, index, timestamp};
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

fn custom() -> ColumnDef {
    ColumnDef::new("custom").json_binary().not_null().take()
}

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
                .table("contacts")
                .col(id_column())
                .col(ColumnDef::new("kind").string().not_null())
                .col(ColumnDef::new("name").string().not_null())
                .col(ColumnDef::new("email").string().null())
                .col(ColumnDef::new("phone").string().null())
                .col(ColumnDef::new("portal_user").boolean().not_null())
                .col(ColumnDef::new("language").string().null())
                .col(custom())
                .col(timestamp("created_at"))
                .col(timestamp("updated_at"))
                .to_owned(),
        )
        .await?;
        for (name, cols) in [
            ("contacts_created", &["created_at", "id"][..]),
            ("contacts_name", &["name", "id"][..]),
            ("contacts_email", &["email"][..]),
            ("contacts_kind_name", &["kind", "name", "id"][..]),
        ] {
            m.create_index(index("contacts", name, cols)).await?;
        }

        m.create_table(
            Table::create()
                .table("relationships")
                .col(id_column())
                .col(ColumnDef::new("individual_id").big_integer().not_null())
                .col(ColumnDef::new("organisation_id").big_integer().not_null())
                .col(ColumnDef::new("role").string().null())
                .col(timestamp("created_at"))
                .foreign_key(&mut foreign_key(
                    ("relationships", "individual_id"),
                    "contacts",
                    ForeignKeyAction::Cascade,
                ))
                .foreign_key(&mut foreign_key(
                    ("relationships", "organisation_id"),
                    "contacts",
                    ForeignKeyAction::Cascade,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(
            index(
                "relationships",
                "relationships_pair",
                &["individual_id", "organisation_id"],
            )
            .unique()
            .to_owned(),
        )
        .await?;
        m.create_index(index(
            "relationships",
            "relationships_organisation",
            &["organisation_id"],
        ))
        .await?;

        m.create_table(
            Table::create()
                .table("cases")
                .col(id_column())
                .col(ColumnDef::new("subject").string().not_null())
                .col(ColumnDef::new("description").text().null())
                .col(ColumnDef::new("status").string().not_null())
                .col(ColumnDef::new("owner_id").big_integer().null())
                .col(ColumnDef::new("client_id").big_integer().null())
                .col(custom())
                .col(timestamp("created_at"))
                .col(timestamp("updated_at"))
                .foreign_key(&mut foreign_key(
                    ("cases", "owner_id"),
                    "staff_users",
                    ForeignKeyAction::Restrict,
                ))
                .foreign_key(&mut foreign_key(
                    ("cases", "client_id"),
                    "contacts",
                    ForeignKeyAction::Restrict,
                ))
                .to_owned(),
        )
        .await?;
        for (name, cols) in [
            ("cases_created", &["created_at", "id"][..]),
            ("cases_status_created", &["status", "created_at", "id"][..]),
            (
                "cases_client_created",
                &["client_id", "created_at", "id"][..],
            ),
            (
                "cases_client_status_created",
                &["client_id", "status", "created_at", "id"][..],
            ),
            ("cases_owner_created", &["owner_id", "created_at", "id"][..]),
        ] {
            m.create_index(index("cases", name, cols)).await?;
        }

        m.create_table(
            Table::create()
                .table("case_contacts")
                .col(ColumnDef::new("case_id").big_integer().not_null())
                .col(ColumnDef::new("contact_id").big_integer().not_null())
                .col(timestamp("created_at"))
                .primary_key(Index::create().col("case_id").col("contact_id"))
                .foreign_key(&mut foreign_key(
                    ("case_contacts", "case_id"),
                    "cases",
                    ForeignKeyAction::Cascade,
                ))
                .foreign_key(&mut foreign_key(
                    ("case_contacts", "contact_id"),
                    "contacts",
                    ForeignKeyAction::Cascade,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            "case_contacts",
            "case_contacts_contact",
            &["contact_id"],
        ))
        .await?;

        m.create_table(
            Table::create()
                .table("deals")
                .col(id_column())
                .col(ColumnDef::new("name").string().not_null())
                .col(ColumnDef::new("amount").double().null())
                .col(ColumnDef::new("stage").string().not_null())
                .col(ColumnDef::new("owner_id").big_integer().null())
                .col(ColumnDef::new("client_id").big_integer().null())
                .col(custom())
                .col(timestamp("created_at"))
                .col(timestamp("updated_at"))
                .foreign_key(&mut foreign_key(
                    ("deals", "owner_id"),
                    "staff_users",
                    ForeignKeyAction::Restrict,
                ))
                .foreign_key(&mut foreign_key(
                    ("deals", "client_id"),
                    "contacts",
                    ForeignKeyAction::Restrict,
                ))
                .to_owned(),
        )
        .await?;
        for (name, cols) in [
            ("deals_created", &["created_at", "id"][..]),
            ("deals_stage_created", &["stage", "created_at", "id"][..]),
            (
                "deals_client_created",
                &["client_id", "created_at", "id"][..],
            ),
            ("deals_owner_created", &["owner_id", "created_at", "id"][..]),
        ] {
            m.create_index(index("deals", name, cols)).await?;
        }

        m.create_table(
            Table::create()
                .table("audit_events")
                .col(id_column())
                .col(ColumnDef::new("entity").string().not_null())
                .col(ColumnDef::new("record_id").big_integer().not_null())
                .col(ColumnDef::new("actor_id").big_integer().null())
                .col(ColumnDef::new("actor_name").string().not_null())
                .col(ColumnDef::new("action").string().not_null())
                .col(ColumnDef::new("detail").text().not_null())
                .col(timestamp("at"))
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            "audit_events",
            "audit_events_record",
            &["entity", "record_id", "at"],
        ))
        .await
    }
}
