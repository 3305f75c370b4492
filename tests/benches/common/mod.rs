//! What the benchmarks share: starting the release server and reading its peak memory.

#[allow(dead_code)] // not every benchmark loads the data set
pub mod dataset;
/// Garage, the S3-compatible store, as the tests start it.
#[allow(dead_code)]
#[path = "../../tests/api/garage.rs"]
pub mod garage;

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};

pub struct Server {
    pub child: std::process::Child,
    pub url: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The server binary to measure: this tree's, or `PORTICO_BENCH_SERVER` (another build, such
/// as an earlier commit's, to compare two in one run on the same data).
fn server_binary() -> std::path::PathBuf {
    std::env::var_os("PORTICO_BENCH_SERVER")
        .map(Into::into)
        .unwrap_or_else(|| env!("CARGO_BIN_EXE_portico-under-test").into())
}

/// Starts the server on `url` with its data in `dir`, plus `env`.
pub fn start_with(url: &str, dir: &Path, env: &[(&str, &str)]) -> Server {
    let mut cmd = Command::new(server_binary());
    cmd.env("PORTICO_LISTEN", "127.0.0.1:0")
        .env("PORTICO_DATA_DIR", dir)
        .env("PORTICO_DATABASE_URL", url)
        .env("PORTICO_LOG", "warn")
        .stdout(Stdio::piped());
    for (k, v) in env {
        cmd.env(k, v);
    }
    let mut child = cmd.spawn().expect("start server");
    let mut lines = BufReader::new(child.stdout.take().expect("stdout")).lines();
    let url = loop {
        let line = lines.next().expect("server exited").expect("line");
        if let Some(u) = line.strip_prefix("portico listening on ") {
            break u.to_owned();
        }
    };
    std::thread::spawn(move || for _ in lines {});
    Server { child, url }
}

#[allow(dead_code)]
pub fn start(url: &str, dir: &Path) -> Server {
    start_with(url, dir, &[])
}

/// Peak resident memory of a process so far (VmHWM), in MiB.
pub fn peak_rss_mib(pid: u32) -> f64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .map_or(0.0, |kb| kb / 1024.0)
}
