//! A signature added to a PDF as an incremental update: the original bytes stay exactly as they
//! were (an earlier signature stays valid), and appended after them come a certificate page, a
//! signature field on it, and the signature dictionary whose `/Contents` holds the CMS
//! signature of every byte of the file but itself (`/ByteRange`).
//!
//! [`prepare`] writes the update with a zero-filled `/Contents`; the caller signs the bytes of
//! [`Prepared::signed_bytes`] and [`Prepared::embed`] puts the signature in.

use lopdf::{Dictionary, IncrementalDocument, Object, ObjectId, Stream, StringFormat, dictionary};
use sha2::{Digest, Sha256};

/// Room for the DER signature (an ECDSA signature, its attributes and one certificate take
/// about 1.5 KB); written as hex, so twice as many characters.
const CONTENTS_BYTES: usize = 8192;
/// What `/ByteRange` holds until the offsets are known: as wide as any real value.
const RANGE_PLACEHOLDER: i64 = 9_999_999_999;

#[derive(Debug, thiserror::Error)]
pub enum PdfError {
    #[error("the file is not a PDF that can be read: {0}")]
    Unreadable(String),
    #[error("the PDF is encrypted")]
    Encrypted,
    #[error("the PDF has no pages")]
    NoPages,
    #[error("the signature does not fit its reserved space")]
    TooLarge,
}

/// What the signature dictionary says of the signer (shown by PDF readers).
pub struct SignerInfo<'a> {
    pub name: &'a str,
    pub email: &'a str,
    pub reason: &'a str,
    /// `D:YYYYMMDDHHmmSSZ`
    pub pdf_time: String,
}

/// A file with its signature's place reserved.
pub struct Prepared {
    bytes: Vec<u8>,
    /// Where the `<...>` of `/Contents` starts and ends (the `<` and one past the `>`).
    hole: (usize, usize),
}

impl Prepared {
    /// The SHA-256 of what the signature covers: everything but the `/Contents` value.
    pub fn digest(&self) -> [u8; 32] {
        let mut h = Sha256::new();
        h.update(&self.bytes[..self.hole.0]);
        h.update(&self.bytes[self.hole.1..]);
        h.finalize().into()
    }

    /// The file with `signature` (DER) in its place.
    pub fn embed(mut self, signature: &[u8]) -> Result<Vec<u8>, PdfError> {
        let hex: String = signature.iter().map(|b| format!("{b:02X}")).collect();
        if hex.len() > CONTENTS_BYTES * 2 {
            return Err(PdfError::TooLarge);
        }
        let at = self.hole.0 + 1;
        self.bytes[at..at + hex.len()].copy_from_slice(hex.as_bytes());
        Ok(self.bytes)
    }
}

/// Latin-1 bytes of `text` for a string shown with WinAnsiEncoding, escaped for a PDF literal
/// (a character outside Latin-1 becomes `?`).
fn pdf_text(text: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(text.len());
    for c in text.chars() {
        let b = u8::try_from(u32::from(c)).unwrap_or(b'?');
        if matches!(b, b'(' | b')' | b'\\') {
            out.push(b'\\');
        }
        out.push(if b < 0x20 { b' ' } else { b });
    }
    out
}

/// The content stream of the certificate page: a title and one line per entry, wrapped.
fn page_content(title: &str, lines: &[String]) -> Vec<u8> {
    let mut c = Vec::new();
    c.extend_from_slice(b"BT /F1 16 Tf 56 780 Td (");
    c.extend_from_slice(&pdf_text(title));
    c.extend_from_slice(b") Tj ET\n");
    let mut y = 744;
    for line in lines {
        let chars: Vec<char> = line.chars().collect();
        for chunk in chars.chunks(88) {
            let text: String = chunk.iter().collect();
            c.extend_from_slice(format!("BT /F1 10 Tf 56 {y} Td (").as_bytes());
            c.extend_from_slice(&pdf_text(&text));
            c.extend_from_slice(b") Tj ET\n");
            y -= 16;
        }
        y -= 4;
    }
    c
}

fn reference(o: &Object) -> Option<ObjectId> {
    o.as_reference().ok()
}

/// Appends the certificate page (`title`, `lines`) and a signature field to `original`, with
/// the signature's place reserved.
pub fn prepare(
    original: &[u8],
    title: &str,
    lines: &[String],
    signer: &SignerInfo<'_>,
) -> Result<Prepared, PdfError> {
    let unreadable = |e: lopdf::Error| PdfError::Unreadable(e.to_string());
    let mut doc: IncrementalDocument = original.try_into().map_err(unreadable)?;
    let prev = doc.get_prev_documents();
    if prev.is_encrypted() || prev.trailer.get(b"Encrypt").is_ok() {
        return Err(PdfError::Encrypted);
    }
    if prev.get_pages().is_empty() {
        return Err(PdfError::NoPages);
    }
    let catalog_id = prev
        .trailer
        .get(b"Root")
        .ok()
        .and_then(reference)
        .ok_or_else(|| PdfError::Unreadable("no catalog".into()))?;
    let pages_id = prev
        .catalog()
        .map_err(unreadable)?
        .get(b"Pages")
        .ok()
        .and_then(reference)
        .ok_or_else(|| PdfError::Unreadable("no page tree".into()))?;
    // The field's name must differ from an earlier signature's.
    let existing_fields = prev
        .catalog()
        .ok()
        .and_then(|c| c.get(b"AcroForm").ok())
        .and_then(|a| match a {
            Object::Dictionary(d) => Some(d.clone()),
            Object::Reference(id) => prev.get_dictionary(*id).ok().cloned(),
            _ => None,
        });
    let field_count = existing_fields
        .as_ref()
        .and_then(|d| d.get(b"Fields").ok())
        .and_then(|f| f.as_array().ok())
        .map_or(0, Vec::len);

    let new = &mut doc.new_document;
    let font = new.add_object(dictionary! {
        "Type" => "Font",
        "Subtype" => "Type1",
        "BaseFont" => "Helvetica",
        "Encoding" => "WinAnsiEncoding",
    });
    let content = new.add_object(Stream::new(dictionary! {}, page_content(title, lines)));
    let page_id = new.new_object_id();
    let widget_id = new.new_object_id();
    let sig = new.add_object(dictionary! {
        "Type" => "Sig",
        "Filter" => "Adobe.PPKLite",
        "SubFilter" => "ETSI.CAdES.detached",
        "ByteRange" => vec![0.into(), RANGE_PLACEHOLDER.into(), RANGE_PLACEHOLDER.into(), RANGE_PLACEHOLDER.into()],
        "Contents" => Object::String(vec![0; CONTENTS_BYTES], StringFormat::Hexadecimal),
        "M" => Object::string_literal(signer.pdf_time.clone()),
        "Name" => Object::String(pdf_text(signer.name), StringFormat::Literal),
        "ContactInfo" => Object::String(pdf_text(signer.email), StringFormat::Literal),
        "Reason" => Object::String(pdf_text(signer.reason), StringFormat::Literal),
    });
    new.objects.insert(
        widget_id,
        Object::Dictionary(dictionary! {
            "Type" => "Annot",
            "Subtype" => "Widget",
            "FT" => "Sig",
            "T" => Object::string_literal(format!("Signature{}", field_count + 1)),
            "V" => sig,
            "Rect" => vec![0.into(), 0.into(), 0.into(), 0.into()],
            "F" => 132,
            "P" => page_id,
        }),
    );
    new.objects.insert(
        page_id,
        Object::Dictionary(dictionary! {
            "Type" => "Page",
            "Parent" => pages_id,
            "MediaBox" => vec![0.into(), 0.into(), 595.into(), 842.into()],
            "Resources" => dictionary! { "Font" => dictionary! { "F1" => font } },
            "Contents" => content,
            "Annots" => vec![widget_id.into()],
        }),
    );

    // The page tree with the new page last.
    doc.opt_clone_object_to_new_document(pages_id)
        .map_err(unreadable)?;
    let pages = doc
        .new_document
        .get_dictionary_mut(pages_id)
        .map_err(unreadable)?;
    let mut kids = pages
        .get(b"Kids")
        .ok()
        .and_then(|k| k.as_array().ok())
        .cloned()
        .unwrap_or_default();
    kids.push(page_id.into());
    let count = pages
        .get(b"Count")
        .ok()
        .and_then(|c| c.as_i64().ok())
        .unwrap_or(0);
    pages.set("Kids", kids);
    pages.set("Count", count + 1);

    // The form that holds the signature field.
    let mut form: Dictionary = existing_fields.unwrap_or_default();
    let mut fields = form
        .get(b"Fields")
        .ok()
        .and_then(|f| f.as_array().ok())
        .cloned()
        .unwrap_or_default();
    fields.push(widget_id.into());
    form.set("Fields", fields);
    form.set("SigFlags", 3);
    doc.opt_clone_object_to_new_document(catalog_id)
        .map_err(unreadable)?;
    doc.new_document
        .get_dictionary_mut(catalog_id)
        .map_err(unreadable)?
        .set("AcroForm", form);

    let mut bytes = Vec::with_capacity(original.len() + CONTENTS_BYTES * 3);
    doc.save_to(&mut bytes)
        .map_err(|e| PdfError::Unreadable(e.to_string()))?;
    locate(bytes, original.len())
}

/// Finds the reserved `/Contents` in what was appended after `from`, and writes the real
/// `/ByteRange` over its placeholder (padded with spaces to the same width).
fn locate(mut bytes: Vec<u8>, from: usize) -> Result<Prepared, PdfError> {
    let missing = || PdfError::Unreadable("the signature's place was not written".into());
    let zeros = vec![b'0'; CONTENTS_BYTES * 2];
    let start = find(&bytes[from..], &zeros).ok_or_else(missing)? + from - 1;
    let end = start + CONTENTS_BYTES * 2 + 2;
    if bytes.get(start) != Some(&b'<') || bytes.get(end - 1) != Some(&b'>') {
        return Err(missing());
    }
    let marker = format!("{RANGE_PLACEHOLDER} {RANGE_PLACEHOLDER} {RANGE_PLACEHOLDER}]");
    let tail = find(&bytes[from..], marker.as_bytes()).ok_or_else(missing)? + from;
    let open = bytes[..tail]
        .iter()
        .rposition(|b| *b == b'[')
        .ok_or_else(missing)?;
    let close = tail + marker.len();
    let total = bytes.len();
    let range = format!("[0 {start} {end} {}]", total - end);
    let width = close - open;
    if range.len() > width {
        return Err(missing());
    }
    let padded = format!("{range:<width$}");
    bytes[open..close].copy_from_slice(padded.as_bytes());
    Ok(Prepared {
        bytes,
        hole: (start, end),
    })
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A one-page PDF as a simple producer writes it.
    pub(crate) fn sample_pdf() -> Vec<u8> {
        let mut doc = lopdf::Document::with_version("1.5");
        let pages_id = doc.new_object_id();
        let font = doc.add_object(
            dictionary! {"Type" => "Font", "Subtype" => "Type1", "BaseFont" => "Courier"},
        );
        let content = doc.add_object(Stream::new(
            dictionary! {},
            b"BT /F1 24 Tf 100 600 Td (Contrato de servicios) Tj ET".to_vec(),
        ));
        let page = doc.add_object(dictionary! {
            "Type" => "Page", "Parent" => pages_id, "Contents" => content,
            "Resources" => dictionary! {"Font" => dictionary! {"F1" => font}},
            "MediaBox" => vec![0.into(), 0.into(), 595.into(), 842.into()],
        });
        doc.objects.insert(
            pages_id,
            Object::Dictionary(
                dictionary! {"Type" => "Pages", "Kids" => vec![page.into()], "Count" => 1},
            ),
        );
        let catalog = doc.add_object(dictionary! {"Type" => "Catalog", "Pages" => pages_id});
        doc.trailer.set("Root", catalog);
        let mut out = Vec::new();
        doc.save_to(&mut out).unwrap();
        out
    }

    #[test]
    fn the_original_bytes_stay_and_the_range_covers_all_but_the_signature() {
        let original = sample_pdf();
        let signer = SignerInfo {
            name: "Ana Pérez",
            email: "ana@example.com",
            reason: "Firma",
            pdf_time: "D:20261206103000Z".into(),
        };
        let prepared = prepare(&original, "Certificado", &["Línea (1)".into()], &signer).unwrap();
        let (start, end) = prepared.hole;
        let signed = prepared.embed(&[0xAB; 100]).unwrap();
        assert_eq!(&signed[..original.len()], &original[..]);
        let expected = format!("[0 {start} {end} {}]", signed.len() - end);
        assert!(find(&signed, expected.as_bytes()).is_some(), "{expected}");
        assert!(signed[start..].starts_with(b"<ABAB"));
        // The update reads back: two pages now, the second ours.
        let reread = lopdf::Document::load_mem(&signed).unwrap();
        assert_eq!(reread.get_pages().len(), 2);
        assert!(matches!(
            prepare(b"not a pdf", "t", &[], &signer),
            Err(PdfError::Unreadable(_))
        ));
    }
}
