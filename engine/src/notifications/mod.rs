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
}
