//! Markdown (CommonMark with footnotes and tables), including documents converted from PDF
//! or Word. Link destinations, autolinks and escapes come from pulldown-cmark; the prose of
//! each block is scanned for bare URLs, symbols and resolution references.

use super::prose::{push_url, scan, Prose, Scan};
use super::{url, Found};
use crate::types::Kind;
use pulldown_cmark::{Event, LinkType, Options, Parser, Tag, TagEnd};
use std::ops::Range;

/// Appends every citation of a Markdown document to `out` (source offsets, no context yet).
pub(super) fn extract(text: &str, out: &mut Vec<Found>) {
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
                let Some((range, link_type, dest)) = links.pop() else { continue };
                let ends = match link_type {
                    LinkType::Autolink | LinkType::Email => url::Ends::Trim,
                    _ => url::Ends::of_link(&dest, &link_text.buf),
                };
                let before = out.len();
                link(text, range, link_type, &dest, ends, out);
                let named: Vec<String> = out[before..]
                    .iter()
                    .filter(|f| f.kind == Kind::Symbol)
                    .map(|f| f.value.clone())
                    .collect();
                if links.is_empty() && !looks_like_url(&link_text.buf) {
                    let mut found = Vec::new();
                    scan(&link_text, text, Scan { urls: false, symbols: true }, &mut found);
                    out.extend(found.into_iter().filter(|f| !named.contains(&f.value)));
                }
                if links.is_empty() {
                    link_text.clear();
                }
                prose.push_gap(' ');
            }
            Event::Start(Tag::Image { .. }) => images += 1,
            Event::End(TagEnd::Image) => images = images.saturating_sub(1),
            Event::Start(Tag::CodeBlock(_)) => code_blocks += 1,
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
                | Tag::FootnoteDefinition(_),
            )
            | Event::End(
                TagEnd::Paragraph
                | TagEnd::Heading(_)
                | TagEnd::Item
                | TagEnd::TableCell
                | TagEnd::BlockQuote(_)
                | TagEnd::FootnoteDefinition,
            ) => flush(&mut prose, text, out),
            _ => {}
        }
    }
    flush(&mut prose, text, out);
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
