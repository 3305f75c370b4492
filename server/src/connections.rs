//! The accept loop: how many connections the process holds, how many one address may hold, and
//! how long a client may take to send its headers or leave its body idle.
//!
//! `axum::serve` has none of these bounds: a second security review held 1,100 sockets open,
//! each with half a header line, until `/healthz` stopped answering on a process with the
//! common 1,024 open-file limit (slowloris). So connections are served here, by hyper directly:
//! - the headers of each request (and the wait for the next request on a kept-alive
//!   connection) must arrive within `PORTICO_HEADER_TIMEOUT_SECS`;
//! - a request body may go at most `PORTICO_BODY_IDLE_SECS` without a byte (a slow upload that
//!   keeps sending is never cut, however long it takes);
//! - past `PORTICO_MAX_CONNECTIONS` (or what the open-file limit allows), or past
//!   `PORTICO_MAX_CONNECTIONS_PER_ADDRESS` from one client address, a new connection is
//!   answered `503` and closed at once, so the connections already accepted keep being served
//!   and one address cannot take them all. Trusted proxies (`PORTICO_TRUSTED_PROXIES`) carry
//!   many clients and are exempt from the per-address bound.

use crate::cidr::Cidr;
use axum::Router;
use axum::body::Body;
use axum::extract::ConnectInfo;
use futures_util::StreamExt;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::io::AsyncWriteExt;
use tokio::net::TcpListener;
use tower::ServiceExt;

/// The bounds, from the configuration.
#[derive(Debug, Clone)]
pub struct Limits {
    pub header_timeout: Duration,
    pub body_idle: Duration,
    pub max_connections: usize,
    pub max_per_address: usize,
    pub exempt: Vec<Cidr>,
}

/// Open files the process keeps for itself beyond its connections: the database pool, spooled
/// uploads, blobs being streamed, the log.
const RESERVED_FILES: u64 = 256;

/// Raises this process's soft open-file limit to its hard limit, and gives the soft limit
/// that is in force afterwards (or `None` where it cannot be read).
pub fn raise_open_file_limit() -> Option<u64> {
    #[cfg(unix)]
    {
        let mut lim = libc::rlimit {
            rlim_cur: 0,
            rlim_max: 0,
        };
        // SAFETY: getrlimit and setrlimit only read and write the struct we pass.
        unsafe {
            if libc::getrlimit(libc::RLIMIT_NOFILE, &mut lim) != 0 {
                return None;
            }
            if lim.rlim_cur < lim.rlim_max {
                let raised = libc::rlimit {
                    rlim_cur: lim.rlim_max,
                    rlim_max: lim.rlim_max,
                };
                if libc::setrlimit(libc::RLIMIT_NOFILE, &raised) == 0 {
                    lim.rlim_cur = lim.rlim_max;
                }
            }
        }
        Some(lim.rlim_cur)
    }
    #[cfg(not(unix))]
    None
}

impl Limits {
    /// The connection bound actually used: the configured one, lowered so that the
    /// connections and the files the process needs besides fit in the open-file limit.
    pub fn fitted(mut self, open_files: Option<u64>) -> Limits {
        if let Some(files) = open_files {
            let room = files.saturating_sub(RESERVED_FILES).max(16);
            self.max_connections = self
                .max_connections
                .min(usize::try_from(room).unwrap_or(usize::MAX));
        }
        self.max_per_address = self.max_per_address.min(self.max_connections);
        self
    }
}

/// Live connections, in all and per client address.
#[derive(Default)]
struct Counts {
    total: usize,
    by_address: HashMap<IpAddr, usize>,
}

/// A held place among the live connections; dropping it frees the place.
struct Place {
    counts: Arc<Mutex<Counts>>,
    address: IpAddr,
}

impl Drop for Place {
    fn drop(&mut self) {
        let mut c = self.counts.lock().unwrap_or_else(|p| p.into_inner());
        c.total = c.total.saturating_sub(1);
        if let Some(n) = c.by_address.get_mut(&self.address) {
            *n -= 1;
            if *n == 0 {
                c.by_address.remove(&self.address);
            }
        }
    }
}

/// Takes a place for a connection from `address`, or says none is free.
fn admit(counts: &Arc<Mutex<Counts>>, limits: &Limits, address: IpAddr) -> Option<Place> {
    let exempt = limits.exempt.iter().any(|c| c.contains(address));
    let mut c = counts.lock().unwrap_or_else(|p| p.into_inner());
    if c.total >= limits.max_connections {
        return None;
    }
    let mine = c.by_address.get(&address).copied().unwrap_or(0);
    if !exempt && mine >= limits.max_per_address {
        return None;
    }
    c.total += 1;
    *c.by_address.entry(address).or_default() += 1;
    Some(Place {
        counts: counts.clone(),
        address,
    })
}

/// What a connection that found no place is told before it is closed.
const BUSY: &[u8] = b"HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\nRetry-After: 1\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: 33\r\n\r\ntoo many connections; retry soon\n";

/// A request body that fails once `idle` passes without a byte, so that a client that stops
/// sending mid-body frees its connection (and whatever the handler holds for it).
fn idle_bounded(body: Incoming, idle: Duration) -> Body {
    let stream = Body::new(body).into_data_stream();
    Body::from_stream(
        futures_util::stream::unfold(Some(stream), move |state| async move {
            let mut stream = state?;
            match tokio::time::timeout(idle, stream.next()).await {
                Ok(Some(item)) => Some((item, Some(stream))),
                Ok(None) => None,
                Err(_) => Some((
                    Err(axum::Error::new(BodyStalled(idle))),
                    None::<axum::body::BodyDataStream>,
                )),
            }
        })
        // Readers may poll again after the end (a refused upload is drained).
        .fuse(),
    )
}

/// The error a stalled body ends with.
#[derive(Debug, thiserror::Error)]
#[error("the request body sent nothing for {} s", .0.as_secs())]
pub struct BodyStalled(Duration);

/// When stopping, how long a connection accepted just before may take to send its request.
const FIRST_REQUEST_WAIT: Duration = Duration::from_secs(1);

/// Accepts connections until `shutdown` resolves, then serves those the kernel had already
/// queued, and lets the open ones finish within `grace` (those still open then are cut, and
/// said so in the log).
pub async fn serve(
    listener: TcpListener,
    router: Router,
    limits: Limits,
    shutdown: impl std::future::Future<Output = ()>,
    grace: Duration,
) {
    let counts: Arc<Mutex<Counts>> = Arc::default();
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let mut shutdown = std::pin::pin!(shutdown);
    // Each connection's task holds a sender; when the last is dropped, all have finished.
    let (alive, mut all_done) = tokio::sync::mpsc::channel::<()>(1);
    let mut stopping = false;
    loop {
        let accepted = if stopping {
            // Stopping: only what is already queued (a client that connected before the
            // signal has been accepted, as far as it can tell).
            match futures_util::FutureExt::now_or_never(listener.accept()) {
                Some(accepted) => accepted,
                None => break,
            }
        } else {
            tokio::select! {
                () = &mut shutdown => {
                    stopping = true;
                    continue;
                }
                accepted = listener.accept() => accepted,
            }
        };
        let (mut socket, peer) = match accepted {
            Ok(pair) => pair,
            Err(e) => {
                // Out of files or memory for a moment: wait rather than spin.
                tracing::warn!(error = %e, "accepting a connection failed");
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            }
        };
        let Some(place) = admit(&counts, &limits, peer.ip()) else {
            tokio::spawn(async move {
                let _ = tokio::time::timeout(Duration::from_secs(1), socket.write_all(BUSY)).await;
                let _ = socket.shutdown().await;
            });
            continue;
        };
        let _ = socket.set_nodelay(true);
        let router = router.clone();
        let mut stop = stop_rx.clone();
        let header_timeout = limits.header_timeout;
        let body_idle = limits.body_idle;
        let alive = alive.clone();
        tokio::spawn(async move {
            let _alive = alive;
            let _place = place;
            let first_request = Arc::new(tokio::sync::Notify::new());
            let started = first_request.clone();
            let service = hyper::service::service_fn(move |req: axum::http::Request<Incoming>| {
                started.notify_one();
                let mut req = req.map(|b| idle_bounded(b, body_idle));
                req.extensions_mut().insert(ConnectInfo(peer));
                router.clone().oneshot(req)
            });
            let mut builder = hyper::server::conn::http1::Builder::new();
            builder
                .timer(TokioTimer::new())
                .header_read_timeout(header_timeout);
            let conn = builder
                .serve_connection(TokioIo::new(socket), service)
                .with_upgrades();
            let mut conn = std::pin::pin!(conn);
            tokio::select! {
                _ = conn.as_mut() => return,
                _ = stop.wait_for(|s| *s) => {}
            }
            // A graceful shutdown closes a connection that is between requests at once. One
            // that has not sent its first request yet was accepted just now, with its request
            // on the way: it gets a moment to arrive, and is answered.
            tokio::select! {
                _ = conn.as_mut() => return,
                () = first_request.notified() => {}
                () = tokio::time::sleep(FIRST_REQUEST_WAIT.min(header_timeout)) => {}
            }
            conn.as_mut().graceful_shutdown();
            let _ = conn.await;
        });
    }
    drop(listener);
    let _ = stop_tx.send(true);
    drop(alive);
    if tokio::time::timeout(grace, all_done.recv()).await.is_err() {
        let cut = counts.lock().unwrap_or_else(|p| p.into_inner()).total;
        tracing::warn!(
            connections = cut,
            grace_secs = grace.as_secs(),
            "the grace period ended with connections still open"
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limits(total: usize, per: usize) -> Limits {
        Limits {
            header_timeout: Duration::from_secs(1),
            body_idle: Duration::from_secs(1),
            max_connections: total,
            max_per_address: per,
            exempt: vec![Cidr::parse("10.0.0.0/8").unwrap()],
        }
    }

    #[test]
    fn one_address_cannot_take_every_place() {
        let counts: Arc<Mutex<Counts>> = Arc::default();
        let l = limits(4, 2);
        let a: IpAddr = "127.0.0.2".parse().unwrap();
        let b: IpAddr = "127.0.0.1".parse().unwrap();
        let p1 = admit(&counts, &l, a).unwrap();
        let _p2 = admit(&counts, &l, a).unwrap();
        assert!(admit(&counts, &l, a).is_none());
        let _p3 = admit(&counts, &l, b).unwrap();
        drop(p1);
        let _p4 = admit(&counts, &l, a).unwrap();
        let _p5 = admit(&counts, &l, b).unwrap();
        // Full: nobody gets in, not even a proxy.
        assert!(admit(&counts, &l, "10.1.2.3".parse().unwrap()).is_none());
    }

    #[test]
    fn proxies_are_exempt_from_the_per_address_bound() {
        let counts: Arc<Mutex<Counts>> = Arc::default();
        let l = limits(10, 1);
        let proxy: IpAddr = "10.1.2.3".parse().unwrap();
        let held: Vec<_> = (0..5).map(|_| admit(&counts, &l, proxy).unwrap()).collect();
        assert_eq!(held.len(), 5);
    }

    #[test]
    fn the_bound_fits_the_open_file_limit() {
        let l = limits(10_000, 512).fitted(Some(1024));
        assert_eq!(l.max_connections, 768);
        assert_eq!(l.max_per_address, 512);
        let l = limits(10_000, 512).fitted(Some(300));
        assert_eq!((l.max_connections, l.max_per_address), (44, 44));
    }
}
