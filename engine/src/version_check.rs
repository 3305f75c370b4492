//! The per-request version check on PostgreSQL, shared by requests that arrive together.
//!
//! Every request reads the `system_state` versions so that a change made by any process is in
//! effect on the next request everywhere. On PostgreSQL that read is a round trip (two, with the
//! pool's check on release), and under load it was a third of the queries the database served.
//!
//! A read that *started after* a request arrived is as good for that request as one of its own:
//! it sees every change committed before the request came in. So one read is in flight at a time;
//! requests that arrive while it runs wait for the next one, which starts as soon as the current
//! one ends and serves all of them. Alone, a request costs the one read it always did; under load,
//! one read serves every request that arrived during the previous one. (On SQLite the read runs in
//! place in microseconds and is not shared.)
//!
//! With a listener ([`VersionCheck::with_listener`], PostgreSQL's LISTEN/NOTIFY on the channel a
//! trigger on `system_state` notifies), no read at all while nothing changed: every notification
//! moves an epoch on, and the last read answers every request of the epoch it began in. While
//! the listener is not connected (at start, after PostgreSQL restarted, until it listens again)
//! each request reads as above; reconnecting moves the epoch on, since what was announced
//! meanwhile was lost.

use crate::db::{PgConnections, Reader};
use crate::error::{EngineError, Result};
use crate::state::{self, Versions};
use sea_orm::DatabaseConnection;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::watch;

/// The channel the `system_state` trigger notifies (migration `000022_version_notify`).
const CHANNEL: &str = "portico_versions";

type ReadFuture<'a> = Pin<Box<dyn Future<Output = Result<Versions>> + Send + 'a>>;

/// Where the versions come from: the database, or a test's stand-in that controls timing.
pub(crate) trait VersionSource: Send + Sync + 'static {
    fn read(&self) -> ReadFuture<'_>;
}

impl VersionSource for DatabaseConnection {
    fn read(&self) -> ReadFuture<'_> {
        Box::pin(state::read(self))
    }
}

impl VersionSource for Arc<PgConnections> {
    fn read(&self) -> ReadFuture<'_> {
        Box::pin(async move { state::read(&Reader::Pg(self)).await })
    }
}

pub(crate) struct VersionCheck {
    source: Box<dyn VersionSource>,
    flight: Mutex<Flight>,
    published: watch::Sender<Published>,
    pushed: Option<Arc<Pushed>>,
}

/// What the listener tells: the epoch (moved on by every notification and every reconnect),
/// whether it is listening now, and the last versions read with the epoch they were read in.
#[derive(Default)]
struct Pushed {
    epoch: AtomicU64,
    live: AtomicBool,
    last: Mutex<Option<(u64, Versions)>>,
}

impl Pushed {
    fn changed(&self) {
        self.epoch.fetch_add(1, Ordering::AcqRel);
    }

    fn last(&self) -> std::sync::MutexGuard<'_, Option<(u64, Versions)>> {
        self.last.lock().unwrap_or_else(|p| p.into_inner())
    }
}

#[derive(Default)]
struct Flight {
    /// Generation of the last read started.
    started: u64,
    running: bool,
    /// The highest generation a waiting request needs.
    wanted: u64,
}

#[derive(Clone, Default)]
struct Published {
    generation: u64,
    versions: Option<Result<Versions, String>>,
}

impl VersionCheck {
    pub fn new(source: impl VersionSource) -> Arc<Self> {
        Self::build(source, None)
    }

    /// A check told of changes by PostgreSQL (LISTEN on `database_url`), reading only after one.
    pub fn with_listener(source: impl VersionSource, database_url: &str) -> Arc<Self> {
        let pushed = Arc::new(Pushed::default());
        tokio::spawn(listen(database_url.to_owned(), Arc::clone(&pushed)));
        Self::build(source, Some(pushed))
    }

    fn build(source: impl VersionSource, pushed: Option<Arc<Pushed>>) -> Arc<Self> {
        Arc::new(VersionCheck {
            source: Box::new(source),
            flight: Mutex::new(Flight::default()),
            published: watch::Sender::new(Published::default()),
            pushed,
        })
    }

    /// The versions as of a moment after this call began (as far as the listener, when there
    /// is one, has been told).
    pub async fn read(self: &Arc<Self>) -> Result<Versions> {
        let Some(pushed) = self
            .pushed
            .as_ref()
            .filter(|p| p.live.load(Ordering::Acquire))
        else {
            return self.read_shared().await;
        };
        let epoch = pushed.epoch.load(Ordering::Acquire);
        if let Some((seen, versions)) = *pushed.last()
            && seen == epoch
        {
            return Ok(versions);
        }
        let versions = self.read_shared().await?;
        let mut last = pushed.last();
        // Tagged with the epoch of before the read: a change announced meanwhile moved the epoch
        // on, so this read answers no request after it.
        if last.is_none_or(|(seen, _)| seen <= epoch) {
            *last = Some((epoch, versions));
        }
        Ok(versions)
    }

    /// A change was committed by this process: the next read goes to the database.
    pub fn invalidate(&self) {
        if let Some(p) = &self.pushed {
            p.changed();
        }
    }

    /// Whether the listener is connected (`None`: this check has none).
    pub fn listening(&self) -> Option<bool> {
        self.pushed.as_ref().map(|p| p.live.load(Ordering::Acquire))
    }

    /// A read begun after this call began, shared with the requests waiting beside it.
    async fn read_shared(self: &Arc<Self>) -> Result<Versions> {
        let mut published = self.published.subscribe();
        let need = {
            let mut f = self.flight();
            if f.running {
                let need = f.started + 1;
                f.wanted = f.wanted.max(need);
                need
            } else {
                f.running = true;
                f.started += 1;
                // Its own task, so a request that goes away cannot strand the ones waiting.
                tokio::spawn(Arc::clone(self).run(f.started));
                f.started
            }
        };
        let p = published
            .wait_for(|p| p.generation >= need)
            .await
            .map_err(|_| EngineError::Internal("the version check stopped".into()))?;
        match &p.versions {
            Some(Ok(v)) => Ok(*v),
            Some(Err(e)) => Err(EngineError::Internal(format!("reading the versions: {e}"))),
            None => Err(EngineError::Internal("no version read yet".into())),
        }
    }

    async fn run(self: Arc<Self>, mut generation: u64) {
        loop {
            let versions = self.source.read().await.map_err(|e| e.to_string());
            self.published.send_replace(Published {
                generation,
                versions: Some(versions),
            });
            let mut f = self.flight();
            if f.wanted > generation {
                f.started += 1;
                generation = f.started;
            } else {
                f.running = false;
                return;
            }
        }
    }

    fn flight(&self) -> std::sync::MutexGuard<'_, Flight> {
        self.flight.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// Keeps a LISTEN connection open for as long as the engine is, reconnecting after a failure;
/// each notification, and each time listening (re)starts, moves the epoch on.
async fn listen(url: String, pushed: Arc<Pushed>) {
    use sea_orm::sqlx::postgres::PgListener;
    loop {
        if let Ok(mut listener) = PgListener::connect(&url).await
            && listener.listen(CHANNEL).await.is_ok()
        {
            pushed.changed();
            pushed.live.store(true, Ordering::Release);
            loop {
                match tokio::time::timeout(Duration::from_secs(5), listener.try_recv()).await {
                    Ok(Ok(Some(_))) => pushed.changed(),
                    // The connection is lost: what was announced meanwhile is lost with it.
                    Ok(Ok(None) | Err(_)) => break,
                    Err(_) if Arc::strong_count(&pushed) == 1 => return,
                    Err(_) => {}
                }
            }
        }
        pushed.live.store(false, Ordering::Release);
        pushed.changed();
        if Arc::strong_count(&pushed) == 1 {
            return;
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicI64, Ordering};
    use tokio::sync::Semaphore;

    /// Reads take their snapshot when they start and finish when the test lets them.
    #[derive(Clone)]
    struct Controlled {
        committed: Arc<AtomicI64>,
        release: Arc<Semaphore>,
    }

    impl VersionSource for Controlled {
        fn read(&self) -> ReadFuture<'_> {
            let snapshot = self.committed.load(Ordering::SeqCst);
            Box::pin(async move {
                self.release.acquire().await.unwrap().forget();
                Ok(Versions {
                    metadata: snapshot,
                    ..Versions::default()
                })
            })
        }
    }

    #[tokio::test]
    async fn a_request_is_never_answered_by_a_read_that_began_before_it() {
        let source = Controlled {
            committed: Arc::new(AtomicI64::new(0)),
            release: Arc::new(Semaphore::new(0)),
        };
        let check = VersionCheck::new(source.clone());
        let c = Arc::clone(&check);
        let early = tokio::spawn(async move { c.read().await });
        tokio::task::yield_now().await;
        // A change commits while the first read is in flight; then more requests arrive.
        source.committed.store(1, Ordering::SeqCst);
        let late: Vec<_> = (0..3)
            .map(|_| {
                let c = Arc::clone(&check);
                tokio::spawn(async move { c.read().await })
            })
            .collect();
        tokio::task::yield_now().await;
        source.release.add_permits(1);
        assert_eq!(early.await.unwrap().unwrap().metadata, 0);
        // One more read serves all three late requests.
        source.release.add_permits(1);
        for l in late {
            assert_eq!(l.await.unwrap().unwrap().metadata, 1);
        }
        assert_eq!(source.release.available_permits(), 0);
    }

    #[tokio::test]
    async fn with_a_listener_a_read_answers_its_epoch_only() {
        let source = Controlled {
            committed: Arc::new(AtomicI64::new(0)),
            release: Arc::new(Semaphore::new(0)),
        };
        let pushed = Arc::new(Pushed::default());
        pushed.live.store(true, Ordering::Release);
        let check = VersionCheck::build(source.clone(), Some(Arc::clone(&pushed)));
        source.release.add_permits(1);
        assert_eq!(check.read().await.unwrap().metadata, 0);
        // Nothing announced: no read.
        assert_eq!(check.read().await.unwrap().metadata, 0);
        assert_eq!(source.release.available_permits(), 0);
        // A change is committed and announced: the next request reads.
        source.committed.store(1, Ordering::SeqCst);
        pushed.changed();
        source.release.add_permits(1);
        assert_eq!(check.read().await.unwrap().metadata, 1);
        // A change announced while a read is in flight: that read answers its own request
        // only (whichever snapshot it got); the next one reads again.
        pushed.changed();
        let c = Arc::clone(&check);
        let during = tokio::spawn(async move { c.read().await });
        tokio::task::yield_now().await;
        source.committed.store(2, Ordering::SeqCst);
        pushed.changed();
        source.release.add_permits(1);
        during.await.unwrap().unwrap();
        source.release.add_permits(1);
        assert_eq!(check.read().await.unwrap().metadata, 2);
        assert_eq!(source.release.available_permits(), 0);
        // Not listening: every request reads.
        pushed.live.store(false, Ordering::Release);
        source.release.add_permits(1);
        assert_eq!(check.read().await.unwrap().metadata, 2);
        assert_eq!(source.release.available_permits(), 0);
    }

    #[tokio::test]
    async fn reads_the_database() {
        let db = crate::db::connect("sqlite::memory:").await.unwrap();
        let check = VersionCheck::new(db.clone());
        let before = check.read().await.unwrap().metadata;
        state::bump(&db, state::Counter::Metadata).await.unwrap();
        assert_eq!(check.read().await.unwrap().metadata, before + 1);
    }
}
