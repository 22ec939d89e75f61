//! A page's glyphs made into lines in reading order: glyphs that share a baseline, superscripts
//! (raised and smaller) joined to the line they stand on, spaces where glyphs leave a gap, two
//! columns read one after the other, and the link annotations laid over the text.

use super::content::{Glyph, PageContent};
use std::ops::Range;

/// One line of text on a page.
#[derive(Debug, Clone, Default, PartialEq)]
pub(super) struct Line {
    /// The text, with spaces where the glyphs leave gaps.
    pub text: String,
    /// Left and right ends.
    pub x1: f32,
    /// Right end.
    pub x2: f32,
    /// Baseline.
    pub y: f32,
    /// Font size of its ordinary (not raised) glyphs.
    pub size: f32,
    /// Most of its glyphs are bold.
    pub bold: bool,
    /// Byte ranges of superscript runs (note markers and labels).
    pub sups: Vec<Range<usize>>,
    /// Link annotations over its text: byte range and URI.
    pub links: Vec<(Range<usize>, String)>,
}

/// A link annotation: its rectangle (left, bottom, right, top) and URI.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Annotation {
    /// The rectangle.
    pub rect: [f32; 4],
    /// The URI it opens.
    pub uri: String,
}

struct Draft {
    glyphs: Vec<(Glyph, bool)>,
    y: f32,
    size: f32,
}

/// Builds the lines of a page, in reading order, with links laid over them.
pub(super) fn lines(page: &PageContent, annotations: &[Annotation]) -> Vec<Line> {
    let mut glyphs: Vec<&Glyph> = page.glyphs.iter().filter(|g| g.size > 0.5 && g.size < 500.0).collect();
    glyphs.sort_by(|a, b| b.y.total_cmp(&a.y).then(a.x.total_cmp(&b.x)));
    // Baseline groups, top to bottom.
    let mut drafts: Vec<Draft> = Vec::new();
    for g in glyphs {
        match drafts.last_mut() {
            Some(d) if (d.y - g.y).abs() <= 0.25 * d.size.min(g.size) => {
                d.size = d.size.max(g.size);
                d.glyphs.push((g.clone(), false));
            }
            _ => drafts.push(Draft { glyphs: vec![(g.clone(), false)], y: g.y, size: g.size }),
        }
    }
    // A small group raised above the next baseline is its superscripts (markers, labels).
    let mut merged: Vec<Draft> = Vec::new();
    let mut pending: Vec<Draft> = Vec::new();
    for mut d in drafts {
        for s in std::mem::take(&mut pending) {
            if s.size <= 0.85 * d.size && s.y > d.y && s.y - d.y <= 0.75 * d.size {
                d.glyphs.extend(s.glyphs.into_iter().map(|(g, _)| (g, true)));
            } else {
                merged.push(s);
            }
        }
        let short = d.glyphs.len() <= 24 && d.glyphs.iter().all(|(g, _)| g.text.trim().chars().count() <= 2);
        if short {
            pending.push(d);
        } else {
            merged.push(d);
        }
    }
    merged.extend(pending);
    let mut out: Vec<Line> =
        merged.into_iter().flat_map(split_at_gutters).filter_map(|d| build(d, annotations)).collect();
    reading_order(&mut out);
    out
}

/// Glyphs on one baseline but far apart (two columns, table cells) are separate lines.
fn split_at_gutters(mut d: Draft) -> Vec<Draft> {
    d.glyphs.sort_by(|a, b| a.0.x.total_cmp(&b.0.x));
    let mut out = Vec::new();
    let mut current: Vec<(Glyph, bool)> = Vec::new();
    let mut end = f32::MIN;
    for (g, sup) in d.glyphs {
        // A list label (`100.`, `(a)`, `•`) tabbed far from its text stays with it.
        let label = || {
            let t: String = current.iter().map(|(g, _)| g.text.as_str()).collect();
            let t = t.trim();
            number_label(t)
                || (t.starts_with('(') && t.ends_with(')') && t.chars().count() <= 6)
                || matches!(t, "•" | "-" | "–" | "*")
        };
        if !current.is_empty() && g.x - end > 2.5 * d.size && !label() {
            out.push(Draft { glyphs: std::mem::take(&mut current), y: d.y, size: d.size });
        }
        end = end.max(g.x + g.width);
        current.push((g, sup));
    }
    if !current.is_empty() {
        out.push(Draft { glyphs: current, y: d.y, size: d.size });
    }
    out
}

/// Orders the glyphs of a baseline group and makes its text.
fn build(mut d: Draft, annotations: &[Annotation]) -> Option<Line> {
    d.glyphs.sort_by(|a, b| a.0.x.total_cmp(&b.0.x));
    // Text drawn twice (fake bold, shadows) is read once.
    d.glyphs
        .dedup_by(|b, a| a.0.text == b.0.text && (a.0.x - b.0.x).abs() < 0.3 && (a.0.y - b.0.y).abs() < 0.3);
    let normal: Vec<&Glyph> = d.glyphs.iter().filter(|(_, sup)| !sup).map(|(g, _)| g).collect();
    let (size, y) = match normal.first() {
        Some(_) => {
            let mut sizes: Vec<f32> = normal.iter().map(|g| g.size).collect();
            sizes.sort_by(f32::total_cmp);
            (sizes[sizes.len() / 2], normal.iter().map(|g| g.y).sum::<f32>() / normal.len() as f32)
        }
        None => (d.size, d.y),
    };
    let mut line = Line { y, size, ..Line::default() };
    let mut boxes: Vec<(Range<usize>, [f32; 4])> = Vec::with_capacity(d.glyphs.len());
    let mut prev_end: Option<f32> = None;
    let mut sup_start: Option<usize> = None;
    let mut bold = 0usize;
    for (g, sup) in &d.glyphs {
        if let Some(end) = prev_end {
            let gap = g.x - end;
            // A paragraph number set flush against its text (`100.开发署`) still ends there.
            let after_number = !sup && number_label(&line.text) && g.text.starts_with(char::is_alphabetic);
            let needs_space = (gap > 0.18 * g.size.max(size * 0.8) || after_number)
                && !line.text.ends_with(char::is_whitespace)
                && !g.text.starts_with(char::is_whitespace);
            if needs_space {
                if let Some(s) = sup_start.take() {
                    line.sups.push(s..line.text.len());
                }
                line.text.push(' ');
            }
        }
        match (sup, sup_start) {
            (true, None) => sup_start = Some(line.text.len()),
            (false, Some(s)) => {
                line.sups.push(s..line.text.len());
                sup_start = None;
            }
            _ => {}
        }
        let start = line.text.len();
        // Back-link arrows that print pandoc's notes (↩︎) are not text.
        line.text
            .extend(g.text.chars().filter(|c| !matches!(c, '\u{21a9}' | '\u{fe0e}' | '\u{fe0f}' | '\u{ad}')));
        boxes.push((start..line.text.len(), [g.x, g.y - 0.2 * g.size, g.x + g.width, g.y + 0.75 * g.size]));
        prev_end = Some(g.x + g.width);
        bold += usize::from(g.bold);
    }
    if let Some(s) = sup_start {
        line.sups.push(s..line.text.len());
    }
    let trimmed_end = line.text.trim_end().len();
    line.text.truncate(trimmed_end);
    for r in &mut line.sups {
        r.end = r.end.min(trimmed_end);
    }
    line.sups.retain(|r| line.text.get(r.clone()).is_some_and(|t| !t.trim().is_empty()));
    if line.text.trim().is_empty() {
        return None;
    }
    line.x1 = d.glyphs.first().map_or(0.0, |(g, _)| g.x);
    line.x2 = d.glyphs.iter().map(|(g, _)| g.x + g.width).fold(line.x1, f32::max);
    line.bold = bold * 2 > d.glyphs.len();
    line.links = links_over(&boxes, annotations, line.text.len());
    Some(line)
}

/// `28.`: the text so far is a paragraph number.
fn number_label(text: &str) -> bool {
    let digits = text.bytes().take_while(u8::is_ascii_digit).count();
    (1..=4).contains(&digits) && &text[digits..] == "."
}

/// The byte ranges of the line that each annotation covers (glyph centres inside its rectangle).
fn links_over(
    boxes: &[(Range<usize>, [f32; 4])],
    annotations: &[Annotation],
    len: usize,
) -> Vec<(Range<usize>, String)> {
    let mut out: Vec<(Range<usize>, String)> = Vec::new();
    for a in annotations {
        let [x1, y1, x2, y2] = a.rect;
        let mut covered: Option<Range<usize>> = None;
        for (r, b) in boxes {
            let (cx, cy) = ((b[0] + b[2]) / 2.0, (b[1] + b[3]) / 2.0);
            if cx >= x1 - 1.0 && cx <= x2 + 1.0 && cy >= y1 - 1.0 && cy <= y2 + 1.0 && !r.is_empty() {
                covered = Some(match covered {
                    Some(c) => c.start.min(r.start)..c.end.max(r.end),
                    None => r.clone(),
                });
            }
        }
        if let Some(r) = covered {
            out.push((r.start..r.end.min(len), a.uri.clone()));
        }
    }
    out.sort_by_key(|(r, _)| r.start);
    out
}

/// Top to bottom; on a page of two columns, the left column before the right one (lines that
/// span both keep their place above or below them).
fn reading_order(lines: &mut Vec<Line>) {
    lines.sort_by(|a, b| b.y.total_cmp(&a.y).then(a.x1.total_cmp(&b.x1)));
    if lines.len() < 8 {
        return;
    }
    let left = lines.iter().map(|l| l.x1).fold(f32::MAX, f32::min);
    let right = lines.iter().map(|l| l.x2).fold(f32::MIN, f32::max);
    let mid = (left + right) / 2.0;
    let band = (right - left) * 0.02;
    let crosses = |l: &Line| l.x1 < mid - band && l.x2 > mid + band;
    let in_left = lines.iter().filter(|l| l.x2 <= mid + band).count();
    let in_right = lines.iter().filter(|l| l.x1 >= mid - band).count();
    let spanning = lines.iter().filter(|l| crosses(l)).count();
    if in_left < 4 || in_right < 4 || spanning * 5 > lines.len() {
        return;
    }
    // Spanning lines above the columns come first, those below them last.
    let column_top = lines.iter().filter(|l| !crosses(l)).map(|l| l.y).fold(f32::MIN, f32::max);
    let all = std::mem::take(lines);
    let (head, rest): (Vec<Line>, Vec<Line>) = all.into_iter().partition(|l| crosses(l) && l.y > column_top);
    let (cols, tail): (Vec<Line>, Vec<Line>) = rest.into_iter().partition(|l| !crosses(l));
    let (l_col, r_col): (Vec<Line>, Vec<Line>) = cols.into_iter().partition(|l| l.x1 < mid - band);
    lines.extend(head);
    lines.extend(l_col);
    lines.extend(r_col);
    lines.extend(tail);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn glyphs(text: &str, x: f32, y: f32, size: f32) -> Vec<Glyph> {
        let w = size * 0.5;
        text.chars()
            .enumerate()
            .map(|(i, c)| Glyph { text: c.to_string(), x: x + i as f32 * w, y, size, width: w, bold: false })
            .collect()
    }

    fn page(parts: Vec<Vec<Glyph>>) -> PageContent {
        PageContent { glyphs: parts.concat(), media: [0.0, 0.0, 612.0, 792.0], ..PageContent::default() }
    }

    #[test]
    fn superscripts_join_their_line() {
        let p = page(vec![
            glyphs("Growth slowed.", 72.0, 700.0, 12.0),
            glyphs("3", 156.0, 704.5, 7.0),
            glyphs("More", 165.0, 700.0, 12.0),
            glyphs("3", 72.0, 104.5, 7.0),
            glyphs("https://a.org/x", 78.0, 100.0, 10.0),
        ]);
        let ls = lines(&p, &[]);
        assert_eq!(ls.len(), 2, "{ls:?}");
        assert_eq!(ls[0].text, "Growth slowed.3 More");
        assert_eq!(&ls[0].text[ls[0].sups[0].clone()], "3");
        assert_eq!(ls[1].text, "3 https://a.org/x");
        assert_eq!(ls[1].sups, vec![0..1]);
    }

    #[test]
    fn annotations_cover_their_text() {
        let p = page(vec![glyphs("see https://a.org/long-", 72.0, 700.0, 10.0)]);
        let a = Annotation { rect: [91.0, 697.0, 190.0, 710.0], uri: "https://a.org/long-path".into() };
        let ls = lines(&p, &[a]);
        assert_eq!(ls[0].links.len(), 1);
        let (r, uri) = &ls[0].links[0];
        assert_eq!(&ls[0].text[r.clone()], "https://a.org/long-");
        assert_eq!(uri, "https://a.org/long-path");
    }

    #[test]
    fn two_columns_are_read_one_after_the_other() {
        let mut parts = vec![glyphs("A title across both columns of the page", 72.0, 760.0, 14.0)];
        for i in 0..6 {
            parts.push(glyphs(&format!("left {i}"), 72.0, 700.0 - 14.0 * i as f32, 10.0));
            parts.push(glyphs(&format!("right {i}"), 320.0, 700.0 - 14.0 * i as f32, 10.0));
        }
        let ls = lines(&page(parts), &[]);
        let texts: Vec<&str> = ls.iter().map(|l| l.text.as_str()).collect();
        assert_eq!(texts[0], "A title across both columns of the page");
        assert_eq!(&texts[1..4], &["left 0", "left 1", "left 2"]);
        assert_eq!(texts[7], "right 0");
    }
}
