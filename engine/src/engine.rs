//! The engine handle: the database, the current metadata snapshot, the policy enforcer and the
//! session cache, kept in step with the database on every request.

use crate::db::{Lite, PgConnections};
use crate::db::{Pools, Reader, Txn, WriteGate};
use crate::documents::{BlobStore, Storage};
use crate::error::{EngineError, Result};
use crate::identity::{Action, Object, Principal, SessionCache, Throttle};
use crate::mail::MailRenderer;
use crate::metadata::{self, Catalog};
use crate::policy::{self, Policy};
use crate::portal::Links;
use crate::portal::PortalLimits;
use crate::state::{self, Versions};
use crate::version_check::VersionCheck;
use arc_swap::ArcSwap;
use sea_orm::{DatabaseConnection, TransactionTrait};
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

/// Everything the engine needs, given once when it is opened. Nothing is set later: a piece
/// left out fails to compile, where a setter forgotten at start-up used to fail at the first
/// email or upload.
pub struct EngineConfig {
    pub database_url: String,
    /// The base of every link in an email (`PORTICO_PUBLIC_URL`, else the listen address).
    pub public_url: String,
    pub portal_limits: PortalLimits,
    /// Where document bytes live.
    pub blobs: Arc<dyn BlobStore>,
    /// The largest upload, in bytes.
    pub max_upload_bytes: u64,
    /// The theme's emails (the engine does not depend on the theme).
    pub mail_renderer: Arc<dyn MailRenderer>,
    /// The domain of the addresses replies by email arrive at (`reply+...@domain`); `None`
    /// when Portico receives no mail, and then its emails carry no reply address.
    pub reply_domain: Option<String>,
    /// How long an email about something that happened waits for more news for the same
    /// person, which then goes in the same email.
    pub mail_gather: std::time::Duration,
}

/// Several things that happen for one person within this long become one email.
pub const DEFAULT_MAIL_GATHER: std::time::Duration = std::time::Duration::from_secs(60);

/// Work done as the installation itself rather than as a principal: the first admin, the demo
/// data. Only [`Engine::open`] makes one, and it hands it to whoever opened the engine (the
/// binary's entry point, a test, a benchmark loader); request handlers reach the engine
/// through the server's state and never hold this.
pub struct Maintenance {
    engine: Arc<Engine>,
}

impl Maintenance {
    /// Creates the Administrators group and the first admin when there are no staff users.
    pub async fn bootstrap_admin(
        &self,
        email: Option<&str>,
        password: Option<&str>,
    ) -> Result<crate::identity::Bootstrap> {
        self.engine.bootstrap_admin(email, password).await
    }

    /// Loads the sample data into an empty installation; answers whether it did.
    pub async fn load_demo(&self) -> Result<bool> {
        crate::demo::load(&self.engine).await
    }
}

pub struct Engine {
    /// Reads. On PostgreSQL this is also `writer`.
    pub(crate) db: DatabaseConnection,
    /// Writes. On SQLite a pool of one connection: SQLite has one writer at a time, and
    /// queueing for the pool is fair and cheap where colliding transactions would back off
    /// and sleep in SQLite's busy handler.
    pub(crate) writer: DatabaseConnection,
    /// In-place SQLite connections for the hot paths (`None` on PostgreSQL); see `db::lite`.
    lite: Option<Lite>,
    /// Connections for the hot paths on PostgreSQL (`None` on SQLite); see `db::pg`.
    pub(crate) pg: Option<Arc<PgConnections>>,
    pub(crate) catalog: ArcSwap<Catalog>,
    /// Reloaded with the catalog: a brand change bumps the metadata version.
    pub(crate) branding: ArcSwap<crate::branding::Branding>,
    pub(crate) policy: Policy,
    pub(crate) sessions: SessionCache,
    pub(crate) throttle: Throttle,
    pub(crate) links: Links,
    pub(crate) portal_limits: PortalLimits,
    pub(crate) storage: crate::documents::Storage,
    pub(crate) notification_signal: crate::notifications::Signal,
    pub(crate) mail_renderer: Arc<dyn MailRenderer>,
    /// Signs the web forms' tokens ([`Engine::sign`]); the same in every process.
    pub(crate) form_key: crate::secrets::Key,
    pub(crate) reply_domain: Option<String>,
    /// [`EngineConfig::mail_gather`], in microseconds.
    pub(crate) mail_gather_micros: i64,
    seen_policy: AtomicI64,
    /// The shared version read on PostgreSQL (`None` on SQLite, where it runs in place).
    pub(crate) version_check: Option<Arc<VersionCheck>>,
    /// Serialises reloads so a burst of requests after a change rebuilds once.
    reload: tokio::sync::Mutex<()>,
}

impl Engine {
    /// Connects, migrates, seeds what a new installation needs and loads the caches.
    ///
    /// Several processes may start at once on a new PostgreSQL database; all but one then
    /// collide on the migrations or the seed rows. Those retry, and find the work done.
    pub async fn open(config: EngineConfig) -> Result<(Arc<Engine>, Maintenance)> {
        let mut attempt = 0;
        loop {
            match Self::try_open(&config).await {
                Err(EngineError::Db(e)) if attempt < 8 => {
                    attempt += 1;
                    tracing::warn!(error = %e, attempt, "opening the database failed; retrying");
                    tokio::time::sleep(std::time::Duration::from_millis(250 * attempt)).await;
                }
                Err(e) => return Err(e),
                Ok(engine) => {
                    let maintenance = Maintenance {
                        engine: engine.clone(),
                    };
                    return Ok((engine, maintenance));
                }
            }
        }
    }

    async fn try_open(config: &EngineConfig) -> Result<Arc<Engine>> {
        let Pools {
            reader: db,
            writer,
            lite,
            pg,
        } = crate::db::connect_pools(&config.database_url).await?;
        let pg = pg.map(Arc::new);
        crate::db::tables::verify(&db).await?;
        metadata::seed_system_fields(&writer).await?;
        let txn = writer.begin().await?;
        crate::records::search_backfill(&txn).await?;
        txn.commit().await?;
        let txn = writer.begin().await?;
        if policy::seed(&txn).await? {
            state::bump(&txn, state::Counter::Policy).await?;
        }
        txn.commit().await?;
        let form_key = crate::secrets::form_key(&writer).await?;
        let versions = state::read(&db).await?;
        let catalog = Catalog::build(versions.metadata, metadata::load_all(&db).await?)?;
        let policy = Policy::load(&db).await?;
        let branding = crate::branding::load(&db).await?;
        let version_check = match (&lite, &pg) {
            (Some(_), _) => None,
            (None, Some(pg)) => Some(VersionCheck::with_listener(
                Arc::clone(pg),
                &config.database_url,
            )),
            (None, None) => Some(VersionCheck::new(db.clone())),
        };
        Ok(Arc::new(Engine {
            version_check,
            db,
            writer,
            lite,
            pg,
            catalog: ArcSwap::from_pointee(catalog),
            branding: ArcSwap::from_pointee(branding),
            policy,
            sessions: SessionCache::new(versions.auth),
            throttle: Throttle::default(),
            links: Links::new(&config.public_url),
            portal_limits: config.portal_limits,
            storage: Storage::new(config.blobs.clone(), config.max_upload_bytes),
            notification_signal: Default::default(),
            mail_renderer: config.mail_renderer.clone(),
            seen_policy: AtomicI64::new(versions.policy),
            reload: tokio::sync::Mutex::new(()),
            form_key,
            reply_domain: config.reply_domain.clone(),
            mail_gather_micros: i64::try_from(config.mail_gather.as_micros()).unwrap_or(i64::MAX),
        }))
    }

    /// The metadata snapshot this process holds; call [`Engine::sync`] first in a request.
    pub fn catalog(&self) -> Arc<Catalog> {
        self.catalog.load_full()
    }

    /// Brings this process's caches up to date with the database: on PostgreSQL nothing at all
    /// while no change was announced (LISTEN/NOTIFY, see `version_check`), on SQLite one small
    /// query in place. Called at the start of every request, so a change made by any process is
    /// in effect on the next request everywhere.
    pub async fn sync(&self) -> Result<Arc<Catalog>> {
        let versions = match &self.version_check {
            Some(check) => check.read().await?,
            None => state::read(&self.reader()).await?,
        };
        if !self.is_current(versions) {
            let _guard = self.reload.lock().await;
            let versions = state::read(&self.reader()).await?;
            if self.catalog.load().version != versions.metadata {
                let catalog =
                    Catalog::build(versions.metadata, metadata::load_all(&self.db).await?)?;
                let branding = crate::branding::load(&self.db).await?;
                self.branding.store(Arc::new(branding));
                self.catalog.store(Arc::new(catalog));
            }
            if self.seen_policy.load(Ordering::Acquire) != versions.policy {
                self.policy.reload().await?;
                self.seen_policy.store(versions.policy, Ordering::Release);
            }
            self.sessions.observe(versions.auth);
        }
        Ok(self.catalog())
    }

    /// Where hot-path reads go: in place on SQLite, the pool on PostgreSQL.
    pub(crate) fn reader(&self) -> Reader<'_> {
        match (&self.lite, &self.pg) {
            (Some(lite), _) => Reader::Lite(lite.reader()),
            (None, Some(pg)) => Reader::Pg(pg),
            (None, None) => Reader::Orm(&self.db),
        }
    }

    /// Begins a write transaction on the hot-path writer.
    pub(crate) async fn begin_write(&self) -> Result<Txn<'_>> {
        Ok(match (&self.lite, &self.pg) {
            (Some(lite), _) => Txn::Lite(lite.begin().await?),
            (None, Some(pg)) => Txn::Pg(pg.begin().await?),
            (None, None) => Txn::Orm(self.writer.begin().await?),
        })
    }

    /// For a write that is a single statement on PostgreSQL (creating a case or a deal, see
    /// `records::write`; counting a portal user's action): the statement is its own
    /// transaction there, without the round trips of `BEGIN` and `COMMIT`. Elsewhere the same
    /// as [`Engine::begin_write`].
    pub(crate) async fn begin_one_statement(&self) -> Result<Txn<'_>> {
        match (&self.lite, &self.pg) {
            (None, Some(pg)) => Ok(Txn::Pg(pg.one_statement().await?)),
            _ => self.begin_write().await,
        }
    }

    /// Takes this process's turn to write before a write through `writer`, so it never waits
    /// on the in-place writer's file lock (see `db::lite`). Nothing to take on PostgreSQL.
    pub(crate) async fn write_gate(&self) -> Option<WriteGate<'_>> {
        match &self.lite {
            Some(lite) => Some(lite.gate().await),
            None => None,
        }
    }

    fn is_current(&self, v: Versions) -> bool {
        self.catalog.load().version == v.metadata
            && self.seen_policy.load(Ordering::Acquire) == v.policy
            && self.sessions.version() == v.auth
    }

    /// Reloads right after a change made by this process, so its own next request needs no
    /// second look.
    pub(crate) async fn changed(&self) -> Result<()> {
        // This process made the change: it reads the versions now rather than wait for its
        // own notification to come back from PostgreSQL.
        if let Some(check) = &self.version_check {
            check.invalidate();
        }
        self.sync().await.map(|_| ())
    }

    pub(crate) fn authorize(
        &self,
        principal: &Principal,
        object: Object,
        action: Action,
    ) -> Result<()> {
        self.policy.check(principal, object, action)
    }

    pub(crate) fn allows(&self, principal: &Principal, object: Object, action: Action) -> bool {
        self.policy
            .allows(principal, object, action)
            .unwrap_or(false)
    }

    /// Answers whether the database is reachable, for health checks.
    pub async fn ping(&self) -> Result<()> {
        self.db.ping().await.map_err(EngineError::from)
    }

    /// Whether this process can serve now, part by part (`database`, `storage`), each given
    /// two seconds. The database is asked on a new connection on PostgreSQL, so a pool still
    /// holding connections from before a restart does not decide it.
    pub async fn readiness(&self) -> Vec<(&'static str, Result<()>)> {
        let limit = std::time::Duration::from_secs(2);
        let late = || Err(EngineError::Internal("no answer within 2 s".into()));
        let database = match tokio::time::timeout(limit, self.fresh_ping()).await {
            Ok(r) => r,
            Err(_) => late(),
        };
        let storage = match tokio::time::timeout(limit, self.storage.store().ready()).await {
            Ok(r) => r,
            Err(_) => late(),
        };
        vec![("database", database), ("storage", storage)]
    }

    async fn fresh_ping(&self) -> Result<()> {
        match &self.pg {
            Some(pg) => pg.fresh_ping().await,
            None => self.ping().await,
        }
    }

    /// How many statements this process has run on its hot paths since it started.
    pub fn statements_run(&self) -> u64 {
        crate::db::STATEMENTS.load(Ordering::Relaxed)
    }

    /// Closes the pools, for tools that open the engine, work, and exit (the benchmark
    /// loader): nothing is left for SQLite's WAL to replay.
    pub async fn close(&self) -> Result<()> {
        self.db.clone().close().await?;
        Ok(())
    }
}
