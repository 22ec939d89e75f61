//! Pages of lines made into the blocks and notes of a document: running headers and footers
//! dropped, the footnote area of each page told from the body (a separator rule, or lines that
//! begin with the label of a marker above them), notes continued on the next page kept
//! together, endnotes found as a numbered list after the last marker, paragraphs and headings
//! told apart, and lines joined (URLs wrapped at a line end rejoined).

use super::content::Rule;
use super::lines::Line;
use crate::extract::layout::paragraph_number;
use crate::extract::structure::{Block, Link, Mark, Marker, Note, Role, Structure};
use crate::extract::url;
use std::collections::{HashMap, HashSet};
use std::ops::Range;

/// The lines of one page and what else the layout needs.
#[derive(Debug, Default)]
pub(super) struct PageLines {
    /// 1-based page number.
    pub number: usize,
    /// Lines in reading order.
    pub lines: Vec<Line>,
    /// Horizontal rules.
    pub rules: Vec<Rule>,
    /// Media box: left, bottom, right, top.
    pub media: [f32; 4],
}

/// A line with where it came from.
#[derive(Debug, Clone)]
struct Placed {
    line: Line,
    page: usize,
    /// 1-based line number on its page (reading order, running headers counted).
    number: usize,
}

/// A note's definition: its label and lines, and where it comes in the flow of body lines.
#[derive(Debug)]
struct Definition {
    label: String,
    lines: Vec<Placed>,
    /// Number of body lines before it.
    position: usize,
}

/// Builds the document's structure.
pub(super) fn assemble(pages: Vec<PageLines>) -> Structure {
    let body_size = body_size(&pages);
    let running = running_lines(&pages);
    let mut flow: Vec<Placed> = Vec::new();
    let mut definitions: Vec<Definition> = Vec::new();
    let mut open_labels: Vec<String> = Vec::new();
    for page in pages {
        let PageLines { number, lines, rules, media } = page;
        let kept: Vec<Placed> = lines
            .into_iter()
            .enumerate()
            .filter(|(i, _)| !running.contains(&(number, *i)))
            .map(|(i, line)| Placed { line, page: number, number: i + 1 })
            .collect();
        let continuing =
            definitions.last().and_then(|d| d.lines.last()).is_some_and(|p| p.page + 1 == number);
        let zone = footnote_zone(&kept, &rules, media, body_size, &open_labels, continuing);
        let (body, notes) = match zone {
            Some(z) => {
                let mut kept = kept;
                let notes = kept.split_off(z);
                (kept, notes)
            }
            None => (kept, Vec::new()),
        };
        for p in &body {
            open_labels.extend(markers_of(&p.line).into_iter().map(|(_, l)| l));
        }
        flow.extend(body);
        for p in notes {
            match label_start(&p.line) {
                Some((label, text_at)) => {
                    open_labels.retain(|l| *l != label);
                    let mut p = p;
                    strip_front(&mut p.line, text_at);
                    definitions.push(Definition { label, lines: vec![p], position: flow.len() });
                }
                // A note continued from the previous page.
                None => match definitions.last_mut() {
                    Some(d) => d.lines.push(p),
                    None => flow.push(p),
                },
            }
        }
    }
    let endnotes = endnotes(&mut flow);
    definitions.extend(endnotes);
    build(flow, definitions, body_size)
}

/// The font size of most body text (weighted by characters).
fn body_size(pages: &[PageLines]) -> f32 {
    let mut weight: HashMap<i32, usize> = HashMap::new();
    for l in pages.iter().flat_map(|p| &p.lines) {
        *weight.entry((l.size * 2.0).round() as i32).or_default() += l.text.chars().count();
    }
    weight.into_iter().max_by_key(|&(size, w)| (w, -size)).map_or(12.0, |(s, _)| s as f32 / 2.0)
}

/// Lines in the top and bottom margins that repeat on many pages (the document symbol, a job
/// number, the title), and page numbers: (page, index of the line on its page).
fn running_lines(pages: &[PageLines]) -> HashSet<(usize, usize)> {
    let mut counts: HashMap<(bool, String), HashSet<usize>> = HashMap::new();
    let mut candidates: Vec<(usize, usize, bool, String, bool)> = Vec::new();
    for p in pages {
        let height = (p.media[3] - p.media[1]).max(1.0);
        let n = p.lines.len();
        for (i, l) in p.lines.iter().enumerate() {
            let top = l.y > p.media[3] - 0.08 * height && i < 3;
            let bottom = l.y < p.media[1] + 0.08 * height && i + 3 >= n;
            if !(top || bottom) {
                continue;
            }
            let key = normalise(&l.text);
            counts.entry((top, key.clone())).or_default().insert(p.number);
            candidates.push((p.number, i, top, key, page_number_like(&l.text)));
        }
    }
    let threshold = (pages.len() * 3).div_ceil(10).max(2);
    candidates
        .into_iter()
        .filter(|(_, _, top, key, number)| {
            *number
                || (pages.len() >= 3
                    && counts.get(&(*top, key.clone())).is_some_and(|s| s.len() >= threshold))
        })
        .map(|(page, i, ..)| (page, i))
        .collect()
}

/// Text with digits made alike, so `A/75/1 2` and `A/75/1 3` compare equal.
fn normalise(text: &str) -> String {
    let mut out = String::new();
    let mut last_digit = false;
    for c in text.trim().chars() {
        if c.is_ascii_digit() {
            if !last_digit {
                out.push('#');
            }
            last_digit = true;
        } else {
            last_digit = false;
            if !(c.is_whitespace() && out.ends_with(' ')) {
                out.push(if c.is_whitespace() { ' ' } else { c });
            }
        }
    }
    out.to_lowercase()
}

/// `12`, `- 12 -`, `xii`, `Page 3 of 20`, `3/20`.
fn page_number_like(text: &str) -> bool {
    let t = text.trim().trim_matches(|c: char| matches!(c, '-' | '–' | '—') || c.is_whitespace());
    let lower = t.to_lowercase();
    let lower =
        lower.strip_prefix("page").or_else(|| lower.strip_prefix("p.")).map_or(lower.as_str(), str::trim);
    let numbers: Vec<&str> = lower
        .split(|c: char| c == '/' || c.is_whitespace())
        .filter(|w| !w.is_empty() && *w != "of")
        .collect();
    !numbers.is_empty()
        && numbers.len() <= 2
        && numbers.iter().all(|w| {
            (w.len() <= 4 && w.bytes().all(|b| b.is_ascii_digit()))
                || (w.len() <= 6 && w.bytes().all(|b| b"ivxlcdm".contains(&b)))
        })
}

/// A superscript label at the very start of a line (`²` of a footnote), and where its text
/// starts.
fn label_start(line: &Line) -> Option<(String, usize)> {
    let first =
        line.sups.first().filter(|r| line.text.get(..r.start).is_some_and(|t| t.trim().is_empty()))?;
    let label = line.text.get(first.clone())?.trim();
    valid_label(label).then(|| (label.to_string(), first.end))
}

/// `1`, `137`, `13a`, `*`, `†`, `a`.
fn valid_label(label: &str) -> bool {
    let digits = label.bytes().take_while(u8::is_ascii_digit).count();
    let rest = &label[digits..];
    (1..=4).contains(&digits)
        && (rest.is_empty() || (rest.len() == 1 && rest.bytes().all(|b| b.is_ascii_lowercase())))
        || (!label.is_empty()
            && label.chars().count() <= 3
            && label.chars().all(|c| matches!(c, '*' | '†' | '‡' | '§')))
        || (label.len() == 1 && label.bytes().all(|b| b.is_ascii_lowercase()))
}

/// Note markers of a body line: superscripts that are labels (a superscript that starts a line
/// is a marker too when the previous line ended in a word).
fn markers_of(line: &Line) -> Vec<(usize, String)> {
    line.sups
        .iter()
        .filter_map(|r| {
            let label = line.text.get(r.clone())?.trim();
            valid_label(label).then(|| (r.start, label.to_string()))
        })
        .collect()
}

/// Where the footnote area of a page starts: below a short separator rule in the lower part
/// of the page, else at the first line that begins with the label of a marker above it (on
/// this page or an earlier one) and after which everything is note-like. `continuing`: the
/// previous page ended in its notes, so unlabelled lines below a separator go on with them.
fn footnote_zone(
    lines: &[Placed],
    rules: &[Rule],
    media: [f32; 4],
    body: f32,
    open: &[String],
    continuing: bool,
) -> Option<usize> {
    if lines.is_empty() {
        return None;
    }
    let left = lines.iter().map(|p| p.line.x1).fold(f32::MAX, f32::min);
    let right = lines.iter().map(|p| p.line.x2).fold(f32::MIN, f32::max);
    let height = media[3] - media[1];
    // A separator: a short rule at the left, in the lower part of the page, right above a
    // note's first line (a label, or the smaller text of a note continued).
    let mut separators: Vec<f32> = rules
        .iter()
        .filter(|r| r.x2 - r.x1 <= 0.6 * (right - left) && r.x1 <= left + 0.25 * (right - left))
        .filter(|r| r.y < media[1] + 0.7 * height)
        .map(|r| r.y)
        .collect();
    separators.sort_by(|a, b| b.total_cmp(a));
    for y in separators {
        let Some(z) = lines.iter().position(|p| p.line.y < y) else { continue };
        let first = &lines[z].line;
        let close = y - first.y < 3.0 * first.size.max(body);
        let labelled = lines[z..].iter().any(|p| label_start(&p.line).is_some());
        let small = lines[z..].iter().all(|p| p.line.size < 0.95 * body);
        // Below a separator: notes, or the rest of the previous page's last note.
        if close && (labelled || small || (continuing && label_start(first).is_none())) {
            return Some(z);
        }
    }
    let mut seen: Vec<String> = open.to_vec();
    let mut start = None;
    for (i, p) in lines.iter().enumerate() {
        if let Some((label, _)) = label_start(&p.line) {
            let rest_is_notes =
                lines[i..].iter().all(|q| label_start(&q.line).is_some() || q.line.size <= 1.05 * body);
            if seen.contains(&label) && rest_is_notes && p.line.y < media[1] + 0.6 * height {
                start = Some(i);
                break;
            }
        }
        seen.extend(markers_of(&p.line).into_iter().map(|(_, l)| l));
    }
    let mut z = start?;
    // Lines of a note continued from the previous page come first, in the notes' smaller size.
    while z > 0 && lines[z - 1].line.size < 0.92 * body && label_start(&lines[z - 1].line).is_none() {
        z -= 1;
    }
    Some(z)
}

/// An endnote list: after the last marker, lines that begin `1.`, `2.`, … (or with those
/// labels raised), numbered like the markers in the text. They leave the flow as definitions.
fn endnotes(flow: &mut Vec<Placed>) -> Vec<Definition> {
    let mut marker_at: HashMap<String, usize> = HashMap::new();
    for (i, p) in flow.iter().enumerate() {
        for (_, label) in markers_of(&p.line) {
            marker_at.entry(label).or_insert(i);
        }
    }
    let last_marker = flow.iter().rposition(|p| !markers_of(&p.line).is_empty());
    let Some(last_marker) = last_marker else { return Vec::new() };
    // The list starts at a `1` after the last marker; its items count up from there.
    let Some(first) =
        (last_marker + 1..flow.len()).find(|&i| list_label(&flow[i].line).is_some_and(|(l, _)| l == "1"))
    else {
        return Vec::new();
    };
    let mut items: Vec<(usize, String, usize)> = Vec::new();
    let mut expect = 1usize;
    for (i, p) in flow.iter().enumerate().skip(first) {
        if let Some((label, text_at)) = list_label(&p.line) {
            if label == expect.to_string() {
                items.push((i, label, text_at));
                expect += 1;
            }
        }
    }
    let cited = items.iter().filter(|(_, l, _)| marker_at.contains_key(l)).count();
    if items.is_empty() || cited * 2 < items.len() {
        return Vec::new();
    }
    let tail = flow.split_off(first);
    let mut out: Vec<Definition> = Vec::new();
    let position = flow.len();
    let mut next = items.iter().peekable();
    for (k, mut p) in tail.into_iter().enumerate() {
        let i = first + k;
        match next.peek() {
            Some((at, label, text_at)) if *at == i => {
                strip_front(&mut p.line, *text_at);
                out.push(Definition { label: label.clone(), lines: vec![p], position });
                next.next();
            }
            _ => match out.last_mut() {
                Some(d) => d.lines.push(p),
                None => flow.push(p),
            },
        }
    }
    out
}

/// `12. text` or `12 text` (or a raised `12`) at the start of a line: the label and where the
/// text starts.
fn list_label(line: &Line) -> Option<(String, usize)> {
    if let Some(found) = label_start(line) {
        return Some(found);
    }
    let t = line.text.as_str();
    let lead = t.len() - t.trim_start().len();
    let digits = t[lead..].bytes().take_while(u8::is_ascii_digit).count();
    if !(1..=3).contains(&digits) {
        return None;
    }
    let after = lead + digits;
    let rest = &t[after..];
    let rest = rest.strip_prefix('.').or_else(|| rest.strip_prefix(')')).unwrap_or(rest);
    if !rest.starts_with(char::is_whitespace) {
        return None;
    }
    Some((t[lead..after].to_string(), t.len() - rest.trim_start().len()))
}

/// Removes a line's first `at` bytes (a label), keeping its links and superscripts aligned.
fn strip_front(line: &mut Line, at: usize) {
    let at = at.min(line.text.len());
    line.text.drain(..at);
    let shift = |r: &Range<usize>| r.start.saturating_sub(at)..r.end.saturating_sub(at);
    line.sups = line.sups.iter().filter(|r| r.start >= at).map(shift).collect();
    line.links = line.links.iter().filter(|(r, _)| r.end > at).map(|(r, u)| (shift(r), u.clone())).collect();
}

/// Blocks from the body flow, notes from their definitions, markers tied to their notes.
fn build(flow: Vec<Placed>, definitions: Vec<Definition>, body: f32) -> Structure {
    let mut doc = Structure { marked_positions: true, ..Structure::default() };
    // (block, byte offset, label, flow index) of every marker.
    let mut markers: Vec<(usize, usize, String, usize)> = Vec::new();
    let mut current: Option<Block> = None;
    let mut prev: Option<&Placed> = None;
    let max_right = flow.iter().map(|p| p.line.x2).fold(0.0, f32::max);
    for (i, p) in flow.iter().enumerate() {
        let heading = is_heading(&p.line, body);
        let starts = match prev {
            None => true,
            Some(q) => {
                heading
                    || is_heading(&q.line, body)
                    || (q.page == p.page && q.line.y - p.line.y > 1.9 * q.line.size.max(p.line.size))
                    || (paragraph_number(p.line.text.trim_start()).is_some()
                        && (p.line.x1 < q.line.x1 - 1.0
                            || q.line.x2 < max_right - 3.0 * q.line.size
                            || q.page != p.page))
            }
        };
        if starts {
            if let Some(b) = current.take() {
                doc.blocks.push(b);
            }
            current = Some(Block::new(if heading { Role::Heading } else { Role::Body }));
        }
        let block = current.get_or_insert_with(|| Block::new(Role::Body));
        let reaches_margin = prev.is_some_and(|q| q.line.x2 >= max_right - 2.0 * q.line.size);
        let (offset, lead) = append(block, p, reaches_margin);
        let index = doc.blocks.len();
        for (at, label) in markers_of(&p.line) {
            markers.push((index, offset + at.saturating_sub(lead), label, i));
        }
        prev = Some(p);
    }
    if let Some(b) = current.take() {
        doc.blocks.push(b);
    }
    // Each note takes the earliest marker with its label that comes before it.
    let mut used = vec![false; markers.len()];
    for d in definitions {
        let note = doc.notes.len();
        doc.notes.push(Note { label: d.label.clone() });
        let found = markers.iter().enumerate().find(|(k, m)| !used[*k] && m.2 == d.label && m.3 < d.position);
        if let Some((k, (b, at, _, _))) = found {
            used[k] = true;
            if let Some(block) = doc.blocks.get_mut(*b) {
                block.markers.push(Marker { at: *at, note });
            }
        }
        let mut block = Block::new(Role::Note(note));
        let mut prev: Option<&Placed> = None;
        let right = d.lines.iter().map(|p| p.line.x2).fold(0.0, f32::max);
        for p in &d.lines {
            let reaches_margin = prev.is_some_and(|q| q.line.x2 >= right - 2.0 * q.line.size);
            append(&mut block, p, reaches_margin);
            prev = Some(p);
        }
        doc.blocks.push(block);
    }
    for b in &mut doc.blocks {
        b.markers.sort_by_key(|m| m.at);
    }
    doc
}

/// A heading: larger than body text, or a short bold line; never a numbered paragraph.
fn is_heading(line: &Line, body: f32) -> bool {
    let short = line.text.chars().count() <= 90;
    let sentence_end = line.text.trim_end().ends_with(['.', '。', ';', ',']);
    let numbered = paragraph_number(line.text.trim_start()).is_some();
    !numbered && ((line.size >= 1.15 * body && short) || (line.bold && short && !sentence_end))
}

/// Appends a line to a block without its leading white space; returns the byte offset where
/// its text starts and how many leading bytes were left out.
fn append(block: &mut Block, p: &Placed, prev_reaches_margin: bool) -> (usize, usize) {
    let line = &p.line;
    let text = line.text.trim_start();
    let lead = line.text.len() - text.len();
    if !block.text.is_empty() {
        let joined = url::continues_url(&block.text, text, prev_reaches_margin);
        let linked = continues_link(block, line, lead);
        if !(joined || linked) {
            block.text.push('\n');
        }
    }
    let offset = block.text.len();
    block.marks.push(Mark { at: offset, line: p.page, column: p.number });
    block.text.push_str(text);
    for (r, uri) in &line.links {
        let r = offset + r.start.saturating_sub(lead)..offset + r.end.saturating_sub(lead);
        match block.links.last_mut() {
            // The second half of a link wrapped at the line end.
            Some(last) if last.href == *uri && last.range.end + 1 >= r.start && r.start == offset => {
                last.range.end = r.end
            }
            _ => block.links.push(Link { range: r, href: uri.clone() }),
        }
    }
    (offset, lead)
}

/// The line goes on with the link that ended the previous line (same URI, at the edges) and the
/// linked text is a URL written out: no space goes between the halves.
fn continues_link(block: &Block, line: &Line, lead: usize) -> bool {
    let Some(last) = block.links.last() else { return false };
    let Some((r, uri)) = line.links.first() else { return false };
    let Some(text) = block.text.get(last.range.clone()) else { return false };
    last.range.end == block.text.len()
        && r.start <= lead
        && *uri == last.href
        && (text.contains("://") || text.starts_with("www."))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_and_page_numbers() {
        for yes in ["1", "137", "13a", "*", "†", "a"] {
            assert!(valid_label(yes), "{yes}");
        }
        for no in ["", "12345", "ab", "st", "1.5", "**x"] {
            assert!(!valid_label(no), "{no}");
        }
        for yes in ["12", "- 12 -", "xii", "Page 3 of 20", "3/20", "p. 4"] {
            assert!(page_number_like(yes), "{yes}");
        }
        for no in ["E/CN.16/2021/2", "2021 session", "21-02913 (C)", "Chapter 3"] {
            assert!(!page_number_like(no), "{no}");
        }
        assert_eq!(normalise("A/75/1  page 12"), normalise("A/75/1 page 3"));
    }

    fn line(text: &str, y: f32, size: f32) -> Line {
        Line { text: text.into(), x1: 72.0, x2: 72.0 + text.len() as f32 * 5.0, y, size, ..Line::default() }
    }

    #[test]
    fn list_labels() {
        assert_eq!(list_label(&line("12. Text", 0.0, 12.0)), Some(("12".into(), 4)));
        assert_eq!(list_label(&line("3 https://a.org", 0.0, 12.0)), Some(("3".into(), 2)));
        assert_eq!(list_label(&line("2020 was", 0.0, 12.0)), None);
        assert_eq!(list_label(&line("2.5 percent", 0.0, 12.0)), None);
    }
}
