//! UN document symbols: the symbol grammar, joint symbols, resolution references in
//! running text (Chinese, English, French, Spanish, Russian) and symbols inside resolver URLs.
//!
//! Grammar and rules follow `shared/reference/un-symbols.md`: a case-sensitive regex finds
//! candidates, then checks in code reject what only looks like a symbol (`TCP/IP`, `A/2`,
//! URL paths, dates).

use regex::Regex;
use std::sync::LazyLock;

/// A symbol found in a piece of text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SymbolHit {
    /// Byte range of the raw text (the joint form, or the whole resolution reference).
    pub start: usize,
    /// End of the raw text (exclusive).
    pub end: usize,
    /// Canonical symbol.
    pub value: String,
}

const PFX: &str = r"(?:A|S|E|T|ST|DP|TD|UNEP|UNW|CRC|CEDAW|CCPR|CAT|CERD|CMW|CRPD|CED|HRI|SPLOS|ISBA|ECE|FCCC|CTOC|CAC|ICCD|HSP)";
const COMP: &str =
    r"(?:E?S-[0-9]{1,2}|[0-9]{1,5}(?:-[0-9]{1,5})?|[A-Z][A-Za-z]{0,11}(?:\.[A-Za-z0-9]{1,6})*)";

static SYMBOL: LazyLock<Regex> = LazyLock::new(|| {
    let one = format!(r"{PFX}(?:/{COMP})+\*?");
    let pat = format!(
        r"(?:^|[^A-Za-z0-9/._\-])(?P<sym>{one}(?:[-\x{{2010}}\x{{2011}}\x{{2013}}]{one})*)(?P<par>[ \x{{a0}}]?\((?:[0-9]{{4}}|E?S-[IVXL]+|[IVXL]+|Resumption [0-9]+)\))?"
    );
    compiled(&pat)
});

static MEMBER_START: LazyLock<Regex> = LazyLock::new(|| compiled(&format!(r"^{PFX}/")));

static PAREN_KEEPER: LazyLock<Regex> =
    LazyLock::new(|| compiled(r"^(?:[ASE]/RES/[0-9]+|S/PV\.[0-9]+|A/RES/[0-9]+)$"));

/// Compiles one of the patterns of this file (all valid: the tests run every one).
fn compiled(pattern: &str) -> Regex {
    Regex::new(pattern).unwrap_or_else(|e| unreachable!("a pattern of symbols.rs does not compile: {e}"))
}

/// Finds every document symbol written out in `text`, joint symbols split into members.
/// Full-width forms, typographic dashes and symbols broken across lines (`A/HRC/44/⏎49`)
/// are read as their plain form; ranges refer to `text` as given.
pub(crate) fn find_symbols(text: &str) -> Vec<SymbolHit> {
    // Byte searches: a `char` searcher decodes every character of CJK text.
    let bytes = text.as_bytes();
    if memchr::memchr(b'/', bytes).is_none() && memchr::memmem::find(bytes, "／".as_bytes()).is_none() {
        return Vec::new();
    }
    match normalise(text) {
        None => find_plain_symbols(text),
        Some((plain, map)) => find_plain_symbols(&plain)
            .into_iter()
            .map(|h| SymbolHit { start: map[h.start], end: map[h.end], value: h.value })
            .collect(),
    }
}

/// The plain form of `text` for symbol matching, with a map from each byte of it (and its
/// end) back to `text`; `None` when `text` is already plain.
fn normalise(text: &str) -> Option<(String, Vec<usize>)> {
    // Only forms that change what the grammar sees: a full-width slash, typographic dashes,
    // no-break and invisible characters, and a `/` at the end of a line.
    let bytes = text.as_bytes();
    let needs = memchr::memchr3(0xEF, 0xE2, 0xC2, bytes).is_some()
        && [
            '／', '\u{2010}', '\u{2011}', '\u{2012}', '\u{2212}', '\u{a0}', '\u{202f}', '\u{ad}', '\u{200b}',
            '\u{feff}',
        ]
        .iter()
        .any(|c| memchr::memmem::find(bytes, c.encode_utf8(&mut [0; 4]).as_bytes()).is_some())
        || memchr::memmem::find(bytes, b"/\n").is_some()
        || memchr::memmem::find(bytes, b"/ \n").is_some()
        || memchr::memmem::find(bytes, b"/\r\n").is_some();
    if !needs {
        return None;
    }
    let mut out = String::with_capacity(text.len());
    let mut map = Vec::with_capacity(text.len() + 1);
    let mut iter = text.char_indices().peekable();
    while let Some((i, c)) = iter.next() {
        let mapped = match c {
            '\u{ff01}'..='\u{ff5e}' => char::from_u32(c as u32 - 0xfee0),
            '\u{2010}'..='\u{2012}' | '\u{2212}' => Some('-'),
            '\u{a0}' | '\u{202f}' => Some(' '),
            '\u{ad}' | '\u{200b}' | '\u{feff}' => None,
            _ => Some(c),
        };
        if let Some(m) = mapped {
            for _ in 0..m.len_utf8() {
                map.push(i);
            }
            out.push(m);
            // A symbol broken across lines: `/` then white space holding a line break.
            if m == '/' {
                let rest = &text[i + c.len_utf8()..];
                let ws = rest.len() - rest.trim_start_matches([' ', '\t', '\r', '\n']).len();
                if rest[..ws].contains('\n') {
                    while iter.peek().is_some_and(|(j, _)| *j < i + c.len_utf8() + ws) {
                        iter.next();
                    }
                }
            }
        }
    }
    map.push(text.len());
    Some((out, map))
}

/// Longest joint symbol or reference list kept whole as each member's `raw` text; a longer
/// run (no real document writes one) gives each member its own text, so a hostile input of
/// thousands of members costs linear time, not members × length.
const MAX_JOINT_RAW: usize = 200;

fn find_plain_symbols(text: &str) -> Vec<SymbolHit> {
    let mut hits = Vec::new();
    for caps in SYMBOL.captures_iter(text) {
        let Some(sym) = caps.name("sym") else { continue };
        let par = caps.name("par");
        let end_all = par.map_or(sym.end(), |p| p.end());
        // Right boundary: the symbol must not run on into letters, digits or a path.
        let next = text[sym.end()..].chars().next();
        if par.is_none() && matches!(next, Some(c) if c.is_ascii_alphanumeric() || c == '/') {
            continue;
        }
        let members = split_members(sym.as_str());
        let n = members.len();
        let joint = sym.len() <= MAX_JOINT_RAW;
        for (i, (at, member)) in members.into_iter().enumerate() {
            let member = member.trim_end_matches('*');
            if !valid_member(member) {
                continue;
            }
            let mut value = member.to_string();
            // A parenthesis (year, session, resumption) belongs to the last member only,
            // and only for resolutions and verbatim records.
            if let Some(p) = par {
                if i + 1 == n && PAREN_KEEPER.is_match(member) {
                    let inner = p.as_str().trim_start_matches([' ', '\u{a0}']);
                    value = format!("{member} {inner}");
                }
            }
            let (start, end) = match (joint, value.contains('(')) {
                (_, true) => (if joint { sym.start() } else { sym.start() + at }, end_all),
                (true, false) => (sym.start(), sym.end()),
                (false, false) => (sym.start() + at, sym.start() + at + member.len()),
            };
            hits.push(SymbolHit { start, end, value });
        }
    }
    hits
}

/// Splits a joint symbol at each dash that starts a new member (`E/2020/31-E/CN.16/2020/4`),
/// with each member's offset in `sym`.
fn split_members(sym: &str) -> Vec<(usize, &str)> {
    let mut out = Vec::new();
    let mut start = 0;
    for (i, c) in sym.char_indices() {
        if matches!(c, '-' | '\u{2010}' | '\u{2011}' | '\u{2013}') && i > start {
            let rest = &sym[i + c.len_utf8()..];
            if MEMBER_START.is_match(rest) {
                out.push((start, &sym[start..i]));
                start = i + c.len_utf8();
            }
        }
    }
    out.push((start, &sym[start..]));
    out
}

/// The checks the regex cannot express (see the reference notes, section 4).
fn valid_member(member: &str) -> bool {
    let comps: Vec<&str> = member.split('/').collect();
    if comps.len() < 2 || !member.bytes().any(|b| b.is_ascii_digit()) {
        return false;
    }
    let last = comps[comps.len() - 1];
    if !(last.ends_with(|c: char| c.is_ascii_digit()) || last == "Summary") {
        return false;
    }
    if comps.len() == 2 {
        let only = comps[1];
        let long_number = only.len() >= 3 && only.bytes().all(|b| b.is_ascii_digit());
        let dotted = only.contains('.') && only.starts_with(|c: char| c.is_ascii_uppercase());
        return long_number || dotted;
    }
    true
}

/// Returns the canonical symbol when the whole of `s` is one symbol (used for URL paths and
/// query parameters such as `undocs.org/en/A/RES/69/156` or `?s=A/HRC/RES/29/8`).
pub(crate) fn exact_symbol(s: &str) -> Option<String> {
    let s = s.trim();
    let hits = find_symbols(s);
    match hits.as_slice() {
        [one] if one.start == 0 && one.end == s.len() => Some(one.value.clone()),
        _ => None,
    }
}

/// Every symbol written in running text (symbols and resolution references), except those
/// inside the URLs at `urls`: a URL names its symbol through [`from_url`], once.
pub(crate) fn find_in_prose(text: &str, urls: &[std::ops::Range<usize>]) -> Vec<SymbolHit> {
    let inside = |h: &SymbolHit| urls.iter().any(|u| h.start < u.end && u.start < h.end);
    find_symbols(text).into_iter().chain(find_resolution_refs(text)).filter(|h| !inside(h)).collect()
}

/// The document symbol a URL names: a UN resolver's path (`undocs.org/en/A/RES/69/156`,
/// `docs.un.org/zh/A/RES/2758(XXVI)`), or a query value on any site
/// (`documents.un.org/api/symbol/access?s=A/HRC/RES/29/8`, `undocs.org/pdf?symbol=en/A/75/147`,
/// `daccess-ods.un.org/…&DS=A/75/147&…`, `ohchr.org/…/dpage_e.aspx?si=A/HRC/RES/29/8`).
pub(crate) fn from_url(value: &str) -> Option<String> {
    let query = value.find('?').is_some_and(|q| value[q..].contains('/'));
    let un = value.contains("un.org") || value.contains("UN.ORG") || value.contains("undocs");
    if !(query || un) {
        return None;
    }
    // Most cited URLs are plain: their parts are read off the text (a parse was 2% of a report).
    let parsed;
    let (host, path, query) = match super::url::plain_parts(value) {
        Some((host, path, query)) => (Some(host), path, query),
        None => {
            parsed = ::url::Url::parse(value).ok()?;
            (parsed.host_str(), parsed.path(), parsed.query())
        }
    };
    for (_, val) in ::url::form_urlencoded::parse(query.unwrap_or("").as_bytes()) {
        if let Some(sym) = exact_symbol(strip_lang(val.trim())) {
            return Some(sym);
        }
    }
    // A URL without a host (`mailto:…?subject=A/75/1`) names a symbol in its query only.
    let host = host?.to_ascii_lowercase();
    if !(host == "undocs.org"
        || host.ends_with(".undocs.org")
        || host == "un.org"
        || host.ends_with(".un.org"))
    {
        return None;
    }
    let path = percent_decode(path);
    let mut rest = path.trim_start_matches('/');
    for skip in ["api/symbol/access", "api/symbol/", "symbol/", "pdf"] {
        rest = rest.strip_prefix(skip).unwrap_or(rest).trim_start_matches('/');
    }
    exact_symbol(strip_lang(rest))
}

fn strip_lang(s: &str) -> &str {
    for lang in ["ar/", "zh/", "en/", "fr/", "ru/", "es/", "ot/"] {
        if let Some(rest) = s.strip_prefix(lang) {
            return rest;
        }
    }
    s
}

fn percent_decode(s: &str) -> String {
    percent_encoding::percent_decode_str(s).decode_utf8_lossy().into_owned()
}

// ---------------------------------------------------------------------------------------
// Resolution references in running text.

const REF: &str = r"(?:E?S-[0-9]{1,2}/[1-9][0-9]{0,2}|[0-9]{1,4}/[1-9][0-9]{0,3}(?:[ \x{a0}]?[A-Z](?:-[A-Z])?)?|[1-9][0-9]{0,3}[ \x{a0}]?\((?:19[4-9][0-9]|20[0-9][0-9])\)|[1-9][0-9]{0,3}[ \x{a0}]?(?:[A-Z][ \x{a0}]?)?\((?:E?S-)?[IVXL]+\))";
const SEP: &str =
    r"(?:\s*[,;、，；]\s*(?:and\s+|et\s+|y\s+|и\s+)?|\s*(?:以及|和|及|与)\s*|\s+(?:and|et|y|и)\s+)";

/// A keyword and a list of references (`resolutions 70/1 and 70/125`), and one reference of
/// such a list, built from the same parts.
struct ResolutionPatterns {
    list: Regex,
    one: Regex,
}

static RESOLUTION: LazyLock<ResolutionPatterns> = LazyLock::new(|| {
    let list = format!(r"{REF}(?:{SEP}{REF})*");
    let pat = format!(
        r"(?P<kw>(?i:resolutions?|résolutions?|resoluci(?:ón|ones)|резолюци[а-я]*))(?:\s+(?i:nos?\.|n[°º]|№))?\s+(?P<list>{list})|第\s*(?P<zlist>{list})\s*号决议"
    );
    ResolutionPatterns { list: compiled(&pat), one: compiled(&format!(r"(?P<r>{REF})")) }
});

/// A UN organ named in the text around a resolution reference.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Organ {
    GeneralAssembly,
    Ecosoc,
    HumanRightsCouncil,
    SecurityCouncil,
}

static ORGAN: LazyLock<Regex> = LazyLock::new(|| {
    compiled(concat!(
        r"(?i)(?P<hrc>Human Rights Council|Conseil des droits de l[’']homme|Consejo de Derechos Humanos|Совет[а-я]* по правам человека|人权理事会)",
        r"|(?P<e>Economic and Social Council|ECOSOC|Conseil économique et social|Consejo Económico y Social|Экономическ[а-я]* и Социальн[а-я]* Совет[а-я]*|经济及社会理事会|经社理事会)",
        r"|(?P<s>Security Council|Conseil de sécurité|Consejo de Seguridad|Совет[а-я]* Безопасности|安全理事会|安理会)",
        r"|(?P<a>General Assembly|Assemblée générale|Asamblea General|Генеральн[а-я]* Ассамбле[а-я]*|大会)"
    ))
});

fn organ_of(caps: &regex::Captures<'_>) -> Option<Organ> {
    if caps.name("hrc").is_some() {
        Some(Organ::HumanRightsCouncil)
    } else if caps.name("e").is_some() {
        Some(Organ::Ecosoc)
    } else if caps.name("s").is_some() {
        Some(Organ::SecurityCouncil)
    } else if caps.name("a").is_some() {
        Some(Organ::GeneralAssembly)
    } else {
        None
    }
}

/// The organ named nearest before `at` (within 60 characters), else nearest after `after`
/// (within 50 characters, for French and Spanish where the organ follows the number).
fn context_organ(text: &str, at: usize, after: usize) -> Option<Organ> {
    let before_start = back_chars(text, at, 60);
    let before = &text[before_start..at];
    let mut best = None;
    for caps in ORGAN.captures_iter(before) {
        best = organ_of(&caps);
    }
    if best.is_some() {
        return best;
    }
    let after_end = fwd_chars(text, after, 50);
    ORGAN.captures_iter(&text[after..after_end]).next().and_then(|c| organ_of(&c))
}

fn back_chars(text: &str, at: usize, n: usize) -> usize {
    text[..at].char_indices().rev().nth(n.saturating_sub(1)).map_or(0, |(i, _)| i)
}

fn fwd_chars(text: &str, at: usize, n: usize) -> usize {
    text[at..].char_indices().nth(n).map_or(text.len(), |(i, _)| at + i)
}

/// Finds resolution references in running text (`大会第70/1和70/125号决议`,
/// `General Assembly resolution 70/1`, `résolution 44/2 du Conseil des droits de l'homme`)
/// and maps each number to its document symbol by the organ named in context.
pub(crate) fn find_resolution_refs(text: &str) -> Vec<SymbolHit> {
    let mut hits = Vec::new();
    if !may_have_resolution(text) {
        return hits;
    }
    for caps in RESOLUTION.list.captures_iter(text) {
        let Some(list) = caps.name("list").or_else(|| caps.name("zlist")) else { continue };
        let whole = caps.get(0).map_or(list.start()..list.end(), |m| m.start()..m.end());
        // Reject a list that runs on into a path or a longer number (`2020/09/30`).
        if caps.name("list").is_some() {
            let next = text[list.end()..].chars().next();
            if matches!(next, Some(c) if c == '/' || c.is_ascii_digit()) {
                continue;
            }
        }
        let organ = context_organ(text, whole.start, whole.end);
        for r in RESOLUTION.one.captures_iter(list.as_str()) {
            let Some(m) = r.name("r") else { continue };
            let mut written = m.as_str();
            // A capital after the number is a resolution letter (`68/247 B`) only when no
            // other letter follows it (`70/1 Human…` is not `70/1 H`).
            let abs_end = list.start() + m.end();
            if written.ends_with(|c: char| c.is_ascii_uppercase())
                && text[abs_end..].starts_with(|c: char| c.is_ascii_alphabetic())
            {
                written = written.trim_end_matches(|c: char| c.is_ascii_uppercase() || c == '-');
            }
            let written = written.trim_end();
            if let Some(value) = map_reference(written, organ) {
                let own = list.start() + m.start()..list.start() + m.start() + written.len();
                let range = if whole.len() <= MAX_JOINT_RAW { whole.clone() } else { own };
                hits.push(SymbolHit { start: range.start, end: range.end, value });
            }
        }
    }
    hits
}

fn may_have_resolution(text: &str) -> bool {
    // One SIMD substring search per key beats an automaton on CJK text, where the first byte
    // of `决` starts most characters and defeats a first-byte prefilter.
    static KEYS: LazyLock<[memchr::memmem::Finder<'static>; 5]> =
        LazyLock::new(|| ["决议", "solu", "SOLU", "езолюц", "ЕЗОЛЮЦ"].map(memchr::memmem::Finder::new));
    KEYS.iter().any(|k| k.find(text.as_bytes()).is_some())
}

/// Maps one written reference (`70/1`, `2006/46`, `2532 (2020)`, `2758 (XXVI)`, `68/247 B`)
/// to its symbol. Returns `None` for numbers that cannot be a resolution of that organ.
fn map_reference(written: &str, organ: Option<Organ>) -> Option<String> {
    let w = written.replace('\u{a0}', " ");
    let w = w.trim();
    if let Some(open) = w.find('(') {
        let number = w[..open].trim();
        let inner = w[open..].trim_start_matches('(').trim_end_matches(')');
        if inner.bytes().all(|b| b.is_ascii_digit()) {
            // Security Council: n (yyyy)
            return Some(format!("S/RES/{number} ({inner})"));
        }
        return Some(format!("A/RES/{} ({inner})", number.replace(' ', "")));
    }
    let (head, suffix) = match w.split_once(' ') {
        Some((h, s)) => (h, Some(s)),
        None => split_letter_suffix(w),
    };
    let (n, m) = head.split_once('/')?;
    let suffix = suffix.map(|s| format!(" {s}")).unwrap_or_default();
    if n.starts_with("S-") || n.starts_with("ES-") {
        return Some(format!("A/RES/{n}/{m}{suffix}"));
    }
    let n_num: u32 = n.parse().ok()?;
    let shape_a = (31..=150).contains(&n_num);
    let shape_e = (1978..=2099).contains(&n_num);
    let shape_hrc = (1..=80).contains(&n_num);
    let prefix = match organ {
        Some(Organ::HumanRightsCouncil) if shape_hrc => "A/HRC/RES",
        Some(Organ::Ecosoc) if shape_e => "E/RES",
        Some(Organ::GeneralAssembly) if shape_a => "A/RES",
        _ if shape_a => "A/RES",
        _ if shape_e => "E/RES",
        _ => return None,
    };
    Some(format!("{prefix}/{n}/{m}{suffix}"))
}

/// `41/6J` → (`41/6`, `J`): a letter glued to the number (Chinese texts).
fn split_letter_suffix(w: &str) -> (&str, Option<&str>) {
    let slash = w.find('/').unwrap_or(0);
    match w[slash..].char_indices().find(|(_, c)| c.is_ascii_uppercase()) {
        Some((i, _)) => (&w[..slash + i], Some(&w[slash + i..])),
        None => (w, None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::check_table;

    fn values(text: &str) -> Vec<String> {
        let mut v: Vec<String> = find_symbols(text).into_iter().map(|h| h.value).collect();
        v.extend(find_resolution_refs(text).into_iter().map(|h| h.value));
        v
    }

    #[test]
    fn symbols_positive() {
        check_table(
            values,
            "
            A/RES/75/202 → A/RES/75/202
            see E/RES/2020/12. → E/RES/2020/12
            (E/2020/31-E/CN.16/2020/4) → E/2020/31 | E/CN.16/2020/4
            E/CN.5/2021/3, → E/CN.5/2021/3
            A/HRC/44/49 → A/HRC/44/49
            (A/75/147) → A/75/147
            E/2020/24-E/CN.3/2020/37; E/CN.3/2020/23. → E/2020/24 | E/CN.3/2020/37 | E/CN.3/2020/23
            \\* E/2021/1. → E/2021/1
            S/RES/2532 (2020) → S/RES/2532 (2020)
            S/RES/2532(2020)号决议 → S/RES/2532 (2020)
            A/C.2/75/L.3/Rev.1 → A/C.2/75/L.3/Rev.1
            A/76/64-E/2021/11 → A/76/64 | E/2021/11
            A/76/64\u{2011}E/2021/11 → A/76/64 | E/2021/11
            秘书长的报告（A/75/147） → A/75/147
            A/RES/ES-11/1 → A/RES/ES-11/1
            CRC/C/CHN/CO/3-4 → CRC/C/CHN/CO/3-4
            E/CN.4/Sub.2/AC.2/1987/WP.4/Add.1 → E/CN.4/Sub.2/AC.2/1987/WP.4/Add.1
            S/PV.3745 (Resumption 1) → S/PV.3745 (Resumption 1)
            TD/B/EDE/4/3 → TD/B/EDE/4/3
            A/RES/2758(XXVI) → A/RES/2758 (XXVI)
            S/26695 → S/26695
            E/2021/1* → E/2021/1
            见A/75/147号文件 → A/75/147
            (A/HRC/44/\\n49) → A/HRC/44/49
            Ａ／ＲＥＳ／７５／２０２ → A/RES/75/202
            A/76/64\u{2010}E/2021/11 → A/76/64 | E/2021/11
            ",
        );
    }

    #[test]
    fn symbols_negative() {
        let cases = [
            "2020/09/30",
            "https://www.itu.int/en/ITU-D/Statistics/Pages/stat/default.aspx",
            "1/2 of respondents",
            "3/4",
            "available 24/7",
            "TCP/IP",
            "COVID-19/2020",
            "A/C units",
            "S/MIME",
            "A/B testing",
            "UNEP/WHO",
            "and/or",
            "FILE/2020/09/30",
            "mach-e/2021/oem",
            "GC-33-E/2021/image9.png",
            "A/2",
            "A/RES",
            "km/h 50/50",
            "ISO/IEC 27001",
            "S/N 12345",
            "resolution 2020/09/30",
            "resolution 24/7",
            "a/res/75/202",
            "https://undocs.org/en/A/75/147",
            "page 2/12",
            "job 21-02345 (C)",
            "A/RES/75/202abc",
        ];
        for text in cases {
            assert_eq!(values(text), Vec::<String>::new(), "input: {text}");
        }
    }

    #[test]
    fn resolution_references() {
        check_table(
            values,
            "
            大会第70/1和70/125号决议 → A/RES/70/1 | A/RES/70/125
            本报告系应经济及社会理事会第 2006/46 号决议要求编写 → E/RES/2006/46
            General Assembly resolution 70/1 → A/RES/70/1
            resolutions 70/1 and 70/125 → A/RES/70/1 | A/RES/70/125
            resolutions 70/1, 70/125 and 75/202 → A/RES/70/1 | A/RES/70/125 | A/RES/75/202
            Economic and Social Council resolution 2006/46 → E/RES/2006/46
            la résolution 44/2 du Conseil des droits de l'homme → A/HRC/RES/44/2
            Human Rights Council resolution 24/7 → A/HRC/RES/24/7
            résolution 75/202 → A/RES/75/202
            résolutions 70/1 et 70/125 → A/RES/70/1 | A/RES/70/125
            la resolución 70/1 de la Asamblea General → A/RES/70/1
            resoluciones 70/1 y 70/125 → A/RES/70/1 | A/RES/70/125
            Security Council resolution 2532 (2020) → S/RES/2532 (2020)
            安理会第2623(2022)号决议 → S/RES/2623 (2022)
            大会第2625(XXV)号决议 → A/RES/2625 (XXV)
            resolution 68/247 B → A/RES/68/247 B
            第41/6J号决议 → A/RES/41/6 J
            резолюция 70/1 Генеральной Ассамблеи → A/RES/70/1
            resolution S-27/2 → A/RES/S-27/2
            人权理事会第44/2号决议 → A/HRC/RES/44/2
            ",
        );
    }

    #[test]
    fn symbols_in_urls() {
        check_table(
            |s| from_url(s).into_iter().collect(),
            "
            https://undocs.org/en/A/RES/69/156 → A/RES/69/156
            https://undocs.org/zh/A/RES/2758(XXVI) → A/RES/2758 (XXVI)
            https://documents.un.org/api/symbol/access?s=A/HRC/RES/29/8&l=en&t=pdf → A/HRC/RES/29/8
            https://documents.un.org/api/symbol/access?s=A%2FHRC%2FRES%2F29%2F8&l=en → A/HRC/RES/29/8
            https://undocs.org/pdf?symbol=en/A/75/147 → A/75/147
            https://docs.un.org/en/S/RES/2532(2020) → S/RES/2532 (2020)
            https://undocs.org/A/C.2/75/L.3/Rev.1 → A/C.2/75/L.3/Rev.1
            https://www.un.org/en/coronavirus/joint-statement → —
            https://example.org/en/A/RES/69/156 → —
            mailto:info@un.org?subject=A/HRC/RES/29/8 → A/HRC/RES/29/8
            mailto:info@un.org → —
            ",
        );
    }

    #[test]
    fn exact_symbols_for_urls() {
        assert_eq!(exact_symbol("A/RES/69/156").as_deref(), Some("A/RES/69/156"));
        assert_eq!(exact_symbol("A/RES/2758(XXVI)").as_deref(), Some("A/RES/2758 (XXVI)"));
        assert_eq!(exact_symbol("S/RES/2202(2015)").as_deref(), Some("S/RES/2202 (2015)"));
        assert_eq!(exact_symbol("Pages/default.aspx"), None);
        assert_eq!(exact_symbol("A/RES/69/156 and more"), None);
    }
}
