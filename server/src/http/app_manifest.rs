//! What makes the portal installable on a phone's home screen: the web app manifest
//! (`/portal/manifest.webmanifest`) with the firm's name and colour, and its icons, drawn here
//! in the firm's colour at the sizes home screens ask for (192 and 512 px PNG) so that no
//! image tool or stored file is needed.

use super::AppState;
use axum::extract::{Path, State};
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::json;

/// The sizes home screens and install prompts ask for.
const SIZES: [u32; 2] = [192, 512];

/// `GET /portal/manifest.webmanifest`
pub async fn manifest(State(state): State<AppState>) -> Response {
    let _ = state.engine.sync().await;
    let b = state.engine.branding();
    let name = if b.firm_name.is_empty() {
        "Portico".to_owned()
    } else {
        b.firm_name.clone()
    };
    let short: String = name.chars().take(12).collect();
    let colour = b.primary_color.trim_start_matches('#').to_owned();
    let icons: Vec<_> = SIZES
        .iter()
        .map(|s| json!({"src": format!("/portal/icons/icon-{colour}-{s}.png"), "sizes": format!("{s}x{s}"), "type": "image/png", "purpose": "any maskable"}))
        .collect();
    let body = json!({
        "name": name,
        "short_name": short,
        "start_url": "/portal",
        "scope": "/portal",
        "display": "standalone",
        "background_color": "#ffffff",
        "theme_color": b.primary_color,
        "icons": icons,
    });
    let mut r = body.to_string().into_response();
    let h = r.headers_mut();
    h.insert(
        CONTENT_TYPE,
        HeaderValue::from_static("application/manifest+json"),
    );
    h.insert(
        CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=3600"),
    );
    r
}

/// `GET /portal/icons/icon-<rrggbb>-<size>.png`: the portal's mark on the colour in the address
/// (the manifest names the brand's, so a new colour is a new address).
pub async fn icon(Path(file): Path<String>) -> Response {
    let parsed = file
        .strip_prefix("icon-")
        .and_then(|f| f.strip_suffix(".png"))
        .and_then(|f| f.split_once('-'))
        .and_then(|(hex, size)| Some((rgb(hex)?, size.parse::<u32>().ok()?)))
        .filter(|(_, size)| SIZES.contains(size));
    let Some((colour, size)) = parsed else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let mut r = png(size, &draw(size, colour)).into_response();
    let h = r.headers_mut();
    h.insert(CONTENT_TYPE, HeaderValue::from_static("image/png"));
    h.insert(
        CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=31536000, immutable"),
    );
    r
}

fn rgb(hex: &str) -> Option<[u8; 3]> {
    if hex.len() != 6 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    let byte = |i: usize| u8::from_str_radix(&hex[i..i + 2], 16).ok();
    Some([byte(0)?, byte(2)?, byte(4)?])
}

/// Whether a point of the 32-unit mark is white: the "P" of the favicon (a stem, and a bowl
/// with its counter cut out), drawn in the middle 60% so that maskable crops keep it.
fn in_letter(x: f32, y: f32) -> bool {
    let disc = |cx: f32, cy: f32, r: f32| (x - cx).powi(2) + (y - cy).powi(2) <= r * r;
    let stem = (10.0..=14.0).contains(&x) && (8.0..=25.0).contains(&y);
    let bowl = ((10.0..=18.0).contains(&x) && (8.0..=20.0).contains(&y))
        || (x >= 18.0 && disc(18.0, 14.0, 6.0));
    let counter = ((14.0..=18.0).contains(&x) && (12.0..=16.0).contains(&y))
        || (x >= 18.0 && disc(18.0, 14.0, 2.0));
    stem || (bowl && !counter)
}

/// RGB pixels of the icon: the colour everywhere (home screens round the corners themselves),
/// the letter in white, each pixel the average of 4x4 samples so edges are smooth.
fn draw(size: u32, colour: [u8; 3]) -> Vec<u8> {
    let mut out = Vec::with_capacity((size * size * 3) as usize);
    let scale = 32.0 / size as f32;
    for py in 0..size {
        for px in 0..size {
            let mut white = 0u32;
            for sy in 0..4 {
                for sx in 0..4 {
                    let x = (px as f32 + (sx as f32 + 0.5) / 4.0) * scale;
                    let y = (py as f32 + (sy as f32 + 0.5) / 4.0) * scale;
                    // The 32-unit mark shrunk to the middle 60%, about its centre.
                    let (mx, my) = ((x - 16.0) / 0.6 + 16.5, (y - 16.0) / 0.6 + 16.5);
                    if in_letter(mx, my) {
                        white += 1;
                    }
                }
            }
            for c in colour {
                let mixed = (u32::from(c) * (16 - white) + 255 * white) / 16;
                out.push(u8::try_from(mixed).unwrap_or(255));
            }
        }
    }
    out
}

/// A PNG of `size`x`size` RGB pixels (8 bits, no interlace, each row unfiltered).
fn png(size: u32, pixels: &[u8]) -> Vec<u8> {
    use std::io::Write;
    let row = (size * 3) as usize;
    let mut raw = Vec::with_capacity(pixels.len() + size as usize);
    for line in pixels.chunks(row) {
        raw.push(0);
        raw.extend_from_slice(line);
    }
    let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
    // Writing to memory does not fail.
    let compressed: Vec<u8> = z
        .write_all(&raw)
        .and_then(|()| z.finish())
        .unwrap_or_default();
    let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut chunk = |kind: &[u8; 4], data: &[u8]| {
        out.extend_from_slice(&u32::try_from(data.len()).unwrap_or(0).to_be_bytes());
        let mut crc = flate2::Crc::new();
        crc.update(kind);
        crc.update(data);
        out.extend_from_slice(kind);
        out.extend_from_slice(data);
        out.extend_from_slice(&crc.sum().to_be_bytes());
    };
    let mut header = Vec::with_capacity(13);
    header.extend_from_slice(&size.to_be_bytes());
    header.extend_from_slice(&size.to_be_bytes());
    header.extend_from_slice(&[8, 2, 0, 0, 0]);
    chunk(b"IHDR", &header);
    chunk(b"IDAT", &compressed);
    chunk(b"IEND", &[]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_icon_is_a_png_of_the_size_asked_in_the_colour_asked() {
        let bytes = png(192, &draw(192, [0x1d, 0x4e, 0xd8]));
        assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n");
        assert_eq!(&bytes[16..24], &[0, 0, 0, 192, 0, 0, 0, 192]);
        let pixels = draw(192, [0x1d, 0x4e, 0xd8]);
        // A corner is the colour; the stem of the letter, left of the middle, is white.
        assert_eq!(&pixels[..3], &[0x1d, 0x4e, 0xd8]);
        let at = |x: usize, y: usize| &pixels[(y * 192 + x) * 3..(y * 192 + x) * 3 + 3];
        assert_eq!(at(80, 110), &[255, 255, 255]);
        assert!(rgb("zz0000").is_none() && rgb("1d4ed8") == Some([0x1d, 0x4e, 0xd8]));
    }
}
