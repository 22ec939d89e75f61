//! A parsed page as the extraction reads it: nodes in document order, each knowing its parent
//! and where its subtree ends, with only the attributes the rules read. Built either by the
//! fast reader (`parse.rs`, for pages html5ever would build without repairs) or from
//! html5ever's tree (`from_dom`), so the rules run over one shape whichever built it.
//!
//! Document order with subtree ends makes "is this inside that" a comparison and a subtree's
//! text a slice of the node list; the page's strings are borrowed from the source (or the
//! DOM) unless decoding changed them.

/// A node's index in document order (the document itself is 0).
pub(super) type NodeId = u32;

/// Hashes a node id in one multiplication (and names a word at a time): the maps keyed by
/// node or name are read for every element and link of a page. Not resistant to chosen keys
/// (SipHash is); a page crafted to collide costs time, never a wrong answer.
#[derive(Default, Clone, Copy)]
pub(super) struct IdHasher(u64);

impl std::hash::Hasher for IdHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            let word = u64::from_le_bytes([c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]]);
            self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(0x9e37_79b9_7f4a_7c15);
        }
        for &b in chunks.remainder() {
            self.0 = (self.0.rotate_left(5) ^ u64::from(b)).wrapping_mul(0x9e37_79b9_7f4a_7c15);
        }
    }

    fn write_u32(&mut self, n: u32) {
        self.0 = (self.0 ^ u64::from(n)).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    }
}

/// A map keyed by node.
pub(super) type IdMap<V> = std::collections::HashMap<NodeId, V, std::hash::BuildHasherDefault<IdHasher>>;
/// A set of nodes.
pub(super) type IdSet = std::collections::HashSet<NodeId, std::hash::BuildHasherDefault<IdHasher>>;
/// A map keyed by a name of the page.
pub(super) type StrMap<K, V> = std::collections::HashMap<K, V, std::hash::BuildHasherDefault<IdHasher>>;
/// A set of names of the page.
pub(super) type StrSet<'s> = std::collections::HashSet<&'s str, std::hash::BuildHasherDefault<IdHasher>>;

/// The attributes the rules read; all others are dropped while the tree is built.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum AttrName {
    Id,
    Class,
    Name,
    Href,
    Start,
    Value,
    Type,
    Role,
}

impl AttrName {
    /// The attribute a (lower-case) name stands for, when the rules read it.
    pub(super) fn of(local: &str) -> Option<AttrName> {
        Some(match local {
            "id" => AttrName::Id,
            "class" => AttrName::Class,
            "name" => AttrName::Name,
            "href" => AttrName::Href,
            "start" => AttrName::Start,
            "value" => AttrName::Value,
            "type" => AttrName::Type,
            "role" => AttrName::Role,
            _ => return None,
        })
    }
}

/// Where a node's string is: a slice of the page, or of the tree's own text (what decoding
/// changed, or a copy of html5ever's strings).
#[derive(Debug, Clone, Copy)]
struct Span {
    start: u32,
    /// The length; the top bit says the string is in the tree's own text.
    len: u32,
}

const OWN: u32 = 1 << 31;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Document,
    Element,
    Text,
}

#[derive(Debug, Clone, Copy)]
struct Attr {
    value: Span,
    name: AttrName,
    /// Without a namespace or prefix (only foreign content, `xml:id`, has them).
    plain: bool,
}

/// 24 bytes a node: a page of 15 MB has ~450,000 of them.
#[derive(Debug)]
struct Node {
    parent: NodeId,
    /// One past the last node of its subtree.
    end: NodeId,
    /// An element's name, or a text's text.
    span: Span,
    /// An element's attributes: `attrs[first..first + count]`.
    first_attr: u32,
    attr_count: u16,
    kind: Kind,
}

/// A parsed page. Comments, doctypes and processing instructions are left out: no rule reads
/// them, and document order between the other nodes is unchanged without them. Strings are
/// kept as offsets (a page over 2 GB loses those past that; the input limit is far below).
#[derive(Debug)]
pub(super) struct Tree<'s> {
    src: &'s str,
    own: String,
    nodes: Vec<Node>,
    attrs: Vec<Attr>,
    root: NodeId,
}

/// Builds a [`Tree`] in document order: every node is appended to the open element.
pub(super) struct Builder<'s> {
    tree: Tree<'s>,
    open: Vec<NodeId>,
}

impl<'s> Builder<'s> {
    /// A builder for the tree of `src`: strings within it are kept as offsets.
    pub(super) fn new(src: &'s str) -> Self {
        let document = Node {
            parent: 0,
            end: 0,
            span: Span { start: 0, len: 0 },
            first_attr: 0,
            attr_count: 0,
            kind: Kind::Document,
        };
        let tree = Tree { src, own: String::new(), nodes: vec![document], attrs: Vec::new(), root: 0 };
        Builder { tree, open: vec![0] }
    }

    /// The open element new nodes go into.
    pub(super) fn current(&self) -> NodeId {
        self.open.last().copied().unwrap_or(0)
    }

    /// The open elements, outermost first (the document first).
    pub(super) fn open(&self) -> &[NodeId] {
        &self.open
    }

    pub(super) fn tree(&self) -> &Tree<'s> {
        &self.tree
    }

    /// Where `s` is: its offset when it is a slice of the page, else copied to the own text.
    fn span(&mut self, s: &str) -> Span {
        let base = self.tree.src.as_ptr() as usize;
        let at = (s.as_ptr() as usize).wrapping_sub(base);
        let in_src = at <= self.tree.src.len() && s.len() <= self.tree.src.len() - at;
        let (start, own) = if in_src {
            (at, 0)
        } else {
            self.tree.own.push_str(s);
            (self.tree.own.len() - s.len(), OWN)
        };
        match (u32::try_from(start), u32::try_from(s.len())) {
            (Ok(start), Ok(len)) if len < OWN => Span { start, len: len | own },
            _ => Span { start: 0, len: 0 },
        }
    }

    fn push(&mut self, kind: Kind, span: Span, first_attr: u32, attr_count: u16) -> NodeId {
        let id = NodeId::try_from(self.tree.nodes.len()).unwrap_or(NodeId::MAX);
        let parent = self.current();
        self.tree.nodes.push(Node { parent, end: id.saturating_add(1), span, first_attr, attr_count, kind });
        id
    }

    /// Opens an element (its attributes were added by [`Builder::attr`] since `first_attr`).
    pub(super) fn element(&mut self, name: &str, first_attr: u32) -> NodeId {
        let span = self.span(name);
        let count = self.attrs_start().saturating_sub(first_attr);
        let id = self.push(Kind::Element, span, first_attr, u16::try_from(count).unwrap_or(u16::MAX));
        if self.tree.root == 0 && self.current() == 0 {
            self.tree.root = id;
        }
        self.open.push(id);
        id
    }

    /// Where the next element's attributes start.
    pub(super) fn attrs_start(&self) -> u32 {
        u32::try_from(self.tree.attrs.len()).unwrap_or(u32::MAX)
    }

    /// Adds an attribute of the next element (the first of a name wins, as in the parser).
    pub(super) fn attr(&mut self, from: u32, name: AttrName, plain: bool, value: &str) {
        let mine = self.tree.attrs.get(from as usize..).unwrap_or(&[]);
        if !mine.iter().any(|a| a.name == name && a.plain == plain) {
            let value = self.span(value);
            self.tree.attrs.push(Attr { value, name, plain });
        }
    }

    pub(super) fn text(&mut self, text: &str) {
        if !text.is_empty() {
            let span = self.span(text);
            self.push(Kind::Text, span, 0, 0);
        }
    }

    /// Closes the open element.
    pub(super) fn close(&mut self) {
        if self.open.len() > 1 {
            if let Some(id) = self.open.pop() {
                let end = NodeId::try_from(self.tree.nodes.len()).unwrap_or(NodeId::MAX);
                if let Some(n) = self.tree.nodes.get_mut(id as usize) {
                    n.end = end;
                }
            }
        }
    }

    /// Appends the nodes of `other`, a tree of the same page read from where this builder
    /// stands: its first nodes are this builder's open elements, the rest follow.
    pub(super) fn append(&mut self, other: Tree<'s>) {
        let Builder { tree, open } = self;
        let shared = open.len() as u32;
        let base = NodeId::try_from(tree.nodes.len()).unwrap_or(NodeId::MAX);
        let attrs = u32::try_from(tree.attrs.len()).unwrap_or(u32::MAX);
        let own = u32::try_from(tree.own.len()).unwrap_or(u32::MAX);
        let map = |n: NodeId| match open.get(n as usize) {
            Some(&mine) if n < shared => mine,
            _ => (base + n).saturating_sub(shared),
        };
        let shift = |span: Span| match span.len & OWN {
            0 => span,
            _ => Span { start: span.start.saturating_add(own), len: span.len },
        };
        // Moved over one by one: the other tree's nodes are not copied whole first.
        tree.nodes.extend(other.nodes.iter().skip(shared as usize).map(|n| Node {
            parent: map(n.parent),
            end: map(n.end),
            span: shift(n.span),
            first_attr: n.first_attr.saturating_add(attrs),
            attr_count: n.attr_count,
            kind: n.kind,
        }));
        tree.attrs.extend(other.attrs.iter().map(|a| Attr { value: shift(a.value), ..*a }));
        tree.own.push_str(&other.own);
    }

    pub(super) fn finish(mut self) -> Tree<'s> {
        while self.open.len() > 1 {
            self.close();
        }
        let end = NodeId::try_from(self.tree.nodes.len()).unwrap_or(NodeId::MAX);
        self.tree.nodes[0].end = end;
        self.tree
    }
}

/// One step of a walk over a subtree: entering a node, or leaving it after its subtree.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Edge {
    Open(NodeId),
    Close(NodeId),
}

impl<'s> Tree<'s> {
    /// The tree html5ever built (attributes the rules never read are left out).
    pub(super) fn from_dom(doc: &scraper::Html) -> Tree<'s> {
        use ego_tree::iter::Edge as DomEdge;
        let mut b = Builder::new("");
        for edge in doc.tree.root().traverse() {
            match edge {
                DomEdge::Open(node) => match node.value() {
                    scraper::Node::Element(e) => {
                        let from = b.attrs_start();
                        for (q, v) in e.attrs.iter() {
                            if let Some(name) = AttrName::of(&q.local) {
                                let plain = q.prefix.is_none() && q.ns.is_empty();
                                b.attr(from, name, plain, v);
                            }
                        }
                        b.element(e.name(), from);
                    }
                    scraper::Node::Text(t) => b.text(t),
                    _ => {}
                },
                DomEdge::Close(node) => {
                    if node.value().is_element() {
                        b.close();
                    }
                }
            }
        }
        b.finish()
    }

    /// The `<html>` element (the document when the page has none).
    pub(super) fn root(&self) -> NodeId {
        self.root
    }

    fn node(&self, id: NodeId) -> Option<&Node> {
        self.nodes.get(id as usize)
    }

    fn str(&self, span: Span) -> &str {
        let (text, len) =
            if span.len & OWN == 0 { (self.src, span.len) } else { (&*self.own, span.len & !OWN) };
        text.get(span.start as usize..(span.start as usize).saturating_add(len as usize)).unwrap_or("")
    }

    /// The element's (lower-case) name; `None` for text and the document.
    pub(super) fn name(&self, id: NodeId) -> Option<&str> {
        let node = self.node(id)?;
        (node.kind == Kind::Element).then(|| self.str(node.span))
    }

    /// True when the node is an element named `name`.
    pub(super) fn is(&self, id: NodeId, name: &str) -> bool {
        self.name(id) == Some(name)
    }

    pub(super) fn text(&self, id: NodeId) -> Option<&str> {
        let node = self.node(id)?;
        (node.kind == Kind::Text).then(|| self.str(node.span))
    }

    fn attrs(&self, id: NodeId) -> &[Attr] {
        match self.node(id) {
            Some(n) if n.attr_count > 0 => {
                let from = n.first_attr as usize;
                self.attrs.get(from..from + usize::from(n.attr_count)).unwrap_or(&[])
            }
            _ => &[],
        }
    }

    /// An attribute without a namespace.
    pub(super) fn attr(&self, id: NodeId, name: AttrName) -> Option<&str> {
        self.attrs(id).iter().find(|a| a.name == name && a.plain).map(|a| self.str(a.value))
    }

    /// The element's id: its first `id` attribute, in any namespace.
    pub(super) fn id_of(&self, id: NodeId) -> Option<&str> {
        self.attrs(id).iter().find(|a| a.name == AttrName::Id).map(|a| self.str(a.value))
    }

    /// The words of the element's classes.
    pub(super) fn class_words(&self, id: NodeId) -> impl Iterator<Item = &str> {
        self.attrs(id)
            .iter()
            .filter(|a| a.name == AttrName::Class)
            .flat_map(|a| self.str(a.value).split_ascii_whitespace())
    }

    /// The node's parent (`None` for the document).
    pub(super) fn parent(&self, id: NodeId) -> Option<NodeId> {
        (id != 0).then(|| self.node(id).map(|n| n.parent)).flatten()
    }

    /// The node's ancestors, nearest first, up to and including the document.
    pub(super) fn ancestors(&self, id: NodeId) -> impl Iterator<Item = NodeId> + '_ {
        std::iter::successors(self.parent(id), move |&a| self.parent(a))
    }

    /// One past the last node of the node's subtree.
    pub(super) fn end(&self, id: NodeId) -> NodeId {
        self.node(id).map_or(id, |n| n.end)
    }

    /// The node and the nodes of its subtree, in document order.
    pub(super) fn subtree(&self, id: NodeId) -> std::ops::Range<NodeId> {
        id..self.end(id)
    }

    /// The text of the element's subtree, piece by piece.
    pub(super) fn texts(&self, id: NodeId) -> impl Iterator<Item = &str> {
        self.subtree(id).filter_map(move |n| self.text(n))
    }

    /// The node's children.
    pub(super) fn children(&self, id: NodeId) -> impl Iterator<Item = NodeId> + '_ {
        let end = self.end(id);
        std::iter::successors(Some(id + 1), move |&c| Some(self.end(c))).take_while(move |&c| c < end)
    }

    /// The walk of [`Tree::edges`] over the root's subtree from `from` on: the `ancestors` of
    /// `from` opened first, as a walk from the root reaching `from` would have them.
    pub(super) fn edges_from(&self, ancestors: &[NodeId], from: NodeId) -> impl Iterator<Item = Edge> + '_ {
        let opens: Vec<Edge> = ancestors.iter().map(|&a| Edge::Open(a)).collect();
        let rest = Edges { tree: self, next: from, end: self.end(self.root), open: ancestors.to_vec() };
        opens.into_iter().chain(rest)
    }

    /// A walk over the node's subtree: each node opened, then closed after its subtree.
    pub(super) fn edges(&self, id: NodeId) -> Edges<'_, 's> {
        Edges { tree: self, next: id, end: self.end(id), open: Vec::new() }
    }
}

/// The walk [`Tree::edges`] returns.
pub(super) struct Edges<'t, 's> {
    tree: &'t Tree<'s>,
    next: NodeId,
    end: NodeId,
    open: Vec<NodeId>,
}

impl Iterator for Edges<'_, '_> {
    type Item = Edge;

    fn next(&mut self) -> Option<Edge> {
        if let Some(&top) = self.open.last() {
            if self.tree.end(top) <= self.next || self.next >= self.end {
                self.open.pop();
                return Some(Edge::Close(top));
            }
        }
        if self.next >= self.end {
            return None;
        }
        let id = self.next;
        self.next += 1;
        self.open.push(id);
        Some(Edge::Open(id))
    }
}

#[cfg(test)]
impl Tree<'_> {
    /// The tree as text, one node a line, adjacent text joined (as the rules read it), for
    /// comparing trees built two ways.
    pub(super) fn outline(&self) -> String {
        use std::fmt::Write;
        let mut out = String::new();
        let mut depth = 0usize;
        let mut text = String::new();
        let flush = |out: &mut String, text: &mut String, depth: usize| {
            if !text.is_empty() {
                let _ = writeln!(out, "{:depth$}{text:?}", "");
                text.clear();
            }
        };
        for edge in self.edges(self.root()) {
            match edge {
                Edge::Open(id) => {
                    if let Some(t) = self.text(id) {
                        text.push_str(t);
                        continue;
                    }
                    flush(&mut out, &mut text, depth);
                    // In name order: html5ever's tree sorts them (the rules look names up).
                    let mut attrs: Vec<String> = self
                        .attrs(id)
                        .iter()
                        .map(|a| {
                            format!(
                                "{:?}{}={:?}",
                                a.name,
                                if a.plain { "" } else { "(ns)" },
                                self.str(a.value)
                            )
                        })
                        .collect();
                    attrs.sort();
                    let parent = self.parent(id).map(|p| self.name(p).unwrap_or("#document"));
                    let _ = writeln!(
                        out,
                        "{:depth$}<{}> {} ^{parent:?}",
                        "",
                        self.name(id).unwrap_or("?"),
                        attrs.join(" ")
                    );
                    depth += 1;
                }
                Edge::Close(id) => {
                    if self.name(id).is_some() {
                        flush(&mut out, &mut text, depth);
                        depth -= 1;
                    }
                }
            }
        }
        flush(&mut out, &mut text, depth);
        out
    }
}
