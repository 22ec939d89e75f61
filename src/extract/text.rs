//! Plain text: bare URLs (with and without scheme) and document symbols, block by block. URLs
//! that a layout wrapped at a line end (as `pdftotext` writes them) are rejoined.

use super::prose::{scan, Prose, Scan};
use super::{url, Found};
use std::ops::Range;

/// Every citation of a plain-text document, in runs that follow each other in the document
/// (one per piece); a document larger than `piece` bytes is read in pieces of about that
/// size on all cores.
pub(super) fn extract(text: &str, piece: usize) -> Vec<Vec<Found>> {
    let (pieces, forced_from) = plan(text, piece);
    crate::parallel::map(pieces, |r| extract_piece(text, r, forced_from))
}

/// The pieces of `text` (see [`pieces`]) and the width from which a line was broken by the
/// layout (a line this long or longer was broken by the layout, not by the author; pieces
/// hold whole lines, so the widest of all is the widest of the pieces').
pub(super) fn plan(text: &str, piece: usize) -> (Vec<Range<usize>>, usize) {
    let pieces = pieces(text, piece);
    let widest = crate::parallel::map(pieces.clone(), |r| {
        text[r].lines().map(|l| l.trim_end().chars().count()).max().unwrap_or(0)
    });
    (pieces, widest.into_iter().max().unwrap_or(0) * 85 / 100)
}

/// The citations of one piece of `text`.
pub(super) fn extract_piece(text: &str, r: Range<usize>, forced_from: usize) -> Vec<Found> {
    let mut found = Vec::new();
    extract_range(text, r, forced_from, &mut found);
    found
}

/// Cuts `text` after blank lines into pieces of at least `size` bytes: blocks end at blank
/// lines, so each piece holds whole blocks and reads as it reads inside the whole.
fn pieces(text: &str, size: usize) -> Vec<Range<usize>> {
    let mut cuts = vec![0];
    let mut pos = 0;
    for line in text.split_inclusive('\n') {
        pos += line.len();
        let last = cuts.last().copied().unwrap_or(0);
        if pos - last >= size && pos < text.len() && line.trim().is_empty() {
            cuts.push(pos);
        }
    }
    cuts.push(text.len());
    cuts.windows(2).map(|w| w[0]..w[1]).collect()
}

/// The citations of the blocks in `range` of `text` (a whole document, or a piece of one).
fn extract_range(text: &str, range: Range<usize>, forced_from: usize, out: &mut Vec<Found>) {
    let mut prose = Prose::default();
    let mut block_start = range.start;
    // Blocks end at blank lines (and page breaks), so context windows and symbols stay within
    // a paragraph.
    let mut pos = range.start;
    for line in text[range.clone()].split_inclusive('\n') {
        let end = pos + line.len();
        if line.trim().is_empty() || line.starts_with('\u{c}') {
            scan_block(text, block_start..pos, forced_from, &mut prose, out);
            block_start = if line.trim().is_empty() { end } else { pos };
        }
        pos = end;
    }
    scan_block(text, block_start..range.end, forced_from, &mut prose, out);
}

fn scan_block(
    text: &str,
    r: std::ops::Range<usize>,
    forced_from: usize,
    prose: &mut Prose,
    out: &mut Vec<Found>,
) {
    if r.is_empty() {
        return;
    }
    prose.clear();
    let block = &text[r.clone()];
    let lines: Vec<&str> = block.split_inclusive('\n').collect();
    // Which lines go on with a URL on the next line.
    let joins: Vec<bool> = lines
        .windows(2)
        .map(|w| {
            let body = w[0].trim_end();
            (body.contains("://") || body.contains("www."))
                && url::continues_url(body, w[1].trim(), body.chars().count() >= forced_from)
        })
        .collect();
    if !joins.contains(&true) {
        prose.push(block, r, text);
    } else {
        let mut start = r.start;
        let mut cont = false;
        for (i, line) in lines.iter().enumerate() {
            let joins_next = joins.get(i).copied().unwrap_or(false);
            let from = if cont { start + (line.len() - line.trim_start().len()) } else { start };
            let to = if joins_next { start + line.trim_end().len() } else { start + line.len() };
            prose.push(&text[from..to.max(from)], from..to.max(from), text);
            cont = joins_next;
            start += line.len();
        }
    }
    scan(prose, text, Scan { urls: true, symbols: true }, out);
}

#[cfg(test)]
mod tests {
    use super::extract;

    /// Lines of `pdftotext` output and plain reports: blank lines, page breaks, URLs the layout
    /// wrapped, symbols, white space of other kinds.
    const LINES: &[&str] = &[
        "",
        "",
        "   ",
        "\u{3000}",
        "\u{c}Page 2",
        "\u{c}",
        "12. Growth slowed, see https://www.un.org/development/desa/publications/world-economic-",
        "situation-and-prospects-2020.html and A/RES/70/1.",
        "resolution 75/202 of the General Assembly www.itu.int/en/ITU-D/Statistics/Pages/",
        "stat/default.aspx",
        "大会第 70/1 号决议 https://undocs.org/zh/A/RES/70/1。",
        "E/2020/31-E/CN.16/2020/4 http://a.org/x)",
        "a short line",
        "\r",
        "x\r",
    ];

    fn found(text: &str, piece: usize) -> Vec<(usize, String, String)> {
        extract(text, piece)
            .into_iter()
            .flatten()
            .map(|f| (f.start, f.value.to_string(), f.raw.to_string()))
            .collect()
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig { cases: 512, failure_persistence: None, ..Default::default() })]

        /// Read in pieces on all cores, a document yields what it yields in one go.
        #[test]
        fn pieces_yield_what_the_whole_yields(
            lines in proptest::collection::vec(proptest::sample::select(LINES), 0..60),
            size in 1usize..300,
        ) {
            let doc = lines.join("\n");
            proptest::prop_assert_eq!(found(&doc, size), found(&doc, usize::MAX), "{:?}", doc);
        }
    }
}
