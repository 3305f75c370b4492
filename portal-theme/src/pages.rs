//! The client portal's pages: Tera templates compiled into the binary, rendered with the page's
//! data and the strings of its language, and the one stylesheet they share.
//!
//! Pages are rendered by the server from what a portal handle returned; a template only lays
//! out values it is given (already formatted for the language), so it cannot reach data the
//! user may not see. HTML is autoescaped.

use crate::email::Language;
use crate::i18n::Catalog;
use serde_json::{Value, json};
use tera::{Context, Tera};

macro_rules! page {
    ($name:literal) => {
        (
            concat!("portal/", $name, ".html"),
            include_str!(concat!("../templates/portal/", $name, ".html")),
        )
    };
}

const TEMPLATES: [(&str, &str); 16] = [
    page!("verify"),
    page!("field"),
    page!("request"),
    page!("chart"),
    page!("case"),
    page!("base"),
    page!("landing"),
    page!("login"),
    page!("reset_request"),
    page!("set_password"),
    page!("message"),
    page!("home"),
    page!("cases"),
    page!("new_case"),
    page!("indicators"),
    page!("account"),
];

/// The stylesheet, served at [`Pages::css_path`].
pub const CSS: &str = include_str!("../static/portal.css");

#[derive(Debug, thiserror::Error)]
#[error("the portal page {page} cannot be rendered: {message}")]
pub struct PageError {
    pub page: String,
    pub message: String,
}

pub struct Pages {
    tera: Tera,
    catalog: Catalog,
    css_path: String,
    /// What every page of a language starts from (`t`, `lang`, `other_lang`, `css`), built
    /// once: Tera shares a map value by reference count, so a page does not copy the catalog.
    common: [(Language, Context); 2],
}

impl Pages {
    pub fn new() -> Result<Pages, PageError> {
        let mut tera = Tera::new();
        tera.autoescape_on(vec![".html"]);
        tera.add_raw_templates(TEMPLATES).map_err(|e| PageError {
            page: "templates".into(),
            message: e.to_string(),
        })?;
        let catalog = Catalog::default();
        let css_path = format!("/portal/static/{}/portal.css", content_hash(CSS));
        let common = Language::ALL.map(|lang| {
            let values = json!({
                "t": catalog.strings(lang).as_json(),
                "lang": lang.code(),
                "other_lang": match lang {
                    Language::Es => "en",
                    Language::En => "es",
                },
                "css": css_path,
            });
            let ctx = Context::from_serialize(&values).map_err(|e| PageError {
                page: "common".into(),
                message: e.to_string(),
            });
            (lang, ctx)
        });
        let [(l0, c0), (l1, c1)] = common;
        Ok(Pages {
            tera,
            catalog,
            css_path,
            common: [(l0, c0?), (l1, c1?)],
        })
    }

    pub fn catalog(&self) -> &Catalog {
        &self.catalog
    }

    /// Where the stylesheet is served: its content hash is in the path, so it can be cached
    /// for good and a new release is fetched at once.
    pub fn css_path(&self) -> &str {
        &self.css_path
    }

    /// Renders `page` (`login`, `cases`...) in `lang` with `data`, which carries the page's own
    /// values plus `title`, `path`, `csrf` and, when signed in, `me`.
    pub fn render(&self, page: &str, lang: Language, data: Value) -> Result<String, PageError> {
        let name = format!("portal/{page}.html");
        let mut ctx = Context::from_serialize(&data).map_err(|e| PageError {
            page: page.into(),
            message: e.to_string(),
        })?;
        if let Some((_, common)) = self.common.iter().find(|(l, _)| *l == lang) {
            ctx.extend(common.clone());
        }
        // A page rendered without the firm's brand wears the portal's own name.
        if !ctx.contains_key("brand") {
            ctx.insert(
                "brand",
                &json!({"name": self.catalog.strings(lang).get("site_name"), "logo": null, "welcome": "", "custom_color": false}),
            );
        }
        self.tera.render(&name, &ctx).map_err(|e| PageError {
            page: page.into(),
            message: e.to_string(),
        })
    }
}

/// A short, stable fingerprint of an asset (FNV-1a, 64 bits), for cache-busting URLs.
pub fn content_hash(text: &str) -> String {
    let mut h: u64 = 0xcbf29ce484222325;
    for b in text.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x100000001b3);
    }
    format!("{h:016x}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_render_in_both_languages_and_escape_what_they_are_given() {
        let pages = Pages::new().unwrap();
        for lang in Language::ALL {
            let html = pages
                .render(
                    "login",
                    lang,
                    json!({"title": "x", "path": "/portal/login", "csrf": "c", "next": "/portal", "email": "<b>a@b</b>", "error": null}),
                )
                .unwrap();
            assert!(
                html.contains(&format!("<html lang=\"{}\">", lang.code())),
                "{html}"
            );
            assert!(html.contains("&lt;b&gt;a@b"), "{html}");
            assert!(!html.contains("<script"), "{html}");
        }
    }
}
