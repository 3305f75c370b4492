//! Admins' versions of the emails: listed beside the built-in ones, checked by rendering
//! before they are stored (a broken template must not reach the outbox), and reset by removal.

use super::worker::RenderedMail;
use super::{EmailKind, TemplateOverride};
use crate::Engine;
use crate::db::tables::EmailTemplates;
use crate::db::{Exec, now_micros};
use crate::error::{EngineError, Result};
use crate::identity::{Action, Object, Principal};
use crate::metadata::system_fields::CONTACT_LANGUAGES;
use sea_orm::sea_query::{Expr, ExprTrait, Query};

/// One email in one language, as the admin's editor shows it.
#[derive(Debug, Clone)]
pub struct EmailTemplate {
    pub kind: EmailKind,
    pub language: String,
    pub source: TemplateOverride,
    /// Whether an admin changed it (else these are the built-in sources).
    pub customised: bool,
    pub updated_at: Option<i64>,
}

fn check_language(language: &str) -> Result<()> {
    if !CONTACT_LANGUAGES.contains(&language) {
        return Err(EngineError::validation(
            "language",
            format!("no language `{language}`"),
        ));
    }
    Ok(())
}

async fn stored(db: &impl Exec) -> Result<Vec<(String, String, TemplateOverride, i64)>> {
    let q = Query::select()
        .columns([
            EmailTemplates::Kind,
            EmailTemplates::Language,
            EmailTemplates::Subject,
            EmailTemplates::Html,
            EmailTemplates::Text,
            EmailTemplates::UpdatedAt,
        ])
        .from(EmailTemplates::Table)
        .to_owned();
    db.query_all(&q)
        .await?
        .iter()
        .map(|r| {
            Ok((
                r.get(0)?,
                r.get(1)?,
                TemplateOverride {
                    subject: r.get(2)?,
                    html: r.get(3)?,
                    text: r.get(4)?,
                },
                r.get(5)?,
            ))
        })
        .collect()
}

async fn remove(db: &impl Exec, kind: EmailKind, language: &str) -> Result<()> {
    db.execute(
        &Query::delete()
            .from_table(EmailTemplates::Table)
            .and_where(Expr::col(EmailTemplates::Kind).eq(kind.key()))
            .and_where(Expr::col(EmailTemplates::Language).eq(language))
            .to_owned(),
    )
    .await?;
    Ok(())
}

impl Engine {
    /// Every email in every language: the admin's version where there is one.
    pub(crate) async fn email_templates(&self, p: &Principal) -> Result<Vec<EmailTemplate>> {
        self.authorize(p, Object::EmailTemplate, Action::Read)?;
        let renderer = &self.mail_renderer;
        let custom = stored(&self.reader()).await?;
        let mut out = Vec::new();
        for &kind in EmailKind::ALL {
            for language in CONTACT_LANGUAGES {
                let found = custom
                    .iter()
                    .find(|c| c.0 == kind.key() && c.1 == *language);
                let template = match found {
                    Some((_, _, source, at)) => EmailTemplate {
                        kind,
                        language: (*language).into(),
                        source: source.clone(),
                        customised: true,
                        updated_at: Some(*at),
                    },
                    None => EmailTemplate {
                        kind,
                        language: (*language).into(),
                        source: renderer.builtin(kind, language).ok_or_else(|| {
                            EngineError::Internal(format!("no built-in {} email", kind.key()))
                        })?,
                        customised: false,
                        updated_at: None,
                    },
                };
                out.push(template);
            }
        }
        Ok(out)
    }

    async fn email_template(
        &self,
        p: &Principal,
        kind: EmailKind,
        language: &str,
    ) -> Result<EmailTemplate> {
        self.email_templates(p)
            .await?
            .into_iter()
            .find(|t| t.kind == kind && t.language == language)
            .ok_or_else(|| {
                EngineError::not_found("EmailTemplate", format!("{}/{language}", kind.key()))
            })
    }

    /// Stores an admin's version after rendering it once with a sample of the real context; a
    /// template that does not render is refused naming the part (`subject`, `html`, `text`).
    pub(crate) async fn update_email_template(
        &self,
        p: &Principal,
        kind: EmailKind,
        language: &str,
        source: TemplateOverride,
    ) -> Result<EmailTemplate> {
        self.authorize(p, Object::EmailTemplate, Action::Update)?;
        check_language(language)?;
        if source.subject.trim().is_empty() {
            return Err(EngineError::validation("subject", "must not be empty"));
        }
        self.preview_off_thread(kind, language, &source).await?;
        let txn = self.begin_write().await?;
        remove(&txn, kind, language).await?;
        txn.execute(
            &Query::insert()
                .into_table(EmailTemplates::Table)
                .columns([
                    EmailTemplates::Kind,
                    EmailTemplates::Language,
                    EmailTemplates::Subject,
                    EmailTemplates::Html,
                    EmailTemplates::Text,
                    EmailTemplates::UpdatedAt,
                ])
                .values_panic([
                    kind.key().into(),
                    language.into(),
                    source.subject.into(),
                    source.html.into(),
                    source.text.into(),
                    now_micros().into(),
                ])
                .to_owned(),
        )
        .await?;
        txn.commit().await?;
        self.email_template(p, kind, language).await
    }

    /// A version being edited, rendered with sample data and not stored: what the editor
    /// shows beside the sources, with errors named by part as on saving.
    pub(crate) async fn preview_email_template(
        &self,
        p: &Principal,
        kind: EmailKind,
        language: &str,
        source: &TemplateOverride,
    ) -> Result<RenderedMail> {
        self.authorize(p, Object::EmailTemplate, Action::Read)?;
        check_language(language)?;
        self.preview_off_thread(kind, language, source).await
    }

    /// The renderer's preview on the blocking pool: an admin's template renders in a child
    /// process for up to a few seconds, which must not hold an async worker.
    async fn preview_off_thread(
        &self,
        kind: EmailKind,
        language: &str,
        source: &TemplateOverride,
    ) -> Result<RenderedMail> {
        let renderer = self.mail_renderer.clone();
        let (language, source) = (language.to_owned(), source.clone());
        tokio::task::spawn_blocking(move || renderer.preview(kind, &language, &source))
            .await
            .map_err(|e| EngineError::Internal(format!("rendering stopped: {e}")))?
            .map_err(|(part, message)| {
                // "`html`, line 2, column 7: ..." reads as one sentence.
                let message = if message.starts_with("line ") {
                    format!("`{part}`, {message}")
                } else {
                    message
                };
                EngineError::validation(part, message)
            })
    }

    /// Goes back to the built-in version.
    pub(crate) async fn reset_email_template(
        &self,
        p: &Principal,
        kind: EmailKind,
        language: &str,
    ) -> Result<EmailTemplate> {
        self.authorize(p, Object::EmailTemplate, Action::Update)?;
        check_language(language)?;
        let txn = self.begin_write().await?;
        remove(&txn, kind, language).await?;
        txn.commit().await?;
        self.email_template(p, kind, language).await
    }
}
