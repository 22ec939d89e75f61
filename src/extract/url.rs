//! URL rules shared by every format: where a bare URL ends, which separators a converter
//! glued onto it, how two glued references split, and the normalised absolute value.

use std::ops::Range;
use url::Url;

/// Separators that converters glue onto the end of a link and that never end a real URL.
fn is_trailing_separator(c: char) -> bool {
    matches!(c, '.' | ',' | ';' | ':' | '。' | '；' | '，' | '：' | '、' | '．' | '！' | '？')
}

/// Characters that always end a bare URL in running text.
fn is_stop_char(c: char) -> bool {
    c.is_whitespace()
        || matches!(
            c,
            '<' | '>'
                | '"'
                | '`'
                | '|'
                | '，'
                | '。'
                | '；'
                | '：'
                | '、'
                | '！'
                | '？'
                | '（'
                | '）'
                | '【'
                | '】'
                | '「'
                | '」'
                | '『'
                | '』'
                | '《'
                | '》'
                | '〈'
                | '〉'
                | '“'
                | '”'
                | '‘'
                | '’'
                | '\u{3000}'
        )
}

/// Trims separators glued onto the end of a link target (`…/374;`, `….html.`, `…/x。`,
/// `…/?`, `…!`), closing brackets that have no opening partner inside the URL, and opening
/// brackets left without a closing one (`…/(`).
pub(crate) fn trim_glued(s: &str) -> &str {
    // Brackets are counted once, when the end is a bracket; each trimmed bracket updates its
    // count (linear time).
    let count = |c: u8| s.bytes().filter(|&b| b == c).count();
    let mut counts: Option<([usize; 3], [usize; 3])> = None;
    let mut t = s;
    while let Some(c) = t.chars().next_back() {
        let closing = [')', ']', '}'].iter().position(|&b| b == c);
        let opening = ['(', '[', '{'].iter().position(|&b| b == c);
        let glued = if closing.is_none() && opening.is_none() {
            is_trailing_separator(c) || matches!(c, '\'' | '*' | '?' | '!')
        } else {
            let (opens, closes) = counts.get_or_insert_with(|| {
                ([count(b'('), count(b'['), count(b'{')], [count(b')'), count(b']'), count(b'}')])
            });
            match (closing, opening) {
                (Some(k), _) if closes[k] > opens[k] => {
                    closes[k] -= 1;
                    true
                }
                (_, Some(k)) if opens[k] > closes[k] => {
                    opens[k] -= 1;
                    true
                }
                _ => false,
            }
        };
        if !glued {
            break;
        }
        t = &t[..t.len() - c.len_utf8()];
    }
    t
}

/// Where a bare URL glued to CJK text by an ASCII separator ends: `https://a.org/x,报告`
/// ends before the comma (a path with a comma goes on in ASCII).
fn cjk_glued_end(url: &str) -> Option<usize> {
    // The separators are ASCII, so a byte search finds them at character boundaries.
    memchr::memchr3_iter(b',', b';', b')', url.as_bytes())
        .find(|&at| url[at + 1..].chars().next().is_some_and(is_cjk))
}

/// Han ideographs, kana, Hangul and CJK punctuation.
fn is_cjk(c: char) -> bool {
    matches!(c as u32, 0x3000..=0x30ff | 0x3400..=0x4dbf | 0x4e00..=0x9fff | 0xac00..=0xd7af | 0xf900..=0xfaff | 0xff00..=0xffef)
}

/// Finds bare URLs in running text: `http(s)://…`, `ftp://…`, scheme-less `www.…` and
/// `mailto:` addresses. Returns byte ranges of each URL as written, without glued trailing
/// punctuation.
pub(crate) fn find_bare_urls(text: &str) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let bytes = text.as_bytes();
    let mut i = 0;
    while let Some((start, scheme_len, mail)) = next_scheme(bytes, i) {
        if !left_boundary(text, start, scheme_len) {
            i = start + 1;
            continue;
        }
        let body_start = start + scheme_len.max(4);
        let end = url_end(text, body_start, !mail);
        let end = cjk_glued_end(&text[body_start..end]).map_or(end, |p| body_start + p);
        let url = trim_glued(&text[start..end]);
        let host_part = &url[scheme_len.min(url.len())..];
        let found = if mail {
            host_part.split_once('@').is_some_and(|(user, host)| !user.is_empty() && host.contains('.'))
        } else {
            host_part.contains('.') || (scheme_len > 0 && !host_part.is_empty())
        };
        if found {
            out.push(start..start + url.len());
        }
        i = end.max(start + 1);
    }
    out
}

/// The first place at or after `from` where [`scheme_at`] finds a scheme (or `www.`), with
/// what it says there. Each holds a `:` or a `.` 3 to 6 bytes in, so only the bytes before
/// those are tried (trying every `h`, `w`, `f` and `m` was 5% of reading a report).
fn next_scheme(bytes: &[u8], from: usize) -> Option<(usize, usize, bool)> {
    let mut best: Option<(usize, usize, bool)> = None;
    let after = from.checked_add(3)?;
    for p in memchr::memchr2_iter(b':', b'.', bytes.get(after..)?).map(|p| p + after) {
        let first = p.saturating_sub(6).max(from);
        // A later separator can only give a later start once it is 6 bytes past the best.
        let end = match best {
            Some((b, ..)) if p >= b + 6 => break,
            Some((b, ..)) => b.min(p - 2),
            None => p - 2,
        };
        if let Some(hit) = (first..end).find_map(|s| scheme_at(&bytes[s..]).map(|(len, mail)| (s, len, mail)))
        {
            best = Some(hit);
        }
    }
    best
}

/// The length of the scheme a bare URL starts with at `rest` (0 for `www.`), if one does,
/// and whether it is `mailto:` (the one scheme without `//` found in text).
fn scheme_at(rest: &[u8]) -> Option<(usize, bool)> {
    [(&b"https://"[..], 8), (b"http://", 7), (b"ftps://", 7), (b"ftp://", 6), (b"mailto:", 7), (b"www.", 0)]
        .into_iter()
        .find_map(|(prefix, len)| starts_with_ci(rest, prefix).then_some((len, prefix == b"mailto:")))
}

/// Whether a URL may start at `start`: not glued to a word, a path or an e-mail address. A
/// scheme may follow a full stop or a digit (`Ibid.http://…`, `1.http://…`): `www.` may not
/// (`mirror.www.…` is a host name, not the start of one).
fn left_boundary(text: &str, start: usize, scheme_len: usize) -> bool {
    let Some(prev) = text[..start].chars().next_back() else { return true };
    if scheme_len > 0 && (prev == '.' || prev.is_ascii_digit()) {
        return true;
    }
    !(prev.is_ascii_alphanumeric() || matches!(prev, '.' | '/' | '@' | '-' | '_' | '%' | '=' | ':'))
}

/// Where a bare URL whose body starts at `body` ends: at a character no URL in running text
/// contains (spaces, controls, `<>"`, CJK punctuation), at a closing bracket with no opening
/// partner inside the URL (`(http://a.org/)(http://b.org/)`), or — in the host part of a URL
/// with `//` — at a character no host name contains (`https://a.com'https://b.com`).
fn url_end(text: &str, body: usize, has_authority: bool) -> usize {
    let mut depth = [0usize; 3];
    let mut in_host = has_authority;
    for (off, c) in text[body..].char_indices() {
        if is_stop_char(c) || c.is_control() {
            return body + off;
        }
        if let Some(k) = [')', ']', '}'].iter().position(|&b| b == c) {
            if depth[k] == 0 {
                return body + off;
            }
            depth[k] -= 1;
        } else if let Some(k) = ['(', '[', '{'].iter().position(|&b| b == c) {
            depth[k] += 1;
        }
        if in_host {
            if matches!(c, '/' | '?' | '#') {
                in_host = false;
            } else if matches!(c, '\'' | '(' | ')' | '{' | '}' | '*' | ',' | ';' | '!' | '\\' | '^') {
                return body + off;
            }
        }
    }
    text.len()
}

/// Whether the line `next` goes on with a URL that `before` (the text up to a line break) ends
/// with — a URL a layout wrapped. Yes when the URL breaks after a connector (`/`, `-`, `_`,
/// `?`, `=`, `&`, `#`, `%`), or mid-word at a forced break (`forced`: the line reached the
/// margin) where the next line's first word is itself URL-shaped (`n.pdf`, `SE_INF&y=1`).
/// Never when the next line starts with something a URL cannot contain.
pub(crate) fn continues_url(before: &str, next: &str, forced: bool) -> bool {
    let tail_start = before
        .rfind(char::is_whitespace)
        .map_or(0, |i| i + before[i..].chars().next().map_or(1, char::len_utf8));
    let tail = &before[tail_start..];
    let head = next.split(char::is_whitespace).next().unwrap_or("");
    if tail.is_empty() || head.is_empty() {
        return false;
    }
    // A bullet or a lone sign starts a new item, not the rest of a URL.
    if head.chars().count() < 2 || !head.chars().any(char::is_alphanumeric) {
        return false;
    }
    let Some(first) = head.chars().next() else { return false };
    if !first.is_ascii_graphic()
        || matches!(first, '(' | '"' | '<' | '[' | '\'' | '`' | '{')
        || is_trailing_separator(first)
    {
        return false;
    }
    let in_url = find_bare_urls(tail).first().is_some_and(|r| r.start == 0);
    if !in_url {
        return false;
    }
    let Some(last) = tail.chars().next_back() else { return false };
    if matches!(last, '/' | '-' | '_' | '?' | '=' | '&' | '#' | '%' | '~' | '+') {
        return true;
    }
    let head_core = trim_glued(head);
    let urlish = head_core.contains(['/', '.', '_', '=', '&', '%', '?', '#']);
    let word = head_core.chars().next().is_some_and(char::is_uppercase)
        && head_core.chars().skip(1).all(char::is_lowercase);
    forced && last.is_ascii_alphanumeric() && urlish && !word
}

/// `www.` at the start, in any case (compared as bytes: the text may be any UTF-8).
fn starts_with_www(s: &str) -> bool {
    starts_with_ci(s.as_bytes(), b"www.")
}

fn starts_with_ci(hay: &[u8], needle: &[u8]) -> bool {
    hay.len() >= needle.len() && hay[..needle.len()].eq_ignore_ascii_case(needle)
}

/// How the end of a link target is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Ends {
    /// A bare URL or an autolink: separators a converter glued on are trimmed (`…/374;`).
    Trim,
    /// An explicit target (`[text](target)`, `href` with text of its own): kept exactly as
    /// written, final `.` included (`…/Washington,_D.C.`).
    Keep,
}

impl Ends {
    /// How to read an explicit link's target given its visible text: a link whose text is
    /// the target itself (`<a href="X">X</a>`, as word processors and converters write
    /// autolinks) reads like an autolink; any other keeps its target whole.
    pub(crate) fn of_link(target: &str, visible: &str) -> Ends {
        let (t, v) = (target.trim(), visible.trim());
        let same = !v.is_empty()
            && (t == v || (t.len() > v.len() && t.ends_with(v) && t[..t.len() - v.len()].ends_with("://")));
        if same {
            Ends::Trim
        } else {
            Ends::Keep
        }
    }
}

/// Splits a link target that holds two references glued together
/// (`…/Handbook;digitalregulation.org/`, `….pdfhttps://…`, `…'https://…`), keeping
/// Wayback-style embedded URLs (`/web/2020/https://…`, `?url=https://…`) whole. Ranges are
/// within `s`; every piece but the last is trimmed, the last one as `ends` says.
pub(crate) fn split_glued(s: &str, ends: Ends) -> Vec<Range<usize>> {
    let mut cuts: Vec<(usize, usize)> = Vec::new(); // (end of previous piece, start of next)
    let b = s.as_bytes();
    let mut i = 1;
    while i < b.len() {
        // Only an `h` or a byte after `;` or `,` can start another reference.
        if !matches!(b[i], b'h' | b'H') && !matches!(b[i - 1], b';' | b',') {
            i += 1;
            continue;
        }
        let rest = &b[i..];
        if starts_with_ci(rest, b"http://") || starts_with_ci(rest, b"https://") {
            let prev = s[..i].chars().next_back().unwrap_or('/');
            if !matches!(
                prev,
                '/' | '=' | '?' | '&' | '%' | ':' | '(' | '*' | '+' | '@' | '#' | '!' | '$' | '~'
            ) {
                cuts.push((i, i));
                i += 7;
                continue;
            }
        }
        // `…;host.org/…` starts another reference; after a comma (common inside paths:
        // `…/evidence,119324,0,2.html`) only a host that goes on with a path does.
        let next_ref = match b[i - 1] {
            b';' => host_like(&s[i..]),
            b',' => starts_with_www(&s[i..]) || host_like(&s[i..]) && host_then_path(&s[i..]),
            _ => false,
        };
        if next_ref && i > 8 {
            cuts.push((i - 1, i));
        }
        i += 1;
    }
    let mut out = Vec::new();
    let mut start = 0;
    for (end, next) in cuts {
        push_trimmed(s, start..end, &mut out);
        start = next;
    }
    match ends {
        Ends::Trim => push_trimmed(s, start..s.len(), &mut out),
        Ends::Keep if start < s.len() => out.push(start..s.len()),
        Ends::Keep => {}
    }
    out
}

fn push_trimmed(s: &str, r: Range<usize>, out: &mut Vec<Range<usize>>) {
    let piece = trim_glued(&s[r.clone()]);
    if !piece.is_empty() {
        out.push(r.start..r.start + piece.len());
    }
}

/// A host name directly followed by `/` (looked at over a host name's length at most).
fn host_then_path(s: &str) -> bool {
    s.bytes().take(255).find(|b| !(b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-'))) == Some(b'/')
}

/// Endings that name a file type, not a top-level domain, when a host name is guessed from
/// text without a scheme (`2.html`, `report.pdf`).
const FILE_ENDINGS: [&str; 24] = [
    "html", "htm", "shtml", "xhtml", "php", "asp", "aspx", "jsp", "cfm", "pdf", "doc", "docx", "xls", "xlsx",
    "ppt", "pptx", "odt", "ods", "txt", "csv", "xml", "json", "jpg", "png",
];

/// `digitalregulation.org/…` or `www.…`: a host name with a dot and a known-looking TLD,
/// followed by a path or the end.
fn host_like(s: &str) -> bool {
    if starts_with_www(s) {
        return true;
    }
    // At most a host name's length is looked at, so testing every `;` of a long target stays
    // linear.
    let run =
        s.bytes().take(254).take_while(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-')).count();
    let host = s[..run].trim_end_matches('.');
    if run > 253 || host.is_empty() {
        return false;
    }
    // After the host: glued punctuation, then a path, query, fragment or the end.
    let after = s[host.len()..]
        .chars()
        .find(|&c| !(is_trailing_separator(c) || matches!(c, ')' | ']' | '}' | '\'' | '*')));
    if after.is_some_and(|c| !matches!(c, '/' | '?' | '#')) {
        return false;
    }
    let labels: Vec<&str> = host.split('.').collect();
    labels.len() >= 2
        && labels.iter().all(|l| !l.is_empty())
        && labels.last().is_some_and(|tld| {
            tld.len() >= 2
                && tld.bytes().all(|b| b.is_ascii_alphabetic())
                && !FILE_ENDINGS.iter().any(|e| tld.eq_ignore_ascii_case(e))
        })
}

/// What a link target is, for extraction purposes.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Target {
    /// An absolute URL (or one a reader would open as such): extract it.
    Citable,
    /// A relative link, an in-page anchor or embedded data: not a citation.
    NotCitation,
}

/// Classifies a link target as written in a document.
pub(crate) fn classify(dest: &str) -> Target {
    let d = dest.trim();
    if d.is_empty() || d.starts_with('#') {
        return Target::NotCitation;
    }
    if d.starts_with("//") || starts_with_www(d) {
        return Target::Citable;
    }
    match scheme_of(d) {
        Some(s) if s.eq_ignore_ascii_case("data") => Target::NotCitation,
        Some(_) => Target::Citable,
        None => Target::NotCitation,
    }
}

fn scheme_of(d: &str) -> Option<&str> {
    let colon = d.find(':')?;
    let scheme = &d[..colon];
    let mut chars = scheme.chars();
    let first = chars.next()?;
    (first.is_ascii_alphabetic() && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.')))
        .then_some(scheme)
}

/// The absolute URL a careful reader would open: scheme-less `www.` links get `http://`
/// (what converters write), protocol-relative links get `https:`, and the result is parsed
/// and serialised by the WHATWG rules (non-ASCII paths percent-encoded as UTF-8, IDN hosts
/// in punycode). A target that does not parse is returned as written (checked as `invalid`).
pub(crate) fn normalise(raw: &str) -> String {
    let s = raw.trim();
    let candidate = if starts_with_www(s) {
        format!("http://{s}")
    } else if s.starts_with("//") {
        format!("https:{s}")
    } else if scheme_of(s).is_none() && host_like(s) {
        format!("http://{s}")
    } else {
        s.to_string()
    };
    if serialised_already(&candidate) {
        return candidate;
    }
    match Url::parse(&candidate) {
        Ok(u) => match unwrap_redirector(&u) {
            Some(target) => target,
            None if u.has_host() || u.scheme() != "http" && u.scheme() != "https" => u.to_string(),
            None => candidate,
        },
        // Not a URL: kept as written (checked as `invalid`), but a value never holds white
        // space (an autolink may carry a no-break space); it is percent-encoded.
        _ if candidate.contains(char::is_whitespace) => candidate
            .chars()
            .map(|c| {
                if c.is_whitespace() {
                    let mut buf = [0u8; 4];
                    c.encode_utf8(&mut buf).bytes().map(|b| format!("%{b:02X}")).collect()
                } else {
                    c.to_string()
                }
            })
            .collect(),
        _ => candidate,
    }
}

/// True for the plainest URLs, which the WHATWG parser would serialise unchanged (most of a
/// report's, skipping a parse that was 8% of reading one): `http` or `https` in lower case,
/// a host of lower-case letters, digits, dots and hyphens (no IPv4-like or punycode label, no
/// port, no user), then a `/` and only characters no part of a URL escapes or rewrites (no
/// dot segment, no backslash, nothing outside ASCII). Redirectors are left to the parser.
fn serialised_already(url: &str) -> bool {
    let Some(rest) = url.strip_prefix("https://").or_else(|| url.strip_prefix("http://")) else {
        return false;
    };
    let Some(slash) = rest.find('/') else { return false };
    let (host, tail) = rest.split_at(slash);
    let labels_ok = host.split('.').all(|l| {
        !l.is_empty()
            && !l.starts_with("xn--")
            && l.bytes().all(|b| matches!(b, b'a'..=b'z' | b'0'..=b'9' | b'-'))
    });
    let top_is_a_name = host.rsplit('.').next().is_some_and(|l| l.bytes().all(|b| b.is_ascii_lowercase()));
    let redirector = host == "google.com"
        || host.starts_with("www.google.")
        || host.ends_with(".safelinks.protection.outlook.com");
    if !labels_ok || !top_is_a_name || redirector {
        return false;
    }
    // Only characters kept as they are, and in the path no segment starting with a dot,
    // written or escaped (`/./`, `/../`, `%2e`). A table, not a `match` a byte: this runs
    // over every URL of a document (4% of reading the benchmark's Markdown with the `match`).
    let bytes = tail.as_bytes();
    if !bytes.iter().all(|&b| KEPT[usize::from(b)]) {
        return false;
    }
    let path = &bytes[..memchr::memchr2(b'?', b'#', bytes).unwrap_or(bytes.len())];
    !memchr::memchr2_iter(b'.', b'%', path).any(|i| match path[i] {
        b'.' => i > 0 && path[i - 1] == b'/',
        _ => path.get(i + 1..i + 3).is_some_and(|e| e.eq_ignore_ascii_case(b"2e")),
    })
}

/// The bytes no part of a URL escapes or rewrites, after its host.
const KEPT: [bool; 256] = {
    let mut kept = [false; 256];
    let mut b = 0;
    while b < 256 {
        kept[b] = matches!(b as u8, b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'!' | b'$'
            | b'&' | b'(' | b')' | b'*' | b'+' | b',' | b';' | b'=' | b':' | b'@' | b'/' | b'?' | b'#' | b'%');
        b += 1;
    }
    kept
};

/// Host, path and query of a URL that [`serialised_already`] accepts, read off its text: what
/// the parser would give, without parsing.
pub(crate) fn plain_parts(url: &str) -> Option<(&str, &str, Option<&str>)> {
    if !serialised_already(url) {
        return None;
    }
    let rest = url.split_once("://")?.1;
    let (host, tail) = rest.split_at(rest.find('/')?);
    let end = tail.find(['?', '#']).unwrap_or(tail.len());
    let query = tail[end..].strip_prefix('?').map(|q| q.split('#').next().unwrap_or(q));
    Some((host, &tail[..end], query))
}

/// The real target of a link that a program wrapped in its redirector: Google Docs exports
/// (`https://www.google.com/url?q=<target>&sa=D…`) and Outlook Safe Links
/// (`https://eur01.safelinks.protection.outlook.com/?url=<target>&data=…`) — what a reader
/// clicking the link reaches, and what the author cited.
fn unwrap_redirector(u: &Url) -> Option<String> {
    let host = u.host_str()?.to_ascii_lowercase();
    let key = if (host == "google.com" || host.starts_with("www.google.")) && u.path() == "/url" {
        ["q", "url"].as_slice()
    } else if host.ends_with(".safelinks.protection.outlook.com") {
        ["url"].as_slice()
    } else {
        return None;
    };
    let target = u.query_pairs().find(|(k, _)| key.contains(&k.as_ref()))?.1;
    let parsed = Url::parse(target.trim()).ok()?;
    matches!(parsed.scheme(), "http" | "https").then(|| parsed.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::check_table;

    fn bare(text: &str) -> Vec<&str> {
        find_bare_urls(text).into_iter().map(|r| &text[r]).collect()
    }

    #[test]
    fn bare_urls() {
        check_table(
            |s| bare(s).into_iter().map(str::to_string).collect(),
            "
            见 https://a.org/x。 → https://a.org/x
            https://a.org/x；https://b.org/y，其他 → https://a.org/x | https://b.org/y
            See www.fao.org/e-agriculture/. → www.fao.org/e-agriculture/
            (see https://en.wikipedia.org/wiki/Foo_(bar)) → https://en.wikipedia.org/wiki/Foo_(bar)
            (see https://a.org/x) → https://a.org/x
            https://zh.wikipedia.org/wiki/颱風假 是 → https://zh.wikipedia.org/wiki/颱風假
            mail me@www.example.org now → —
            no url here, just www and http → —
            「https://a.org/q?x=1&y=2」 → https://a.org/q?x=1&y=2
            HTTPS://A.ORG/X, next → HTTPS://A.ORG/X
            See https://a.org/x,报告 and more → https://a.org/x
            https://a.org/x,y;z → https://a.org/x,y;z
            ",
        );
    }

    /// Bare URLs and their pieces, as the prose scanner reads them.
    fn cited(text: &str) -> Vec<String> {
        find_bare_urls(text)
            .into_iter()
            .flat_map(|r| {
                let written = &text[r];
                split_glued(written, Ends::Trim)
                    .into_iter()
                    .map(|p| written[p].to_string())
                    .collect::<Vec<_>>()
            })
            .collect()
    }

    /// Issue 13, "URL boundaries on peers' own test suites": the cases of lychee's extractor
    /// tests and linkify's URL tests that citecheck read wrongly.
    #[test]
    fn url_boundaries_on_peers_test_suites() {
        check_table(
            cited,
            "
            Ibid.http://www.un.org/en/ga/ → http://www.un.org/en/ga/
            1.http://example.org/ → http://example.org/
            .http://example.org/ → http://example.org/
            (http://one.org/)(http://two.org/) → http://one.org/ | http://two.org/
            https://a.com'https://b.com → https://a.com | https://b.com
            http://example.org/? → http://example.org/
            https://localhost:8080! → https://localhost:8080
            http://example.org/! → http://example.org/
            http://example.org/( → http://example.org/
            http://example.org/(. → http://example.org/
            http://example.org/]() → http://example.org/
            [(http://example.org/)] → http://example.org/
            ((http://example.org/a(b))) → http://example.org/a(b)
            'http://example.org/' → http://example.org/
            http://example.org'> → http://example.org
            http://example.org'); → http://example.org
            http://example.org/a(b) → http://example.org/a(b)
            http://example.org/it's → http://example.org/it's
            https://example.org/*/a → https://example.org/*/a
            mirror.www.example.org/x → —
            mailto:cstd@unctad.org for corrections → mailto:cstd@unctad.org
            write to mailto:a@b.org. → mailto:a@b.org
            mailto:nobody → —
            ",
        );
        // Control characters end a URL: DEL, C1 controls, NUL.
        for c in ['\u{7f}', '\u{9f}', '\u{0}', '\u{e}'] {
            assert_eq!(cited(&format!("http://example.org/a{c}b")), ["http://example.org/a"], "{c:?}");
        }
        // The glued pair keeps both colons once normalised.
        let pieces = cited("https://a.com'https://b.com");
        let values: Vec<String> = pieces.iter().map(|p| normalise(p)).collect();
        assert_eq!(values, ["https://a.com/", "https://b.com/"]);
    }

    /// Issue 13, "A comma inside a URL path splits it": a file name after a comma is not a host.
    #[test]
    fn a_comma_inside_a_url_path_does_not_split_it() {
        check_table(
            cited,
            "
            http://www.tobaccoinduceddiseases.org/Covid-19-and-smoking-A-systematic-review-of-the-evidence,119324,0,2.html → http://www.tobaccoinduceddiseases.org/Covid-19-and-smoking-A-systematic-review-of-the-evidence,119324,0,2.html
            http://www.oecd.org/pages/0,3417,en_36734052_1_1,00.html → http://www.oecd.org/pages/0,3417,en_36734052_1_1,00.html
            https://a.org/x,y;z → https://a.org/x,y;z
            https://a.org/report,www.b.org/y → https://a.org/report | www.b.org/y
            https://a.org/report,b.org/y → https://a.org/report | b.org/y
            ",
        );
        assert!(!host_like("2.html"));
        assert!(!host_like("annex.pdf"));
        assert_eq!(normalise("report.pdf"), "report.pdf");
    }

    /// Issue 13: explicit targets keep their end; autolinks and links whose text is their
    /// target read like bare URLs.
    #[test]
    fn explicit_targets_keep_their_end() {
        let pieces =
            |s: &str, ends| split_glued(s, ends).into_iter().map(|r| s[r].to_string()).collect::<Vec<_>>();
        let dc = "https://en.wikipedia.org/wiki/Washington,_D.C.";
        assert_eq!(pieces(dc, Ends::Keep), [dc]);
        assert_eq!(
            pieces("https://a.org/x;https://b.org/y.", Ends::Keep),
            ["https://a.org/x", "https://b.org/y."]
        );
        assert_eq!(pieces("https://a.org/x;", Ends::Trim), ["https://a.org/x"]);
        assert_eq!(Ends::of_link(dc, "DC"), Ends::Keep);
        assert_eq!(Ends::of_link("https://a.org/x;", "https://a.org/x;"), Ends::Trim);
        assert_eq!(Ends::of_link("http://www.a.org/x;", " www.a.org/x; "), Ends::Trim);
        assert_eq!(Ends::of_link("https://a.org/x.", ""), Ends::Keep);
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig { cases: 512, failure_persistence: None, ..Default::default() })]

        /// Trimming never removes a character of an explicit target.
        #[test]
        fn explicit_targets_lose_no_character(
            host in "[a-z]{1,8}\\.(org|int)",
            path in "[A-Za-z0-9._~!$&'*+,;=:@%/?()\\[\\]-]{0,40}",
        ) {
            let target = format!("https://{host}/{path}");
            let pieces = split_glued(&target, Ends::Keep);
            proptest::prop_assert_eq!(pieces.last().map(|r| r.end), Some(target.len()), "{}", target);
        }

        /// Two references glued together always split, whatever glues them.
        #[test]
        fn two_glued_references_always_split(
            a in "https?://[a-z]{1,8}\\.(org|int)(/[A-Za-z0-9_.-]{0,12}[A-Za-z0-9])?",
            b in "https?://[a-z]{1,8}\\.(org|int)(/[A-Za-z0-9_.-]{0,12}[A-Za-z0-9])?",
            glue in proptest::sample::select(vec!["", ";", "'", ")(", " ", "；", "，", "。"]),
        ) {
            let text = if glue == ")(" { format!("({a})({b})") } else { format!("{a}{glue}{b}") };
            proptest::prop_assert_eq!(cited(&text), vec![a.clone(), b.clone()], "{}", text);
        }

        /// A URL taken as it is serialises to itself.
        #[test]
        fn urls_taken_as_they_are_parse_to_themselves(
            scheme in proptest::sample::select(vec!["http://", "https://", "https://", "HTTP://", "ftp://"]),
            host in proptest::prop_oneof![
                4 => "[a-z0-9-]{1,6}\\.(org|int|un)",
                1 => "([a-z0-9-]{1,6}\\.){0,2}(INT|1|0x1|xn--|xn--a|xn--zz|xn--ls8h|XN--ZZ|a-|-)",
            ],
            port in proptest::sample::select(vec!["", "", "", ":80", "@", "."]),
            mut tail in proptest::collection::vec(proptest::sample::select(vec![
                "/", "a", "Z", "9", ".", "..", "%2e", "%zz", "%20", "?", "#", "&", "=", "~", "!", "$",
                "(", ")", "*", "+", ",", ";", ":", "@",
            ]), 0..10),
            odd in proptest::option::of(proptest::sample::select(vec![
                " ", "\\", "|", "^", "{", "`", "<", "\"", "'", "[", "é", "\t", "\n",
            ])),
            at in 0usize..10,
        ) {
            if let Some(c) = odd {
                tail.insert(at.min(tail.len()), c);
            }
            let url = format!("{scheme}{host}{port}/{}", tail.concat());
            if serialised_already(&url) {
                let parsed = Url::parse(&url).map(|u| u.to_string());
                proptest::prop_assert_eq!(parsed.as_deref(), Ok(url.as_str()));
                proptest::prop_assert!(Url::parse(&url).ok().and_then(|u| unwrap_redirector(&u)).is_none());
                let parts = Url::parse(&url).ok().map(|u| {
                    (u.host_str().map(str::to_string), u.path().to_string(), u.query().map(str::to_string))
                });
                let plain = plain_parts(&url).map(|(h, p, q)| (Some(h.to_string()), p.to_string(), q.map(str::to_string)));
                proptest::prop_assert_eq!(plain, parts);
            }
        }

        /// The next scheme is where trying every byte in turn finds it first.
        #[test]
        fn next_scheme_is_the_first_of_every_byte_tried(
            parts in proptest::collection::vec(proptest::sample::select(vec![
                "http", "HTTPS", "://", ":", ".", "www", "WWW.", "w", "ftp", "ftps:", "mailto", "Mailto:",
                "s", "/", "h", " ", "第", "。", "：", "a", "m",
            ]), 0..24),
            from in 0usize..40,
        ) {
            let text = parts.concat();
            let bytes = text.as_bytes();
            let every_byte = (from..bytes.len()).find_map(|s| scheme_at(&bytes[s..]).map(|(l, m)| (s, l, m)));
            proptest::prop_assert_eq!(next_scheme(bytes, from), every_byte, "{:?} from {}", text, from);
        }
    }

    #[test]
    fn trims_glued_separators() {
        let cases = [
            (
                "https://www.itu.int/net4/wsis/forum/2020/Agenda/Session/374;",
                "https://www.itu.int/net4/wsis/forum/2020/Agenda/Session/374",
            ),
            ("https://a.org/p.html.", "https://a.org/p.html"),
            ("https://a.org/p；", "https://a.org/p"),
            ("https://a.org/p/。", "https://a.org/p/"),
            ("https://a.org/p/：", "https://a.org/p/"),
            ("https://x.net/r#eyJ0byI6IjIwMjAtMTEifQ==", "https://x.net/r#eyJ0byI6IjIwMjAtMTEifQ=="),
            ("https://who.int/item/risk-(rcce)-plan", "https://who.int/item/risk-(rcce)-plan"),
            ("https://a.org/search?f[0]=product%3A667", "https://a.org/search?f[0]=product%3A667"),
        ];
        for (raw, want) in cases {
            assert_eq!(trim_glued(raw), want);
        }
    }

    #[test]
    fn splits_glued_references() {
        check_table(
            |s| split_glued(s, Ends::Trim).into_iter().map(|r| s[r].to_string()).collect(),
            "
            https://www.itu.int/en/myitu/Publications/2020/08/31/09/09/Digital-Regulation-Handbook;digitalregulation.org/ → https://www.itu.int/en/myitu/Publications/2020/08/31/09/09/Digital-Regulation-Handbook | digitalregulation.org/
            https://a.org/x.pdfhttps://b.org/y → https://a.org/x.pdf | https://b.org/y
            https://a.org/x;https://b.org/y; → https://a.org/x | https://b.org/y
            https://web.archive.org/web/2020/https://b.org/y → https://web.archive.org/web/2020/https://b.org/y
            https://a.org/go?url=https://b.org/y → https://a.org/go?url=https://b.org/y
            https://a.org/p;jsessionid=AB12 → https://a.org/p;jsessionid=AB12
            ",
        );
    }

    #[test]
    fn normalises() {
        let cases = [
            ("www.fao.org/e-agriculture/", "http://www.fao.org/e-agriculture/"),
            ("digitalregulation.org/", "http://digitalregulation.org/"),
            ("//en.wikipedia.org/wiki/X", "https://en.wikipedia.org/wiki/X"),
            (
                "https://zh.wikipedia.org/wiki/颱風假",
                "https://zh.wikipedia.org/wiki/%E9%A2%B1%E9%A2%A8%E5%81%87",
            ),
            (
                "https://unctad.org/publications-search?f[0]=product%3A667",
                "https://unctad.org/publications-search?f[0]=product%3A667",
            ),
            (
                "https://unesdoc.unesco.org/ark:/48223/pf0000375061",
                "https://unesdoc.unesco.org/ark:/48223/pf0000375061",
            ),
            ("https://tfm2030connect.un.org", "https://tfm2030connect.un.org/"),
            ("mailto:info@example.org", "mailto:info@example.org"),
            ("http://", "http://"),
            ("https://\u{a0}www", "https://%C2%A0www"),
            (
                "https://www.google.com/url?q=https://desal.example.net/cap?y%3D2024&sa=D&usg=AOv",
                "https://desal.example.net/cap?y=2024",
            ),
            ("https://www.google.com/search?q=https://a.org/", "https://www.google.com/search?q=https://a.org/"),
            (
                "https://eur01.safelinks.protection.outlook.com/?url=https%3A%2F%2Fwww.un.org%2Fen%2F&data=05",
                "https://www.un.org/en/",
            ),
            ("https://www.google.com/url?q=javascript:alert(1)", "https://www.google.com/url?q=javascript:alert(1)"),
        ];
        for (raw, want) in cases {
            assert_eq!(normalise(raw), want, "input: {raw}");
        }
    }

    #[test]
    fn wrapped_urls() {
        let cases: &[(&str, &str, bool, bool)] = &[
            (
                "see https://www.imf.org/Issues/2020/09/30/world-",
                "economic-outlook-october-2020。",
                false,
                true,
            ),
            ("https://data.example.org/indicators/schools?", "series=SE_INF_CONN&year=2024.", false, true),
            ("x https://a.org/final_report_e", "n.pdf and more", true, true),
            ("x https://a.org/final_report_e", "n.pdf and more", false, false),
            ("x https://a.org/report.pdf", "Accessed on 3 May.", true, false),
            ("x https://a.org/report", "and the annex", true, false),
            ("x https://a.org/report.pdf;", "https://b.org/", true, false),
            ("no url here, just a line-", "break", true, false),
            ("x https://a.org/path/", "(see above)", true, false),
            ("x https://a.org/ohchr?si=A/HRC/RES/", "29/8.", false, true),
            ("- Dashboard: www.example.go.ke/statistics/", "- Household survey", true, false),
        ];
        for (before, next, forced, want) in cases {
            assert_eq!(continues_url(before, next, *forced), *want, "{before} | {next}");
        }
    }

    #[test]
    fn classifies_targets() {
        assert_eq!(classify("https://a.org"), Target::Citable);
        assert_eq!(classify("www.a.org"), Target::Citable);
        assert_eq!(classify("mailto:x@a.org"), Target::Citable);
        assert_eq!(classify("#fn3"), Target::NotCitation);
        assert_eq!(classify("style.css"), Target::NotCitation);
        assert_eq!(classify("/wiki/Foo"), Target::NotCitation);
        assert_eq!(classify("data:image/png;base64,AAAA"), Target::NotCitation);
    }
}
