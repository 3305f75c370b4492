//! Replies by email: Portico's own SMTP listener (`PORTICO_INBOUND_SMTP_LISTEN`), for the MX
//! of the reply domain or a relay to deliver to.
//!
//! It takes mail only for valid reply addresses (refused at `RCPT TO` otherwise), reads the
//! message ([`reply`]), and hands the engine the answer with its quoted history and signature
//! trimmed. Auto-replies and bounces are accepted and dropped (refusing them would make the
//! sending server bounce the bounce); mail from anyone but the address's contact, or for a
//! case they can no longer see, is refused. Every refusal and drop is logged.

mod reply;
mod smtp;

use crate::config::Inbound;
use portico_engine::Engine;
use std::sync::Arc;
use std::time::Duration;

/// Sessions handled at once; more wait for the listener's backlog.
const MAX_SESSIONS: usize = 64;

/// Serves SMTP on `listener` until the process ends.
pub async fn serve(listener: tokio::net::TcpListener, engine: Arc<Engine>, config: Inbound) {
    let sessions = Arc::new(tokio::sync::Semaphore::new(MAX_SESSIONS));
    loop {
        let Ok(permit) = sessions.clone().acquire_owned().await else {
            return;
        };
        let (stream, peer) = match listener.accept().await {
            Ok(s) => s,
            Err(e) => {
                tracing::warn!(error = %e, "accepting an inbound mail connection failed");
                tokio::time::sleep(Duration::from_millis(100)).await;
                continue;
            }
        };
        let engine = engine.clone();
        let config = config.clone();
        tokio::spawn(async move {
            let session = smtp::Session::new(engine, config, peer);
            // A session never takes longer than this, whatever the client does.
            let limit = Duration::from_secs(600);
            if tokio::time::timeout(limit, session.run(stream))
                .await
                .is_err()
            {
                tracing::info!(%peer, "an inbound mail session took too long and was closed");
            }
            drop(permit);
        });
    }
}
