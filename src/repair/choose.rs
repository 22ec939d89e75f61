//! Which archived copy to offer: the rules, without any I/O. Captures on or before the date a
//! document cited a page come first (nearest first), then later ones (nearest first); a
//! capture of an error or a redirect is never a candidate.

use crate::types::Ymd;

/// A capture an archive lists.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Capture {
    /// `YYYYMMDDhhmmss`.
    pub timestamp: String,
    /// The URL as captured.
    pub original: String,
    /// The HTTP status the site answered when captured (`-` when unknown).
    pub status: String,
}

impl Capture {
    /// Whether the site answered 2xx when captured.
    pub(crate) fn is_page(&self) -> bool {
        self.status.len() == 3 && self.status.starts_with('2')
    }

    fn day(&self) -> Option<Ymd> {
        Ymd::parse(&self.timestamp)
    }
}

/// Captures in the order they are worth verifying for a page cited on `cited` (the latest
/// first when the date is unknown): pages only, on or before the date nearest first, then
/// after it nearest first; within a day, the later capture of the day before the date and the
/// earlier after it.
pub(crate) fn order(captures: Vec<Capture>, cited: Option<Ymd>) -> Vec<Capture> {
    let mut pages: Vec<Capture> = captures.into_iter().filter(Capture::is_page).collect();
    pages.sort_by(|a, b| b.timestamp.cmp(&a.timestamp));
    pages.dedup_by(|a, b| a.timestamp == b.timestamp);
    let Some(cited) = cited else { return pages };
    let (mut before, mut after): (Vec<Capture>, Vec<Capture>) =
        pages.into_iter().partition(|c| c.day().is_some_and(|d| d <= cited));
    // `before` is newest first already; `after` wants oldest first.
    after.reverse();
    before.append(&mut after);
    before
}

/// Days from `cited` to the capture `timestamp` (negative: captured before).
pub(crate) fn days_from(cited: Ymd, timestamp: &str) -> Option<i64> {
    Ymd::parse(timestamp).map(|d| d.days() - cited.days())
}

/// Parses a Wayback CDX answer (`output=json`): an array whose first row names the fields.
/// An empty body or `[]` is no capture; anything else that is not such an array is `None`.
pub(crate) fn parse_cdx(body: &[u8]) -> Option<Vec<Capture>> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Some(Vec::new());
    }
    let rows: Vec<Vec<String>> = serde_json::from_slice(body).ok()?;
    let Some((header, rows)) = rows.split_first() else { return Some(Vec::new()) };
    let col = |name: &str| header.iter().position(|h| h == name);
    let (ts, original, status) = (col("timestamp")?, col("original")?, col("statuscode")?);
    Some(
        rows.iter()
            .filter_map(|r| {
                Some(Capture {
                    timestamp: r.get(ts)?.clone(),
                    original: r.get(original)?.clone(),
                    status: r.get(status)?.clone(),
                })
            })
            .filter(|c| c.timestamp.len() == 14 && c.timestamp.bytes().all(|b| b.is_ascii_digit()))
            .collect(),
    )
}

/// Parses the availability API's answer: its closest snapshot, as a capture.
pub(crate) fn parse_available(body: &[u8]) -> Option<Capture> {
    let v: serde_json::Value = serde_json::from_slice(body).ok()?;
    let closest = v.get("archived_snapshots")?.get("closest")?;
    if closest.get("available").and_then(serde_json::Value::as_bool) == Some(false) {
        return None;
    }
    let timestamp = closest.get("timestamp")?.as_str()?.to_string();
    let status = closest.get("status").and_then(|s| s.as_str()).unwrap_or("-").to_string();
    let url = closest.get("url")?.as_str()?;
    let original = memento_parts(url)
        .map_or_else(|| v.get("url").and_then(|u| u.as_str()).unwrap_or("").to_string(), |(_, o)| o);
    Some(Capture { timestamp, original, status })
}

/// The timestamp and original URL of a Wayback memento URL (`…/web/<ts>[mod_]/<original>`).
pub(crate) fn memento_parts(url: &str) -> Option<(String, String)> {
    let at = url.find("/web/")? + 5;
    let rest = &url[at..];
    let ts: String = rest.chars().take_while(char::is_ascii_digit).collect();
    if ts.len() != 14 {
        return None;
    }
    let after = rest[14..].split_once('/')?.1;
    Some((ts, after.to_string()))
}

/// A URL compared as archives canonicalise it: no scheme, no `www.`, no trailing slash, host
/// in lower case.
pub(crate) fn same_page(a: &str, b: &str) -> bool {
    fn key(u: &str) -> String {
        let u = u.split('#').next().unwrap_or(u);
        let rest = u.split_once("://").map_or(u, |(_, r)| r);
        let rest = rest.strip_prefix("www.").unwrap_or(rest);
        let (host, path) = rest.split_once('/').unwrap_or((rest, ""));
        let host = host.trim_end_matches(":80").trim_end_matches(":443").to_ascii_lowercase();
        format!("{host}/{}", path.trim_end_matches('/'))
    }
    key(a) == key(b)
}

/// The memento a reader opens (with the archive's banner) and the raw one citecheck fetches
/// to verify it (`id_`: the bytes as captured).
pub(crate) fn wayback_urls(base: &str, timestamp: &str, original: &str) -> (String, String) {
    let base = base.trim_end_matches('/');
    (format!("{base}/web/{timestamp}/{original}"), format!("{base}/web/{timestamp}id_/{original}"))
}

/// One entry of citecheck's own `index.cdxj` that captured `url` with a 2xx answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct OwnCapture {
    /// `YYYYMMDDhhmmss`.
    pub timestamp: String,
    /// The WARC file name.
    pub filename: String,
    /// The record's offset in it.
    pub offset: u64,
}

/// The 2xx captures of each URL in an `index.cdxj` (`<surt> <timestamp> <json>` lines).
pub(crate) fn own_captures(index: &str, url: &str) -> Vec<OwnCapture> {
    index
        .lines()
        .filter_map(|line| {
            let mut parts = line.splitn(3, ' ');
            let (_, ts, json) = (parts.next()?, parts.next()?, parts.next()?);
            let v: serde_json::Value = serde_json::from_str(json).ok()?;
            let status = v.get("status")?.as_str()?;
            let same = v.get("url")?.as_str()? == url;
            (same && status.starts_with('2')).then(|| OwnCapture {
                timestamp: ts.to_string(),
                filename: v.get("filename").and_then(|f| f.as_str()).unwrap_or("").to_string(),
                offset: v.get("offset").and_then(|o| o.as_str()).and_then(|o| o.parse().ok()).unwrap_or(0),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cap(ts: &str, status: &str) -> Capture {
        Capture { timestamp: ts.into(), original: "http://a.org/x".into(), status: status.into() }
    }

    #[test]
    fn on_or_before_the_cited_date_first_then_after_nearest_first() {
        let caps = vec![
            cap("20190101000000", "200"),
            cap("20210224120000", "200"),
            cap("20210210000000", "404"),
            cap("20200601000000", "200"),
            cap("20210301000000", "301"),
            cap("20220101000000", "200"),
            cap("20210401000000", "200"),
        ];
        let cited = Ymd::parse("2021-02-24");
        let order: Vec<String> = order(caps.clone(), cited).into_iter().map(|c| c.timestamp).collect();
        assert_eq!(
            order,
            ["20210224120000", "20200601000000", "20190101000000", "20210401000000", "20220101000000"],
            "same day counts as on the date; errors and redirects are never candidates"
        );
        let latest: Vec<String> = super::order(caps, None).into_iter().map(|c| c.timestamp).collect();
        assert_eq!(latest[0], "20220101000000");
        assert_eq!(days_from(Ymd::new(2021, 2, 24).expect("date"), "20210301000000"), Some(5));
    }

    #[test]
    fn archive_answers_are_read() {
        let cdx = br#"[["timestamp","original","statuscode","mimetype","digest"],
            ["20200101000000","http://a.org/x","200","text/html","AAA"],
            ["bad","http://a.org/x","200","text/html","AAA"]]"#;
        assert_eq!(parse_cdx(cdx), Some(vec![cap("20200101000000", "200")]));
        assert_eq!(parse_cdx(b""), Some(vec![]));
        assert_eq!(parse_cdx(b"[]"), Some(vec![]));
        assert_eq!(parse_cdx(b"<html>busy</html>"), None);
        let available = br#"{"url":"a.org/x","archived_snapshots":{"closest":{"status":"200","available":true,
            "url":"http://web.archive.org/web/20200101000000/http://a.org/x","timestamp":"20200101000000"}}}"#;
        assert_eq!(parse_available(available), Some(cap("20200101000000", "200")));
        assert_eq!(parse_available(br#"{"url":"a.org/x","archived_snapshots":{}}"#), None);
        assert_eq!(
            memento_parts("https://web.archive.org/web/20200101000000id_/https://a.org/x?y=1"),
            Some(("20200101000000".into(), "https://a.org/x?y=1".into()))
        );
        assert!(same_page("https://www.a.org/x/", "http://a.org/x"));
        assert!(
            same_page("http://a.org/report", "https://a.org/report#page=12"),
            "fragments are places in a page"
        );
        assert!(!same_page("https://a.org/x", "https://a.org/"));
        let index = concat!(
            "org,a)/x 20200101000000 {\"url\":\"https://a.org/x\",\"status\":\"200\",\"filename\":\"f.warc.gz\",\"offset\":\"12\"}\n",
            "org,a)/x 20210101000000 {\"url\":\"https://a.org/x\",\"status\":\"404\",\"filename\":\"g.warc.gz\",\"offset\":\"0\"}\n"
        );
        let own = own_captures(index, "https://a.org/x");
        assert_eq!(
            own,
            vec![OwnCapture { timestamp: "20200101000000".into(), filename: "f.warc.gz".into(), offset: 12 }]
        );
    }
}
