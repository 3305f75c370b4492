//! Email templates: every email exists in Spanish and English, as a subject, an HTML body and a
//! plain-text body, rendered by Tera from one context.
//!
//! HTML bodies are autoescaped, so a contact named `<b>Ana</b>` cannot inject markup; subjects
//! and plain text are not escaped (they are not HTML). Spanish is the default language: a
//! contact without a language, or with one we have no templates for, gets Spanish.

use portico_engine::mail::EmailKind;
use tera::{Context, Tera};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Language {
    Es,
    En,
}

impl Language {
    pub const ALL: [Language; 2] = [Language::Es, Language::En];

    /// The language of a contact's `language` value (`"en"`, `"en-GB"`, `"es"`...); anything
    /// else, or nothing, is Spanish.
    pub fn of(code: Option<&str>) -> Language {
        match code.map(|c| c.trim().to_ascii_lowercase()) {
            Some(c) if c == "en" || c.starts_with("en-") || c.starts_with("en_") => Language::En,
            _ => Language::Es,
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Language::Es => "es",
            Language::En => "en",
        }
    }
}

/// A rendered email.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Email {
    pub subject: String,
    pub html: String,
    pub text: String,
}

/// An admin's replacement for one email in one language, as Tera sources.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EmailOverride {
    pub subject: String,
    pub html: String,
    pub text: String,
}

#[derive(Debug, thiserror::Error)]
pub enum ThemeError {
    /// A template (built in or an override) failed to parse or render; `part` is `subject`,
    /// `html` or `text`.
    #[error("the {part} of the {kind} email ({language}) cannot be rendered: {message}")]
    Render {
        kind: &'static str,
        language: &'static str,
        part: &'static str,
        message: String,
    },
}

/// The built-in templates, parsed once.
pub struct EmailTemplates {
    tera: Tera,
}

macro_rules! builtin {
    ($lang:literal, $kind:literal) => {
        [
            (
                concat!("email/", $lang, "/", $kind, ".subject.txt"),
                include_str!(concat!(
                    "../templates/email/",
                    $lang,
                    "/",
                    $kind,
                    ".subject.txt"
                )),
            ),
            (
                concat!("email/", $lang, "/", $kind, ".html"),
                include_str!(concat!("../templates/email/", $lang, "/", $kind, ".html")),
            ),
            (
                concat!("email/", $lang, "/", $kind, ".txt"),
                include_str!(concat!("../templates/email/", $lang, "/", $kind, ".txt")),
            ),
        ]
    };
}

const PARTS: [(&str, &str); 3] = [
    ("subject", ".subject.txt"),
    ("html", ".html"),
    ("text", ".txt"),
];

/// The most elements `range()` gives in an email: plenty for any layout.
const MAX_EMAIL_RANGE: i128 = 1000;
/// The largest source of one part of an admin's template.
const MAX_SOURCE_BYTES: usize = 64 * 1024;
/// The most one part of an email may render to: far more than any email needs, and what a
/// template looping over its own output runs into first.
pub const MAX_PART_BYTES: usize = 512 * 1024;

/// Tera's `range`, counting up only and at most [`MAX_EMAIL_RANGE`] long: Tera itself allows
/// 100,000, and three nested loops over that would render for days inside a request.
fn bounded_range(kwargs: tera::Kwargs, _: &tera::State) -> tera::TeraResult<Vec<i128>> {
    let start = kwargs.get::<i128>("start")?.unwrap_or_default();
    let end = kwargs.must_get::<i128>("end")?;
    let step = kwargs.get::<i128>("step_by")?.unwrap_or(1);
    if step <= 0 {
        return Err(tera::Error::message(
            "`range` in an email counts up: `step_by` must be positive",
        ));
    }
    let len = (end.saturating_sub(start).max(0) + step - 1) / step;
    if len > MAX_EMAIL_RANGE {
        return Err(tera::Error::message(format!(
            "`range` in an email gives at most {MAX_EMAIL_RANGE} elements, not {len}"
        )));
    }
    Ok((0..len).map(|i| start + i * step).collect())
}

/// What an admin's template may not reach, checked before it is rendered or stored: other
/// templates (`include`, `extends`, `import`, `block`) and components. What it may *cost* is
/// not judged from its text (a second security review hid loops in comments and doubled a
/// string with `set_global` without any loop): the server renders an admin's template in a
/// child process with bounded memory, CPU time and output (`portico_server::mail::sandbox`),
/// and every part here is cut at [`MAX_PART_BYTES`].
fn check_override(source: &str) -> Result<(), String> {
    if source.len() > MAX_SOURCE_BYTES {
        return Err(format!("it is over {MAX_SOURCE_BYTES} bytes long"));
    }
    for tag in source.split("{%").skip(1) {
        let tag = tag.trim_start_matches(['-', '+']).trim_start();
        let word: String = tag
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect();
        if let "include" | "extends" | "import" | "component" | "endcomponent" | "block" =
            word.as_str()
        {
            return Err(format!("`{word}` is not available in an email template"));
        }
    }
    Ok(())
}

/// A writer that refuses to grow past [`MAX_PART_BYTES`].
struct Capped(Vec<u8>);

impl std::io::Write for Capped {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if self.0.len() + buf.len() > MAX_PART_BYTES {
            return Err(std::io::Error::other(format!(
                "the email would be over {} KiB",
                MAX_PART_BYTES / 1024
            )));
        }
        self.0.extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl EmailTemplates {
    pub fn builtin() -> Result<EmailTemplates, ThemeError> {
        let mut tera = Tera::new();
        tera.autoescape_on(vec![".html"]);
        tera.register_function("range", bounded_range);
        tera.add_raw_templates(SOURCES)
            .map_err(|e| ThemeError::Render {
                kind: "built-in",
                language: "any",
                part: "templates",
                message: e.to_string(),
            })?;
        Ok(EmailTemplates { tera })
    }

    /// The built-in sources of one email, for an admin to start an override from.
    pub fn sources(kind: EmailKind, language: Language) -> EmailOverride {
        let find = |suffix: &str| -> String {
            let name = format!("email/{}/{}{}", language.code(), kind.key(), suffix);
            SOURCES
                .iter()
                .find(|(n, _)| *n == name)
                .map(|(_, s)| (*s).to_owned())
                .unwrap_or_default()
        };
        EmailOverride {
            subject: find(".subject.txt"),
            html: find(".html"),
            text: find(".txt"),
        }
    }

    /// Renders `kind` in `language` with `context`, from `custom` when an admin overrode it.
    pub fn render(
        &self,
        kind: EmailKind,
        language: Language,
        context: &serde_json::Value,
        custom: Option<&EmailOverride>,
    ) -> Result<Email, ThemeError> {
        let mut out = [String::new(), String::new(), String::new()];
        for (i, (part, _)) in PARTS.iter().enumerate() {
            out[i] = self.render_part(kind, language, context, custom, part)?;
        }
        let [subject, html, text] = out;
        Ok(Email {
            subject,
            html,
            text,
        })
    }

    /// One part (`subject`, `html` or `text`) of an email, as [`EmailTemplates::render`]
    /// renders it (a subject on one line); the sandbox renders part by part to say which one
    /// broke a limit.
    pub fn render_part(
        &self,
        kind: EmailKind,
        language: Language,
        context: &serde_json::Value,
        custom: Option<&EmailOverride>,
        part: &str,
    ) -> Result<String, ThemeError> {
        let Some((part, suffix)) = PARTS.iter().find(|(p, _)| *p == part).copied() else {
            return Err(ThemeError::Render {
                kind: kind.key(),
                language: language.code(),
                part: "templates",
                message: format!("no part `{part}`"),
            });
        };
        let error = |message: String| ThemeError::Render {
            kind: kind.key(),
            language: language.code(),
            part,
            message,
        };
        let mut ctx = Context::from_serialize(context).map_err(|e| error(e.to_string()))?;
        if !ctx.contains_key("brand") {
            ctx.insert("brand", &default_brand());
        }
        let mut out = Capped(Vec::new());
        let rendered = match custom {
            Some(o) => {
                let source = match part {
                    "subject" => &o.subject,
                    "html" => &o.html,
                    _ => &o.text,
                };
                check_override(source).map_err(error)?;
                self.tera
                    .render_str_to(source, &ctx, part == "html", &mut out)
            }
            None => {
                let name = format!("email/{}/{}{}", language.code(), kind.key(), suffix);
                self.tera.render_to(&name, &ctx, &mut out)
            }
        };
        rendered.map_err(|e| error(describe(&e)))?;
        let text = String::from_utf8(out.0).map_err(|_| error("the output is not UTF-8".into()))?;
        Ok(if part == "subject" {
            one_line(&text)
        } else {
            text
        })
    }
}

/// The brand an email wears when the sender gave none (no firm name, no logo, the default
/// colour): what every template may rely on being there.
pub fn default_brand() -> serde_json::Value {
    serde_json::json!({"name": "", "color": "#1d4ed8", "logo_url": null})
}

/// A subject is one line whatever the template's line ends.
fn one_line(subject: &str) -> String {
    subject.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Tera's error in words, with its causes (a write refused by [`Capped`] is a cause, not the
/// message).
fn describe(e: &tera::Error) -> String {
    let report = e.to_string();
    let mut message = in_words(&report);
    let mut source = std::error::Error::source(e);
    while let Some(cause) = source {
        let text = cause.to_string();
        if !report.contains(&text) && !message.contains(&text) {
            message = format!("{message}: {text}");
        }
        source = cause.source();
    }
    message
}

/// Tera reports `error: <what>` then ` --> <template>:<line>:<column>` and a drawing of the
/// line with carets; an admin reads "line 2, column 11: <what>", in words, without the
/// template's internal name or the drawing.
pub fn in_words(report: &str) -> String {
    let mut lines = report.lines();
    let first = lines.next().unwrap_or_default();
    let what = reword(first.strip_prefix("error: ").unwrap_or(first).trim());
    let place = lines
        .find_map(|l| l.trim_start().strip_prefix("--> "))
        .and_then(|at| {
            let mut parts = at.rsplitn(3, ':');
            let column = parts.next()?.trim().parse::<u32>().ok()?;
            let line = parts.next()?.trim().parse::<u32>().ok()?;
            Some((line, column))
        });
    match place {
        Some((line, column)) => format!("line {line}, column {column}: {what}"),
        None => what,
    }
}

/// Tera's wording of the common mistakes, said as an admin would understand them.
fn reword(what: &str) -> String {
    let quoted = |rest: &str| {
        rest.split_once('`')
            .map(|(name, tail)| (name.to_owned(), tail.to_owned()))
    };
    if let Some((name, _)) = what.strip_prefix("Variable `").and_then(quoted) {
        return format!(
            "`{name}` is not a value this email has; use one from the list of its variables"
        );
    }
    if let Some((name, tail)) = what.strip_prefix("Field `").and_then(quoted) {
        let has = tail
            .split_once("Available fields:")
            .map(|(_, list)| format!(" (it has: {})", list.trim()))
            .unwrap_or_default();
        return format!("`{name}` is not part of that value{has}");
    }
    if let Some((name, _)) = what.strip_prefix("Unknown filter `").and_then(quoted) {
        return format!("`{name}` is not a filter templates have");
    }
    if what == "Unexpected end of input" {
        return "the template ends inside a tag: close every `{{ }}` and `{% %}`, and end each `{% if %}` with `{% endif %}` and each `{% for %}` with `{% endfor %}`".into();
    }
    if what.starts_with("Found `") {
        return format!("a tag is not written as expected ({what})");
    }
    what.to_owned()
}

/// Every built-in source by template name, for [`EmailTemplates::sources`].
const SOURCES: [(&str, &str); 78] = {
    let [a, b, c] = builtin!("es", "invitation");
    let [d, e, f] = builtin!("en", "invitation");
    let [g, h, i] = builtin!("es", "case_access");
    let [j, k, l] = builtin!("en", "case_access");
    let [m, n, o] = builtin!("es", "password_reset");
    let [p, q, r] = builtin!("en", "password_reset");
    let [s, t, u] = builtin!("es", "portal_activity");
    let [v, w, x] = builtin!("en", "portal_activity");
    let [y, z, aa] = builtin!("es", "login_email_changed");
    let [ab, ac, ad] = builtin!("en", "login_email_changed");
    let [ae, af, ag] = builtin!("es", "staff_invitation");
    let [ah, ai, aj] = builtin!("en", "staff_invitation");
    let [ak, al, am] = builtin!("es", "client_request");
    let [an, ao, ap] = builtin!("en", "client_request");
    let [aq, ar, at] = builtin!("es", "client_request_returned");
    let [au, av, aw] = builtin!("en", "client_request_returned");
    let [ax, ay, az] = builtin!("es", "client_request_reminder");
    let [ba, bb, bc] = builtin!("en", "client_request_reminder");
    let [bd, be, bf] = builtin!("es", "case_message");
    let [bg, bh, bi] = builtin!("en", "case_message");
    let [bj, bk, bl] = builtin!("es", "documents_shared");
    let [bm, bn, bo] = builtin!("en", "documents_shared");
    let [bp, bq, br] = builtin!("es", "case_status_changed");
    let [bs, bt, bu] = builtin!("en", "case_status_changed");
    let [bv, bw, bx] = builtin!("es", "client_digest");
    let [by, bz, ca] = builtin!("en", "client_digest");
    [
        a, b, c, d, e, f, g, h, i, j, k, l, m, n, o, p, q, r, s, t, u, v, w, x, y, z, aa, ab, ac,
        ad, ae, af, ag, ah, ai, aj, ak, al, am, an, ao, ap, aq, ar, at, au, av, aw, ax, ay, az, ba,
        bb, bc, bd, be, bf, bg, bh, bi, bj, bk, bl, bm, bn, bo, bp, bq, br, bs, bt, bu, bv, bw, bx,
        by, bz, ca,
    ]
};

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn context() -> serde_json::Value {
        let mut all = base_context();
        if let (serde_json::Value::Object(map), serde_json::Value::Object(more)) = (
            &mut all,
            json!({
            "messages": [{"author": "Bea <b>Martín</b>", "body": "Hola,\n<script>x</script>", "attachments": ["a<b>.pdf"]}],
            "reply_to": "reply+1-2-3-abc@example.com",
            "documents": ["Contrato <b>firmado</b>.pdf"],
            "shared_by": "Bea <i>Martín</i>",
            "status": "En <b>curso</b>",
            "previous_status": "Abierto",
            "cases": [{"case_number": "CAS-000042", "case_subject": "<b>Factura</b>", "link": "http://portal.example/portal/cases/42", "news": [
                {"kind": "reply", "messages": [{"author": "Bea", "body": "Hola <b>", "attachments": []}]},
                {"kind": "document_shared", "documents": ["a.pdf"], "shared_by": "Bea"},
                {"kind": "status_changed", "status": "Cerrado", "previous_status": "Abierto"},
                {"kind": "case_access"}
            ]}],
            }),
        ) {
            map.extend(more);
        }
        all
    }

    fn base_context() -> serde_json::Value {
        json!({
            "contact_name": "Ana <b>López</b> & Hijos",
            "email": "ana@example.com",
            "link": "http://portal.example/portal/invitation/abc?x=1&y=2",
            "expires_at": "2026-11-30 10:00 UTC",
            "case_number": "CAS-000042",
            "case_subject": "Factura \"duplicada\"",
            "activity": "Ana uploaded <b>receipt.pdf</b>",
            "activities": ["Ana uploaded <b>receipt.pdf</b>"],
            "invited_by": "Bea <i>Martín</i>",
            "old_email": "ana@example.com",
            "new_email": "ana.lopez@example.com",
            "changed_by": "Bea",
            "asked_by": "Bea <i>Martín</i>",
            "request_title": "Extractos <b>2025</b>",
            "instructions": "Uno por cuenta.\nEn PDF.",
            "due_date": "10/12/2026",
            "comment": "Falta <i>marzo</i>",
            "overdue": true,
            // Sent as null to a contact who already has a password.
            "invitation_link": null,
        })
    }

    #[test]
    fn template_errors_say_where_and_what_in_words() {
        let t = EmailTemplates::builtin().unwrap();
        let custom = |html: &str| EmailOverride {
            subject: "S".into(),
            html: html.into(),
            text: "T".into(),
        };
        let said = |html: &str| match t.render(
            EmailKind::Invitation,
            Language::Es,
            &context(),
            Some(&custom(html)),
        ) {
            Err(ThemeError::Render { part, message, .. }) => {
                assert_eq!(part, "html");
                message
            }
            other => panic!("{other:?}"),
        };
        assert_eq!(
            said("<p>Hola</p>\n<p>{{ contact_nam }}</p>"),
            "line 2, column 7: `contact_nam` is not a value this email has; use one from the list of its variables"
        );
        let m = said("{{ link }\n");
        assert!(
            m.starts_with("line 1, column 9: a tag is not written as expected"),
            "{m}"
        );
        let m = said("{% if link %}x");
        assert!(m.contains("end each `{% if %}` with `{% endif %}`"), "{m}");
        assert_eq!(
            said("{{ brand.nme }}"),
            "line 1, column 10: `nme` is not part of that value (it has: color, logo_url, name)"
        );
        for m in [said("{{ x }}"), said("{{ link | nofilter }}")] {
            assert!(
                !m.contains("__tera") && !m.contains('^') && !m.contains("-->"),
                "{m}"
            );
        }
    }

    #[test]
    fn every_email_renders_in_both_languages() {
        let t = EmailTemplates::builtin().unwrap();
        for &kind in EmailKind::ALL {
            // Only the variables the kind declares: a built-in template using another fails.
            let full = context();
            let own: serde_json::Map<String, serde_json::Value> = kind
                .variables()
                .iter()
                .filter_map(|k| full.get(*k).map(|v| ((*k).to_owned(), v.clone())))
                .collect();
            assert_eq!(
                own.len(),
                kind.variables().len(),
                "{kind:?}: the test context lacks one"
            );
            let own = serde_json::Value::Object(own);
            for lang in Language::ALL {
                let e = t.render(kind, lang, &own, None).unwrap();
                assert!(!e.subject.is_empty() && !e.subject.contains('\n'), "{e:?}");
                assert!(e.html.contains("<html lang=\""), "{kind:?} {lang:?}");
                assert!(
                    e.text.contains("Ana <b>López</b> & Hijos"),
                    "{kind:?} {lang:?}"
                );
            }
        }
        let es = t
            .render(EmailKind::Invitation, Language::Es, &context(), None)
            .unwrap();
        let en = t
            .render(EmailKind::Invitation, Language::En, &context(), None)
            .unwrap();
        assert!(es.text.starts_with("Hola"), "{}", es.text);
        assert!(en.text.starts_with("Hello"), "{}", en.text);
        let case = t
            .render(EmailKind::CaseAccess, Language::En, &context(), None)
            .unwrap();
        assert_eq!(case.subject, "Case CAS-000042 is now on your portal");
        assert!(!case.text.contains("password"), "{}", case.text);
    }

    #[test]
    fn case_access_carries_an_invitation_only_when_given_one() {
        let t = EmailTemplates::builtin().unwrap();
        let mut ctx = context();
        ctx["invitation_link"] = json!("http://portal.example/portal/invitation/pin_x");
        for lang in Language::ALL {
            let with = t.render(EmailKind::CaseAccess, lang, &ctx, None).unwrap();
            assert!(
                with.text.contains("/portal/invitation/pin_x"),
                "{}",
                with.text
            );
            assert!(
                with.html.contains("/portal/invitation/pin_x"),
                "{}",
                with.html
            );
            ctx["invitation_link"] = json!("");
            let without = t.render(EmailKind::CaseAccess, lang, &ctx, None).unwrap();
            assert!(!without.text.contains("pin_x"), "{}", without.text);
            ctx["invitation_link"] = json!("http://portal.example/portal/invitation/pin_x");
        }
    }

    #[test]
    fn html_is_escaped_and_text_is_not() {
        let t = EmailTemplates::builtin().unwrap();
        let e = t
            .render(EmailKind::Invitation, Language::En, &context(), None)
            .unwrap();
        assert!(e.html.contains("Ana &lt;b&gt;López&lt;"), "{}", e.html);
        assert!(e.html.contains("&amp; Hijos"), "{}", e.html);
        assert!(!e.html.contains("<b>López"), "{}", e.html);
        assert!(
            e.text
                .contains("http://portal.example/portal/invitation/abc?x=1&y=2")
        );
    }

    #[test]
    fn an_override_cannot_loop_without_bound() {
        let t = EmailTemplates::builtin().unwrap();
        let mut custom = EmailTemplates::sources(EmailKind::Invitation, Language::En);
        let refused = |t: &EmailTemplates, custom: &EmailOverride| {
            t.render(
                EmailKind::Invitation,
                Language::En,
                &context(),
                Some(custom),
            )
            .unwrap_err()
            .to_string()
        };
        custom.text = "{% for a in range(end=1000000) %}x{% endfor %}".into();
        assert!(refused(&t, &custom).contains("at most 1000"));
        // Output past the cap stops the render, however the template got there.
        custom.text = "{% set r = range(end=1000) %}{% for a in r %}{% for b in r %}xxxxxxxxxx{% endfor %}{% endfor %}".into();
        assert!(
            refused(&t, &custom).contains("over 512 KiB"),
            "{}",
            refused(&t, &custom)
        );
        custom.text = "{% component f() %}{{ f() }}{% endcomponent %}".into();
        assert!(refused(&t, &custom).contains("component"));
        custom.text = "{% for a in range(end=3) %}{% for b in range(start=1, end=3) %}{{ a }}{{ b }} {% endfor %}{% endfor %}".into();
        let e = t
            .render(
                EmailKind::Invitation,
                Language::En,
                &context(),
                Some(&custom),
            )
            .unwrap();
        assert_eq!(e.text, "01 02 11 12 21 22 ");
    }

    #[test]
    fn spanish_is_the_default_language() {
        assert_eq!(Language::of(None), Language::Es);
        assert_eq!(Language::of(Some("fr")), Language::Es);
        assert_eq!(Language::of(Some("EN-gb")), Language::En);
        assert_eq!(Language::of(Some("es")), Language::Es);
    }

    #[test]
    fn an_override_replaces_the_builtin_and_stays_escaped() {
        let t = EmailTemplates::builtin().unwrap();
        let mut custom = EmailTemplates::sources(EmailKind::CaseAccess, Language::Es);
        assert!(custom.html.contains("{{ case_number }}"));
        custom.subject = "Novedades: {{ case_number }}".into();
        custom.html = "<p>{{ contact_name }}</p>".into();
        let e = t
            .render(
                EmailKind::CaseAccess,
                Language::Es,
                &context(),
                Some(&custom),
            )
            .unwrap();
        assert_eq!(e.subject, "Novedades: CAS-000042");
        assert!(e.html.starts_with("<p>Ana &lt;b&gt;"), "{}", e.html);
        custom.text = "{{ unclosed".into();
        let err = t
            .render(
                EmailKind::CaseAccess,
                Language::Es,
                &context(),
                Some(&custom),
            )
            .unwrap_err();
        assert!(err.to_string().contains("text"), "{err}");
    }
}
