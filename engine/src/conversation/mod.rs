//! The conversation on each case: messages between staff and the case's portal contacts, and
//! staff's internal notes beside them.
//!
//! A message is addressed when it is written: a staff reply or a client's message to every
//! contact who can see the case on the portal then, an internal note to nobody outside the
//! firm. A contact reads only what was addressed to them, and only while they can still see
//! the case, so losing access hides the conversation from then on. The addressing rows are
//! also each contact's unread state and staff's read receipts; staff users keep one "read up
//! to" mark per case.
//!
//! Bodies are plain text, stored as written: the UIs show them as text (links made clickable,
//! line breaks kept) and never as HTML.

mod inbound;
mod mail;
mod portal;
mod reply_address;
mod staff;
mod store;

pub use inbound::{EmailedFile, Refused};
pub use reply_address::{ReplyAddress, ReplyTarget};

use crate::error::{EngineError, Result};

/// The longest message, in characters.
pub const MAX_MESSAGE_CHARS: usize = 20_000;

/// How long after writing it its author may still change or remove a message.
pub const EDIT_WINDOW_MICROS: i64 = 15 * 60 * 1_000_000;

crate::vocabulary::vocabulary! {
    /// How a message reached the conversation.
    pub enum Via {
        /// Written in a web UI or over GraphQL.
        App = "app",
        /// A client answered an email of ours.
        Email = "email",
    }
}

/// Who wrote a message: a staff user or a contact (names as they were when written).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MessageAuthor {
    pub user_id: Option<i64>,
    pub contact_id: Option<i64>,
    pub name: String,
}

/// A file sent with a message: a document of the case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MessageAttachment {
    pub id: i64,
    pub name: String,
}

/// A contact a message was addressed to, and when they read it (staff see this; clients
/// never see anything of the kind about staff).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MessageReceipt {
    pub contact_id: i64,
    pub name: String,
    pub read_at: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseMessage {
    pub id: i64,
    pub case_id: i64,
    pub author: MessageAuthor,
    /// Empty once deleted.
    pub body: String,
    pub internal: bool,
    pub via: Via,
    pub created_at: i64,
    pub edited_at: Option<i64>,
    pub deleted_at: Option<i64>,
    pub attachments: Vec<MessageAttachment>,
    /// Filled for staff only.
    pub receipts: Vec<MessageReceipt>,
}

impl CaseMessage {
    pub fn from_client(&self) -> bool {
        self.author.contact_id.is_some()
    }

    pub fn deleted(&self) -> bool {
        self.deleted_at.is_some()
    }
}

/// Which part of a long conversation to read: the `last` messages (all when `None`) before
/// the message `before` (the newest when `None`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Window {
    pub last: Option<u64>,
    pub before: Option<i64>,
}

/// Part of a conversation, oldest first, and whether there are earlier messages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Conversation {
    pub messages: Vec<CaseMessage>,
    pub earlier: bool,
}

/// Records a message's files (already in the store) as documents of its case, attached to it
/// and shared with the contacts it goes to, inside the caller's transaction.
async fn attach_files(
    db: &impl crate::db::Exec,
    p: &crate::identity::Principal,
    message_id: i64,
    row: &crate::documents::NewDocumentRow,
    files: &[crate::documents::Stored],
    recipients: &[i64],
) -> Result<()> {
    for file in files {
        let doc = crate::documents::insert_stored(db, p, row, file).await?;
        store::attach(db, message_id, doc).await?;
        for contact in recipients {
            crate::documents::share(db, row.case_id, *contact, doc).await?;
        }
    }
    Ok(())
}

/// A body as stored: line endings made `\n`, control characters other than line breaks and
/// tabs dropped, trailing blank space trimmed. Empty is allowed only with attachments.
pub(crate) fn clean_body(raw: &str, has_attachments: bool) -> Result<String> {
    let unified = raw.replace("\r\n", "\n").replace('\r', "\n");
    let kept: String = unified
        .chars()
        .filter(|c| !c.is_control() || *c == '\n' || *c == '\t')
        .collect();
    let body = kept.trim_end().trim_start_matches('\n').to_owned();
    if body.chars().count() > MAX_MESSAGE_CHARS {
        return Err(EngineError::validation(
            "body",
            format!("a message is at most {MAX_MESSAGE_CHARS} characters"),
        ));
    }
    if body.trim().is_empty() && !has_attachments {
        return Err(EngineError::missing("body", "write a message"));
    }
    Ok(body)
}

/// The first words of a body, for a notification.
pub(crate) fn excerpt(body: &str) -> String {
    let flat: String = body.split_whitespace().collect::<Vec<_>>().join(" ");
    if flat.chars().count() <= 140 {
        return flat;
    }
    let cut: String = flat.chars().take(139).collect();
    format!("{}…", cut.trim_end())
}

/// Whether `message` may still be changed by its author at `now`.
fn still_editable(message: &CaseMessage, now: i64) -> Result<()> {
    if message.deleted() {
        return Err(EngineError::Conflict {
            message: "the message was deleted".into(),
            related: Vec::new(),
        });
    }
    if now - message.created_at > EDIT_WINDOW_MICROS {
        return Err(EngineError::Conflict {
            message: "a message can be changed or deleted only in the 15 minutes after it was sent"
                .into(),
            related: Vec::new(),
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bodies_keep_their_lines_and_lose_control_characters() {
        assert_eq!(
            clean_body("\r\nHola\r\n\r\nDos\u{0}\u{7} líneas\t.\n \n", false).unwrap(),
            "Hola\n\nDos líneas\t."
        );
        assert!(clean_body("  \n ", false).is_err());
        assert_eq!(clean_body("", true).unwrap(), "");
        let long = "a".repeat(MAX_MESSAGE_CHARS + 1);
        assert!(clean_body(&long, false).is_err());
        assert!(clean_body(&"á".repeat(MAX_MESSAGE_CHARS), false).is_ok());
    }

    #[test]
    fn an_excerpt_is_one_short_line() {
        assert_eq!(excerpt("Hola,\n\nqué tal"), "Hola, qué tal");
        let e = excerpt(&"palabra ".repeat(40));
        assert!(e.ends_with('…') && e.chars().count() <= 140, "{e}");
    }
}
