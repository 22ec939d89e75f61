//! ODT (OpenDocument Text), zipped or flat (`.fodt`): paragraphs and headings of
//! `office:text`, notes where they are cited (`text:note` with its `text:note-citation`, the
//! label shown), links (`text:a xlink:href`) and the numbers lists give paragraphs (computed
//! from the list styles, `text:start-value` and `text:continue-numbering`/`continue-list`).
//! Tracked deletions (`text:tracked-changes`) and comments (`office:annotation`) are skipped.

use super::package::{attr, each_event, event_text, text, NumFormat, Package, PackageError, Skip};
use super::structure::{Block, Link, Marker, Note, Role, Structure};
use quick_xml::events::{BytesStart, Event};
use std::collections::HashMap;

/// The MIME type an ODT package names in its `mimetype` entry.
pub(crate) const MIMETYPE: &str = "application/vnd.oasis.opendocument.text";

/// Reads a zipped ODT package.
/// Reads an ODT package, or a flat OpenDocument text (`.fodt`: one XML file).
pub(crate) fn read_any(bytes: &[u8]) -> Result<Structure, PackageError> {
    if !bytes.starts_with(b"PK") && super::looks_like_flat_odt(bytes) {
        read_flat(bytes)
    } else {
        read(bytes)
    }
}

pub(crate) fn read(bytes: &[u8]) -> Result<Structure, PackageError> {
    let mut pkg = Package::open(bytes, "ODT")?;
    if let Some(manifest) = pkg.part("META-INF/manifest.xml")? {
        if memchr::memmem::find(&manifest, b"encryption-data").is_some() {
            return Err(PackageError::Encrypted { detail: "its content is encrypted".to_string() });
        }
    }
    let content = pkg.required("content.xml")?;
    let mut styles = ListStyles::default();
    if let Some(bytes) = pkg.part("styles.xml")? {
        styles.read("styles.xml", &bytes)?;
    }
    styles.read("content.xml", &content)?;
    Reader::new(styles).read("content.xml", &content)
}

/// Reads a flat ODT (`.fodt`): one XML document holding styles and content.
pub(crate) fn read_flat(bytes: &[u8]) -> Result<Structure, PackageError> {
    let mut styles = ListStyles::default();
    styles.read("the document", bytes)?;
    Reader::new(styles).read("the document", bytes)
}

#[derive(Debug, Clone, Default)]
struct LevelStyle {
    format: Option<NumFormat>,
    prefix: String,
    suffix: String,
    start: i64,
    display: usize,
}

/// List styles by name: how each level shows its number.
#[derive(Debug, Default)]
struct ListStyles {
    styles: HashMap<String, HashMap<usize, LevelStyle>>,
}

impl ListStyles {
    fn read(&mut self, part: &str, bytes: &[u8]) -> Result<(), PackageError> {
        let mut current: Option<String> = None;
        each_event(part, bytes, |ev| match ev {
            Event::Start(e) if e.local_name().as_ref() == b"list-style" => current = attr(&e, b"name"),
            Event::End(e) if e.local_name().as_ref() == b"list-style" => current = None,
            Event::Start(e) | Event::Empty(e) => {
                if let Some((name, level, style)) =
                    current.as_ref().and_then(|n| level_style(&e).map(|l| (n, l.0, l.1)))
                {
                    self.styles.entry(name.clone()).or_default().insert(level, style);
                }
            }
            _ => {}
        })
    }

    fn level(&self, style: &str, level: usize) -> Option<&LevelStyle> {
        self.styles.get(style)?.get(&level)
    }
}

/// A `text:list-level-style-*` element: its level and how it numbers.
fn level_style(e: &BytesStart<'_>) -> Option<(usize, LevelStyle)> {
    let local = e.local_name();
    let kind = local.as_ref();
    if !kind.starts_with(b"list-level-style-") {
        return None;
    }
    let int = |name: &[u8]| attr(e, name).and_then(|v| v.parse().ok());
    let level = int(b"level").unwrap_or(1);
    let style = if kind == b"list-level-style-number" {
        LevelStyle {
            format: Some(odf_format(&attr(e, b"num-format").unwrap_or_default())),
            prefix: attr(e, b"num-prefix").unwrap_or_default(),
            suffix: attr(e, b"num-suffix").unwrap_or_default(),
            start: attr(e, b"start-value").and_then(|v| v.parse().ok()).unwrap_or(1),
            display: int(b"display-levels").unwrap_or(1),
        }
    } else {
        LevelStyle { format: None, start: 1, display: 1, ..LevelStyle::default() }
    };
    Some((level, style))
}

fn odf_format(v: &str) -> NumFormat {
    match v {
        "a" => NumFormat::LowerLetter,
        "A" => NumFormat::UpperLetter,
        "i" => NumFormat::LowerRoman,
        "I" => NumFormat::UpperRoman,
        "" => NumFormat::Nothing,
        _ => NumFormat::Decimal,
    }
}

#[derive(Debug, Clone)]
struct List {
    style: String,
    id: Option<String>,
    counts: [Option<i64>; 11],
    top: bool,
}

#[derive(Debug)]
struct OpenPara {
    block: Block,
    serial: usize,
}

/// Elements whose content is not text a reader sees.
const SKIPPED: &[&[u8]] = &[
    b"tracked-changes",
    b"annotation",
    b"sequence-decls",
    b"variable-decls",
    b"user-field-decls",
    b"forms",
    b"desc",
    b"title",
    b"automatic-styles",
    b"styles",
    b"master-styles",
    b"font-face-decls",
    b"meta",
    b"settings",
    b"scripts",
];

struct Reader {
    styles: ListStyles,
    doc: Structure,
    in_body: bool,
    skip: Skip,
    open: Vec<OpenPara>,
    serial: usize,
    lists: Vec<List>,
    by_id: HashMap<String, [Option<i64>; 11]>,
    last_by_style: HashMap<String, [Option<i64>; 11]>,
    pending_label: Option<String>,
    notes: Vec<usize>,
    /// The note whose citation is being read, its label, and whether `text:label` gave it.
    citation: Option<(usize, String, bool)>,
    links: Vec<Option<(String, usize, usize)>>,
}

impl Reader {
    fn new(styles: ListStyles) -> Reader {
        Reader {
            styles,
            doc: Structure::default(),
            in_body: false,
            skip: Skip::default(),
            open: Vec::new(),
            serial: 0,
            lists: Vec::new(),
            by_id: HashMap::new(),
            last_by_style: HashMap::new(),
            pending_label: None,
            notes: Vec::new(),
            citation: None,
            links: Vec::new(),
        }
    }

    fn read(mut self, part: &str, bytes: &[u8]) -> Result<Structure, PackageError> {
        let mut saw_text = false;
        each_event(part, bytes, |ev| match ev {
            Event::Start(e) => {
                saw_text |= e.local_name().as_ref() == b"text" && !self.skip.active();
                self.start(&e, false);
            }
            Event::Empty(e) => self.start(&e, true),
            Event::End(e) => self.end(e.local_name().as_ref()),
            // ODF collapses white space in paragraphs as HTML does.
            Event::Text(t) => self.text(&text(&t).replace(['\n', '\r', '\t'], " ")),
            other => {
                if let Some(s) = event_text(&other) {
                    self.text(&s);
                }
            }
        })?;
        if !saw_text {
            return Err(PackageError::MissingPart {
                format: "ODT",
                part: "office:text body in content.xml".into(),
            });
        }
        while let Some(p) = self.open.pop() {
            self.doc.blocks.push(p.block);
        }
        Ok(self.doc)
    }

    fn start(&mut self, e: &BytesStart<'_>, empty: bool) {
        let local = e.local_name();
        let name = local.as_ref();
        if self.skip.start(name, empty, SKIPPED) {
            return;
        }
        match name {
            b"text" if !empty => self.in_body = true,
            _ if !self.in_body => {}
            b"p" | b"h" => {
                self.serial += 1;
                let role = match self.notes.last() {
                    Some(&n) => Role::Note(n),
                    None if name == b"h" => Role::Heading,
                    None => Role::Body,
                };
                let mut block = Block::new(role);
                block.list_label = self.pending_label.take();
                self.open.push(OpenPara { block, serial: self.serial });
                if empty {
                    self.end(name);
                }
            }
            b"list" if !empty => self.open_list(e),
            b"list-item" | b"list-header" if !empty => self.list_item(e, name == b"list-item"),
            b"note" if !empty => {
                self.doc.notes.push(Note::default());
                let n = self.doc.notes.len() - 1;
                if let Some(p) = self.open.last_mut() {
                    p.block.markers.push(Marker { at: p.block.text.len(), note: n });
                }
                self.notes.push(n);
            }
            b"note-citation" if !empty => {
                let label = attr(e, b"label");
                let fixed = label.is_some();
                self.citation = self.notes.last().map(|&n| (n, label.unwrap_or_default(), fixed));
            }
            b"a" if !empty => {
                let href = attr(e, b"href");
                let open = self.open.last().map(|p| (p.block.text.len(), p.serial));
                self.links.push(href.zip(open).map(|(h, (at, serial))| (h, at, serial)));
            }
            b"s" => {
                let n = attr(e, b"c").and_then(|v| v.parse::<usize>().ok()).unwrap_or(1).min(1000);
                self.push(&" ".repeat(n));
            }
            b"tab" => self.push("\t"),
            b"line-break" => self.push("\n"),
            _ => {}
        }
    }

    fn end(&mut self, name: &[u8]) {
        if self.skip.end() {
            return;
        }
        match name {
            b"text" => self.in_body = false,
            b"p" | b"h" => {
                if let Some(p) = self.open.pop() {
                    self.doc.blocks.push(p.block);
                }
            }
            b"list" => self.close_list(),
            b"list-item" | b"list-header" => self.pending_label = None,
            b"note" => {
                self.notes.pop();
            }
            b"note-citation" => {
                if let Some((n, label, _)) = self.citation.take() {
                    if let Some(note) = self.doc.notes.get_mut(n) {
                        note.label = label.trim().to_string();
                    }
                }
            }
            b"a" => {
                if let Some(Some((href, start, serial))) = self.links.pop() {
                    if let Some(p) = self.open.last_mut().filter(|p| p.serial == serial) {
                        p.block.links.push(Link { range: start..p.block.text.len(), href });
                    }
                }
            }
            _ => {}
        }
    }

    fn text(&mut self, s: &str) {
        if self.skip.active() || !self.in_body {
            return;
        }
        match self.citation.as_mut() {
            // The citation's text is the label, unless `text:label` gave one.
            Some((_, label, false)) => label.push_str(s),
            Some(_) => {}
            None => self.push(s),
        }
    }

    fn push(&mut self, s: &str) {
        if self.skip.active() || self.citation.is_some() {
            return;
        }
        if let Some(p) = self.open.last_mut() {
            p.block.text.push_str(s);
        }
    }

    fn open_list(&mut self, e: &BytesStart<'_>) {
        let parent = self.lists.last();
        let style = attr(e, b"style-name").or_else(|| parent.map(|l| l.style.clone())).unwrap_or_default();
        let top = parent.is_none();
        let counts = match parent {
            Some(p) => p.counts,
            None => {
                let continued = attr(e, b"continue-list").and_then(|id| self.by_id.get(&id).copied());
                let continues = attr(e, b"continue-numbering").is_some_and(|v| v == "true");
                continued
                    .or_else(|| continues.then(|| self.last_by_style.get(&style).copied()).flatten())
                    .unwrap_or([None; 11])
            }
        };
        self.lists.push(List { style, id: attr(e, b"id"), counts, top });
    }

    fn close_list(&mut self) {
        let Some(list) = self.lists.pop() else { return };
        match self.lists.last_mut() {
            // A nested list shares its counters with the list that holds it.
            Some(parent) => parent.counts = list.counts,
            None => {
                if let Some(id) = &list.id {
                    self.by_id.insert(id.clone(), list.counts);
                }
                self.last_by_style.insert(list.style.clone(), list.counts);
            }
        }
        debug_assert!(list.top || !self.lists.is_empty());
    }

    fn list_item(&mut self, e: &BytesStart<'_>, numbered: bool) {
        let depth = self.lists.len().clamp(1, 10);
        let Some(list) = self.lists.last_mut() else { return };
        if !numbered {
            self.pending_label = None;
            return;
        }
        let level = self.styles.level(&list.style, depth).cloned().unwrap_or(LevelStyle {
            format: None,
            start: 1,
            display: 1,
            ..LevelStyle::default()
        });
        let value = match attr(e, b"start-value").and_then(|v| v.parse::<i64>().ok()) {
            Some(v) => v,
            None => list.counts[depth].map_or(level.start, |c| c + 1),
        };
        list.counts[depth] = Some(value);
        for deeper in list.counts.iter_mut().skip(depth + 1) {
            *deeper = None;
        }
        self.pending_label = level.format.filter(|f| *f != NumFormat::Nothing).map(|f| {
            let first = depth + 1 - level.display.clamp(1, depth);
            let numbers: Vec<String> = (first..=depth)
                .map(|l| {
                    let fmt = if l == depth { f } else { NumFormat::Decimal };
                    fmt.format(list.counts[l].unwrap_or(1))
                })
                .collect();
            format!("{}{}{}", level.prefix, numbers.join("."), level.suffix)
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::extract::structure::citations;

    const STYLES: &str = r#"<office:automatic-styles><text:list-style style:name="L1"><text:list-level-style-number text:level="1" style:num-suffix="." style:num-format="1"/><text:list-level-style-number text:level="2" style:num-prefix="(" style:num-suffix=")" style:num-format="a"/></text:list-style></office:automatic-styles>"#;

    fn flat(body: &str) -> Vec<(String, String, String)> {
        let xml = format!(
            r#"<?xml version="1.0"?><office:document xmlns:office="o" xmlns:text="t" xmlns:style="s" xmlns:xlink="x">{STYLES}<office:body><office:text>{body}</office:text></office:body></office:document>"#
        );
        let doc = read_flat(xml.as_bytes()).unwrap_or_default();
        citations("t.fodt", &doc)
            .into_iter()
            .map(|c| (c.footnote.to_string(), c.paragraph.to_string(), c.value.to_string()))
            .collect()
    }

    #[test]
    fn list_numbers_notes_and_links() {
        let body = r#"<text:h>I. Intro</text:h>
<text:list text:style-name="L1"><text:list-item text:start-value="7"><text:p>Growth<text:note text:note-class="footnote"><text:note-citation>1</text:note-citation><text:note-body><text:p>See <text:a xlink:href="https://a.org/x">the report</text:a>.</text:p></text:note-body></text:note> slowed.</text:p>
<text:list><text:list-item><text:p>(sub) https://b.org/y</text:p></text:list-item></text:list></text:list-item>
<text:list-item><text:p>Next<text:note><text:note-citation text:label="*">*</text:note-citation><text:note-body><text:p>E/2021/1.</text:p></text:note-body></text:note></text:p></text:list-item></text:list>
<text:p>Loose<text:tracked-changes><text:changed-region><text:deletion><text:p>https://deleted.org/</text:p></text:deletion></text:changed-region></text:tracked-changes> text</text:p>"#;
        let got = flat(body);
        let want: Vec<(String, String, String)> =
            [("1", "7", "https://a.org/x"), ("", "7", "https://b.org/y"), ("*", "8", "E/2021/1")]
                .iter()
                .map(|(a, b, c)| (a.to_string(), b.to_string(), c.to_string()))
                .collect();
        assert_eq!(got, want);
    }

    #[test]
    fn continued_lists_keep_counting() {
        let body = r#"<text:list text:style-name="L1" xml:id="a"><text:list-item><text:p>one</text:p></text:list-item><text:list-item><text:p>two</text:p></text:list-item></text:list>
<text:h>Break</text:h>
<text:list text:style-name="L1" text:continue-list="a"><text:list-item><text:p>three www.c.org/z</text:p></text:list-item></text:list>
<text:list text:style-name="L1"><text:list-item><text:p>restart www.d.org/w</text:p></text:list-item></text:list>"#;
        let got: Vec<(String, String)> = flat(body).into_iter().map(|(_, p, v)| (p, v)).collect();
        assert_eq!(
            got,
            vec![
                ("3".to_string(), "http://www.c.org/z".to_string()),
                ("1".to_string(), "http://www.d.org/w".to_string())
            ]
        );
    }
}
