//! The brand colour and the contrast it must keep: WCAG AA asks 4.5:1 for normal text, and the
//! colour is drawn as white button text on it and as link text on the page's light header.

use crate::error::{EngineError, Result};

/// The lightest backgrounds the colour is used against (white, the header's `#f5f7fa`).
const BACKGROUNDS: [[u8; 3]; 2] = [[0xff, 0xff, 0xff], [0xf5, 0xf7, 0xfa]];

/// WCAG AA for normal-size text.
pub const MIN_CONTRAST: f64 = 4.5;

/// `#rrggbb` in lower case, or a refusal naming `primaryColor`.
pub fn parse(input: &str) -> Result<String> {
    let s = input.trim().to_ascii_lowercase();
    let hex = s.strip_prefix('#').unwrap_or(&s);
    if hex.len() != 6 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(EngineError::validation(
            "primaryColor",
            format!("`{input}` is not a colour written as #rrggbb"),
        ));
    }
    let colour = format!("#{hex}");
    let ratio = worst_contrast(&colour);
    if ratio < MIN_CONTRAST {
        return Err(EngineError::validation(
            "primaryColor",
            format!(
                "{colour} has a contrast of {ratio:.1}:1 with white text and the light header; \
                 at least {MIN_CONTRAST}:1 is needed to stay readable (WCAG AA): choose a darker colour"
            ),
        ));
    }
    Ok(colour)
}

fn rgb(colour: &str) -> [u8; 3] {
    let hex = colour.trim_start_matches('#');
    let byte = |i: usize| u8::from_str_radix(hex.get(i..i + 2).unwrap_or("00"), 16).unwrap_or(0);
    [byte(0), byte(2), byte(4)]
}

fn luminance([r, g, b]: [u8; 3]) -> f64 {
    let channel = |c: u8| {
        let c = f64::from(c) / 255.0;
        if c <= 0.04045 {
            c / 12.92
        } else {
            ((c + 0.055) / 1.055).powf(2.4)
        }
    };
    0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)
}

/// The contrast ratio of two colours, 1 to 21.
fn contrast(a: [u8; 3], b: [u8; 3]) -> f64 {
    let (la, lb) = (luminance(a), luminance(b));
    let (hi, lo) = if la > lb { (la, lb) } else { (lb, la) };
    (hi + 0.05) / (lo + 0.05)
}

/// The lowest contrast of `colour` against the backgrounds it is drawn on.
pub fn worst_contrast(colour: &str) -> f64 {
    let c = rgb(colour);
    BACKGROUNDS
        .iter()
        .map(|bg| contrast(c, *bg))
        .fold(f64::INFINITY, f64::min)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ratios_match_the_wcag_examples() {
        assert!((contrast([0, 0, 0], [255, 255, 255]) - 21.0).abs() < 0.01);
        assert!((contrast([0x77, 0x77, 0x77], [255, 255, 255]) - 4.48).abs() < 0.01);
    }

    #[test]
    fn a_dark_colour_passes_and_a_light_one_is_refused_naming_the_field() {
        assert_eq!(parse(" #1D4ED8 ").unwrap(), "#1d4ed8");
        assert_eq!(parse("0b5394").unwrap(), "#0b5394");
        for bad in ["#ffcc00", "#8ab4f8", "red", "#12345", "#12345g"] {
            match parse(bad) {
                Err(EngineError::Validation { field, .. }) => assert_eq!(field, "primaryColor"),
                other => panic!("{bad}: {other:?}"),
            }
        }
    }
}
