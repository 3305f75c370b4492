//! The HTTP surface: routes, shared state and the per-request authentication.

mod admin_session;
mod answer;
mod app_manifest;
mod auth;
mod branding;
mod client_address;
mod documents;
mod files;
mod graphiql;
mod graphql;
mod health;
mod metrics;
mod origin;
mod portal_pages;
mod request_id;
mod security_headers;
mod subscriptions;
mod upload_plan;
mod uploads;

use crate::config::Config;
use axum::Router;
use axum::routing::get;
use portico_engine::Engine;
use portico_schema::SchemaCache;
use std::net::SocketAddr;
use std::sync::Arc;

/// What every handler reads, behind one `Arc`: axum clones the state for each extractor and
/// middleware of every request, and one shared count is cheaper than eleven (each an atomic
/// that both cores write).
#[derive(Clone)]
pub struct AppState(Arc<Shared>);

impl std::ops::Deref for AppState {
    type Target = Shared;

    fn deref(&self) -> &Shared {
        &self.0
    }
}

pub struct Shared {
    pub engine: Arc<Engine>,
    pub staff_schema: Arc<SchemaCache>,
    pub portal_schema: Arc<SchemaCache>,
    pub documents: Arc<documents::DocumentCache>,
    pub config: Arc<Config>,
    pub public_url: Arc<str>,
    pub subscriptions: Arc<subscriptions::SubscriptionCounts>,
    pub pages: Arc<portico_theme::pages::Pages>,
    /// Where our own pages are served from, for the cross-site checks.
    pub origins: Arc<origin::Origins>,
    /// Flipped on SIGTERM: subscriptions close, `/readyz` says so.
    pub stop: crate::shutdown::Stop,
}

impl AppState {
    /// `public_url` is the one the engine was opened with.
    pub fn new(
        engine: Arc<Engine>,
        config: Config,
        addr: SocketAddr,
        public_url: String,
    ) -> Result<Self, portico_theme::pages::PageError> {
        let pages = portico_theme::pages::Pages::new()?;
        let listening = format!("http://{addr}");
        let origins = origin::Origins::new(
            [public_url.as_str(), listening.as_str()]
                .into_iter()
                .chain(config.allowed_origins.iter().map(String::as_str)),
        );
        Ok(AppState(Arc::new(Shared {
            engine,
            staff_schema: Arc::new(SchemaCache::staff()),
            portal_schema: Arc::new(SchemaCache::portal()),
            documents: Arc::default(),
            config: Arc::new(config),
            public_url: public_url.into(),
            subscriptions: Arc::default(),
            pages: Arc::new(pages),
            origins: Arc::new(origins),
            stop: crate::shutdown::Stop::default(),
        })))
    }
}

pub fn router(state: AppState) -> Router {
    Router::new()
        .route(
            "/graphql",
            get(graphql::staff_get)
                .post(graphql::staff_post)
                .fallback(graphql::method_not_allowed),
        )
        .route(
            "/portal/graphql",
            get(graphql::portal_get)
                .post(graphql::portal_post)
                .fallback(graphql::method_not_allowed),
        )
        .route("/graphql/ws", get(subscriptions::staff_ws))
        .route("/files/{id}", get(files::staff_file))
        .route("/portal/files/{id}", get(files::portal_file))
        .route("/graphiql/{tag}/{file}", get(graphiql::asset))
        .route("/healthz", get(health::healthz))
        .route("/readyz", get(health::readyz))
        .route("/metrics", get(metrics::guarded))
        .route("/branding/{file}", get(branding::logo))
        .route("/favicon.ico", get(branding::favicon))
        .route("/portal/manifest.webmanifest", get(app_manifest::manifest))
        .route("/portal/icons/{file}", get(app_manifest::icon))
        .merge(portal_pages::router())
        .route(
            "/admin/session",
            axum::routing::post(admin_session::sign_in).delete(admin_session::sign_out),
        )
        .nest("/admin", portico_admin::router())
        // A nested router's "/" is "/admin" only; people type the slash too.
        .route(
            "/admin/",
            get(|| async { axum::response::Redirect::permanent("/admin") }),
        )
        .layer(axum::middleware::from_fn(metrics::measure))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            request_id::tag,
        ))
        .with_state(state)
        .layer(axum::middleware::map_response(security_headers::apply))
}

/// The metrics listener's routes (`PORTICO_METRICS_LISTEN`): `/metrics` only.
pub fn metrics_router(state: AppState) -> Router {
    metrics::install();
    Router::new()
        .route("/metrics", get(metrics::open))
        .with_state(state)
}

/// Installs the metrics recorder, so that requests are counted from the first.
pub fn start_metrics() {
    metrics::install();
}

pub(crate) use metrics::graphql_operation;
