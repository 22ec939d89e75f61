//! PDF: text rebuilt from the glyphs a page draws (position, size, baseline), link annotations
//! laid over it, and the page layout read for footnotes, markers, paragraphs and running
//! headers. Built on `lopdf` for the file structure; fonts and layout are read here.
//!
//! - `content`: the content stream interpreted — glyphs, rules, images;
//! - `fonts`, `encodings`: character codes to text and advances;
//! - `lines`: glyphs to lines (superscripts joined, columns ordered, links laid over);
//! - `assemble`: lines of all pages to blocks and notes.

mod assemble;
mod content;
mod encodings;
mod fonts;
mod lines;

use super::structure::Structure;
use assemble::PageLines;
use fonts::deref;
use lines::Annotation;
use lopdf::{Dictionary, Document, Object};

/// Most pages read from one PDF.
const MAX_PAGES: usize = 20_000;

/// Why a PDF cannot be read. The message completes "input 'x' …".
#[derive(Debug, thiserror::Error)]
pub(crate) enum PdfError {
    /// The file structure is broken beyond repair.
    #[error("is a damaged PDF ({0}): open it in a PDF viewer and save or print it to a new PDF")]
    Damaged(String),
    /// Encrypted with a password.
    #[error("is an encrypted PDF that needs a password: save an unprotected copy and check that")]
    Encrypted,
    /// No page has text.
    #[error("has no text layer ({0} are images): run OCR first (for example ocrmypdf) and check the result")]
    NoText(String),
    /// No pages at all.
    #[error("is a PDF without pages")]
    NoPages,
}

/// Reads a PDF; returns its structure and warnings (pages that could not be read, scans).
pub(crate) fn read(bytes: &[u8]) -> Result<(Structure, Vec<String>), PdfError> {
    let options =
        lopdf::LoadOptions { max_decompressed_size: Some(64 << 20), ..lopdf::LoadOptions::default() };
    let mut doc =
        Document::load_mem_with_options(bytes, options).map_err(|e| PdfError::Damaged(one_line(&e)))?;
    if doc.is_encrypted() && doc.decrypt("").is_err() {
        return Err(PdfError::Encrypted);
    }
    let pages = doc.get_pages();
    if pages.is_empty() {
        return Err(PdfError::NoPages);
    }
    let mut warnings = Vec::new();
    let mut fonts = content::FontCache::default();
    let mut laid_out = Vec::with_capacity(pages.len().min(MAX_PAGES));
    let mut images_only: Vec<u32> = Vec::new();
    let mut unreadable: Vec<String> = Vec::new();
    for (&number, &id) in pages.iter().take(MAX_PAGES) {
        let page = match content::page(&doc, id, &mut fonts) {
            Ok(p) => p,
            Err(e) => {
                unreadable.push(format!("{number} ({e})"));
                continue;
            }
        };
        if page.glyphs.is_empty() && page.images > 0 {
            images_only.push(number);
        }
        let annotations = link_annotations(&doc, id);
        let lines = lines::lines(&page, &annotations);
        laid_out.push(PageLines { number: number as usize, lines, rules: page.rules, media: page.media });
    }
    if pages.len() > MAX_PAGES {
        warnings.push(format!("only the first {MAX_PAGES} of {} pages were read", pages.len()));
    }
    if !unreadable.is_empty() {
        warnings.push(format!("pages that could not be read were skipped: {}", unreadable.join(", ")));
    }
    let text_pages = laid_out.iter().filter(|p| !p.lines.is_empty()).count();
    if text_pages == 0 && !images_only.is_empty() {
        return Err(PdfError::NoText(page_ranges(&images_only)));
    }
    if !images_only.is_empty() {
        warnings.push(format!("no text layer on {}: run OCR first to read them", page_ranges(&images_only)));
    }
    Ok((assemble::assemble(laid_out), warnings))
}

/// The URI link annotations of a page.
fn link_annotations(doc: &Document, page: lopdf::ObjectId) -> Vec<Annotation> {
    let Ok(annots) = doc.get_page_annotations(page) else { return Vec::new() };
    annots.into_iter().filter_map(|a| link(doc, a)).collect()
}

fn link(doc: &Document, a: &Dictionary) -> Option<Annotation> {
    if a.get(b"Subtype").ok()?.as_name().ok()? != b"Link" {
        return None;
    }
    let action = deref(doc, a.get(b"A").ok())?.as_dict().ok()?;
    if deref(doc, action.get(b"S").ok())?.as_name().ok()? != b"URI" {
        return None;
    }
    let uri = match deref(doc, action.get(b"URI").ok())? {
        Object::String(bytes, _) => pdf_text(bytes),
        _ => return None,
    };
    let rect: Vec<f32> = deref(doc, a.get(b"Rect").ok())?
        .as_array()
        .ok()?
        .iter()
        .filter_map(|o| deref(doc, Some(o)).and_then(fonts::number))
        .collect();
    let [x1, y1, x2, y2] = rect[..] else { return None };
    let uri = uri.trim().to_string();
    (!uri.is_empty()).then_some(Annotation { rect: [x1.min(x2), y1.min(y2), x1.max(x2), y1.max(y2)], uri })
}

/// A PDF text string: UTF-16 with a byte order mark, UTF-8 with one, else bytes as Latin-1
/// (URIs are ASCII).
fn pdf_text(bytes: &[u8]) -> String {
    if let Some(rest) = bytes.strip_prefix(&[0xfe, 0xff]) {
        let units: Vec<u16> =
            rest.chunks(2).map(|c| u16::from_be_bytes([c[0], *c.get(1).unwrap_or(&0)])).collect();
        return String::from_utf16_lossy(&units);
    }
    if let Some(rest) = bytes.strip_prefix(&[0xef, 0xbb, 0xbf]) {
        return String::from_utf8_lossy(rest).into_owned();
    }
    match std::str::from_utf8(bytes) {
        Ok(s) => s.to_string(),
        Err(_) => bytes.iter().map(|&b| char::from(b)).collect(),
    }
}

/// `pages 1–3, 7` from page numbers.
fn page_ranges(pages: &[u32]) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut i = 0;
    while i < pages.len() {
        let start = pages[i];
        let mut end = start;
        while i + 1 < pages.len() && pages[i + 1] == end + 1 {
            i += 1;
            end = pages[i];
        }
        parts.push(if end > start { format!("{start}–{end}") } else { start.to_string() });
        i += 1;
    }
    let word = if pages.len() == 1 { "page" } else { "pages" };
    format!("{word} {}", parts.join(", "))
}

fn one_line(e: &dyn std::fmt::Display) -> String {
    e.to_string().lines().next().unwrap_or_default().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_and_strings() {
        assert_eq!(page_ranges(&[1, 2, 3, 7, 9, 10]), "pages 1–3, 7, 9–10");
        assert_eq!(page_ranges(&[4]), "page 4");
        assert_eq!(pdf_text(b"https://a.org/x"), "https://a.org/x");
        assert_eq!(pdf_text(&[0xfe, 0xff, 0, b'h', 0, b'i']), "hi");
    }
}
