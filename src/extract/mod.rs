//! Extraction: from a document to the citations it makes, each mapped to its footnote and
//! numbered paragraph. Pure and synchronous. Text formats (Markdown, HTML, plain text) are
//! read by one module each; packages (DOCX, ODT) are read into a common [`structure`] of
//! blocks and notes on which the footnote, paragraph, URL and symbol rules run once.

pub(crate) mod dates;
mod docx;
mod html;
mod layout;
mod markdown;
mod odt;
mod package;
mod pdf;
mod prose;
mod rows;
mod structure;
pub(crate) mod symbols;
mod text;
pub(crate) mod url;

use crate::error::{Error, Result};
use crate::parallel;
use crate::types::{Citation, Kind};
use layout::Layout;
use std::io::Read;
use std::path::Path;
use std::sync::Arc;
use structure::Structure;

/// The formats citecheck reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InputFormat {
    /// Markdown, including PDF/Word conversions (whatever the file's extension).
    Markdown,
    /// HTML pages and fragments, including what word processors and wikis save.
    Html,
    /// Plain text.
    Text,
    /// Word (Office Open XML) documents.
    Docx,
    /// OpenDocument text, zipped (`.odt`) or flat (`.fodt`).
    Odt,
    /// PDF (text layer, link annotations and layout).
    Pdf,
}

/// A citation found by a format extractor, before positions and context are resolved.
#[derive(Debug, Clone)]
pub(crate) struct Found {
    /// Byte offset of the raw text in the document.
    pub start: usize,
    /// URL or symbol.
    pub kind: Kind,
    /// Normalised value.
    pub value: Arc<str>,
    /// Text as written (the same string as `value` when they are equal).
    pub raw: Arc<str>,
    /// Footnote and paragraph, when the format knows them directly (HTML); boxed, so the
    /// other formats' lists (a million entries for a large document) stay small.
    pub context: Option<Box<(String, String)>>,
}

impl Found {
    fn new(start: usize, kind: Kind, value: String, raw: &str) -> Found {
        let value: Arc<str> = value.into();
        let raw = raw_of(&value, raw);
        Found { start, kind, value, raw, context: None }
    }
}

/// The raw text of a citation: the value's own string when they are equal (most URLs are
/// written as they normalise).
pub(crate) fn raw_of(value: &Arc<str>, raw: &str) -> Arc<str> {
    if raw == &**value {
        value.clone()
    } else {
        raw.into()
    }
}

/// A document read into memory and decoded.
#[derive(Debug, Clone)]
pub struct Document {
    /// The input as given (`-` for standard input).
    pub source: String,
    /// The format it is read as.
    pub format: InputFormat,
    /// Problems that did not stop extraction (lossy decoding, …), one line each.
    pub warnings: Vec<String>,
    content: Content,
    /// The file its text can be read again from, piece by piece (a large UTF-8 text only).
    origin: Option<Origin>,
}

/// A file a large text was read from, kept open to read pieces of it again: the text itself
/// is let go once its first pass is done (a million notes: 53 MB not held while the targets
/// grow). Read through the handle opened first, so a file replaced meanwhile is still the
/// one read; a file written over in place is noticed by its size and time.
#[derive(Debug, Clone)]
pub(crate) struct Origin {
    file: Arc<std::fs::File>,
    /// Bytes before the text (a byte-order mark).
    skip: u64,
    len: u64,
    modified: Option<std::time::SystemTime>,
}

impl Origin {
    /// `file`, whose bytes from `skip` on are a document's text as read (`len` bytes in all).
    fn new(file: std::fs::File, skip: u64, len: u64) -> Option<Origin> {
        let modified = file.metadata().ok()?.modified().ok();
        Some(Origin { file: Arc::new(file), skip, len, modified })
    }

    /// Bytes `r` of the text, read again.
    ///
    /// # Errors
    /// The file cannot be read, or has changed since it was first read.
    fn read(&self, r: std::ops::Range<usize>) -> std::io::Result<String> {
        use std::io::{Seek, SeekFrom};
        let changed = || {
            std::io::Error::other(
                "it changed while being read (a large text is read twice): run again once it is saved",
            )
        };
        let meta = self.file.metadata()?;
        if meta.len() != self.len || meta.modified().ok() != self.modified {
            return Err(changed());
        }
        let mut bytes = vec![0; r.len()];
        let mut file = &*self.file;
        file.seek(SeekFrom::Start(self.skip + r.start as u64))?;
        file.read_exact(&mut bytes)?;
        String::from_utf8(bytes).map_err(|_| changed())
    }
}

#[derive(Debug, Clone)]
enum Content {
    /// Decoded text of a text format.
    Text(String),
    /// Blocks and notes of a package format.
    Structure(Structure),
}

impl Document {
    /// A text document (Markdown, HTML or plain text) from its decoded text.
    pub fn from_text(source: &str, text: String, format: InputFormat) -> Document {
        Document {
            source: source.to_string(),
            format,
            warnings: Vec::new(),
            content: Content::Text(text),
            origin: None,
        }
    }

    /// The decoded text, for text formats.
    pub fn text(&self) -> Option<&str> {
        match &self.content {
            Content::Text(t) => Some(t),
            Content::Structure(_) => None,
        }
    }

    /// Whether it is a text large enough to be read in pieces on all cores (over 1 MB).
    pub(crate) fn is_large(&self) -> bool {
        matches!(&self.content, Content::Text(t) if t.len() > PARALLEL_FROM)
    }

    /// The dates the document states: access dates (for all citations, or beside one) and
    /// its masthead date. Per-line access dates use the line numbers of the citation rows.
    pub fn dates(&self) -> dates::DocumentDates {
        match &self.content {
            Content::Text(t) if self.format == InputFormat::Html => dates::document_dates(&without_tags(t)),
            Content::Text(t) => dates::document_dates(t),
            Content::Structure(s) => {
                // One line per block, so line numbers are block ordinals as in the rows.
                let text: Vec<String> = s.blocks.iter().map(|b| b.text.replace(['\n', '\r'], " ")).collect();
                let mut found = dates::document_dates(&text.join("\n"));
                if s.marked_positions {
                    // PDF rows number lines by page: block ordinals do not match them.
                    found.accessed_on_line.clear();
                }
                found
            }
        }
    }
}

/// HTML without its tags (each tag keeps only the line breaks inside it, so line numbers
/// stay) and with non-breaking spaces as spaces: enough to read dates from.
fn without_tags(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => {
                in_tag = false;
                out.push(' ');
            }
            '\n' => out.push('\n'),
            _ if in_tag => {}
            '\u{a0}' => out.push(' '),
            _ => out.push(c),
        }
    }
    out.replace("&nbsp;", " ").replace("&#160;", " ")
}

/// Sorts citations by offset, keeping the order of equal offsets (a URL before the symbol it
/// names). Sorts a list of indices and moves each citation once: a stable sort of the
/// citations themselves would copy them through a scratch buffer as large as the list.
fn sort_by_start(found: &mut [Found]) {
    if found.is_sorted_by_key(|f| f.start) {
        return;
    }
    let mut order: Vec<usize> = (0..found.len()).collect();
    order.sort_by_key(|&i| found[i].start);
    // Position k takes the citation at order[k], cycle by cycle.
    let mut placed = vec![false; found.len()];
    for start in 0..found.len() {
        let mut at = start;
        while !placed[at] {
            placed[at] = true;
            let from = order[at];
            if from == start {
                break;
            }
            found.swap(at, from);
            at = from;
        }
    }
}

/// Documents larger than this are read on all cores.
const PARALLEL_FROM: usize = 1 << 20;

/// Default limit on an input's size (`--max-input-size`): reading a text format takes about
/// ten times its size in memory, so a gigabyte of text would need gigabytes more.
pub const DEFAULT_MAX_INPUT_SIZE: u64 = 200_000_000;

/// Reads an input (a path, or `-` for standard input) of at most `max_bytes`, decodes it and
/// picks its format.
///
/// # Errors
/// A missing, unreadable, binary, damaged, encrypted, empty or too large input, or a directory.
pub fn read_input(input: &str, forced: Option<InputFormat>, max_bytes: u64) -> Result<Document> {
    let read_err = |source| Error::ReadInput { input: input.to_string(), source };
    let too_large = |size: Option<u64>| {
        let needed = size.map_or(max_bytes.saturating_mul(4), |s| s.saturating_add(1));
        Error::Unreadable {
            input: input.to_string(),
            reason: format!(
                "is {}, more than --max-input-size ({max_bytes} bytes): split it, or raise the limit (--max-input-size {}MB) if this machine has about ten times that in memory",
                size.map_or("larger".to_string(), |s| format!("{s} bytes")),
                needed.div_ceil(1_000_000)
            ),
        }
    };
    let mut buf = Vec::new();
    // The file read, kept for reading a large text again (standard input cannot be).
    let mut opened = None;
    if input == "-" {
        std::io::stdin().lock().take(max_bytes.saturating_add(1)).read_to_end(&mut buf).map_err(read_err)?;
    } else {
        let path = Path::new(input);
        if path.is_dir() {
            return Err(Error::InputIsDirectory(input.to_string()));
        }
        let file = std::fs::File::open(path).map_err(read_err)?;
        let len = file.metadata().map_err(read_err)?.len();
        if len > max_bytes {
            return Err(too_large(Some(len)));
        }
        // Sized once: growing a buffer of megabytes copies it and faults its pages in again.
        // Aligned: the kernel copies into it faster (see [`crate::memory::Allocator`]).
        crate::memory::aligned(|| buf.reserve_exact(usize::try_from(len).unwrap_or(0).saturating_add(1)));
        huge_pages(&mut buf);
        (&file).take(max_bytes.saturating_add(1)).read_to_end(&mut buf).map_err(read_err)?;
        opened = Some(file);
    }
    if buf.len() as u64 > max_bytes {
        return Err(too_large(None));
    }
    // A large text that is the file's bytes (UTF-8, after a byte-order mark) is read again
    // piece by piece rather than held whole (see [`Origin`]).
    let skip = if buf.starts_with(&[0xEF, 0xBB, 0xBF]) { 3 } else { 0 };
    let size = buf.len() as u64;
    let (mut doc, verbatim) = parse_bytes(input, buf, forced)?;
    if let Some(file) = opened.filter(|_| verbatim && size > PARALLEL_FROM as u64) {
        doc.origin = Origin::new(file, skip, size);
    }
    Ok(doc)
}

/// Asks Linux to back a large buffer with 2 MB pages: filling 14 MB of 4 KB pages took 3,500
/// page faults, most of the time spent reading a large input (read before any core can start).
/// Only advice: where transparent huge pages are off, nothing changes.
#[cfg(target_os = "linux")]
fn huge_pages(buf: &mut Vec<u8>) {
    const HUGE: usize = 2 << 20;
    if buf.capacity() < 2 * HUGE {
        return;
    }
    let spare = buf.spare_capacity_mut();
    let start = spare.as_mut_ptr() as usize;
    let (from, to) = (start.next_multiple_of(HUGE), (start + spare.len()) / HUGE * HUGE);
    if to > from {
        // SAFETY: `from..to` lies inside this vector's allocation, which lives until the call
        // returns; MADV_HUGEPAGE changes how the kernel backs those pages, not their contents
        // or their validity.
        unsafe { libc::madvise(from as *mut libc::c_void, to - from, libc::MADV_HUGEPAGE) };
    }
}

/// Other systems: nothing to advise.
#[cfg(not(target_os = "linux"))]
fn huge_pages(_: &mut Vec<u8>) {}

/// Turns the bytes of an input into a document: packages by their content (or `forced`),
/// text decoded and its format detected.
///
/// # Errors
/// Empty, binary, damaged, encrypted or too large input.
pub fn parse_input(input: &str, bytes: Vec<u8>, forced: Option<InputFormat>) -> Result<Document> {
    parse_bytes(input, bytes, forced).map(|(doc, _)| doc)
}

/// [`parse_input`], and whether the document's text is `bytes` as they are (after a
/// byte-order mark): valid UTF-8, not transcoded or repaired.
fn parse_bytes(input: &str, bytes: Vec<u8>, forced: Option<InputFormat>) -> Result<(Document, bool)> {
    if bytes.is_empty() {
        return Err(Error::EmptyInput(input.to_string()));
    }
    let unreadable = |reason: String| Error::Unreadable { input: input.to_string(), reason };
    let package = match forced {
        Some(f @ (InputFormat::Docx | InputFormat::Odt | InputFormat::Pdf)) => Some(f),
        Some(_) => None,
        None => sniff_package(input, &bytes).map_err(unreadable)?,
    };
    if let Some((format, read)) = package.and_then(|f| package_reader(f).map(|r| (f, r))) {
        let (structure, warnings) = read(&bytes).map_err(unreadable)?;
        if structure.blocks.iter().all(|b| b.text.trim().is_empty() && b.links.is_empty()) {
            return Err(Error::EmptyInput(input.to_string()));
        }
        let warnings = warnings.into_iter().map(|w| format!("input '{input}': {w}")).collect();
        let doc = Document {
            source: input.to_string(),
            format,
            warnings,
            content: Content::Structure(structure),
            origin: None,
        };
        return Ok((doc, false));
    }
    let (text, mut warnings, verbatim) = decode(input, bytes)?;
    let format = forced.unwrap_or_else(|| detect_format(input, &text));
    if forced.is_none() && has_extension(input, &["pdf"]) {
        let what = if format == InputFormat::Html { "HTML" } else { "text" };
        warnings
            .push(format!("input '{input}' is named .pdf but is not a PDF (it is {what}): read as {what}"));
    }
    let doc =
        Document { source: input.to_string(), format, warnings, content: Content::Text(text), origin: None };
    Ok((doc, verbatim))
}

/// Reads a package format into blocks and notes, with warnings about what could not be read.
type PackageReader = fn(&[u8]) -> std::result::Result<(Structure, Vec<String>), String>;

/// The reader of each package format, one line a format (text formats have none).
fn package_reader(format: InputFormat) -> Option<PackageReader> {
    match format {
        InputFormat::Docx => Some(|b| docx::read(b).map(|s| (s, Vec::new())).map_err(|e| e.to_string())),
        InputFormat::Odt => Some(|b| odt::read_any(b).map(|s| (s, Vec::new())).map_err(|e| e.to_string())),
        InputFormat::Pdf => Some(|b| pdf::read(b).map_err(|e| e.to_string())),
        InputFormat::Markdown | InputFormat::Html | InputFormat::Text => None,
    }
}

fn has_extension(input: &str, exts: &[&str]) -> bool {
    Path::new(input)
        .extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| exts.iter().any(|x| e.eq_ignore_ascii_case(x)))
}

/// Recognises package formats by their first bytes and entries; the name's extension only
/// decides the message when the content is not what it claims.
fn sniff_package(input: &str, bytes: &[u8]) -> std::result::Result<Option<InputFormat>, String> {
    let ext = Path::new(input).extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase);
    let claimed = match ext.as_deref() {
        Some("docx" | "docm" | "dotx" | "dotm") => Some("DOCX"),
        Some("odt" | "ott") => Some("ODT"),
        _ => None,
    };
    if bytes.starts_with(b"PK\x03\x04") || bytes.starts_with(b"PK\x05\x06") {
        let Ok(zip) = zip::ZipArchive::new(std::io::Cursor::new(bytes)) else {
            let what = claimed.unwrap_or("DOCX or ODT");
            return Err(format!(
                "is not a readable {what} file (damaged ZIP): open and save it again in a word processor"
            ));
        };
        if zip.index_for_name("word/document.xml").is_some() || claimed == Some("DOCX") {
            return Ok(Some(InputFormat::Docx));
        }
        if zip.index_for_name("content.xml").is_some() || claimed == Some("ODT") {
            return Ok(Some(InputFormat::Odt));
        }
        return Err("is a ZIP file but not a DOCX or ODT document (it has neither word/document.xml nor \
                    content.xml): pass the report itself"
            .to_string());
    }
    // OLE compound files: legacy Word documents, and encrypted OOXML packages.
    if bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]) {
        let utf16: Vec<u8> = "EncryptedPackage".bytes().flat_map(|b| [b, 0]).collect();
        if memchr::memmem::find(bytes, &utf16).is_some() {
            return Err(
                "is password-protected (an encrypted Office file): save an unprotected copy and check that"
                    .to_string(),
            );
        }
        return Err(
            "is a legacy Office file (Word 97–2003 .doc or similar), which citecheck does not read: \
                    save it as DOCX"
                .to_string(),
        );
    }
    // The header may follow some junk, within the first kilobyte.
    if memchr::memmem::find(&bytes[..bytes.len().min(1024)], b"%PDF-").is_some() {
        return Ok(Some(InputFormat::Pdf));
    }
    if ext.as_deref() == Some("fodt") || (claimed == Some("ODT") && looks_like_flat_odt(bytes)) {
        return Ok(Some(InputFormat::Odt));
    }
    if let Some(what) = claimed {
        if !looks_like_flat_odt(bytes) {
            return Err(format!(
                "is not a readable {what} file (it is not a ZIP package): check the file, or pass \
                                --input-format to read it as text"
            ));
        }
        return Ok(Some(InputFormat::Odt));
    }
    Ok(looks_like_flat_odt(bytes).then_some(InputFormat::Odt))
}

/// A flat OpenDocument text: XML whose root is `office:document` of a text document.
fn looks_like_flat_odt(bytes: &[u8]) -> bool {
    let head = &bytes[..bytes.len().min(4096)];
    head.starts_with(b"<?xml")
        && memchr::memmem::find(head, b"office:document").is_some()
        && memchr::memmem::find(head, odt::MIMETYPE.as_bytes()).is_some()
}

/// Decodes bytes: UTF-8 (BOM stripped), UTF-16 with a BOM, anything else lossily with a warning.
/// Also says whether the text is the bytes as they were (valid UTF-8, after any BOM).
///
/// # Errors
/// Empty input, or bytes that look binary.
pub(crate) fn decode(input: &str, bytes: Vec<u8>) -> Result<(String, Vec<String>, bool)> {
    let mut warnings = Vec::new();
    if bytes.is_empty() {
        return Err(Error::EmptyInput(input.to_string()));
    }
    let utf16 = |le: bool| {
        let units = bytes[2..].chunks_exact(2).map(|c| {
            if le {
                u16::from_le_bytes([c[0], c[1]])
            } else {
                u16::from_be_bytes([c[0], c[1]])
            }
        });
        char::decode_utf16(units).map(|r| r.unwrap_or(char::REPLACEMENT_CHARACTER)).collect::<String>()
    };
    let mut verbatim = false;
    let text = if bytes.starts_with(&[0xFF, 0xFE]) {
        utf16(true)
    } else if bytes.starts_with(&[0xFE, 0xFF]) {
        utf16(false)
    } else {
        let bom = if bytes.starts_with(&[0xEF, 0xBB, 0xBF]) { 3 } else { 0 };
        if bytes[bom..bytes.len().min(bom + 8192)].contains(&0) {
            return Err(Error::BinaryInput(input.to_string()));
        }
        let mut body = bytes;
        body.drain(..bom);
        // Validated by simdutf8: std's check reads CJK text a byte at a time (7 ms of a 14 MB
        // report, before any core can start on it; simdutf8 takes 1).
        if simdutf8::basic::from_utf8(&body).is_ok() {
            verbatim = true;
            // SAFETY: `body` was validated as UTF-8 just above and is not changed since.
            unsafe { String::from_utf8_unchecked(body) }
        } else {
            let valid = std::str::from_utf8(&body).map_or_else(|e| e.valid_up_to(), |_| body.len());
            let line = body[..valid].iter().filter(|&&b| b == b'\n').count() + 1;
            warnings.push(format!(
                "input '{input}' is not valid UTF-8 (first bad byte at line {line}, byte offset {valid}); \
                 decoded with replacement characters: re-save it as UTF-8 for exact results"
            ));
            String::from_utf8_lossy(&body).into_owned()
        }
    };
    if text.trim().is_empty() {
        return Err(Error::EmptyInput(input.to_string()));
    }
    Ok((text, warnings, verbatim))
}

/// Picks a format from the file name, then from the content (converted documents are often
/// Markdown in a `.txt` file).
pub(crate) fn detect_format(name: &str, text: &str) -> InputFormat {
    let ext = Path::new(name).extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase);
    match ext.as_deref() {
        Some("md" | "markdown" | "mdown" | "mkd") => return InputFormat::Markdown,
        Some("html" | "htm" | "xhtml") => return InputFormat::Html,
        _ => {}
    }
    let head = &text[..floor_char_boundary(text, 4096)];
    let head_lower = head.trim_start().to_ascii_lowercase();
    if head_lower.starts_with("<!doctype html") || head_lower.starts_with("<html") {
        return InputFormat::Html;
    }
    let sample = &text[..floor_char_boundary(text, 1 << 20)];
    let markdown_signs = ["<sup>", "](http", "](www", "<http", "[^", "\n## ", "\n# ", "\n### "];
    if markdown_signs.iter().any(|s| sample.contains(s)) || sample.starts_with('#') {
        return InputFormat::Markdown;
    }
    InputFormat::Text
}

/// The largest char boundary of `s` at or before `i`.
fn floor_char_boundary(s: &str, mut i: usize) -> usize {
    if i >= s.len() {
        return s.len();
    }
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// Extracts every citation of a document, in document order.
pub fn extract(doc: &Document) -> Vec<Citation> {
    match &doc.content {
        Content::Text(text) => extract_text(&doc.source, text, doc.format),
        Content::Structure(s) => structure::citations(&doc.source, s),
    }
}

/// Extracts every citation of `text` read as `format`; `source` names it in the rows. A large
/// document is read on all cores: its layout beside its citations, its rows in runs.
pub fn extract_text(source: &str, text: &str, format: InputFormat) -> Vec<Citation> {
    extract_sized(source, text, format, PARALLEL_FROM)
}

/// [`extract_text`], reading texts larger than `parallel_from` bytes on all cores (Markdown
/// in pieces of that size).
fn extract_sized(source: &str, text: &str, format: InputFormat, parallel_from: usize) -> Vec<Citation> {
    let big = text.len() > parallel_from;
    // HTML places its citations itself: only its lines are needed (for line numbers).
    let scan: fn(&str) -> Layout = if format == InputFormat::Html { Layout::lines } else { Layout::scan };
    let (runs, layout) = std::thread::scope(|scope| {
        let layout = big.then(|| scope.spawn(move || scan(text)));
        let runs = match format {
            InputFormat::Markdown => markdown::extract(text, parallel_from),
            // Package formats have no text form; given as text, they are read as plain text.
            InputFormat::Text | InputFormat::Docx | InputFormat::Odt | InputFormat::Pdf => {
                text::extract(text, parallel_from)
            }
            InputFormat::Html => {
                let mut found = Vec::new();
                html::extract(text, &mut found);
                vec![found]
            }
        };
        let layout = match layout.map(|h| h.join()) {
            Some(Ok(layout)) => layout,
            Some(Err(panic)) => std::panic::resume_unwind(panic),
            None => scan(text),
        };
        (runs, layout)
    });
    // Runs cover ranges of the text in order, so each is put in order on its own.
    let mut runs = if runs.len() == 1 {
        runs
    } else {
        parallel::map(runs, |mut run| {
            in_order(&mut run);
            run
        })
    };
    // The rows are written in place into one list sized once (the runs' rows gathered from
    // lists of their own would be held twice while joined: 140 MB at a million citations).
    let source: Arc<str> = Arc::from(source);
    if runs.len() == 1 {
        // One run: one part per core.
        let mut found = runs.pop().unwrap_or_default();
        in_order(&mut found);
        let part = if big { found.len().div_ceil(parallel::workers(usize::MAX)) } else { found.len() };
        let parts: Vec<&mut [Found]> = found.chunks_mut(part.max(1)).collect();
        let lens: Vec<usize> = parts.iter().map(|p| p.len()).collect();
        rows::write(&lens, |regions| {
            parallel::map(parts.into_iter().zip(regions).collect(), |(part, region)| {
                fill(&source, part, region, &layout, text, 0);
            });
        })
    } else {
        fill_runs(&source, runs, &layout, text, 0)
    }
}

/// The rows of consecutive `runs`, written on all cores; each run is freed as soon as its
/// rows are written.
fn fill_runs(
    source: &Arc<str>,
    runs: Vec<Vec<Found>>,
    layout: &Layout,
    text: &str,
    base: usize,
) -> Vec<Citation> {
    let lens: Vec<usize> = runs.iter().map(Vec::len).collect();
    rows::write(&lens, |regions| {
        parallel::map(runs.into_iter().zip(regions).collect(), |(mut run, region)| {
            fill(source, &mut run, region, layout, text, base);
        });
    })
}

/// Pieces of a large text read at a time when its rows are handed on in runs: enough to keep
/// the cores busy, few enough that their rows take a few megabytes.
const PIECES_AT_ONCE: usize = 4;

/// The size of those pieces: a quarter of [`PARALLEL_FROM`] (a million citations in 53 MB of
/// Markdown: 285–298 MB peak with pieces of 1 MB, 241–244 MB with these, in the same time).
const STREAM_PIECE: usize = PARALLEL_FROM / 4;

/// [`extract`], handing the rows on in runs, in document order, as soon as they are made: a
/// large text's rows are never all held at once (a check keeps them on disk). The runs
/// joined are [`extract`]'s rows. The first error of `each` stops the reading. A large text
/// read from a file is not held: its later pieces are read again from the file (see [`Origin`]).
///
/// # Errors
/// What `each` returns; [`Error::ReadInput`] when the file cannot be read again or has
/// changed since it was first read.
pub(crate) fn extract_each<E: From<Error>>(
    doc: Document,
    each: impl FnMut(Vec<Citation>) -> std::result::Result<(), E>,
) -> std::result::Result<(), E> {
    let Document { source, format, content, origin, .. } = doc;
    match content {
        Content::Text(text) => {
            let input = source.clone();
            let reread = origin.map(|o| {
                move |r: std::ops::Range<usize>| {
                    o.read(r).map_err(|e| Error::ReadInput { input: input.clone(), source: e })
                }
            });
            let reread = reread.as_ref().map(|f| f as &Reread);
            extract_each_sized(&source, text, format, STREAM_PIECE, reread, each)
        }
        Content::Structure(s) => {
            let mut each = each;
            each(structure::citations(&source, &s))
        }
    }
}

/// Reads bytes of a text again (a range of whole lines).
type Reread<'a> = dyn Fn(std::ops::Range<usize>) -> Result<String> + 'a;

/// How a large text's later pieces are had: from the text kept whole, or read again.
enum Held<'a> {
    Whole(String),
    ReadAgain(&'a Reread<'a>),
}

/// How the pieces of a large text are read.
#[derive(Clone, Copy)]
enum PieceReader {
    Markdown,
    Text { forced_from: usize },
}

impl PieceReader {
    /// The citations of `text[r]`, in document order.
    fn read(self, text: &str, r: std::ops::Range<usize>) -> Vec<Found> {
        let mut found = match self {
            PieceReader::Markdown => markdown::extract_piece(text, r),
            PieceReader::Text { forced_from } => text::extract_piece(text, r, forced_from),
        };
        in_order(&mut found);
        found
    }
}

/// [`extract_each`] of a text, in pieces of `parallel_from` bytes when larger (HTML, and a
/// text that is one piece, in one run). With `reread`, the text is let go once its markers
/// are found and its first pieces read, and each later group of pieces is read again.
fn extract_each_sized<E: From<Error>>(
    source: &str,
    text: String,
    format: InputFormat,
    parallel_from: usize,
    reread: Option<&Reread<'_>>,
    mut each: impl FnMut(Vec<Citation>) -> std::result::Result<(), E>,
) -> std::result::Result<(), E> {
    let (pieces, reader) = match format {
        _ if text.len() <= parallel_from => (Vec::new(), PieceReader::Markdown),
        InputFormat::Markdown => (markdown::chunks(&text, parallel_from), PieceReader::Markdown),
        InputFormat::Html => (Vec::new(), PieceReader::Markdown),
        InputFormat::Text | InputFormat::Docx | InputFormat::Odt | InputFormat::Pdf => {
            let (pieces, forced_from) = text::plan(&text, parallel_from);
            (pieces, PieceReader::Text { forced_from })
        }
    };
    if pieces.len() < 2 {
        return each(extract_sized(source, &text, format, parallel_from));
    }
    let source: Arc<str> = Arc::from(source);
    let text_len = text.len();
    let groups: Vec<(usize, &[std::ops::Range<usize>])> =
        pieces.chunks(PIECES_AT_ONCE).map(|g| (g.last().map_or(text_len, |r| r.end), g)).collect();
    // The pieces of a group, read from `text`, which starts at byte `base` of the document.
    let read = |text: &str, base: usize, group: &[std::ops::Range<usize>]| {
        parallel::map(group.to_vec(), |r| {
            let mut found = reader.read(text, r.start - base..r.end - base);
            found.iter_mut().for_each(|f| f.start += base);
            found
        })
    };
    let mut groups = groups.into_iter();
    let Some((first_end, first)) = groups.next() else { return Ok(()) };
    // The markers are found while the first pieces are read; each group's lines are laid out
    // when its rows are written.
    let (mut windows, runs) = std::thread::scope(|scope| {
        let windows = scope.spawn(|| layout::Windows::new(&text));
        let runs = read(&text, 0, first);
        (windows.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic)), runs)
    });
    // Each group's rows are laid out from its text (from byte `base` of the document).
    each(fill_runs(&source, runs, windows.upto(&text, 0, first_end), &text, 0))?;
    // From here on, a text that can be read again is (unless laid out whole: then it is kept).
    let held = match reread.zip(windows.resume_at()) {
        Some((reread, _)) => {
            drop(text);
            Held::ReadAgain(reread)
        }
        None => Held::Whole(text),
    };
    for (end, group) in groups {
        let again;
        let (text, base) = match &held {
            Held::Whole(t) => (t.as_str(), 0),
            Held::ReadAgain(reread) => {
                // From the last window's last line (the whole text, were it laid out whole).
                let base = windows.resume_at().unwrap_or(0);
                again = reread(base..end)?;
                (again.as_str(), base)
            }
        };
        let runs = read(text, base, group);
        each(fill_runs(&source, runs, windows.upto(text, base, end), text, base))?;
    }
    Ok(())
}

/// Document order; a URL before the symbol it names; each citation once.
fn in_order(found: &mut Vec<Found>) {
    sort_by_start(found);
    found.dedup_by(|b, a| a.start == b.start && a.kind == b.kind && a.value == b.value);
}

/// Writes the rows of `run` into `region` (as long as the run), sharing the run's strings;
/// citations inside code are dropped.
fn fill(
    source: &Arc<str>,
    run: &mut [Found],
    mut region: rows::Region<'_>,
    layout: &Layout,
    text: &str,
    base: usize,
) {
    let mut positions = layout.positions(text, base);
    for f in run.iter_mut() {
        let (footnote, paragraph) = match f.context.take() {
            Some(ctx) => (Arc::from(ctx.0), Arc::from(ctx.1)),
            None => {
                let ctx = layout.context(f.start);
                if ctx.code {
                    continue;
                }
                (ctx.footnote.clone(), ctx.paragraph.clone())
            }
        };
        let (line, column) = positions.at(f.start);
        let row = Citation {
            source: source.clone(),
            line,
            column,
            footnote,
            paragraph,
            kind: f.kind,
            value: f.value.clone(),
            raw: f.raw.clone(),
        };
        if !region.push(row) {
            break;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{extract_sized, sort_by_start, Found, InputFormat};
    use crate::types::Kind;

    proptest::proptest! {
        /// The same order as a stable sort, equal offsets in their first order.
        #[test]
        fn sorting_by_start_is_stable(starts in proptest::collection::vec(0usize..20, 0..200)) {
            let mut found: Vec<Found> = starts
                .iter()
                .enumerate()
                .map(|(i, &s)| Found::new(s, Kind::Url, i.to_string(), ""))
                .collect();
            let mut want: Vec<(usize, String)> = found.iter().map(|f| (f.start, f.value.to_string())).collect();
            want.sort_by_key(|w| w.0);
            sort_by_start(&mut found);
            let got: Vec<(usize, String)> = found.into_iter().map(|f| (f.start, f.value.to_string())).collect();
            proptest::prop_assert_eq!(got, want);
        }
    }

    #[test]
    fn a_large_utf8_text_is_read_again_from_its_file_and_a_change_is_noticed() {
        let dir = tempfile::tempdir().expect("tempdir");
        let text = "Intro https://a.org/x 大会.\n\n".repeat(60_000);
        let cases: [(&str, Vec<u8>, bool); 5] = [
            ("plain.md", text.as_bytes().to_vec(), true),
            ("bom.md", [&[0xEF, 0xBB, 0xBF][..], text.as_bytes()].concat(), true),
            ("small.md", b"Intro https://a.org/x.\n".to_vec(), false),
            // Not the file's bytes: decoded with replacement characters.
            ("lossy.md", [text.as_bytes(), &[0xFF, b'\n']].concat(), false),
            (
                "utf16.md",
                [0xFF, 0xFE].into_iter().chain(text.encode_utf16().flat_map(u16::to_le_bytes)).collect(),
                false,
            ),
        ];
        for (name, bytes, kept) in cases {
            let path = dir.path().join(name);
            std::fs::write(&path, &bytes).expect("write");
            let doc = super::read_input(&path.to_string_lossy(), None, u64::MAX).expect("read");
            assert_eq!(doc.origin.is_some(), kept, "{name}");
            let (Some(origin), Some(t)) = (&doc.origin, doc.text()) else { continue };
            let at = |i: usize| super::floor_char_boundary(t, i);
            for r in [0..10, at(5)..at(40_000), at(t.len() - 7)..t.len()] {
                assert_eq!(origin.read(r.clone()).expect("read again"), &t[r], "{name}");
            }
            // Written over in place: noticed.
            std::fs::write(&path, [&bytes[..], b"more\n"].concat()).expect("write");
            let err = origin.read(0..10).expect_err("changed");
            assert!(err.to_string().contains("changed while being read"), "{err}");
        }
    }

    #[test]
    fn rows_read_on_all_cores_are_the_rows_read_in_one_go() {
        let zh = include_str!("../../tests/fixtures/report_zh.md").repeat(8);
        // URLs in fenced code are no citations: read as text, their rows leave gaps that are
        // closed.
        let code = "Intro https://a.org/x.\n\n```\nhttps://fenced.example/a\n```\n\n";
        let cases = [
            (include_str!("../../tests/fixtures/report_en.md").to_string(), InputFormat::Markdown),
            (code.repeat(40), InputFormat::Markdown),
            (code.repeat(40), InputFormat::Text),
            (zh, InputFormat::Markdown),
            (include_str!("../../tests/fixtures/notes.txt").to_string(), InputFormat::Text),
            (include_str!("../../tests/fixtures/report.html").to_string(), InputFormat::Html),
        ];
        for (text, format) in cases {
            let whole = extract_sized("doc", &text, format, usize::MAX);
            assert!(!whole.is_empty());
            assert!(whole.iter().all(|c| !c.value.contains("fenced.example")));
            assert_eq!(extract_sized("doc", &text, format, 1), whole, "{format:?}");
            // Handed on in runs: the same rows, in several runs when the text has pieces;
            // also when the text is let go after its first pass and each later group of pieces
            // is read again (given only the bytes asked for, counted).
            for piece in [1, 200, 5000, usize::MAX] {
                for reread in [false, true] {
                    let asked = std::cell::Cell::new(0);
                    let again = |r: std::ops::Range<usize>| {
                        asked.set(asked.get() + r.len());
                        Ok(text[r].to_string())
                    };
                    let again: Option<&super::Reread<'_>> = if reread { Some(&again) } else { None };
                    let mut runs = Vec::new();
                    let kept: crate::error::Result<()> =
                        super::extract_each_sized("doc", text.clone(), format, piece, again, |rows| {
                            runs.push(rows);
                            Ok(())
                        });
                    assert!(kept.is_ok());
                    let one_piece = format == InputFormat::Html
                        || (format == InputFormat::Markdown && text.contains("```"));
                    if piece == 1 && !one_piece {
                        assert!(runs.len() > 1, "{format:?} in pieces of {piece}: {} runs", runs.len());
                        let groups = runs.len().div_ceil(super::PIECES_AT_ONCE);
                        if reread && groups > 1 {
                            assert!(asked.get() > 0, "{format:?}: read again");
                        }
                    } else if piece == usize::MAX || one_piece {
                        assert_eq!(runs.len(), 1, "{format:?} in pieces of {piece}");
                        assert_eq!(asked.get(), 0, "{format:?}: one piece is not read again");
                    }
                    // Read again, each byte is asked for about once (a window's last line twice).
                    assert!(asked.get() < text.len(), "{format:?}: {} bytes asked for", asked.get());
                    assert_eq!(runs.concat(), whole, "{format:?} in pieces of {piece}, read again: {reread}");
                }
            }
        }
        // The first error stops the reading, whether it is the caller's or a failed read.
        let text = include_str!("../../tests/fixtures/report_en.md").repeat(20);
        let mut calls = 0;
        let stopped =
            super::extract_each_sized("doc", text.clone(), InputFormat::Markdown, 100, None, |_| {
                calls += 1;
                Err(crate::error::Error::Config("full".into()))
            });
        assert!(matches!(stopped, Err(crate::error::Error::Config(ref m)) if m == "full"));
        assert_eq!(calls, 1);
        let gone = |_: std::ops::Range<usize>| Err(crate::error::Error::EmptyInput("doc".into()));
        let mut calls = 0;
        let stopped = super::extract_each_sized("doc", text, InputFormat::Markdown, 100, Some(&gone), |_| {
            calls += 1;
            Ok(())
        });
        assert!(matches!(stopped, Err(crate::error::Error::EmptyInput(_))), "{stopped:?}");
        assert_eq!(calls, 1, "the first group is read from the text; the second could not be read");
    }
}
