//! Telling clients what changed on their cases: a staff reply, a document shared with them, a
//! new status, access to another case.
//!
//! Each contact chooses per kind of news, on the portal's account page, whether it is emailed
//! right away, gathered into one digest a day, or not sent (by default replies go right away
//! and the rest in the digest). Whatever the choice, nothing is sent about a case the contact
//! can no longer see: the check is made when the news happens and again when a digest goes.
//! Emails sent right away wait the engine's gathering time for more news of the same kind on
//! the same case, which then goes in the same email.

mod digest;
mod settings;

pub use digest::DigestSettings;
pub use settings::NewsSetting;

use crate::Engine;
use crate::db::Exec;
use crate::error::Result;
use crate::mail::{EmailKind, NewMail, outbox};
use crate::portal::PortalContact;
use serde_json::{Value, json};

crate::vocabulary::vocabulary! {
    /// The kinds of news a client can be told.
    pub enum NewsKind {
        /// Staff wrote to them on a case.
        Reply = "reply",
        /// Staff shared documents with them.
        DocumentShared = "document_shared",
        /// A case of theirs changed status.
        StatusChanged = "status_changed",
        /// They were given access to another case.
        CaseAccess = "case_access",
    }
}

crate::vocabulary::vocabulary! {
    /// How a contact wants a kind of news.
    pub enum Delivery {
        Now = "now",
        Digest = "digest",
        Off = "off",
    }
}

impl NewsKind {
    /// Replies are answers people wait for; the rest can wait for the day's digest.
    pub fn default_delivery(self) -> Delivery {
        match self {
            NewsKind::Reply => Delivery::Now,
            _ => Delivery::Digest,
        }
    }

    /// The email of one piece of news of this kind sent right away.
    fn email(self) -> EmailKind {
        match self {
            NewsKind::Reply => EmailKind::CaseMessage,
            NewsKind::DocumentShared => EmailKind::DocumentsShared,
            NewsKind::StatusChanged => EmailKind::CaseStatusChanged,
            NewsKind::CaseAccess => EmailKind::CaseAccess,
        }
    }
}

/// Something to tell one contact about one case. `facts` are the kind's own values (the
/// email's variables besides the common ones); `item` is the line the digest shows.
pub(crate) struct News {
    pub kind: NewsKind,
    pub case_id: i64,
    pub facts: serde_json::Map<String, Value>,
    /// Where the email leads; the case's portal page when `None`.
    pub link: Option<String>,
    /// The `Reply-To` of an email sent right away.
    pub reply_to: Option<String>,
}

/// The case's number and subject, as the emails name it.
async fn case_names(db: &impl Exec, case_id: i64) -> Result<(String, String)> {
    let subject = crate::requests::case_subject(db, case_id).await?;
    Ok((crate::records::case_number(case_id), subject))
}

/// The lists a gathered email holds: each of these in the held email and the new one are
/// joined, everything else is the newest's.
const GATHERED_LISTS: [&str; 2] = ["messages", "documents"];

fn join_news(held: &Value, new: &Value) -> Value {
    let mut joined = new.clone();
    for key in GATHERED_LISTS {
        let mut all: Vec<Value> = held[key].as_array().cloned().unwrap_or_default();
        all.extend(new[key].as_array().cloned().unwrap_or_default());
        if !all.is_empty() {
            joined[key] = Value::Array(all);
        }
    }
    // A status that changed twice in the gathering time: from the first to the last.
    if let Some(first) = held.get("previous_status").filter(|v| !v.is_null()) {
        joined["previous_status"] = first.clone();
    }
    joined
}

impl Engine {
    /// Tells `contact_id` the news as they chose, inside the caller's transaction: an email
    /// now, a line in their next digest, or nothing. Answers whether anything was queued.
    pub(crate) async fn tell_client(
        &self,
        db: &impl Exec,
        contact_id: i64,
        news: News,
    ) -> Result<bool> {
        let access = crate::portal::access_row(db, news.case_id, contact_id).await?;
        if !access.is_some_and(|a| a.enabled) {
            return Ok(false);
        }
        match settings::delivery(db, contact_id, news.kind).await? {
            Delivery::Off => Ok(false),
            Delivery::Digest => {
                digest::hold(db, contact_id, &news).await?;
                Ok(true)
            }
            Delivery::Now => {
                let contact = PortalContact::load(db, contact_id).await?;
                if contact.email.trim().is_empty() {
                    return Ok(false);
                }
                let (number, subject) = case_names(db, news.case_id).await?;
                let mut context = json!({
                    "contact_name": contact.name,
                    "email": contact.email,
                    "link": news.link.clone().unwrap_or_else(|| self.links.portal_case(news.case_id)),
                    "case_id": news.case_id,
                    "case_number": number,
                    "case_subject": subject,
                });
                if let Value::Object(map) = &mut context {
                    map.extend(news.facts.clone());
                    if let Some(reply_to) = &news.reply_to {
                        map.insert("reply_to".into(), json!(reply_to));
                    }
                }
                let mail = NewMail {
                    to_address: contact.email.clone(),
                    to_name: Some(contact.name.clone()),
                    time_zone: contact.time_zone.clone(),
                    kind: news.kind.email(),
                    language: contact.language.clone(),
                    context,
                };
                let hold = self.mail_gather_micros;
                outbox::enqueue_gathered(db, &mail, "case_id", hold, join_news).await?;
                Ok(true)
            }
        }
    }
}

/// A status as a contact reads it: the admin's label in their language, else the value.
fn status_label(catalog: &crate::metadata::Catalog, value: &Value, language: &str) -> String {
    let raw = value.as_str().unwrap_or_default();
    catalog
        .entity(crate::metadata::EntityKind::Case)
        .field("status")
        .and_then(|f| f.option_label_in(raw, language))
        .unwrap_or(raw)
        .to_owned()
}

impl Engine {
    /// Tells the contacts who can see a case that its status changed.
    pub(crate) async fn tell_status_changed(
        &self,
        db: &impl Exec,
        case_id: i64,
        before: &Value,
        after: &Value,
    ) -> Result<()> {
        let catalog = self.catalog();
        for contact_id in crate::portal::granted_contacts(db, case_id).await? {
            let language = PortalContact::load(db, contact_id).await?.language;
            let mut facts = serde_json::Map::new();
            facts.insert(
                "status".into(),
                json!(status_label(&catalog, after, &language)),
            );
            facts.insert(
                "previous_status".into(),
                json!(status_label(&catalog, before, &language)),
            );
            let news = News {
                kind: NewsKind::StatusChanged,
                case_id,
                facts,
                link: None,
                reply_to: None,
            };
            self.tell_client(db, contact_id, news).await?;
        }
        Ok(())
    }

    /// Tells a contact that documents were shared with them.
    pub(crate) async fn tell_documents_shared(
        &self,
        db: &impl Exec,
        case_id: i64,
        contact_id: i64,
        names: &[String],
        shared_by: &str,
    ) -> Result<()> {
        let mut facts = serde_json::Map::new();
        facts.insert("documents".into(), json!(names));
        facts.insert("shared_by".into(), json!(shared_by));
        let news = News {
            kind: NewsKind::DocumentShared,
            case_id,
            facts,
            link: Some(format!("{}#documents", self.links.portal_case(case_id))),
            reply_to: None,
        };
        self.tell_client(db, contact_id, news).await?;
        Ok(())
    }
}
