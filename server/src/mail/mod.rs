//! Wiring the engine's mail worker to the theme's email templates: the built-in ones render
//! here, an admin's version in the [`sandbox`].

pub mod sandbox;

use portico_engine::mail::EmailKind;
use portico_engine::mail::{MailRenderer, RenderedMail, TemplateOverride};
use portico_theme::dates::{self, Tz};
use portico_theme::email::{EmailOverride, EmailTemplates, Language};
use serde_json::Value;

/// The theme's templates, as the engine's worker asks for them.
pub struct ThemeRenderer {
    templates: EmailTemplates,
    /// Dates in emails are written in this zone (`PORTICO_TIME_ZONE`).
    zone: Tz,
    /// The theme's words, for the options Portico ships (a status) in the reader's language.
    words: portico_theme::i18n::Catalog,
}

impl ThemeRenderer {
    /// Dates in UTC; see [`ThemeRenderer::in_zone`].
    pub fn new() -> Result<ThemeRenderer, String> {
        ThemeRenderer::in_zone(Tz::UTC)
    }

    pub fn in_zone(zone: Tz) -> Result<ThemeRenderer, String> {
        Ok(ThemeRenderer {
            templates: EmailTemplates::builtin().map_err(|e| e.to_string())?,
            zone,
            words: portico_theme::i18n::Catalog::default(),
        })
    }
}

/// The statuses in a context (`status`, `previous_status`, at any depth) in the reader's
/// language when they are options Portico ships ("In Progress" is "En curso"); an admin's own
/// wording stays as written.
fn shipped_statuses(context: &mut Value, words: &portico_theme::i18n::Strings) {
    match context {
        Value::Object(map) => {
            for (key, value) in map.iter_mut() {
                match value {
                    Value::String(s) if key == "status" || key == "previous_status" => {
                        let name =
                            format!("option_{}", portico_engine::metadata::enum_value_name(s));
                        let said = words.get(&name);
                        if said != name {
                            *s = said.to_owned();
                        }
                    }
                    other => shipped_statuses(other, words),
                }
            }
        }
        Value::Array(items) => {
            for item in items {
                shipped_statuses(item, words);
            }
        }
        _ => {}
    }
}

fn theme_override(c: &TemplateOverride) -> EmailOverride {
    EmailOverride {
        subject: c.subject.clone(),
        html: c.html.clone(),
        text: c.text.clone(),
    }
}

/// A sample of what `kind` is sent with: only its own variables (and the brand), so that a
/// preview fails where sending would, not on a variable another email has.
fn sample_for(kind: EmailKind) -> Value {
    let all = sample_context();
    let mut out = serde_json::Map::new();
    for name in kind.variables() {
        if let Some(v) = all.get(*name) {
            out.insert((*name).to_owned(), v.clone());
        }
    }
    if let Some(brand) = all.get("brand") {
        out.insert("brand".into(), brand.clone());
    }
    Value::Object(out)
}

/// A context with every key any email is sent with, for checking an admin's template.
fn sample_context() -> Value {
    let mut all = base_sample();
    if let (Value::Object(map), Value::Object(more)) = (&mut all, client_news_sample()) {
        map.extend(more);
    }
    all
}

/// What the emails that tell clients of news add to the sample.
fn client_news_sample() -> Value {
    serde_json::json!({
        "messages": [{"author": "Bea Martín", "body": "Here is the draft; tell me what you think.", "attachments": ["draft.pdf"]}],
        "reply_to": "reply+42-7-20800-0123456789abcdef0123@portal.example.com",
        "documents": ["Signed contract.pdf", "Invoice 2026-12.pdf"],
        "shared_by": "Bea Martín",
        "status": "In progress",
        "previous_status": "Open",
        "cases": [{"case_number": "CAS-000042", "case_subject": "Sample case", "link": "https://portal.example.com/portal/cases/42", "news": [
            {"kind": "reply", "messages": [{"author": "Bea Martín", "body": "Here is the draft.", "attachments": []}]},
            {"kind": "document_shared", "documents": ["Signed contract.pdf"], "shared_by": "Bea Martín"},
            {"kind": "status_changed", "status": "In progress", "previous_status": "Open"}
        ]}],
    })
}

fn base_sample() -> Value {
    serde_json::json!({
        "contact_name": "Ana López",
        "email": "ana@example.com",
        "link": "https://portal.example.com/portal/invitation/pin_sample",
        "invitation_link": "https://portal.example.com/portal/invitation/pin_sample",
        "expires_at": "2026-12-01T10:00:00Z",
        "case_number": "CAS-000042",
        "case_subject": "Sample case",
        "activity": "Ana López uploaded receipt.pdf",
        "activities": ["Ana López opened the case on the portal", "Ana López uploaded receipt.pdf"],
        "case_id": 42,
        "old_email": "ana@example.com",
        "new_email": "ana.lopez@example.com",
        "changed_by": "Bea Martín",
        "invited_by": "Bea Martín",
        "asked_by": "Bea Martín",
        "request_title": "Last year's bank statements",
        "instructions": "One PDF per account, please.",
        "due_date": "2026-12-10",
        "comment": "The March statement is missing.",
        "overdue": false,
        "brand": {"name": "Asesoría Ejemplo", "color": "#1d4ed8", "logo_url": "https://portal.example.com/branding/logo-sample.png"},
    })
}

impl MailRenderer for ThemeRenderer {
    /// An admin's version that fails (a limit, or data the sample lacked) is replaced by the
    /// built-in one for this email, and the failure is reported for the admins: one broken
    /// template never stops mail.
    fn render(
        &self,
        kind: EmailKind,
        language: &str,
        context: &Value,
        custom: Option<&TemplateOverride>,
    ) -> Result<RenderedMail, String> {
        let language = Language::of(Some(language));
        // The recipient's zone when the email carries one (`time_zone`), else the installation's.
        let zone = context
            .get("time_zone")
            .and_then(|z| z.as_str())
            .and_then(|z| z.parse::<Tz>().ok())
            .unwrap_or(self.zone);
        let mut context = dates::readable(context, language, zone);
        shipped_statuses(&mut context, self.words.strings(language));
        let context = &context;
        let override_error = match custom {
            Some(c) => match sandbox::render(kind, language, context, &theme_override(c)) {
                Ok((subject, html, text)) => {
                    return Ok(RenderedMail {
                        subject,
                        html,
                        text,
                        override_error: None,
                    });
                }
                Err((part, message)) => Some(format!("{part}: {message}")),
            },
            None => None,
        };
        let email = self
            .templates
            .render(kind, language, context, None)
            .map_err(|e| e.to_string())?;
        Ok(RenderedMail {
            subject: email.subject,
            html: email.html,
            text: email.text,
            override_error,
        })
    }

    fn builtin(&self, kind: EmailKind, language: &str) -> Option<TemplateOverride> {
        let s = EmailTemplates::sources(kind, Language::of(Some(language)));
        Some(TemplateOverride {
            subject: s.subject,
            html: s.html,
            text: s.text,
        })
    }

    fn preview(
        &self,
        kind: EmailKind,
        language: &str,
        custom: &TemplateOverride,
    ) -> Result<RenderedMail, (String, String)> {
        let language = Language::of(Some(language));
        let (subject, html, text) = sandbox::render(
            kind,
            language,
            &dates::readable(&sample_for(kind), language, self.zone),
            &theme_override(custom),
        )?;
        Ok(RenderedMail {
            subject,
            html,
            text,
            override_error: None,
        })
    }
}
