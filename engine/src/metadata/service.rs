//! Metadata operations on the engine. Reading is open to all staff; changing is admin work.

use super::{DefinitionChange, EntityKind, FieldDefinition, NewDefinition};
use crate::Engine;
use crate::error::Result;
use crate::identity::{Action, Object, Principal};
use sea_orm::TransactionTrait;

impl Engine {
    pub(crate) async fn field_definitions(
        &self,
        p: &Principal,
        entity: EntityKind,
        include_inactive: bool,
    ) -> Result<Vec<FieldDefinition>> {
        self.authorize(p, Object::FieldDefinition, Action::Read)?;
        let catalog = self.catalog();
        Ok(catalog
            .entity(entity)
            .fields
            .iter()
            .filter(|f| include_inactive || f.active)
            .cloned()
            .collect())
    }

    pub(crate) async fn create_field_definition(
        &self,
        p: &Principal,
        new: NewDefinition,
    ) -> Result<FieldDefinition> {
        self.authorize(p, Object::FieldDefinition, Action::Manage)?;
        let gate = self.write_gate().await;
        let d = super::create(&self.writer, new).await?;
        crate::records::ensure_index(&self.writer, &d).await?;
        drop(gate);
        self.changed().await?;
        Ok(d)
    }

    pub(crate) async fn update_field_definition(
        &self,
        p: &Principal,
        entity: EntityKind,
        key: &str,
        change: DefinitionChange,
    ) -> Result<FieldDefinition> {
        self.authorize(p, Object::FieldDefinition, Action::Manage)?;
        let db = self.db.clone();
        let gate = self.write_gate().await;
        let d = super::update(&self.writer, entity, key, change, |def, option| {
            let db = db.clone();
            async move { Ok(crate::records::option_count(&db, &def, &option).await? > 0) }
        })
        .await?;
        drop(gate);
        self.changed().await?;
        Ok(d)
    }

    /// How many records hold each option of a SELECT or MULTISELECT field: what an admin is
    /// told before removing one.
    pub(crate) async fn field_option_usage(
        &self,
        p: &Principal,
        entity: EntityKind,
        key: &str,
    ) -> Result<Vec<(String, i64)>> {
        self.authorize(p, Object::FieldDefinition, Action::Read)?;
        let catalog = self.catalog();
        let Some(def) = catalog.entity(entity).fields.iter().find(|f| f.key == key) else {
            return Err(crate::error::EngineError::not_found("FieldDefinition", key));
        };
        let mut out = Vec::with_capacity(def.options.len());
        for option in &def.options {
            let n = crate::records::option_count(&self.reader(), def, option).await?;
            out.push((option.clone(), n));
        }
        Ok(out)
    }

    /// Renames an option and every stored value that holds it, in one transaction.
    pub(crate) async fn rename_field_option(
        &self,
        p: &Principal,
        entity: EntityKind,
        key: &str,
        from: &str,
        to: &str,
    ) -> Result<FieldDefinition> {
        self.authorize(p, Object::FieldDefinition, Action::Manage)?;
        let gate = self.write_gate().await;
        let txn = self.writer.begin().await?;
        let old = self
            .catalog()
            .entity(entity)
            .fields
            .iter()
            .find(|f| f.key == key)
            .cloned();
        let d = super::rename_option(&txn, entity, key, from, to).await?;
        if let Some(old) = old {
            crate::records::rename_option(&txn, &old, from, to.trim()).await?;
        }
        txn.commit().await?;
        drop(gate);
        self.changed().await?;
        Ok(d)
    }
}
