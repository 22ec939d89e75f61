//! ZIP packages (DOCX, ODT) read within bounds, and the small XML helpers their readers share.
//!
//! Every part is read into memory only up to [`MAX_PART_BYTES`] (and all parts together up to
//! [`MAX_PACKAGE_BYTES`]), whatever its header claims, so a ZIP bomb or a gigantic part ends in
//! a clear error instead of exhausting memory.

use quick_xml::events::{BytesRef, BytesStart, BytesText, Event};
use std::collections::HashMap;
use std::io::{Cursor, Read};

/// The most bytes one part (`word/document.xml`, `content.xml`) may hold uncompressed.
pub(crate) const MAX_PART_BYTES: u64 = 64 << 20;
/// The most bytes all parts read from one package may hold uncompressed together.
pub(crate) const MAX_PACKAGE_BYTES: u64 = 192 << 20;

/// Why a package could not be read. The message completes "input 'x' …".
#[derive(Debug, thiserror::Error)]
pub(crate) enum PackageError {
    /// Not a ZIP file, or a damaged one.
    #[error(
        "is not a readable {format} file (damaged ZIP: {detail}): open and save it again in a word processor"
    )]
    Corrupt { format: &'static str, detail: String },
    /// A required part is missing.
    #[error("is not a readable {format} document: it has no {part}")]
    MissingPart { format: &'static str, part: String },
    /// A part is larger than the limit.
    #[error("has a part {part} larger than {} MiB uncompressed (a ZIP bomb, or a document too large to read)", limit >> 20)]
    TooLarge { part: String, limit: u64 },
    /// The package is encrypted.
    #[error("is password-protected ({detail}): save an unprotected copy and check that")]
    Encrypted { detail: String },
    /// A part is not well-formed XML.
    #[error("has a damaged part {part} (XML error at byte {position}: {detail}): open and save it again in a word processor")]
    Xml { part: String, position: u64, detail: String },
}

/// A ZIP package held in memory.
pub(crate) struct Package<'a> {
    zip: zip::ZipArchive<Cursor<&'a [u8]>>,
    format: &'static str,
    read_so_far: u64,
}

impl<'a> Package<'a> {
    /// Opens the package; `format` names it in messages (`DOCX`, `ODT`).
    pub(super) fn open(bytes: &'a [u8], format: &'static str) -> Result<Package<'a>, PackageError> {
        let zip = zip::ZipArchive::new(Cursor::new(bytes))
            .map_err(|e| PackageError::Corrupt { format, detail: e.to_string() })?;
        Ok(Package { zip, format, read_so_far: 0 })
    }

    /// True when the package holds a part of this name.
    pub(super) fn has(&self, name: &str) -> bool {
        self.zip.index_for_name(name).is_some()
    }

    /// The bytes of a part, or `None` when there is no such part.
    pub(super) fn part(&mut self, name: &str) -> Result<Option<Vec<u8>>, PackageError> {
        let format = self.format;
        let mut file = match self.zip.by_name(name) {
            Ok(f) => f,
            Err(zip::result::ZipError::FileNotFound) => return Ok(None),
            Err(zip::result::ZipError::UnsupportedArchive(zip::result::ZipError::PASSWORD_REQUIRED))
            | Err(zip::result::ZipError::InvalidPassword) => {
                return Err(PackageError::Encrypted { detail: format!("{name} is encrypted") })
            }
            Err(e) => return Err(PackageError::Corrupt { format, detail: format!("{name}: {e}") }),
        };
        let limit = MAX_PART_BYTES.min(MAX_PACKAGE_BYTES.saturating_sub(self.read_so_far));
        let too_large = || PackageError::TooLarge { part: name.to_string(), limit: MAX_PART_BYTES };
        if file.size() > limit {
            return Err(too_large());
        }
        let mut bytes = Vec::with_capacity(usize::try_from(file.size()).unwrap_or(0).min(1 << 20));
        (&mut file)
            .take(limit + 1)
            .read_to_end(&mut bytes)
            .map_err(|e| PackageError::Corrupt { format, detail: format!("{name}: {e}") })?;
        if bytes.len() as u64 > limit {
            return Err(too_large());
        }
        self.read_so_far += bytes.len() as u64;
        Ok(Some(bytes))
    }

    /// The bytes of a part that must exist.
    pub(super) fn required(&mut self, name: &str) -> Result<Vec<u8>, PackageError> {
        let format = self.format;
        self.part(name)?.ok_or_else(|| PackageError::MissingPart { format, part: name.to_string() })
    }
}

/// An XML reader over a part, set up the same way for every format.
fn xml_reader(bytes: &[u8]) -> quick_xml::Reader<&[u8]> {
    let mut reader = quick_xml::Reader::from_reader(bytes);
    let config = reader.config_mut();
    config.trim_text(false);
    config.check_end_names = true;
    reader
}

/// Reads the XML part `part` event by event to the end; a parse error names the part and
/// the position.
pub(crate) fn each_event(
    part: &str,
    bytes: &[u8],
    mut on: impl FnMut(Event<'_>),
) -> Result<(), PackageError> {
    let mut reader = xml_reader(bytes);
    loop {
        match reader.read_event() {
            Ok(Event::Eof) => return Ok(()),
            Ok(ev) => on(ev),
            Err(e) => return Err(xml_error(part, &reader, &e)),
        }
    }
}

/// The character data of a text, CDATA or entity-reference event.
pub(crate) fn event_text(ev: &Event<'_>) -> Option<String> {
    match ev {
        Event::Text(t) => Some(text(t)),
        Event::CData(t) => Some(String::from_utf8_lossy(t).into_owned()),
        Event::GeneralRef(r) => reference(r),
        _ => None,
    }
}

/// The error for a part that does not parse.
fn xml_error(part: &str, reader: &quick_xml::Reader<&[u8]>, e: &quick_xml::Error) -> PackageError {
    PackageError::Xml { part: part.to_string(), position: reader.error_position(), detail: e.to_string() }
}

/// The value of the attribute with this local name (prefix ignored), entities decoded.
pub(crate) fn attr(e: &BytesStart<'_>, local: &[u8]) -> Option<String> {
    e.attributes().with_checks(false).flatten().find(|a| a.key.local_name().as_ref() == local).map(
        |a| match a.normalized_value(quick_xml::XmlVersion::Implicit1_0) {
            Ok(v) => v.into_owned(),
            Err(_) => String::from_utf8_lossy(&a.value).into_owned(),
        },
    )
}

/// Text content (line ends normalised; invalid UTF-8 replaced).
pub(crate) fn text(t: &BytesText<'_>) -> String {
    match t.xml10_content() {
        Ok(s) => s.into_owned(),
        Err(_) => String::from_utf8_lossy(t).into_owned(),
    }
}

/// The character an entity or character reference stands for (`&amp;`, `&#x2011;`).
pub(crate) fn reference(r: &BytesRef<'_>) -> Option<String> {
    if let Ok(Some(c)) = r.resolve_char_ref() {
        return Some(c.to_string());
    }
    let name = r.decode().ok()?;
    quick_xml::escape::resolve_predefined_entity(&name).map(str::to_string)
}

/// Depth inside elements whose content is not document text (tracked deletions, comments,
/// declarations), whose names the format lists.
#[derive(Debug, Default)]
pub(crate) struct Skip {
    depth: usize,
}

impl Skip {
    /// At an element start: true when it is, or is inside, skipped content.
    pub(crate) fn start(&mut self, name: &[u8], empty: bool, skipped: &[&[u8]]) -> bool {
        if self.depth > 0 {
            self.depth += usize::from(!empty);
            return true;
        }
        if skipped.contains(&name) {
            self.depth = usize::from(!empty);
            return true;
        }
        false
    }

    /// Skips the content of the element just started.
    pub(crate) fn enter(&mut self) {
        self.depth = 1;
    }

    /// At an element end: true when it closes (or is inside) skipped content.
    pub(crate) fn end(&mut self) -> bool {
        let inside = self.depth > 0;
        self.depth = self.depth.saturating_sub(1);
        inside
    }

    /// True inside skipped content.
    pub(crate) fn active(&self) -> bool {
        self.depth > 0
    }
}

/// The relationships of one part: id → (type, target).
#[derive(Debug, Default)]
pub(crate) struct Relationships {
    by_id: HashMap<String, Relationship>,
}

/// One relationship of a part.
#[derive(Debug, Clone)]
pub(crate) struct Relationship {
    /// The relationship type URI.
    pub kind: String,
    /// The target: a URL (external), or a part name relative to the source part's folder.
    pub target: String,
}

impl Relationships {
    /// Parses a `.rels` part.
    pub(super) fn parse(part: &str, bytes: &[u8]) -> Result<Relationships, PackageError> {
        let mut reader = xml_reader(bytes);
        let mut by_id = HashMap::new();
        loop {
            match reader.read_event() {
                Ok(quick_xml::events::Event::Start(e) | quick_xml::events::Event::Empty(e))
                    if e.local_name().as_ref() == b"Relationship" =>
                {
                    if let (Some(id), Some(target)) = (attr(&e, b"Id"), attr(&e, b"Target")) {
                        let kind = attr(&e, b"Type").unwrap_or_default();
                        by_id.insert(id, Relationship { kind, target });
                    }
                }
                Ok(quick_xml::events::Event::Eof) => break,
                Ok(_) => {}
                Err(e) => return Err(xml_error(part, &reader, &e)),
            }
        }
        Ok(Relationships { by_id })
    }

    /// The relationship with this id.
    pub(super) fn get(&self, id: &str) -> Option<&Relationship> {
        self.by_id.get(id)
    }

    /// The first relationship whose type ends with `/suffix` (`/footnotes`, `/officeDocument`).
    pub(super) fn of_type(&self, suffix: &str) -> Option<&Relationship> {
        let mut all: Vec<&Relationship> = self.by_id.values().filter(|r| r.kind.ends_with(suffix)).collect();
        all.sort_by(|a, b| a.target.cmp(&b.target));
        all.into_iter().next()
    }
}

/// The `.rels` part of a part: `word/document.xml` → `word/_rels/document.xml.rels`.
pub(crate) fn rels_name(part: &str) -> String {
    match part.rsplit_once('/') {
        Some((dir, file)) => format!("{dir}/_rels/{file}.rels"),
        None => format!("_rels/{part}.rels"),
    }
}

/// A relationship target resolved against the folder of its source part.
pub(crate) fn resolve_part(source: &str, target: &str) -> String {
    if let Some(abs) = target.strip_prefix('/') {
        return abs.to_string();
    }
    let mut parts: Vec<&str> =
        source.rsplit_once('/').map_or(Vec::new(), |(dir, _)| dir.split('/').collect());
    for seg in target.split('/') {
        match seg {
            "." | "" => {}
            ".." => {
                parts.pop();
            }
            s => parts.push(s),
        }
    }
    parts.join("/")
}

/// Number formats of list and note numbering.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum NumFormat {
    /// 1, 2, 3
    Decimal,
    /// a, b, … z, aa, bb
    LowerLetter,
    /// A, B, … Z, AA, BB
    UpperLetter,
    /// i, ii, iii
    LowerRoman,
    /// I, II, III
    UpperRoman,
    /// *, †, ‡, §, then doubled
    Symbols,
    /// No number shown (bullets, none).
    Nothing,
}

impl NumFormat {
    /// `n` as this format shows it.
    pub(super) fn format(self, n: i64) -> String {
        match self {
            NumFormat::Decimal => n.to_string(),
            NumFormat::LowerLetter => letters(n).to_lowercase(),
            NumFormat::UpperLetter => letters(n),
            NumFormat::LowerRoman => roman(n).to_lowercase(),
            NumFormat::UpperRoman => roman(n),
            NumFormat::Symbols => {
                const MARKS: [char; 4] = ['*', '†', '‡', '§'];
                if n < 1 {
                    return n.to_string();
                }
                let i = usize::try_from(n - 1).unwrap_or(0);
                std::iter::repeat_n(MARKS[i % 4], i / 4 + 1).collect()
            }
            NumFormat::Nothing => String::new(),
        }
    }
}

/// 1 → A, 26 → Z, 27 → AA (the letter repeated, as word processors count).
fn letters(n: i64) -> String {
    if n < 1 {
        return n.to_string();
    }
    let i = usize::try_from(n - 1).unwrap_or(0);
    let c = char::from(b'A' + u8::try_from(i % 26).unwrap_or(0));
    std::iter::repeat_n(c, i / 26 + 1).collect()
}

fn roman(n: i64) -> String {
    if !(1..4000).contains(&n) {
        return n.to_string();
    }
    const TABLE: [(i64, &str); 13] = [
        (1000, "M"),
        (900, "CM"),
        (500, "D"),
        (400, "CD"),
        (100, "C"),
        (90, "XC"),
        (50, "L"),
        (40, "XL"),
        (10, "X"),
        (9, "IX"),
        (5, "V"),
        (4, "IV"),
        (1, "I"),
    ];
    let mut n = n;
    let mut out = String::new();
    for (v, s) in TABLE {
        while n >= v {
            out.push_str(s);
            n -= v;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn number_formats() {
        let cases: &[(NumFormat, i64, &str)] = &[
            (NumFormat::Decimal, 28, "28"),
            (NumFormat::LowerLetter, 1, "a"),
            (NumFormat::LowerLetter, 27, "aa"),
            (NumFormat::UpperLetter, 26, "Z"),
            (NumFormat::LowerRoman, 4, "iv"),
            (NumFormat::UpperRoman, 1994, "MCMXCIV"),
            (NumFormat::Symbols, 1, "*"),
            (NumFormat::Symbols, 6, "††"),
            (NumFormat::Nothing, 3, ""),
        ];
        for (f, n, want) in cases {
            assert_eq!(f.format(*n), *want, "{f:?} {n}");
        }
    }

    #[test]
    fn part_names() {
        assert_eq!(rels_name("word/document.xml"), "word/_rels/document.xml.rels");
        assert_eq!(resolve_part("word/document.xml", "footnotes.xml"), "word/footnotes.xml");
        assert_eq!(resolve_part("word/document.xml", "/word/x.xml"), "word/x.xml");
        assert_eq!(resolve_part("word/sub/a.xml", "../b.xml"), "word/b.xml");
        assert_eq!(resolve_part("", "word/document.xml"), "word/document.xml");
    }
}
