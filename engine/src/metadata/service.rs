//! Metadata operations on the engine. Reading is open to all staff; changing is admin work.

use super::{DefinitionChange, EntityKind, FieldDefinition, NewDefinition};
use crate::Engine;
use crate::error::Result;
use crate::identity::{Action, Object, Principal};

impl Engine {
    pub async fn field_definitions(
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

    pub async fn create_field_definition(
        &self,
        p: &Principal,
        new: NewDefinition,
    ) -> Result<FieldDefinition> {
        self.authorize(p, Object::FieldDefinition, Action::Manage)?;
        let d = super::create(&self.writer, new).await?;
        crate::records::ensure_index(&self.writer, &d).await?;
        self.changed().await?;
        Ok(d)
    }

    pub async fn update_field_definition(
        &self,
        p: &Principal,
        entity: EntityKind,
        key: &str,
        change: DefinitionChange,
    ) -> Result<FieldDefinition> {
        self.authorize(p, Object::FieldDefinition, Action::Manage)?;
        let db = self.db.clone();
        let d = super::update(&self.writer, entity, key, change, |def, option| {
            let db = db.clone();
            async move {
                let Some(layout) = crate::records::layout::of(def.entity) else {
                    return Ok(false);
                };
                let catalog = super::Catalog::build(0, vec![def.clone()])?;
                crate::records::option_in_use(
                    &db,
                    layout,
                    catalog.entity(def.entity),
                    &def.key,
                    &option,
                )
                .await
            }
        })
        .await?;
        self.changed().await?;
        Ok(d)
    }
}
