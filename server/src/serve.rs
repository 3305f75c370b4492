//! Start-up: bind, open the engine, make sure there is an admin, announce, serve until told
//! to stop.

use crate::clock::Timing;
use crate::config::Config;
use crate::connections;
use crate::http::{self, AppState};
use portico_engine::identity::Bootstrap;
use portico_engine::mail::{MailWorker, Transport};
use portico_engine::{Engine, EngineConfig, Maintenance};
use std::sync::Arc;
use std::time::Duration;

/// How often each process looks for due mail.
const MAIL_POLL: Duration = Duration::from_secs(2);
/// How often each process looks for unused document bytes.
const BLOB_SWEEP: Duration = Duration::from_secs(3600);

#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    #[error("cannot create the data directory {path}: {source}")]
    DataDir {
        path: String,
        source: std::io::Error,
    },
    #[error("{0}")]
    Engine(#[from] portico_engine::EngineError),
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        addr: String,
        source: std::io::Error,
    },
    #[error("server error: {0}")]
    Io(#[from] std::io::Error),
    #[error("cannot build the GraphQL schema: {0}")]
    Schema(String),
    #[error("mail: {0}")]
    Mail(String),
    #[error("{0}")]
    Pages(String),
}

/// Opens the engine with everything it needs; `public_url` is the configured one or, when
/// none is, the address this process listens on.
async fn open(config: &Config, public_url: &str) -> Result<(Arc<Engine>, Maintenance), ServeError> {
    std::fs::create_dir_all(&config.data_dir).map_err(|source| ServeError::DataDir {
        path: config.data_dir.display().to_string(),
        source,
    })?;
    let renderer =
        crate::mail::ThemeRenderer::in_zone(config.time_zone).map_err(ServeError::Mail)?;
    Ok(Engine::open(EngineConfig {
        database_url: config.database_url.clone(),
        public_url: public_url.to_owned(),
        portal_limits: config.portal_limits,
        blobs: config.blobs.open(&config.s3)?,
        max_upload_bytes: config.max_upload_bytes,
        mail_renderer: Arc::new(renderer),
        reply_domain: config.inbound.as_ref().map(|i| i.reply_domain.clone()),
        mail_gather: config.mail_gather,
    })
    .await?)
}

pub async fn run(config: Config, demo: bool) -> Result<(), ServeError> {
    run_with(config, demo, Timing::default()).await
}

/// [`run`] with the clock and the schedulers' pace given (the test binary's).
pub async fn run_with(config: Config, demo: bool, timing: Timing) -> Result<(), ServeError> {
    // Bound first: the links in emails default to the address actually listened on (port 0
    // picks one). Connections wait in the backlog until serving starts.
    let listener = tokio::net::TcpListener::bind(config.listen)
        .await
        .map_err(|source| ServeError::Bind {
            addr: config.listen.to_string(),
            source,
        })?;
    let addr = listener.local_addr()?;
    let public_url = config
        .public_url
        .clone()
        .unwrap_or_else(|| format!("http://{addr}"));
    let (engine, maintenance) = open(&config, &public_url).await?;
    match maintenance
        .bootstrap_admin(
            config.admin_email.as_deref(),
            config.admin_password.as_deref(),
        )
        .await?
    {
        Bootstrap::Existing => {}
        Bootstrap::Created { email } => println!("portico created the first admin: {email}"),
        Bootstrap::Generated { email, password } => println!(
            "portico created the first admin: {email} with password {password} (shown only now; change it after logging in)"
        ),
    }
    if demo && maintenance.load_demo().await? {
        println!("portico loaded the demo data");
    }
    // The maintenance handle ends here: nothing that serves requests holds it.
    drop(maintenance);
    let transport = Transport::new(
        config.smtp_url.as_deref(),
        config.smtp_ca.as_deref(),
        &config.data_dir,
    )
    .map_err(ServeError::Mail)?;
    let inbound = config.inbound.clone();
    let metrics_listen = config.metrics_listen;
    let state = AppState::new(engine.clone(), config, addr, public_url)
        .map_err(|e| ServeError::Pages(e.to_string()))?;
    let worker = MailWorker::new(engine.clone(), transport, state.config.mail_from.clone());
    let mail = tokio::spawn(worker.run(MAIL_POLL, state.stop.watch()));
    tokio::spawn(sweep_blobs(engine.clone()));
    tokio::spawn(send_reminders(engine.clone(), timing.clone()));
    tokio::spawn(send_digests(engine.clone(), timing));
    if let Some(inbound) = &inbound {
        let smtp = tokio::net::TcpListener::bind(inbound.listen)
            .await
            .map_err(|source| ServeError::Bind {
                addr: inbound.listen.to_string(),
                source,
            })?;
        // Before the line that says Portico serves, so whoever waits for that has both.
        println!(
            "portico receives replies by email on {}",
            smtp.local_addr()?
        );
        tokio::spawn(crate::inbound::serve(smtp, engine.clone(), inbound.clone()));
    }
    crate::http::start_metrics();
    if let Some(at) = metrics_listen {
        let l = tokio::net::TcpListener::bind(at)
            .await
            .map_err(|source| ServeError::Bind {
                addr: at.to_string(),
                source,
            })?;
        println!(
            "portico serves metrics on http://{}/metrics",
            l.local_addr()?
        );
        let app = crate::http::metrics_router(state.clone());
        tokio::spawn(async move {
            if let Err(e) = axum::serve(l, app).await {
                tracing::warn!(error = %e, "the metrics listener stopped");
            }
        });
    }
    let (grace, stop) = (state.config.shutdown_grace, state.stop.clone());
    serve(listener, state).await?;
    // The mail worker finishes the message it claimed, within what is left of the grace.
    if tokio::time::timeout(stop.left_of(grace), mail)
        .await
        .is_err()
    {
        tracing::warn!("the mail worker was still sending when the grace period ended");
    }
    tracing::info!("stopped");
    Ok(())
}

/// Queues the client-request reminders due by the clock, every `reminders_every`. Every
/// process runs it; the engine sends each reminder once whichever process gets there first.
async fn send_reminders(engine: Arc<Engine>, timing: Timing) {
    let mut every = tokio::time::interval(timing.reminders_every);
    every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        every.tick().await;
        match engine.send_request_reminders(timing.clock.now()).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(queued = n, "queued request reminders"),
            Err(e) => tracing::warn!(error = %e, "sending request reminders failed"),
        }
    }
}

/// Sends the clients' daily digests when their time comes, looking as often as the reminder
/// scheduler. Every process runs it; each piece of news goes in one digest only.
async fn send_digests(engine: Arc<Engine>, timing: Timing) {
    let mut every = tokio::time::interval(timing.reminders_every);
    every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        every.tick().await;
        match engine.send_client_digests(timing.clock.now()).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(queued = n, "queued client digests"),
            Err(e) => tracing::warn!(error = %e, "sending client digests failed"),
        }
    }
}

/// Every hour, removes document bytes nothing refers to (deleted documents whose bytes were
/// still in their grace period, uploads a crash cut short).
async fn sweep_blobs(engine: Arc<Engine>) {
    let mut every = tokio::time::interval(BLOB_SWEEP);
    every.tick().await;
    loop {
        every.tick().await;
        match engine.sweep_blobs().await {
            Ok(0) => {}
            Ok(n) => tracing::info!(removed = n, "swept unused document blobs"),
            Err(e) => tracing::warn!(error = %e, "sweeping document blobs failed"),
        }
    }
}

/// Reads the version row every second even when no request comes, so that what lives on
/// without requests (WebSocket subscriptions) sees a logout or a deactivation made through any
/// process within a couple of seconds.
async fn keep_current(engine: Arc<Engine>) {
    let mut every = tokio::time::interval(std::time::Duration::from_secs(1));
    loop {
        every.tick().await;
        if let Err(e) = engine.sync().await {
            tracing::warn!(error = %e, "reading the version row failed");
        }
    }
}

/// Serves on a bound listener until SIGTERM; prints the line scripts wait for once requests
/// are accepted.
pub async fn serve(listener: tokio::net::TcpListener, state: AppState) -> Result<(), ServeError> {
    let addr = listener.local_addr()?;
    tokio::spawn(keep_current(state.engine.clone()));
    let open_files = connections::raise_open_file_limit();
    let config = &state.config;
    let limits = connections::Limits {
        header_timeout: Duration::from_secs(config.header_timeout_secs),
        body_idle: Duration::from_secs(config.body_idle_secs),
        max_connections: config.max_connections,
        max_per_address: config.max_connections_per_address,
        exempt: config.trusted_proxies.clone(),
    }
    .fitted(open_files);
    tracing::info!(
        open_files,
        max_connections = limits.max_connections,
        max_per_address = limits.max_per_address,
        "connection limits"
    );
    let grace = config.shutdown_grace;
    let stop = state.stop.clone();
    stop.on_signal();
    let app = http::router(state);
    println!("portico listening on http://{addr}");
    connections::serve(listener, app, limits, stop.stopped(), grace).await;
    Ok(())
}

pub async fn print_schema(config: Config, portal: bool) -> Result<(), ServeError> {
    let public_url = config.public_url.clone().unwrap_or_default();
    let (engine, _) = open(&config, &public_url).await?;
    let catalog = engine.sync().await?;
    let build = if portal {
        portico_schema::build_portal_schema
    } else {
        portico_schema::build_staff_schema
    };
    let schema = build(&catalog, engine.clone()).map_err(|e| ServeError::Schema(e.to_string()))?;
    print!("{}", schema.sdl());
    Ok(())
}
