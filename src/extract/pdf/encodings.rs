//! The single-byte encodings of simple PDF fonts (WinAnsi, MacRoman, Standard) and the glyph
//! names that `/Differences` arrays use, for text that has no `/ToUnicode` map.

/// WinAnsiEncoding (Windows code page 1252): the bytes 0x80–0x9F; the rest is Latin-1.
const WIN_ANSI_80: [char; 32] = [
    '€', '\u{fffd}', '‚', 'ƒ', '„', '…', '†', '‡', 'ˆ', '‰', 'Š', '‹', 'Œ', '\u{fffd}', 'Ž', '\u{fffd}',
    '\u{fffd}', '‘', '’', '“', '”', '•', '–', '—', '˜', '™', 'š', '›', 'œ', '\u{fffd}', 'ž', 'Ÿ',
];

/// MacRomanEncoding, bytes 0x80–0xFF.
const MAC_ROMAN_80: [char; 128] = [
    'Ä', 'Å', 'Ç', 'É', 'Ñ', 'Ö', 'Ü', 'á', 'à', 'â', 'ä', 'ã', 'å', 'ç', 'é', 'è', 'ê', 'ë', 'í', 'ì', 'î',
    'ï', 'ñ', 'ó', 'ò', 'ô', 'ö', 'õ', 'ú', 'ù', 'û', 'ü', '†', '°', '¢', '£', '§', '•', '¶', 'ß', '®', '©',
    '™', '´', '¨', '≠', 'Æ', 'Ø', '∞', '±', '≤', '≥', '¥', 'µ', '∂', '∑', '∏', 'π', '∫', 'ª', 'º', 'Ω', 'æ',
    'ø', '¿', '¡', '¬', '√', 'ƒ', '≈', '∆', '«', '»', '…', '\u{a0}', 'À', 'Ã', 'Õ', 'Œ', 'œ', '–', '—', '“',
    '”', '‘', '’', '÷', '◊', 'ÿ', 'Ÿ', '⁄', '€', '‹', '›', 'ﬁ', 'ﬂ', '‡', '·', '‚', '„', '‰', 'Â', 'Ê', 'Á',
    'Ë', 'È', 'Í', 'Î', 'Ï', 'Ì', 'Ó', 'Ô', '\u{f8ff}', 'Ò', 'Ú', 'Û', 'Ù', 'ı', 'ˆ', '˜', '¯', '˘', '˙',
    '˚', '¸', '˝', '˛', 'ˇ',
];

/// A base encoding of simple fonts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Base {
    /// Windows code page 1252.
    WinAnsi,
    /// Mac OS Roman.
    MacRoman,
    /// Adobe StandardEncoding (the default of Type 1 fonts).
    Standard,
}

impl Base {
    /// The encoding a `/Encoding` or `/BaseEncoding` name names.
    pub(super) fn from_name(name: &[u8]) -> Option<Base> {
        match name {
            b"WinAnsiEncoding" => Some(Base::WinAnsi),
            b"MacRomanEncoding" => Some(Base::MacRoman),
            b"StandardEncoding" => Some(Base::Standard),
            _ => None,
        }
    }

    /// The character a byte stands for (control bytes stand for nothing).
    pub(super) fn char(self, b: u8) -> Option<char> {
        match (self, b) {
            (_, 0..=31) => None,
            (Base::Standard, b'\'') => Some('’'),
            (Base::Standard, b'`') => Some('‘'),
            (_, 32..=126) => Some(char::from(b)),
            (Base::WinAnsi, 0x80..=0x9f) => {
                Some(WIN_ANSI_80[usize::from(b - 0x80)]).filter(|&c| c != '\u{fffd}')
            }
            (Base::WinAnsi, 0xa0..=0xff) => Some(char::from(b)),
            (Base::MacRoman, 0x80..=0xff) => Some(MAC_ROMAN_80[usize::from(b - 0x80)]),
            (Base::Standard, _) => standard_high(b),
            _ => None,
        }
    }
}

/// StandardEncoding above 0x7E: the characters text commonly uses.
fn standard_high(b: u8) -> Option<char> {
    Some(match b {
        0xa1 => '¡',
        0xa2 => '¢',
        0xa3 => '£',
        0xa4 => '⁄',
        0xa5 => '¥',
        0xa6 => 'ƒ',
        0xa7 => '§',
        0xa9 => '\'',
        0xaa => '“',
        0xab => '«',
        0xac => '‹',
        0xad => '›',
        0xae => 'ﬁ',
        0xaf => 'ﬂ',
        0xb1 => '–',
        0xb2 => '†',
        0xb3 => '‡',
        0xb4 => '·',
        0xb6 => '¶',
        0xb7 => '•',
        0xb8 => '‚',
        0xb9 => '„',
        0xba => '”',
        0xbb => '»',
        0xbc => '…',
        0xbd => '‰',
        0xbf => '¿',
        0xd0 => '—',
        0xe1 => 'Æ',
        0xe8 => 'Ł',
        0xe9 => 'Ø',
        0xea => 'Œ',
        0xf1 => 'æ',
        0xf5 => 'ı',
        0xf8 => 'ł',
        0xf9 => 'ø',
        0xfa => 'œ',
        0xfb => 'ß',
        _ => return None,
    })
}

/// Glyph names of the Adobe Glyph List that reports use, beyond single letters and digits.
const NAMES: &[(&str, &str)] = &[
    ("space", " "),
    ("nbspace", "\u{a0}"),
    ("exclam", "!"),
    ("quotedbl", "\""),
    ("numbersign", "#"),
    ("dollar", "$"),
    ("percent", "%"),
    ("ampersand", "&"),
    ("quotesingle", "'"),
    ("quoteright", "’"),
    ("quoteleft", "‘"),
    ("parenleft", "("),
    ("parenright", ")"),
    ("asterisk", "*"),
    ("plus", "+"),
    ("comma", ","),
    ("hyphen", "-"),
    ("minus", "−"),
    ("period", "."),
    ("slash", "/"),
    ("colon", ":"),
    ("semicolon", ";"),
    ("less", "<"),
    ("equal", "="),
    ("greater", ">"),
    ("question", "?"),
    ("at", "@"),
    ("bracketleft", "["),
    ("backslash", "\\"),
    ("bracketright", "]"),
    ("asciicircum", "^"),
    ("underscore", "_"),
    ("grave", "`"),
    ("braceleft", "{"),
    ("bar", "|"),
    ("braceright", "}"),
    ("asciitilde", "~"),
    ("zero", "0"),
    ("one", "1"),
    ("two", "2"),
    ("three", "3"),
    ("four", "4"),
    ("five", "5"),
    ("six", "6"),
    ("seven", "7"),
    ("eight", "8"),
    ("nine", "9"),
    ("endash", "–"),
    ("emdash", "—"),
    ("bullet", "•"),
    ("ellipsis", "…"),
    ("quotedblleft", "“"),
    ("quotedblright", "”"),
    ("quotesinglbase", "‚"),
    ("quotedblbase", "„"),
    ("guillemotleft", "«"),
    ("guillemotright", "»"),
    ("dagger", "†"),
    ("daggerdbl", "‡"),
    ("section", "§"),
    ("paragraph", "¶"),
    ("degree", "°"),
    ("copyright", "©"),
    ("registered", "®"),
    ("trademark", "™"),
    ("periodcentered", "·"),
    ("fi", "fi"),
    ("fl", "fl"),
    ("ff", "ff"),
    ("ffi", "ffi"),
    ("ffl", "ffl"),
    ("germandbls", "ß"),
    ("ae", "æ"),
    ("AE", "Æ"),
    ("oe", "œ"),
    ("OE", "Œ"),
    ("oslash", "ø"),
    ("Oslash", "Ø"),
    ("dotlessi", "ı"),
    ("lslash", "ł"),
    ("Lslash", "Ł"),
    ("Euro", "€"),
    ("sterling", "£"),
    ("yen", "¥"),
    ("cent", "¢"),
    ("onesuperior", "¹"),
    ("twosuperior", "²"),
    ("threesuperior", "³"),
];

/// Accents of composed Latin letters: `eacute` is `e` + `acute`.
const ACCENTS: &[(&str, char)] = &[
    ("acute", '\u{301}'),
    ("grave", '\u{300}'),
    ("circumflex", '\u{302}'),
    ("dieresis", '\u{308}'),
    ("tilde", '\u{303}'),
    ("ring", '\u{30a}'),
    ("cedilla", '\u{327}'),
    ("caron", '\u{30c}'),
];

/// The text a glyph name stands for: AGL names, `uniXXXX[YYYY…]`, `uXXXX[XX]`, a letter with
/// an accent (`eacute`). `None` for names nobody can read (`g123`, `glyph45`).
pub(super) fn glyph_name(name: &str) -> Option<String> {
    let base = name.split('.').next().unwrap_or(name);
    if base.chars().count() == 1 && base.chars().all(|c| c.is_ascii_alphabetic()) {
        return Some(base.to_string());
    }
    if let Some((_, t)) = NAMES.iter().find(|(n, _)| *n == base) {
        return Some((*t).to_string());
    }
    if let Some(hex) = base.strip_prefix("uni") {
        if hex.len() >= 4 && hex.len() % 4 == 0 && hex.bytes().all(|b| b.is_ascii_hexdigit()) {
            let units: Vec<u16> = hex
                .as_bytes()
                .chunks(4)
                .filter_map(|c| u16::from_str_radix(std::str::from_utf8(c).ok()?, 16).ok())
                .collect();
            return Some(String::from_utf16_lossy(&units));
        }
    }
    if let Some(hex) = base.strip_prefix('u') {
        if (4..=6).contains(&hex.len()) && hex.bytes().all(|b| b.is_ascii_hexdigit()) {
            return u32::from_str_radix(hex, 16).ok().and_then(char::from_u32).map(String::from);
        }
    }
    let mut chars = base.chars();
    let letter = chars.next().filter(char::is_ascii_alphabetic)?;
    let accent = chars.as_str();
    let mark = ACCENTS.iter().find(|(n, _)| *n == accent)?.1;
    compose(letter, mark).map(String::from)
}

/// A Latin letter with a combining accent as one precomposed character, when Unicode has it.
fn compose(letter: char, mark: char) -> Option<char> {
    let candidates: &[(char, char)] = match mark {
        '\u{301}' => &[
            ('a', 'á'),
            ('e', 'é'),
            ('i', 'í'),
            ('o', 'ó'),
            ('u', 'ú'),
            ('y', 'ý'),
            ('c', 'ć'),
            ('n', 'ń'),
            ('s', 'ś'),
            ('z', 'ź'),
        ],
        '\u{300}' => &[('a', 'à'), ('e', 'è'), ('i', 'ì'), ('o', 'ò'), ('u', 'ù')],
        '\u{302}' => &[('a', 'â'), ('e', 'ê'), ('i', 'î'), ('o', 'ô'), ('u', 'û')],
        '\u{308}' => &[('a', 'ä'), ('e', 'ë'), ('i', 'ï'), ('o', 'ö'), ('u', 'ü'), ('y', 'ÿ')],
        '\u{303}' => &[('a', 'ã'), ('n', 'ñ'), ('o', 'õ')],
        '\u{30a}' => &[('a', 'å')],
        '\u{327}' => &[('c', 'ç')],
        '\u{30c}' => &[('c', 'č'), ('s', 'š'), ('z', 'ž'), ('r', 'ř'), ('e', 'ě')],
        _ => &[],
    };
    let lower = letter.to_ascii_lowercase();
    let found = candidates.iter().find(|(l, _)| *l == lower)?.1;
    if letter.is_ascii_uppercase() {
        found.to_uppercase().next()
    } else {
        Some(found)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::check_table;

    #[test]
    fn encodings() {
        assert_eq!(Base::WinAnsi.char(0x93), Some('“'));
        assert_eq!(Base::WinAnsi.char(0xe9), Some('é'));
        assert_eq!(Base::MacRoman.char(0x8e), Some('é'));
        assert_eq!(Base::Standard.char(b'\''), Some('’'));
        assert_eq!(Base::WinAnsi.char(b'/'), Some('/'));
        assert_eq!(Base::WinAnsi.char(7), None);
    }

    #[test]
    fn glyph_names() {
        check_table(
            |s| glyph_name(s).into_iter().collect(),
            "
            a → a
            slash → /
            underscore → _
            uni4E2D → 中
            uni00660069 → fi
            u1F600 → 😀
            eacute → é
            Ccedilla → Ç
            period.sc → .
            g123 → —
            ",
        );
    }
}
