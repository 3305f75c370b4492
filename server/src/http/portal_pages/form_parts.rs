//! A page form that carries files (`multipart/form-data`): its text fields, and its files
//! spooled to anonymous temporary files, so a large upload never sits in memory and nothing is
//! stored until the whole form has arrived and been checked.
//!
//! The form's CSRF token is a text field placed before the file inputs; the caller's check runs
//! when the first file part starts, so a forged form is refused before a byte of it is written
//! to disk. A refused request is read on for a bounded time ([`drain`]) so the browser shows
//! our answer rather than a reset connection.

use super::super::uploads::{boundary_of, drain};
use axum::body::{Body, BodyDataStream};
use axum::http::HeaderMap;
use axum::http::header::CONTENT_TYPE;
use futures_util::StreamExt;
use std::collections::HashMap;
use std::io::SeekFrom;
use tokio::io::{AsyncSeekExt, AsyncWriteExt};

/// The longest text field (a message of 20,000 characters in a script of 4-byte letters
/// fits; a case description is far shorter).
const MAX_TEXT: usize = 96 * 1024;
/// The most text fields one form may send (multiselect checkboxes send one each).
const MAX_TEXT_FIELDS: usize = 500;
/// All text fields together: what one form may make the server hold in memory.
const MAX_TEXT_TOTAL: usize = 1024 * 1024;
/// How many bytes of each file are kept to look at (what kind of file it is).
const HEAD: usize = 512;

/// What a form with files sent.
pub struct FormParts {
    pub fields: HashMap<String, Vec<String>>,
    pub files: Vec<SpooledFile>,
}

impl FormParts {
    pub fn first(&self, name: &str) -> Option<&str> {
        self.fields
            .get(name)
            .and_then(|v| v.first())
            .map(String::as_str)
    }
}

/// One file of the form, written to a temporary file that is gone when this is dropped.
pub struct SpooledFile {
    /// The form field it came in.
    pub field: String,
    pub filename: String,
    pub content_type: Option<String>,
    /// Its first bytes.
    pub head: Vec<u8>,
    /// Positioned at the start.
    pub file: tokio::fs::File,
}

#[derive(Debug, PartialEq, Eq)]
pub enum FormError {
    /// Not a multipart body, or a broken one.
    Malformed,
    /// The caller's check (CSRF) refused the form.
    Refused,
    /// A file was larger than `limit` bytes.
    FileTooLarge { filename: String, limit: u64 },
    /// More than `limit` files.
    TooManyFiles { limit: usize },
    /// Too many or too long text fields.
    TooMuchText,
    /// The temporary file could not be written.
    Disk,
}

/// A form that could not be read whole: why, and the text fields that came before the problem
/// (a form shown again keeps what was typed).
#[derive(Debug)]
pub struct Failed {
    pub error: FormError,
    pub fields: HashMap<String, Vec<String>>,
}

/// The limits one form is read under.
#[derive(Clone, Copy)]
pub struct Limits {
    pub file_bytes: u64,
    pub files: usize,
}

pub fn is_multipart(headers: &HeaderMap) -> bool {
    headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.trim_start()
                .to_ascii_lowercase()
                .starts_with("multipart/form-data")
        })
}

/// Reads the form. `allow` sees the text fields read so far when the first file starts (and at
/// the end when no file came) and decides whether the form may go on.
pub async fn read(
    headers: &HeaderMap,
    body: Body,
    limits: Limits,
    allow: impl Fn(&HashMap<String, Vec<String>>) -> bool,
) -> Result<FormParts, Failed> {
    let mut stream = body.into_data_stream();
    let Some(boundary) = headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(boundary_of)
    else {
        drain(&mut stream).await;
        return Err(Failed {
            error: FormError::Malformed,
            fields: HashMap::new(),
        });
    };
    let mut fields = HashMap::new();
    let read = read_parts(&mut stream, boundary, limits, &allow, &mut fields).await;
    match read {
        Ok(files) => Ok(FormParts { fields, files }),
        Err(error) => {
            drain(&mut stream).await;
            Err(Failed { error, fields })
        }
    }
}

async fn read_parts(
    stream: &mut BodyDataStream,
    boundary: String,
    limits: Limits,
    allow: &impl Fn(&HashMap<String, Vec<String>>) -> bool,
    fields: &mut HashMap<String, Vec<String>>,
) -> Result<Vec<SpooledFile>, FormError> {
    let mut multipart = multer::Multipart::new(stream.by_ref(), boundary);
    let mut text_fields = 0;
    let mut text_total = 0;
    let mut files = Vec::new();
    let mut allowed = false;
    while let Some(mut part) = multipart
        .next_field()
        .await
        .map_err(|_| FormError::Malformed)?
    {
        let name = part.name().unwrap_or_default().to_owned();
        let Some(filename) = part.file_name().map(str::to_owned) else {
            text_fields += 1;
            if text_fields > MAX_TEXT_FIELDS {
                return Err(FormError::TooMuchText);
            }
            let mut text = Vec::new();
            while let Some(chunk) = part.chunk().await.map_err(|_| FormError::Malformed)? {
                text_total += chunk.len();
                if text.len() + chunk.len() > MAX_TEXT || text_total > MAX_TEXT_TOTAL {
                    return Err(FormError::TooMuchText);
                }
                text.extend_from_slice(&chunk);
            }
            let text = String::from_utf8(text).map_err(|_| FormError::Malformed)?;
            fields.entry(name).or_default().push(text);
            continue;
        };
        if !allowed {
            if !allow(fields) {
                return Err(FormError::Refused);
            }
            allowed = true;
        }
        let content_type = part.content_type().map(ToString::to_string);
        let spooled = spool(&mut part, &filename, limits.file_bytes).await?;
        // A file input left empty still sends a part, with no name and no content.
        if filename.is_empty() && spooled.0 == 0 {
            continue;
        }
        if files.len() == limits.files {
            return Err(FormError::TooManyFiles {
                limit: limits.files,
            });
        }
        let (_, head, file) = spooled;
        files.push(SpooledFile {
            field: name,
            filename,
            content_type,
            head,
            file,
        });
    }
    if !allowed && !allow(fields) {
        return Err(FormError::Refused);
    }
    Ok(files)
}

async fn spool(
    part: &mut multer::Field<'_>,
    filename: &str,
    limit: u64,
) -> Result<(u64, Vec<u8>, tokio::fs::File), FormError> {
    let std_file = tempfile::tempfile().map_err(|e| {
        tracing::error!(error = %e, "no temporary file for a portal upload");
        FormError::Disk
    })?;
    let mut file = tokio::fs::File::from_std(std_file);
    let mut size = 0u64;
    let mut head = Vec::new();
    while let Some(chunk) = part.chunk().await.map_err(|_| FormError::Malformed)? {
        size += chunk.len() as u64;
        if size > limit {
            return Err(FormError::FileTooLarge {
                filename: filename.to_owned(),
                limit,
            });
        }
        if head.len() < HEAD {
            let take = (HEAD - head.len()).min(chunk.len());
            head.extend_from_slice(&chunk[..take]);
        }
        file.write_all(&chunk).await.map_err(|_| FormError::Disk)?;
    }
    file.flush().await.map_err(|_| FormError::Disk)?;
    file.seek(SeekFrom::Start(0))
        .await
        .map_err(|_| FormError::Disk)?;
    Ok((size, head, file))
}

/// Drains a body whose form will not be read (a visitor without a session, a case out of
/// scope), so the browser gets to read the answer.
pub async fn discard(body: Body) {
    let mut stream = body.into_data_stream();
    drain(&mut stream).await;
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn form(parts: &[(&str, Option<&str>, &[u8])]) -> (HeaderMap, Body) {
        let mut body = Vec::new();
        for (name, filename, content) in parts {
            body.extend_from_slice(b"--XyZ\r\n");
            match filename {
                Some(f) => body.extend_from_slice(
                    format!("Content-Disposition: form-data; name=\"{name}\"; filename=\"{f}\"\r\nContent-Type: application/pdf\r\n\r\n").as_bytes(),
                ),
                None => body.extend_from_slice(
                    format!("Content-Disposition: form-data; name=\"{name}\"\r\n\r\n").as_bytes(),
                ),
            }
            body.extend_from_slice(content);
            body.extend_from_slice(b"\r\n");
        }
        body.extend_from_slice(b"--XyZ--\r\n");
        let mut headers = HeaderMap::new();
        headers.insert(
            CONTENT_TYPE,
            HeaderValue::from_static("multipart/form-data; boundary=XyZ"),
        );
        (headers, Body::from(body))
    }

    const LIMITS: Limits = Limits {
        file_bytes: 10,
        files: 2,
    };

    #[tokio::test]
    async fn fields_and_files_arrive_and_empty_inputs_are_skipped() {
        let (h, b) = form(&[
            ("csrf", None, b"t"),
            ("subject", None, "Año".as_bytes()),
            ("files", Some("a.pdf"), b"%PDF-1"),
            ("files", Some(""), b""),
        ]);
        let parts = read(&h, b, LIMITS, |f| f.contains_key("csrf"))
            .await
            .unwrap();
        assert_eq!(parts.first("subject"), Some("Año"));
        assert_eq!(parts.files.len(), 1);
        assert_eq!(parts.files[0].filename, "a.pdf");
        assert_eq!(parts.files[0].head, b"%PDF-1");
        assert_eq!(
            parts.files[0].content_type.as_deref(),
            Some("application/pdf")
        );
    }

    #[tokio::test]
    async fn the_check_runs_before_the_first_file_and_without_files() {
        let (h, b) = form(&[("files", Some("a.pdf"), b"x"), ("csrf", None, b"t")]);
        let refused = read(&h, b, LIMITS, |f| f.contains_key("csrf")).await;
        assert_eq!(refused.err().map(|f| f.error), Some(FormError::Refused));
        let (h, b) = form(&[("subject", None, b"x")]);
        let refused = read(&h, b, LIMITS, |f| f.contains_key("csrf")).await;
        assert_eq!(refused.err().map(|f| f.error), Some(FormError::Refused));
    }

    #[tokio::test]
    async fn limits_name_what_broke_them() {
        let (h, b) = form(&[
            ("subject", None, b"kept"),
            ("files", Some("big.pdf"), b"01234567890"),
        ]);
        let failed = read(&h, b, LIMITS, |_| true).await.err().unwrap();
        assert_eq!(
            failed.error,
            FormError::FileTooLarge {
                filename: "big.pdf".into(),
                limit: 10
            }
        );
        assert_eq!(failed.fields["subject"], ["kept"]);
        let (h, b) = form(&[
            ("files", Some("1"), b"1"),
            ("files", Some("2"), b"2"),
            ("files", Some("3"), b"3"),
        ]);
        let r = read(&h, b, LIMITS, |_| true).await;
        assert_eq!(
            r.err().map(|f| f.error),
            Some(FormError::TooManyFiles { limit: 2 })
        );
        let long = vec![b'a'; MAX_TEXT + 1];
        let (h, b) = form(&[("subject", None, &long)]);
        let r = read(&h, b, LIMITS, |_| true).await;
        assert_eq!(r.err().map(|f| f.error), Some(FormError::TooMuchText));
        // Many fields each under the limit, together over the total.
        let part = vec![b'a'; MAX_TEXT - 1];
        let many: Vec<(&str, Option<&str>, &[u8])> = (0..MAX_TEXT_TOTAL / MAX_TEXT + 2)
            .map(|_| ("note", None, part.as_slice()))
            .collect();
        let (h, b) = form(&many);
        let r = read(&h, b, LIMITS, |_| true).await;
        assert_eq!(r.err().map(|f| f.error), Some(FormError::TooMuchText));
        let mut h = HeaderMap::new();
        h.insert(
            CONTENT_TYPE,
            HeaderValue::from_static("multipart/form-data"),
        );
        let r = read(&h, Body::empty(), LIMITS, |_| true).await;
        assert_eq!(r.err().map(|f| f.error), Some(FormError::Malformed));
    }
}
