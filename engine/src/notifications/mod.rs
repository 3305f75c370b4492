//! Staff notifications of portal activity: per case, who hears about it and how (in the app,
//! by email); an inbox per staff user; a wake-up signal for live subscriptions.
//!
//! Notifications are rows written in the transaction of the activity, like the outbox, so
//! every process can read them; a process's live subscribers are woken at once for activity in
//! that process and find the rest when they next look (every second).

mod inbox;
mod recipients;
mod template_failures;

pub use inbox::{Activity, Notification};
pub use recipients::Recipient;

pub(crate) use inbox::{CaseRef, record};

/// Wakes this process's subscription streams when it records a notification.
pub(crate) struct Signal {
    sender: tokio::sync::broadcast::Sender<i64>,
}

impl Default for Signal {
    fn default() -> Self {
        Signal {
            sender: tokio::sync::broadcast::channel(256).0,
        }
    }
}

impl Signal {
    pub(crate) fn wake(&self, user_id: i64) {
        let _ = self.sender.send(user_id);
    }

    pub(crate) fn listen(&self) -> tokio::sync::broadcast::Receiver<i64> {
        self.sender.subscribe()
    }

    /// Rows written from now on, in id order, as a stream: `fetch(engine, after)` answers the
    /// rows after an id, with their ids. The rows are what every process writes, so reading
    /// them is what brings other processes' activity; this process's activity wakes the stream
    /// at once, and otherwise it looks every second. `what` names the rows in a failure's log.
    pub(crate) fn rows_after<T, F, Fut>(
        &self,
        engine: std::sync::Arc<crate::Engine>,
        start: i64,
        what: &'static str,
        fetch: F,
    ) -> impl futures_util::Stream<Item = T> + Send + use<T, F, Fut>
    where
        T: Send + 'static,
        F: Fn(std::sync::Arc<crate::Engine>, i64) -> Fut + Send + Sync + 'static,
        Fut: std::future::Future<Output = crate::error::Result<Vec<(i64, T)>>> + Send,
    {
        let state = (
            engine,
            self.listen(),
            start,
            std::collections::VecDeque::new(),
            fetch,
        );
        futures_util::stream::unfold(
            state,
            move |(engine, mut receiver, mut after, mut queue, fetch)| async move {
                loop {
                    if let Some(row) = queue.pop_front() {
                        return Some((row, (engine, receiver, after, queue, fetch)));
                    }
                    match fetch(engine.clone(), after).await {
                        Ok(found) if !found.is_empty() => {
                            after = found.last().map_or(after, |(id, _)| *id);
                            queue.extend(found.into_iter().map(|(_, row)| row));
                            continue;
                        }
                        Ok(_) => {}
                        Err(e) => tracing::warn!(error = %e, "reading {what} failed"),
                    }
                    let wait = tokio::time::sleep(std::time::Duration::from_secs(1));
                    tokio::select! {
                        _ = wait => {}
                        r = receiver.recv() => {
                            if matches!(r, Err(tokio::sync::broadcast::error::RecvError::Closed)) {
                                return None;
                            }
                        }
                    }
                }
            },
        )
    }
}
