//! A real S3-compatible server for the tests: Garage, started per test on loopback ports in a
//! directory of its own, as one node with one bucket and one key (`--single-node
//! --default-bucket`), and killed when dropped.
//!
//! The binary comes from `cargo install garage` (`.ci/run` installs it); without it the test
//! fails and says how to get it. Self-contained: the files benchmark includes it too.

use portico_engine::documents::{BlobStore, S3BlobStore, S3Settings};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub const INSTALL: &str = "cargo install garage --version 2.5.0 --locked --no-default-features --features bundled-libs,sqlite";

/// Garage's directory, removed when it stops.
struct Dir(PathBuf);

impl Drop for Dir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

static STARTED: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);

pub struct Garage {
    child: Child,
    dir: Dir,
    pub endpoint: String,
    pub bucket: String,
    pub key_id: String,
    pub secret: String,
}

pub const REGION: &str = "garage";

fn binary() -> PathBuf {
    if let Ok(path) = std::env::var("PORTICO_TEST_GARAGE") {
        return PathBuf::from(path);
    }
    let on_path = std::env::var_os("PATH")
        .into_iter()
        .flat_map(|p| std::env::split_paths(&p).collect::<Vec<_>>())
        .map(|d| d.join("garage"))
        .find(|p| p.is_file());
    let cargo_home = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cargo")))
        .map(|h| h.join("bin").join("garage"));
    match on_path.or(cargo_home.filter(|p| p.is_file())) {
        Some(p) => p,
        None => panic!(
            "these tests need Garage, the S3-compatible object store, and it is not installed: {INSTALL}"
        ),
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free loopback port")
}

impl Garage {
    pub async fn start() -> Garage {
        let dir = Dir(std::env::temp_dir().join(format!(
            "portico_garage_{}_{}",
            std::process::id(),
            STARTED.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
        )));
        std::fs::create_dir_all(&dir.0).expect("Garage's directory");
        let (rpc, s3) = (free_port(), free_port());
        let secret_rpc: String = (0..32)
            .map(|i| format!("{:02x}", (i * 37 + 11) % 256))
            .collect();
        let config = format!(
            r#"metadata_dir = "{meta}"
data_dir = "{data}"
db_engine = "sqlite"
metadata_fsync = false
data_fsync = false
replication_factor = 1
rpc_bind_addr = "127.0.0.1:{rpc}"
rpc_public_addr = "127.0.0.1:{rpc}"
rpc_secret = "{secret_rpc}"

[s3_api]
s3_region = "{REGION}"
api_bind_addr = "127.0.0.1:{s3}"
root_domain = ".s3.garage.localhost"
"#,
            meta = dir.0.join("meta").display(),
            data = dir.0.join("data").display(),
        );
        let config_path = dir.0.join("garage.toml");
        std::fs::write(&config_path, config).expect("write garage.toml");
        let n = std::process::id();
        let key_id = format!("GKportico{n:016x}");
        let secret = format!("portico-test-secret-{n:032x}");
        let bucket = "portico-test".to_owned();
        let log = std::fs::File::create(dir.0.join("garage.log")).expect("garage log");
        let child = Command::new(binary())
            .args(["-c"])
            .arg(&config_path)
            .args(["server", "--single-node", "--default-bucket"])
            .env("GARAGE_DEFAULT_ACCESS_KEY", &key_id)
            .env("GARAGE_DEFAULT_SECRET_KEY", &secret)
            .env("GARAGE_DEFAULT_BUCKET", &bucket)
            .env("RUST_LOG", "garage=warn")
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start Garage ({e}); install it with: {INSTALL}"));
        let garage = Garage {
            child,
            endpoint: format!("http://127.0.0.1:{s3}"),
            bucket,
            key_id,
            secret,
            dir,
        };
        garage.wait_ready().await;
        garage
    }

    async fn wait_ready(&self) {
        let store = self.store("");
        let started = Instant::now();
        loop {
            match store.ready().await {
                Ok(()) => return,
                Err(e) if started.elapsed() > Duration::from_secs(30) => {
                    let log =
                        std::fs::read_to_string(self.dir.0.join("garage.log")).unwrap_or_default();
                    panic!("Garage did not become ready in 30 s: {e}\n{log}")
                }
                Err(_) => tokio::time::sleep(Duration::from_millis(100)).await,
            }
        }
    }

    pub fn settings(&self) -> S3Settings {
        S3Settings {
            endpoint: Some(self.endpoint.clone()),
            region: Some(REGION.into()),
            access_key_id: Some(self.key_id.clone()),
            secret_access_key: Some(self.secret.clone()),
        }
    }

    /// The bucket under `prefix`, as the engine would open it.
    pub fn store(&self, prefix: &str) -> S3BlobStore {
        S3BlobStore::new(&self.bucket, prefix, &self.settings()).expect("an S3 store")
    }

    /// `s3://bucket/prefix`.
    pub fn url(&self, prefix: &str) -> String {
        format!("s3://{}/{prefix}", self.bucket)
    }

    /// How a `portico` process reaches the service (the `s3://` locations are given apart).
    pub fn access_env(&self) -> Vec<(&'static str, String)> {
        vec![
            ("PORTICO_S3_ENDPOINT", self.endpoint.clone()),
            ("PORTICO_S3_REGION", REGION.into()),
            ("PORTICO_S3_ACCESS_KEY_ID", self.key_id.clone()),
            ("PORTICO_S3_SECRET_ACCESS_KEY", self.secret.clone()),
        ]
    }

    /// What a server process needs to use the bucket under `prefix`.
    pub fn env(&self, prefix: &str) -> Vec<(&'static str, String)> {
        let mut env = self.access_env();
        env.push(("PORTICO_BLOB_URL", self.url(prefix)));
        env
    }

    /// Where Garage writes the objects' data blocks.
    pub fn data_dir(&self) -> PathBuf {
        self.dir.0.join("data")
    }

    /// Stops the server (SIGKILL), as an outage would.
    pub fn stop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Garage {
    fn drop(&mut self) {
        self.stop();
    }
}
