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

/// The content type to store for a file named `name`, whose first bytes are `head`; refuses an
/// executable that claims to be a document.
pub fn content_type(name: &str, declared: Option<&str>, head: &[u8]) -> Result<String> {
    let ext = extension(name);
    if let Some(kind) = executable(head)
        && !ext
            .as_deref()
            .is_some_and(|e| EXECUTABLE_NAMES.contains(&e))
    {
        return Err(EngineError::validation(
            "file",
            format!("`{name}` is named like a document but is {kind}"),
        ));
    }
    let by_name = ext
        .as_deref()
        .and_then(|e| TYPES.iter().find(|(x, _)| *x == e))
        .map(|(_, t)| (*t).to_owned());
    Ok(by_name
        .or_else(|| {
            declared
                .filter(|d| !d.trim().is_empty() && d.is_ascii() && !d.contains(['\r', '\n']))
                .map(str::to_owned)
        })
        .unwrap_or_else(|| "application/octet-stream".to_owned()))
}

/// A document name as stored: no path, no control characters, not empty, not too long.
pub fn clean_name(raw: &str) -> Result<String> {
    let base = raw.rsplit(['/', '\\']).next().unwrap_or_default();
    let name: String = base.chars().filter(|c| !c.is_control()).collect();
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
        assert_eq!(
            content_type("invoice.PDF", Some("text/html"), b"%PDF-1.7").unwrap(),
            "application/pdf"
        );
        assert_eq!(
            content_type("data", Some("text/csv"), b"a,b").unwrap(),
            "text/csv"
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
        assert!(clean_name("dir/").is_err());
    }
}
