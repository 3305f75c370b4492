//! Nested lists of a page, loaded once per list instead of once per row.
//!
//! async-graphql resolves a page's rows together; each row's `contacts` (or `documents`, ...)
//! asks this request's loader for its key, the loader waits a moment for the other rows' keys
//! and asks the engine once for all of them (`StaffHandle::*_for`). A page of 100 cases with
//! contacts and documents costs three queries, not 201.

use crate::args::engine_err;
use async_graphql::dataloader::{DataLoader, Loader};
use portico_engine::StaffHandle;
use portico_engine::documents::{Document, DocumentQuery, Folder};
use portico_engine::identity::StaffUser;
use portico_engine::metadata::EntityKind;
use portico_engine::records::{Record, Relationship};
use std::collections::HashMap;
use std::sync::Arc;

/// One request's loader, acting as the request's staff handle.
pub struct Batch(StaffHandle);

pub type Loaders = Arc<DataLoader<Batch>>;

pub fn for_staff(handle: StaffHandle) -> Loaders {
    Arc::new(DataLoader::new(Batch(handle), tokio::spawn))
}

type Error = async_graphql::Error;

/// A case's linked contacts.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct CaseContacts(pub i64);
/// A case's documents, sorted and narrowed as the field asks.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct CaseDocuments(pub i64, pub DocumentQuery);
/// A case's folders.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct CaseFolders(pub i64);
/// The contacts a document is shared with.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct SharedWith(pub i64);
/// A contact's relationships.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Relationships(pub i64);
/// A contact a record points to.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct ContactRef(pub i64);
/// A staff user a record points to.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct UserRef(pub i64);

fn ids<K, F: Fn(&K) -> i64>(keys: &[K], f: F) -> Vec<i64> {
    let mut ids: Vec<i64> = keys.iter().map(f).collect();
    ids.sort_unstable();
    ids.dedup();
    ids
}

/// Answers every key of a batch from a map by id (a missing id is an empty list).
fn by_key<K: Clone + Eq + std::hash::Hash, V: Clone + Default>(
    keys: &[K],
    id: impl Fn(&K) -> i64,
    mut found: HashMap<i64, V>,
) -> HashMap<K, V> {
    keys.iter()
        .map(|k| (k.clone(), found.remove(&id(k)).unwrap_or_default()))
        .collect()
}

impl Loader<CaseContacts> for Batch {
    type Value = Vec<Record>;
    type Error = Error;

    async fn load(
        &self,
        keys: &[CaseContacts],
    ) -> Result<HashMap<CaseContacts, Vec<Record>>, Error> {
        let found = self
            .0
            .case_contacts_for(&ids(keys, |k| k.0))
            .await
            .map_err(engine_err)?;
        Ok(by_key(keys, |k| k.0, found))
    }
}

impl Loader<CaseDocuments> for Batch {
    type Value = Vec<Document>;
    type Error = Error;

    async fn load(
        &self,
        keys: &[CaseDocuments],
    ) -> Result<HashMap<CaseDocuments, Vec<Document>>, Error> {
        // One query per distinct sort and search (each `documents` field of a query has one).
        let mut out = HashMap::new();
        let mut hows: Vec<&DocumentQuery> = Vec::new();
        for k in keys {
            if !hows.contains(&&k.1) {
                hows.push(&k.1);
            }
        }
        for how in hows {
            let group: Vec<CaseDocuments> = keys.iter().filter(|k| &k.1 == how).cloned().collect();
            let found = self
                .0
                .case_documents_for(&ids(&group, |k| k.0), how)
                .await
                .map_err(engine_err)?;
            out.extend(by_key(&group, |k| k.0, found));
        }
        Ok(out)
    }
}

impl Loader<CaseFolders> for Batch {
    type Value = Vec<Folder>;
    type Error = Error;

    async fn load(&self, keys: &[CaseFolders]) -> Result<HashMap<CaseFolders, Vec<Folder>>, Error> {
        let found = self
            .0
            .case_folders_for(&ids(keys, |k| k.0))
            .await
            .map_err(engine_err)?;
        Ok(by_key(keys, |k| k.0, found))
    }
}

impl Loader<SharedWith> for Batch {
    type Value = Vec<Record>;
    type Error = Error;

    async fn load(&self, keys: &[SharedWith]) -> Result<HashMap<SharedWith, Vec<Record>>, Error> {
        let found = self
            .0
            .document_shared_with_for(&ids(keys, |k| k.0))
            .await
            .map_err(engine_err)?;
        Ok(by_key(keys, |k| k.0, found))
    }
}

impl Loader<Relationships> for Batch {
    type Value = Vec<Relationship>;
    type Error = Error;

    async fn load(
        &self,
        keys: &[Relationships],
    ) -> Result<HashMap<Relationships, Vec<Relationship>>, Error> {
        let found = self
            .0
            .relationships_for(&ids(keys, |k| k.0))
            .await
            .map_err(engine_err)?;
        Ok(by_key(keys, |k| k.0, found))
    }
}

impl Loader<ContactRef> for Batch {
    type Value = Record;
    type Error = Error;

    async fn load(&self, keys: &[ContactRef]) -> Result<HashMap<ContactRef, Record>, Error> {
        let found = self
            .0
            .get_many(EntityKind::Contact, &ids(keys, |k| k.0))
            .await
            .map_err(engine_err)?;
        Ok(found.into_iter().map(|r| (ContactRef(r.id), r)).collect())
    }
}

impl Loader<UserRef> for Batch {
    type Value = StaffUser;
    type Error = Error;

    async fn load(&self, keys: &[UserRef]) -> Result<HashMap<UserRef, StaffUser>, Error> {
        let found = self
            .0
            .staff_users_for(&ids(keys, |k| k.0))
            .await
            .map_err(engine_err)?;
        Ok(found.into_iter().map(|(id, u)| (UserRef(id), u)).collect())
    }
}
