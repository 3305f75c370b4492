//! A PostgreSQL server of the test's own (initdb in a temporary directory, a free loopback
//! port), so that a test can stop and restart it without disturbing the shared one. Uses the
//! server binaries Debian's PostgreSQL packages install under /usr/lib/postgresql.

use crate::helpers::{TempDir, run_ok as run};
use std::path::PathBuf;
use std::process::Command;

pub struct PrivatePg {
    dir: TempDir,
    bin: PathBuf,
    pub port: u16,
}

fn bin_dir() -> PathBuf {
    let root = PathBuf::from("/usr/lib/postgresql");
    let mut versions: Vec<u32> = std::fs::read_dir(&root)
        .map(|d| {
            d.flatten()
                .filter_map(|e| e.file_name().to_str().and_then(|v| v.parse().ok()))
                .collect()
        })
        .unwrap_or_default();
    versions.sort_unstable();
    match versions.last() {
        Some(v) => root.join(v.to_string()).join("bin"),
        None => panic!(
            "this test runs a PostgreSQL server of its own and needs its binaries: apt-get install postgresql"
        ),
    }
}

/// PostgreSQL refuses to run as root: as root, its commands run as the `postgres` user.
fn as_owner(program: PathBuf) -> Command {
    // SAFETY: geteuid has no preconditions.
    if unsafe { libc::geteuid() } == 0 {
        let mut cmd = Command::new("runuser");
        cmd.args(["-u", "postgres", "--"]).arg(program);
        cmd
    } else {
        Command::new(program)
    }
}

impl PrivatePg {
    pub fn start() -> PrivatePg {
        let dir = TempDir::new();
        if unsafe { libc::geteuid() } == 0 {
            run(
                {
                    let mut c = Command::new("chown");
                    c.args(["postgres:postgres"]).arg(&dir.0);
                    c
                },
                "chown the test's PostgreSQL directory",
            );
        }
        let bin = bin_dir();
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map(|a| a.port())
            .expect("a free port");
        let mut init = as_owner(bin.join("initdb"));
        init.args([
            "-U",
            "postgres",
            "--auth=trust",
            "-E",
            "UTF8",
            "--no-sync",
            "-D",
        ])
        .arg(dir.0.join("data"));
        run(init, "initdb");
        let pg = PrivatePg { dir, bin, port };
        pg.start_again();
        pg
    }

    pub fn url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:{}/postgres", self.port)
    }

    fn ctl(&self, args: &[&str]) -> Command {
        let mut cmd = as_owner(self.bin.join("pg_ctl"));
        cmd.arg("-D").arg(self.dir.0.join("data")).args(args);
        cmd
    }

    /// Starts the server and returns once it accepts connections (`pg_ctl -w`).
    pub fn start_again(&self) {
        let options = format!(
            "-p {} -k {} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=60",
            self.port,
            self.dir.0.display()
        );
        let log = self.dir.0.join("server.log").display().to_string();
        run(
            self.ctl(&["-w", "-t", "60", "-o", &options, "-l", &log, "start"]),
            "pg_ctl start",
        );
    }

    /// Stops it as an operator's restart does (`-m fast`: sessions are told and cut).
    pub fn stop(&self) {
        run(self.ctl(&["-w", "-m", "fast", "stop"]), "pg_ctl stop");
    }
}

impl Drop for PrivatePg {
    fn drop(&mut self) {
        let _ = self.ctl(&["-m", "immediate", "stop"]).output();
    }
}
