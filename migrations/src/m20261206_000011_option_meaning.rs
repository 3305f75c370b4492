//! What a select's options mean, apart from their labels: the option a new record takes
//! (`default_option`) and the options that mean "finished" (`closed_options`, a JSON list:
//! a case's Closed, a deal's Won and Lost). The portal home, new cases and the indicators
//! used to compare labels, and an admin who renamed "Closed" broke them.
//!
//! Existing installations get the meaning Portico shipped with, for the options still named
//! as shipped; the engine gives a status or stage left without a default its first option
//! when it starts.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// `(entity, key, closed options as shipped)`.
const SHIPPED: [(&str, &str, &[&str]); 2] = [
    ("CASE", "status", &["Closed"]),
    ("DEAL", "stage", &["Won", "Lost"]),
];

/// A SQL expression: the JSON list of those of `names` that `options` (a JSON list of
/// strings, as the engine writes it) still holds, in order.
fn still_named(names: &[&str]) -> String {
    let mut arms = Vec::new();
    // Every subset, largest first, so the first arm that matches is the whole answer.
    for mask in (1..(1u32 << names.len())).rev() {
        let chosen: Vec<&str> = names
            .iter()
            .enumerate()
            .filter(|(i, _)| mask & (1 << i) != 0)
            .map(|(_, n)| *n)
            .collect();
        let test = chosen
            .iter()
            .map(|n| format!("options LIKE '%\"{n}\"%'"))
            .collect::<Vec<_>>()
            .join(" AND ");
        let list = chosen
            .iter()
            .map(|n| format!("\"{n}\""))
            .collect::<Vec<_>>()
            .join(",");
        arms.push(format!("WHEN {test} THEN '[{list}]'"));
    }
    format!("CASE {} ELSE '[]' END", arms.join(" "))
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table("field_definitions")
                .add_column(ColumnDef::new("default_option").string().null())
                .to_owned(),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table("field_definitions")
                .add_column(
                    ColumnDef::new("closed_options")
                        .text()
                        .not_null()
                        .default("[]"),
                )
                .to_owned(),
        )
        .await?;
        let db = m.get_connection();
        for (entity, key, closed) in SHIPPED {
            db.execute_unprepared(&format!(
                "UPDATE field_definitions SET closed_options = {} \
                 WHERE entity = '{entity}' AND \"key\" = '{key}'",
                still_named(closed)
            ))
            .await?;
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for column in ["closed_options", "default_option"] {
            m.alter_table(
                Table::alter()
                    .table("field_definitions")
                    .drop_column(column)
                    .to_owned(),
            )
            .await?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::still_named;
    use sea_orm_migration::sea_orm::{ConnectionTrait, Database, Statement};

    /// The backfill keeps the shipped closed options that an installation still names so, in
    /// their order, and no other.
    #[tokio::test]
    async fn the_shipped_closed_options_are_kept_where_still_so_named() {
        let db = Database::connect("sqlite::memory:").await.unwrap();
        for (options, want) in [
            (r#"["Prospecting","Won","Lost"]"#, r#"["Won","Lost"]"#),
            (r#"["Ganada","Lost"]"#, r#"["Lost"]"#),
            (r#"["Won","Perdida"]"#, r#"["Won"]"#),
            (r#"["Abierta","Cerrada"]"#, "[]"),
        ] {
            let sql = format!(
                "SELECT {} FROM (SELECT '{options}' AS options)",
                still_named(&["Won", "Lost"])
            );
            let row = db
                .query_one_raw(Statement::from_string(db.get_database_backend(), sql))
                .await
                .unwrap()
                .unwrap();
            let got: String = row.try_get_by_index(0).unwrap();
            assert_eq!(got, want, "{options}");
        }
    }
}
