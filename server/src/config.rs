//! Configuration from `PORTICO_*` environment variables, over an optional `portico.toml`
//! (looked up in the working directory, or wherever `PORTICO_CONFIG` points).

use portico_engine::mail::Mailbox;
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
    /// The sender of every email (`PORTICO_MAIL_FROM`).
    pub mail_from: Mailbox,
    pub admin_email: Option<String>,
    pub admin_password: Option<String>,
    /// The largest document an upload may carry (`PORTICO_MAX_UPLOAD_BYTES`).
    pub max_upload_bytes: u64,
}

/// 2 GiB: big scans and archives fit; a runaway upload does not fill the disk.
pub const DEFAULT_MAX_UPLOAD_BYTES: u64 = 2 * 1024 * 1024 * 1024;

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    listen: Option<String>,
    data_dir: Option<PathBuf>,
    database_url: Option<String>,
    public_url: Option<String>,
    smtp_url: Option<String>,
    mail_from: Option<String>,
    admin_email: Option<String>,
    admin_password: Option<String>,
    max_upload_bytes: Option<u64>,
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
        Ok(Config {
            listen,
            max_upload_bytes,
            mail_from,
            data_dir,
            database_url,
            public_url: env("PORTICO_PUBLIC_URL")
                .or(file.public_url)
                .map(|u| u.trim_end_matches('/').to_owned()),
            smtp_url: env("PORTICO_SMTP_URL").or(file.smtp_url),
            admin_email: env("PORTICO_ADMIN_EMAIL").or(file.admin_email),
            admin_password: env("PORTICO_ADMIN_PASSWORD").or(file.admin_password),
        })
    }
}
