//! Stopping without losing work. On SIGTERM (or Ctrl-C) the switch flips: the listener stops
//! taking connections (those the kernel already queued are still served), requests and
//! uploads in progress finish, kept-alive connections close once idle, subscription sockets
//! close with 1001 "going away" (clients reconnect to another process), the mail worker
//! finishes the message it claimed and claims no more, `/readyz` says "shutting down". All of
//! it within the grace period (`PORTICO_SHUTDOWN_GRACE_SECS`); then the process exits 0.

use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};
use tokio::sync::watch;

/// The switch every part watches, and when it was flipped; cheap to clone.
#[derive(Clone)]
pub struct Stop {
    flag: Arc<watch::Sender<bool>>,
    began: Arc<OnceLock<Instant>>,
}

impl Default for Stop {
    fn default() -> Self {
        Stop {
            flag: Arc::new(watch::channel(false).0),
            began: Arc::default(),
        }
    }
}

impl Stop {
    pub fn begin(&self) {
        self.began.get_or_init(Instant::now);
        self.flag.send_replace(true);
    }

    pub fn is_stopping(&self) -> bool {
        *self.flag.borrow()
    }

    /// What is left of `grace` since stopping began (all of it before).
    pub fn left_of(&self, grace: Duration) -> Duration {
        match self.began.get() {
            Some(at) => grace.saturating_sub(at.elapsed()),
            None => grace,
        }
    }

    /// A receiver for the parts that wait on it (the engine's mail worker takes one).
    pub fn watch(&self) -> watch::Receiver<bool> {
        self.flag.subscribe()
    }

    /// Resolves once stopping has begun.
    pub async fn stopped(&self) {
        let mut rx = self.flag.subscribe();
        let _ = rx.wait_for(|s| *s).await;
    }

    /// Flips the switch on SIGTERM or Ctrl-C.
    pub fn on_signal(&self) {
        let stop = self.clone();
        tokio::spawn(async move {
            signal().await;
            tracing::info!("stopping: finishing what is in progress");
            stop.begin();
        });
    }
}

async fn signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
}
