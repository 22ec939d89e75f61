//! HTML reports and pages (read by `parse.rs` when html5ever would build the page without
//! repairs, by html5ever otherwise; the same tree either way): links in content and in footnote or
//! reference lists (`<li id="fn3">`, `<ol class="references">`, `<div class="footnotes">`),
//! `<sup>` markers mapping each footnote to its numbered paragraph, and symbols and
//! resolution references in the text. Stylesheets, scripts, images, navigation, headers,
//! footers and back-links are not citations. Entities are decoded by the parser.

mod nesting;
mod notes;
mod parse;
mod tree;
mod walk;

use super::{symbols, url, Found};
use tree::{AttrName, NodeId, Tree};

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

/// Appends every citation of an HTML document to `out`, with its footnote and paragraph.
pub(super) fn extract(text: &str, out: &mut Vec<Found>) {
    let (notes, walked) = {
        let (flat, fast) = read_fast(text);
        let dom;
        let doc = match fast {
            Some(tree) => tree,
            None => {
                dom = scraper::Html::parse_document(&flat);
                Tree::from_dom(&dom)
            }
        };
        let find_base = || {
            doc.subtree(doc.root())
                .find(|&n| doc.is(n, "base") && doc.attr(n, AttrName::Href).is_some())
                .and_then(|b| doc.attr(b, AttrName::Href))
                .and_then(|h| ::url::Url::parse(h).ok())
        };
        // The page's base (the first `<base href>`, wherever it is) is looked for in the whole
        // tree: for a large page, on the core the notes leave idle.
        let (base, notes) = if text.len() > walk::PARALLEL_FROM {
            std::thread::scope(|scope| {
                let base = scope.spawn(find_base);
                let notes = notes::find(&doc);
                (base.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic)), notes)
            })
        } else {
            (find_base(), notes::find(&doc))
        };
        let walked = walk::walk(&doc, text, &notes, base.as_ref());
        (notes.targets, walked)
    };
    // The tree (and html5ever's) is freed before the citations are labelled.
    walked.finish(&notes, out);
}

/// The page as html5ever is given it (deep nesting flattened), and its tree when the fast
/// reader builds it (a page html5ever would build without repairs, not flattened).
fn read_fast(text: &str) -> (std::borrow::Cow<'_, str>, Option<Tree<'_>>) {
    use std::borrow::Cow;
    if text.len() > walk::PARALLEL_FROM {
        // Read on two cores, the nesting counted as it is read.
        return match parse::parse_large(text) {
            Some(tree) => (Cow::Borrowed(text), Some(tree)),
            None => (nesting::flatten(text), None),
        };
    }
    let flat = nesting::flatten(text);
    let tree = if matches!(flat, Cow::Borrowed(_)) { parse::parse(text) } else { None };
    (flat, tree)
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

/// A small deterministic generator (xorshift) for the generated pages of the tests, so a
/// failing page can be printed and kept.
#[cfg(test)]
struct Rng(u64);

#[cfg(test)]
impl Rng {
    fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % n as u64) as usize
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

    #[test]
    fn labels() {
        assert_eq!(id_label("fn3").as_deref(), Some("3"));
        assert_eq!(id_label("fn:12").as_deref(), Some("12"));
        assert_eq!(id_label("footnote-7").as_deref(), Some("7"));
        assert_eq!(id_label("cite_note-12").as_deref(), Some("12"));
    }
}
