//! HTML reports and pages (scraper/html5ever): links in content and in footnote or
//! reference lists (`<li id="fn3">`, `<ol class="references">`, `<div class="footnotes">`),
//! `<sup>` markers mapping each footnote to its numbered paragraph, and symbols and
//! resolution references in the text. Stylesheets, scripts, images, navigation, headers,
//! footers and back-links are not citations. Entities are decoded by the parser.

mod notes;
mod parse;
mod tree;

use super::{symbols, url, Found};
use crate::types::Kind;
use tree::{AttrName, Edge, NodeId, Tree};

/// Elements whose content is never a citation.
fn is_skipped(name: &str) -> bool {
    matches!(
        name,
        "script"
            | "style"
            | "noscript"
            | "template"
            | "nav"
            | "header"
            | "footer"
            | "head"
            | "svg"
            | "math"
            | "button"
            | "select"
    )
}

/// Elements that end a run of text (so words of two blocks are not glued together). A match,
/// not a list searched: this is asked twice for every element of a page.
fn is_block(name: &str) -> bool {
    matches!(
        name,
        "p" | "div"
            | "li"
            | "td"
            | "th"
            | "tr"
            | "table"
            | "ul"
            | "ol"
            | "dl"
            | "dd"
            | "dt"
            | "h1"
            | "h2"
            | "h3"
            | "h4"
            | "h5"
            | "h6"
            | "section"
            | "article"
            | "aside"
            | "blockquote"
            | "pre"
            | "body"
            | "br"
            | "figure"
            | "figcaption"
            | "main"
    )
}

/// Where a found citation sits, resolved after the whole tree is read.
#[derive(Debug, Clone)]
struct Place {
    footnote: Option<usize>,
    paragraph: Option<String>,
}

#[derive(Debug, Default, Clone, Copy)]
struct Frame {
    skip: bool,
    footnote: Option<usize>,
    in_link: bool,
    in_item: bool,
    list_counter: Option<usize>,
}

/// Appends every citation of an HTML document to `out`, with its footnote and paragraph.
pub(super) fn extract(text: &str, out: &mut Vec<Found>) {
    let (flat, fast) = read_fast(text);
    let dom;
    let doc = match fast {
        Some(tree) => tree,
        None => {
            dom = scraper::Html::parse_document(&flat);
            Tree::from_dom(&dom)
        }
    };
    let base = doc
        .subtree(doc.root())
        .find(|&n| doc.is(n, "base") && doc.attr(n, AttrName::Href).is_some())
        .and_then(|b| doc.attr(b, AttrName::Href))
        .and_then(|h| ::url::Url::parse(h).ok());
    let notes = notes::find(&doc);
    let mut w = Walker {
        doc: &doc,
        finder: Finder { text, cursor: 0, last_hit: 0, long_misses: 0, window: FIND_WINDOW.0 },
        markers: vec![None; notes.targets.len()],
        notes,
        base,
        found: Vec::new(),
        stack: vec![Frame::default()],
        paragraph: None,
        block: String::new(),
        block_cursor: 0,
        link_symbols: Vec::new(),
    };
    for edge in doc.edges(doc.root()) {
        match edge {
            Edge::Open(node) => w.open(node),
            Edge::Close(node) => w.close(node),
        }
    }
    w.finish(out);
}

/// Pages over this size are checked for deep nesting on another core while they are read.
const PARALLEL_FROM: usize = 1 << 20;

/// The page as html5ever is given it (deep nesting flattened), and its tree when the fast
/// reader builds it (a page html5ever would build without repairs, not flattened).
fn read_fast(text: &str) -> (std::borrow::Cow<'_, str>, Option<Tree<'_>>) {
    use std::borrow::Cow;
    let (flat, tree) = if text.len() > PARALLEL_FROM {
        std::thread::scope(|scope| {
            let flat = scope.spawn(|| flatten_deep_nesting(text));
            let tree = parse::parse(text);
            (flat.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic)), tree)
        })
    } else {
        let flat = flatten_deep_nesting(text);
        let tree = if matches!(flat, Cow::Borrowed(_)) { parse::parse(text) } else { None };
        (flat, tree)
    };
    match flat {
        Cow::Borrowed(_) => (flat, tree),
        Cow::Owned(_) => (flat, None),
    }
}

/// The state of one pass over the parsed page.
struct Walker<'t, 'd> {
    doc: &'d Tree<'d>,
    finder: Finder<'t>,
    notes: notes::Notes,
    /// For each note: the label and paragraph of its first marker.
    markers: Vec<Option<(String, Option<String>)>>,
    base: Option<::url::Url>,
    found: Vec<(Found, Place)>,
    stack: Vec<Frame>,
    paragraph: Option<String>,
    block: String,
    block_cursor: usize,
    link_symbols: Vec<std::sync::Arc<str>>,
}

impl Walker<'_, '_> {
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
            self.paragraph = None;
        }
        if name == "p" && !frame.skip && frame.footnote.is_none() {
            if let Some(n) = leading_number(doc, el) {
                self.paragraph = Some(n);
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
            self.paragraph = Some(o.to_string());
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
        anchor(href, ends, self.base.as_ref(), &mut self.finder, &place, &mut self.found);
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
        scan_block(
            &mut self.block,
            &mut self.finder,
            self.block_cursor,
            &place,
            in_link,
            names,
            &mut self.found,
        );
        self.block_cursor = self.finder.cursor;
    }

    /// Labels: the marker text that points at a note, else the number in its id, else its
    /// position in the list; the paragraph is the one carrying the marker.
    fn finish(self, out: &mut Vec<Found>) {
        let resolved: Vec<(String, Option<String>)> = self
            .notes
            .targets
            .iter()
            .zip(&self.markers)
            .map(|(n, marker)| match marker {
                Some((label, para)) if !label.is_empty() => (label.clone(), para.clone()),
                other => {
                    let label = id_label(&n.id).or(n.ordinal.map(|o| o.to_string())).unwrap_or_default();
                    (label, other.as_ref().and_then(|(_, p)| p.clone()))
                }
            })
            .collect();
        for (mut f, place) in self.found {
            let (footnote, paragraph) = match place.footnote.and_then(|i| resolved.get(i)) {
                Some((label, para)) => (label.clone(), para.clone().unwrap_or_default()),
                None => (String::new(), place.paragraph.unwrap_or_default()),
            };
            f.context = Some(Box::new((footnote, paragraph)));
            out.push(f);
        }
    }
}

/// Deepest element nesting handed to the parser. The HTML tree-building algorithm checks
/// the stack of open elements on most tags, so nesting thousands deep costs quadratic time;
/// no real document nests this deep.
const MAX_DEPTH: usize = 512;

/// Blanks out (with spaces, keeping every byte offset) the start and end tags nested deeper
/// than [`MAX_DEPTH`], except links. One linear pass; documents within the limit are returned
/// unchanged.
fn flatten_deep_nesting(text: &str) -> std::borrow::Cow<'_, str> {
    const VOID: &[&str] = &[
        "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source",
        "track", "wbr",
    ];
    let bytes = text.as_bytes();
    let mut depth = 0usize;
    let mut blank: Vec<std::ops::Range<usize>> = Vec::new();
    for lt in memchr::memchr_iter(b'<', bytes) {
        let rest = &bytes[lt + 1..];
        let closing = rest.first() == Some(&b'/');
        let name_start = lt + 1 + usize::from(closing);
        let name_len = bytes[name_start..].iter().take_while(|b| b.is_ascii_alphanumeric()).count();
        if name_len == 0 {
            continue;
        }
        // Compared in place: this runs for every tag of a page.
        let name = &text[name_start..name_start + name_len];
        if VOID.iter().any(|v| v.eq_ignore_ascii_case(name)) {
            continue;
        }
        let Some(gt) = memchr::memchr(b'>', &bytes[lt..]).map(|p| lt + p) else { break };
        if !closing && bytes[gt - 1] == b'/' {
            continue;
        }
        if closing {
            if depth > MAX_DEPTH && !name.eq_ignore_ascii_case("a") {
                blank.push(lt..gt + 1);
            }
            depth = depth.saturating_sub(1);
        } else {
            depth += 1;
            if depth > MAX_DEPTH && !name.eq_ignore_ascii_case("a") {
                blank.push(lt..gt + 1);
            }
        }
    }
    if blank.is_empty() {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = bytes.to_vec();
    for r in blank {
        out[r].fill(b' ');
    }
    // Only ASCII tag bytes were replaced by ASCII spaces, so the text stays UTF-8.
    std::borrow::Cow::Owned(String::from_utf8_lossy(&out).into_owned())
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

impl Finder<'_> {
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
        let end = super::floor_char_boundary(self.text, from.saturating_add(self.window));
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
    finder: &mut Finder<'_>,
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
    let escaped = amp_escaped(href);
    let start = finder.locate(finder.cursor, &[&escaped, href]);
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
    finder: &mut Finder<'_>,
    from: usize,
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
            let escaped = amp_escaped(raw);
            let start = finder.locate(from, &[raw, &escaped]);
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
        // Markup can split a phrase (`第</font>70/1<font>号决议`): then its symbol part is found.
        let core = raw
            .split(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '/' | '.' | '-')))
            .max_by_key(|w| w.len())
            .unwrap_or(raw);
        let start =
            finder.find(from, &[raw]).or_else(|| finder.find(from, &[core])).unwrap_or(finder.last_hit);
        found.push((Found::new(start, Kind::Symbol, hit.value, raw), place.clone()));
    }
    block.clear();
}

fn is_navigation(doc: &Tree<'_>, el: NodeId) -> bool {
    if matches!(doc.name(el), Some("html" | "body" | "main" | "article")) {
        return false;
    }
    if doc
        .attr(el, AttrName::Role)
        .is_some_and(|r| r.eq_ignore_ascii_case("navigation") || r.eq_ignore_ascii_case("banner"))
    {
        return true;
    }
    // Words of the element's own id and classes: `mw-navigation`, `navbox`, `site-footer`
    // (split and compared as bytes: this runs for every element of a page).
    doc.id_of(el)
        .into_iter()
        .chain(doc.class_words(el))
        .any(|token| token.as_bytes().split(|&b| b == b'-' || b == b'_').any(is_navigation_word))
}

/// A word of an id or class that names navigation, in any case.
fn is_navigation_word(word: &[u8]) -> bool {
    let mut buf = [0u8; 11];
    let Some(lower) = buf.get_mut(..word.len()) else { return false };
    lower.copy_from_slice(word);
    lower.make_ascii_lowercase();
    matches!(
        &*lower,
        b"nav"
            | b"navbar"
            | b"navbox"
            | b"navigation"
            | b"menu"
            | b"sidebar"
            | b"breadcrumb"
            | b"breadcrumbs"
            | b"footer"
            | b"header"
            | b"catlinks"
            | b"toc"
            | b"editsection"
            | b"jump"
            | b"panel"
            | b"portal"
    )
}

/// The visible label of a footnote marker: `[12]` → `12`, `3` → `3`.
fn marker_label(doc: &Tree<'_>, el: NodeId) -> String {
    let t: String = doc.texts(el).collect();
    let t = t.trim().trim_start_matches('[').trim_end_matches(']').trim();
    if !t.is_empty() && t.chars().count() <= 8 && t.chars().all(|c| c.is_alphanumeric() || c == '*') {
        t.to_string()
    } else {
        String::new()
    }
}

/// `fn3` → 3, `fn:3` → 3, `footnote-3` → 3, `cite_note-12` → 12.
fn id_label(id: &str) -> Option<String> {
    let tail: String = id
        .chars()
        .rev()
        .take_while(|c| c.is_ascii_alphanumeric())
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    let tail = tail.trim_start_matches(|c: char| c.is_ascii_alphabetic());
    (!tail.is_empty() && tail.len() <= 6).then(|| tail.to_string())
}

/// `<p>40. text` → `40` (the first characters of the paragraph's text).
fn leading_number(doc: &Tree<'_>, el: NodeId) -> Option<String> {
    let mut head = String::new();
    for t in doc.texts(el) {
        head.push_str(t);
        if head.trim_start().len() > 8 {
            break;
        }
    }
    let h = head.trim_start();
    let digits = h.bytes().take_while(u8::is_ascii_digit).count();
    if (1..=4).contains(&digits)
        && h[digits..].starts_with('.')
        && h[digits + 1..].starts_with(char::is_whitespace)
    {
        Some(h[..digits].to_string())
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows(html: &str) -> Vec<(String, String, String)> {
        let mut out = Vec::new();
        extract(html, &mut out);
        out.into_iter()
            .map(|f| {
                let (fnote, para) = f.context.map(|c| *c).unwrap_or_default();
                (fnote, para, f.value.to_string())
            })
            .collect()
    }

    #[test]
    fn footnote_list_with_markers_and_backlinks() {
        let html = r##"<html><head><link rel="stylesheet" href="https://cdn.example/s.css"><script src="https://cdn.example/a.js"></script></head>
<body><nav><a href="https://example.org/home">Home</a></nav>
<p>12. Growth slowed.<sup><a href="#fn3" id="fnref3">3</a></sup> See <a href="https://a.org/x?p=1&amp;q=2">report</a>.</p>
<img src="https://cdn.example/i.png">
<div class="footnotes"><ol><li id="fn3"><a href="https://undocs.org/en/A/RES/69/156">A/RES/69/156</a> <a href="#fnref3">↩</a></li></ol></div>
</body></html>"##;
        assert_eq!(
            rows(html),
            vec![
                ("".into(), "12".into(), "https://a.org/x?p=1&q=2".into()),
                ("3".into(), "12".into(), "https://undocs.org/en/A/RES/69/156".into()),
                ("3".into(), "12".into(), "A/RES/69/156".into()),
            ]
        );
    }

    #[test]
    fn wikipedia_style_references() {
        let html = r##"<p>Text<sup class="reference"><a href="#cite_note-x-5">[4]</a></sup></p>
<ol class="references"><li id="cite_note-x-5"><span class="mw-cite-backlink"><a href="#cite_ref-x_5-0">^</a></span>
<cite><a class="external text" href="//web.archive.org/web/2011/http://www.stats.govt.nz/">Archived</a></cite></li></ol>"##;
        assert_eq!(
            rows(html),
            vec![(
                "4".into(),
                "".into(),
                "https://web.archive.org/web/2011/http://www.stats.govt.nz/".into()
            )]
        );
    }

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

    #[test]
    fn labels() {
        assert_eq!(id_label("fn3").as_deref(), Some("3"));
        assert_eq!(id_label("fn:12").as_deref(), Some("12"));
        assert_eq!(id_label("footnote-7").as_deref(), Some("7"));
        assert_eq!(id_label("cite_note-12").as_deref(), Some("12"));
    }
}
