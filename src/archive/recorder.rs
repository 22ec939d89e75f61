//! The archive of a check run: HTTP exchanges as `request` + `response` records (or `revisit`
//! when the payload is already archived), `metadata` records with the audit facts, and the
//! CDXJ index, in one folder that grows run after run.

use super::warc::{record_id, Spool, SpooledBlock, WarcWriter, WriterOptions};

use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};

/// The 1.1 identical-payload-digest revisit profile.
pub const REVISIT_PROFILE: &str = "http://netpreserve.org/warc/1.1/revisit/identical-payload-digest";

/// Sidecar of the payload digests already archived in the folder (digest, record id, URI, date).
const DIGESTS: &str = "citecheck-digests.tsv";

/// One HTTP exchange to archive.
#[derive(Debug)]
pub struct Exchange {
    /// The URL requested.
    pub target_uri: String,
    /// The server's address, when known.
    pub ip: Option<String>,
    /// Capture time (`WARC-Date`, RFC 3339 UTC).
    pub date: String,
    /// The request as sent (request line, headers, blank line).
    pub request: Vec<u8>,
    /// The response: status line and headers as head, the body as payload.
    pub response: SpooledBlock,
    /// HTTP status.
    pub status: u16,
    /// Content type of the response (for the index).
    pub mime: String,
}

/// Where an exchange's response (or revisit) record went.
pub type Captured = crate::types::Capture;

#[derive(Debug, Clone)]
struct Original {
    record_id: String,
    uri: String,
    date: String,
}

/// Writes a run's captures into an archive folder.
#[derive(Debug)]
pub struct Recorder {
    dir: PathBuf,
    writer: WarcWriter,
    seen: HashMap<String, Original>,
    new_digests: Vec<(String, Original)>,
    index: Vec<String>,
    max_payload: u64,
    /// Bytes written to WARC files by this run (compressed).
    pub bytes_written: u64,
}

impl Recorder {
    /// Opens the archive folder `dir` (recovering files a killed run left open).
    ///
    /// # Errors
    /// The folder cannot be created or read.
    pub fn open(dir: &Path, opts: WriterOptions, max_payload: u64) -> std::io::Result<Recorder> {
        let writer = WarcWriter::new(dir, opts)?;
        let mut seen = HashMap::new();
        if let Ok(text) = std::fs::read_to_string(dir.join(DIGESTS)) {
            for line in text.lines() {
                let mut f = line.split('\t');
                if let (Some(d), Some(id), Some(uri), Some(date)) = (f.next(), f.next(), f.next(), f.next()) {
                    seen.insert(
                        d.to_string(),
                        Original { record_id: id.into(), uri: uri.into(), date: date.into() },
                    );
                }
            }
        }
        Ok(Recorder {
            dir: dir.to_path_buf(),
            writer,
            seen,
            new_digests: Vec::new(),
            index: Vec::new(),
            max_payload,
            bytes_written: 0,
        })
    }

    /// A spool for a response body in the archive folder, capped at the size limit.
    ///
    /// # Errors
    /// The temporary file cannot be created.
    pub fn spool(&self) -> std::io::Result<Spool> {
        Spool::new(&self.dir, Some(self.max_payload))
    }

    /// Archives one exchange: the response (or a revisit of an identical earlier payload) and
    /// the request, linked by `WARC-Concurrent-To`.
    ///
    /// # Errors
    /// The archive cannot be written.
    pub fn exchange(&mut self, ex: Exchange) -> std::io::Result<Captured> {
        let response_id = record_id();
        let request_id = record_id();
        let base = |t: &str, id: &str, other: &str| {
            let mut f = vec![
                ("WARC-Type".to_string(), t.to_string()),
                ("WARC-Record-ID".to_string(), id.to_string()),
                ("WARC-Date".to_string(), ex.date.clone()),
                ("WARC-Target-URI".to_string(), ex.target_uri.clone()),
            ];
            if let Some(ip) = &ex.ip {
                f.push(("WARC-IP-Address".to_string(), ip.clone()));
            }
            f.push(("WARC-Concurrent-To".to_string(), other.to_string()));
            f
        };
        let digest = ex.response.payload_digest.clone();
        let sha256 = ex.response.payload_sha256.clone();
        let original = if ex.response.payload_len > 0 && !ex.response.truncated {
            self.seen.get(&digest).cloned()
        } else {
            None
        };
        let (written, revisit) = match original {
            Some(orig) => {
                // Identical payload: keep only the HTTP head, refer to the original.
                let head_only = Spool::new(&self.dir, None)?.finish(ex.response.head())?;
                let mut f = base("revisit", &response_id, &request_id);
                f.extend([
                    ("WARC-Profile".to_string(), REVISIT_PROFILE.to_string()),
                    ("WARC-Refers-To".to_string(), orig.record_id.clone()),
                    ("WARC-Refers-To-Target-URI".to_string(), orig.uri.clone()),
                    ("WARC-Refers-To-Date".to_string(), orig.date.clone()),
                    ("WARC-Payload-Digest".to_string(), digest.clone()),
                    ("WARC-Truncated".to_string(), "length".to_string()),
                    ("Content-Type".to_string(), "application/http;msgtype=response".to_string()),
                ]);
                (self.writer.write(f, head_only, false)?, true)
            }
            None => {
                let mut f = base("response", &response_id, &request_id);
                f.push(("Content-Type".to_string(), "application/http;msgtype=response".to_string()));
                let w = self.writer.write(f, ex.response, true)?;
                let orig = Original {
                    record_id: response_id.clone(),
                    uri: ex.target_uri.clone(),
                    date: ex.date.clone(),
                };
                self.seen.insert(digest.clone(), orig.clone());
                self.new_digests.push((digest.clone(), orig));
                (w, false)
            }
        };
        self.bytes_written += written.length;
        self.index.push(cdxj_line(&ex.target_uri, &ex.date, &ex.mime, ex.status, &digest, &written, revisit));
        let mut f = base("request", &request_id, &response_id);
        f.push(("Content-Type".to_string(), "application/http;msgtype=request".to_string()));
        let request = Spool::new(&self.dir, None)?.finish(&ex.request)?;
        self.bytes_written += self.writer.write(f, request, false)?.length;
        Ok(Captured {
            filename: written.filename,
            offset: written.offset,
            length: written.length,
            record_id: response_id,
            payload_digest: digest,
            payload_sha256: sha256,
            revisit,
            target_uri: ex.target_uri,
            date: ex.date,
        })
    }

    /// A `metadata` record with audit facts (as warc-fields) referring to a capture.
    ///
    /// # Errors
    /// The archive cannot be written.
    pub fn metadata(
        &mut self,
        about: &Captured,
        facts: &[(String, String)],
        date: &str,
    ) -> std::io::Result<()> {
        let mut text = String::new();
        for (k, v) in facts {
            text.push_str(&format!("{k}: {}\r\n", v.replace(['\r', '\n'], " ")));
        }
        let block = Spool::new(&self.dir, None)?.finish(text.as_bytes())?;
        let f = vec![
            ("WARC-Type".to_string(), "metadata".to_string()),
            ("WARC-Record-ID".to_string(), record_id()),
            ("WARC-Date".to_string(), date.to_string()),
            ("WARC-Target-URI".to_string(), about.target_uri.clone()),
            ("WARC-Refers-To".to_string(), about.record_id.clone()),
            ("Content-Type".to_string(), "application/warc-fields".to_string()),
        ];
        self.bytes_written += self.writer.write(f, block, false)?.length;
        Ok(())
    }

    /// Closes the WARC file, and updates the digest sidecar and `index.cdxj` (sorted,
    /// written atomically).
    ///
    /// # Errors
    /// The files cannot be written.
    pub fn finish(self) -> std::io::Result<()> {
        self.writer.finish()?;
        if !self.new_digests.is_empty() {
            let mut f = std::fs::OpenOptions::new().create(true).append(true).open(self.dir.join(DIGESTS))?;
            for (d, o) in &self.new_digests {
                writeln!(f, "{d}\t{}\t{}\t{}", o.record_id, o.uri, o.date)?;
            }
            f.sync_all()?;
        }
        let path = self.dir.join("index.cdxj");
        let mut lines: Vec<String> =
            std::fs::read_to_string(&path).unwrap_or_default().lines().map(str::to_string).collect();
        lines.extend(self.index);
        lines.sort();
        lines.dedup();
        let mut text = lines.join("\n");
        text.push('\n');
        crate::output::write_atomic(&path, text.as_bytes()).map_err(|e| std::io::Error::other(e.to_string()))
    }
}

/// One CDXJ line: SURT key, 14-digit timestamp, JSON (url, mime, status, digest, length,
/// offset, filename), as pywb and cdxj-indexer write them.
fn cdxj_line(
    uri: &str,
    date: &str,
    mime: &str,
    status: u16,
    digest: &str,
    w: &super::warc::Written,
    revisit: bool,
) -> String {
    let ts: String = date.chars().filter(char::is_ascii_digit).take(14).collect();
    let mime = if revisit {
        "warc/revisit".to_string()
    } else {
        mime.split(';').next().unwrap_or("").trim().to_string()
    };
    let json = serde_json::json!({
        "url": uri, "mime": mime, "status": status.to_string(), "digest": digest,
        "length": w.length.to_string(), "offset": w.offset.to_string(), "filename": w.filename,
    });
    format!("{} {ts} {json}", surt(uri))
}

/// The SURT form of a URL used as the CDXJ key, as pywb and cdxj-indexer compute it (the
/// `surt` library's defaults): scheme and fragment dropped, a leading `www`/`www2`… label
/// removed, host labels reversed and joined by `,`, `)`, then the path without trailing
/// slashes (but `/` for the root) and the sorted query, with
/// percent-escapes normalised (decoded, then only control, space, non-ASCII, `#` and `%`
/// re-escaped), all lower-cased.
pub fn surt(uri: &str) -> String {
    let Ok(u) = url::Url::parse(uri) else { return uri.to_ascii_lowercase() };
    let host = u.host_str().unwrap_or("").to_ascii_lowercase();
    let mut labels: Vec<&str> = host.split('.').collect();
    if labels.len() > 2
        && labels[0].strip_prefix("www").is_some_and(|d| d.bytes().all(|b| b.is_ascii_digit()))
    {
        labels.remove(0);
    }
    let mut key: String = labels.into_iter().rev().collect::<Vec<_>>().join(",");
    if let Some(port) = u.port() {
        key.push_str(&format!(":{port}"));
    }
    key.push(')');
    // Trailing slashes go, except for the root path.
    let path = u.path().trim_end_matches('/');
    key.push_str(&canonical_escapes(if path.is_empty() { "/" } else { path }));
    if let Some(q) = u.query() {
        let mut parts: Vec<String> = q.split('&').map(canonical_escapes).collect();
        parts.sort_unstable();
        key.push('?');
        key.push_str(&parts.join("&"));
    }
    key
}

fn canonical_escapes(s: &str) -> String {
    let mut bytes = s.as_bytes().to_vec();
    // Unescape repeatedly (`%2541` → `%41` → `A`).
    loop {
        let next: Vec<u8> = percent_encoding::percent_decode(&bytes).collect();
        if next == bytes {
            break;
        }
        bytes = next;
    }
    let mut out = String::with_capacity(bytes.len());
    for b in bytes {
        if b <= 0x20 || b >= 0x7f || b == b'#' || b == b'%' {
            out.push_str(&format!("%{b:02x}"));
        } else {
            out.push(char::from(b.to_ascii_lowercase()));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn surt_keys() {
        assert_eq!(surt("https://www.Example.org/Report.pdf"), "org,example)/report.pdf");
        assert_eq!(surt("http://example.org/a?b=2&a=1"), "org,example)/a?a=1&b=2");
        assert_eq!(surt("http://127.0.0.1:8080/x"), "1,0,0,127:8080)/x");
        // Expected values computed with the `surt` library (cdxj-indexer 1.5.0's dependency).
        assert_eq!(surt("https://undocs.org/en/A/RES/75/202"), "org,undocs)/en/a/res/75/202");
        assert_eq!(surt("https://www.Example.org/Report.PDF?b=2&a=1"), "org,example)/report.pdf?a=1&b=2");
        assert_eq!(surt("https://www2.example.com/a#frag"), "com,example)/a");
        assert_eq!(
            surt("https://unctad.org/publications-search?f[0]=product%3A667"),
            "org,unctad)/publications-search?f[0]=product:667"
        );
        assert_eq!(surt("https://zh.wikipedia.org/wiki/%E9%A2%B1"), "org,wikipedia,zh)/wiki/%e9%a2%b1");
        assert_eq!(surt("https://www.gsma.com/mobileeconomy/"), "com,gsma)/mobileeconomy");
        assert_eq!(surt("https://a.org/x/?q=1"), "org,a)/x?q=1");
        assert_eq!(surt("https://a.org"), "org,a)/");
        assert_eq!(surt("https://a.org/x//"), "org,a)/x");
    }
}
