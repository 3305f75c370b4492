//! Configuration from `PORTICO_*` environment variables, over an optional `portico.toml`
//! (looked up in the working directory, or wherever `PORTICO_CONFIG` points).

use crate::cidr::Cidr;
use portico_engine::documents::{BlobLocation, S3Settings};
use portico_engine::mail::Mailbox;
use portico_engine::portal::PortalLimits;
use serde::Deserialize;
use std::net::SocketAddr;
use std::path::PathBuf;

#[derive(Debug, Clone)]
pub struct Config {
    pub listen: SocketAddr,
    pub data_dir: PathBuf,
    pub database_url: String,
    /// The base of every link in an email; `None` means "the address we listen on".
    pub public_url: Option<String>,
    pub smtp_url: Option<String>,
    /// A private CA the SMTP server's certificate may be issued by (`PORTICO_SMTP_CA_FILE`,
    /// PEM), trusted besides the usual roots.
    pub smtp_ca: Option<Vec<u8>>,
    /// The sender of every email (`PORTICO_MAIL_FROM`).
    pub mail_from: Mailbox,
    pub admin_email: Option<String>,
    pub admin_password: Option<String>,
    /// The largest document an upload may carry (`PORTICO_MAX_UPLOAD_BYTES`).
    pub max_upload_bytes: u64,
    /// How many files one upload request may carry (`PORTICO_MAX_UPLOAD_FILES`).
    pub max_upload_files: usize,
    /// Reverse proxies whose `X-Forwarded-For` names the client (`PORTICO_TRUSTED_PROXIES`).
    pub trusted_proxies: Vec<Cidr>,
    /// Cases and uploads a portal user may make per hour (`PORTICO_PORTAL_CASES_PER_HOUR`,
    /// `PORTICO_PORTAL_UPLOADS_PER_HOUR`).
    pub portal_limits: PortalLimits,
    /// Live subscriptions per WebSocket connection and per signed-in user
    /// (`PORTICO_MAX_SUBSCRIPTIONS_PER_CONNECTION`, `PORTICO_MAX_SUBSCRIPTIONS_PER_USER`).
    pub max_subscriptions_per_connection: usize,
    pub max_subscriptions_per_user: usize,
    /// Seconds a client has to send a request's headers, and to start the next request on a
    /// kept-alive connection (`PORTICO_HEADER_TIMEOUT_SECS`).
    pub header_timeout_secs: u64,
    /// Seconds a request body may go without a byte (`PORTICO_BODY_IDLE_SECS`).
    pub body_idle_secs: u64,
    /// Connections held at once, in all and from one client address
    /// (`PORTICO_MAX_CONNECTIONS`, `PORTICO_MAX_CONNECTIONS_PER_ADDRESS`).
    pub max_connections: usize,
    pub max_connections_per_address: usize,
    /// Origins besides the public URL's and the listen address's that serve our pages
    /// (`PORTICO_ALLOWED_ORIGINS`: another name the portal is reached by).
    pub allowed_origins: Vec<String>,
    /// The zone dates in emails are written in (`PORTICO_TIME_ZONE`, an IANA name such as
    /// `Europe/Madrid`; UTC when unset).
    pub time_zone: portico_theme::dates::Tz,
    /// How long an email waits for more news for the same person (`PORTICO_MAIL_GATHER_SECS`).
    pub mail_gather: std::time::Duration,
    /// Portico's own SMTP listener for replies by email (`PORTICO_INBOUND_SMTP_LISTEN`).
    pub inbound: Option<Inbound>,
    /// A listener of its own for `/metrics` (`PORTICO_METRICS_LISTEN`).
    pub metrics_listen: Option<SocketAddr>,
    /// `/metrics` on the public port, for `Authorization: Bearer` this (`PORTICO_METRICS_TOKEN`).
    pub metrics_token: Option<String>,
    /// Where document bytes go (`PORTICO_BLOB_URL`: unset is `<data dir>/files`).
    pub blobs: BlobLocation,
    /// How to reach the bucket when `blobs` is one (`PORTICO_S3_*`, over the `AWS_*` variables).
    pub s3: S3Settings,
    /// How long a stopping process gives what is in progress (`PORTICO_SHUTDOWN_GRACE_SECS`).
    pub shutdown_grace: std::time::Duration,
}

/// Where replies by email arrive.
#[derive(Debug, Clone)]
pub struct Inbound {
    pub listen: SocketAddr,
    /// The domain of the reply addresses (`PORTICO_INBOUND_REPLY_DOMAIN`; the sender's domain
    /// when unset): the domain whose MX, or a relay, delivers to the listener.
    pub reply_domain: String,
    /// The largest message taken, attachments included (`PORTICO_INBOUND_MAX_BYTES`).
    pub max_bytes: u64,
}

/// 25 MiB: what the common mail services let one send.
pub const DEFAULT_INBOUND_MAX_BYTES: u64 = 25 * 1024 * 1024;

/// 2 GiB: big scans and archives fit; a runaway upload does not fill the disk.
pub const DEFAULT_MAX_UPLOAD_BYTES: u64 = 2 * 1024 * 1024 * 1024;

/// 30 s: requests and uploads in progress finish; a load balancer's usual drain time.
pub const DEFAULT_SHUTDOWN_GRACE_SECS: u64 = 30;

/// Headers (or the next request on a kept-alive connection) within 15 s: a person's browser
/// sends them at once; only a stalled or hostile client takes longer.
pub const DEFAULT_HEADER_TIMEOUT_SECS: u64 = 15;
/// 30 s without a byte of body: an upload on a poor mobile link still sends every few seconds.
pub const DEFAULT_BODY_IDLE_SECS: u64 = 30;
/// Lowered at start to what the open-file limit leaves room for.
pub const DEFAULT_MAX_CONNECTIONS: u64 = 10_000;
/// A browser opens about six connections; an office behind one NAT address a few hundred.
pub const DEFAULT_MAX_CONNECTIONS_PER_ADDRESS: u64 = 256;

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    listen: Option<String>,
    data_dir: Option<PathBuf>,
    database_url: Option<String>,
    public_url: Option<String>,
    smtp_url: Option<String>,
    smtp_ca_file: Option<PathBuf>,
    mail_from: Option<String>,
    admin_email: Option<String>,
    admin_password: Option<String>,
    max_upload_bytes: Option<u64>,
    max_upload_files: Option<u64>,
    trusted_proxies: Option<String>,
    portal_cases_per_hour: Option<u64>,
    portal_uploads_per_hour: Option<u64>,
    max_subscriptions_per_connection: Option<u64>,
    max_subscriptions_per_user: Option<u64>,
    header_timeout_secs: Option<u64>,
    body_idle_secs: Option<u64>,
    max_connections: Option<u64>,
    max_connections_per_address: Option<u64>,
    allowed_origins: Option<String>,
    time_zone: Option<String>,
    portal_messages_per_hour: Option<u64>,
    mail_gather_secs: Option<u64>,
    inbound_smtp_listen: Option<String>,
    inbound_reply_domain: Option<String>,
    inbound_max_bytes: Option<u64>,
    metrics_listen: Option<String>,
    metrics_token: Option<String>,
    blob_url: Option<String>,
    s3_endpoint: Option<String>,
    s3_region: Option<String>,
    s3_access_key_id: Option<String>,
    s3_secret_access_key: Option<String>,
    shutdown_grace_secs: Option<u64>,
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path} is not valid: {message}")]
    Parse { path: PathBuf, message: String },
    #[error("{name} is not valid: {message}")]
    Invalid { name: &'static str, message: String },
}

fn env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

/// A positive count from the environment, else the file, else `default`.
fn count(name: &'static str, file: Option<u64>, default: u64) -> Result<u64, ConfigError> {
    match env(name) {
        Some(raw) => raw
            .trim()
            .parse::<u64>()
            .ok()
            .filter(|n| *n > 0)
            .ok_or_else(|| ConfigError::Invalid {
                name,
                message: format!("`{raw}` is not a positive whole number"),
            }),
        None => Ok(file.filter(|n| *n > 0).unwrap_or(default)),
    }
}

/// `PORTICO_TRUSTED_PROXIES`: addresses or CIDR ranges, separated by commas or spaces.
fn trusted_proxies(raw: Option<String>) -> Result<Vec<Cidr>, ConfigError> {
    let Some(raw) = raw else {
        return Ok(Vec::new());
    };
    raw.split([',', ' '])
        .filter(|s| !s.trim().is_empty())
        .map(|s| {
            Cidr::parse(s).ok_or_else(|| ConfigError::Invalid {
                name: "PORTICO_TRUSTED_PROXIES",
                message: format!("`{s}` is not an address or a CIDR range such as 10.0.0.0/8"),
            })
        })
        .collect()
}

/// `PORTICO_ALLOWED_ORIGINS`: origins such as `https://clientes.example.com`, separated by
/// commas or spaces.
fn time_zone(raw: Option<String>) -> Result<portico_theme::dates::Tz, ConfigError> {
    match raw.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(portico_theme::dates::Tz::UTC),
        Some(name) => name.parse().map_err(|_| ConfigError::Invalid {
            name: "PORTICO_TIME_ZONE",
            message: format!("`{name}` is not a time zone such as Europe/Madrid"),
        }),
    }
}

fn allowed_origins(raw: Option<String>) -> Result<Vec<String>, ConfigError> {
    let Some(raw) = raw else {
        return Ok(Vec::new());
    };
    raw.split([',', ' '])
        .filter(|s| !s.trim().is_empty())
        .map(|s| {
            let s = s.trim();
            if (s.starts_with("http://") || s.starts_with("https://")) && s.len() > 8 {
                Ok(s.trim_end_matches('/').to_owned())
            } else {
                Err(ConfigError::Invalid {
                    name: "PORTICO_ALLOWED_ORIGINS",
                    message: format!("`{s}` is not an origin such as https://portal.example.com"),
                })
            }
        })
        .collect()
}

impl Config {
    pub fn load() -> Result<Self, ConfigError> {
        let explicit = env("PORTICO_CONFIG").map(PathBuf::from);
        let path = explicit
            .clone()
            .unwrap_or_else(|| PathBuf::from("portico.toml"));
        let file: File = match std::fs::read_to_string(&path) {
            Ok(text) => toml::from_str(&text).map_err(|e| ConfigError::Parse {
                path: path.clone(),
                message: e.to_string(),
            })?,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound && explicit.is_none() => {
                File::default()
            }
            Err(source) => return Err(ConfigError::Read { path, source }),
        };
        let listen_raw = env("PORTICO_LISTEN")
            .or(file.listen)
            .unwrap_or_else(|| "127.0.0.1:8080".into());
        let listen = listen_raw.parse().map_err(|_| ConfigError::Invalid {
            name: "PORTICO_LISTEN",
            message: format!("`{listen_raw}` is not an address such as 127.0.0.1:8080"),
        })?;
        let data_dir = env("PORTICO_DATA_DIR")
            .map(PathBuf::from)
            .or(file.data_dir)
            .unwrap_or_else(|| PathBuf::from("./data"));
        let database_url = env("PORTICO_DATABASE_URL")
            .or(file.database_url)
            .unwrap_or_else(|| {
                format!(
                    "sqlite://{}?mode=rwc",
                    data_dir.join("portico.db").display()
                )
            });
        if !(database_url.starts_with("sqlite:")
            || database_url.starts_with("postgres://")
            || database_url.starts_with("postgresql://"))
        {
            return Err(ConfigError::Invalid {
                name: "PORTICO_DATABASE_URL",
                message: "use sqlite://PATH or postgres://USER@HOST/DATABASE".into(),
            });
        }
        let mail_from_raw = env("PORTICO_MAIL_FROM")
            .or(file.mail_from)
            .unwrap_or_else(|| "Portico <portico@localhost>".into());
        let mail_from = mail_from_raw.parse().map_err(|_| ConfigError::Invalid {
            name: "PORTICO_MAIL_FROM",
            message: format!(
                "`{mail_from_raw}` is not an address such as Portico <portal@example.com>"
            ),
        })?;
        let max_upload_bytes = match env("PORTICO_MAX_UPLOAD_BYTES") {
            Some(raw) => raw
                .trim()
                .parse::<u64>()
                .ok()
                .filter(|n| *n > 0)
                .ok_or_else(|| ConfigError::Invalid {
                    name: "PORTICO_MAX_UPLOAD_BYTES",
                    message: format!("`{raw}` is not a positive number of bytes"),
                })?,
            None => file.max_upload_bytes.unwrap_or(DEFAULT_MAX_UPLOAD_BYTES),
        };
        let portal_limits = PortalLimits {
            cases_per_hour: count(
                "PORTICO_PORTAL_CASES_PER_HOUR",
                file.portal_cases_per_hour,
                PortalLimits::default().cases_per_hour as u64,
            )? as i64,
            uploads_per_hour: count(
                "PORTICO_PORTAL_UPLOADS_PER_HOUR",
                file.portal_uploads_per_hour,
                PortalLimits::default().uploads_per_hour as u64,
            )? as i64,
            messages_per_hour: count(
                "PORTICO_PORTAL_MESSAGES_PER_HOUR",
                file.portal_messages_per_hour,
                PortalLimits::default().messages_per_hour as u64,
            )? as i64,
        };
        let mail_gather = match env("PORTICO_MAIL_GATHER_SECS") {
            Some(raw) => raw
                .trim()
                .parse::<u64>()
                .map_err(|_| ConfigError::Invalid {
                    name: "PORTICO_MAIL_GATHER_SECS",
                    message: format!("`{raw}` is not a whole number of seconds"),
                })?,
            None => file
                .mail_gather_secs
                .unwrap_or(portico_engine::DEFAULT_MAIL_GATHER.as_secs()),
        };
        let inbound = match env("PORTICO_INBOUND_SMTP_LISTEN").or(file.inbound_smtp_listen) {
            None => None,
            Some(raw) => Some(Inbound {
                listen: raw.trim().parse().map_err(|_| ConfigError::Invalid {
                    name: "PORTICO_INBOUND_SMTP_LISTEN",
                    message: format!("`{raw}` is not an address such as 0.0.0.0:2525"),
                })?,
                reply_domain: env("PORTICO_INBOUND_REPLY_DOMAIN")
                    .or(file.inbound_reply_domain)
                    .map(|d| d.trim().trim_start_matches('@').to_ascii_lowercase())
                    .unwrap_or_else(|| {
                        let from: &Mailbox = &mail_from;
                        from.email.domain().to_ascii_lowercase()
                    }),
                max_bytes: count(
                    "PORTICO_INBOUND_MAX_BYTES",
                    file.inbound_max_bytes,
                    DEFAULT_INBOUND_MAX_BYTES,
                )?,
            }),
        };
        Ok(Config {
            listen,
            max_upload_bytes,
            max_upload_files: count("PORTICO_MAX_UPLOAD_FILES", file.max_upload_files, 20)?
                as usize,
            trusted_proxies: trusted_proxies(
                env("PORTICO_TRUSTED_PROXIES").or(file.trusted_proxies),
            )?,
            portal_limits,
            max_subscriptions_per_connection: count(
                "PORTICO_MAX_SUBSCRIPTIONS_PER_CONNECTION",
                file.max_subscriptions_per_connection,
                10,
            )? as usize,
            max_subscriptions_per_user: count(
                "PORTICO_MAX_SUBSCRIPTIONS_PER_USER",
                file.max_subscriptions_per_user,
                50,
            )? as usize,
            header_timeout_secs: count(
                "PORTICO_HEADER_TIMEOUT_SECS",
                file.header_timeout_secs,
                DEFAULT_HEADER_TIMEOUT_SECS,
            )?,
            body_idle_secs: count(
                "PORTICO_BODY_IDLE_SECS",
                file.body_idle_secs,
                DEFAULT_BODY_IDLE_SECS,
            )?,
            max_connections: count(
                "PORTICO_MAX_CONNECTIONS",
                file.max_connections,
                DEFAULT_MAX_CONNECTIONS,
            )? as usize,
            max_connections_per_address: count(
                "PORTICO_MAX_CONNECTIONS_PER_ADDRESS",
                file.max_connections_per_address,
                DEFAULT_MAX_CONNECTIONS_PER_ADDRESS,
            )? as usize,
            allowed_origins: allowed_origins(
                env("PORTICO_ALLOWED_ORIGINS").or(file.allowed_origins),
            )?,
            time_zone: time_zone(env("PORTICO_TIME_ZONE").or(file.time_zone))?,
            mail_gather: std::time::Duration::from_secs(mail_gather),
            inbound,
            metrics_listen: match env("PORTICO_METRICS_LISTEN").or(file.metrics_listen) {
                Some(raw) => Some(raw.trim().parse().map_err(|_| ConfigError::Invalid {
                    name: "PORTICO_METRICS_LISTEN",
                    message: format!("`{raw}` is not an address such as 127.0.0.1:9090"),
                })?),
                None => None,
            },
            metrics_token: env("PORTICO_METRICS_TOKEN").or(file.metrics_token),
            blobs: match env("PORTICO_BLOB_URL").or(file.blob_url) {
                Some(raw) => BlobLocation::parse(&raw).map_err(|message| ConfigError::Invalid {
                    name: "PORTICO_BLOB_URL",
                    message,
                })?,
                None => BlobLocation::Dir(data_dir.join("files")),
            },
            s3: S3Settings {
                endpoint: env("PORTICO_S3_ENDPOINT").or(file.s3_endpoint),
                region: env("PORTICO_S3_REGION").or(file.s3_region),
                access_key_id: env("PORTICO_S3_ACCESS_KEY_ID").or(file.s3_access_key_id),
                secret_access_key: env("PORTICO_S3_SECRET_ACCESS_KEY")
                    .or(file.s3_secret_access_key),
            },
            shutdown_grace: std::time::Duration::from_secs(count(
                "PORTICO_SHUTDOWN_GRACE_SECS",
                file.shutdown_grace_secs,
                DEFAULT_SHUTDOWN_GRACE_SECS,
            )?),
            mail_from,
            data_dir,
            database_url,
            public_url: env("PORTICO_PUBLIC_URL")
                .or(file.public_url)
                .map(|u| u.trim_end_matches('/').to_owned()),
            smtp_url: env("PORTICO_SMTP_URL").or(file.smtp_url),
            smtp_ca: match env("PORTICO_SMTP_CA_FILE")
                .map(PathBuf::from)
                .or(file.smtp_ca_file)
            {
                Some(path) => Some(std::fs::read(&path).map_err(|e| ConfigError::Invalid {
                    name: "PORTICO_SMTP_CA_FILE",
                    message: format!("cannot read {}: {e}", path.display()),
                })?),
                None => None,
            },
            admin_email: env("PORTICO_ADMIN_EMAIL").or(file.admin_email),
            admin_password: env("PORTICO_ADMIN_PASSWORD").or(file.admin_password),
        })
    }
}
