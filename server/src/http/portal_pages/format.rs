//! Values as a person reads them in the page's language: dates, numbers, sizes, yes and no,
//! select labels, links for emails, phones and web addresses.

use portico_engine::metadata::{FieldDefinition, Input, ValueKind};
use portico_theme::email::Language;
use portico_theme::i18n::Strings;
use serde_json::Value;

/// Days since 1970-01-01 as (year, month, day): Howard Hinnant's civil-from-days.
fn civil(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

pub use portico_theme::dates::date;

/// A timestamp in microseconds as a date (UTC).
pub fn date_of_micros(lang: Language, micros: i64) -> String {
    let (y, m, d) = civil(micros.div_euclid(86_400_000_000));
    date(lang, y, m, d)
}

fn parse_date(s: &str) -> Option<(i64, u32, u32)> {
    let mut parts = s.get(..10)?.split('-');
    Some((
        parts.next()?.parse().ok()?,
        parts.next()?.parse().ok()?,
        parts.next()?.parse().ok()?,
    ))
}

fn group(digits: &str, sep: char) -> String {
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(sep);
        }
        out.push(c);
    }
    out
}

pub fn number(lang: Language, n: i64) -> String {
    let sep = match lang {
        Language::Es => '.',
        Language::En => ',',
    };
    let sign = if n < 0 { "-" } else { "" };
    format!("{sign}{}", group(&n.unsigned_abs().to_string(), sep))
}

pub fn decimal(lang: Language, x: f64) -> String {
    let text = format!("{:.2}", x.abs());
    let (int, frac) = text.split_once('.').unwrap_or((&text, "00"));
    let frac = frac.trim_end_matches('0');
    let (thousands, point) = match lang {
        Language::Es => ('.', ','),
        Language::En => (',', '.'),
    };
    let sign = if x < 0.0 { "-" } else { "" };
    if frac.is_empty() {
        format!("{sign}{}", group(int, thousands))
    } else {
        format!("{sign}{}{point}{frac}", group(int, thousands))
    }
}

/// An amount in the firm's currency (`Branding.currency`), always with cents, written as each
/// language writes money: `1.234,50 €` in Spanish, `€1,234.50` in English; a currency without
/// a common symbol shows its code.
pub fn money(lang: Language, x: f64, currency: &str) -> String {
    let text = format!("{:.2}", x.abs());
    let (int, cents) = text.split_once('.').unwrap_or((&text, "00"));
    let sign = if x < 0.0 { "-" } else { "" };
    let symbol = match currency {
        "EUR" => Some("€"),
        "USD" => Some("$"),
        "GBP" => Some("£"),
        "JPY" => Some("¥"),
        _ => None,
    };
    match lang {
        Language::Es => {
            let amount = format!("{sign}{},{cents}", group(int, '.'));
            format!("{amount}\u{a0}{}", symbol.unwrap_or(currency))
        }
        Language::En => {
            let amount = format!("{}.{cents}", group(int, ','));
            match symbol {
                Some(s) => format!("{sign}{s}{amount}"),
                None => format!("{sign}{currency}\u{a0}{amount}"),
            }
        }
    }
}

pub fn size(lang: Language, bytes: i64) -> String {
    let b = bytes.max(0) as f64;
    if b < 1024.0 {
        format!("{} B", bytes.max(0))
    } else if b < 1024.0 * 1024.0 {
        format!("{} KB", decimal(lang, (b / 1024.0 * 10.0).round() / 10.0))
    } else if b < 1024.0 * 1024.0 * 1024.0 {
        format!(
            "{} MB",
            decimal(lang, (b / 1024.0 / 1024.0 * 10.0).round() / 10.0)
        )
    } else {
        format!(
            "{} GB",
            decimal(lang, (b / 1024.0 / 1024.0 / 1024.0 * 10.0).round() / 10.0)
        )
    }
}

/// A field's value for display, and a link when the value is one (email, phone, URL).
pub fn field(
    def: &FieldDefinition,
    value: &Value,
    lang: Language,
    t: &Strings,
) -> (String, Option<String>) {
    if value.is_null() || value.as_str().is_some_and(str::is_empty) {
        return (t.get("empty_value").to_owned(), None);
    }
    let text = || {
        value
            .as_str()
            .map_or_else(|| value.to_string(), str::to_owned)
    };
    let spec = def.field_type.spec();
    match (spec.value, spec.input) {
        (ValueKind::Boolean, _) => (
            t.get(if value.as_bool() == Some(true) {
                "yes"
            } else {
                "no"
            })
            .to_owned(),
            None,
        ),
        (ValueKind::Integer, _) => (value.as_i64().map_or_else(text, |n| number(lang, n)), None),
        (ValueKind::Decimal, _) => (value.as_f64().map_or_else(text, |x| decimal(lang, x)), None),
        (ValueKind::Date, _) => (
            value
                .as_str()
                .and_then(parse_date)
                .map_or_else(text, |(y, m, d)| date(lang, y, m, d)),
            None,
        ),
        (ValueKind::DateTime, _) => {
            let s = text();
            let day = parse_date(&s).map(|(y, m, d)| date(lang, y, m, d));
            let time = s.get(11..16).map(str::to_owned);
            match (day, time) {
                (Some(d), Some(hm)) => (format!("{d} {hm} UTC"), None),
                _ => (s, None),
            }
        }
        (_, Input::Email) => {
            let s = text();
            (s.clone(), Some(format!("mailto:{s}")))
        }
        (_, Input::Tel) => {
            let s = text();
            let dial: String = s
                .chars()
                .filter(|c| c.is_ascii_digit() || *c == '+')
                .collect();
            (s, Some(format!("tel:{dial}")))
        }
        (_, Input::Url) => {
            let s = text();
            let safe = s.starts_with("https://") || s.starts_with("http://");
            (s.clone(), safe.then_some(s))
        }
        (ValueKind::Options, _) => (
            value
                .as_array()
                .map(|a| {
                    a.iter()
                        .filter_map(Value::as_str)
                        .map(|o| def.option_label_in(o, lang.code()).unwrap_or(o))
                        .collect::<Vec<_>>()
                        .join(", ")
                })
                .unwrap_or_else(text),
            None,
        ),
        _ => (text(), None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_is_written_with_the_currency_as_each_language_writes_it() {
        assert_eq!(money(Language::Es, 12345.5, "EUR"), "12.345,50\u{a0}€");
        assert_eq!(money(Language::En, 12345.5, "EUR"), "€12,345.50");
        assert_eq!(money(Language::En, -3.0, "USD"), "-$3.00");
        assert_eq!(money(Language::Es, 1000.0, "CHF"), "1.000,00\u{a0}CHF");
        assert_eq!(money(Language::En, 1000.0, "CHF"), "CHF\u{a0}1,000.00");
    }

    #[test]
    fn values_read_the_way_each_language_writes_them() {
        assert_eq!(number(Language::Es, 1_234_567), "1.234.567");
        assert_eq!(number(Language::En, -1234), "-1,234");
        assert_eq!(decimal(Language::Es, 1234.5), "1.234,5");
        assert_eq!(decimal(Language::En, 0.25), "0.25");
        assert_eq!(decimal(Language::En, 3.0), "3");
        assert_eq!(date(Language::Es, 2026, 11, 29), "29/11/2026");
        assert_eq!(date(Language::En, 2026, 11, 29), "29 Nov 2026");
        // 2026-11-29T12:00:00Z
        assert_eq!(
            date_of_micros(Language::Es, 1_795_953_600_000_000),
            "29/11/2026"
        );
        assert_eq!(date_of_micros(Language::En, 0), "1 Jan 1970");
        assert_eq!(size(Language::Es, 1536), "1,5 KB");
        assert_eq!(size(Language::En, 12), "12 B");
        assert_eq!(size(Language::Es, 2 * 1024 * 1024 * 1024), "2 GB");
    }
}

/// A message's text as HTML: every character of it escaped, the web addresses in it made links
/// (`www.` ones to `https://`), line breaks kept as they are (the page shows them). Nothing a
/// person typed is ever read as HTML: the only markup is the links written here. One pass over
/// the text, with no per-part values for the template to walk (a page shows fifty messages).
pub fn message_html(body: &str) -> String {
    let mut out = String::with_capacity(body.len() + body.len() / 8 + 16);
    let bytes = body.as_bytes();
    let (mut i, mut plain_from) = (0, 0);
    while i < bytes.len() {
        // A link starts with an ASCII letter, so `i` is a character boundary here.
        if matches!(bytes[i], b'h' | b'H' | b'w' | b'W')
            && !body[..i].chars().next_back().is_some_and(is_word)
            && let Some(len) = link_at(&body[i..])
        {
            escape_into(&mut out, &body[plain_from..i]);
            let link = &body[i..i + len];
            out.push_str("<a href=\"");
            if starts_with_ci(link, "www.") {
                out.push_str("https://");
            }
            escape_into(&mut out, link);
            out.push_str("\" rel=\"noopener noreferrer nofollow\">");
            escape_into(&mut out, link);
            out.push_str("</a>");
            i += len;
            plain_from = i;
            continue;
        }
        i += 1;
    }
    escape_into(&mut out, &body[plain_from..]);
    out
}

/// The length of the web address `s` starts with, if it starts with one.
fn link_at(s: &str) -> Option<usize> {
    let scheme = ["https://", "http://", "www."]
        .into_iter()
        .find(|p| starts_with_ci(s, p))?;
    let end = s
        .find(|c: char| c.is_whitespace() || matches!(c, '<' | '>' | '"'))
        .unwrap_or(s.len());
    let mut link = &s[..end];
    // Punctuation that ends a sentence is not part of the address.
    while let Some(c) = link.chars().last() {
        let unbalanced_paren = c == ')' && link.matches('(').count() < link.matches(')').count();
        if matches!(c, '.' | ',' | ';' | ':' | '!' | '?' | '\'' | '»' | ']') || unbalanced_paren {
            link = &link[..link.len() - c.len_utf8()];
        } else {
            break;
        }
    }
    let bare = if scheme == "www." {
        link
    } else {
        &link[scheme.len().min(link.len())..]
    };
    (bare.len() >= 4 && bare.contains('.')).then_some(link.len())
}

fn starts_with_ci(s: &str, prefix: &str) -> bool {
    s.len() >= prefix.len() && s.as_bytes()[..prefix.len()].eq_ignore_ascii_case(prefix.as_bytes())
}

fn is_word(c: char) -> bool {
    c.is_alphanumeric() || c == '/' || c == '@'
}

fn escape_into(out: &mut String, text: &str) {
    let mut from = 0;
    for (i, b) in text.bytes().enumerate() {
        let entity = match b {
            b'&' => "&amp;",
            b'<' => "&lt;",
            b'>' => "&gt;",
            b'"' => "&quot;",
            b'\'' => "&#x27;",
            _ => continue,
        };
        // Only ASCII bytes are replaced, so the slices stay on character boundaries.
        out.push_str(&text[from..i]);
        out.push_str(entity);
        from = i + 1;
    }
    out.push_str(&text[from..]);
}

#[cfg(test)]
mod message_tests {
    use super::message_html;

    #[test]
    fn addresses_become_links_and_everything_else_is_escaped_text() {
        assert_eq!(
            message_html("Mire https://ejemplo.es/a?b=1&c=2. Y <b>www.foo.com</b>, o xhttp://no"),
            "Mire <a href=\"https://ejemplo.es/a?b=1&amp;c=2\" rel=\"noopener noreferrer nofollow\">https://ejemplo.es/a?b=1&amp;c=2</a>. \
             Y &lt;b&gt;<a href=\"https://www.foo.com\" rel=\"noopener noreferrer nofollow\">www.foo.com</a>&lt;/b&gt;, o xhttp://no"
        );
        assert_eq!(
            message_html("(see https://a.example/x_(y)) ok"),
            "(see <a href=\"https://a.example/x_(y)\" rel=\"noopener noreferrer nofollow\">https://a.example/x_(y)</a>) ok"
        );
        assert_eq!(
            message_html("javascript:alert(1) http:// \"'<script>"),
            "javascript:alert(1) http:// &quot;&#x27;&lt;script&gt;"
        );
        assert_eq!(
            message_html("añó\nwww.ñ.es"),
            "añó\n<a href=\"https://www.ñ.es\" rel=\"noopener noreferrer nofollow\">www.ñ.es</a>"
        );
        // A quote cannot leave the attribute.
        assert_eq!(
            message_html("https://x.es/\"onmouseover=alert(1)"),
            "<a href=\"https://x.es/\" rel=\"noopener noreferrer nofollow\">https://x.es/</a>&quot;onmouseover=alert(1)"
        );
    }
}
