//! Client requests: what staff ask a case's portal contacts for (documents, answers to a
//! questionnaire, a signature) and its life: open, submitted by the client, accepted or
//! returned with a comment, or cancelled. Every change is in the case's audit log.
//!
//! The questions of a questionnaire are typed with the field types of the field editor and
//! validated by the same JSON Schemas, so an answer is checked as a field value would be.

mod mail;
mod notify;
mod portal;
mod reminders;
mod signing;
mod staff;
mod store;
mod templates;

pub(crate) use notify::case_subject;
pub use reminders::{ReminderSettings, step_due};
pub use signing::SigningContext;
pub use store::parse_states;
pub use templates::QuestionnaireTemplate;

use crate::error::{EngineError, Result};
use crate::metadata::{EntityKind, FieldDefinition, FieldType, Translations};
use serde::{Deserialize, Serialize};
use serde_json::Value;

crate::vocabulary::vocabulary! {
    /// What a request asks for.
    pub enum RequestKind {
        Documents = "documents",
        Questions = "questions",
        Signature = "signature",
    }
}

crate::vocabulary::vocabulary! {
    /// Where a request stands.
    pub enum RequestState {
        Open = "open",
        Submitted = "submitted",
        Accepted = "accepted",
        Returned = "returned",
        Cancelled = "cancelled",
    }
}

impl RequestState {
    /// Whether the client still has something to do.
    pub fn awaits_client(self) -> bool {
        matches!(self, RequestState::Open | RequestState::Returned)
    }
}

/// One question of a questionnaire.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Question {
    pub key: String,
    pub label: String,
    pub field_type: FieldType,
    #[serde(default)]
    pub options: Vec<String>,
    #[serde(default)]
    pub required: bool,
}

impl Question {
    /// The question as a field definition, for the validators and inputs the field editor's
    /// types use.
    pub fn as_field(&self) -> FieldDefinition {
        FieldDefinition {
            id: 0,
            entity: EntityKind::Case,
            key: self.key.clone(),
            label: self.label.clone(),
            field_type: self.field_type,
            options: self.options.clone(),
            required: self.required,
            active: true,
            system: false,
            block: String::new(),
            position: 0,
            help: None,
            portal_visible: true,
            portal_editable: true,
            default_option: None,
            closed_options: Vec::new(),
            labels: Translations::default(),
            helps: Translations::default(),
            option_labels: Default::default(),
        }
    }
}

/// A person a request is addressed to.
#[derive(Debug, Clone, PartialEq)]
pub struct RequestContact {
    pub id: i64,
    pub name: String,
}

/// A document uploaded into a request.
#[derive(Debug, Clone, PartialEq)]
pub struct RequestDocument {
    pub id: i64,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ClientRequest {
    pub id: i64,
    pub case_id: i64,
    pub kind: RequestKind,
    pub state: RequestState,
    pub title: String,
    pub instructions: String,
    /// `YYYY-MM-DD`.
    pub due_date: Option<String>,
    pub folder_id: Option<i64>,
    pub document_id: Option<i64>,
    pub questions: Vec<Question>,
    /// The client's answers by question key (a draft until submitted).
    pub answers: Value,
    /// Why staff returned it.
    pub comment: Option<String>,
    /// In the order staff chose (the signing order).
    pub contacts: Vec<RequestContact>,
    pub documents: Vec<RequestDocument>,
    /// For a signature request: each signature and refusal so far, in order.
    pub signatures: Vec<crate::signatures::SignatureRecord>,
    pub created_at: i64,
    pub updated_at: i64,
    pub submitted_at: Option<i64>,
}

impl ClientRequest {
    /// Whether `contact` sees the request on the portal: one addressed to them, except a
    /// signature whose turn has not come (a later signer sees it once those before have
    /// signed, and everyone once it is no longer waiting).
    pub fn shown_to(&self, contact: i64) -> bool {
        if !self.contacts.iter().any(|c| c.id == contact) {
            return false;
        }
        self.kind != RequestKind::Signature
            || !self.state.awaits_client()
            || self.next_signer().map(|c| c.id) == Some(contact)
            || self.signatures.iter().any(|s| s.contact_id == contact)
    }

    /// Whose signature a signature request waits for: the first contact, in the order staff
    /// chose, who has not signed. `None` once everyone has signed (or one declined).
    pub fn next_signer(&self) -> Option<&RequestContact> {
        if self.signatures.iter().any(|s| s.declined_at.is_some()) {
            return None;
        }
        self.contacts.iter().find(|c| {
            !self
                .signatures
                .iter()
                .any(|s| s.contact_id == c.id && s.signed_at.is_some())
        })
    }

    /// Still waiting for the client after its due date (UTC calendar day).
    pub fn late(&self) -> bool {
        let today = chrono::Utc::now().format("%Y-%m-%d").to_string();
        self.state.awaits_client() && self.due_date.as_deref().is_some_and(|d| d < today.as_str())
    }
}

/// What staff supply to make a request.
#[derive(Debug, Clone)]
pub struct NewRequest {
    pub case_id: i64,
    pub contact_ids: Vec<i64>,
    pub kind: RequestKind,
    pub title: String,
    pub instructions: Option<String>,
    pub due_date: Option<String>,
    pub folder_id: Option<i64>,
    pub document_id: Option<i64>,
    pub questions: Vec<Question>,
}

/// The types a question may have: what a client can type or pick on a form.
const QUESTION_TYPES: [FieldType; 11] = [
    FieldType::Text,
    FieldType::Textarea,
    FieldType::Number,
    FieldType::Decimal,
    FieldType::Boolean,
    FieldType::Date,
    FieldType::Email,
    FieldType::Phone,
    FieldType::Url,
    FieldType::Select,
    FieldType::Multiselect,
];

fn check_questions(questions: Vec<Question>) -> Result<Vec<Question>> {
    if questions.is_empty() {
        return Err(EngineError::missing(
            "questions",
            "a questionnaire needs at least one question",
        ));
    }
    let mut out: Vec<Question> = Vec::with_capacity(questions.len());
    for (i, mut q) in questions.into_iter().enumerate() {
        let at = |what: &str| EngineError::validation(format!("questions.{i}"), what.to_owned());
        q.key = crate::metadata::FieldKey::parse(&q.key)
            .map_err(|_| at("a question's key is a short camelCase name (`taxYear`)"))?
            .as_str()
            .to_owned();
        q.label = q.label.trim().to_owned();
        if q.label.is_empty() || q.label.chars().count() > 500 {
            return Err(at("a question needs its text (at most 500 characters)"));
        }
        if !QUESTION_TYPES.contains(&q.field_type) {
            return Err(at(
                "a question is text, a number, a date, yes/no, an email, a phone, a web address or a choice",
            ));
        }
        q.options = q
            .options
            .iter()
            .map(|o| o.trim().to_owned())
            .filter(|o| !o.is_empty())
            .collect();
        if q.field_type.has_options() && q.options.is_empty() {
            return Err(at("a choice needs its options"));
        }
        if !q.field_type.has_options() {
            q.options.clear();
        }
        if out.iter().any(|o| o.key == q.key) {
            return Err(at("two questions have the same key"));
        }
        out.push(q);
    }
    Ok(out)
}

/// Checks answers against the questions: `complete` also asks every required one.
fn check_answers(questions: &[Question], answers: &Value, complete: bool) -> Result<()> {
    let fields: Vec<FieldDefinition> = questions.iter().map(Question::as_field).collect();
    let mode = if complete {
        crate::metadata::validation::Mode::Create
    } else {
        crate::metadata::validation::Mode::Patch
    };
    let validator =
        crate::metadata::validation::RecordValidator::build(EntityKind::Case, fields, mode)?;
    // A draft may leave answers empty (null); a submitted questionnaire may not, where required.
    let cleaned: serde_json::Map<String, Value> = answers
        .as_object()
        .map(|m| {
            m.iter()
                .filter(|(_, v)| complete || !v.is_null())
                .filter(|(_, v)| !(complete && v.as_str().is_some_and(|s| s.trim().is_empty())))
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect()
        })
        .unwrap_or_default();
    validator.validate(&Value::Object(cleaned))
}

fn check_due_date(raw: Option<String>) -> Result<Option<String>> {
    let Some(raw) = raw.map(|d| d.trim().to_owned()).filter(|d| !d.is_empty()) else {
        return Ok(None);
    };
    let day = chrono::NaiveDate::parse_from_str(&raw, "%Y-%m-%d").map_err(|_| {
        EngineError::validation(
            "dueDate",
            format!("`{raw}` is not a date written YYYY-MM-DD"),
        )
    })?;
    // A year typed wrong in a date field (0131 for 2031) would silently never come.
    if !(2000..=2200).contains(&chrono::Datelike::year(&day)) {
        return Err(EngineError::validation(
            "dueDate",
            format!("`{raw}` is not a likely due date: check the year"),
        ));
    }
    Ok(Some(day.format("%Y-%m-%d").to_string()))
}
