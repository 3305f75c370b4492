//! A client's answer to one of our emails, arriving through the inbound mail listener: posted
//! to the conversation as that contact's message when, and only when, the address it was sent
//! to is a valid reply address of theirs, the sender is that contact, and they can still see
//! the case. Everything else is refused with the reason, for the listener to log.

use super::{CaseMessage, ReplyAddress, Via, clean_body};
use crate::Engine;
use crate::documents::Upload;
use crate::error::{EngineError, Result};
use crate::identity::{PortalPrincipal, Principal};
use crate::portal::PortalContact;

/// A file attached to an emailed answer.
pub struct EmailedFile {
    pub filename: String,
    pub content_type: Option<String>,
    pub bytes: Vec<u8>,
}

/// Why an emailed answer was not posted.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum Refused {
    #[error("the address is not a reply address of ours")]
    UnknownAddress,
    #[error("the reply address's code is wrong")]
    ForgedAddress,
    #[error("the reply address has expired")]
    ExpiredAddress,
    #[error("the sender is not the contact the address belongs to")]
    WrongSender,
    #[error("the contact can no longer see the case")]
    NoAccess,
    #[error("the message has nothing to post")]
    Empty,
    #[error("the contact has written too many messages this hour")]
    RateLimited,
    #[error("an attachment was refused: {0}")]
    Attachment(String),
}

impl Engine {
    /// Whether mail for `address` would be taken at all: asked at `RCPT TO`, so that mail for
    /// a wrong address is refused before its body is sent.
    pub fn accepts_reply_address(&self, address: &str) -> std::result::Result<(), Refused> {
        match self.read_reply_address(address) {
            ReplyAddress::Valid(_) => Ok(()),
            ReplyAddress::Unknown => Err(Refused::UnknownAddress),
            ReplyAddress::Forged => Err(Refused::ForgedAddress),
            ReplyAddress::Expired => Err(Refused::ExpiredAddress),
        }
    }

    /// Posts an emailed answer (`body` already stripped of quoted history and signature).
    pub async fn receive_emailed_reply(
        &self,
        address: &str,
        sender: &str,
        body: &str,
        files: Vec<EmailedFile>,
    ) -> Result<std::result::Result<CaseMessage, Refused>> {
        let target = match self.read_reply_address(address) {
            ReplyAddress::Valid(t) => t,
            ReplyAddress::Unknown => return Ok(Err(Refused::UnknownAddress)),
            ReplyAddress::Forged => return Ok(Err(Refused::ForgedAddress)),
            ReplyAddress::Expired => return Ok(Err(Refused::ExpiredAddress)),
        };
        let contact = match PortalContact::load(&self.reader(), target.contact_id).await {
            Ok(c) => c,
            Err(EngineError::NotFound { .. }) => return Ok(Err(Refused::WrongSender)),
            Err(e) => return Err(e),
        };
        if contact.email.trim().is_empty()
            || !contact.email.trim().eq_ignore_ascii_case(sender.trim())
        {
            return Ok(Err(Refused::WrongSender));
        }
        // The contact as a portal user of no particular organisation: every case granted to
        // them, and nothing more.
        let p = Principal::Portal(PortalPrincipal {
            contact_id: contact.id,
            name: contact.name.clone(),
            session_id: 0,
            organisation_id: None,
        });
        let case = match self.portal_case(&p, target.case_id).await {
            Ok(c) => c,
            Err(EngineError::NotFound { .. }) => return Ok(Err(Refused::NoAccess)),
            Err(e) => return Err(e),
        };
        let body = match clean_body(body, !files.is_empty()) {
            Ok(b) => b,
            Err(_) if body.trim().is_empty() => return Ok(Err(Refused::Empty)),
            // Longer than a message may be: the first part is kept.
            Err(_) => {
                let cut: String = body.chars().take(super::MAX_MESSAGE_CHARS).collect();
                clean_body(&cut, !files.is_empty())?
            }
        };
        let mut stored = Vec::with_capacity(files.len());
        for f in files {
            let mut reader = std::io::Cursor::new(f.bytes);
            let upload = Upload {
                filename: f.filename.clone(),
                content_type: f.content_type,
                content: &mut reader,
            };
            match self.storage.accept(upload).await {
                Ok(s) => stored.push(s),
                Err(EngineError::Validation { message, .. }) => {
                    return Ok(Err(Refused::Attachment(format!(
                        "{}: {message}",
                        f.filename
                    ))));
                }
                Err(e) => return Err(e),
            }
        }
        match self
            .record_client_message(
                &p,
                &case,
                contact.id,
                &contact.name,
                &body,
                stored,
                Via::Email,
            )
            .await
        {
            Ok(m) => Ok(Ok(m)),
            Err(EngineError::RateLimited) => Ok(Err(Refused::RateLimited)),
            Err(e) => Err(e),
        }
    }
}
