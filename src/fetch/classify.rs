//! What an answer means: the status class of a final response, soft 404s (a page that says
//! it is not found, a deep link sent to the home page), bot challenges, symbol look-ups that
//! return no document.

use super::BODY_PREFIX;
use crate::types::{Capture, Hop, Kind, Status};
use reqwest::header::{HeaderMap, CONTENT_TYPE};

/// What one request brought back.
#[derive(Debug)]
pub(crate) struct Answer {
    /// HTTP status.
    pub status: u16,
    /// Response headers.
    pub headers: HeaderMap,
    /// The start of the body (decoded), when a body was read.
    pub body: Vec<u8>,
    /// Where the exchange was archived, when it was.
    pub capture: Option<Box<Capture>>,
}

/// The status class of a final (non-redirect) answer.
pub(crate) fn classify(
    kind: Kind,
    start: &str,
    url: &reqwest::Url,
    hops: &[Hop],
    a: &Answer,
) -> (Status, String) {
    let s = a.status;
    if kind == Kind::Symbol {
        let ct = header(&a.headers, CONTENT_TYPE).to_ascii_lowercase();
        let doc_type = ct.contains("pdf") || ct.contains("msword") || ct.contains("officedocument");
        let doc_body =
            a.body.starts_with(b"%PDF-") || a.body.starts_with(b"PK") || a.body.starts_with(&[0xD0, 0xCF]);
        return if (200..300).contains(&s) && doc_type && doc_body {
            (Status::Ok, String::new())
        } else if (200..300).contains(&s) {
            (Status::Broken, "no such document: the ODS API answered without a PDF or Word file".to_string())
        } else {
            classify(Kind::Url, start, url, &[], a)
        };
    }
    let challenge =
        a.headers.get("cf-mitigated").is_some_and(|v| v.as_bytes().eq_ignore_ascii_case(b"challenge"));
    if a.headers.contains_key("x-amzn-waf-action") || challenge {
        return (Status::Blocked, format!("HTTP {s}: bot challenge page"));
    }
    match s {
        200..=299 => {
            if !hops.is_empty()
                && url.path() == "/"
                && reqwest::Url::parse(start).is_ok_and(|u| u.path() != "/")
            {
                return (Status::Soft404, format!("deep link redirected to the site's home page {url}"));
            }
            if let Some(title) = not_found_title(&a.body) {
                return (Status::Soft404, format!("HTTP {s} but the page title says \"{title}\""));
            }
            if hops.is_empty() || url.as_str() == start {
                (Status::Ok, String::new())
            } else {
                (Status::Redirected, String::new())
            }
        }
        401 | 403 | 407 | 429 => {
            (Status::Blocked, format!("HTTP {s}: access refused; the page may be alive"))
        }
        500..=599 => (Status::ServerError, format!("HTTP {s}")),
        _ => (Status::Broken, format!("HTTP {s}")),
    }
}

pub(crate) fn not_found_title(body: &[u8]) -> Option<String> {
    let text = String::from_utf8_lossy(body);
    let lower = text.to_lowercase();
    let open = lower.find("<title")?;
    let start = open + lower[open..].find('>')? + 1;
    let end = start + lower[start..].find("</title")?;
    let title = text.get(start..end)?.trim();
    let t = title.to_lowercase();
    let says = [
        "not found",
        "page introuvable",
        "no encontrada",
        "no se encontró",
        "не найдена",
        "找不到",
        "页面不存在",
    ];
    (says.iter().any(|w| t.contains(w)) || says_404(&t)).then(|| title.chars().take(80).collect())
}

/// `404` standing as a number of its own (`Error 404`, `404 - Not Found`), not inside another
/// number, a symbol, a path or an address (`A/74/404`, `1,404`, `127.0.0.1:40457`, `4040`).
fn says_404(title: &str) -> bool {
    let part_of_more =
        |c: Option<char>| c.is_some_and(|c| c.is_alphanumeric() || matches!(c, '/' | '.' | ':' | ','));
    title.match_indices("404").any(|(at, _)| {
        !part_of_more(title[..at].chars().next_back()) && !part_of_more(title[at + 3..].chars().next())
    })
}

pub(crate) fn header(h: &HeaderMap, name: reqwest::header::HeaderName) -> String {
    h.get(name).and_then(|v| v.to_str().ok()).unwrap_or("").to_string()
}

/// The start of a body as text for classification, decompressed when it was sent gzip- or
/// deflate-encoded (archiving keeps the encoded bytes).
pub(crate) fn decoded_prefix(headers: &HeaderMap, body: Vec<u8>) -> Vec<u8> {
    use std::io::Read;
    let encoding = header(headers, reqwest::header::CONTENT_ENCODING).to_ascii_lowercase();
    let mut out = Vec::new();
    let limit = BODY_PREFIX as u64;
    let result = match encoding.as_str() {
        "gzip" | "x-gzip" => flate2::read::GzDecoder::new(body.as_slice()).take(limit).read_to_end(&mut out),
        "deflate" => flate2::read::ZlibDecoder::new(body.as_slice()).take(limit).read_to_end(&mut out),
        _ => return body,
    };
    // A prefix of a compressed stream ends early: what was decoded so far is enough.
    let _ = result;
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::check_table;

    fn answer(status: u16, headers: &[(&str, &str)], body: &[u8]) -> Answer {
        let mut h = HeaderMap::new();
        for (k, v) in headers {
            if let (Ok(k), Ok(v)) = (reqwest::header::HeaderName::from_bytes(k.as_bytes()), v.parse()) {
                h.insert(k, v);
            }
        }
        Answer { status, headers: h, body: body.to_vec(), capture: None }
    }

    /// The status of an answer described as `kind URL | status | header | body`: the URL is
    /// `start > end` when the answer came after a redirect, the header `name: value`.
    fn class(case: &str) -> Vec<String> {
        let mut fields = case.split(" | ");
        let (kind, path) = fields.next().and_then(|f| f.split_once(' ')).expect("kind and URL");
        let kind = if kind == "symbol" { Kind::Symbol } else { Kind::Url };
        let status: u16 = fields.next().and_then(|f| f.parse().ok()).expect("status");
        let headers: Vec<(&str, &str)> = fields.next().and_then(|h| h.split_once(": ")).into_iter().collect();
        let body = fields.next().unwrap_or("").as_bytes();
        let (start, end) = path.split_once(" > ").unwrap_or((path, path));
        let url = reqwest::Url::parse(end).expect("url");
        let hops: Vec<Hop> = if start == end {
            Vec::new()
        } else {
            vec![Hop { url: start.into(), status: 301, location: end.into() }]
        };
        vec![classify(kind, start, &url, &hops, &answer(status, &headers, body)).0.to_string()]
    }

    #[test]
    fn statuses() {
        check_table(
            class,
            "
            url https://a.org/x | 200 → ok
            url https://a.org/ | 200 | content-type: text/html | <title>Report</title> → ok
            url https://a.org/x > https://a.org/y | 200 → redirected
            url https://a.org/deep/page > https://a.org/ | 200 → soft_404
            url https://a.org/x | 200 | - | <title>Page Not Found</title> → soft_404
            url https://a.org/x | 404 → broken
            url https://a.org/x | 410 → broken
            url https://a.org/x | 403 → blocked
            url https://a.org/x | 503 | cf-mitigated: challenge → blocked
            url https://a.org/x | 502 → server_error
            symbol https://ods/x | 200 | content-type: application/pdf | %PDF-1.7 → ok
            symbol https://ods/x | 200 | content-type: text/html → broken
            symbol https://ods/x | 500 → server_error
            ",
        );
    }

    #[test]
    fn not_found_titles() {
        check_table(
            |s| not_found_title(s.as_bytes()).into_iter().collect(),
            "
            <html><title>404 - File not found</title> → 404 - File not found
            <TITLE>Page introuvable</TITLE> → Page introuvable
            <title>页面不存在</title> → 页面不存在
            <title>Annual report 2024</title> → —
            <title>Error 404</title> → Error 404
            <title>(404) Page missing</title> → (404) Page missing
            <title>Archived http://127.0.0.1:40457/dead</title> → —
            <title>Report A/74/404 of the Secretary-General</title> → —
            <title>Population 1,404,000; page 4040</title> → —
            no title at all → —
            ",
        );
    }

    #[test]
    fn compressed_prefixes_are_decoded() {
        use std::io::Write;
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        let _ = gz.write_all(b"<title>Not Found</title>");
        let bytes = gz.finish().unwrap_or_default();
        let mut h = HeaderMap::new();
        h.insert(reqwest::header::CONTENT_ENCODING, reqwest::header::HeaderValue::from_static("gzip"));
        assert_eq!(decoded_prefix(&h, bytes), b"<title>Not Found</title>");
    }
}
