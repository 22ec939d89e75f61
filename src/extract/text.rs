//! Plain text: bare URLs (with and without scheme) and document symbols, block by block.

use super::prose::{scan, Prose, Scan};
use super::Found;

/// Appends every citation of a plain-text document to `out`.
pub fn extract(text: &str, out: &mut Vec<Found>) {
    let mut prose = Prose::default();
    let mut block_start = 0;
    // Blocks end at blank lines, so context windows and symbols stay within a paragraph.
    let mut pos = 0;
    for line in text.split_inclusive('\n') {
        let end = pos + line.len();
        if line.trim().is_empty() {
            scan_block(text, block_start..pos, &mut prose, out);
            block_start = end;
        }
        pos = end;
    }
    scan_block(text, block_start..text.len(), &mut prose, out);
}

fn scan_block(text: &str, r: std::ops::Range<usize>, prose: &mut Prose, out: &mut Vec<Found>) {
    if r.is_empty() {
        return;
    }
    prose.clear();
    prose.push(&text[r.clone()], r, text);
    scan(prose, text, Scan { urls: true, symbols: true }, out);
}
