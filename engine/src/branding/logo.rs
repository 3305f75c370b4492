//! What an admin may upload as the firm's logo: a PNG, a JPEG, or an SVG rebuilt from an
//! allow-list.
//!
//! The logo is shown on every portal page, the sign-in page and in emails, so it is the one
//! file of ours a browser renders rather than downloads. A PNG or JPEG is checked by its bytes,
//! whatever its name says. An SVG can carry script, event handlers, external references and
//! HTML (`foreignObject`), so it is not stored as sent: it is parsed (no DTD, a node limit) and
//! written out again with only drawing elements and presentation attributes; references may
//! point only inside the image (`#id`). Anything else (an HTML page, a PDF, a GIF) is refused.
//! It is served with a sandboxing Content-Security-Policy as well.

use crate::error::{EngineError, Result};
use roxmltree::{Document, Node, ParsingOptions};
use sha2::{Digest, Sha256};
use std::fmt::Write;
use std::sync::Arc;

/// The largest logo: big enough for any sharp logo, small enough to keep in memory and in a row.
pub const MAX_LOGO_BYTES: usize = 512 * 1024;

const SVG_NS: &str = "http://www.w3.org/2000/svg";
const XLINK_NS: &str = "http://www.w3.org/1999/xlink";

/// A checked logo, as stored and served.
#[derive(Clone, PartialEq)]
pub struct Logo {
    pub content_type: &'static str,
    pub bytes: Arc<[u8]>,
    /// A fingerprint of the bytes, in the URL so a new logo is fetched at once.
    pub hash: String,
}

impl std::fmt::Debug for Logo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Logo")
            .field("content_type", &self.content_type)
            .field("bytes", &self.bytes.len())
            .field("hash", &self.hash)
            .finish()
    }
}

impl Logo {
    /// The file extension its URL ends in.
    pub fn extension(&self) -> &'static str {
        match self.content_type {
            "image/png" => "png",
            "image/jpeg" => "jpg",
            _ => "svg",
        }
    }

    pub(crate) fn stored(content_type: &str, bytes: Vec<u8>) -> Option<Logo> {
        let content_type = [PNG, JPEG, SVG].into_iter().find(|t| *t == content_type)?;
        Some(Logo {
            content_type,
            hash: fingerprint(&bytes),
            bytes: bytes.into(),
        })
    }
}

const PNG: &str = "image/png";
const JPEG: &str = "image/jpeg";
const SVG: &str = "image/svg+xml";

fn fingerprint(bytes: &[u8]) -> String {
    let digest = Sha256::digest(bytes);
    digest[..8].iter().fold(String::new(), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}

fn refuse(message: impl Into<String>) -> EngineError {
    EngineError::validation("file", message)
}

/// Checks an uploaded logo; an SVG comes back rebuilt.
pub fn check(bytes: &[u8]) -> Result<Logo> {
    if bytes.is_empty() {
        return Err(refuse("the logo file is empty"));
    }
    if bytes.len() > MAX_LOGO_BYTES {
        return Err(refuse(format!(
            "the logo is {} KiB; at most {} KiB is accepted",
            bytes.len().div_ceil(1024),
            MAX_LOGO_BYTES / 1024
        )));
    }
    let (content_type, stored) = if is_png(bytes) {
        (PNG, bytes.to_vec())
    } else if bytes.starts_with(&[0xff, 0xd8, 0xff]) {
        (JPEG, bytes.to_vec())
    } else if let Some(svg) = svg_text(bytes) {
        (SVG, clean_svg(svg)?.into_bytes())
    } else {
        return Err(refuse(
            "the logo must be a PNG, JPEG or SVG image; this file is none of them",
        ));
    };
    Ok(Logo {
        content_type,
        hash: fingerprint(&stored),
        bytes: stored.into(),
    })
}

fn is_png(bytes: &[u8]) -> bool {
    bytes.starts_with(b"\x89PNG\r\n\x1a\n") && bytes.get(12..16) == Some(b"IHDR")
}

/// The text of what looks like an SVG document: XML whose first element is `svg`.
fn svg_text(bytes: &[u8]) -> Option<&str> {
    let text = std::str::from_utf8(bytes).ok()?;
    let body = text.trim_start_matches('\u{feff}').trim_start();
    let looks_xml =
        body.starts_with("<?xml") || body.starts_with("<svg") || body.starts_with("<!--");
    (looks_xml && body.contains("<svg")).then_some(text)
}

/// Drawing elements kept, with their children; everything else goes with its subtree.
const ELEMENTS: &[&str] = &[
    "svg",
    "g",
    "defs",
    "title",
    "desc",
    "path",
    "rect",
    "circle",
    "ellipse",
    "line",
    "polyline",
    "polygon",
    "text",
    "tspan",
    "linearGradient",
    "radialGradient",
    "stop",
    "clipPath",
    "mask",
    "use",
    "symbol",
];

/// Geometry and presentation attributes kept; event handlers, `style` (which can fetch
/// URLs) and anything unknown are dropped.
const ATTRIBUTES: &[&str] = &[
    "id",
    "viewBox",
    "width",
    "height",
    "x",
    "y",
    "x1",
    "y1",
    "x2",
    "y2",
    "cx",
    "cy",
    "r",
    "rx",
    "ry",
    "fx",
    "fy",
    "d",
    "points",
    "transform",
    "fill",
    "fill-opacity",
    "fill-rule",
    "stroke",
    "stroke-width",
    "stroke-opacity",
    "stroke-linecap",
    "stroke-linejoin",
    "stroke-miterlimit",
    "stroke-dasharray",
    "stroke-dashoffset",
    "opacity",
    "clip-path",
    "clip-rule",
    "mask",
    "offset",
    "stop-color",
    "stop-opacity",
    "gradientUnits",
    "gradientTransform",
    "spreadMethod",
    "preserveAspectRatio",
    "font-family",
    "font-size",
    "font-weight",
    "font-style",
    "text-anchor",
    "dominant-baseline",
    "letter-spacing",
    "visibility",
    "display",
    "role",
    "aria-label",
    "lang",
];

fn clean_svg(text: &str) -> Result<String> {
    let options = ParsingOptions {
        allow_dtd: false,
        nodes_limit: 50_000,
    };
    let doc = Document::parse_with_options(text, options)
        .map_err(|e| refuse(format!("the SVG logo cannot be read: {e}")))?;
    let root = doc.root_element();
    if root.tag_name().name() != "svg" || root.tag_name().namespace() != Some(SVG_NS) {
        return Err(refuse(
            "the SVG logo's first element must be an <svg> element",
        ));
    }
    let mut out = String::with_capacity(text.len());
    write_element(root, &mut out);
    Ok(out)
}

fn write_element(node: Node<'_, '_>, out: &mut String) {
    let name = node.tag_name().name();
    out.push('<');
    out.push_str(name);
    if name == "svg" && node.parent_element().is_none() {
        out.push_str(" xmlns=\"");
        out.push_str(SVG_NS);
        out.push('"');
    }
    for a in node.attributes() {
        let value = a.value();
        let local = a.name();
        let kept = match a.namespace() {
            None => ATTRIBUTES.contains(&local) && safe_value(value),
            Some(_) => false,
        };
        // A reference is kept only when it points inside the image.
        let reference =
            (local == "href" && matches!(a.namespace(), None | Some(XLINK_NS))).then_some("href");
        if kept || (reference.is_some() && value.starts_with('#')) {
            let _ = write!(out, " {}=\"{}\"", reference.unwrap_or(local), escape(value));
        }
    }
    out.push('>');
    for child in node.children() {
        if child.is_element() {
            if child.tag_name().namespace() == Some(SVG_NS)
                && ELEMENTS.contains(&child.tag_name().name())
            {
                write_element(child, out);
            }
        } else if child.is_text() {
            out.push_str(&escape(child.text().unwrap_or_default()));
        }
    }
    out.push_str("</");
    out.push_str(name);
    out.push('>');
}

/// A value may name a paint server inside the image (`url(#grad)`), never a URL outside it.
fn safe_value(value: &str) -> bool {
    let lower = value.to_ascii_lowercase();
    let mut rest = lower.as_str();
    while let Some(at) = rest.find("url(") {
        let after = rest[at + 4..].trim_start_matches([' ', '"', '\'']);
        if !after.starts_with('#') {
            return false;
        }
        rest = &rest[at + 4..];
    }
    !lower.contains("javascript:") && !lower.contains("expression(")
}

fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refused(bytes: &[u8]) -> String {
        match check(bytes) {
            Err(EngineError::Validation { field, message, .. }) => {
                assert_eq!(field, "file");
                message
            }
            other => panic!("expected a refusal, got {other:?}"),
        }
    }

    #[test]
    fn an_svg_keeps_its_drawing_and_loses_script_handlers_and_outside_references() {
        let sent = r##"<?xml version="1.0"?>
<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" viewBox="0 0 10 10" onload="alert(1)">
  <script>alert(document.cookie)</script>
  <style>@import url(https://evil.example/x.css);</style>
  <defs><linearGradient id="g"><stop offset="0" stop-color="#123"/></linearGradient></defs>
  <rect width="10" height="10" fill="url(#g)" style="fill:url(https://evil.example/)"/>
  <a xlink:href="javascript:alert(1)"><circle r="2"/></a>
  <image href="https://evil.example/track.png"/>
  <use xlink:href="#g"/>
  <use href="https://evil.example/sprite.svg#x"/>
  <foreignObject><div xmlns="http://www.w3.org/1999/xhtml"><iframe src="https://evil.example"/></div></foreignObject>
  <path d="M0 0L10 10" fill="url(https://evil.example/p)" stroke="#000"/>
  <text x="1" y="9">A &amp; B &lt;script&gt;</text>
</svg>"##;
        let logo = check(sent.as_bytes()).unwrap();
        assert_eq!(logo.content_type, "image/svg+xml");
        let svg = std::str::from_utf8(&logo.bytes).unwrap();
        for gone in [
            "<script",
            "onload",
            "style",
            "evil.example",
            "javascript",
            "foreignObject",
            "iframe",
            "<a",
            "<image",
        ] {
            assert!(!svg.contains(gone), "{gone} left in {svg}");
        }
        for kept in [
            "<rect width=\"10\" height=\"10\" fill=\"url(#g)\">",
            "<use href=\"#g\">",
            "stop-color=\"#123\"",
            "A &amp; B &lt;script&gt;",
            "viewBox=\"0 0 10 10\"",
        ] {
            assert!(svg.contains(kept), "{kept} missing from {svg}");
        }
        // What is stored reads as SVG again.
        assert!(Document::parse(svg).is_ok());
    }

    #[test]
    fn html_a_dtd_and_oversized_files_are_refused_by_their_bytes() {
        let html = refused(b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>");
        assert!(html.contains("PNG, JPEG or SVG"), "{html}");
        // An HTML page named logo.svg that happens to mention <svg> is still not an SVG.
        let fake = refused(b"<html><body><svg></svg></body></html>");
        assert!(fake.contains("PNG, JPEG or SVG"), "{fake}");
        let laughs = r#"<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY a "aaaa">]><svg xmlns="http://www.w3.org/2000/svg">&a;</svg>"#;
        assert!(refused(laughs.as_bytes()).contains("cannot be read"));
        let big = vec![0u8; MAX_LOGO_BYTES + 1];
        assert!(refused(&big).contains("at most 512 KiB"));
        assert!(refused(b"").contains("empty"));
        assert!(refused(b"GIF89a....").contains("PNG, JPEG or SVG"));
    }

    #[test]
    fn png_and_jpeg_are_kept_as_sent() {
        let mut png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
        png.extend_from_slice(&[0; 17]);
        let logo = check(&png).unwrap();
        assert_eq!((logo.content_type, &*logo.bytes), ("image/png", &png[..]));
        assert_eq!(logo.extension(), "png");
        let jpeg = [0xff, 0xd8, 0xff, 0xe0, 0, 0x10, b'J', b'F', b'I', b'F'];
        assert_eq!(check(&jpeg).unwrap().content_type, "image/jpeg");
    }
}
