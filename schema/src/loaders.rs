//! Nested lists of a page, loaded once per list instead of once per row.
//!
//! async-graphql resolves a page's rows together, in one task: each row's `contacts` (or
//! `documents`, ...) registers its key with this request's batcher and yields once, so that
//! every other row registers too; then the first row to run again loads all the keys in one
//! call (`StaffHandle::*_for`) and the others take their part of the answer. No timer and no
//! extra task: a request without nested lists pays nothing, one with them pays one query per
//! list. (async-graphql's own DataLoader waits a millisecond on a timer thread per level and
//! spawns a task per batch, which halved the throughput of a single-record read.)

use crate::args::engine_err;
use futures_util::future::{BoxFuture, FutureExt, Shared};
use portico_engine::StaffHandle;
use portico_engine::documents::{Document, DocumentQuery, Folder};
use portico_engine::identity::StaffUser;
use portico_engine::metadata::EntityKind;
use portico_engine::records::{Record, Relationship};
use std::collections::HashMap;
use std::hash::Hash;
use std::sync::{Arc, Mutex};

type Error = async_graphql::Error;
type Loaded<K, V> = Result<Arc<HashMap<K, V>>, Error>;
type LoadFn<K, V> = fn(StaffHandle, Vec<K>) -> BoxFuture<'static, Loaded<K, V>>;
/// A batch being loaded: its keys and the answer every row of it awaits.
type InFlight<K, V> = (Vec<K>, Shared<BoxFuture<'static, Loaded<K, V>>>);

struct State<K, V> {
    /// Keys registered and not yet being loaded.
    pending: Vec<K>,
    /// The batch being loaded, and the keys in it.
    loading: Option<InFlight<K, V>>,
    /// Answers of finished batches, for rows that come back after their batch finished.
    done: HashMap<K, V>,
}

/// One request's batches of one kind of key.
pub struct Batcher<K, V> {
    handle: StaffHandle,
    load: LoadFn<K, V>,
    state: Mutex<State<K, V>>,
}

impl<K, V> Batcher<K, V>
where
    K: Clone + Eq + Hash + Send + Sync + 'static,
    V: Clone + Send + Sync + 'static,
{
    fn new(handle: StaffHandle, load: LoadFn<K, V>) -> Self {
        Batcher {
            handle,
            load,
            state: Mutex::new(State {
                pending: Vec::new(),
                loading: None,
                done: HashMap::new(),
            }),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State<K, V>> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The value for `key`, loaded with every other key registered meanwhile.
    pub async fn load(&self, key: K) -> Result<Option<V>, Error> {
        {
            let mut st = self.lock();
            if let Some(v) = st.done.get(&key) {
                return Ok(Some(v.clone()));
            }
            if !st.pending.contains(&key) {
                st.pending.push(key.clone());
            }
        }
        // Let the other rows of the page register their keys.
        tokio::task::yield_now().await;
        let batch = {
            let mut st = self.lock();
            if let Some(v) = st.done.get(&key) {
                return Ok(Some(v.clone()));
            }
            match &st.loading {
                Some((keys, fut)) if keys.contains(&key) => fut.clone(),
                _ => {
                    let keys = std::mem::take(&mut st.pending);
                    let fut = (self.load)(self.handle.clone(), keys.clone()).shared();
                    st.loading = Some((keys, fut.clone()));
                    fut
                }
            }
        };
        let found = batch.await?;
        let mut st = self.lock();
        for (k, v) in found.iter() {
            st.done.entry(k.clone()).or_insert_with(|| v.clone());
        }
        Ok(found.get(&key).cloned())
    }
}

/// Answers every key of a batch from a map by id (a missing id is an empty list).
fn by_key<K: Clone + Eq + Hash, V: Clone + Default>(
    keys: &[K],
    id: impl Fn(&K) -> i64,
    mut found: HashMap<i64, V>,
) -> HashMap<K, V> {
    keys.iter()
        .map(|k| (k.clone(), found.remove(&id(k)).unwrap_or_default()))
        .collect()
}

fn ids(keys: &[i64]) -> Vec<i64> {
    let mut ids = keys.to_vec();
    ids.sort_unstable();
    ids.dedup();
    ids
}

/// One request's batchers, one per nested list a staff page may show.
pub struct Loaders {
    pub case_contacts: Batcher<i64, Vec<Record>>,
    pub case_documents: Batcher<(i64, DocumentQuery), Vec<Document>>,
    pub case_folders: Batcher<i64, Vec<Folder>>,
    pub shared_with: Batcher<i64, Vec<Record>>,
    pub relationships: Batcher<i64, Vec<Relationship>>,
    pub contacts: Batcher<i64, Record>,
    pub users: Batcher<i64, StaffUser>,
    /// `Case.unreadMessages`: the caller's unread messages per case.
    pub unread: Batcher<i64, i64>,
}

impl Loaders {
    pub fn for_staff(h: StaffHandle) -> Loaders {
        Loaders {
            case_contacts: Batcher::new(h.clone(), |h, keys| {
                async move {
                    let found = h.case_contacts_for(&ids(&keys)).await.map_err(engine_err)?;
                    Ok(Arc::new(by_key(&keys, |k| *k, found)))
                }
                .boxed()
            }),
            case_documents: Batcher::new(h.clone(), |h, keys| {
                async move {
                    // One query per distinct sort and search (each `documents` field has one).
                    let mut out = HashMap::new();
                    let mut hows: Vec<DocumentQuery> = Vec::new();
                    for (_, how) in &keys {
                        if !hows.contains(how) {
                            hows.push(how.clone());
                        }
                    }
                    for how in hows {
                        let group: Vec<(i64, DocumentQuery)> =
                            keys.iter().filter(|k| k.1 == how).cloned().collect();
                        let case_ids: Vec<i64> = group.iter().map(|k| k.0).collect();
                        let found = h
                            .case_documents_for(&ids(&case_ids), &how)
                            .await
                            .map_err(engine_err)?;
                        out.extend(by_key(&group, |k| k.0, found));
                    }
                    Ok(Arc::new(out))
                }
                .boxed()
            }),
            case_folders: Batcher::new(h.clone(), |h, keys| {
                async move {
                    let found = h.case_folders_for(&ids(&keys)).await.map_err(engine_err)?;
                    Ok(Arc::new(by_key(&keys, |k| *k, found)))
                }
                .boxed()
            }),
            shared_with: Batcher::new(h.clone(), |h, keys| {
                async move {
                    let found = h
                        .document_shared_with_for(&ids(&keys))
                        .await
                        .map_err(engine_err)?;
                    Ok(Arc::new(by_key(&keys, |k| *k, found)))
                }
                .boxed()
            }),
            relationships: Batcher::new(h.clone(), |h, keys| {
                async move {
                    let found = h.relationships_for(&ids(&keys)).await.map_err(engine_err)?;
                    Ok(Arc::new(by_key(&keys, |k| *k, found)))
                }
                .boxed()
            }),
            contacts: Batcher::new(h.clone(), |h, keys| {
                async move {
                    // One record (a single case's client) is a read by primary key, which
                    // costs less than the general list a batch needs.
                    let found = match keys.as_slice() {
                        [one] => match h.get(EntityKind::Contact, *one).await {
                            Ok(r) => vec![r],
                            Err(portico_engine::EngineError::NotFound { .. }) => Vec::new(),
                            Err(e) => return Err(engine_err(e)),
                        },
                        _ => h
                            .get_many(EntityKind::Contact, &ids(&keys))
                            .await
                            .map_err(engine_err)?,
                    };
                    Ok(Arc::new(found.into_iter().map(|r| (r.id, r)).collect()))
                }
                .boxed()
            }),
            unread: Batcher::new(h.clone(), |h, keys| {
                async move {
                    let found = h.unread_messages(&ids(&keys)).await.map_err(engine_err)?;
                    Ok(Arc::new(by_key(&keys, |k| *k, found)))
                }
                .boxed()
            }),
            users: Batcher::new(h, |h, keys| {
                async move {
                    let found = h.staff_users_for(&ids(&keys)).await.map_err(engine_err)?;
                    Ok(Arc::new(found))
                }
                .boxed()
            }),
        }
    }
}
