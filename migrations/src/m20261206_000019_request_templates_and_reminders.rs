//! What client requests need beyond themselves: questionnaires saved to reuse, the reminder
//! schedule an admin sets (one row), and each reminder sent. A reminder's row has the request,
//! the contact and the step (`before`, `due`, `late-N`) as its key, so two schedulers in two
//! processes cannot both send one: the second insert fails and that process skips it.

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
                .table("questionnaire_templates")
                .col(
                    ColumnDef::new("id")
                        .big_integer()
                        .not_null()
                        .auto_increment()
                        .primary_key(),
                )
                .col(ColumnDef::new("name").string_len(200).not_null())
                .col(ColumnDef::new("questions").text().not_null())
                .col(ColumnDef::new("created_by").big_integer().null())
                .col(ColumnDef::new("updated_at").big_integer().not_null())
                .to_owned(),
        )
        .await?;
        m.create_index(
            crate::index(
                "questionnaire_templates",
                "questionnaire_templates_name",
                &["name"],
            )
            .unique()
            .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("request_reminder_settings")
                .col(ColumnDef::new("id").integer().not_null().primary_key())
                .col(
                    ColumnDef::new("days_before")
                        .integer()
                        .not_null()
                        .default(2),
                )
                .col(
                    ColumnDef::new("on_due_date")
                        .boolean()
                        .not_null()
                        .default(true),
                )
                .col(ColumnDef::new("every_days").integer().not_null().default(3))
                .col(ColumnDef::new("updated_at").big_integer().not_null())
                .to_owned(),
        )
        .await?;
        m.exec_stmt(
            Query::insert()
                .into_table("request_reminder_settings")
                .columns(["id", "updated_at"])
                .values_panic([1.into(), 0i64.into()])
                .to_owned(),
        )
        .await?;
        // The reminder scheduler's question: what waits for a client and is due by a day.
        m.create_index(crate::index(
            "client_requests",
            "client_requests_state_due",
            &["state", "due_date"],
        ))
        .await?;
        m.create_table(
            Table::create()
                .table("client_request_reminders")
                .col(ColumnDef::new("request_id").big_integer().not_null())
                .col(ColumnDef::new("contact_id").big_integer().not_null())
                .col(ColumnDef::new("step").string_len(32).not_null())
                .col(ColumnDef::new("sent_at").big_integer().not_null())
                .primary_key(
                    Index::create()
                        .col("request_id")
                        .col("contact_id")
                        .col("step"),
                )
                .foreign_key(
                    ForeignKey::create()
                        .from("client_request_reminders", "request_id")
                        .to("client_requests", "id")
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            "client_request_reminders",
            "request_reminder_settings",
            "questionnaire_templates",
        ] {
            m.drop_table(Table::drop().table(table).to_owned()).await?;
        }
        Ok(())
    }
}
