//! The line layout of a Markdown or text document: which lines are footnote definitions
//! (and of which label), which numbered paragraph every body line belongs to, and where
//! footnote markers sit. Converters write footnotes as `<sup>N</sup> text` at the start of
//! a line, as `[^N]: text`, or as a starred note `\* text`; a definition runs on until the
//! next definition, a blank line, a heading or a numbered paragraph.

use std::collections::HashMap;
use std::sync::Arc;

const NONE: u32 = u32::MAX;

#[derive(Debug, Clone, Copy)]
enum Role {
    /// Body text; the index of its numbered paragraph, or `NONE`.
    Body(u32),
    /// Inside the footnote definition with this index.
    Footnote(u32),
    /// Inside a fenced code block.
    Code,
}

#[derive(Debug, Clone)]
struct Definition {
    label: Arc<str>,
    line: usize,
    paragraph: u32,
    /// Written `[^N]:` (its later paragraphs are indented), not `<sup>N</sup>`.
    caret: bool,
}

/// Line roles, footnote definitions and markers of one document, or of a window of its
/// lines (see [`Windows`]).
#[derive(Debug)]
pub(super) struct Layout {
    /// Where each line of the window starts (offsets in the whole text).
    line_starts: Vec<usize>,
    /// The number of the window's first line in the whole text.
    first_line: usize,
    roles: Vec<Role>,
    /// Each numbered paragraph's number, once per number.
    paragraphs: Vec<Arc<str>>,
    definitions: Vec<Definition>,
    /// The number of `definitions[0]` among all the document's definitions.
    def_base: u32,
    /// The empty label, shared by every row that has none.
    empty: Arc<str>,
}

/// Where each line of `text` starts. Counted first: a list grown by doubling copies itself and
/// faults in its pages again.
fn line_starts(text: &str) -> Vec<usize> {
    let mut starts = Vec::with_capacity(memchr::memchr_iter(b'\n', text.as_bytes()).count() + 1);
    starts.push(0);
    starts.extend(memchr::memchr_iter(b'\n', text.as_bytes()).map(|i| i + 1));
    starts
}

/// Line and column look-ups in one document, fastest when offsets come in increasing order
/// (each reader of a part of the document has its own).
pub(super) struct Positions<'a> {
    layout: &'a Layout,
    /// The document's text from byte `base` on.
    text: &'a str,
    base: usize,
    /// The last answer: (line, byte, column), so a later offset on a long line counts on.
    cursor: (usize, usize, usize),
}

impl Positions<'_> {
    /// 1-based line and column (in characters) of a byte offset.
    pub(super) fn at(&mut self, offset: usize) -> (usize, usize) {
        let line = self.layout.line_of(offset);
        let start = self.layout.line_starts[line - self.layout.first_line];
        let (c_line, c_byte, c_col) = self.cursor;
        let col = if c_line == line && c_byte <= offset && c_byte >= start {
            c_col + self.text[c_byte - self.base..offset - self.base].chars().count()
        } else {
            self.text[start - self.base..offset - self.base].chars().count()
        };
        self.cursor = (line, offset, col);
        (line + 1, col + 1)
    }
}

/// Where a piece of text sits in the document's structure.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Context<'a> {
    /// Footnote label, empty in body text.
    pub footnote: &'a Arc<str>,
    /// Numbered paragraph, empty when none.
    pub paragraph: &'a Arc<str>,
    /// True inside a fenced code block.
    pub code: bool,
}

/// The state of one pass over the lines.
#[derive(Default)]
struct Scanner {
    roles: Vec<Role>,
    paragraphs: Vec<Arc<str>>,
    /// Each paragraph number's index in `paragraphs`.
    paragraph_ids: HashMap<u32, u32>,
    definitions: Vec<Definition>,
    /// The number of `definitions[0]` (earlier ones are let go, see [`Scanner::forget`]).
    def_base: u32,
    markers: HashMap<String, Vec<(usize, u32)>>,
    /// All of `markers` are known (found by an earlier pass): a definition is placed at once
    /// and the lines' markers are not looked for again.
    markers_known: bool,
    /// The current numbered paragraph (`NONE` when none).
    paragraph: u32,
    /// The definition the current line continues.
    footnote: Option<u32>,
    /// A `[^N]:` note that a blank line interrupted: an indented paragraph continues it.
    paused: Option<u32>,
    /// The closing fence while inside a fenced code block.
    fence: Option<&'static str>,
}

impl Scanner {
    fn start_paragraph(&mut self, number: u32) {
        let next = self.paragraphs.len() as u32;
        let id = *self.paragraph_ids.entry(number).or_insert(next);
        if id == next {
            self.paragraphs.push(number.to_string().into());
        }
        self.paragraph = id;
    }

    fn define(&mut self, label: String, line: usize, caret: bool) -> u32 {
        let paragraph = if self.markers_known { nearest_marker(&self.markers, &label, line) } else { NONE };
        self.definitions.push(Definition { label: label.into(), line, paragraph, caret });
        let idx = self.def_base + (self.definitions.len() - 1) as u32;
        self.footnote = Some(idx);
        idx
    }

    /// The number the next definition will take.
    fn next_definition(&self) -> u32 {
        self.def_base + self.definitions.len() as u32
    }

    /// Lets go of the definitions before `keep` and before the ones a later line may still
    /// continue (the current and the paused note), keeping their numbers; returns them.
    fn forget(&mut self, keep: Option<u32>) -> Vec<Definition> {
        let next = self.next_definition();
        let from = [self.footnote, self.paused, keep].into_iter().flatten().min().unwrap_or(next).min(next);
        let kept = self.definitions[(from - self.def_base) as usize..].to_vec();
        self.def_base = from;
        std::mem::replace(&mut self.definitions, kept)
    }

    /// One line of `pdftotext` output, whose notes `paged` found at the page ends.
    fn paged_line(&mut self, paged: &PagedNotes, n: usize, line: &str, trimmed: &str) -> Role {
        if line.starts_with('\x0c') {
            self.footnote = None;
        }
        if paged.in_notes[n] {
            if let Some(label) = paged.starts.get(&n) {
                self.define(label.clone(), n, false);
            }
            // Lines before the page's first label go on with the previous page's note.
            let idx = self.footnote.or_else(|| self.next_definition().checked_sub(1));
            return idx.map_or(Role::Body(self.paragraph), Role::Footnote);
        }
        self.footnote = None;
        if let Some(num) = paragraph_number(trimmed) {
            self.start_paragraph(num);
        }
        // The markers on this line take its paragraph when the scan ends (`paged_markers`).
        Role::Body(self.paragraph)
    }

    /// One line of Markdown or plain text.
    fn text_line(&mut self, n: usize, line: &str, trimmed: &str) -> Role {
        let indent = line.len() - trimmed.len();
        if let Some(f) = self.fence {
            if trimmed.starts_with(f) {
                self.fence = None;
            }
            return Role::Code;
        }
        if indent <= 3 && (trimmed.starts_with("```") || trimmed.starts_with("~~~")) {
            self.fence = Some(if trimmed.starts_with("```") { "```" } else { "~~~" });
            return Role::Code;
        }
        if trimmed.is_empty() {
            let def = |d: u32| self.definitions.get(d.checked_sub(self.def_base)? as usize);
            let caret = self.footnote.and_then(def).is_some_and(|d| d.caret);
            self.paused = if caret { self.footnote } else { self.paused.filter(|_| self.footnote.is_none()) };
            self.footnote = None;
            return Role::Body(self.paragraph);
        }
        if let Some(idx) = self.paused.take() {
            if indent >= 4 || line.starts_with('\t') {
                self.footnote = Some(idx);
                return Role::Footnote(idx);
            }
        }
        if let Some(label) = definition_label(trimmed) {
            return Role::Footnote(self.define(label, n, trimmed.starts_with("[^")));
        }
        let heading = indent <= 3 && is_heading(trimmed);
        let number = if indent <= 3 { paragraph_number(trimmed) } else { None };
        if let Some(idx) = self.footnote {
            if !heading && number.is_none() {
                return Role::Footnote(idx);
            }
            self.footnote = None;
        }
        if heading {
            self.paragraph = NONE;
        } else if let Some(num) = number {
            self.start_paragraph(num);
        }
        if !self.markers_known {
            for label in markers_in(line) {
                self.markers.entry(label).or_default().push((n, self.paragraph));
            }
        }
        Role::Body(self.paragraph)
    }

    /// Markers that `pdftotext` pages hold in their text take the paragraph of their line.
    fn paged_markers(&mut self, paged: &PagedNotes) {
        for (line, p) in self.markers.values_mut().flatten() {
            if let (false, Some(Role::Body(para))) = (paged.in_notes[*line], self.roles.get(*line)) {
                *p = *para;
            }
        }
    }

    /// Each definition takes the paragraph of the nearest marker with its label before it
    /// (numbering may restart per chapter), else of the first marker after it. Each label's
    /// markers are in line order (found line by line, or page by page), so the nearest is
    /// found by halving (a report repeated, or numbered per chapter, has many of each label).
    fn place_definitions(&mut self) {
        for def in &mut self.definitions {
            def.paragraph = nearest_marker(&self.markers, &def.label, def.line);
        }
    }
}

/// The paragraph of the marker of `label` nearest before `line`, else of the first after it
/// (`NONE` when the label has no marker): where a definition on `line` belongs.
fn nearest_marker(markers: &HashMap<String, Vec<(usize, u32)>>, label: &str, line: usize) -> u32 {
    let Some(list) = markers.get(label) else { return NONE };
    let before = list.partition_point(|(l, _)| *l < line).checked_sub(1).map(|i| &list[i]);
    before.or_else(|| list.first()).map_or(NONE, |(_, p)| *p)
}

impl Layout {
    /// Scans the lines of `text` once (linear time).
    /// Only the lines of `text`: for formats that place their citations themselves (HTML),
    /// where [`Layout::context`] is never asked (it says nothing for any line).
    pub(super) fn lines(text: &str) -> Layout {
        let line_starts = line_starts(text);
        Layout {
            line_starts,
            first_line: 0,
            roles: Vec::new(),
            paragraphs: Vec::new(),
            definitions: Vec::new(),
            def_base: 0,
            empty: Arc::from(""),
        }
    }

    pub(super) fn scan(text: &str) -> Layout {
        let line_starts = line_starts(text);
        let mut scan =
            Scanner { paragraph: NONE, roles: Vec::with_capacity(line_starts.len()), ..Default::default() };
        // Text that `pdftotext` made (pages separated by form feeds): notes at page ends.
        let paged = memchr::memchr(b'\x0c', text.as_bytes()).map(|_| PagedNotes::find(text, &line_starts));
        if let Some(p) = &paged {
            for (n, label) in &p.markers {
                scan.markers.entry(label.clone()).or_default().push((*n, NONE));
            }
        }
        for (n, &start) in line_starts.iter().enumerate() {
            let end = line_starts.get(n + 1).map_or(text.len(), |&e| e - 1);
            let line = text[start..end].trim_end_matches('\r');
            let trimmed = trim_line(line);
            let role = match &paged {
                Some(p) => scan.paged_line(p, n, line, trimmed),
                None => scan.text_line(n, line, trimmed),
            };
            scan.roles.push(role);
        }
        if let Some(p) = &paged {
            scan.paged_markers(p);
        }
        scan.place_definitions();
        let Scanner { roles, paragraphs, definitions, .. } = scan;
        Layout {
            line_starts,
            first_line: 0,
            roles,
            paragraphs,
            definitions,
            def_base: 0,
            empty: Arc::from(""),
        }
    }

    /// 0-based line of a byte offset (in the window: its first line for an offset before it).
    pub(super) fn line_of(&self, offset: usize) -> usize {
        self.first_line + self.line_starts.partition_point(|&s| s <= offset).saturating_sub(1)
    }

    /// Positions in `text`: the text this layout was scanned from, from its byte `base` on
    /// (0 for the whole; a window's lines, read again, start later).
    pub(super) fn positions<'a>(&'a self, text: &'a str, base: usize) -> Positions<'a> {
        Positions { layout: self, text, base, cursor: (0, 0, 0) }
    }

    /// The structural context of the line holding `offset`.
    pub(super) fn context(&self, offset: usize) -> Context<'_> {
        let none = &self.empty;
        let para = |p: u32| self.paragraphs.get(p as usize).unwrap_or(none);
        let def = |d: u32| self.definitions.get(d.checked_sub(self.def_base)? as usize);
        match self.roles.get(self.line_of(offset) - self.first_line) {
            Some(Role::Body(p)) => Context { footnote: none, paragraph: para(*p), code: false },
            Some(Role::Footnote(d)) => match def(*d) {
                Some(def) => Context { footnote: &def.label, paragraph: para(def.paragraph), code: false },
                None => Context { footnote: none, paragraph: none, code: false },
            },
            Some(Role::Code) => Context { footnote: none, paragraph: none, code: true },
            None => Context { footnote: none, paragraph: none, code: false },
        }
    }
}

/// The layout of a large text, window by window, so that the roles of its millions of lines
/// and its definitions are never all held at once (a million notes took 88 MB as one
/// [`Layout`]). A first pass finds every marker (a note's paragraph is that of the nearest
/// marker before it, else of the first after it); the second scans each window's lines on
/// from where the last stopped, with the same state carried. Text that `pdftotext` wrote (with
/// page breaks) is laid out whole: its notes are found page by page.
pub(super) struct Windows {
    /// The scan of the lines so far, its markers known; `None` for text laid out whole.
    scan: Option<Scanner>,
    /// The current window (or the whole layout).
    current: Layout,
    /// Where the next line starts, and its number.
    next: usize,
    line: usize,
}

impl Windows {
    /// Finds the markers of `text` (or lays it out whole); no window yet.
    pub(super) fn new(text: &str) -> Windows {
        let empty = || Layout::lines("");
        if memchr::memchr(b'\x0c', text.as_bytes()).is_some() {
            return Windows { scan: None, current: Layout::scan(text), next: 0, line: 0 };
        }
        let mut first = Scanner { paragraph: NONE, ..Default::default() };
        for (n, line) in text.split('\n').enumerate() {
            let line = line.trim_end_matches('\r');
            first.text_line(n, line, trim_line(line));
            if n % 65_536 == 0 {
                first.forget(None);
            }
        }
        let Scanner { markers, paragraphs, paragraph_ids, .. } = first;
        let scan = Scanner {
            markers,
            paragraphs,
            paragraph_ids,
            markers_known: true,
            paragraph: NONE,
            ..Default::default()
        };
        Windows { scan: Some(scan), current: empty(), next: 0, line: 0 }
    }

    /// Where the text the next window needs starts (the last window's last line), or `None`
    /// when the text is laid out whole (the next window needs all of it).
    pub(super) fn resume_at(&self) -> Option<usize> {
        self.scan.as_ref()?;
        Some(self.current.line_starts.last().copied().unwrap_or(self.next))
    }

    /// The layout of the lines from the end of the last window to `end` (the start of a line,
    /// or the end of the text); it also holds the last window's last line. `text` is the
    /// document from its byte `base` (at most [`Windows::resume_at`]) to `end` or further,
    /// ending on a line end or the document's end (the whole document, from 0, when laid out whole).
    pub(super) fn upto(&mut self, text: &str, base: usize, end: usize) -> &Layout {
        let Some(scan) = &mut self.scan else { return &self.current };
        let bytes = text.as_bytes();
        let stop_at = base + text.len();
        // The last window's last line comes first: an offset on it is still answered.
        let carried = self.current.line_starts.last().zip(self.current.roles.last());
        let first_line = if carried.is_some() { self.line - 1 } else { self.line };
        let (mut line_starts, mut roles): (Vec<usize>, Vec<Role>) =
            carried.map(|(&s, &r)| (s, r)).into_iter().unzip();
        while self.next < end.min(stop_at) {
            let start = self.next;
            let stop = memchr::memchr(b'\n', &bytes[start - base..]).map_or(stop_at, |i| start + i);
            let line = text[start - base..stop - base].trim_end_matches('\r');
            roles.push(scan.text_line(self.line, line, trim_line(line)));
            line_starts.push(start);
            self.next = (stop + 1).min(stop_at);
            self.line += 1;
        }
        let def_base = scan.def_base;
        let last_note = match roles.last() {
            Some(Role::Footnote(d)) => Some(*d),
            _ => None,
        };
        let definitions = scan.forget(last_note);
        self.current = Layout {
            line_starts,
            first_line,
            roles,
            paragraphs: scan.paragraphs.clone(),
            definitions,
            def_base,
            empty: self.current.empty.clone(),
        };
        &self.current
    }
}

/// A line without the white space (and page breaks) before its text.
fn trim_line(line: &str) -> &str {
    line.trim_start_matches(|c: char| c.is_whitespace() || c == '\x0c')
}

/// Notes at the ends of pages of text that `pdftotext` wrote: lines holding only a number
/// (the raised label), counting up by one to the end of the page, start the notes; the marker
/// of each is that number glued to the end of a word or punctuation in the page's text above
/// (`基础。8 路线图`, `report.7 The`).
struct PagedNotes {
    /// Lines that start a note, with its label.
    starts: HashMap<usize, String>,
    /// Lines inside a page's notes.
    in_notes: Vec<bool>,
    /// Lines holding a marker, with its label.
    markers: Vec<(usize, String)>,
}

impl PagedNotes {
    fn find(text: &str, line_starts: &[usize]) -> PagedNotes {
        let line = |n: usize| {
            let end = line_starts.get(n + 1).map_or(text.len(), |&e| e - 1);
            text[line_starts[n]..end].trim_end_matches('\r')
        };
        let count = line_starts.len();
        let mut out =
            PagedNotes { starts: HashMap::new(), in_notes: vec![false; count], markers: Vec::new() };
        let mut page_start = 0;
        for n in 0..=count {
            if n < count && (n == 0 || !line(n).starts_with('\x0c')) {
                continue;
            }
            out.page(page_start..n, &line);
            page_start = n;
        }
        out
    }

    fn page<'t>(&mut self, lines: std::ops::Range<usize>, line: &impl Fn(usize) -> &'t str) {
        // Lines holding only a number: the labels of notes (a raised label gets a line of its
        // own), or stray numbers of the body (table cells, page numbers).
        let alone: Vec<(usize, u32)> = lines
            .clone()
            .filter_map(|n| {
                let t = line(n).trim_matches(|c: char| c.is_whitespace() || c == '\x0c');
                (!t.is_empty() && t.len() <= 3 && t.bytes().all(|b| b.is_ascii_digit()))
                    .then(|| t.parse().ok().map(|v| (n, v)))
                    .flatten()
            })
            .collect();
        // The notes start at the earliest such line from which the labels count up by one to
        // the end of the page, at least half of them glued to a word above (a marker).
        let start = (0..alone.len()).find(|&i| {
            let glued = alone[i..]
                .iter()
                .filter(|(_, v)| (lines.start..alone[i].0).any(|n| glued_number(line(n), &v.to_string())))
                .count();
            alone[i..].windows(2).all(|w| w[1].1 == w[0].1 + 1) && glued * 2 >= alone.len() - i
        });
        let Some(i) = start else { return };
        let first = alone[i].0;
        let labels: Vec<(usize, String)> = alone[i..].iter().map(|(n, v)| (*n, v.to_string())).collect();
        for n in first..lines.end {
            self.in_notes[n] = true;
        }
        // Each label's marker: the number glued after a word or punctuation, in page order.
        let mut from = lines.start;
        for (n, label) in labels {
            self.starts.insert(n, label.clone());
            if let Some(m) = (from..first).find(|&m| glued_number(line(m), &label)) {
                self.markers.push((m, label));
                from = m;
            }
        }
    }
}

/// `label` written right after a word or punctuation and followed by a space or the end:
/// `。8 `, `report.7 `, `slowed3 ` — not `2020`, `A/75/1`, `COVID-19`.
fn glued_number(line: &str, label: &str) -> bool {
    let mut from = 0;
    while let Some(p) = line[from..].find(label) {
        let at = from + p;
        from = at + label.len();
        let before = line[..at].chars().next_back();
        let after = line[from..].chars().next();
        let left_ok = before.is_some_and(|c| {
            !c.is_ascii_digit() && !c.is_whitespace() && !matches!(c, '/' | '-' | '.' | ':' | ',' | '(' | '[')
                || (c == '.' && line[..at].chars().rev().nth(1).is_some_and(char::is_alphabetic))
        });
        let right_ok = after.is_none_or(|c| c.is_whitespace() || (!c.is_ascii() && !c.is_numeric()));
        if left_ok && right_ok {
            return true;
        }
    }
    false
}

fn is_heading(t: &str) -> bool {
    let hashes = t.bytes().take_while(|&b| b == b'#').count();
    (1..=6).contains(&hashes) && t[hashes..].chars().next().is_none_or(|c| c == ' ' || c == '\t')
}

/// `40. text` or `40\. text` (pandoc escapes the dot) → `40`.
pub(super) fn paragraph_number(t: &str) -> Option<u32> {
    let digits = t.bytes().take_while(u8::is_ascii_digit).count();
    if digits == 0 || digits > 4 {
        return None;
    }
    let rest = &t[digits..];
    let rest = rest.strip_prefix('\\').unwrap_or(rest);
    let rest = rest.strip_prefix('.')?;
    if !rest.starts_with([' ', '\t', '\u{a0}', '\u{3000}']) {
        return None;
    }
    t[..digits].parse().ok()
}

/// The label of a footnote definition line, if the line starts one.
fn definition_label(t: &str) -> Option<String> {
    if let Some(rest) = t.strip_prefix("<sup>") {
        let close = rest.find("</sup>")?;
        let label = clean_label(&rest[..close])?;
        let after = &rest[close + 6..];
        // `<sup>3</sup>` followed by text (or nothing) at the start of a line.
        if after.is_empty() || after.starts_with(char::is_whitespace) || !after.starts_with(['<', '.']) {
            return Some(label);
        }
        return None;
    }
    if let Some(rest) = t.strip_prefix("[^") {
        let close = rest.find("]:")?;
        return clean_label(&rest[..close]);
    }
    if let Some(rest) = t.strip_prefix("\\*") {
        if rest.starts_with([' ', '\t', '\u{a0}']) {
            return Some("*".to_string());
        }
    }
    None
}

fn clean_label(inner: &str) -> Option<String> {
    let label = strip_tags(inner).trim().trim_start_matches('\\').to_string();
    let ok = !label.is_empty()
        && label.chars().count() <= 8
        && label.chars().all(|c| c.is_alphanumeric() || matches!(c, '*' | '†' | '‡' | '§' | '-' | '_'));
    ok.then_some(label)
}

fn strip_tags(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut in_tag = false;
    for c in s.chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            _ if !in_tag => out.push(c),
            _ => {}
        }
    }
    out
}

/// Footnote markers in a body line: `<sup>N</sup>`, `[^N]`, and a starred `\*` glued to a word.
fn markers_in(line: &str) -> Vec<String> {
    use memchr::memmem::Finder;
    use std::sync::LazyLock;
    // Found for every line of a document: SIMD searches, built once.
    static SUP: LazyLock<(Finder<'static>, Finder<'static>)> =
        LazyLock::new(|| (Finder::new("<sup>"), Finder::new("</sup>")));
    static CARET: LazyLock<Finder<'static>> = LazyLock::new(|| Finder::new("[^"));
    static STAR: LazyLock<Finder<'static>> = LazyLock::new(|| Finder::new("\\*"));
    let mut out = Vec::new();
    if memchr::memchr3(b'<', b'[', b'\\', line.as_bytes()).is_none() {
        return out;
    }
    let mut rest = line;
    while let Some(p) = SUP.0.find(rest.as_bytes()) {
        let after = &rest[p + 5..];
        match SUP.1.find(after.as_bytes()) {
            Some(close) => {
                if let Some(label) = clean_label(&after[..close]) {
                    out.push(label);
                }
                rest = &after[close + 6..];
            }
            None => break,
        }
    }
    let mut rest = line;
    while let Some(p) = CARET.find(rest.as_bytes()) {
        let after = &rest[p + 2..];
        match after.find(']') {
            Some(close) if !after[close + 1..].starts_with(':') => {
                if let Some(label) = clean_label(&after[..close]) {
                    out.push(label);
                }
                rest = &after[close + 1..];
            }
            Some(close) => rest = &after[close + 1..],
            None => break,
        }
    }
    let mut from = 0;
    while let Some(p) = STAR.find(&line.as_bytes()[from..]) {
        let at = from + p;
        let prev = line[..at].chars().next_back();
        if prev.is_some_and(|c| !c.is_whitespace()) {
            out.push("*".to_string());
        }
        from = at + 2;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{check_pairs, check_table};

    /// The footnote and paragraph (`-` for none) of the first occurrence of a needle in `doc`.
    fn contexts(doc: &str) -> impl Fn(&str) -> Vec<String> + '_ {
        let l = Layout::scan(doc);
        let or_dash = |s: &str| if s.is_empty() { "-".to_string() } else { s.to_string() };
        move |needle| {
            let c = l.context(doc.find(needle).unwrap_or(0));
            vec![or_dash(c.footnote), or_dash(c.paragraph)]
        }
    }

    #[test]
    fn definition_lines() {
        check_table(
            |s| definition_label(s).into_iter().collect(),
            "
            <sup>1</sup> text → 1
            <sup>137</sup> See <https://a.org>. → 137
            <sup>13a</sup> x → 13a
            [^12]: https://a.org → 12
            [^13a]: text → 13a
            \\* E/2021/1. → *
            * list item → —
            40. paragraph → —
            plain → —
            ",
        );
    }

    #[test]
    fn paragraph_numbers() {
        assert_eq!(paragraph_number("40. 信息"), Some(40));
        assert_eq!(paragraph_number("7\\. text"), Some(7));
        assert_eq!(paragraph_number("2020. was a year"), Some(2020));
        assert_eq!(paragraph_number("2.5 percent"), None);
        assert_eq!(paragraph_number("(a) item"), None);
        assert_eq!(paragraph_number("12345. x"), None);
    }

    #[test]
    fn markers() {
        assert_eq!(markers_in("text.<sup>3</sup> more<sup>4</sup>"), vec!["3", "4"]);
        assert_eq!(markers_in("a[^1] b[^13a]"), vec!["1", "13a"]);
        assert_eq!(markers_in("项目 18(b)\\*"), vec!["*"]);
        assert_eq!(markers_in("\\* not a marker"), Vec::<String>::new());
    }

    #[test]
    fn paragraphs_continue_after_a_footnote_block() {
        let doc = "## 1. Heading\n\n40. First part.<sup>1</sup> more\n\n<sup>1</sup> <https://a.org>.\n\n---\n\n<sup>2</sup> E/2021/1.\n\ncontinued text.<sup>2</sup>\n\n## Next\n\nloose <sup>3</sup>\n\n<sup>3</sup> x\n";
        check_table(
            contexts(doc),
            "
            <https://a.org> → 1 | 40
            E/2021/1 → 2 | 40
            continued → - | 40
            ## 1. → - | -
            <sup>3</sup> x → 3 | -
            ",
        );
    }

    #[test]
    fn footnote_spans_lines_until_blank() {
        let doc = "1. a<sup>6</sup>\n\n<sup>6</sup> <https://a.org>;  \n<https://b.org>.\n\nbody\n";
        let l = Layout::scan(doc);
        let c = l.context(doc.find("https://b.org").unwrap_or(0));
        assert_eq!((&**c.footnote, &**c.paragraph), ("6", "1"));
        let c = l.context(doc.find("body").unwrap_or(0));
        assert_eq!((&**c.footnote, &**c.paragraph), ("", "1"));
    }

    #[test]
    fn glued_markers() {
        // `label | line` → whether the number `label` in the line is a glued note marker.
        check_pairs(
            |label, line| glued_number(line, label),
            "
            8 | 的意见。8 路线图 → true
            7 | as the report.7 The → true
            3 | growth slowed3 more → true
            3 | 4%以上，3 这加剧 → true
            20 | in 2020 the → false
            1 | see A/75/1 now → false
            19 | COVID-19 cases → false
            5 | grew 2.5 per cent → false
            ",
        );
    }

    #[test]
    fn pdftotext_pages_have_notes_at_their_ends() {
        let doc = "    7.   Growth slowed.3 More text.\n         Further growth.4\n\n\n3\n https://a.org/x-\ny/z\n4\n  A/RES/75/202.\n\u{c}    8.   Next page.5\n5\n  https://c.org/\n";
        check_table(
            contexts(doc),
            "
            https://a.org → 3 | 7
            y/z → 3 | 7
            A/RES/75/202 → 4 | 7
            https://c.org → 5 | 8
            Next page → - | 8
            ",
        );
    }

    /// Every offset's context and position, from the whole layout and from windows ending at
    /// every `step`-th line start; with `reread`, each window is given only its own text
    /// (from [`Windows::resume_at`] to its end), as when a large file is read again.
    fn windows_answer_as_the_whole(doc: &str, step: usize, reread: bool) {
        let whole = Layout::scan(doc);
        let starts: Vec<usize> = line_starts(doc).into_iter().skip(step).step_by(step.max(1)).collect();
        let mut windows = Windows::new(doc);
        let mut from = 0;
        for end in starts.into_iter().filter(|&e| e < doc.len()).chain([doc.len()]) {
            let base = if reread { windows.resume_at().unwrap_or(0) } else { 0 };
            let text = if reread { &doc[base..end] } else { doc };
            assert!(base <= from, "{step}: a window's text starts at {base}, after its first offset {from}");
            let layout = windows.upto(text, base, end);
            let (mut w, mut p) = (whole.positions(doc, 0), layout.positions(text, base));
            for at in (from..end).filter(|&i| doc.is_char_boundary(i)) {
                assert_eq!(layout.context(at), whole.context(at), "{step}: context at {at} of {doc:?}");
                assert_eq!(p.at(at), w.at(at), "{step}: position at {at}");
            }
            from = end;
        }
    }

    #[test]
    fn windows_of_lines_lay_out_as_the_whole() {
        let docs = [
            "## 1. Heading\n\n40. First part.<sup>1</sup> more\n\n<sup>1</sup> <https://a.org>.\n\n---\n\n<sup>2</sup> E/2021/1.\n\ncontinued text.<sup>2</sup>\n\n## Next\n\nloose <sup>3</sup>\n\n<sup>3</sup> x\n",
            // A `[^N]:` note paused by a blank line and continued by an indented paragraph;
            // a definition before its marker; a fence holding a definition-like line.
            "[^7]: first\n\n    more of seven\n\n12. Text[^7] and[^8].\n\n```\n[^8]: not a note\n```\n\n[^8]: eight\r\n  still eight\n13. next 第一\n",
            "\\* starred note\n\n5\\. para\\*\n\n<sup>1</sup> one\n<sup>2</sup> two\nno newline at the end",
        ];
        for doc in docs {
            for step in [1, 2, 3, 5, 100] {
                windows_answer_as_the_whole(doc, step, false);
                windows_answer_as_the_whole(doc, step, true);
            }
        }
    }

    #[test]
    fn a_window_ending_inside_a_line_still_answers_on_it() {
        let doc = "1. a<sup>6</sup>\n\n<sup>6</sup> <https://a.org> and <https://b.org>\nbody\n";
        let whole = Layout::scan(doc);
        let mut windows = Windows::new(doc);
        let cut = doc.find("and").unwrap_or(0);
        let _ = windows.upto(doc, 0, cut);
        let layout = windows.upto(doc, 0, doc.len());
        let at = doc.find("https://b.org").unwrap_or(0);
        assert_eq!(layout.context(at), whole.context(at));
        assert_eq!(layout.positions(doc, 0).at(at), whole.positions(doc, 0).at(at));
    }

    #[test]
    fn columns_count_characters() {
        let doc = "第一行\n大会第70/1号";
        let l = Layout::scan(doc);
        let off = doc.find("70/1").unwrap_or(0);
        assert_eq!(l.positions(doc, 0).at(off), (2, 4));
    }
}
