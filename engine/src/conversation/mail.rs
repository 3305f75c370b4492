//! What a message sets going: the client contacts told of a staff reply (as each chose), the
//! staff told of a client's message (through the case's notification recipients, as for an
//! upload).

use super::CaseMessage;
use crate::Engine;
use crate::client_news::{News, NewsKind};
use crate::db::Exec;
use crate::error::Result;
use serde_json::{Map, Value, json};

/// The message as an email shows it.
fn shown(message: &CaseMessage) -> Value {
    json!({
        "author": message.author.name,
        "body": message.body,
        "attachments": message.attachments.iter().map(|a| a.name.clone()).collect::<Vec<_>>(),
    })
}

impl Engine {
    /// Tells each contact a staff reply went to, as they chose; the email can be answered.
    pub(super) async fn tell_reply(
        &self,
        db: &impl Exec,
        message: &CaseMessage,
        recipients: &[i64],
    ) -> Result<()> {
        for contact_id in recipients {
            let mut facts = Map::new();
            facts.insert("messages".into(), json!([shown(message)]));
            let reply_to = self.reply_address(message.case_id, *contact_id);
            facts.insert(
                "reply_to".into(),
                json!(reply_to.clone().unwrap_or_default()),
            );
            let news = News {
                kind: NewsKind::Reply,
                case_id: message.case_id,
                facts,
                link: Some(format!(
                    "{}#conversation",
                    self.links.portal_case(message.case_id)
                )),
                reply_to,
            };
            self.tell_client(db, *contact_id, news).await?;
        }
        Ok(())
    }
}
