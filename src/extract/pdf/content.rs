//! A page's content stream interpreted for text: every glyph with its baseline position, size
//! and advance in page space, the short horizontal rules that separate footnotes, and how many
//! images the page paints (a page of images and no text is a scan).

use super::fonts::{deref, number, Font};
use lopdf::content::Content;
use lopdf::{Dictionary, Document, Object, ObjectId};
use std::collections::HashMap;
use std::rc::Rc;

/// Most bytes of content one page may decompress to.
const MAX_CONTENT: usize = 64 << 20;
/// Most glyphs kept from one page.
const MAX_GLYPHS: usize = 400_000;
/// Deepest nesting of form XObjects followed.
const MAX_FORM_DEPTH: usize = 8;

/// A glyph (or a ligature) as drawn.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Glyph {
    /// The text it stands for.
    pub text: String,
    /// Left of the glyph on its baseline, in page space (points, origin bottom left).
    pub x: f32,
    /// Baseline (raised for superscripts drawn with a text rise).
    pub y: f32,
    /// Font size in page space.
    pub size: f32,
    /// Advance along the baseline, in page space.
    pub width: f32,
    /// The font's name says bold.
    pub bold: bool,
}

/// A short horizontal line, drawn or filled (footnote separators, horizontal rules).
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct Rule {
    /// Left end.
    pub x1: f32,
    /// Right end.
    pub x2: f32,
    /// Height on the page.
    pub y: f32,
}

/// What a page shows.
#[derive(Debug, Default)]
pub(super) struct PageContent {
    /// Upright glyphs in drawing order.
    pub glyphs: Vec<Glyph>,
    /// Horizontal rules.
    pub rules: Vec<Rule>,
    /// Images painted (XObjects and inline), of any size.
    pub images: usize,
    /// The media box: left, bottom, right, top.
    pub media: [f32; 4],
}

type Matrix = [f32; 6];
const IDENTITY: Matrix = [1.0, 0.0, 0.0, 1.0, 0.0, 0.0];

fn mul(a: &Matrix, b: &Matrix) -> Matrix {
    [
        a[0] * b[0] + a[1] * b[2],
        a[0] * b[1] + a[1] * b[3],
        a[2] * b[0] + a[3] * b[2],
        a[2] * b[1] + a[3] * b[3],
        a[4] * b[0] + a[5] * b[2] + b[4],
        a[4] * b[1] + a[5] * b[3] + b[5],
    ]
}

fn apply(m: &Matrix, x: f32, y: f32) -> (f32, f32) {
    (x * m[0] + y * m[2] + m[4], x * m[1] + y * m[3] + m[5])
}

#[derive(Debug, Clone)]
struct State {
    ctm: Matrix,
    font: Option<Rc<Font>>,
    size: f32,
    char_spacing: f32,
    word_spacing: f32,
    scale: f32,
    leading: f32,
    rise: f32,
}

impl Default for State {
    fn default() -> Self {
        State {
            ctm: IDENTITY,
            font: None,
            size: 0.0,
            char_spacing: 0.0,
            word_spacing: 0.0,
            scale: 1.0,
            leading: 0.0,
            rise: 0.0,
        }
    }
}

/// Fonts already read, by object.
#[derive(Default)]
pub(super) struct FontCache {
    fonts: HashMap<ObjectId, Rc<Font>>,
}

impl FontCache {
    fn get(&mut self, doc: &Document, resources: &[&Dictionary], name: &[u8]) -> Option<Rc<Font>> {
        let (id, dict) = resource(doc, resources, b"Font", name)?;
        let dict = dict.as_dict().ok()?;
        match id {
            Some(id) => Some(self.fonts.entry(id).or_insert_with(|| Rc::new(Font::load(doc, dict))).clone()),
            None => Some(Rc::new(Font::load(doc, dict))),
        }
    }
}

/// A named resource (`/Font /F1`, `/XObject /Im3`) from the first resource dictionary that has it.
fn resource<'a>(
    doc: &'a Document,
    resources: &[&'a Dictionary],
    category: &[u8],
    name: &[u8],
) -> Option<(Option<ObjectId>, &'a Object)> {
    for res in resources {
        let Some(cat) = deref(doc, res.get(category).ok()).and_then(|o| o.as_dict().ok()) else { continue };
        if let Ok(obj) = cat.get(name) {
            return match obj {
                Object::Reference(id) => doc.get_object(*id).ok().map(|o| (Some(*id), o)),
                o => Some((None, o)),
            };
        }
    }
    None
}

/// Interprets one page.
pub(super) fn page(doc: &Document, page_id: ObjectId, fonts: &mut FontCache) -> Result<PageContent, String> {
    let bytes = doc.get_page_content_with_limit(page_id, MAX_CONTENT).map_err(|e| e.to_string())?;
    let content = Content::decode(&bytes).map_err(|e| e.to_string())?;
    let (own, inherited) = doc.get_page_resources(page_id).map_err(|e| e.to_string())?;
    let mut resources: Vec<&Dictionary> = own.into_iter().collect();
    resources.extend(inherited.iter().filter_map(|id| doc.get_dictionary(*id).ok()));
    let mut out = PageContent { media: media_box(doc, page_id), ..PageContent::default() };
    let mut run = Interpreter { doc, fonts, out: &mut out, path: Vec::new() };
    run.operations(&content, &resources, State::default(), 0);
    Ok(out)
}

fn media_box(doc: &Document, page_id: ObjectId) -> [f32; 4] {
    let mut dict = doc.get_dictionary(page_id).ok();
    for _ in 0..32 {
        let Some(d) = dict else { break };
        if let Some(a) = deref(doc, d.get(b"MediaBox").ok()).and_then(|o| o.as_array().ok()) {
            let v: Vec<f32> = a.iter().filter_map(|o| deref(doc, Some(o)).and_then(number)).collect();
            if let [x1, y1, x2, y2] = v[..] {
                return [x1.min(x2), y1.min(y2), x1.max(x2), y1.max(y2)];
            }
        }
        dict = deref(doc, d.get(b"Parent").ok()).and_then(|o| o.as_dict().ok());
    }
    [0.0, 0.0, 612.0, 792.0]
}

struct Interpreter<'a, 'd> {
    doc: &'d Document,
    fonts: &'a mut FontCache,
    out: &'a mut PageContent,
    path: Vec<(f32, f32)>,
}

fn operand(ops: &[Object], i: usize) -> f32 {
    ops.get(i).and_then(number).unwrap_or(0.0)
}

fn matrix(ops: &[Object]) -> Matrix {
    [operand(ops, 0), operand(ops, 1), operand(ops, 2), operand(ops, 3), operand(ops, 4), operand(ops, 5)]
}

/// The text matrix and the start of the current line.
#[derive(Clone, Copy)]
struct TextCursor {
    tm: Matrix,
    tlm: Matrix,
}

impl Default for TextCursor {
    fn default() -> Self {
        TextCursor { tm: IDENTITY, tlm: IDENTITY }
    }
}

impl TextCursor {
    fn set_line(&mut self, m: Matrix) {
        self.tlm = m;
        self.tm = m;
    }

    fn next_line(&mut self, tx: f32, ty: f32) {
        self.set_line(mul(&[1.0, 0.0, 0.0, 1.0, tx, ty], &self.tlm));
    }
}

impl Interpreter<'_, '_> {
    fn operations(&mut self, content: &Content, resources: &[&Dictionary], mut gs: State, depth: usize) {
        let mut stack: Vec<State> = Vec::new();
        let mut at = TextCursor::default();
        for op in &content.operations {
            if self.out.glyphs.len() >= MAX_GLYPHS {
                return;
            }
            let o = &op.operands;
            match op.operator.as_str() {
                "q" => stack.push(gs.clone()),
                "Q" => gs = stack.pop().unwrap_or_else(|| gs.clone()),
                "cm" => gs.ctm = mul(&matrix(o), &gs.ctm),
                "Do" => {
                    if let Some(name) = o.first().and_then(|n| n.as_name().ok()) {
                        self.xobject(name, resources, &gs, depth);
                    }
                }
                "BI" | "EI" => self.out.images += usize::from(op.operator == "BI"),
                name => {
                    if !self.text_operation(name, o, resources, &mut gs, &mut at) {
                        self.path_operation(name, o, &gs);
                    }
                }
            }
        }
    }

    /// Applies a text operator; false when `name` is not one.
    fn text_operation(
        &mut self,
        name: &str,
        o: &[Object],
        resources: &[&Dictionary],
        gs: &mut State,
        at: &mut TextCursor,
    ) -> bool {
        match name {
            "BT" => *at = TextCursor::default(),
            "Tf" => {
                let font = o.first().and_then(|n| n.as_name().ok());
                gs.font = font.and_then(|n| self.fonts.get(self.doc, resources, n));
                gs.size = operand(o, 1);
            }
            "Tc" => gs.char_spacing = operand(o, 0),
            "Tw" => gs.word_spacing = operand(o, 0),
            "Tz" => gs.scale = operand(o, 0) / 100.0,
            "TL" => gs.leading = operand(o, 0),
            "Ts" => gs.rise = operand(o, 0),
            "Td" | "TD" => {
                if name == "TD" {
                    gs.leading = -operand(o, 1);
                }
                at.next_line(operand(o, 0), operand(o, 1));
            }
            "Tm" => at.set_line(matrix(o)),
            "T*" => at.next_line(0.0, -gs.leading),
            "Tj" | "'" | "\"" => {
                if name == "\"" {
                    gs.word_spacing = operand(o, 0);
                    gs.char_spacing = operand(o, 1);
                }
                if name != "Tj" {
                    at.next_line(0.0, -gs.leading);
                }
                if let Some(Object::String(s, _)) = o.last() {
                    self.show(s, gs, &mut at.tm);
                }
            }
            "TJ" => {
                for item in o.first().and_then(|a| a.as_array().ok()).map_or(&[][..], Vec::as_slice) {
                    match item {
                        Object::String(s, _) => self.show(s, gs, &mut at.tm),
                        other => {
                            let adjust = number(other).unwrap_or(0.0);
                            let tx = -adjust / 1000.0 * gs.size * gs.scale;
                            at.tm = mul(&[1.0, 0.0, 0.0, 1.0, tx, 0.0], &at.tm);
                        }
                    }
                }
            }
            _ => return false,
        }
        true
    }

    /// Follows path construction and painting, for the rules among the paths.
    fn path_operation(&mut self, name: &str, o: &[Object], gs: &State) {
        match name {
            "m" | "l" => {
                let (x, y) = apply(&gs.ctm, operand(o, 0), operand(o, 1));
                if name == "m" && self.path.len() > 4096 {
                    self.path.clear();
                }
                self.path.push((x, y));
            }
            "re" => {
                let (x, y, w, h) = (operand(o, 0), operand(o, 1), operand(o, 2), operand(o, 3));
                self.path.push(apply(&gs.ctm, x, y));
                self.path.push(apply(&gs.ctm, x + w, y + h));
                self.paint_candidate();
            }
            "S" | "s" | "f" | "F" | "f*" | "B" | "B*" | "b" | "b*" => self.paint_candidate(),
            "n" => self.path.clear(),
            _ => {}
        }
    }

    /// A painted path that is a thin horizontal bar is a rule.
    fn paint_candidate(&mut self) {
        if self.path.len() >= 2 {
            let (mut x1, mut x2, mut y1, mut y2) = (f32::MAX, f32::MIN, f32::MAX, f32::MIN);
            for &(x, y) in &self.path {
                x1 = x1.min(x);
                x2 = x2.max(x);
                y1 = y1.min(y);
                y2 = y2.max(y);
            }
            if y2 - y1 <= 2.0 && x2 - x1 >= 15.0 && self.out.rules.len() < 10_000 {
                self.out.rules.push(Rule { x1, x2, y: (y1 + y2) / 2.0 });
            }
        }
        self.path.clear();
    }

    fn xobject(&mut self, name: &[u8], resources: &[&Dictionary], gs: &State, depth: usize) {
        let Some((_, obj)) = resource(self.doc, resources, b"XObject", name) else { return };
        let Ok(stream) = obj.as_stream() else { return };
        let subtype = stream.dict.get(b"Subtype").ok().and_then(|s| s.as_name().ok());
        match subtype {
            Some(b"Image") => self.out.images += 1,
            Some(b"Form") if depth < MAX_FORM_DEPTH => {
                let Ok(bytes) = stream.decompressed_content_with_limit(MAX_CONTENT) else { return };
                let Ok(content) = Content::decode(&bytes) else { return };
                let mut inner = gs.clone();
                if let Some(m) =
                    deref(self.doc, stream.dict.get(b"Matrix").ok()).and_then(|o| o.as_array().ok())
                {
                    inner.ctm = mul(&matrix(m), &inner.ctm);
                }
                let own = deref(self.doc, stream.dict.get(b"Resources").ok()).and_then(|o| o.as_dict().ok());
                let mut res: Vec<&Dictionary> = own.into_iter().collect();
                res.extend_from_slice(resources);
                self.operations(&content, &res, inner, depth + 1);
            }
            _ => {}
        }
    }

    /// Draws a string: one glyph per code, advancing the text matrix.
    fn show(&mut self, bytes: &[u8], gs: &State, tm: &mut Matrix) {
        let Some(font) = gs.font.clone() else { return };
        let m = mul(tm, &gs.ctm);
        let vertical = (m[2] * m[2] + m[3] * m[3]).sqrt();
        let horizontal = (m[0] * m[0] + m[1] * m[1]).sqrt();
        // Only upright text is read; rotated and mirrored text (margins, stamps) is not.
        let upright = m[0] > 0.0 && m[3] > 0.0 && m[1].abs() < 0.05 * m[0] && m[2].abs() < 0.05 * m[3];
        for code in font.decode(bytes) {
            let trm = mul(&[gs.size * gs.scale, 0.0, 0.0, gs.size, 0.0, gs.rise], &mul(tm, &gs.ctm));
            let spacing =
                gs.char_spacing + if code.len == 1 && code.code == 32 { gs.word_spacing } else { 0.0 };
            let advance = (code.width * gs.size + spacing) * gs.scale;
            if upright && !code.text.is_empty() && !code.text.chars().all(char::is_control) {
                self.out.glyphs.push(Glyph {
                    text: code.text,
                    x: trm[4],
                    y: trm[5],
                    size: gs.size.abs() * vertical,
                    width: code.width * gs.size.abs() * gs.scale * horizontal,
                    bold: font.bold,
                });
            }
            *tm = mul(&[1.0, 0.0, 0.0, 1.0, advance, 0.0], tm);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matrices() {
        let t = mul(&[1.0, 0.0, 0.0, 1.0, 10.0, 20.0], &[2.0, 0.0, 0.0, 2.0, 5.0, 5.0]);
        assert_eq!(t, [2.0, 0.0, 0.0, 2.0, 25.0, 45.0]);
        assert_eq!(apply(&t, 1.0, 1.0), (27.0, 47.0));
    }
}
