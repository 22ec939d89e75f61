//! Plain text: bare URLs (with and without scheme) and document symbols, block by block. URLs
//! that a layout wrapped at a line end (as `pdftotext` writes them) are rejoined.

use super::prose::{scan, Prose, Scan};
use super::{url, Found};

/// Appends every citation of a plain-text document to `out`.
pub(super) fn extract(text: &str, out: &mut Vec<Found>) {
    let mut prose = Prose::default();
    let mut block_start = 0;
    // A line this long or longer was broken by the layout, not by the author.
    let widest = text.lines().map(|l| l.trim_end().chars().count()).max().unwrap_or(0);
    let forced_from = widest * 85 / 100;
    // Blocks end at blank lines (and page breaks), so context windows and symbols stay within
    // a paragraph.
    let mut pos = 0;
    for line in text.split_inclusive('\n') {
        let end = pos + line.len();
        if line.trim().is_empty() || line.starts_with('\u{c}') {
            scan_block(text, block_start..pos, forced_from, &mut prose, out);
            block_start = if line.trim().is_empty() { end } else { pos };
        }
        pos = end;
    }
    scan_block(text, block_start..text.len(), forced_from, &mut prose, out);
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
