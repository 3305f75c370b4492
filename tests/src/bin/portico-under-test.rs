//! The `portico` binary as the tests run it: the same command line, with a clock the tests
//! can move. With `PORTICO_TEST_CLOCK_FILE` set, "now" is the RFC 3339 moment written in that
//! file (the system time while it holds none), and the reminder scheduler looks every
//! `PORTICO_TEST_REMINDER_TICK_MS` (default 200 ms) instead of every minute.

use chrono::{DateTime, Utc};
use portico_server::clock::{Clock, SystemClock, Timing};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

struct FileClock(PathBuf);

impl Clock for FileClock {
    fn now(&self) -> DateTime<Utc> {
        std::fs::read_to_string(&self.0)
            .ok()
            .and_then(|s| DateTime::parse_from_rfc3339(s.trim()).ok())
            .map(|t| t.to_utc())
            .unwrap_or_else(|| SystemClock.now())
    }
}

fn main() -> std::process::ExitCode {
    let mut timing = Timing::default();
    if let Some(file) = std::env::var_os("PORTICO_TEST_CLOCK_FILE") {
        timing.clock = Arc::new(FileClock(PathBuf::from(file)));
        let tick = std::env::var("PORTICO_TEST_REMINDER_TICK_MS")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(200);
        timing.reminders_every = Duration::from_millis(tick);
    }
    portico_server::cli::main_with(timing)
}
