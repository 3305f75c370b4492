//! Field metadata: what fields each entity has, how they are typed, and which of them the
//! portal shows. Schemas, forms and validators are all derived from it.

mod catalog;
mod definition;
mod field_type;
mod key;
mod service;
mod store;
pub(crate) mod system_fields;
pub mod validation;

pub use catalog::{Catalog, EntityMeta};
pub use definition::{Audience, EntityKind, FieldDefinition, Translations, enum_value_name};
pub use field_type::{FieldType, Input, TypeSpec, ValueKind};
pub use key::FieldKey;
pub use store::{DefinitionChange, NewDefinition};
pub(crate) use store::{create, load_all, rename_option, seed_system_fields, update};
