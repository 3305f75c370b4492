//! Wiring the engine's mail worker to the theme's email templates.

use portico_engine::mail::{MailRenderer, RenderedMail, TemplateOverride};
use portico_theme::email::{EmailKind, EmailOverride, EmailTemplates, Language};
use serde_json::Value;

/// The theme's templates, as the engine's worker asks for them.
pub struct ThemeRenderer {
    templates: EmailTemplates,
}

impl ThemeRenderer {
    pub fn new() -> Result<ThemeRenderer, String> {
        Ok(ThemeRenderer {
            templates: EmailTemplates::builtin().map_err(|e| e.to_string())?,
        })
    }
}

impl MailRenderer for ThemeRenderer {
    fn render(
        &self,
        kind: &str,
        language: &str,
        context: &Value,
        custom: Option<&TemplateOverride>,
    ) -> Result<RenderedMail, String> {
        let kind = EmailKind::from_key(kind).ok_or_else(|| format!("no email `{kind}`"))?;
        let custom = custom.map(|c| EmailOverride {
            subject: c.subject.clone(),
            html: c.html.clone(),
            text: c.text.clone(),
        });
        let email = self
            .templates
            .render(kind, Language::of(Some(language)), context, custom.as_ref())
            .map_err(|e| e.to_string())?;
        Ok(RenderedMail {
            subject: email.subject,
            html: email.html,
            text: email.text,
        })
    }
}
