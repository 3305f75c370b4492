//! Portico's database schema, as one ordered list of sea-orm migrations.
//!
//! Every table and index lives here so that SQLite and PostgreSQL get the same schema from the
//! same code; the engine runs [`Migrator::up`] on start. Indexes on admin-defined custom fields
//! are not here: they depend on run-time metadata and are created by the engine.

use sea_orm_migration::prelude::*;

mod m20261123_000001_identity;
mod m20261123_000002_metadata;
mod m20261123_000003_records;
mod m20261124_000004_mail;
mod m20261125_000005_portal;
mod m20261126_000006_documents;
mod m20261127_000007_notifications;
mod m20261129_000008_access;
mod m20261130_000009_staff_ui;
mod m20261204_000010_secrets;
mod m20261206_000011_option_meaning;
mod m20261206_000012_link_use;
mod m20261206_000013_search_words;
mod m20261206_000014_branding;
mod m20261206_000015_field_languages;
mod m20261206_000016_staff_invitations;
mod m20261206_000017_time_zones;
mod m20261206_000018_client_requests;
mod m20261206_000019_request_templates_and_reminders;
mod m20261206_000020_signatures;
mod m20261206_000021_conversations;
mod m20261206_000022_version_notify;
mod m20261206_000023_grants_in_case_order;
mod m20261206_000024_mail_gather_key;

pub use sea_orm_migration::MigratorTrait;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261123_000001_identity::Migration),
            Box::new(m20261123_000002_metadata::Migration),
            Box::new(m20261123_000003_records::Migration),
            Box::new(m20261124_000004_mail::Migration),
            Box::new(m20261125_000005_portal::Migration),
            Box::new(m20261126_000006_documents::Migration),
            Box::new(m20261127_000007_notifications::Migration),
            Box::new(m20261129_000008_access::Migration),
            Box::new(m20261130_000009_staff_ui::Migration),
            Box::new(m20261204_000010_secrets::Migration),
            Box::new(m20261206_000011_option_meaning::Migration),
            Box::new(m20261206_000012_link_use::Migration),
            Box::new(m20261206_000013_search_words::Migration),
            Box::new(m20261206_000014_branding::Migration),
            Box::new(m20261206_000015_field_languages::Migration),
            Box::new(m20261206_000016_staff_invitations::Migration),
            Box::new(m20261206_000017_time_zones::Migration),
            Box::new(m20261206_000018_client_requests::Migration),
            Box::new(m20261206_000019_request_templates_and_reminders::Migration),
            Box::new(m20261206_000020_signatures::Migration),
            Box::new(m20261206_000021_conversations::Migration),
            Box::new(m20261206_000022_version_notify::Migration),
            Box::new(m20261206_000023_grants_in_case_order::Migration),
            Box::new(m20261206_000024_mail_gather_key::Migration),
        ]
    }
}

/// Timestamps are stored as microseconds since the Unix epoch in a BIGINT on every backend:
/// one representation, exact ordering for cursors, and compact indexes.
pub(crate) fn timestamp(name: &'static str) -> ColumnDef {
    ColumnDef::new(name).big_integer().not_null().take()
}

pub(crate) fn id_column() -> ColumnDef {
    ColumnDef::new("id")
        .big_integer()
        .not_null()
        .auto_increment()
        .primary_key()
        .take()
}

/// A foreign key from `(table, column)` to `to.id`.
pub(crate) fn foreign_key(
    from: (&'static str, &'static str),
    to: &'static str,
    on_delete: ForeignKeyAction,
) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .from(from.0, from.1)
        .to(to, "id")
        .on_delete(on_delete)
        .to_owned()
}

/// A plain index over `cols`, in order.
pub(crate) fn index(
    table: &'static str,
    name: &'static str,
    cols: &[&'static str],
) -> IndexCreateStatement {
    let mut idx = Index::create();
    idx.name(name).table(table);
    for c in cols {
        idx.col(*c);
    }
    idx.to_owned()
}
