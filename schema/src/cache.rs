//! One built schema per metadata version, swapped atomically when the version moves.

use arc_swap::ArcSwapOption;
use async_graphql::dynamic::{Schema, SchemaError};
use portico_engine::Engine;
use portico_engine::metadata::Catalog;
use std::sync::Arc;

pub struct SchemaCache {
    current: ArcSwapOption<(i64, Schema)>,
    build: fn(&Arc<Catalog>, Arc<Engine>) -> Result<Schema, SchemaError>,
    rebuild: tokio::sync::Mutex<()>,
}

impl SchemaCache {
    pub fn new(build: fn(&Arc<Catalog>, Arc<Engine>) -> Result<Schema, SchemaError>) -> Self {
        SchemaCache {
            current: ArcSwapOption::empty(),
            build,
            rebuild: tokio::sync::Mutex::new(()),
        }
    }

    pub fn staff() -> Self {
        Self::new(crate::build_staff_schema)
    }

    pub fn portal() -> Self {
        Self::new(crate::build_portal_schema)
    }

    /// The schema for `catalog`'s version, built on first use after a change. Concurrent
    /// requests wait for one build rather than each building their own.
    pub async fn get(
        &self,
        catalog: &Arc<Catalog>,
        engine: &Arc<Engine>,
    ) -> Result<Schema, SchemaError> {
        if let Some(current) = self.current.load().as_ref()
            && current.0 == catalog.version
        {
            return Ok(current.1.clone());
        }
        let _guard = self.rebuild.lock().await;
        if let Some(current) = self.current.load().as_ref()
            && current.0 == catalog.version
        {
            return Ok(current.1.clone());
        }
        let schema = (self.build)(catalog, engine.clone())?;
        self.current
            .store(Some(Arc::new((catalog.version, schema.clone()))));
        Ok(schema)
    }
}
