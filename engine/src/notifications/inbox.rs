//! Recording portal activity for the case's recipients, and each staff user's inbox.

use super::recipients;
use crate::Engine;
use crate::db::tables::Notifications;
use crate::db::{Exec, Row, now_micros};
use crate::error::{EngineError, Result};
use crate::identity::Principal;
use crate::mail::outbox::{self, NewMail};
use sea_orm::sea_query::{Expr, ExprTrait, Order, Query};
use serde_json::json;

/// What a client did on the portal.
#[derive(Debug, Clone)]
pub enum Activity {
    Uploaded {
        contact: String,
        document: String,
    },
    OpenedCase {
        contact: String,
    },
    /// The client said a request of the firm's is done.
    SubmittedRequest {
        contact: String,
        title: String,
    },
    /// The client signed a document the firm asked them to.
    Signed {
        contact: String,
        document: String,
    },
    /// The client would not sign, saying why.
    DeclinedSignature {
        contact: String,
        document: String,
        reason: String,
    },
    /// The client wrote on the case's conversation.
    Messaged {
        contact: String,
        excerpt: String,
        attachments: Vec<String>,
    },
}

impl Activity {
    fn kind(&self) -> &'static str {
        match self {
            Activity::Uploaded { .. } => "client_upload",
            Activity::OpenedCase { .. } => "portal_case_created",
            Activity::SubmittedRequest { .. } => "client_request_submitted",
            Activity::Signed { .. } => "client_signed",
            Activity::DeclinedSignature { .. } => "client_declined_signature",
            Activity::Messaged { .. } => "client_message",
        }
    }

    /// The facts of the message, for a UI to word in its own language.
    fn detail(&self) -> serde_json::Value {
        match self {
            Activity::Uploaded { contact, document } => {
                json!({"contact": contact, "document": document})
            }
            Activity::OpenedCase { contact } => json!({"contact": contact}),
            Activity::SubmittedRequest { contact, title } => {
                json!({"contact": contact, "title": title})
            }
            Activity::Signed { contact, document } => {
                json!({"contact": contact, "document": document})
            }
            Activity::DeclinedSignature {
                contact,
                document,
                reason,
            } => json!({"contact": contact, "document": document, "reason": reason}),
            Activity::Messaged {
                contact,
                excerpt,
                attachments,
            } => json!({"contact": contact, "excerpt": excerpt, "attachments": attachments}),
        }
    }

    /// The in-app message, stored in English (the UIs word it from `detail`).
    fn message(&self) -> String {
        self.message_in("en")
    }

    /// The activity in a staff user's email language.
    fn message_in(&self, language: &str) -> String {
        match (self, language) {
            (Activity::Uploaded { contact, document }, "es") => {
                format!("{contact} subió {document} en el portal")
            }
            (Activity::Uploaded { contact, document }, _) => {
                format!("{contact} uploaded {document} on the portal")
            }
            (Activity::OpenedCase { contact }, "es") => {
                format!("{contact} abrió el caso en el portal")
            }
            (Activity::OpenedCase { contact }, _) => {
                format!("{contact} opened the case on the portal")
            }
            (Activity::SubmittedRequest { contact, title }, "es") => {
                format!("{contact} entregó «{title}» en el portal")
            }
            (Activity::SubmittedRequest { contact, title }, _) => {
                format!("{contact} sent “{title}” back done on the portal")
            }
            (Activity::Signed { contact, document }, "es") => {
                format!("{contact} firmó {document} en el portal")
            }
            (Activity::Signed { contact, document }, _) => {
                format!("{contact} signed {document} on the portal")
            }
            (
                Activity::DeclinedSignature {
                    contact,
                    document,
                    reason,
                },
                "es",
            ) => format!("{contact} no firmó {document}: {reason}"),
            (
                Activity::DeclinedSignature {
                    contact,
                    document,
                    reason,
                },
                _,
            ) => format!("{contact} declined to sign {document}: {reason}"),
            (
                Activity::Messaged {
                    contact,
                    excerpt,
                    attachments,
                },
                "es",
            ) => match attachments.len() {
                0 => format!("{contact} escribió: «{excerpt}»"),
                n => format!("{contact} escribió: «{excerpt}» ({n} adjuntos)"),
            },
            (
                Activity::Messaged {
                    contact,
                    excerpt,
                    attachments,
                },
                _,
            ) => match attachments.len() {
                0 => format!("{contact} wrote: “{excerpt}”"),
                1 => format!("{contact} wrote: “{excerpt}” (1 attachment)"),
                n => format!("{contact} wrote: “{excerpt}” ({n} attachments)"),
            },
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notification {
    pub id: i64,
    pub user_id: i64,
    pub case_id: Option<i64>,
    pub kind: String,
    pub message: String,
    /// `{contact, document}` as far as the kind has them; `null` for notifications stored
    /// before it was kept.
    pub detail: serde_json::Value,
    pub read_at: Option<i64>,
    pub created_at: i64,
}

const COLUMNS: [Notifications; 8] = [
    Notifications::Id,
    Notifications::UserId,
    Notifications::CaseId,
    Notifications::Kind,
    Notifications::Message,
    Notifications::ReadAt,
    Notifications::CreatedAt,
    Notifications::Detail,
];

fn decode(r: &Row) -> Result<Notification> {
    Ok(Notification {
        id: r.get(0)?,
        user_id: r.get(1)?,
        case_id: r.get(2)?,
        kind: r.get(3)?,
        message: r.get(4)?,
        read_at: r.get(5)?,
        created_at: r.get(6)?,
        detail: r
            .get::<Option<String>>(7)?
            .and_then(|d| serde_json::from_str(&d).ok())
            .unwrap_or(serde_json::Value::Null),
    })
}

/// The case an activity happened on, as the notifications describe it.
pub(crate) struct CaseRef {
    pub id: i64,
    pub subject: String,
    /// `Some(owner)` when the caller knows the case has no recipient list yet (a case just
    /// opened): its owner is then the list, with no need to ask the database.
    pub new_with_owner: Option<Option<i64>>,
}

/// The email about a case's activity so far, with one more thing that happened.
fn join_activities(held: &serde_json::Value, new: &serde_json::Value) -> serde_json::Value {
    let mut joined = held.clone();
    let mut all: Vec<serde_json::Value> =
        held["activities"].as_array().cloned().unwrap_or_default();
    all.extend(new["activities"].as_array().cloned().unwrap_or_default());
    let text: Vec<&str> = all.iter().filter_map(|a| a.as_str()).collect();
    joined["activity"] = text.join("; ").into();
    joined["activities"] = all.into();
    joined
}

/// Writes the activity's notifications and emails inside the caller's transaction; answers
/// the users to wake once it commits.
pub(crate) async fn record(
    engine: &Engine,
    db: &impl Exec,
    case: &CaseRef,
    activity: &Activity,
) -> Result<Vec<i64>> {
    let recipients = match case.new_with_owner {
        Some(owner) => owner
            .map(|user_id| recipients::Recipient {
                case_id: case.id,
                user_id,
                in_app: true,
                email: true,
            })
            .into_iter()
            .collect(),
        None => recipients::of_case(db, case.id).await?,
    };
    let mut woken = Vec::new();
    for r in recipients {
        if r.in_app {
            db.execute(
                &Query::insert()
                    .into_table(Notifications::Table)
                    .columns([
                        Notifications::UserId,
                        Notifications::CaseId,
                        Notifications::Kind,
                        Notifications::Message,
                        Notifications::Detail,
                        Notifications::CreatedAt,
                    ])
                    .values_panic([
                        r.user_id.into(),
                        case.id.into(),
                        activity.kind().into(),
                        activity.message().into(),
                        activity.detail().to_string().into(),
                        now_micros().into(),
                    ])
                    .to_owned(),
            )
            .await?;
            woken.push(r.user_id);
        }
        if !r.email {
            continue;
        }
        let user = match engine.sessions.user(r.user_id) {
            Some(u) => Some(u),
            None => crate::identity::staff::find_user(db, r.user_id).await?,
        };
        if let Some(user) = user.filter(|u| u.active) {
            let language = user.language.clone().unwrap_or_else(|| "es".into());
            let happened = activity.message_in(&language);
            let mail = NewMail {
                to_address: user.email.clone(),
                to_name: Some(user.name.clone()),
                time_zone: user.time_zone.clone(),
                kind: crate::mail::EmailKind::PortalActivity,
                language: language.clone(),
                context: json!({
                    "contact_name": user.name,
                    "email": user.email,
                    "link": engine.links.admin_case(case.id),
                    "case_id": case.id,
                    "case_number": crate::records::case_number(case.id),
                    "case_subject": case.subject,
                    "activity": happened,
                    "activities": [happened],
                }),
            };
            // A client's activity on a case within the gathering time of the first is told in
            // the same email: opening a case with an attachment is one email to the owner, not
            // two, and so is a batch of uploads or messages.
            let hold = engine.mail_gather_micros;
            if case.new_with_owner.is_some() {
                // A case just opened: no email about it can be held yet.
                outbox::enqueue_held(db, &mail, "case_id", hold).await?;
            } else {
                outbox::enqueue_gathered(db, &mail, "case_id", hold, join_activities).await?;
            }
        }
    }
    Ok(woken)
}

fn me(p: &Principal) -> Result<i64> {
    match p {
        Principal::Staff(s) => Ok(s.user_id),
        Principal::Anonymous => Err(EngineError::Unauthenticated),
        _ => Err(EngineError::Forbidden(
            "notifications belong to staff users".into(),
        )),
    }
}

pub(crate) async fn newer_than(
    db: &impl Exec,
    user_id: i64,
    after: i64,
) -> Result<Vec<Notification>> {
    let mut q = Query::select();
    q.columns(COLUMNS)
        .from(Notifications::Table)
        .and_where(Expr::col(Notifications::UserId).eq(user_id))
        .and_where(Expr::col(Notifications::Id).gt(after))
        .order_by(Notifications::Id, Order::Asc)
        .limit(100);
    db.query_all(&q).await?.iter().map(decode).collect()
}

impl Engine {
    /// The signed-in staff user's notifications, newest first (the latest 200).
    pub(crate) async fn notifications(
        &self,
        p: &Principal,
        unread_only: bool,
    ) -> Result<Vec<Notification>> {
        let user_id = me(p)?;
        let mut q = Query::select();
        q.columns(COLUMNS)
            .from(Notifications::Table)
            .and_where(Expr::col(Notifications::UserId).eq(user_id))
            .order_by(Notifications::Id, Order::Desc)
            .limit(200);
        if unread_only {
            q.and_where(Expr::col(Notifications::ReadAt).is_null());
        }
        self.reader()
            .query_all(&q)
            .await?
            .iter()
            .map(decode)
            .collect()
    }

    pub(crate) async fn mark_notification_read(
        &self,
        p: &Principal,
        id: i64,
    ) -> Result<Notification> {
        let user_id = me(p)?;
        let txn = self.begin_write().await?;
        txn.execute(
            &Query::update()
                .table(Notifications::Table)
                .value(Notifications::ReadAt, now_micros())
                .and_where(Expr::col(Notifications::Id).eq(id))
                .and_where(Expr::col(Notifications::UserId).eq(user_id))
                .and_where(Expr::col(Notifications::ReadAt).is_null())
                .to_owned(),
        )
        .await?;
        let mut q = Query::select();
        q.columns(COLUMNS)
            .from(Notifications::Table)
            .and_where(Expr::col(Notifications::Id).eq(id))
            .and_where(Expr::col(Notifications::UserId).eq(user_id));
        let found = match txn.query_one(&q).await? {
            Some(r) => decode(&r)?,
            None => return Err(EngineError::not_found("Notification", id)),
        };
        txn.commit().await?;
        Ok(found)
    }

    /// The user's notifications from now on, as they arrive: woken at once by activity in
    /// this process, and looking every second for activity in others.
    pub(crate) async fn notification_stream(
        self: &std::sync::Arc<Self>,
        p: &Principal,
    ) -> Result<impl futures_util::Stream<Item = Notification> + Send + use<>> {
        let user_id = me(p)?;
        let q = Query::select()
            .expr(Expr::col(Notifications::Id).max())
            .from(Notifications::Table)
            .and_where(Expr::col(Notifications::UserId).eq(user_id))
            .to_owned();
        let start: i64 = match self.reader().query_one(&q).await? {
            Some(r) => r.get::<Option<i64>>(0)?.unwrap_or(0),
            None => 0,
        };
        Ok(self.notification_signal.rows_after(
            std::sync::Arc::clone(self),
            start,
            "notifications",
            move |engine, after| async move {
                let found = newer_than(&engine.reader(), user_id, after).await?;
                Ok(found.into_iter().map(|n| (n.id, n)).collect())
            },
        ))
    }
}
