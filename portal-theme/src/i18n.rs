//! The portal's strings in Spanish and English: a small catalog of `key = text` lines per
//! language (`i18n/*.txt`), with `{name}` placeholders and `.one` / `.other` plural forms.
//!
//! Both languages share the plural rule "one for 1, other otherwise", which is all a catalog of
//! two languages needs; Fluent would bring a runtime and three crates for the same result. A
//! test checks that both files have exactly the same keys, so no page shows a key or falls
//! back to the other language.

use crate::email::Language;
use std::collections::HashMap;

const ES: &str = include_str!("../i18n/es.txt");
const EN: &str = include_str!("../i18n/en.txt");

/// One language's strings.
pub struct Strings {
    map: HashMap<String, String>,
}

fn parse(source: &str) -> HashMap<String, String> {
    source
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .filter_map(|l| l.split_once('='))
        .map(|(k, v)| (k.trim().to_owned(), v.trim().to_owned()))
        .collect()
}

impl Strings {
    fn of(source: &str) -> Strings {
        Strings { map: parse(source) }
    }

    /// The text of `key`; the key itself when missing (a test keeps that from happening).
    pub fn get<'a>(&'a self, key: &'a str) -> &'a str {
        self.map.get(key).map_or(key, String::as_str)
    }

    /// The text of `key` with `{name}` placeholders filled.
    pub fn fill(&self, key: &str, args: &[(&str, &str)]) -> String {
        let mut text = self.get(key).to_owned();
        for (name, value) in args {
            text = text.replace(&format!("{{{name}}}"), value);
        }
        text
    }

    /// The plural form of `key` for `n`, with `{n}` filled.
    pub fn count(&self, key: &str, n: i64) -> String {
        let form = if n == 1 { "one" } else { "other" };
        self.get(&format!("{key}.{form}"))
            .replace("{n}", &n.to_string())
    }

    /// Every string, for templates (`{{ t.sign_in }}`); plural forms keep their dotted keys.
    pub fn as_json(&self) -> serde_json::Value {
        serde_json::Value::Object(
            self.map
                .iter()
                .map(|(k, v)| (k.replace('.', "_"), serde_json::Value::String(v.clone())))
                .collect(),
        )
    }
}

/// Both languages, parsed once.
pub struct Catalog {
    es: Strings,
    en: Strings,
}

impl Default for Catalog {
    fn default() -> Self {
        Catalog {
            es: Strings::of(ES),
            en: Strings::of(EN),
        }
    }
}

impl Catalog {
    pub fn strings(&self, lang: Language) -> &Strings {
        match lang {
            Language::Es => &self.es,
            Language::En => &self.en,
        }
    }
}

/// The page language: the visitor's choice (a cookie) if any, else the first of Spanish or
/// English their browser asks for (`Accept-Language`, by quality), else Spanish.
pub fn negotiate(cookie: Option<&str>, accept_language: Option<&str>) -> Language {
    if let Some(c) = cookie.map(str::trim).filter(|c| *c == "es" || *c == "en") {
        return Language::of(Some(c));
    }
    let Some(accept) = accept_language else {
        return Language::Es;
    };
    let mut best: Option<(f32, Language)> = None;
    for item in accept.split(',') {
        let mut parts = item.split(';');
        let tag = parts.next().unwrap_or_default().trim().to_ascii_lowercase();
        let q = parts
            .find_map(|p| {
                p.trim()
                    .strip_prefix("q=")
                    .and_then(|q| q.parse::<f32>().ok())
            })
            .unwrap_or(1.0);
        let lang = if tag == "es" || tag.starts_with("es-") {
            Language::Es
        } else if tag == "en" || tag.starts_with("en-") {
            Language::En
        } else {
            continue;
        };
        if q > 0.0 && best.is_none_or(|(b, _)| q > b) {
            best = Some((q, lang));
        }
    }
    best.map_or(Language::Es, |(_, l)| l)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_languages_have_the_same_keys() {
        let (es, en) = (parse(ES), parse(EN));
        let mut only_es: Vec<_> = es.keys().filter(|k| !en.contains_key(*k)).collect();
        let mut only_en: Vec<_> = en.keys().filter(|k| !es.contains_key(*k)).collect();
        only_es.sort();
        only_en.sort();
        assert!(
            only_es.is_empty() && only_en.is_empty(),
            "es only: {only_es:?}, en only: {only_en:?}"
        );
        for (k, v) in es.iter().chain(en.iter()) {
            assert!(!v.is_empty(), "{k} is empty");
        }
    }

    #[test]
    fn plurals_and_placeholders() {
        let c = Catalog::default();
        assert_eq!(c.strings(Language::En).count("cases_count", 1), "1 case");
        assert_eq!(c.strings(Language::En).count("cases_count", 0), "0 cases");
        assert_eq!(c.strings(Language::Es).count("cases_count", 2), "2 casos");
        assert_eq!(
            c.strings(Language::Es)
                .fill("case_title", &[("number", "CAS-000001")]),
            "Caso CAS-000001"
        );
    }

    #[test]
    fn the_language_comes_from_the_cookie_then_the_browser() {
        assert_eq!(negotiate(Some("en"), Some("es")), Language::En);
        assert_eq!(
            negotiate(None, Some("fr-FR, en-GB;q=0.8, es;q=0.5")),
            Language::En
        );
        assert_eq!(negotiate(None, Some("en;q=0.3, es-MX;q=0.9")), Language::Es);
        assert_eq!(negotiate(Some("de"), Some("de")), Language::Es);
        assert_eq!(negotiate(None, None), Language::Es);
    }
}
