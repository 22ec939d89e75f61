//! The common shape of documents read from packages (DOCX, ODT) and from PDF: blocks of text,
//! each with its links, its footnote markers and the list number a reader sees, and the notes
//! those markers point at. A format reader only builds this; the footnote, paragraph, URL and
//! symbol rules run once, here.
//!
//! Rules:
//! - a heading ends the current numbered paragraph; a body block whose list number or leading
//!   text is `N.` starts paragraph `N`, which runs on until the next one;
//! - a note takes the label shown for it and the paragraph that holds its first marker;
//! - a link's target is the citation (never its visible text); bare URLs and written symbols
//!   are found in the text outside links, and symbols in a link's text unless its target
//!   already names them;
//! - rows come in reading order: a note's rows follow the block that first cites it.

use super::{layout, symbols, url};
use crate::types::{Citation, Kind};
use std::ops::Range;

/// A document as a list of blocks and the notes they refer to.
#[derive(Debug, Default, Clone)]
pub(crate) struct Structure {
    /// Every block, body and notes, in the order the reader met them.
    pub blocks: Vec<Block>,
    /// The notes (footnotes, endnotes), indexed by [`Role::Note`] and [`Marker::note`].
    pub notes: Vec<Note>,
    /// True when `line` and `column` come from [`Block::marks`] (PDF: page and line), not
    /// from the block's position in reading order.
    pub marked_positions: bool,
}

/// A footnote or endnote.
#[derive(Debug, Default, Clone)]
pub(crate) struct Note {
    /// The label a reader sees (`1`, `*`, `iv`).
    pub label: String,
}

/// What a block is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Role {
    /// Body text.
    Body,
    /// A heading: ends the numbered paragraph.
    Heading,
    /// Text of the note with this index.
    Note(usize),
}

/// A paragraph (or a heading, a table cell's paragraph, a note's paragraph).
#[derive(Debug, Clone)]
pub(crate) struct Block {
    /// What the block is.
    pub role: Role,
    /// Its text; tabs and line breaks kept as `\t` and `\n`.
    pub text: String,
    /// The number a list gives it, as shown (`28.`, `(a)`), when the format computes one.
    pub list_label: Option<String>,
    /// Hyperlinks: the visible text's range and the target.
    pub links: Vec<Link>,
    /// Footnote and endnote markers, in text order.
    pub markers: Vec<Marker>,
    /// Positions for `line`/`column` when [`Structure::marked_positions`] is set.
    pub marks: Vec<Mark>,
}

impl Block {
    /// An empty block of the given role.
    pub(super) fn new(role: Role) -> Block {
        Block {
            role,
            text: String::new(),
            list_label: None,
            links: Vec::new(),
            markers: Vec::new(),
            marks: Vec::new(),
        }
    }
}

/// A hyperlink over part of a block's text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Link {
    /// Byte range of the visible text (may be empty).
    pub range: Range<usize>,
    /// The target as written in the document.
    pub href: String,
}

/// A footnote or endnote marker.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Marker {
    /// Byte offset in the block's text.
    pub at: usize,
    /// Index into [`Structure::notes`].
    pub note: usize,
}

/// Where a piece of a block's text sits in the source (a PDF page and line).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Mark {
    /// Byte offset in the block's text where this position starts.
    pub at: usize,
    /// The `line` reported from here on.
    pub line: usize,
    /// The `column` reported from here on.
    pub column: usize,
}

/// The rows of a structured document, in reading order.
pub(crate) fn citations(source: &str, doc: &Structure) -> Vec<Citation> {
    let source: std::sync::Arc<str> = source.into();
    let paragraphs = paragraphs(doc);
    let note_paragraph = note_paragraphs(doc, &paragraphs);
    let mut rows = Vec::new();
    for (ordinal, &b) in reading_order(doc).iter().enumerate() {
        let block = &doc.blocks[b];
        let (footnote, paragraph): (std::sync::Arc<str>, std::sync::Arc<str>) = match block.role {
            Role::Note(n) => (
                doc.notes.get(n).map(|note| note.label.as_str()).unwrap_or_default().into(),
                note_paragraph.get(n).cloned().flatten().unwrap_or_default().into(),
            ),
            Role::Body | Role::Heading => ("".into(), paragraphs[b].clone().unwrap_or_default().into()),
        };
        for (at, kind, value, raw) in block_citations(block) {
            let (line, column) = position(doc, block, ordinal, at);
            let value: std::sync::Arc<str> = value.into();
            rows.push(Citation {
                source: source.clone(),
                line,
                column,
                footnote: footnote.clone(),
                paragraph: paragraph.clone(),
                kind,
                raw: super::raw_of(&value, &raw),
                value,
            });
        }
    }
    rows
}

/// The numbered paragraph each body block belongs to (`None` for notes and before the first).
fn paragraphs(doc: &Structure) -> Vec<Option<String>> {
    let mut current: Option<String> = None;
    doc.blocks
        .iter()
        .map(|b| match b.role {
            Role::Heading => {
                current = None;
                None
            }
            Role::Body => {
                if let Some(n) = paragraph_number(b) {
                    current = Some(n);
                }
                current.clone()
            }
            Role::Note(_) => None,
        })
        .collect()
}

/// `28.` from the list number, else from the text (`28.` then a space or tab).
fn paragraph_number(b: &Block) -> Option<String> {
    if let Some(label) = &b.list_label {
        let digits = label.strip_suffix('.')?;
        let ok = (1..=4).contains(&digits.len()) && digits.bytes().all(|c| c.is_ascii_digit());
        return ok.then(|| digits.trim_start_matches('0').to_string()).filter(|d| !d.is_empty());
    }
    layout::paragraph_number(b.text.trim_start()).map(|n| n.to_string())
}

/// The paragraph of each note: the one holding its first marker.
fn note_paragraphs(doc: &Structure, paragraphs: &[Option<String>]) -> Vec<Option<String>> {
    let mut out: Vec<Option<Option<String>>> = vec![None; doc.notes.len()];
    for (b, block) in doc.blocks.iter().enumerate() {
        // A marker inside a note (a note citing another) takes that note's paragraph.
        let para = match block.role {
            Role::Note(n) => out.get(n).cloned().flatten().flatten(),
            _ => paragraphs[b].clone(),
        };
        for m in &block.markers {
            if let Some(slot) = out.get_mut(m.note) {
                slot.get_or_insert_with(|| para.clone());
            }
        }
    }
    out.into_iter().map(Option::flatten).collect()
}

/// Block indices in reading order: each note's blocks right after the block that first cites
/// it (recursively), notes that nothing cites at the end.
fn reading_order(doc: &Structure) -> Vec<usize> {
    let mut note_blocks: Vec<Vec<usize>> = vec![Vec::new(); doc.notes.len()];
    for (i, b) in doc.blocks.iter().enumerate() {
        if let Role::Note(n) = b.role {
            if let Some(list) = note_blocks.get_mut(n) {
                list.push(i);
            }
        }
    }
    let mut placed = vec![false; doc.notes.len()];
    let mut order = Vec::with_capacity(doc.blocks.len());
    // An explicit stack keeps deeply nested notes from recursing.
    let mut stack: Vec<usize> = Vec::new();
    let mut push_block = |start: usize, order: &mut Vec<usize>, placed: &mut Vec<bool>| {
        stack.push(start);
        while let Some(b) = stack.pop() {
            order.push(b);
            let mut cited = Vec::new();
            for m in &doc.blocks[b].markers {
                if let Some(p) = placed.get_mut(m.note) {
                    if !*p {
                        *p = true;
                        cited.push(m.note);
                    }
                }
            }
            // Pushed in reverse so the first cited note comes out first.
            for n in cited.into_iter().rev() {
                stack.extend(note_blocks[n].iter().rev());
            }
        }
    };
    for (i, b) in doc.blocks.iter().enumerate() {
        if !matches!(b.role, Role::Note(_)) {
            push_block(i, &mut order, &mut placed);
        }
    }
    for n in 0..doc.notes.len() {
        if !placed[n] {
            placed[n] = true;
            for &b in &note_blocks[n] {
                push_block(b, &mut order, &mut placed);
            }
        }
    }
    order
}

/// 1-based line and column of byte `at` of a block that comes `ordinal`-th in reading order.
fn position(doc: &Structure, block: &Block, ordinal: usize, at: usize) -> (usize, usize) {
    if doc.marked_positions {
        let i = block.marks.partition_point(|m| m.at <= at);
        return block
            .marks
            .get(i.wrapping_sub(1))
            .or(block.marks.first())
            .map_or((0, 0), |m| (m.line, m.column));
    }
    let at = at.min(block.text.len());
    let column = block.text.get(..at).map_or(0, |t| t.chars().count());
    (ordinal + 1, column + 1)
}

/// The citations of one block: (byte offset, kind, value, raw), in text order.
fn block_citations(block: &Block) -> Vec<(usize, Kind, String, String)> {
    let text = block.text.as_str();
    let mut out: Vec<(usize, Kind, String, String)> = Vec::new();
    let mut named_by_links: Vec<(Range<usize>, Vec<String>)> = Vec::new();
    for link in &block.links {
        let href = link.href.trim();
        if url::classify(href) == url::Target::NotCitation {
            continue;
        }
        let mut named = Vec::new();
        let visible = block.text.get(link.range.clone()).unwrap_or("");
        for piece in url::split_glued(href, url::Ends::of_link(href, visible)) {
            let value = url::normalise(&href[piece]);
            let symbol = symbols::from_url(&value);
            out.push((link.range.start, Kind::Url, value, href.to_string()));
            if let Some(sym) = symbol {
                named.push(sym.clone());
                out.push((link.range.start, Kind::Symbol, sym, href.to_string()));
            }
        }
        named_by_links.push((link.range.clone(), named));
    }
    let in_link =
        |r: &Range<usize>| block.links.iter().any(|l| r.start < l.range.end && l.range.start < r.end);
    let urls = url::find_bare_urls(text);
    for r in urls.iter().cloned() {
        if in_link(&r) {
            continue;
        }
        let written = &text[r.clone()];
        for piece in url::split_glued(written, url::Ends::Trim) {
            let raw = &written[piece.clone()];
            let value = url::normalise(raw);
            let symbol = symbols::from_url(&value);
            out.push((r.start + piece.start, Kind::Url, value, raw.to_string()));
            if let Some(sym) = symbol {
                out.push((r.start + piece.start, Kind::Symbol, sym, raw.to_string()));
            }
        }
    }
    for hit in symbols::find_in_prose(text, &urls) {
        let named_by_its_link = named_by_links.iter().any(|(r, named)| {
            hit.start < r.end && r.start < hit.end.max(hit.start + 1) && named.contains(&hit.value)
        });
        if !named_by_its_link {
            out.push((hit.start, Kind::Symbol, hit.value, text[hit.start..hit.end].to_string()));
        }
    }
    // Document order; at one offset a URL before the symbol it names; no repeats.
    out.sort_by(|a, b| a.0.cmp(&b.0).then(a.1.cmp(&b.1)));
    out.dedup_by(|a, b| a.0 == b.0 && a.1 == b.1 && a.2 == b.2);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn block(role: Role, text: &str) -> Block {
        Block { text: text.to_string(), ..Block::new(role) }
    }

    fn rows(doc: &Structure) -> Vec<(String, String, String, String)> {
        citations("t", doc)
            .into_iter()
            .map(|c| {
                (c.footnote.to_string(), c.paragraph.to_string(), c.kind.to_string(), c.value.to_string())
            })
            .collect()
    }

    #[test]
    fn notes_follow_the_paragraph_that_cites_them() {
        let mut body = block(Role::Body, "28.\tGrowth slowed (A/RES/75/202). See the portal.");
        body.markers.push(Marker { at: 33, note: 0 });
        body.links.push(Link { range: 38..48, href: "https://example.org/portal".into() });
        let cont = block(Role::Body, "Continued after a page break, citing www.un.org/en/ga.");
        let mut note = block(Role::Note(0), "See A/75/147 and https://undocs.org/en/A/75/147.");
        note.links.push(Link { range: 4..12, href: "https://undocs.org/en/A/75/147".into() });
        let heading = block(Role::Heading, "II. Trends");
        let after = block(Role::Body, "Loose text E/2021/1.");
        let doc = Structure {
            blocks: vec![body, note, cont, heading, after],
            notes: vec![Note { label: "1".into() }],
            marked_positions: false,
        };
        let got = rows(&doc);
        let want: Vec<(&str, &str, &str, &str)> = vec![
            ("", "28", "symbol", "A/RES/75/202"),
            ("", "28", "url", "https://example.org/portal"),
            ("1", "28", "url", "https://undocs.org/en/A/75/147"),
            ("1", "28", "symbol", "A/75/147"),
            ("1", "28", "url", "https://undocs.org/en/A/75/147"),
            ("1", "28", "symbol", "A/75/147"),
            ("", "28", "url", "http://www.un.org/en/ga"),
            ("", "", "symbol", "E/2021/1"),
        ];
        let got: Vec<(&str, &str, &str, &str)> =
            got.iter().map(|(a, b, c, d)| (a.as_str(), b.as_str(), c.as_str(), d.as_str())).collect();
        assert_eq!(got, want);
    }

    #[test]
    fn list_labels_and_text_numbers() {
        let cases: &[(Option<&str>, &str, Option<&str>)] = &[
            (Some("28."), "text", Some("28")),
            (Some("(a)"), "text", None),
            (Some("iv."), "text", None),
            (None, "28.\ttext", Some("28")),
            (None, "28. text", Some("28")),
            (None, "2.5 percent", None),
            (Some("12345."), "x", None),
        ];
        for (label, text, want) in cases {
            let mut b = block(Role::Body, text);
            b.list_label = label.map(str::to_string);
            assert_eq!(paragraph_number(&b).as_deref(), *want, "{label:?} {text}");
        }
    }

    #[test]
    fn link_text_is_not_a_citation_but_its_symbols_are() {
        let mut b = block(Role::Body, "https://a.org/shown and report E/2020/31 here");
        b.links.push(Link { range: 0..20, href: "https://a.org/target".into() });
        b.links.push(Link { range: 25..40, href: "https://example.org/e2020".into() });
        let doc = Structure { blocks: vec![b], notes: vec![], marked_positions: false };
        let got: Vec<String> = rows(&doc).into_iter().map(|r| r.3).collect();
        assert_eq!(got, vec!["https://a.org/target", "https://example.org/e2020", "E/2020/31"]);
    }

    #[test]
    fn positions_count_blocks_in_reading_order_and_characters() {
        let mut body = block(Role::Body, "一二 https://a.org/x");
        body.markers.push(Marker { at: 0, note: 0 });
        let note = block(Role::Note(0), "x https://b.org/");
        let doc = Structure {
            blocks: vec![block(Role::Body, "none"), note, body],
            notes: vec![Note { label: "*".into() }],
            marked_positions: false,
        };
        let got: Vec<(usize, usize, String)> =
            citations("t", &doc).into_iter().map(|c| (c.line, c.column, c.footnote.to_string())).collect();
        assert_eq!(got, vec![(2, 4, String::new()), (3, 3, "*".to_string())]);
    }
}
