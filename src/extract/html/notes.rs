//! Footnotes in HTML, whatever program wrote them. Every dialect links a marker in the body to
//! its note and the note back to the marker:
//!
//! | producer | marker | note |
//! |---|---|---|
//! | Word "Save as HTML" | `<a href="#_ftn1" name="_ftnref1">[1]</a>` (`_edn` for endnotes) | `<div id=ftn1><p><a href="#_ftnref1" name="_ftn1">[1]</a> …` |
//! | LibreOffice | `<a name="sdfootnote1anc" href="#sdfootnote1sym"><sup>1</sup></a>` | `<div id="sdfootnote1"><p><a name="sdfootnote1sym" href="#sdfootnote1anc">1</a> …` |
//! | Google Docs | `<sup><a href="#ftnt1" id="ftnt_ref1">[1]</a></sup>` | `<div><p><a href="#ftnt_ref1" id="ftnt1">[1]</a> …` |
//! | pandoc, kramdown, Hugo | `<a href="#fn1" id="fnref1">`, `<sup id="fnref:1"><a href="#fn:1">` | `<li id="fn1">`, `<li id="fn:1">` |
//! | MediaWiki | `<sup id="cite_ref-x_1-0"><a href="#cite_note-x-1">[1]</a></sup>` | `<ol class="references"><li id="cite_note-x-1">` |
//!
//! So a note is found either as a list item of a footnote list (by its id or its container's
//! class), or as the element a link points at when something there links back to that link.
//! The note's extent grows from its paragraph to the largest ancestor that holds no other note
//! and no marker. Links are matched by their fragment, also when a saved page made them
//! absolute (`https://en.wikipedia.org/wiki/Page#cite_note-1`); markers and back-links are
//! structure, never citations.

use super::tree::{AttrName, IdMap, IdSet, NodeId, StrMap, StrSet, Tree};
use std::borrow::Cow;

/// A note: the element a marker points at.
#[derive(Debug)]
pub(super) struct Target {
    /// Its id (or `name`), for a label when no marker shows one.
    pub id: String,
    /// Its position in its list, for list-item notes.
    pub ordinal: Option<usize>,
}

/// The notes of a page and the links that tie them to the text.
#[derive(Debug, Default)]
pub(super) struct Notes {
    /// Every note, indexed as below.
    pub targets: Vec<Target>,
    /// The element that holds each note's text → its index.
    pub containers: IdMap<usize>,
    /// Links in the text that point at a note → its index.
    pub markers: IdMap<usize>,
    /// Markers and back-links: links that are structure, not citations.
    pub structural: IdSet,
}

/// Notes as they are found: the target elements and the element holding each one's text.
#[derive(Default)]
struct Found {
    notes: Notes,
    container_of: Vec<NodeId>,
    index: IdMap<usize>,
}

impl Found {
    fn add(&mut self, page: &Page<'_>, target: NodeId, container: NodeId) {
        if self.index.contains_key(&target) {
            return;
        }
        let doc = page.doc;
        if doc.name(target).is_none() {
            return;
        }
        let id = doc.id_of(target).or(doc.attr(target, AttrName::Name)).unwrap_or_default().to_string();
        let before = page
            .items_before
            .binary_search_by_key(&target, |&(li, _)| li)
            .map_or(0, |i| page.items_before[i].1);
        let ordinal = doc.is(target, "li").then(|| list_ordinal(doc, target, before));
        self.notes.targets.push(Target { id, ordinal });
        self.container_of.push(container);
        self.index.insert(target, self.notes.targets.len() - 1);
    }
}

struct Anchor<'d> {
    node: NodeId,
    pos: usize,
    fragment: Cow<'d, str>,
    /// Names a back-link can point at: the link's id or name, or its `<sup>`'s id.
    names: Vec<&'d str>,
}

/// What one pass over a range of a page's nodes finds (see [`Page::read`]).
#[derive(Default)]
struct Part<'d> {
    names: StrMap<&'d str, (NodeId, usize)>,
    anchors: Vec<Anchor<'d>>,
    list_notes: Vec<NodeId>,
    /// Each list item with its list and the number of its items before it in this range.
    items_before: Vec<(NodeId, NodeId, usize)>,
    /// The number of each list's items in this range.
    items_in: IdMap<usize>,
}

impl<'d> Part<'d> {
    fn read(doc: &'d Tree<'d>, nodes: std::ops::Range<NodeId>) -> Part<'d> {
        let mut part = Part::default();
        // A node's id is its position in document order.
        for node in nodes {
            let Some(name) = doc.name(node) else { continue };
            let pos = node as usize;
            if name == "li" {
                if let Some(list) = doc.parent(node) {
                    let seen = part.items_in.entry(list).or_default();
                    part.items_before.push((node, list, *seen));
                    *seen += 1;
                }
            }
            if let Some(id) = doc.id_of(node) {
                part.names.entry(id).or_insert((node, pos));
            }
            if name == "li" && is_footnote_item(doc, node) {
                part.list_notes.push(node);
            }
            if name == "a" {
                if let Some(name) = doc.attr(node, AttrName::Name) {
                    part.names.entry(name).or_insert((node, pos));
                }
                part.anchors.extend(anchor(doc, node, pos));
            }
        }
        part
    }

    /// The page of all the nodes read.
    fn into_page(self, doc: &'d Tree<'d>) -> Page<'d> {
        let mut by_fragment: StrMap<Cow<'d, str>, Vec<usize>> = StrMap::default();
        for (i, a) in self.anchors.iter().enumerate() {
            by_fragment.entry(a.fragment.clone()).or_default().push(i);
        }
        Page {
            doc,
            names: self.names,
            anchors: self.anchors,
            list_notes: self.list_notes,
            by_fragment,
            items_before: self.items_before.into_iter().map(|(li, _, before)| (li, before)).collect(),
        }
    }
}

/// Finds the notes of a parsed page (linear in the page, apart from bounded ancestor walks).
pub(super) fn find(doc: &Tree<'_>) -> Notes {
    let page = Page::read(doc);
    let mut found = page.targets();
    // List-item notes come first and keep their item.
    page.grow(&mut found, page.list_notes.len());
    page.links(found)
}

/// What the passes need of the page: its names, its in-page links, its footnote-list items.
struct Page<'d> {
    doc: &'d Tree<'d>,
    /// Element names (ids, and `<a name>`) with their position in document order.
    names: StrMap<&'d str, (NodeId, usize)>,
    anchors: Vec<Anchor<'d>>,
    list_notes: Vec<NodeId>,
    by_fragment: StrMap<Cow<'d, str>, Vec<usize>>,
    /// Each list item, in document order (so found by halving), with the number of list items
    /// before it in its list.
    items_before: Vec<(NodeId, usize)>,
}

/// Pages of more nodes than this are read in two halves, on two cores.
const READ_IN_HALVES_FROM: usize = 1 << 16;

impl<'d> Page<'d> {
    /// Reads the page's nodes in document order; a large page in two halves, the second's
    /// findings then placed after the first's as one pass would have them.
    fn read(doc: &'d Tree<'d>) -> Page<'d> {
        let nodes = doc.subtree(doc.root());
        let mid = (nodes.len() >= READ_IN_HALVES_FROM).then(|| nodes.start + (nodes.end - nodes.start) / 2);
        Page::read_cut(doc, mid)
    }

    /// [`Page::read`], in two halves when `mid` says where the second starts.
    fn read_cut(doc: &'d Tree<'d>, mid: Option<NodeId>) -> Page<'d> {
        let nodes = doc.subtree(doc.root());
        let Some(mid) = mid.filter(|m| nodes.contains(m)) else {
            return Part::read(doc, nodes).into_page(doc);
        };
        let (mut first, second) = std::thread::scope(|scope| {
            let second = scope.spawn(|| Part::read(doc, mid..nodes.end));
            let first = Part::read(doc, nodes.start..mid);
            (first, second.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic)))
        });
        // A name's first element is the first half's, if it has one.
        for (name, at) in second.names {
            first.names.entry(name).or_insert(at);
        }
        // A list's items in the second half come after those in the first.
        first.items_before.extend(
            second.items_before.into_iter().map(|(li, list, before)| {
                (li, list, before + first.items_in.get(&list).copied().unwrap_or(0))
            }),
        );
        first.anchors.extend(second.anchors);
        first.list_notes.extend(second.list_notes);
        first.into_page(doc)
    }

    /// Notes: list items of footnote lists, then elements a link points at when something
    /// there links back to that link (a note comes after its marker).
    fn targets(&self) -> Found {
        let mut found = Found::default();
        for &li in &self.list_notes {
            found.add(self, li, li);
        }
        for (ai, a) in self.anchors.iter().enumerate() {
            let Some(&(target, pos)) = self.names.get(&*a.fragment) else { continue };
            if pos < a.pos || found.index.contains_key(&target) {
                continue;
            }
            let block = block_of(self.doc, target);
            if is_within(self.doc, a.node, block) {
                continue;
            }
            let links_back = a.names.iter().any(|&n| {
                self.by_fragment.get(n).is_some_and(|bs| {
                    bs.iter().any(|&b| b != ai && is_within(self.doc, self.anchors[b].node, block))
                })
            });
            if links_back {
                found.add(self, target, block);
            }
        }
        found
    }

    /// The note an anchor points at, if any.
    fn target_of(&self, a: &Anchor, found: &Found) -> Option<usize> {
        self.names.get(&*a.fragment).and_then(|(t, _)| found.index.get(t)).copied()
    }

    /// A note runs from its paragraph up to the largest ancestor holding no other note and no
    /// marker (Word's `<div id=ftn1>`, LibreOffice's `<div id="sdfootnote1">`). List-item notes
    /// (the first `fixed`) keep their item.
    fn grow(&self, found: &mut Found, fixed: usize) {
        let mut markers_below: IdMap<usize> = IdMap::default();
        let mut targets_below: IdMap<usize> = IdMap::default();
        for a in &self.anchors {
            if let Some(n) = self.target_of(a, found) {
                if !is_within(self.doc, a.node, found.container_of[n]) {
                    for anc in ancestors(self.doc, a.node) {
                        *markers_below.entry(anc).or_default() += 1;
                    }
                }
            }
        }
        for &c in &found.container_of {
            for anc in ancestors(self.doc, c) {
                *targets_below.entry(anc).or_default() += 1;
            }
        }
        for c in found.container_of.iter_mut().skip(fixed) {
            for _ in 0..4 {
                let Some((parent, name)) = self.doc.parent(*c).and_then(|p| Some((p, self.doc.name(p)?)))
                else {
                    break;
                };
                let stop = matches!(name, "body" | "html" | "main" | "article")
                    || targets_below.get(&parent).copied().unwrap_or(0) > 1
                    || markers_below.get(&parent).copied().unwrap_or(0) > 0;
                if stop {
                    break;
                }
                *c = parent;
            }
        }
    }

    /// Markers (links to a note from outside it) and back-links (links inside a note to one
    /// of its markers): structure, not citations.
    fn links(&self, found: Found) -> Notes {
        let Found { mut notes, container_of, index } = found;
        for (n, &c) in container_of.iter().enumerate() {
            notes.containers.entry(c).or_insert(n);
        }
        let containers: IdSet = container_of.iter().copied().collect();
        let inside_a_note = |node: NodeId| {
            containers.contains(&node) || ancestors(self.doc, node).any(|a| containers.contains(&a))
        };
        let mut marker_names: StrSet<'_> = StrSet::default();
        for a in &self.anchors {
            let target = self.names.get(&*a.fragment).and_then(|(t, _)| index.get(t)).copied();
            if let Some(n) = target {
                notes.structural.insert(a.node);
                if !is_within(self.doc, a.node, container_of[n]) {
                    notes.markers.insert(a.node, n);
                    marker_names.extend(a.names.iter().copied());
                }
            }
        }
        for a in &self.anchors {
            if marker_names.contains(&*a.fragment) && inside_a_note(a.node) {
                notes.structural.insert(a.node);
            }
        }
        notes
    }
}

/// An in-page link (`href="#x"`, or `…/page#x` as saved pages write it): its fragment, and
/// the names a back-link can point at (its id or name, or its `<sup>`'s id).
fn anchor<'d>(doc: &'d Tree<'_>, el: NodeId, pos: usize) -> Option<Anchor<'d>> {
    let fragment = doc
        .attr(el, AttrName::Href)
        .and_then(|h| h.split_once('#'))
        .map(|(_, f)| f)
        .filter(|f| !f.is_empty())?;
    let fragment = match percent_encoding::percent_decode_str(fragment).decode_utf8_lossy() {
        Cow::Borrowed(_) => Cow::Borrowed(fragment),
        decoded => Cow::Owned(decoded.into_owned()),
    };
    let mut names: Vec<&str> = [doc.id_of(el), doc.attr(el, AttrName::Name)].into_iter().flatten().collect();
    for a in doc.ancestors(el).take(2) {
        if matches!(doc.name(a), Some("sup" | "span")) {
            names.extend(doc.id_of(a));
        }
    }
    Some(Anchor { node: el, pos, fragment, names })
}

/// Ancestors of a node (itself excluded), nearest first, bounded.
fn ancestors<'d>(doc: &'d Tree<'_>, node: NodeId) -> impl Iterator<Item = NodeId> + 'd {
    doc.ancestors(node).take(12)
}

/// True when `node` is `container` or lies within it (searched a bounded way up).
fn is_within(doc: &Tree<'_>, node: NodeId, container: NodeId) -> bool {
    node == container || ancestors(doc, node).any(|a| a == container)
}

/// The element itself when it is a block, else its nearest block ancestor.
fn block_of(doc: &Tree<'_>, node: NodeId) -> NodeId {
    const BLOCKS: &[&str] = &["p", "li", "div", "dd", "dt", "td", "section", "aside", "blockquote", "body"];
    std::iter::once(node)
        .chain(doc.ancestors(node))
        .take(8)
        .find(|&a| doc.name(a).is_some_and(|n| BLOCKS.contains(&n)))
        .unwrap_or(node)
}

/// The number a list item shows: its `value`, else its position (`before` items precede it)
/// after the list's `start`.
fn list_ordinal(doc: &Tree<'_>, li: NodeId, before: usize) -> usize {
    if let Some(v) = doc.attr(li, AttrName::Value).and_then(|v| v.trim().parse().ok()) {
        return v;
    }
    let start = doc
        .parent(li)
        .and_then(|p| doc.attr(p, AttrName::Start))
        .and_then(|s| s.trim().parse().ok())
        .unwrap_or(1usize);
    start + before
}

/// A list item of a footnote or reference list: its id says so (`fn3`, `cite_note-…`), or a
/// near ancestor's class or id does (`footnotes`, `references`, `doc-endnotes`).
fn is_footnote_item(doc: &Tree<'_>, el: NodeId) -> bool {
    let id = doc.id_of(el).unwrap_or("").as_bytes();
    let id_says = ["fn", "footnote", "cite_note", "endnote", "note"]
        .iter()
        .any(|p| id.get(..p.len()).is_some_and(|h| h.eq_ignore_ascii_case(p.as_bytes())));
    // Read for every list item of a page: compared in place, nothing allocated.
    let says = |text: &str| {
        ["footnote", "references", "endnote", "reflist", "doc-endnotes"]
            .iter()
            .any(|w| text.as_bytes().windows(w.len()).any(|win| win.eq_ignore_ascii_case(w.as_bytes())))
    };
    id_says
        || doc
            .ancestors(el)
            .take(4)
            .filter(|&a| doc.name(a).is_some())
            .any(|a| says(doc.id_of(a).unwrap_or("")) || says(doc.attr(a, AttrName::Class).unwrap_or("")))
}

#[cfg(test)]
mod tests {
    use super::{NodeId, Page};

    /// What a read of the page holds, comparable.
    type Summary<'d> = (
        Vec<(&'d str, (NodeId, usize))>,
        Vec<(NodeId, usize, String, Vec<&'d str>)>,
        Vec<NodeId>,
        Vec<(NodeId, usize)>,
        Vec<(String, Vec<usize>)>,
    );

    fn summary<'d>(page: &Page<'d>) -> Summary<'d> {
        let mut names: Vec<_> = page.names.iter().map(|(&k, &v)| (k, v)).collect();
        names.sort_unstable();
        let anchors =
            page.anchors.iter().map(|a| (a.node, a.pos, a.fragment.to_string(), a.names.clone())).collect();
        let mut by_fragment: Vec<_> =
            page.by_fragment.iter().map(|(k, v)| (k.to_string(), v.clone())).collect();
        by_fragment.sort_unstable();
        let items = page.items_before.clone();
        (names, anchors, page.list_notes.clone(), items, by_fragment)
    }

    #[test]
    fn a_page_read_in_two_halves_is_read_as_in_one_pass() {
        // Lists whose items fall on both sides of any cut, names given twice (the first one
        // counts), markers, back-links, named anchors and escaped fragments.
        let mut html = String::from("<html><body><p>Intro");
        for i in 1..40 {
            html.push_str(&format!(
                "<sup id=\"r{i}\"><a href=\"#fn{i}\">{i}</a></sup> <a name=\"n{i}\" href=\"#x%20{i}\">x</a> "
            ));
        }
        html.push_str("</p><ol class=\"footnotes\" start=\"3\">");
        for i in 1..40 {
            html.push_str(&format!(
                "<li id=\"fn{i}\"><a href=\"#r{i}\">^</a> https://a.org/{i}</li><li>plain</li>"
            ));
            if i % 7 == 0 {
                html.push_str("</ol><ul><li id=\"fn1\">again</li></ul><ol class=\"footnotes\">");
            }
        }
        html.push_str("</ol><p id=\"n3\">late</p></body></html>");
        let Some(doc) = super::super::parse::parse(&html) else { panic!("not read fast") };
        let one = summary(&Page::read_cut(&doc, None));
        assert!(one.1.len() == 117 && one.2.len() > 40 && one.3.len() > 80, "{one:?}");
        for mid in doc.subtree(doc.root()) {
            assert_eq!(summary(&Page::read_cut(&doc, Some(mid))), one, "cut at node {mid}");
        }
    }
}
