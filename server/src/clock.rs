//! What time it is for the schedulers (request reminders), and how often they look. The
//! `portico` binary uses the system clock and a minute; the test binary passes a clock the
//! tests move, so that a reminder "three days late" is tested without waiting three days.

use chrono::{DateTime, Utc};
use std::sync::Arc;
use std::time::Duration;

pub trait Clock: Send + Sync + 'static {
    fn now(&self) -> DateTime<Utc>;
}

pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

#[derive(Clone)]
pub struct Timing {
    pub clock: Arc<dyn Clock>,
    /// How often the reminder scheduler runs.
    pub reminders_every: Duration,
}

impl Default for Timing {
    fn default() -> Self {
        Timing {
            clock: Arc::new(SystemClock),
            reminders_every: Duration::from_secs(60),
        }
    }
}
