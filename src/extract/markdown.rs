//! Markdown (CommonMark with footnotes and tables), including documents converted from PDF
//! or Word. Link destinations, autolinks and escapes come from pulldown-cmark; the prose of
//! each block is scanned for bare URLs, symbols and resolution references.

use super::prose::{push_url, scan, Prose, Scan};
use super::{url, Found};
use crate::types::Kind;
use pulldown_cmark::{Event, LinkType, Options, Parser, Tag, TagEnd};
use std::ops::Range;

/// Every citation of a Markdown document (source offsets, no context yet), in runs that
/// follow each other in the document (one per piece, each sorted by offset). A document
/// larger than `piece` bytes is cut where nothing is open (see [`chunks`]) and its pieces are
/// read on all cores; each piece yields exactly what it yields as part of the whole, so the
/// rows are the same as read in one go.
pub(super) fn extract(text: &str, piece: usize) -> Vec<Vec<Found>> {
    let pieces = chunks(text, piece);
    if pieces.len() == 1 {
        let mut found = Vec::new();
        extract_chunk(text, &mut found);
        return vec![found];
    }
    crate::parallel::map(pieces, |r| extract_piece(text, r))
}

/// The citations of one piece of `text` (one of [`chunks`]), sorted by offset.
pub(super) fn extract_piece(text: &str, r: Range<usize>) -> Vec<Found> {
    let mut found = Vec::new();
    extract_chunk(&text[r.clone()], &mut found);
    for f in &mut found {
        f.start += r.start;
    }
    // Sorted here, on all cores: pieces do not overlap, so the whole is then in order.
    super::sort_by_start(&mut found);
    found
}

/// Cuts `text` into pieces of about `size` bytes, each starting a line at which the parser
/// has nothing open. Only blocks that are containers (lists, block quotes), indented code,
/// fenced code, multi-line HTML blocks and definitions outlive a blank line. The first two
/// end at a line that starts in column 0 after a blank line, so the pieces start there; a
/// document holding any of the others (a line opening a code fence, a line opening an HTML
/// comment, `<script`, `<pre`, `<style`, `<textarea`, `<?` or `<!` not closed on that line,
/// or `]:` anywhere: a reference or footnote defined in another piece, or a carriage return
/// not followed by a line feed) is one piece.
pub(super) fn chunks(text: &str, size: usize) -> Vec<Range<usize>> {
    let bytes = text.as_bytes();
    let whole = std::iter::once(0..text.len()).collect::<Vec<_>>();
    // A carriage return alone ends a line for the parser, not for the cuts below.
    let lone_cr = memchr::memchr_iter(b'\r', bytes).any(|i| bytes.get(i + 1) != Some(&b'\n'));
    if text.len() <= size || lone_cr || memchr::memmem::find(bytes, b"]:").is_some() {
        return whole;
    }
    // Only a line whose first character after white space is one of these can open a block
    // (searched for, not every line looked at: 3 ms of the 14 MB bench, before any core starts).
    let opens = memchr::memchr3_iter(b'`', b'~', b'<', bytes)
        .any(|i| starts_its_line(text, i) && opens_across_blank_lines(line_at(text, i)));
    if opens {
        return whole;
    }
    let mut cuts = vec![0];
    let mut last = 0usize;
    // From `size` bytes after the last cut on, the first line in column 0 after a blank line.
    'cut: while let Some(mut start) = line_start_from(bytes, last.saturating_add(size.max(1))) {
        let mut blank_before = is_blank(line_at(text, line_start_before(bytes, start)));
        while start < text.len() {
            let line = line_at(text, start);
            let blank = is_blank(line);
            if blank_before && !blank && !line.starts_with([' ', '\t']) {
                cuts.push(start);
                last = start;
                continue 'cut;
            }
            blank_before = blank;
            start += line.len();
        }
        break;
    }
    if cuts.len() == 1 {
        return whole;
    }
    cuts.push(text.len());
    cuts.windows(2).map(|w| w[0]..w[1]).collect()
}

/// Blank as CommonMark says: spaces and tabs only (a form feed or a no-break space is text,
/// and the paragraph it starts goes on).
fn is_blank(line: &str) -> bool {
    line.bytes().all(|b| matches!(b, b' ' | b'\t' | b'\r' | b'\n'))
}

/// The line starting at `start`, with its line feed.
fn line_at(text: &str, start: usize) -> &str {
    let rest = text.get(start..).unwrap_or("");
    let end = memchr::memchr(b'\n', rest.as_bytes()).map_or(rest.len(), |i| i + 1);
    &rest[..end]
}

/// The start of the first line at or after byte `at` (a line feed ends each line).
fn line_start_from(bytes: &[u8], at: usize) -> Option<usize> {
    if at == 0 || at < bytes.len() && bytes[at - 1] == b'\n' {
        return Some(at);
    }
    let start = at + memchr::memchr(b'\n', bytes.get(at..)?)? + 1;
    (start < bytes.len()).then_some(start)
}

/// The start of the line before the one starting at `start` (`start` > 0).
fn line_start_before(bytes: &[u8], start: usize) -> usize {
    memchr::memrchr(b'\n', &bytes[..start.saturating_sub(1)]).map_or(0, |i| i + 1)
}

/// True when only white space comes before byte `at` on its line (as `str::trim_start` sees it).
fn starts_its_line(text: &str, at: usize) -> bool {
    text[..at].chars().rev().find(|c| *c == '\n' || !c.is_whitespace()).is_none_or(|c| c == '\n')
}

/// A line (trimmed at the start, any indent: more cautious than the parser) opening a block
/// that blank lines do not end: a code fence, or an HTML block of the kinds that run to an
/// end marker, when the marker is not on the same line.
fn opens_across_blank_lines(trimmed: &str) -> bool {
    let b = trimmed.as_bytes();
    match b.first() {
        Some(&c @ (b'`' | b'~')) => b.iter().take_while(|&&x| x == c).count() >= 3,
        Some(b'<') => {
            let head = b[..b.len().min(10)].to_ascii_lowercase();
            let ends: &[&str] = if head.starts_with(b"<!--") {
                &["-->"]
            } else if head.starts_with(b"<![cdata[") {
                &["]]>"]
            } else if head.starts_with(b"<!") {
                &[">"]
            } else if head.starts_with(b"<?") {
                &["?>"]
            } else if [&b"<script"[..], b"<pre", b"<style", b"<textarea"].iter().any(|t| head.starts_with(t))
            {
                &["</script>", "</pre>", "</style>", "</textarea>"]
            } else {
                return false;
            };
            // The end marker must come after the opener (`<!-->` is not closed by its own dashes).
            let after = trimmed.get(4..).unwrap_or("").to_ascii_lowercase();
            !ends.iter().any(|e| after.contains(e))
        }
        _ => false,
    }
}

/// [`extract`] on one piece of a document (offsets within the piece).
fn extract_chunk(text: &str, out: &mut Vec<Found>) {
    let opts = Options::ENABLE_FOOTNOTES | Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH;
    let mut prose = Prose::default();
    let mut link_text = Prose::default();
    // Open links: where each starts, its type and target (read when its text is known).
    let mut links: Vec<(Range<usize>, LinkType, String)> = Vec::new();
    let mut code_blocks = 0usize;
    let mut images = 0usize;

    for (event, range) in Parser::new_ext(text, opts).into_offset_iter() {
        match event {
            Event::Start(Tag::Link { link_type, dest_url, .. }) => {
                links.push((range, link_type, dest_url.to_string()));
            }
            Event::End(TagEnd::Link) => {
                let Some(open) = links.pop() else { continue };
                end_link(text, open, links.is_empty(), &mut link_text, out);
                prose.push_gap(' ');
            }
            Event::Start(Tag::Image { .. }) => images += 1,
            Event::End(TagEnd::Image) => images = images.saturating_sub(1),
            Event::Start(Tag::CodeBlock(_)) => {
                flush(&mut prose, text, out);
                code_blocks += 1;
            }
            Event::End(TagEnd::CodeBlock) => code_blocks = code_blocks.saturating_sub(1),
            Event::Text(t) if code_blocks == 0 && images == 0 => {
                if links.is_empty() {
                    prose.push(&t, range, text);
                } else {
                    link_text.push(&t, range, text);
                }
            }
            Event::Code(_) | Event::FootnoteReference(_) => prose.push_gap(' '),
            Event::SoftBreak | Event::HardBreak => prose.push_gap('\n'),
            Event::Html(h) | Event::InlineHtml(h) => {
                html_links(&h, range, text, out);
                prose.push_gap(' ');
            }
            Event::Start(
                Tag::Paragraph
                | Tag::Heading { .. }
                | Tag::Item
                | Tag::TableCell
                | Tag::BlockQuote(_)
                | Tag::FootnoteDefinition(_)
                | Tag::List(_)
                | Tag::HtmlBlock,
            )
            | Event::End(
                TagEnd::Paragraph
                | TagEnd::Heading(_)
                | TagEnd::Item
                | TagEnd::TableCell
                | TagEnd::BlockQuote(_)
                | TagEnd::FootnoteDefinition
                | TagEnd::List(_)
                | TagEnd::HtmlBlock,
            )
            // Every block ends the text before it, also where a tight list item writes no
            // paragraph around its text (`- a` / `***` / `b` is two texts, as in a loose list).
            | Event::Rule => flush(&mut prose, text, out),
            _ => {}
        }
    }
    flush(&mut prose, text, out);
}

/// A link that closed: its target, then (for an outermost link whose text is not itself a
/// URL) the symbols its text names that the target does not.
fn end_link(
    text: &str,
    (range, link_type, dest): (Range<usize>, LinkType, String),
    outermost: bool,
    link_text: &mut Prose,
    out: &mut Vec<Found>,
) {
    let ends = match link_type {
        LinkType::Autolink | LinkType::Email => url::Ends::Trim,
        _ => url::Ends::of_link(&dest, &link_text.buf),
    };
    let before = out.len();
    link(text, range, link_type, &dest, ends, out);
    let named: Vec<std::sync::Arc<str>> =
        out[before..].iter().filter(|f| f.kind == Kind::Symbol).map(|f| f.value.clone()).collect();
    if outermost && !looks_like_url(&link_text.buf) {
        let mut found = Vec::new();
        scan(link_text, text, Scan { urls: false, symbols: true }, &mut found);
        out.extend(found.into_iter().filter(|f| !named.contains(&f.value)));
    }
    if outermost {
        link_text.clear();
    }
}

fn flush(prose: &mut Prose, text: &str, out: &mut Vec<Found>) {
    if !prose.is_empty() {
        scan(prose, text, Scan { urls: true, symbols: true }, out);
        prose.clear();
    }
}

/// One Markdown link: its target (never the visible text), split where a converter glued two
/// references together, its end read as `ends` says.
fn link(
    text: &str,
    range: Range<usize>,
    link_type: LinkType,
    dest: &str,
    ends: url::Ends,
    out: &mut Vec<Found>,
) {
    let target = match link_type {
        LinkType::Email => format!("mailto:{dest}"),
        _ => dest.to_string(),
    };
    if url::classify(&target) == url::Target::NotCitation {
        return;
    }
    let (raw_start, raw) = raw_destination(text, range, link_type, dest);
    for piece in url::split_glued(&target, ends) {
        let piece_text = &target[piece.clone()];
        // Where the written destination equals the parsed one, each piece maps exactly.
        let (start, raw_piece) =
            if raw == target { (raw_start + piece.start, &raw[piece.clone()]) } else { (raw_start, raw) };
        push_url(out, start, raw_piece, piece_text);
    }
}

/// The destination as written in the source, and where it starts.
fn raw_destination<'t>(
    text: &'t str,
    range: Range<usize>,
    link_type: LinkType,
    dest: &'t str,
) -> (usize, &'t str) {
    let slice = text.get(range.clone()).unwrap_or("");
    match link_type {
        LinkType::Autolink | LinkType::Email => {
            let inner = slice.strip_prefix('<').and_then(|s| s.strip_suffix('>')).unwrap_or(slice);
            (range.start + 1, inner)
        }
        LinkType::Inline => match slice.rfind("](") {
            Some(p) => {
                let mut s = &slice[p + 2..slice.len().saturating_sub(1)];
                let mut start = range.start + p + 2;
                let lead = s.len() - s.trim_start().len();
                start += lead;
                s = s.trim();
                if let Some(inner) = s.strip_prefix('<').and_then(|x| x.split_once('>')) {
                    return (start + 1, inner.0);
                }
                // Drop a title: `(url "title")`.
                if let Some(sp) = s.find(|c: char| c.is_whitespace()) {
                    s = &s[..sp];
                }
                (start, s)
            }
            None => (range.start, dest),
        },
        _ => (range.start, dest),
    }
}

/// `<a href="…">` written as raw HTML inside Markdown.
fn html_links(html: &str, range: Range<usize>, text: &str, out: &mut Vec<Found>) {
    let lower = html.to_ascii_lowercase();
    if !lower.contains("<a ") {
        return;
    }
    let mut from = 0;
    while let Some(p) = lower[from..].find("href") {
        let at = from + p + 4;
        let rest = html[at..].trim_start();
        let Some(rest) = rest.strip_prefix('=') else {
            from = at;
            continue;
        };
        let rest = rest.trim_start();
        let (value, _) = match rest.chars().next() {
            Some(q @ ('"' | '\'')) => rest[1..].split_once(q).unwrap_or((&rest[1..], "")),
            _ => rest.split_once(|c: char| c.is_whitespace() || c == '>').unwrap_or((rest, "")),
        };
        let decoded = value.replace("&amp;", "&");
        if url::classify(&decoded) == url::Target::Citable {
            let start =
                text.get(range.clone()).and_then(|s| s.find(value)).map_or(range.start, |o| range.start + o);
            push_url(out, start, value, decoded.trim());
        }
        from = at;
    }
}

/// Link text that is itself a URL names no symbol of its own (a symbol needs a boundary that
/// a URL path never gives it), so it is not scanned.
fn looks_like_url(text: &str) -> bool {
    let t = text.trim_start();
    t.contains("://") || t.get(..4).is_some_and(|p| p.eq_ignore_ascii_case("www."))
}

#[cfg(test)]
mod tests {
    use super::{chunks, extract, opens_across_blank_lines};
    use std::ops::Range;

    /// [`chunks`] as first written: every line looked at in turn (the reference it must match).
    fn chunks_line_by_line(text: &str, size: usize) -> Vec<Range<usize>> {
        let bytes = text.as_bytes();
        let whole = std::iter::once(0..text.len()).collect::<Vec<_>>();
        let lone_cr = memchr::memchr_iter(b'\r', bytes).any(|i| bytes.get(i + 1) != Some(&b'\n'));
        if text.len() <= size || lone_cr || text.contains("]:") {
            return whole;
        }
        let (mut cuts, mut blank_before, mut start) = (vec![0], false, 0);
        while start < text.len() {
            let end = text[start..].find('\n').map_or(text.len(), |i| start + i + 1);
            let line = &text[start..end];
            if opens_across_blank_lines(line.trim_start()) {
                return whole;
            }
            let blank = line.bytes().all(|b| matches!(b, b' ' | b'\t' | b'\r' | b'\n'));
            let last = cuts.last().copied().unwrap_or(0);
            if blank_before && !blank && !line.starts_with([' ', '\t']) && start - last >= size {
                cuts.push(start);
            }
            blank_before = blank;
            start = end;
        }
        if cuts.len() == 1 {
            return whole;
        }
        cuts.push(text.len());
        cuts.windows(2).map(|w| w[0]..w[1]).collect()
    }

    /// The citations as (offset, value, raw), whatever the pieces.
    fn found(text: &str, piece: usize) -> Vec<(usize, String, String)> {
        let mut out: Vec<super::Found> = extract(text, piece).into_iter().flatten().collect();
        out.sort_by_key(|f| f.start);
        out.into_iter().map(|f| (f.start, f.value.to_string(), f.raw.to_string())).collect()
    }

    #[test]
    fn pieces_start_after_a_blank_line_in_column_0() {
        let doc = "1. A para https://a.org/x\n\n- item\n\n  continued https://b.org\n\n<sup>1</sup> https://c.org\n";
        let starts: Vec<usize> = chunks(doc, 1).iter().map(|r| r.start).collect();
        let want = [0, doc.find("- item").unwrap_or(0), doc.find("<sup>").unwrap_or(0)];
        assert_eq!(starts, want);
        assert_eq!(chunks(doc, 1).last().map(|r| r.end), Some(doc.len()));
    }

    #[test]
    fn documents_with_blocks_that_outlive_blank_lines_are_one_piece() {
        let one_piece = [
            "a\n\n```\ncode\n\nhttps://a.org\n```\n\nb\n",
            "a\n\n~~~~\ncode\n\nb\n",
            "a\n\n<!-- note\n\nhttps://a.org -->\n\nb\n",
            "a\n\n<!-->\n\nb -->\n\nc\n",
            "a\n\n<PRE>\nx\n\ny</pre>\n\nb\n",
            "a\n\n<script>\n\n</script>\n\nb\n",
            "a\n\n<?php\n\n?>\n\nb\n",
            "a [link][r]\n\nb\n\n[r]: https://a.org\n",
            "a[^1]\n\nb\n\n[^1]: https://a.org\n",
        ];
        for doc in one_piece {
            assert_eq!(chunks(doc, 1), std::iter::once(0..doc.len()).collect::<Vec<_>>(), "{doc:?}");
        }
        // Closed on their own line: the document is still cut.
        for doc in ["a\n\n<!-- -->\n\nb\n", "a\n\n<pre>x</pre>\n\nb\n", "a\n\n<sup>1</sup> b\n\nc\n"] {
            assert!(chunks(doc, 1).len() > 1, "{doc:?}");
        }
    }

    #[test]
    fn tight_and_loose_lists_read_alike() {
        // Cut between two items, a loose list becomes two tight ones (no paragraphs).
        for doc in [
            "- https://a.org/x\n  ***\n  y\n\n- b\n",
            "- resolution\n  <!-- -->\n  70/1\n\n- b\n",
            "- https://a.org/x\n  ```\n  code\n  ```\n  y\n\n- b\n",
        ] {
            assert_eq!(found(doc, 1), found(doc, usize::MAX), "{doc:?}");
        }
        let values: Vec<String> =
            found("- https://a.org/x\n  ***\n  y\n", 1).into_iter().map(|f| f.1).collect();
        assert_eq!(values, ["https://a.org/x"], "a rule ends the text before it");
        // A carriage return alone ends a line: the fence after it keeps the document whole.
        let doc = "a\r```\nb\n\nhttps://x.org/\n```\n";
        assert_eq!(chunks(doc, 1).len(), 1);
        assert_eq!(found(doc, 1), found(doc, usize::MAX));
    }

    #[test]
    fn the_fixtures_read_in_pieces_as_in_one_go() {
        for doc in [
            include_str!("../../tests/fixtures/report_en.md"),
            include_str!("../../tests/fixtures/report_zh.md"),
            include_str!("../../tests/fixtures/footnotes_caret.md"),
        ] {
            assert_eq!(found(doc, 1), found(doc, usize::MAX));
        }
        let zh = include_str!("../../tests/fixtures/report_zh.md");
        assert!(chunks(zh, 1).len() > 20, "the Chinese report is cut in many pieces");
    }

    /// Lines of converted reports, and of the blocks that outlive a blank line.
    const LINES: &[&str] = &[
        "",
        "",
        "",
        "",
        "12. Paragraph citing resolution 70/1 and https://a.org/p.<sup>3</sup>",
        "<sup>3</sup> See https://b.org/x; A/75/147 and <https://c.org/y>.",
        "- item https://d.org/i",
        "  continued [text](https://e.org/t \"title\")",
        "    indented https://f.org/code",
        "> quoted https://g.org/q",
        "## Heading E/2020/31-E/CN.16/2020/4",
        "| a | https://h.org |",
        "|---|---|",
        "<!-- -->",
        "<div>",
        "</div>",
        "第 75/202 号决议",
        "\\* E/2021/1.",
        "1. first",
        "2. second www.i.org",
        "text<sup>1</sup> more",
        "***",
        "Setext",
        "===",
        "`code https://m.org`",
        "<a href=\"https://l.org\">l</a>",
        "  - nested https://n.org",
        "\tTabbed https://o.org",
        "\u{c}",
        "\u{a0}",
        "\u{3000}A/75/1",
        "resolution",
        "70/1 and www.p.org",
        "  ***",
        "  <!-- -->",
        "  y https://q.org",
        "- https://r.org/x",
        "a\r```",
        "\r    b https://s.org/",
    ];
    const OPENERS: &[&str] = &[
        "```",
        "~~~",
        "<!-- comment",
        "-->",
        "<pre>",
        "</pre>",
        "[link][ref]",
        "[ref]: https://j.org",
        "text[^1]",
        "[^1]: https://k.org",
    ];

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig { cases: 512, failure_persistence: None, ..Default::default() })]

        /// Cut at every place it can be, a document yields what it yields whole.
        #[test]
        fn pieces_yield_what_the_whole_yields(lines in proptest::collection::vec(proptest::sample::select(LINES), 0..60)) {
            let doc = lines.join("\n");
            proptest::prop_assert_eq!(found(&doc, 1), found(&doc, usize::MAX), "{:?}", doc);
        }

        /// Blocks that outlive blank lines keep a document whole, or are cut around exactly.
        #[test]
        fn open_blocks_are_never_cut(lines in proptest::collection::vec(
            proptest::sample::select([LINES, OPENERS].concat()), 0..60)
        ) {
            let doc = lines.join("\n");
            proptest::prop_assert_eq!(found(&doc, 1), found(&doc, usize::MAX), "{:?}", doc);
        }

        /// Cut points are found by jumping ahead, where the reference looks at every line.
        #[test]
        fn cuts_are_those_of_a_line_by_line_scan(
            mut lines in proptest::collection::vec(proptest::sample::select(LINES), 0..80),
            extra in proptest::option::of(proptest::sample::select([OPENERS, EDGES].concat())),
            at in 0usize..80,
            keep_cr: bool,
            size in 1usize..400,
        ) {
            // Most documents are cut: a lone carriage return or an opener keeps one whole.
            if !keep_cr {
                lines.retain(|l| !l.contains('\r'));
            }
            if let Some(line) = extra {
                lines.insert(at.min(lines.len()), line);
            }
            let doc = lines.join("\n");
            proptest::prop_assert_eq!(chunks(&doc, size), chunks_line_by_line(&doc, size), "{:?}", doc);
        }
    }

    /// Lines whose openers sit after white space of other kinds, or mid-line.
    const EDGES: &[&str] =
        &["\u{3000}```", "\u{a0}<pre>", " \t~~~x", "a ```", "x <!-- y", "<b>", "```a```", "\n\n", " "];
}
