//! What a file is, from its name and its first bytes.
//!
//! The choice: a file whose bytes are an executable program (Windows PE, ELF, Mach-O, or a
//! script with a `#!` line) is refused when its name claims a document type (a PDF, an image, an
//! office file, text...): that is how malware is passed to people who trust the portal. An
//! executable under an executable's name (`setup.exe`) is stored, like any other file. Every
//! download is sent as an attachment with `nosniff`, so no stored file runs in a browser.

use crate::error::{EngineError, Result};

/// Content types by file extension, for the documents people exchange with a portal.
const TYPES: &[(&str, &str)] = &[
    ("pdf", "application/pdf"),
    ("png", "image/png"),
    ("jpg", "image/jpeg"),
    ("jpeg", "image/jpeg"),
    ("gif", "image/gif"),
    ("webp", "image/webp"),
    ("tif", "image/tiff"),
    ("tiff", "image/tiff"),
    ("txt", "text/plain"),
    ("csv", "text/csv"),
    ("json", "application/json"),
    ("xml", "application/xml"),
    ("html", "text/html"),
    ("htm", "text/html"),
    ("doc", "application/msword"),
    ("xls", "application/vnd.ms-excel"),
    ("ppt", "application/vnd.ms-powerpoint"),
    (
        "docx",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ),
    (
        "xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ),
    (
        "pptx",
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    ),
    ("odt", "application/vnd.oasis.opendocument.text"),
    ("ods", "application/vnd.oasis.opendocument.spreadsheet"),
    ("zip", "application/zip"),
    ("eml", "message/rfc822"),
];

/// Extensions of programs: an executable under one of these names is what it says it is.
const EXECUTABLE_NAMES: &[&str] = &[
    "exe", "dll", "msi", "com", "scr", "bin", "elf", "so", "dylib", "app", "sh", "bash", "py",
    "pl", "rb", "run", "command",
];

fn extension(name: &str) -> Option<String> {
    let (_, ext) = name.rsplit_once('.')?;
    Some(ext.to_ascii_lowercase())
}

/// The kind of program `head` starts, if it is one.
pub fn executable(head: &[u8]) -> Option<&'static str> {
    if head.starts_with(b"MZ") {
        Some("a Windows program")
    } else if head.starts_with(b"\x7fELF") {
        Some("a Linux program")
    } else if head.len() >= 4
        && matches!(
            head[..4],
            [0xfe, 0xed, 0xfa, 0xce]
                | [0xfe, 0xed, 0xfa, 0xcf]
                | [0xce, 0xfa, 0xed, 0xfe]
                | [0xcf, 0xfa, 0xed, 0xfe]
        )
    {
        Some("a macOS program")
    } else if head.starts_with(b"#!") {
        Some("a script")
    } else {
        None
    }
}

/// Binary formats recognised by their first bytes: (magic at offset, the family it proves).
/// A name or a declared type that claims one of these families is believed only when the
/// bytes agree.
fn sniffed(head: &[u8]) -> Option<Family> {
    let at = |offset: usize, magic: &[u8]| head.get(offset..offset + magic.len()) == Some(magic);
    Some(if at(0, b"%PDF-") {
        Family::Pdf
    } else if at(0, b"\x89PNG\r\n\x1a\n") {
        Family::Png
    } else if at(0, &[0xff, 0xd8, 0xff]) {
        Family::Jpeg
    } else if at(0, b"GIF87a") || at(0, b"GIF89a") {
        Family::Gif
    } else if at(0, b"RIFF") && at(8, b"WEBP") {
        Family::Webp
    } else if at(0, b"II*\0") || at(0, b"MM\0*") {
        Family::Tiff
    } else if at(0, b"PK\x03\x04") || at(0, b"PK\x05\x06") {
        Family::Zip
    } else if at(0, &[0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]) {
        Family::Ole
    } else {
        return None;
    })
}

/// What a binary content type's bytes must start with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Family {
    Pdf,
    Png,
    Jpeg,
    Gif,
    Webp,
    Tiff,
    /// ZIP archives, and the office formats made of one (docx, xlsx, odt...).
    Zip,
    /// The old office formats (doc, xls, ppt).
    Ole,
}

impl Family {
    /// The family a content type belongs to, if it is a binary type with a signature.
    fn of(content_type: &str) -> Option<Family> {
        let t = content_type.trim().to_ascii_lowercase();
        let t = t.split(';').next().unwrap_or_default().trim();
        Some(match t {
            "application/pdf" => Family::Pdf,
            "image/png" => Family::Png,
            "image/jpeg" | "image/jpg" => Family::Jpeg,
            "image/gif" => Family::Gif,
            "image/webp" => Family::Webp,
            "image/tiff" => Family::Tiff,
            "application/msword" | "application/vnd.ms-excel" | "application/vnd.ms-powerpoint" => {
                Family::Ole
            }
            "application/zip" => Family::Zip,
            t if t.starts_with("application/vnd.openxmlformats-officedocument.")
                || t.starts_with("application/vnd.oasis.opendocument.") =>
            {
                Family::Zip
            }
            _ => return None,
        })
    }

    /// The content type to store for bytes of this family when no name or declaration fits.
    fn content_type(self) -> &'static str {
        match self {
            Family::Pdf => "application/pdf",
            Family::Png => "image/png",
            Family::Jpeg => "image/jpeg",
            Family::Gif => "image/gif",
            Family::Webp => "image/webp",
            Family::Tiff => "image/tiff",
            Family::Zip => "application/zip",
            Family::Ole => "application/octet-stream",
        }
    }
}

/// Whether the bytes (of family `sniffed`) can be of `content_type`: a type with a signature
/// needs bytes with that signature; a type without one (text, CSV...) cannot be a binary
/// format that has one.
fn agrees(content_type: &str, sniffed: Option<Family>) -> bool {
    Family::of(content_type) == sniffed
}

/// The content type to store for a file named `name` (already cleaned by [`clean_name`]),
/// whose first bytes are `head`; refuses an executable that claims to be a document.
///
/// The bytes decide: the type the extension gives is kept when the bytes agree with it, a
/// declared type only when there is no extension type and the bytes agree with it too, and
/// otherwise the type the bytes show, or `application/octet-stream`. A second security review
/// uploaded a Windows program declared as `application/pdf`; it must never be stored as one.
pub fn content_type(name: &str, declared: Option<&str>, head: &[u8]) -> Result<String> {
    let ext = extension(name);
    if let Some(kind) = executable(head) {
        if !ext
            .as_deref()
            .is_some_and(|e| EXECUTABLE_NAMES.contains(&e))
        {
            return Err(EngineError::validation(
                "file",
                format!("`{name}` is named like a document but is {kind}"),
            ));
        }
        return Ok(OCTET_STREAM.to_owned());
    }
    let bytes = sniffed(head);
    let by_name = ext
        .as_deref()
        .and_then(|e| TYPES.iter().find(|(x, _)| *x == e))
        .map(|(_, t)| *t);
    if let Some(t) = by_name
        && agrees(t, bytes)
    {
        return Ok(t.to_owned());
    }
    if by_name.is_none()
        && let Some(d) = declared
            .map(str::trim)
            .filter(|d| !d.is_empty() && d.is_ascii() && !d.contains(['\r', '\n']))
        && agrees(d, bytes)
    {
        return Ok(d.to_owned());
    }
    Ok(bytes.map_or(OCTET_STREAM, Family::content_type).to_owned())
}

const OCTET_STREAM: &str = "application/octet-stream";

/// Unicode format characters (category Cf): invisible, and some reorder what is shown around
/// them. U+202E (right-to-left override) made `invoice\u{202E}fdp.exe` show as
/// "invoiceexe.pdf"; a document's name must read as what it is.
fn is_format(c: char) -> bool {
    matches!(
        c,
        '\u{00AD}'
            | '\u{0600}'..='\u{0605}'
            | '\u{061C}'
            | '\u{06DD}'
            | '\u{070F}'
            | '\u{0890}'..='\u{0891}'
            | '\u{08E2}'
            | '\u{180E}'
            | '\u{200B}'..='\u{200F}'
            | '\u{202A}'..='\u{202E}'
            | '\u{2060}'..='\u{2064}'
            | '\u{2066}'..='\u{206F}'
            | '\u{FEFF}'
            | '\u{FFF9}'..='\u{FFFB}'
            | '\u{110BD}'
            | '\u{110CD}'
            | '\u{13430}'..='\u{1343F}'
            | '\u{1BCA0}'..='\u{1BCA3}'
            | '\u{1D173}'..='\u{1D17A}'
            | '\u{E0001}'
            | '\u{E0020}'..='\u{E007F}'
    )
}

/// A document name as stored: no path, no control or format characters, not empty, not too
/// long.
pub fn clean_name(raw: &str) -> Result<String> {
    let base = raw.rsplit(['/', '\\']).next().unwrap_or_default();
    let name: String = base
        .chars()
        .filter(|c| !c.is_control() && !is_format(*c))
        .collect();
    let name = name.trim();
    if name.is_empty() || name == "." || name == ".." {
        return Err(EngineError::validation("name", "must not be empty"));
    }
    if name.chars().count() > 255 {
        return Err(EngineError::validation(
            "name",
            "is longer than 255 characters",
        ));
    }
    Ok(name.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn executables_posing_as_documents_are_refused() {
        assert!(content_type("invoice.pdf", None, b"MZ\x90\x00").is_err());
        assert!(content_type("photo.jpg", None, b"\x7fELF\x02").is_err());
        assert!(content_type("notes", None, b"#!/bin/sh\n").is_err());
        assert_eq!(
            content_type("setup.exe", None, b"MZ\x90").unwrap(),
            "application/octet-stream"
        );
        // The review's upload: a program declared as a PDF under a right-to-left override.
        let name = clean_name("invoice\u{202E}fdp.exe").unwrap();
        assert_eq!(name, "invoicefdp.exe");
        assert_eq!(
            content_type(&name, Some("application/pdf"), b"MZ\x90\x00").unwrap(),
            "application/octet-stream"
        );
        assert_eq!(
            content_type("invoice.PDF", Some("text/html"), b"%PDF-1.7").unwrap(),
            "application/pdf"
        );
        assert_eq!(
            content_type("data", Some("text/csv"), b"a,b").unwrap(),
            "text/csv"
        );
        // The bytes win over the name and over the declaration.
        assert_eq!(
            content_type("photo.png", None, b"%PDF-1.4").unwrap(),
            "application/pdf"
        );
        assert_eq!(
            content_type("report.pdf", None, b"plain words").unwrap(),
            "application/octet-stream"
        );
        assert_eq!(
            content_type("data", Some("application/pdf"), b"a,b").unwrap(),
            "application/octet-stream"
        );
        assert_eq!(
            content_type("x.docx", None, b"PK\x03\x04rest").unwrap(),
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
        );
        assert_eq!(
            content_type("data", Some("bad\r\nX: y"), b"a").unwrap(),
            "application/octet-stream"
        );
    }

    #[test]
    fn names_lose_their_paths() {
        assert_eq!(clean_name("../../etc/passwd").unwrap(), "passwd");
        assert_eq!(
            clean_name("C:\\Users\\a\\report.pdf").unwrap(),
            "report.pdf"
        );
        assert_eq!(clean_name(" a\u{0}b.txt ").unwrap(), "ab.txt");
        assert!(clean_name("..").is_err());
        assert_eq!(
            clean_name("a\u{200B}\u{2066}b\u{FEFF}.pdf").unwrap(),
            "ab.pdf"
        );
        assert!(clean_name("\u{202E}\u{200F}").is_err());
        assert_eq!(
            clean_name("Año fiscal ٢٠٢٦.pdf").unwrap(),
            "Año fiscal ٢٠٢٦.pdf"
        );
        assert!(clean_name("dir/").is_err());
    }
}
