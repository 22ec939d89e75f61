//! PDF fonts, as far as reading text needs them: how a string's bytes split into character
//! codes, what text each code stands for (`/ToUnicode` first, then the font's encoding), and how
//! far each glyph advances (`/Widths`, `/W`).

use super::encodings::{glyph_name, Base};
use lopdf::{Dictionary, Document, Object};
use std::collections::HashMap;

/// A font ready to decode strings.
#[derive(Debug, Default)]
pub(super) struct Font {
    /// Byte lengths of codes, from the code space ranges (`(length, low, high)`).
    codespace: Vec<(u8, u32, u32)>,
    /// Two-byte codes by default (composite fonts).
    composite: bool,
    /// Codes are Unicode themselves (`Uni…-UCS2-H`, `Uni…-UTF16-H` CMaps).
    unicode_codes: bool,
    to_unicode: Option<ToUnicode>,
    /// Simple fonts: the text of each byte by encoding and `/Differences`.
    encoding: Vec<Option<String>>,
    /// Simple fonts: widths from `first_char`; composite: ranges.
    widths: Vec<f32>,
    first_char: u32,
    cid_widths: Vec<(u32, u32, f32)>,
    default_width: f32,
    /// Glyph space to text space (1/1000, or a Type 3 font's matrix).
    scale: f32,
    /// The font's name says bold.
    pub bold: bool,
}

/// One decoded character code.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Code {
    /// The code.
    pub code: u32,
    /// Its length in bytes (word spacing applies to the one-byte code 32 only).
    pub len: u8,
    /// The text it stands for (empty when unknown).
    pub text: String,
    /// Advance in text space units (before font size and spacing).
    pub width: f32,
}

impl Font {
    /// Reads a font dictionary; fonts that cannot be read decode bytes as Latin-1.
    pub(super) fn load(doc: &Document, dict: &Dictionary) -> Font {
        let subtype = name(doc, dict, b"Subtype").unwrap_or_default();
        let base_font = name(doc, dict, b"BaseFont").unwrap_or_default();
        let bold = ["Bold", "Black", "Heavy", "Semibold", "Demi"].iter().any(|w| base_font.contains(w));
        let to_unicode = deref(doc, dict.get(b"ToUnicode").ok())
            .and_then(|o| o.as_stream().ok())
            .and_then(|s| s.decompressed_content_with_limit(8 << 20).ok())
            .map(|bytes| ToUnicode::parse(&bytes));
        let mut font = Font { bold, default_width: 0.5, scale: 0.001, to_unicode, ..Font::default() };
        if subtype == "Type0" {
            font.load_composite(doc, dict);
        } else {
            font.load_simple(doc, dict, &subtype, &base_font);
        }
        if let Some(tu) = &font.to_unicode {
            if font.codespace.is_empty() {
                font.codespace = tu.codespace.clone();
            }
        }
        font
    }

    fn load_composite(&mut self, doc: &Document, dict: &Dictionary) {
        self.composite = true;
        self.default_width = 1.0;
        match deref(doc, dict.get(b"Encoding").ok()) {
            Some(Object::Name(n)) => {
                let n = String::from_utf8_lossy(n);
                self.unicode_codes = n.contains("UCS2") || n.contains("UTF16");
            }
            Some(Object::Stream(s)) => {
                if let Ok(bytes) = s.decompressed_content_with_limit(8 << 20) {
                    self.codespace = ToUnicode::parse(&bytes).codespace;
                }
            }
            _ => {}
        }
        let descendant = deref(doc, dict.get(b"DescendantFonts").ok())
            .and_then(|o| o.as_array().ok())
            .and_then(|a| deref(doc, a.first()))
            .and_then(|o| o.as_dict().ok());
        let Some(desc) = descendant else { return };
        if let Some(dw) = deref(doc, desc.get(b"DW").ok()).and_then(number) {
            self.default_width = dw / 1000.0;
        }
        if let Some(w) = deref(doc, desc.get(b"W").ok()).and_then(|o| o.as_array().ok()) {
            self.cid_widths = cid_widths(doc, w);
        }
    }

    fn load_simple(&mut self, doc: &Document, dict: &Dictionary, subtype: &str, base_font: &str) {
        if subtype == "Type3" {
            if let Some(m) = deref(doc, dict.get(b"FontMatrix").ok()).and_then(|o| o.as_array().ok()) {
                self.scale = m.first().and_then(number).unwrap_or(0.001);
            }
        }
        self.first_char =
            deref(doc, dict.get(b"FirstChar").ok()).and_then(number).map_or(0, |f| f.max(0.0) as u32);
        if let Some(ws) = deref(doc, dict.get(b"Widths").ok()).and_then(|o| o.as_array().ok()) {
            self.widths =
                ws.iter().take(256).map(|w| deref(doc, Some(w)).and_then(number).unwrap_or(0.0)).collect();
        }
        let descriptor = deref(doc, dict.get(b"FontDescriptor").ok()).and_then(|o| o.as_dict().ok());
        let missing = descriptor.and_then(|d| deref(doc, d.get(b"MissingWidth").ok())).and_then(number);
        self.default_width = match missing {
            Some(m) if m > 0.0 => m * self.scale,
            _ if base_font.contains("Courier") => 0.6,
            _ => 0.5,
        };
        // Symbolic fonts without an encoding keep their codes; everything else starts from a
        // standard encoding.
        let mut base = if subtype == "TrueType" { Base::WinAnsi } else { Base::Standard };
        let mut differences: Vec<(u32, String)> = Vec::new();
        match deref(doc, dict.get(b"Encoding").ok()) {
            Some(Object::Name(n)) => base = Base::from_name(n).unwrap_or(base),
            Some(Object::Dictionary(e)) => {
                if let Some(Object::Name(n)) = deref(doc, e.get(b"BaseEncoding").ok()) {
                    base = Base::from_name(n).unwrap_or(base);
                }
                if let Some(diffs) = deref(doc, e.get(b"Differences").ok()).and_then(|o| o.as_array().ok()) {
                    let mut code = 0u32;
                    for item in diffs {
                        match deref(doc, Some(item)) {
                            Some(Object::Integer(i)) => code = u32::try_from(*i).unwrap_or(0),
                            Some(Object::Name(n)) => {
                                differences.push((code, String::from_utf8_lossy(n).into_owned()));
                                code += 1;
                            }
                            _ => {}
                        }
                    }
                }
            }
            _ => {}
        }
        self.encoding = (0u8..=255).map(|b| base.char(b).map(String::from)).collect();
        for (code, glyph) in differences {
            if let Some(slot) = usize::try_from(code).ok().and_then(|c| self.encoding.get_mut(c)) {
                *slot = glyph_name(&glyph);
            }
        }
    }

    /// Splits a string into codes with their text and advance.
    pub(super) fn decode(&self, bytes: &[u8]) -> Vec<Code> {
        let mut out = Vec::with_capacity(bytes.len());
        let mut i = 0;
        while i < bytes.len() {
            let len = self.code_len(&bytes[i..]);
            let code = bytes[i..i + len].iter().fold(0u32, |acc, &b| (acc << 8) | u32::from(b));
            out.push(Code { code, len: len as u8, text: self.text(code, len), width: self.width(code) });
            i += len;
        }
        out
    }

    fn code_len(&self, rest: &[u8]) -> usize {
        for n in 1..=4usize.min(rest.len()) {
            let code = rest[..n].iter().fold(0u32, |acc, &b| (acc << 8) | u32::from(b));
            if self.codespace.iter().any(|&(len, lo, hi)| usize::from(len) == n && (lo..=hi).contains(&code))
            {
                return n;
            }
        }
        if self.composite && rest.len() >= 2 {
            2
        } else {
            1
        }
    }

    fn text(&self, code: u32, len: usize) -> String {
        if let Some(t) = self.to_unicode.as_ref().and_then(|tu| tu.get(code)) {
            return t;
        }
        if self.unicode_codes {
            return char::from_u32(code).map(String::from).unwrap_or_default();
        }
        if len == 1 {
            if let Some(Some(t)) = self.encoding.get(code as usize) {
                return t.clone();
            }
        }
        String::new()
    }

    fn width(&self, code: u32) -> f32 {
        if self.composite {
            let w =
                self.cid_widths.iter().find(|(lo, hi, _)| (*lo..=*hi).contains(&code)).map(|(_, _, w)| *w);
            return w.map_or(self.default_width, |w| w / 1000.0);
        }
        match code.checked_sub(self.first_char).and_then(|i| self.widths.get(i as usize)) {
            Some(&w) if w > 0.0 => w * self.scale,
            _ => self.default_width,
        }
    }
}

/// `/W` of a CID font: `c [w1 w2 …]` and `c_first c_last w`.
fn cid_widths(doc: &Document, w: &[Object]) -> Vec<(u32, u32, f32)> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < w.len() && out.len() < 1 << 16 {
        let Some(first) = deref(doc, w.get(i)).and_then(number) else { break };
        let first = first.max(0.0) as u32;
        match deref(doc, w.get(i + 1)) {
            Some(Object::Array(ws)) => {
                for (k, wv) in ws.iter().enumerate() {
                    if let Some(v) = deref(doc, Some(wv)).and_then(number) {
                        let c = first + k as u32;
                        out.push((c, c, v));
                    }
                }
                i += 2;
            }
            Some(o) => {
                let last = number(o).unwrap_or(0.0).max(0.0) as u32;
                let v = deref(doc, w.get(i + 2)).and_then(number).unwrap_or(1000.0);
                out.push((first, last.max(first), v));
                i += 3;
            }
            None => break,
        }
    }
    out
}

/// A `/ToUnicode` CMap (also used for the code space of embedded encoding CMaps).
#[derive(Debug, Default, Clone)]
pub(super) struct ToUnicode {
    codespace: Vec<(u8, u32, u32)>,
    single: HashMap<u32, String>,
    ranges: Vec<(u32, u32, RangeTarget)>,
}

#[derive(Debug, Clone)]
enum RangeTarget {
    /// The first code's text; later codes increment its last UTF-16 unit.
    Start(Vec<u16>),
    /// One text per code.
    List(Vec<String>),
}

impl ToUnicode {
    /// Parses a CMap program (only the parts that map codes: code spaces, `bfchar`, `bfrange`).
    pub(super) fn parse(bytes: &[u8]) -> ToUnicode {
        let tokens = tokens(bytes);
        let mut out = ToUnicode::default();
        let mut i = 0;
        while i < tokens.len() {
            match &tokens[i] {
                Token::Keyword(k) if k == "begincodespacerange" => {
                    i += 1;
                    while let (Some(Token::Hex(lo)), Some(Token::Hex(hi))) =
                        (tokens.get(i), tokens.get(i + 1))
                    {
                        out.codespace.push((lo.len().clamp(1, 4) as u8, be(lo), be(hi)));
                        i += 2;
                    }
                }
                Token::Keyword(k) if k == "beginbfchar" => {
                    i += 1;
                    while let (Some(Token::Hex(src)), Some(dst)) = (tokens.get(i), tokens.get(i + 1)) {
                        if let Token::Hex(d) = dst {
                            out.single.insert(be(src), utf16(d));
                        } else if let Token::Name(n) = dst {
                            out.single.insert(be(src), glyph_name(n).unwrap_or_default());
                        }
                        i += 2;
                    }
                }
                Token::Keyword(k) if k == "beginbfrange" => {
                    i += 1;
                    while let (Some(Token::Hex(lo)), Some(Token::Hex(hi)), Some(dst)) =
                        (tokens.get(i), tokens.get(i + 1), tokens.get(i + 2))
                    {
                        let (lo, hi) = (be(lo), be(hi));
                        match dst {
                            Token::Hex(d) => out.ranges.push((lo, hi, RangeTarget::Start(units(d)))),
                            Token::Array(items) => {
                                let list = items.iter().map(|d| utf16(d)).collect();
                                out.ranges.push((lo, hi, RangeTarget::List(list)));
                            }
                            _ => {}
                        }
                        i += 3;
                    }
                }
                _ => i += 1,
            }
        }
        out
    }

    /// The text of a code, if mapped.
    pub(super) fn get(&self, code: u32) -> Option<String> {
        if let Some(t) = self.single.get(&code) {
            return Some(t.clone());
        }
        let (lo, _, target) = self.ranges.iter().find(|(lo, hi, _)| (*lo..=*hi).contains(&code))?;
        let offset = code - lo;
        match target {
            RangeTarget::Start(units) => {
                let mut u = units.clone();
                let last = u.last_mut()?;
                *last = last.wrapping_add(u16::try_from(offset).ok()?);
                Some(String::from_utf16_lossy(&u))
            }
            RangeTarget::List(list) => list.get(offset as usize).cloned(),
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
enum Token {
    Hex(Vec<u8>),
    Array(Vec<Vec<u8>>),
    Name(String),
    Keyword(String),
}

/// The tokens of a CMap that matter here (hex strings, arrays of them, names, keywords).
fn tokens(bytes: &[u8]) -> Vec<Token> {
    let mut out = Vec::new();
    let mut i = 0;
    let mut array: Option<Vec<Vec<u8>>> = None;
    while i < bytes.len() {
        let b = bytes[i];
        match b {
            b'%' => {
                while i < bytes.len() && bytes[i] != b'\n' && bytes[i] != b'\r' {
                    i += 1;
                }
            }
            b'<' if bytes.get(i + 1) != Some(&b'<') => {
                let end = bytes[i..].iter().position(|&c| c == b'>').map_or(bytes.len(), |p| i + p);
                let hex: Vec<u8> = bytes[i + 1..end].iter().copied().filter(u8::is_ascii_hexdigit).collect();
                let mut v: Vec<u8> = hex
                    .chunks(2)
                    .map(|c| {
                        let s = if c.len() == 2 { [c[0], c[1]] } else { [c[0], b'0'] };
                        u8::from_str_radix(std::str::from_utf8(&s).unwrap_or("00"), 16).unwrap_or(0)
                    })
                    .collect();
                if v.is_empty() {
                    v.push(0);
                }
                match array.as_mut() {
                    Some(a) => a.push(v),
                    None => out.push(Token::Hex(v)),
                }
                i = end + 1;
            }
            b'[' => {
                array = Some(Vec::new());
                i += 1;
            }
            b']' => {
                if let Some(a) = array.take() {
                    out.push(Token::Array(a));
                }
                i += 1;
            }
            b'/' => {
                let end = bytes[i + 1..]
                    .iter()
                    .position(|c| c.is_ascii_whitespace() || b"/<>[]()".contains(c))
                    .map_or(bytes.len(), |p| i + 1 + p);
                out.push(Token::Name(String::from_utf8_lossy(&bytes[i + 1..end]).into_owned()));
                i = end;
            }
            b'(' => {
                // Literal strings carry nothing this reader uses; skip them, nesting included.
                let mut depth = 0;
                while i < bytes.len() {
                    match bytes[i] {
                        b'\\' => i += 1,
                        b'(' => depth += 1,
                        b')' => {
                            depth -= 1;
                            if depth == 0 {
                                break;
                            }
                        }
                        _ => {}
                    }
                    i += 1;
                }
                i += 1;
            }
            c if c.is_ascii_alphabetic() => {
                let end =
                    bytes[i..].iter().position(|c| !c.is_ascii_alphanumeric()).map_or(bytes.len(), |p| i + p);
                out.push(Token::Keyword(String::from_utf8_lossy(&bytes[i..end]).into_owned()));
                i = end;
            }
            _ => i += 1,
        }
    }
    out
}

fn be(bytes: &[u8]) -> u32 {
    bytes.iter().take(4).fold(0u32, |acc, &b| (acc << 8) | u32::from(b))
}

fn units(bytes: &[u8]) -> Vec<u16> {
    bytes
        .chunks(2)
        .map(|c| if c.len() == 2 { u16::from_be_bytes([c[0], c[1]]) } else { u16::from(c[0]) })
        .collect()
}

fn utf16(bytes: &[u8]) -> String {
    String::from_utf16_lossy(&units(bytes))
}

/// An object with references followed (bounded).
pub(super) fn deref<'a>(doc: &'a Document, o: Option<&'a Object>) -> Option<&'a Object> {
    let o = o?;
    doc.dereference(o).ok().map(|(_, o)| o)
}

/// A number (integer or real).
pub(super) fn number(o: &Object) -> Option<f32> {
    match o {
        Object::Integer(i) => Some(*i as f32),
        Object::Real(r) => Some(*r),
        _ => None,
    }
}

fn name(doc: &Document, dict: &Dictionary, key: &[u8]) -> Option<String> {
    match deref(doc, dict.get(key).ok())? {
        Object::Name(n) => Some(String::from_utf8_lossy(n).into_owned()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn to_unicode_maps() {
        let cmap = b"/CIDInit /ProcSet findresource begin 12 dict begin begincmap
1 begincodespacerange <0000> <FFFF> endcodespacerange
2 beginbfchar <0003> <0020> <0011> <4E2D> endbfchar
2 beginbfrange <0024> <0026> <0041> <0030> <0031> [<0066006C> <00660069>] endbfrange
endcmap";
        let tu = ToUnicode::parse(cmap);
        assert_eq!(tu.codespace, vec![(2, 0, 0xffff)]);
        assert_eq!(tu.get(0x11).as_deref(), Some("中"));
        assert_eq!(tu.get(0x25).as_deref(), Some("B"));
        assert_eq!(tu.get(0x31).as_deref(), Some("fi"));
        assert_eq!(tu.get(0x99), None);
        let font = Font {
            codespace: tu.codespace.clone(),
            to_unicode: Some(tu),
            composite: true,
            default_width: 1.0,
            ..Font::default()
        };
        let codes = font.decode(&[0x00, 0x24, 0x00, 0x11, 0x00, 0x03]);
        let text: String = codes.iter().map(|c| c.text.as_str()).collect();
        assert_eq!(text, "A中 ");
        assert!(codes.iter().all(|c| c.len == 2));
    }

    #[test]
    fn simple_fonts_fall_back_to_their_encoding() {
        let font = Font {
            encoding: (0u8..=255).map(|b| Base::WinAnsi.char(b).map(String::from)).collect(),
            widths: vec![278.0, 0.0],
            first_char: 32,
            default_width: 0.5,
            scale: 0.001,
            ..Font::default()
        };
        let codes = font.decode(b" \x93x");
        assert_eq!(codes.iter().map(|c| c.text.as_str()).collect::<String>(), " “x");
        assert!((codes[0].width - 0.278).abs() < 1e-6, "{}", codes[0].width);
        assert!((codes[1].width - 0.5).abs() < 1e-6, "missing widths fall back");
    }
}
