//! The walk over a parsed page: links and the text between block boundaries become
//! citations, each placed in its note and numbered paragraph.
//!
//! A large page is walked in two halves on two cores, cut before a block element that is a
//! child of the body. What the second half cannot know until the first is done is settled
//! afterwards, exactly as one walk would have it: the paragraph its first nodes sit in, which
//! marker of a note comes first, and where in the source its citations are (the finder's
//! searches depend on where the previous ones ended, so the second half notes its searches and
//! they are done in order when the first half is done). `tests` compares the halves with one
//! walk on generated pages.

use super::notes::{Notes, Target};
use super::tree::{AttrName, Edge, NodeId, Tree};
use super::{
    id_label, is_block, is_navigation, is_skipped, leading_number, marker_label, symbols, url, Found,
};
use crate::types::Kind;

/// Pages over this size are read and walked in two halves (on two cores).
pub(super) const PARALLEL_FROM: usize = 1 << 20;

/// The citations of a parsed page, with their places (labelled by [`Walked::finish`], which
/// needs the notes' targets and no longer the tree).
pub(super) fn walk(doc: &Tree<'_>, text: &str, notes: &Notes, base: Option<&::url::Url>) -> Walked {
    let split = if text.len() > PARALLEL_FROM { split_point(doc) } else { None };
    walk_split(doc, text, notes, base, split)
}

/// What a walk found: the citations of the first (or only) half, those of the second, and
/// each note's first marker.
pub(super) struct Walked {
    found: Vec<(Found, Place)>,
    rest: Vec<(Found, Place)>,
    markers: Vec<Option<(String, Para)>>,
}

/// The walk, in two halves when `split` names where the second starts (its ancestors and
/// the node).
fn walk_split(
    doc: &Tree<'_>,
    text: &str,
    notes: &Notes,
    base: Option<&::url::Url>,
    split: Option<(Vec<NodeId>, NodeId)>,
) -> Walked {
    let live = Seek::Live { finder: Finder::new(text), block: 0 };
    let mut first = Walker::new(doc, notes, base, live, Para::Is(None));
    let Some((ancestors, at)) = split else {
        doc.edges(doc.root()).for_each(|edge| first.step(edge));
        return Walked { found: first.found, rest: Vec::new(), markers: first.markers };
    };
    let second = std::thread::scope(|scope| {
        let second = scope.spawn(|| {
            let mut w = Walker::new(doc, notes, base, Seek::Deferred(Vec::new()), Para::Inherited);
            doc.edges_from(&ancestors, at).for_each(|edge| w.step(edge));
            w
        });
        for edge in doc.edges(doc.root()) {
            if edge == Edge::Open(at) {
                break;
            }
            first.step(edge);
        }
        // The flush one walk makes when it opens `at` (a block), with its parent's frame.
        let frame = first.stack.last().copied().unwrap_or_default();
        first.flush(frame.footnote, frame.in_link, true);
        second.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic))
    });
    let rest = first.absorb(second);
    Walked { found: first.found, rest, markers: first.markers }
}

impl Walked {
    /// Labels: the marker text that points at a note, else the number in its id, else its
    /// position in the list; the paragraph is the one carrying the marker.
    pub(super) fn finish(self, notes: &[Target], out: &mut Vec<Found>) {
        let resolved: Vec<(String, Option<String>)> = notes
            .iter()
            .zip(&self.markers)
            .map(|(n, marker)| match marker {
                Some((label, para)) if !label.is_empty() => (label.clone(), para.known()),
                other => {
                    let label = id_label(&n.id).or(n.ordinal.map(|o| o.to_string())).unwrap_or_default();
                    (label, other.as_ref().and_then(|(_, p)| p.known()))
                }
            })
            .collect();
        out.reserve(self.found.len() + self.rest.len());
        for (mut f, place) in self.found.into_iter().chain(self.rest) {
            let (footnote, paragraph) = match place.footnote.and_then(|i| resolved.get(i)) {
                Some((label, para)) => (label.clone(), para.clone().unwrap_or_default()),
                None => (String::new(), place.paragraph.known().unwrap_or_default()),
            };
            f.context = Some(Box::new((footnote, paragraph)));
            out.push(f);
        }
    }
}

/// Where to cut a page in two: before the block child of the body nearest its middle (not
/// the first child), with that node's ancestors (the root and the body).
fn split_point(doc: &Tree<'_>) -> Option<(Vec<NodeId>, NodeId)> {
    let root = doc.root();
    let body = doc.children(root).find(|&c| doc.is(c, "body"))?;
    let (lo, hi) = (body + 1, doc.end(body));
    let mid = lo + (hi - lo) / 2;
    let at = doc
        .children(body)
        .filter(|&c| c > lo && doc.name(c).is_some_and(is_block))
        .min_by_key(|&c| c.abs_diff(mid))?;
    Some((vec![root, body], at))
}

/// A paragraph label as a walk knows it: the second half does not know the paragraph its
/// first nodes sit in until the first half is walked.
#[derive(Debug, Clone, PartialEq)]
enum Para {
    Inherited,
    Is(Option<String>),
}

impl Para {
    fn known(&self) -> Option<String> {
        match self {
            Para::Is(p) => p.clone(),
            Para::Inherited => None,
        }
    }
}

/// A search the second half's walk noted, to be done in order after the first half's: its
/// text as written (the other candidates follow from it).
#[derive(Debug)]
enum Op {
    Link(Box<str>),
    Bare(Box<str>),
    Symbol(Box<str>),
    EndBlock,
}

/// A walk's finder: searching as it goes, or noting its searches (each citation's position
/// is then the index of its search until they are done).
enum Seek<'t> {
    Live { finder: Finder<'t>, block: usize },
    Deferred(Vec<Op>),
}

impl Seek<'_> {
    /// The position of a link's target as written (also looked for with `&` escaped).
    fn link(&mut self, href: &str) -> usize {
        match self {
            Seek::Live { finder, .. } => {
                let from = finder.cursor;
                finder.locate(from, &[&amp_escaped(href), href])
            }
            Seek::Deferred(ops) => Self::note(ops, Op::Link(href.into())),
        }
    }

    /// The position of a URL in the text of the block being scanned.
    fn bare(&mut self, raw: &str) -> usize {
        match self {
            Seek::Live { finder, block } => finder.locate(*block, &[raw, &amp_escaped(raw)]),
            Seek::Deferred(ops) => Self::note(ops, Op::Bare(raw.into())),
        }
    }

    /// The position of a symbol as written, else of its symbol part, in the block.
    fn symbol(&mut self, raw: &str) -> usize {
        match self {
            Seek::Live { finder, block } => {
                let from = *block;
                finder
                    .find(from, &[raw])
                    .or_else(|| finder.find(from, &[symbol_core(raw)]))
                    .unwrap_or(finder.last_hit)
            }
            Seek::Deferred(ops) => Self::note(ops, Op::Symbol(raw.into())),
        }
    }

    fn note(ops: &mut Vec<Op>, op: Op) -> usize {
        ops.push(op);
        ops.len() - 1
    }

    /// A block was scanned: the next one's searches start where its ended.
    fn end_block(&mut self) {
        match self {
            Seek::Live { finder, block } => *block = finder.cursor,
            // Twice in a row is once: nothing moved the cursor between.
            Seek::Deferred(ops) if matches!(ops.last(), Some(Op::EndBlock)) => {}
            Seek::Deferred(ops) => ops.push(Op::EndBlock),
        }
    }

    /// Does noted searches in order; the position each found, by its index.
    fn replay(&mut self, ops: &[Op]) -> Vec<usize> {
        ops.iter()
            .map(|op| match op {
                Op::Link(raw) => self.link(raw),
                Op::Bare(raw) => self.bare(raw),
                Op::Symbol(raw) => self.symbol(raw),
                Op::EndBlock => {
                    self.end_block();
                    0
                }
            })
            .collect()
    }
}

/// Where a found citation sits, resolved after the whole tree is read.
#[derive(Debug, Clone)]
struct Place {
    footnote: Option<usize>,
    paragraph: Para,
}

#[derive(Debug, Default, Clone, Copy)]
struct Frame {
    skip: bool,
    footnote: Option<usize>,
    in_link: bool,
    in_item: bool,
    list_counter: Option<usize>,
}

/// The state of one walk over the page (or over one of its halves).
struct Walker<'t, 'd> {
    doc: &'d Tree<'d>,
    seek: Seek<'t>,
    notes: &'d Notes,
    /// For each note: the label and paragraph of its first marker.
    markers: Vec<Option<(String, Para)>>,
    base: Option<&'d ::url::Url>,
    found: Vec<(Found, Place)>,
    stack: Vec<Frame>,
    paragraph: Para,
    block: String,
    link_symbols: Vec<std::sync::Arc<str>>,
}

impl<'t, 'd> Walker<'t, 'd> {
    fn new(
        doc: &'d Tree<'d>,
        notes: &'d Notes,
        base: Option<&'d ::url::Url>,
        seek: Seek<'t>,
        paragraph: Para,
    ) -> Self {
        Walker {
            doc,
            seek,
            notes,
            markers: vec![None; notes.targets.len()],
            base,
            found: Vec::new(),
            stack: vec![Frame::default()],
            paragraph,
            block: String::new(),
            link_symbols: Vec::new(),
        }
    }

    fn step(&mut self, edge: Edge) {
        match edge {
            Edge::Open(node) => self.open(node),
            Edge::Close(node) => self.close(node),
        }
    }

    fn open(&mut self, node: NodeId) {
        let mut frame = match self.stack.last() {
            Some(f) => Frame { list_counter: None, ..*f },
            None => Frame::default(),
        };
        if let Some(name) = self.doc.name(node) {
            self.open_element(node, name, &mut frame);
        } else if let Some(t) = self.doc.text(node) {
            if !frame.skip {
                self.block.push_str(t);
            }
        }
        self.stack.push(frame);
    }

    fn open_element(&mut self, el: NodeId, name: &str, frame: &mut Frame) {
        let doc = self.doc;
        let (footnote, in_link) = (frame.footnote, frame.in_link);
        if is_block(name) {
            self.flush(footnote, in_link, true);
        }
        if !frame.skip && (is_skipped(name) || is_navigation(doc, el)) {
            frame.skip = true;
        }
        if name == "ol" || name == "ul" {
            let start = doc.attr(el, AttrName::Start).and_then(|s| s.parse().ok()).unwrap_or(1usize);
            frame.list_counter = Some(start.saturating_sub(1));
        }
        if let Some(&n) = self.notes.containers.get(&el) {
            frame.footnote = Some(n);
        }
        if name == "li" && !frame.skip {
            self.list_item(el, frame);
        }
        if matches!(name, "h1" | "h2" | "h3" | "h4" | "h5" | "h6") && !frame.skip {
            self.paragraph = Para::Is(None);
        }
        if name == "p" && !frame.skip && frame.footnote.is_none() {
            if let Some(n) = leading_number(doc, el) {
                self.paragraph = Para::Is(Some(n));
            }
        }
        if name == "a" && !frame.skip {
            self.flush(footnote, in_link, false);
            frame.in_link = true;
            self.link_symbols.clear();
            self.link(el, frame.footnote);
        }
    }

    /// An item of a top-level numbered list in the body is a numbered paragraph (word
    /// processors save `28.` paragraphs as `<ol start="28"><li>`).
    fn list_item(&mut self, el: NodeId, frame: &mut Frame) {
        let doc = self.doc;
        let value = doc.attr(el, AttrName::Value).and_then(|v| v.trim().parse().ok());
        let ordinal = self.stack.iter_mut().rev().find_map(|f| f.list_counter.as_mut()).map(|c| {
            *c = value.unwrap_or(*c + 1);
            *c
        });
        let top_level = !self.stack.iter().any(|f| f.in_item);
        let decimal = doc
            .parent(el)
            .is_some_and(|p| doc.is(p, "ol") && doc.attr(p, AttrName::Type).is_none_or(|t| t == "1"));
        if let (None, true, true, Some(o)) = (frame.footnote, top_level, decimal, ordinal) {
            self.paragraph = Para::Is(Some(o.to_string()));
        }
        frame.in_item = true;
    }

    /// A link: a marker of a note, a structural link, or a citation.
    fn link(&mut self, el: NodeId, footnote: Option<usize>) {
        let doc = self.doc;
        let Some(href) = doc.attr(el, AttrName::Href) else { return };
        if let Some(&n) = self.notes.markers.get(&el) {
            if self.markers[n].is_none() && footnote.is_none() {
                self.markers[n] = Some((marker_label(doc, el), self.paragraph.clone()));
            }
            return;
        }
        if self.notes.structural.contains(&el) || href.starts_with('#') {
            return; // a back-link, or a link within the page: not a citation
        }
        let place = Place { footnote, paragraph: self.paragraph.clone() };
        let before = self.found.len();
        let visible: String = doc.texts(el).collect();
        let ends = url::Ends::of_link(href, &visible);
        anchor(href, ends, self.base, &mut self.seek, &place, &mut self.found);
        let named =
            self.found[before..].iter().filter(|(f, _)| f.kind == Kind::Symbol).map(|(f, _)| f.value.clone());
        self.link_symbols.extend(named);
    }

    fn close(&mut self, node: NodeId) {
        let frame = self.stack.pop().unwrap_or_default();
        let Some(name) = self.doc.name(node) else { return };
        if is_block(name) || name == "a" {
            // Text of a link is scanned for symbols it names beyond its target.
            self.flush(frame.footnote, frame.in_link, true);
            if name == "a" {
                self.link_symbols.clear();
            }
        }
    }

    /// Scans the text gathered since the last boundary (`with_link_symbols`: skip symbols the
    /// open link's target already names).
    fn flush(&mut self, footnote: Option<usize>, in_link: bool, with_link_symbols: bool) {
        let names: &[std::sync::Arc<str>] = if with_link_symbols { &self.link_symbols } else { &[] };
        let place = Place { footnote, paragraph: self.paragraph.clone() };
        scan_block(&mut self.block, &mut self.seek, &place, in_link, names, &mut self.found);
        self.seek.end_block();
    }

    /// Takes in the walk of the second half, once this (the first) is done: its searches
    /// are done where this walk's ended, its first nodes get this walk's last paragraph, and
    /// its markers count for notes this walk saw no marker of.
    /// Returns the second half's citations, which follow this walk's.
    fn absorb(&mut self, second: Walker<'_, '_>) -> Vec<(Found, Place)> {
        let at = match &second.seek {
            Seek::Deferred(ops) => self.seek.replay(ops),
            Seek::Live { .. } => Vec::new(),
        };
        let last = self.paragraph.known();
        let resolve = |p: Para| match p {
            Para::Inherited => Para::Is(last.clone()),
            known => known,
        };
        let mut found = second.found;
        for (f, place) in &mut found {
            f.start = at.get(f.start).copied().unwrap_or(0);
            place.paragraph = resolve(std::mem::replace(&mut place.paragraph, Para::Inherited));
        }
        for (mine, theirs) in self.markers.iter_mut().zip(second.markers) {
            if mine.is_none() {
                *mine = theirs.map(|(label, p)| (label, resolve(p)));
            }
        }
        self.paragraph = resolve(second.paragraph);
        found
    }
}

/// Finds raw text in the source in document order (the parser keeps no positions).
struct Finder<'t> {
    text: &'t str,
    cursor: usize,
    last_hit: usize,
    /// Searches past the window that found nothing (each costs the rest of the page).
    long_misses: usize,
    /// Bytes searched from the cursor: halved by each miss, reset by a hit, so text the source
    /// writes differently (entity-coded hrefs) costs a little per link, not a window each.
    window: usize,
}

/// The widest window [`Finder`] searches, and the narrowest.
const FIND_WINDOW: (usize, usize) = (256 * 1024, 2 * 1024);

impl<'t> Finder<'t> {
    fn new(text: &'t str) -> Self {
        Finder { text, cursor: 0, last_hit: 0, long_misses: 0, window: FIND_WINDOW.0 }
    }

    /// Offset of the first of `candidates` found at or after `from`; advances the cursor.
    /// Text the parser made up (an element it re-opened) is not in the source: it gets the
    /// position of the previous hit.
    fn locate(&mut self, from: usize, candidates: &[&str]) -> usize {
        self.find(from, candidates).unwrap_or(self.last_hit)
    }

    /// Offset of the first of `candidates` found at or after `from`, advancing the cursor;
    /// `None` when none is found.
    fn find(&mut self, from: usize, candidates: &[&str]) -> Option<usize> {
        let mut from = from.min(self.text.len());
        while !self.text.is_char_boundary(from) {
            from += 1;
        }
        // A bounded window keeps a miss from scanning the rest of a large page.
        let end = super::super::floor_char_boundary(self.text, from.saturating_add(self.window));
        // The earliest of the candidates: each later one is only looked for before the best
        // so far (byte search: UTF-8 needles match at character boundaries only).
        let find_in = |hay: &str| {
            let mut best: Option<usize> = None;
            for c in candidates.iter().filter(|c| !c.is_empty()) {
                let limit = best.map_or(hay.len(), |b| (b + c.len()).min(hay.len()));
                if let Some(p) = find_bytes(&hay.as_bytes()[..limit], c.as_bytes()) {
                    best = Some(p);
                }
            }
            best
        };
        let mut hit = find_in(self.text.get(from..end).unwrap_or(""));
        if hit.is_none() && end < self.text.len() && self.long_misses < 16 {
            hit = find_in(self.text.get(from..).unwrap_or(""));
            if hit.is_none() {
                self.long_misses += 1;
            }
        }
        self.window = if hit.is_some() { FIND_WINDOW.0 } else { (self.window / 2).max(FIND_WINDOW.1) };
        let at = from + hit?;
        // The cursor moves past the whole first character, so it stays on a boundary.
        let next = at + self.text[at..].chars().next().map_or(1, char::len_utf8);
        self.cursor = self.cursor.max(next);
        self.last_hit = at;
        Some(at)
    }
}

/// The first place `needle` (not empty) occurs in `hay`. Most searches hit within a few
/// hundred bytes: those are found by the needle's first byte, without setting up a searcher
/// (which cost more than the search itself, once per link and symbol of a page).
fn find_bytes(hay: &[u8], needle: &[u8]) -> Option<usize> {
    const NEAR: usize = 4096;
    let &first = needle.first()?;
    let near = &hay[..hay.len().min(NEAR + needle.len())];
    let mut at = 0;
    while let Some(p) = memchr::memchr(first, &near[at..]) {
        if near[at + p..].starts_with(needle) {
            return Some(at + p);
        }
        at += p + 1;
    }
    // Every start up to NEAR was tried above.
    let rest = hay.get(NEAR + 1..).filter(|_| near.len() < hay.len())?;
    memchr::memmem::find(rest, needle).map(|p| p + NEAR + 1)
}

fn anchor(
    href: &str,
    ends: url::Ends,
    base: Option<&::url::Url>,
    seek: &mut Seek<'_>,
    place: &Place,
    found: &mut Vec<(Found, Place)>,
) {
    let href = href.trim();
    let absolute = match url::classify(href) {
        url::Target::Citable => href.to_string(),
        url::Target::NotCitation => match base.and_then(|b| b.join(href).ok()) {
            Some(u) if !href.starts_with('#') && !href.starts_with("data:") => u.to_string(),
            _ => return,
        },
    };
    let start = seek.link(href);
    for piece in url::split_glued(&absolute, ends) {
        let target = &absolute[piece];
        let value = url::normalise(target);
        let symbol = symbols::from_url(&value);
        found.push((Found::new(start, Kind::Url, value, href), place.clone()));
        if let Some(sym) = symbol {
            found.push((Found::new(start, Kind::Symbol, sym, href), place.clone()));
        }
    }
}

/// The symbol part of a phrase: markup can split a phrase (`第</font>70/1<font>号决议`), and
/// then only its symbol part is found in the source.
fn symbol_core(raw: &str) -> &str {
    raw.split(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '/' | '.' | '-')))
        .max_by_key(|w| w.len())
        .unwrap_or(raw)
}

/// `s` as HTML source writes it with `&` escaped, or empty when it holds none (the finder
/// skips empty candidates: each search sets up a searcher).
fn amp_escaped(s: &str) -> String {
    if s.contains('&') {
        s.replace('&', "&amp;")
    } else {
        String::new()
    }
}

/// Scans the text gathered since the last block boundary.
fn scan_block(
    block: &mut String,
    seek: &mut Seek<'_>,
    place: &Place,
    in_link: bool,
    link_symbols: &[std::sync::Arc<str>],
    found: &mut Vec<(Found, Place)>,
) {
    if block.trim().is_empty() {
        block.clear();
        return;
    }
    let urls = url::find_bare_urls(block);
    if !in_link {
        // Bare URLs in text that is not a link's visible text (that would repeat its target).
        for r in urls.iter().cloned() {
            let raw = &block[r];
            let start = seek.bare(raw);
            for piece in url::split_glued(raw, url::Ends::Trim) {
                let value = url::normalise(&raw[piece]);
                let symbol = symbols::from_url(&value);
                found.push((Found::new(start, Kind::Url, value, raw), place.clone()));
                if let Some(sym) = symbol {
                    found.push((Found::new(start, Kind::Symbol, sym, raw), place.clone()));
                }
            }
        }
    }
    for hit in symbols::find_in_prose(block, &urls) {
        if link_symbols.iter().any(|n| **n == *hit.value) {
            continue;
        }
        let raw = &block[hit.start..hit.end];
        let start = seek.symbol(raw);
        found.push((Found::new(start, Kind::Symbol, hit.value, raw), place.clone()));
    }
    block.clear();
}

#[cfg(test)]
mod tests {
    use super::super::Rng;
    use super::*;

    proptest::proptest! {
        /// The near search finds what a full search finds, wherever the needle is.
        #[test]
        fn find_bytes_is_memmem(
            hay in proptest::collection::vec(proptest::sample::select(b"ab<&".to_vec()), 0..9000),
            // Mostly found only where it is put (`h` is not in the page), near or far.
            needle in proptest::collection::vec(proptest::sample::select(b"h&a".to_vec()), 1..5),
            at in 0usize..9000,
        ) {
            let mut hay = hay;
            let at = at.min(hay.len());
            hay.splice(at..at, needle.iter().copied());
            proptest::prop_assert_eq!(find_bytes(&hay, &needle), memchr::memmem::find(&hay, &needle));
        }
    }

    /// A report-like page: numbered paragraphs with markers, links, symbols and bare URLs,
    /// headings, lists, then a reference list whose items link back.
    fn page(rng: &mut Rng) -> String {
        let mut html = String::from("<html><body>\n");
        let notes = rng.below(6) + 1;
        for i in 0..rng.below(12) + 2 {
            let bit = match rng.below(12) {
                // A marker whose paragraph comes from before the cut.
                10 => format!("<div>See<sup><a href=\"#cite_note-{n}\">[{n}]</a></sup></div>", n = rng.below(notes) + 1),
                8 => format!("Loose text https://t.org/{i} <i>A/RES/72/{i}</i> <a href=\"https://l.org/{i}\">l</a> after https://u.org/{i}"),
                0 => format!("<h2>Part {i}</h2>"),
                1 => format!("<p>{i}. Text<sup id=\"cite_ref-{n}\"><a href=\"#cite_note-{n}\">[{n}]</a></sup> and more.</p>", n = rng.below(notes) + 1),
                2 => format!("<p>See <a href=\"https://e.org/{i}?a=1&amp;b=2\">the report</a> and A/RES/70/{i}.</p>"),
                3 => format!("<ol start=\"{i}\"><li>Item http://x.org/{i} here</li><li>Next, resolution 70/{i}</li></ol>"),
                4 => format!("<div class=\"nav\"><a href=\"https://menu.org/{i}\">m</a></div>"),
                5 => format!("<p>https://bare.org/{i} and <a href=\"https://undocs.org/A/RES/71/{i}\">A/RES/71/{i}</a></p>"),
                6 => "<p>Same https://e.org/1?a=1&amp;b=2 again</p>".to_string(),
                7 => format!("<div><span>{i}. Loose</span> text <b>https://b.org/{i}</b></div>"),
                _ => format!("<blockquote>E/2020/{i}-E/CN.16/2020/{i}</blockquote>"),
            };
            html.push_str(&bit);
            html.push('\n');
        }
        html.push_str("<ol class=\"references\">\n");
        for n in 1..=notes {
            html.push_str(&format!(
                "<li id=\"cite_note-{n}\"><a href=\"#cite_ref-{n}\">^</a> <a href=\"https://src.org/{n}\">Source {n}</a> A/HRC/{n}/1</li>\n"
            ));
        }
        html.push_str("</ol>\n</body></html>\n");
        html
    }

    /// What a walk found, as compared.
    fn outcome(doc: &Tree<'_>, text: &str, split: Option<(Vec<NodeId>, NodeId)>) -> Vec<String> {
        let notes = super::super::notes::find(doc);
        let mut out = Vec::new();
        walk_split(doc, text, &notes, None, split).finish(&notes.targets, &mut out);
        out.into_iter()
            .map(|f| format!("{} {:?} {} {} {:?}", f.start, f.kind, f.value, f.raw, f.context))
            .collect()
    }

    #[test]
    fn two_halves_find_what_one_walk_finds() {
        let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
        let mut cuts = 0;
        for _ in 0..300 {
            let html = page(&mut rng);
            let Some(doc) = super::super::parse::parse(&html) else { panic!("not read fast: {html}") };
            let whole = outcome(&doc, &html, None);
            assert!(!whole.is_empty());
            let root = doc.root();
            let Some(body) = doc.children(root).find(|&c| doc.is(c, "body")) else { panic!("no body") };
            // Every place the page can be cut gives the same citations.
            for at in doc.children(body).filter(|&c| c > body + 1 && doc.name(c).is_some_and(is_block)) {
                cuts += 1;
                assert_eq!(outcome(&doc, &html, Some((vec![root, body], at))), whole, "cut at {at}: {html}");
            }
            assert!(split_point(&doc).is_some());
        }
        assert!(cuts > 1000, "{cuts} cuts");
    }
}
