//! An immutable snapshot of all metadata at one version, with its compiled validators.
//! Requests hold an `Arc<Catalog>`; a change publishes a new one and running requests finish
//! on the old.

use super::validation::{Mode, RecordValidator, writable_fields};
use super::{Audience, EntityKind, FieldDefinition};
use crate::error::{EngineError, Result};
use std::collections::HashMap;

pub struct EntityMeta {
    pub entity: EntityKind,
    /// Every definition, active or not, in display order (block, position).
    pub fields: Vec<FieldDefinition>,
    validators: HashMap<(Audience, Mode), RecordValidator>,
}

impl EntityMeta {
    pub fn field(&self, key: &str) -> Option<&FieldDefinition> {
        self.fields.iter().find(|f| f.key == key)
    }

    /// Active fields the audience can see, in display order.
    pub fn visible(&self, audience: Audience) -> impl Iterator<Item = &FieldDefinition> {
        self.fields.iter().filter(move |f| f.visible_to(audience))
    }

    pub fn validator(&self, audience: Audience, mode: Mode) -> &RecordValidator {
        // Every combination is built in `Catalog::build`.
        &self.validators[&(audience, mode)]
    }
}

pub struct Catalog {
    pub version: i64,
    entities: HashMap<EntityKind, EntityMeta>,
}

impl Catalog {
    pub fn build(version: i64, definitions: Vec<FieldDefinition>) -> Result<Self> {
        let mut entities = HashMap::new();
        for entity in EntityKind::ALL {
            let fields: Vec<FieldDefinition> = definitions
                .iter()
                .filter(|d| d.entity == entity)
                .cloned()
                .collect();
            let mut validators = HashMap::new();
            for audience in [Audience::Staff, Audience::Portal] {
                let writable = writable_fields(&fields, audience);
                for mode in [Mode::Create, Mode::Patch] {
                    validators.insert(
                        (audience, mode),
                        RecordValidator::build(entity, writable.clone(), mode)?,
                    );
                }
            }
            entities.insert(
                entity,
                EntityMeta {
                    entity,
                    fields,
                    validators,
                },
            );
        }
        Ok(Self { version, entities })
    }

    pub fn entity(&self, entity: EntityKind) -> &EntityMeta {
        &self.entities[&entity]
    }

    pub fn field(&self, entity: EntityKind, key: &str) -> Result<&FieldDefinition> {
        self.entity(entity)
            .field(key)
            .ok_or_else(|| EngineError::not_found("field definition", key))
    }
}
