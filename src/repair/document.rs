//! A repaired copy of a document: each dead citation with a verified archived copy points to
//! it (`replace`) or gains it beside the original (`append`; in HTML the Robust Links way:
//! `data-versionurl` and `data-versiondate` on the link), every other byte as it was.

use crate::extract::InputFormat;
use crate::types::{Citation, Memento, Ymd};

/// How a repaired document offers the archived copy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum RepairStyle {
    /// The link points to the archived copy (HTML keeps the original in `data-originalurl`).
    Replace,
    /// The original stays; the archived copy is added beside it (HTML: Robust Links
    /// attributes on the link itself).
    #[default]
    Append,
}

/// One fix: a citation, the copy it gets, and the date it was cited.
#[derive(Debug, Clone)]
pub(crate) struct Fix<'a> {
    /// The citation (its `line`, `column` and `raw` locate it in the text).
    pub(crate) citation: &'a Citation,
    /// The archived copy.
    pub memento: &'a Memento,
    /// When the document cited it (Robust Links' `data-versiondate`).
    pub cited_at: Option<Ymd>,
}

/// What repairing a text did.
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct Repaired {
    /// The repaired text.
    pub text: String,
    /// Citations changed.
    pub applied: usize,
    /// Citations that could not be found where the table says (with why), left as they were.
    pub skipped: Vec<String>,
}

/// Repairs `text` (Markdown or HTML; anything else is treated as plain text).
pub(crate) fn repair_text(
    text: &str,
    format: InputFormat,
    fixes: &[Fix<'_>],
    style: RepairStyle,
) -> Repaired {
    let mut edits: Vec<(usize, usize, String)> = Vec::new(); // (start, end, replacement)
    let mut skipped = Vec::new();
    let line_starts: Vec<usize> =
        std::iter::once(0).chain(text.match_indices('\n').map(|(i, _)| i + 1)).collect();
    for fix in fixes {
        let c = fix.citation;
        let Some((at, end)) = locate(text, &line_starts, c) else {
            skipped.push(format!("line {} column {}: '{}' not found there", c.line, c.column, c.raw));
            continue;
        };
        // Raw HTML (`<a href="…">`) in Markdown is an attribute like in an HTML page.
        let in_attribute = text[..at].trim_end_matches(['"', '\'']).trim_end().ends_with('=');
        let edit = match format {
            InputFormat::Html => html_edit(text, at, end, fix, style),
            _ if in_attribute => html_edit(text, at, end, fix, style),
            _ => markdown_edit(text, at, end, fix, style),
        };
        edits.push(edit);
    }
    // Later edits first, so earlier offsets stay right; one edit per place.
    edits.sort_by(|a, b| b.0.cmp(&a.0).then(b.1.cmp(&a.1)));
    edits.dedup_by(|a, b| a.0 == b.0);
    let mut out = text.to_string();
    for (start, end, with) in &edits {
        out.replace_range(*start..*end, with);
    }
    Repaired { text: out, applied: edits.len(), skipped }
}

/// Where a citation's raw text is (start and end byte): at its line and column, else the first
/// occurrence on that line. HTML rows carry the target with entities decoded (`&`), the file
/// has them written (`&amp;`): both forms are looked for.
fn locate(text: &str, line_starts: &[usize], c: &Citation) -> Option<(usize, usize)> {
    if c.raw.is_empty() || c.line == 0 {
        return None;
    }
    let line_start = *line_starts.get(c.line - 1)?;
    let line_end = text[line_start..].find('\n').map_or(text.len(), |p| line_start + p);
    let line = &text[line_start..line_end];
    let escaped = c.raw.replace('&', "&amp;");
    let forms = [&*c.raw, escaped.as_str()];
    let by_column = line.char_indices().nth(c.column.saturating_sub(1)).map(|(i, _)| line_start + i);
    if let Some(at) = by_column {
        if let Some(form) = forms.iter().find(|f| text[at..].starts_with(**f)) {
            return Some((at, at + form.len()));
        }
    }
    forms.iter().find_map(|f| line.find(*f).map(|p| (line_start + p, line_start + p + f.len())))
}

/// The capture's day, `YYYY-MM-DD` (the visible label of an archived copy).
fn captured_on(m: &Memento) -> String {
    m.datetime.get(..8).and_then(Ymd::parse).map(|d| d.to_string()).unwrap_or_default()
}

/// Robust Links' `data-versiondate`: the day the document cited the page (else the capture's).
fn date_of(fix: &Fix<'_>) -> String {
    fix.cited_at.map_or_else(|| captured_on(fix.memento), |d| d.to_string())
}

/// Markdown: the target replaced, or `[archived YYYY-MM-DD](memento)` added after the link
/// (after `)` of an inline link, `>` of an autolink, or the bare URL).
fn markdown_edit(
    text: &str,
    at: usize,
    end: usize,
    fix: &Fix<'_>,
    style: RepairStyle,
) -> (usize, usize, String) {
    let m = &fix.memento.url;
    if style == RepairStyle::Replace {
        return (at, end, m.clone());
    }
    let before = &text[..at];
    let after = &text[end..];
    let link_end = if before.ends_with("](") || before.ends_with("](<") {
        // An inline link: after its closing parenthesis, past a title that may hold one.
        inline_link_end(after).map(|p| end + p)
    } else if before.ends_with('<') && after.starts_with('>') {
        Some(end + 1)
    } else {
        Some(end)
    }
    .unwrap_or(end);
    (link_end, link_end, format!(" [archived {}]({m})", captured_on(fix.memento)))
}

/// The byte just past the `)` that closes an inline link, from the end of its destination:
/// `>` of a `<…>` destination, then a title in `"…"`, `'…'` or `(…)`, then `)`.
fn inline_link_end(after: &str) -> Option<usize> {
    let mut rest = after.strip_prefix('>').unwrap_or(after);
    let skipped_angle = after.len() - rest.len();
    let trimmed = rest.trim_start();
    let mut at = skipped_angle + (rest.len() - trimmed.len());
    rest = trimmed;
    if let Some(close) = match rest.chars().next() {
        Some('"') => Some('"'),
        Some('\'') => Some('\''),
        Some('(') => Some(')'),
        _ => None,
    } {
        let title_end = rest[1..].find(close)? + 2;
        at += title_end;
        rest = &rest[title_end..];
    }
    Some(at + rest.find(')')? + 1)
}

/// HTML: on a link, Robust Links attributes after the `href` value (`append`), or `href` set to
/// the copy with `data-originalurl` (`replace`); a URL in the text gets a link to the copy
/// after it (`append`) or becomes the copy (`replace`).
fn html_edit(text: &str, at: usize, end: usize, fix: &Fix<'_>, style: RepairStyle) -> (usize, usize, String) {
    let m = attr(&fix.memento.url);
    let date = date_of(fix);
    let quote = text[end..].chars().next().filter(|q| *q == '"' || *q == '\'');
    let in_href = text[..at].trim_end_matches(['"', '\'']).trim_end().ends_with('=');
    if in_href {
        let after_value = end + quote.map_or(0, char::len_utf8);
        return match style {
            RepairStyle::Append => {
                (after_value, after_value, format!(" data-versionurl=\"{m}\" data-versiondate=\"{date}\""))
            }
            RepairStyle::Replace => {
                // The original as written is already an attribute value (entities escaped).
                let original = text[at..end].replace('"', "&quot;");
                let close = quote.map(String::from).unwrap_or_default();
                let open = if quote.is_some() { "" } else { "\"" };
                let shut = if quote.is_some() { "" } else { "\"" };
                (
                    at,
                    after_value,
                    format!(
                        "{open}{m}{shut}{close} data-originalurl=\"{original}\" data-versiondate=\"{date}\""
                    ),
                )
            }
        };
    }
    match style {
        RepairStyle::Append => {
            (end, end, format!(" <a href=\"{m}\">[archived {}]</a>", captured_on(fix.memento)))
        }
        RepairStyle::Replace => (at, end, fix.memento.url.replace('&', "&amp;")),
    }
}

/// A value for a quoted HTML attribute (either quote).
fn attr(s: &str) -> String {
    s.replace('&', "&amp;").replace('"', "&quot;").replace('\'', "&#39;")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::Kind;

    fn citation(line: usize, column: usize, raw: &str) -> Citation {
        Citation {
            source: "doc".into(),
            line,
            column,
            footnote: "".into(),
            paragraph: "".into(),
            kind: Kind::Url,
            value: raw.into(),
            raw: raw.into(),
        }
    }

    fn memento() -> Memento {
        Memento {
            url: "https://web.archive.org/web/20210220000000/https://a.org/x".into(),
            datetime: "20210220000000".into(),
            archive: "wayback",
            verified: true,
            warc: None,
        }
    }

    #[test]
    fn markdown_links_autolinks_and_bare_urls() {
        let text = "1. See [the report](https://a.org/x \"t\").\n2. 见 <https://a.org/x>。\n3. https://a.org/x and more\n";
        let cites = [
            citation(1, 21, "https://a.org/x"),
            citation(2, 6, "https://a.org/x"),
            citation(3, 4, "https://a.org/x"),
        ];
        let m = memento();
        let fixes: Vec<Fix<'_>> =
            cites.iter().map(|c| Fix { citation: c, memento: &m, cited_at: None }).collect();
        let appended = repair_text(text, InputFormat::Markdown, &fixes, RepairStyle::Append);
        let a = " [archived 2021-02-20](https://web.archive.org/web/20210220000000/https://a.org/x)";
        assert_eq!(
            appended.text,
            format!("1. See [the report](https://a.org/x \"t\"){a}.\n2. 见 <https://a.org/x>{a}。\n3. https://a.org/x{a} and more\n")
        );
        assert_eq!(appended.applied, 3);
        let replaced = repair_text(text, InputFormat::Markdown, &fixes, RepairStyle::Replace);
        assert_eq!(replaced.text, text.replace("https://a.org/x", &m.url));
    }

    #[test]
    fn titles_with_parentheses_and_raw_html_in_markdown() {
        let text = "1. [x](https://a.org/x \"Report (2020)\") and <a href=\"https://a.org/y\">y</a>.\n";
        let cites = [citation(1, 8, "https://a.org/x"), citation(1, 54, "https://a.org/y")];
        let m = memento();
        let fixes: Vec<Fix<'_>> =
            cites.iter().map(|c| Fix { citation: c, memento: &m, cited_at: None }).collect();
        let out = repair_text(text, InputFormat::Markdown, &fixes, RepairStyle::Append);
        assert_eq!(out.skipped, Vec::<String>::new());
        assert_eq!(
            out.text,
            format!(
                "1. [x](https://a.org/x \"Report (2020)\") [archived 2021-02-20]({u}) and <a href=\"https://a.org/y\" data-versionurl=\"{u}\" data-versiondate=\"2021-02-20\">y</a>.\n",
                u = m.url
            )
        );
        assert_eq!(inline_link_end(">) x"), Some(2));
        assert_eq!(inline_link_end(" 'a (b)' ) x"), Some(10));
        assert_eq!(inline_link_end("no close"), None);
    }

    #[test]
    fn html_links_get_robust_links_attributes() {
        let text = "<p>1. <a href=\"https://a.org/x?a=1&amp;b=2\">report</a> and https://a.org/y.</p>\n";
        // HTML rows carry the target decoded (`&`); the file has `&amp;`.
        let cites = [citation(1, 16, "https://a.org/x?a=1&b=2"), citation(1, 60, "https://a.org/y")];
        let m = memento();
        let date = Ymd::new(2021, 2, 24);
        let fixes: Vec<Fix<'_>> =
            cites.iter().map(|c| Fix { citation: c, memento: &m, cited_at: date }).collect();
        let appended = repair_text(text, InputFormat::Html, &fixes, RepairStyle::Append);
        assert_eq!(
            appended.text,
            "<p>1. <a href=\"https://a.org/x?a=1&amp;b=2\" data-versionurl=\"https://web.archive.org/web/20210220000000/https://a.org/x\" data-versiondate=\"2021-02-24\">report</a> and https://a.org/y <a href=\"https://web.archive.org/web/20210220000000/https://a.org/x\">[archived 2021-02-20]</a>.</p>\n"
        );
        let replaced = repair_text(text, InputFormat::Html, &fixes[..1], RepairStyle::Replace);
        assert_eq!(
            replaced.text,
            "<p>1. <a href=\"https://web.archive.org/web/20210220000000/https://a.org/x\" data-originalurl=\"https://a.org/x?a=1&amp;b=2\" data-versiondate=\"2021-02-24\">report</a> and https://a.org/y.</p>\n"
        );
        let missing = repair_text(
            text,
            InputFormat::Html,
            &[Fix { citation: &citation(9, 1, "x"), memento: &m, cited_at: None }],
            RepairStyle::Append,
        );
        assert_eq!(missing.text, text);
        assert_eq!(missing.skipped.len(), 1);
    }
}
