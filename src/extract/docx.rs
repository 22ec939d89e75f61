//! DOCX (Office Open XML): the body of `word/document.xml`, footnotes and endnotes from their
//! parts, hyperlinks through the parts' relationships and `HYPERLINK` fields, the labels Word
//! shows for notes (reference order, `w:numFmt`, custom marks such as `*`) and the numbers
//! lists give paragraphs (`w:numPr` through `word/numbering.xml`, also through styles).
//!
//! Text split across runs is joined; tracked insertions are kept and deletions dropped;
//! `mc:Fallback` copies (a second rendering of text boxes) and property-change records are
//! skipped. Element names are matched without their prefix, so Strict OOXML reads the same.

use super::package::{
    attr, each_event, event_text, rels_name, resolve_part, NumFormat, Package, PackageError, Relationships,
    Skip,
};
use super::structure::{Block, Link, Marker, Note, Role, Structure};
use quick_xml::events::{BytesStart, Event};
use std::collections::{HashMap, HashSet};

/// Reads a DOCX package into blocks and notes.
pub(crate) fn read(bytes: &[u8]) -> Result<Structure, PackageError> {
    let mut pkg = Package::open(bytes, "DOCX")?;
    let main = main_part(&mut pkg)?;
    let body = pkg.part(&main)?.ok_or_else(|| PackageError::MissingPart {
        format: "DOCX",
        part: format!("{main} (the main document part)"),
    })?;
    let rels = load_rels(&mut pkg, &main)?;
    let styles = match rels.of_type("/styles") {
        Some(r) => Styles::parse(&resolve_part(&main, &r.target), &mut pkg)?,
        None => Styles::default(),
    };
    let numbering = match rels.of_type("/numbering") {
        Some(r) => Numbering::parse(&resolve_part(&main, &r.target), &mut pkg)?,
        None => Numbering::default(),
    };
    let mut prefs = NotePrefs::default();
    if let Some(r) = rels.of_type("/settings") {
        let part = resolve_part(&main, &r.target);
        if let Some(bytes) = pkg.part(&part)? {
            prefs.read(&part, &bytes)?;
        }
    }
    let mut reader = Reader { styles, numbering, ..Reader::default() };
    reader.story(&main, &body, &rels, Story::Body, &mut prefs)?;
    for (kind, suffix) in [(NoteKind::Foot, "/footnotes"), (NoteKind::End, "/endnotes")] {
        if let Some(r) = rels.of_type(suffix) {
            let part = resolve_part(&main, &r.target);
            if let Some(bytes) = pkg.part(&part)? {
                let part_rels = load_rels(&mut pkg, &part)?;
                reader.story(&part, &bytes, &part_rels, Story::Notes(kind), &mut prefs)?;
            }
        }
    }
    reader.label_notes(&prefs);
    Ok(reader.doc)
}

/// The main document part named by the package relationships (`word/document.xml`).
fn main_part(pkg: &mut Package<'_>) -> Result<String, PackageError> {
    if let Some(bytes) = pkg.part("_rels/.rels")? {
        let rels = Relationships::parse("_rels/.rels", &bytes)?;
        if let Some(r) = rels.of_type("/officeDocument") {
            return Ok(resolve_part("", &r.target));
        }
    }
    if pkg.has("word/document.xml") {
        return Ok("word/document.xml".to_string());
    }
    Err(PackageError::MissingPart { format: "DOCX", part: "word/document.xml".to_string() })
}

fn load_rels(pkg: &mut Package<'_>, part: &str) -> Result<Relationships, PackageError> {
    let name = rels_name(part);
    match pkg.part(&name)? {
        Some(bytes) => Relationships::parse(&name, &bytes),
        None => Ok(Relationships::default()),
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum NoteKind {
    Foot,
    End,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Story {
    Body,
    Notes(NoteKind),
}

/// How notes are numbered (`w:footnotePr`, `w:endnotePr`).
#[derive(Debug, Clone, Copy)]
struct NotePrefs {
    foot: (NumFormat, i64),
    end: (NumFormat, i64),
}

impl Default for NotePrefs {
    fn default() -> Self {
        // Word's defaults: footnotes 1, 2, 3; endnotes i, ii, iii.
        NotePrefs { foot: (NumFormat::Decimal, 1), end: (NumFormat::LowerRoman, 1) }
    }
}

impl NotePrefs {
    fn read(&mut self, part: &str, bytes: &[u8]) -> Result<(), PackageError> {
        let mut within: Option<NoteKind> = None;
        each_event(part, bytes, |ev| match ev {
            Event::Start(e) => within = note_pr_kind(&e).or(within),
            Event::Empty(e) => self.apply(within, &e),
            Event::End(e) if matches!(e.local_name().as_ref(), b"footnotePr" | b"endnotePr") => within = None,
            _ => {}
        })
    }

    fn apply(&mut self, within: Option<NoteKind>, e: &BytesStart<'_>) {
        let Some(kind) = within else { return };
        let slot = match kind {
            NoteKind::Foot => &mut self.foot,
            NoteKind::End => &mut self.end,
        };
        match e.local_name().as_ref() {
            b"numFmt" => slot.0 = attr(e, b"val").map_or(slot.0, |v| num_format(&v)),
            b"numStart" => slot.1 = attr(e, b"val").and_then(|v| v.parse().ok()).unwrap_or(slot.1),
            _ => {}
        }
    }
}

fn note_pr_kind(e: &BytesStart<'_>) -> Option<NoteKind> {
    match e.local_name().as_ref() {
        b"footnotePr" => Some(NoteKind::Foot),
        b"endnotePr" => Some(NoteKind::End),
        _ => None,
    }
}

fn num_format(v: &str) -> NumFormat {
    match v {
        "decimal"
        | "decimalZero"
        | "decimalEnclosedCircle"
        | "decimalEnclosedFullstop"
        | "decimalEnclosedParen"
        | "decimalFullWidth"
        | "decimalHalfWidth"
        | "arabicAbjad"
        | "arabicAlpha" => NumFormat::Decimal,
        "lowerLetter" => NumFormat::LowerLetter,
        "upperLetter" => NumFormat::UpperLetter,
        "lowerRoman" => NumFormat::LowerRoman,
        "upperRoman" => NumFormat::UpperRoman,
        "chicago" => NumFormat::Symbols,
        "bullet" | "none" => NumFormat::Nothing,
        _ => NumFormat::Decimal,
    }
}

/// Paragraph styles: which are headings, which carry list numbering.
#[derive(Debug, Default)]
struct Styles {
    styles: HashMap<String, Style>,
}

#[derive(Debug, Default, Clone)]
struct Style {
    name: String,
    based_on: Option<String>,
    num: Option<(String, usize)>,
    outline: Option<u8>,
}

impl Styles {
    fn parse(part: &str, pkg: &mut Package<'_>) -> Result<Styles, PackageError> {
        let Some(bytes) = pkg.part(part)? else { return Ok(Styles::default()) };
        let mut styles = HashMap::new();
        let mut current: Option<(String, Style)> = None;
        each_event(part, &bytes, |ev| match ev {
            Event::Start(ref e) | Event::Empty(ref e) => {
                let local = e.local_name();
                match local.as_ref() {
                    b"style" => {
                        let paragraph = attr(e, b"type").is_none_or(|t| t == "paragraph");
                        current = attr(e, b"styleId").filter(|_| paragraph).map(|id| (id, Style::default()));
                    }
                    b"name" => set(&mut current, |s| s.name = attr(e, b"val").unwrap_or_default()),
                    b"basedOn" => set(&mut current, |s| s.based_on = attr(e, b"val")),
                    b"numId" => set(&mut current, |s| {
                        let lvl = s.num.as_ref().map_or(0, |n| n.1);
                        s.num = attr(e, b"val").map(|v| (v, lvl));
                    }),
                    b"ilvl" => set(&mut current, |s| {
                        let lvl = attr(e, b"val").and_then(|v| v.parse().ok()).unwrap_or(0);
                        s.num = Some((s.num.take().map(|n| n.0).unwrap_or_default(), lvl));
                    }),
                    b"outlineLvl" => {
                        set(&mut current, |s| s.outline = attr(e, b"val").and_then(|v| v.parse().ok()))
                    }
                    _ => {}
                }
            }
            Event::End(ref e) if e.local_name().as_ref() == b"style" => {
                if let Some((id, s)) = current.take() {
                    styles.insert(id, s);
                }
            }
            _ => {}
        })?;
        Ok(Styles { styles })
    }

    /// The style and the styles it is based on (bounded, so a cycle ends).
    fn chain<'s>(&'s self, id: &str) -> impl Iterator<Item = (&'s str, &'s Style)> + 's {
        let mut next = self.styles.get_key_value(id);
        std::iter::from_fn(move || {
            let (id, s) = next?;
            next = s.based_on.as_deref().and_then(|b| self.styles.get_key_value(b));
            Some((id.as_str(), s))
        })
        .take(16)
    }

    fn is_heading(&self, id: &str) -> bool {
        if heading_name(id) {
            return true;
        }
        self.chain(id)
            .any(|(sid, s)| heading_name(sid) || heading_name(&s.name) || s.outline.is_some_and(|o| o < 9))
    }

    fn numbering(&self, id: &str) -> Option<(String, usize)> {
        self.chain(id).find_map(|(_, s)| s.num.clone())
    }
}

fn set(current: &mut Option<(String, Style)>, f: impl FnOnce(&mut Style)) {
    if let Some((_, s)) = current.as_mut() {
        f(s);
    }
}

/// `heading 1`, `Heading2`, `Title`, and the UN templates' `H1G`, `H23G`, `HChG`.
fn heading_name(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    if lower.starts_with("heading") || lower == "title" {
        return true;
    }
    let b = name.as_bytes();
    b.len() >= 3
        && b[0] == b'H'
        && b[b.len() - 1] == b'G'
        && (b[1..b.len() - 1].iter().all(u8::is_ascii_digit) || &b[1..b.len() - 1] == b"Ch")
}

/// List definitions of `word/numbering.xml`.
#[derive(Debug, Default)]
struct Numbering {
    abstracts: HashMap<String, Vec<Level>>,
    nums: HashMap<String, Num>,
}

#[derive(Debug, Clone)]
struct Level {
    ilvl: usize,
    start: i64,
    format: NumFormat,
    text: String,
}

#[derive(Debug, Default, Clone)]
struct Num {
    abstract_id: String,
    starts: Vec<(usize, i64)>,
    levels: Vec<Level>,
}

/// The state of one pass over `numbering.xml`.
#[derive(Default)]
struct NumberingParse {
    out: Numbering,
    abstract_id: Option<String>,
    num: Option<(String, Num)>,
    override_lvl: Option<usize>,
    level: Option<Level>,
}

impl NumberingParse {
    fn open(&mut self, e: &BytesStart<'_>, empty: bool) {
        fn int<T: std::str::FromStr>(e: &BytesStart<'_>, name: &[u8]) -> Option<T> {
            attr(e, name).and_then(|v| v.parse().ok())
        }
        match e.local_name().as_ref() {
            b"abstractNum" => self.abstract_id = attr(e, b"abstractNumId"),
            b"num" => self.num = attr(e, b"numId").map(|id| (id, Num::default())),
            b"abstractNumId" => {
                if let Some((_, n)) = self.num.as_mut() {
                    n.abstract_id = attr(e, b"val").unwrap_or_default();
                }
            }
            b"lvlOverride" => self.override_lvl = int(e, b"ilvl"),
            b"startOverride" => {
                if let (Some((_, n)), Some(l)) = (self.num.as_mut(), self.override_lvl) {
                    n.starts.push((l, int(e, b"val").unwrap_or(1)));
                }
            }
            b"lvl" if !empty => {
                let ilvl = int(e, b"ilvl").or(self.override_lvl).unwrap_or(0);
                self.level = Some(Level { ilvl, start: 1, format: NumFormat::Decimal, text: String::new() });
            }
            b"start" => {
                if let Some(l) = self.level.as_mut() {
                    l.start = int(e, b"val").unwrap_or(1);
                }
            }
            b"numFmt" => {
                if let Some(l) = self.level.as_mut() {
                    l.format = attr(e, b"val").map_or(NumFormat::Decimal, |v| num_format(&v));
                }
            }
            b"lvlText" => {
                if let Some(l) = self.level.as_mut() {
                    l.text = attr(e, b"val").unwrap_or_default();
                }
            }
            _ => {}
        }
    }

    fn close(&mut self, name: &[u8]) {
        match name {
            b"lvl" => {
                if let Some(l) = self.level.take() {
                    match (self.num.as_mut(), self.abstract_id.as_ref()) {
                        (Some((_, n)), _) => n.levels.push(l),
                        (None, Some(a)) => self.out.abstracts.entry(a.clone()).or_default().push(l),
                        (None, None) => {}
                    }
                }
            }
            b"abstractNum" => self.abstract_id = None,
            b"lvlOverride" => self.override_lvl = None,
            b"num" => {
                if let Some((id, n)) = self.num.take() {
                    self.out.nums.insert(id, n);
                }
            }
            _ => {}
        }
    }
}

impl Numbering {
    fn parse(part: &str, pkg: &mut Package<'_>) -> Result<Numbering, PackageError> {
        let Some(bytes) = pkg.part(part)? else { return Ok(Numbering::default()) };
        let mut state = NumberingParse::default();
        each_event(part, &bytes, |ev| match ev {
            Event::Start(ref e) => state.open(e, false),
            Event::Empty(ref e) => state.open(e, true),
            Event::End(ref e) => state.close(e.local_name().as_ref()),
            _ => {}
        })?;
        Ok(state.out)
    }

    fn level<'s>(&'s self, num: &'s Num, ilvl: usize) -> Option<&'s Level> {
        num.levels
            .iter()
            .find(|l| l.ilvl == ilvl)
            .or_else(|| self.abstracts.get(&num.abstract_id)?.iter().find(|l| l.ilvl == ilvl))
    }
}

/// List counters as Word keeps them: per abstract list, restarted where a list instance
/// overrides its start.
#[derive(Debug, Default)]
struct Counters {
    counts: HashMap<String, [Option<i64>; 9]>,
    seen: HashSet<String>,
}

impl Counters {
    /// Counts one paragraph of list `num_id` at level `ilvl`; returns the number it shows.
    fn next(&mut self, numbering: &Numbering, num_id: &str, ilvl: usize) -> Option<String> {
        let num = numbering.nums.get(num_id)?;
        let ilvl = ilvl.min(8);
        let counts = self.counts.entry(num.abstract_id.clone()).or_insert([None; 9]);
        if self.seen.insert(num_id.to_string()) {
            for &(l, start) in &num.starts {
                if let Some(c) = counts.get_mut(l) {
                    *c = Some(start - 1);
                }
            }
        }
        let start = |l: usize| numbering.level(num, l).map_or(1, |lv| lv.start);
        counts[ilvl] = Some(counts[ilvl].unwrap_or(start(ilvl) - 1) + 1);
        for deeper in counts.iter_mut().skip(ilvl + 1) {
            *deeper = None;
        }
        let level = numbering.level(num, ilvl)?;
        if level.format == NumFormat::Nothing {
            return None;
        }
        // `%1.%2.` → each level's count in that level's format.
        let mut label = String::new();
        let mut chars = level.text.chars().peekable();
        while let Some(c) = chars.next() {
            match (c, chars.peek().and_then(|d| d.to_digit(10))) {
                ('%', Some(d)) if (1..=9).contains(&d) => {
                    chars.next();
                    let l = d as usize - 1;
                    let fmt = numbering.level(num, l).map_or(NumFormat::Decimal, |lv| lv.format);
                    label.push_str(&fmt.format(counts[l].unwrap_or(start(l))));
                }
                _ => label.push(c),
            }
        }
        Some(label)
    }
}

#[derive(Debug)]
struct OpenPara {
    block: Block,
    serial: usize,
    style: Option<String>,
    num_id: Option<String>,
    ilvl: usize,
    outline: Option<u8>,
}

#[derive(Debug, Default)]
struct Field {
    instr: String,
    result: Option<(usize, usize)>,
}

/// Elements whose content is not part of the text a reader sees.
const SKIPPED: &[&[u8]] = &[
    b"del",
    b"moveFrom",
    b"Fallback",
    b"pPrChange",
    b"rPrChange",
    b"sectPrChange",
    b"tblPrChange",
    b"trPrChange",
    b"tcPrChange",
    b"numberingChange",
    b"delText",
    b"delInstrText",
    b"sdtPr",
    b"rPr",
];

#[derive(Debug, Default)]
struct Reader {
    doc: Structure,
    styles: Styles,
    numbering: Numbering,
    counters: Counters,
    note_index: HashMap<(NoteKind, String), usize>,
    note_kind: Vec<NoteKind>,
    custom_marks: HashMap<usize, String>,
    serial: usize,
}

/// The state of one story (the body, or the notes part) while it is read.
#[derive(Debug, Default)]
struct Walk {
    open: Vec<OpenPara>,
    skip: Skip,
    runs: usize,
    in_text: bool,
    in_instr: bool,
    hyperlinks: Vec<Option<(String, usize, usize)>>,
    fields: Vec<Field>,
    simple_fields: Vec<Field>,
    custom_pending: Option<usize>,
    note: Option<usize>,
    note_pr: Option<NoteKind>,
}

impl Reader {
    fn note(&mut self, kind: NoteKind, id: String) -> usize {
        if let Some(&i) = self.note_index.get(&(kind, id.clone())) {
            return i;
        }
        self.doc.notes.push(Note::default());
        self.note_kind.push(kind);
        let i = self.doc.notes.len() - 1;
        self.note_index.insert((kind, id), i);
        i
    }

    fn story(
        &mut self,
        part: &str,
        bytes: &[u8],
        rels: &Relationships,
        story: Story,
        prefs: &mut NotePrefs,
    ) -> Result<(), PackageError> {
        let mut w = Walk::default();
        each_event(part, bytes, |ev| match ev {
            Event::Start(e) => self.start(&mut w, &e, false, rels, story, prefs),
            Event::Empty(e) => {
                self.start(&mut w, &e, true, rels, story, prefs);
                if e.local_name().as_ref() == b"p" && !w.skip.active() {
                    self.end(&mut w, b"p", story);
                }
            }
            Event::End(e) => self.end(&mut w, e.local_name().as_ref(), story),
            other => {
                if let Some(s) = event_text(&other) {
                    self.text(&mut w, &s);
                }
            }
        })?;
        // Paragraphs a damaged part left open still count.
        while let Some(p) = w.open.pop() {
            self.finish(p, &w, story);
        }
        Ok(())
    }

    #[allow(clippy::too_many_arguments)]
    fn start(
        &mut self,
        w: &mut Walk,
        e: &BytesStart<'_>,
        empty: bool,
        rels: &Relationships,
        story: Story,
        prefs: &mut NotePrefs,
    ) {
        let local = e.local_name();
        let name = local.as_ref();
        // `w:rPr` holds no text, but it does hold the `w:del` of a deleted paragraph mark.
        if w.skip.start(name, empty, SKIPPED) {
            return;
        }
        if w.note_pr.is_some() {
            prefs.apply(w.note_pr, e);
        }
        match name {
            b"p" => self.open_paragraph(w, story),
            b"pStyle" => top(w, |p| p.style = attr(e, b"val")),
            b"numId" => top(w, |p| p.num_id = attr(e, b"val")),
            b"ilvl" => top(w, |p| p.ilvl = attr(e, b"val").and_then(|v| v.parse().ok()).unwrap_or(0)),
            b"outlineLvl" => top(w, |p| p.outline = attr(e, b"val").and_then(|v| v.parse().ok())),
            b"r" if !empty => w.runs += 1,
            b"t" if !empty => w.in_text = true,
            b"instrText" if !empty => w.in_instr = true,
            b"tab" | b"ptab" if w.runs > 0 => push_text(w, "\t"),
            b"br" | b"cr" if w.runs > 0 => push_text(w, "\n"),
            b"noBreakHyphen" if w.runs > 0 => push_text(w, "-"),
            b"hyperlink" if !empty => {
                let href = attr(e, b"id").and_then(|id| rels.get(&id)).map(|r| r.target.clone());
                let open = w.open.last().map(|p| (p.block.text.len(), p.serial));
                w.hyperlinks.push(href.zip(open).map(|(h, (at, serial))| (h, at, serial)));
            }
            b"fldSimple" if !empty => {
                let result = w.open.last().map(|p| (p.serial, p.block.text.len()));
                w.simple_fields.push(Field { instr: attr(e, b"instr").unwrap_or_default(), result });
            }
            b"fldChar" => field_char(w, e),
            b"footnoteReference" | b"endnoteReference" if w.runs > 0 => {
                let kind = if name == b"footnoteReference" { NoteKind::Foot } else { NoteKind::End };
                self.note_reference(w, e, kind);
            }
            b"footnote" | b"endnote" if !empty && matches!(story, Story::Notes(_)) => {
                let kind = if name == b"footnote" { NoteKind::Foot } else { NoteKind::End };
                let separator = attr(e, b"type").is_some_and(|t| t != "normal");
                match attr(e, b"id") {
                    Some(id) if !separator => w.note = Some(self.note(kind, id)),
                    _ => w.skip.enter(),
                }
            }
            b"footnotePr" | b"endnotePr" if !empty => w.note_pr = note_pr_kind(e),
            _ => {}
        }
    }

    fn open_paragraph(&mut self, w: &mut Walk, story: Story) {
        self.serial += 1;
        let role = match story {
            Story::Body => Role::Body,
            Story::Notes(_) => w.note.map_or(Role::Body, Role::Note),
        };
        w.open.push(OpenPara {
            block: Block::new(role),
            serial: self.serial,
            style: None,
            num_id: None,
            ilvl: 0,
            outline: None,
        });
    }

    /// A `w:footnoteReference`/`w:endnoteReference`: a marker at the current position.
    fn note_reference(&mut self, w: &mut Walk, e: &BytesStart<'_>, kind: NoteKind) {
        let Some(id) = attr(e, b"id") else { return };
        let note = self.note(kind, id);
        let custom = attr(e, b"customMarkFollows").is_some_and(|v| matches!(v.as_str(), "1" | "true" | "on"));
        if custom {
            w.custom_pending = Some(note);
        }
        if let Some(p) = w.open.last_mut() {
            p.block.markers.push(Marker { at: p.block.text.len(), note });
        }
    }

    fn end(&mut self, w: &mut Walk, name: &[u8], story: Story) {
        if w.skip.end() {
            return;
        }
        match name {
            b"p" => {
                if let Some(p) = w.open.pop() {
                    self.finish(p, w, story);
                }
            }
            b"r" => w.runs = w.runs.saturating_sub(1),
            b"t" => w.in_text = false,
            b"instrText" => w.in_instr = false,
            b"hyperlink" => {
                if let Some(Some((href, start, serial))) = w.hyperlinks.pop() {
                    if let Some(p) = w.open.last_mut().filter(|p| p.serial == serial) {
                        p.block.links.push(Link { range: start..p.block.text.len(), href });
                    }
                }
            }
            b"fldSimple" => {
                if let Some(f) = w.simple_fields.pop() {
                    field_link(w, f);
                }
            }
            b"footnote" | b"endnote" => w.note = None,
            b"footnotePr" | b"endnotePr" => w.note_pr = None,
            _ => {}
        }
    }

    fn text(&mut self, w: &mut Walk, s: &str) {
        if w.skip.active() {
            return;
        }
        if w.in_instr {
            if let Some(f) = w.fields.last_mut() {
                f.instr.push_str(s);
            }
        } else if w.in_text {
            if let Some(note) = w.custom_pending {
                let mark = s.trim();
                if !mark.is_empty() {
                    self.custom_marks.insert(note, mark.to_string());
                    w.custom_pending = None;
                }
            }
            push_text(w, s);
        }
    }

    fn finish(&mut self, mut p: OpenPara, w: &Walk, story: Story) {
        if story == Story::Body {
            let style = p.style.as_deref().unwrap_or("Normal");
            let heading = p.outline.is_some_and(|o| o < 9) || self.styles.is_heading(style);
            let num = match p.num_id.take() {
                Some(id) => Some((id, p.ilvl)),
                None => self.styles.numbering(style),
            };
            if let Some((id, ilvl)) = num.filter(|(id, _)| id != "0") {
                p.block.list_label = self.counters.next(&self.numbering, &id, ilvl);
            }
            if heading {
                p.block.role = Role::Heading;
            }
        } else if w.note.is_none() {
            return;
        }
        self.doc.blocks.push(p.block);
    }

    /// Labels as Word shows them: notes numbered in the order the body cites them, custom
    /// marks as written (they take no number).
    fn label_notes(&mut self, prefs: &NotePrefs) {
        let mut next = [prefs.foot.1, prefs.end.1];
        let mut labelled = vec![false; self.doc.notes.len()];
        for b in &self.doc.blocks {
            if matches!(b.role, Role::Note(_)) {
                continue;
            }
            for m in &b.markers {
                if std::mem::replace(&mut labelled[m.note], true) {
                    continue;
                }
                let label = match self.custom_marks.get(&m.note) {
                    Some(mark) => mark.clone(),
                    None => {
                        let (fmt, slot) = match self.note_kind[m.note] {
                            NoteKind::Foot => (prefs.foot.0, 0),
                            NoteKind::End => (prefs.end.0, 1),
                        };
                        next[slot] += 1;
                        fmt.format(next[slot] - 1)
                    }
                };
                self.doc.notes[m.note].label = label;
            }
        }
        // Notes nothing cites keep their id as label.
        for ((_, id), &i) in &self.note_index {
            if !labelled[i] {
                self.doc.notes[i].label.clone_from(id);
            }
        }
    }
}

fn top(w: &mut Walk, f: impl FnOnce(&mut OpenPara)) {
    if let Some(p) = w.open.last_mut() {
        f(p);
    }
}

fn push_text(w: &mut Walk, s: &str) {
    if let Some(p) = w.open.last_mut() {
        // A soft hyphen is invisible unless the line breaks there.
        if s.contains('\u{ad}') {
            p.block.text.extend(s.chars().filter(|&c| c != '\u{ad}'));
        } else {
            p.block.text.push_str(s);
        }
    }
}

/// A finished field: a `HYPERLINK` to an address becomes a link over its displayed result.
/// A complex field's `w:fldChar` (begin, separate, end).
fn field_char(w: &mut Walk, e: &BytesStart<'_>) {
    match attr(e, b"fldCharType").as_deref() {
        Some("begin") => w.fields.push(Field::default()),
        Some("separate") => {
            let at = w.open.last().map(|p| (p.serial, p.block.text.len()));
            if let Some(f) = w.fields.last_mut() {
                f.result = at;
            }
        }
        Some("end") => {
            if let Some(f) = w.fields.pop() {
                field_link(w, f);
            }
        }
        _ => {}
    }
}

fn field_link(w: &mut Walk, f: Field) {
    let Some(href) = hyperlink_instruction(&f.instr) else { return };
    let Some(p) = w.open.last_mut() else { return };
    let start = match f.result {
        Some((serial, at)) if serial == p.serial => at,
        _ => p.block.text.len(),
    };
    p.block.links.push(Link { range: start..p.block.text.len(), href });
}

/// The address of a `HYPERLINK "https://…" \o "tip"` field; `None` for in-document links
/// (`\l` only) and other fields.
fn hyperlink_instruction(instr: &str) -> Option<String> {
    let rest = instr.trim_start();
    let keyword = rest.get(..9)?;
    if !keyword.eq_ignore_ascii_case("HYPERLINK") {
        return None;
    }
    let mut tokens = Vec::new();
    let mut chars = rest[9..].chars().peekable();
    while let Some(&c) = chars.peek() {
        if c.is_whitespace() {
            chars.next();
        } else if c == '"' {
            chars.next();
            let mut tok = String::new();
            while let Some(d) = chars.next() {
                match d {
                    '"' => break,
                    '\\' if chars.peek() == Some(&'"') => tok.push(chars.next().unwrap_or('"')),
                    _ => tok.push(d),
                }
            }
            tokens.push((false, tok));
        } else {
            let mut tok = String::new();
            while let Some(&d) = chars.peek() {
                if d.is_whitespace() {
                    break;
                }
                tok.push(d);
                chars.next();
            }
            tokens.push((tok.starts_with('\\'), tok));
        }
    }
    let mut i = 0;
    while i < tokens.len() {
        let (switch, tok) = &tokens[i];
        if *switch {
            // Switches with an argument: \l anchor, \o tooltip, \t frame.
            if matches!(tok.as_str(), "\\l" | "\\o" | "\\t") {
                i += 1;
            }
        } else if !tok.is_empty() {
            // Word doubles backslashes in field text (`C:\\docs`).
            return Some(tok.replace("\\\\", "\\"));
        }
        i += 1;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hyperlink_fields() {
        let cases: &[(&str, Option<&str>)] = &[
            (r#" HYPERLINK "https://www.un.org/en/" "#, Some("https://www.un.org/en/")),
            (r#"HYPERLINK "https://a.org/x" \o "tip""#, Some("https://a.org/x")),
            (r#"HYPERLINK \l "_Toc123""#, None),
            (r#"HYPERLINK \o "tip" "https://a.org/y" \t "_blank""#, Some("https://a.org/y")),
            (r#"hyperlink https://a.org/bare"#, Some("https://a.org/bare")),
            (r#" REF _Ref1 \h "#, None),
            ("", None),
        ];
        for (instr, want) in cases {
            assert_eq!(hyperlink_instruction(instr).as_deref(), *want, "{instr}");
        }
    }

    #[test]
    fn heading_style_names() {
        for yes in ["Heading1", "heading 2", "Title", "H1G", "H23G", "HChG", "H56G"] {
            assert!(heading_name(yes), "{yes}");
        }
        for no in ["Normal", "SingleTxtG", "HG", "Header", "FootnoteText", "H1"] {
            assert!(!heading_name(no), "{no}");
        }
    }
}
