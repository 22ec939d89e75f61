//! Text gathered from a document's blocks, mapped back to source offsets, and the scanners
//! that run over it: bare URLs, written symbols and resolution references.

use super::{symbols, url, Found};
use crate::types::Kind;
use std::ops::Range;

#[derive(Debug, Clone, Copy)]
struct Seg {
    buf_start: usize,
    buf_end: usize,
    src_start: usize,
    src_end: usize,
    identical: bool,
}

/// Text of one block (paragraph, heading, list item, table cell), with a map from each
/// byte of the gathered text back to the source document.
#[derive(Debug, Default)]
pub(super) struct Prose {
    /// The gathered text.
    pub buf: String,
    segs: Vec<Seg>,
}

impl Prose {
    /// Appends text that the source holds at `src` (identical, or after unescaping).
    pub(super) fn push(&mut self, text: &str, src: Range<usize>, source: &str) {
        let buf_start = self.buf.len();
        self.buf.push_str(text);
        let identical = source.get(src.clone()) == Some(text);
        self.segs.push(Seg {
            buf_start,
            buf_end: self.buf.len(),
            src_start: src.start,
            src_end: src.end,
            identical,
        });
    }

    /// Appends a separator that stands for markup between two texts.
    pub(super) fn push_gap(&mut self, c: char) {
        if !self.buf.is_empty() && !self.buf.ends_with(c) {
            self.buf.push(c);
        }
    }

    /// True when nothing has been gathered.
    pub(super) fn is_empty(&self) -> bool {
        self.buf.is_empty()
    }

    /// Forgets the gathered text.
    pub(super) fn clear(&mut self) {
        self.buf.clear();
        self.segs.clear();
    }

    fn seg_for(&self, b: usize, end: bool) -> Option<&Seg> {
        let i = self.segs.partition_point(|s| if end { s.buf_end < b } else { s.buf_end <= b });
        self.segs.get(i).filter(|s| if end { s.buf_start < b } else { s.buf_start <= b })
    }

    /// Source range of the gathered bytes `r`.
    pub(super) fn source_range(&self, r: Range<usize>, source: &str) -> Range<usize> {
        let start = self.seg_for(r.start, false).map_or(0, |s| self.map_in(s, r.start, source));
        let end = self.seg_for(r.end, true).map_or(start, |s| self.map_in(s, r.end, source));
        start..end.max(start)
    }

    fn map_in(&self, s: &Seg, b: usize, source: &str) -> usize {
        if s.identical {
            return s.src_start + (b - s.buf_start);
        }
        if b == s.buf_end {
            return s.src_end;
        }
        // Align the unescaped text with its source (`\_` → `_`, `&amp;` → `&`).
        let text = &self.buf[s.buf_start..s.buf_end];
        let src = source.get(s.src_start..s.src_end).unwrap_or("");
        let want = b - s.buf_start;
        let mut si = 0;
        for (ti, tc) in text.char_indices() {
            while si < src.len() && !src[si..].starts_with(tc) {
                si += src[si..].chars().next().map_or(1, char::len_utf8);
            }
            if ti >= want {
                break;
            }
            si += tc.len_utf8();
        }
        s.src_start + si.min(src.len())
    }
}

/// What to look for in a piece of prose.
#[derive(Debug, Clone, Copy)]
pub(super) struct Scan {
    /// Look for bare URLs.
    pub urls: bool,
    /// Look for written symbols and resolution references.
    pub symbols: bool,
}

/// Runs the scanners over `prose` and appends what they find.
pub(super) fn scan(prose: &Prose, source: &str, what: Scan, out: &mut Vec<Found>) {
    let text = prose.buf.as_str();
    let urls = url::find_bare_urls(text);
    if what.urls {
        for r in urls.iter().cloned() {
            let written = &text[r.clone()];
            for piece in url::split_glued(written, url::Ends::Trim) {
                let abs = r.start + piece.start..r.start + piece.end;
                let src = prose.source_range(abs.clone(), source);
                let raw = source.get(src.clone()).unwrap_or(&text[abs.clone()]);
                push_url(out, src.start, raw, &text[abs]);
            }
        }
    }
    if what.symbols {
        for hit in symbols::find_in_prose(text, &urls) {
            let src = prose.source_range(hit.start..hit.end, source);
            let raw = source.get(src.clone()).unwrap_or(&text[hit.start..hit.end]);
            out.push(Found::new(src.start, Kind::Symbol, hit.value, raw));
        }
    }
}

/// Adds a URL row (and a symbol row when the URL names a UN document symbol).
pub(super) fn push_url(out: &mut Vec<Found>, start: usize, raw: &str, target: &str) {
    let value = url::normalise(target);
    let symbol = symbols::from_url(&value);
    out.push(Found::new(start, Kind::Url, value, raw));
    if let Some(sym) = symbol {
        out.push(Found::new(start, Kind::Symbol, sym, raw));
    }
}
