//! Metadata operations on the engine. Reading is open to all staff; changing is admin work.

use super::{DefinitionChange, EntityKind, FieldDefinition, NewDefinition};
use crate::Engine;
use crate::error::Result;
use crate::identity::{Action, Object, Principal};

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
            async move { crate::records::option_in_use(&db, &def, &option).await }
        })
        .await?;
        drop(gate);
        self.changed().await?;
        Ok(d)
    }
}
