//! Dates and times as a person reads them in their language, the same on the portal's pages
//! and in emails: "11/12/2026 20:44 CET" in Spanish, "11 Dec 2026, 20:44 CET" in English.

use crate::email::Language;
use chrono::{DateTime, Datelike, Timelike};
pub use chrono_tz::Tz;
use serde_json::Value;

const MONTHS_EN: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// The zones a person may choose from: every region/city name, alphabetically (`Etc/` offsets
/// and legacy aliases without a region left out), then UTC (an installation's default, which a
/// list without it would show as its first zone, and save as that).
pub fn zone_names() -> Vec<&'static str> {
    let mut names: Vec<&'static str> = chrono_tz::TZ_VARIANTS
        .iter()
        .map(|z| z.name())
        .filter(|n| n.contains('/') && !n.starts_with("Etc/") && !n.starts_with("SystemV/"))
        .filter(|n| n.starts_with(char::is_uppercase))
        .collect();
    names.sort_unstable();
    names.dedup();
    names.push("UTC");
    names
}

pub fn date(lang: Language, y: i64, m: u32, d: u32) -> String {
    match lang {
        Language::Es => format!("{d:02}/{m:02}/{y}"),
        Language::En => format!("{d} {} {y}", MONTHS_EN[(m.clamp(1, 12) - 1) as usize]),
    }
}

/// A moment in `zone`, with the zone's abbreviation so that a reader elsewhere is not misled.
pub fn date_time(lang: Language, at: DateTime<chrono::Utc>, zone: Tz) -> String {
    let local = at.with_timezone(&zone);
    let day = date(lang, i64::from(local.year()), local.month(), local.day());
    let abbreviation = local.format("%Z");
    let (h, m) = (local.hour(), local.minute());
    match lang {
        Language::Es => format!("{day} {h:02}:{m:02} {abbreviation}"),
        Language::En => format!("{day}, {h:02}:{m:02} {abbreviation}"),
    }
}

/// `context` with every string that is a moment (RFC 3339, as the engine writes them) replaced
/// by [`date_time`] in `lang` and `zone`. Emails get their dates this way whatever template
/// renders them, an admin's included: a template never prints "2026-12-11T19:44:02.762Z".
pub fn readable(context: &Value, lang: Language, zone: Tz) -> Value {
    match context {
        Value::String(s) => match DateTime::parse_from_rfc3339(s) {
            Ok(at) if s.len() >= 20 => Value::String(date_time(lang, at.to_utc(), zone)),
            _ => context.clone(),
        },
        Value::Array(items) => {
            Value::Array(items.iter().map(|v| readable(v, lang, zone)).collect())
        }
        // A calendar day (a due date) is named `..._date` and has no time, so no zone moves it.
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| {
                    let day = v
                        .as_str()
                        .filter(|_| k.ends_with("_date"))
                        .and_then(|s| chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").ok());
                    let v = match day {
                        Some(d) => Value::String(date(lang, d.year().into(), d.month(), d.day())),
                        None => readable(v, lang, zone),
                    };
                    (k.clone(), v)
                })
                .collect(),
        ),
        other => other.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn moments_read_in_the_language_and_the_zone() {
        let madrid: Tz = "Europe/Madrid".parse().unwrap();
        let context = json!({
            "expires_at": "2026-12-11T19:44:02.762Z",
            "summer": "2026-07-01T08:05:00Z",
            "case_subject": "2026-12-11 is not a moment",
            "nested": [{"at": "2026-12-11T19:44:02Z"}],
            "count": 3,
            "due_date": "2026-12-10",
        });
        let es = readable(&context, Language::Es, madrid);
        assert_eq!(es["expires_at"], "11/12/2026 20:44 CET");
        assert_eq!(es["summer"], "01/07/2026 10:05 CEST");
        assert_eq!(es["case_subject"], "2026-12-11 is not a moment");
        assert_eq!(es["nested"][0]["at"], "11/12/2026 20:44 CET");
        assert_eq!(es["count"], 3);
        // A due day is a calendar day: no time, no zone shifts it.
        assert_eq!(es["due_date"], "10/12/2026");
        let en = readable(&context, Language::En, Tz::UTC);
        assert_eq!(en["expires_at"], "11 Dec 2026, 19:44 UTC");
        assert_eq!(en["due_date"], "10 Dec 2026");
    }
}
