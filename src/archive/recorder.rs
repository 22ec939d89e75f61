//! The archive of a check run: HTTP exchanges as `request` + `response` records (or `revisit`
//! when the payload is already archived), `metadata` records with the audit facts, and the
//! CDXJ index, in one folder that grows run after run.
//!
//! A [`Recorder`] is shared by the fetch tasks: each task compresses its own records (when they
//! are small enough to be in memory) before it takes the writer's lock, which is held only to
//! append the bytes and note them in the index.

use super::scan;
use super::sink::request_bytes;
use super::warc::{record_id, Record, Spool, SpooledBlock, WarcWriter, WriterOptions, Written};
use crate::sink::{RequestHead, ResponseHead};
use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};

/// The 1.1 identical-payload-digest revisit profile.
pub(super) const REVISIT_PROFILE: &str = "http://netpreserve.org/warc/1.1/revisit/identical-payload-digest";

/// Sidecar of the payload digests already archived in the folder (digest, record id, URI, date).
const DIGESTS: &str = "citecheck-digests.tsv";

/// One HTTP exchange to archive.
#[derive(Debug)]
pub(super) struct Exchange {
    /// The request as sent.
    pub request: RequestHead,
    /// The response head as received.
    pub response: ResponseHead,
    /// The response record's block: the head as bytes, then the payload.
    pub block: SpooledBlock,
}

impl Exchange {
    fn header(&self, name: &str) -> &str {
        self.response.header(name).unwrap_or("")
    }
}

/// Whether a payload is compressed already (by its `Content-Encoding`, or by its media type:
/// images, audio and video in compressed formats, ZIP-based documents such as DOCX, archives,
/// web fonts), so deflating it again would cost CPU for nothing. PDF is not on the list: its
/// streams are often compressed, but its structure compresses well.
pub(super) fn already_compressed(content_encoding: &str, mime: &str) -> bool {
    let encoding = content_encoding.trim().to_ascii_lowercase();
    if !encoding.is_empty() && encoding != "identity" {
        return true;
    }
    let mime = mime.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
    let Some((kind, sub)) = mime.split_once('/') else { return false };
    match kind {
        "image" => !matches!(sub, "svg+xml" | "bmp" | "x-ms-bmp" | "tiff" | "x-icon" | "vnd.microsoft.icon"),
        "video" => true,
        "audio" => !matches!(sub, "wav" | "x-wav" | "wave" | "vnd.wave" | "aiff" | "x-aiff"),
        "font" => matches!(sub, "woff" | "woff2"),
        "application" => {
            matches!(
                sub,
                "zip"
                    | "gzip"
                    | "x-gzip"
                    | "zstd"
                    | "x-bzip2"
                    | "x-xz"
                    | "x-7z-compressed"
                    | "vnd.rar"
                    | "x-rar-compressed"
                    | "epub+zip"
                    | "font-woff"
            ) || sub.starts_with("vnd.openxmlformats-officedocument.")
                || sub.starts_with("vnd.oasis.opendocument.")
        }
        _ => false,
    }
}

/// Where an exchange's response (or revisit) record went.
pub(super) type Captured = crate::types::Capture;

#[derive(Debug, Clone)]
struct Original {
    record_id: String,
    uri: String,
    date: String,
}

/// Writes a run's captures into an archive folder; shared by reference between fetch tasks.
#[derive(Debug)]
pub(super) struct Recorder {
    dir: PathBuf,
    max_payload: u64,
    state: Mutex<State>,
}

#[derive(Debug)]
struct State {
    writer: WarcWriter,
    seen: HashMap<String, Original>,
    new_digests: Vec<(String, Original)>,
    index: Vec<String>,
    bytes_written: u64,
}

impl Recorder {
    /// Opens the archive folder `dir` (recovering files a killed run left open).
    ///
    /// # Errors
    /// The folder cannot be created or read.
    pub(super) fn open(dir: &Path, opts: WriterOptions, max_payload: u64) -> std::io::Result<Recorder> {
        std::fs::create_dir_all(dir)?;
        let mut seen = HashMap::new();
        for line in read_own(&dir.join(DIGESTS))?.lines() {
            let mut f = line.split('\t');
            if let (Some(d), Some(id), Some(uri), Some(date)) = (f.next(), f.next(), f.next(), f.next()) {
                seen.insert(
                    d.to_string(),
                    Original { record_id: id.into(), uri: uri.into(), date: date.into() },
                );
            }
        }
        // Files a killed run left open: their captures were never indexed. Each is indexed
        // (and its digests kept) before it is renamed, so another kill loses nothing either.
        let (mut index, mut new_digests) = (Vec::new(), Vec::new());
        super::warc::recover_with(dir, |open_path, name| {
            index_file(open_path, name, &mut seen, &mut new_digests, &mut index)?;
            write_index_and_digests(dir, &mut new_digests, &mut index)
        })?;
        let writer = WarcWriter::new(dir, opts)?;
        let state = State { writer, seen, new_digests, index, bytes_written: 0 };
        Ok(Recorder { dir: dir.to_path_buf(), max_payload, state: Mutex::new(state) })
    }

    fn state(&self) -> std::io::Result<MutexGuard<'_, State>> {
        self.state
            .lock()
            .map_err(|_| std::io::Error::other("the archive writer failed earlier (poisoned lock)"))
    }

    /// A spool for a response body, capped at the size limit (in memory while small, then in a
    /// temporary file in the archive folder).
    pub(super) fn spool(&self) -> Spool {
        Spool::new(&self.dir, Some(self.max_payload))
    }

    /// Bytes written to WARC files so far by this run (compressed).
    pub(super) fn bytes_written(&self) -> u64 {
        self.state().map(|s| s.bytes_written).unwrap_or(0)
    }

    /// Archives one exchange: the response (or a revisit of an identical earlier payload) and
    /// the request, linked by `WARC-Concurrent-To`.
    ///
    /// # Errors
    /// The archive cannot be written.
    pub(super) fn exchange(&self, ex: Exchange) -> std::io::Result<Captured> {
        let response_id = record_id();
        let request_id = record_id();
        let digest = ex.block.payload_digest.clone();
        let sha256 = ex.block.payload_sha256.clone();
        let (original, warcinfo_id) = self.claim(&ex, &response_id)?;
        let revisit = original.is_some();
        let mut f = record_fields(&ex, "request", &request_id, &response_id);
        f.push(("Content-Type".to_string(), "application/http;msgtype=request".to_string()));
        let request = Record::new(f, SpooledBlock::from_bytes(request_bytes(&ex.request)), false);
        let fields = response_fields(&ex, &response_id, &request_id, original);
        let response = if revisit {
            Record::new(fields, SpooledBlock::from_bytes(ex.block.head().to_vec()), false)
        } else if already_compressed(ex.header("content-encoding"), ex.header("content-type")) {
            Record::new(fields, ex.block, true).stored()
        } else {
            Record::new(fields, ex.block, true)
        };
        let records = vec![response.prepare(&warcinfo_id)?, request.prepare(&warcinfo_id)?];
        let mut st = self.state()?;
        let written = match st.writer.write_all(records) {
            Ok(w) => w,
            Err(e) => {
                // The payload never landed: nothing may refer to it.
                if st.seen.get(&digest).is_some_and(|o| o.record_id == response_id) {
                    st.seen.remove(&digest);
                    st.new_digests.retain(|(d, _)| *d != digest);
                }
                return Err(e);
            }
        };
        let Some(w) = written.first() else { return Err(std::io::Error::other("no record written")) };
        st.bytes_written += written.iter().map(|w| w.length).sum::<u64>();
        let (uri, date) = (&ex.request.url, &ex.request.date);
        let line = cdxj_line(
            uri,
            date,
            ex.response.header("content-type").unwrap_or(""),
            ex.response.status,
            &digest,
            w,
            revisit,
        );
        st.index.push(line);
        if st.writer.is_full() {
            // The file is full and closes at the next write: its index lines go to disk first,
            // so a kill never leaves a closed file unindexed (recovery indexes the open one).
            let st = &mut *st;
            write_index_and_digests(&self.dir, &mut st.new_digests, &mut st.index)?;
        }
        Ok(Captured {
            filename: w.filename.clone(),
            offset: w.offset,
            length: w.length,
            record_id: response_id,
            payload_digest: digest,
            payload_sha256: sha256,
            revisit,
            target_uri: ex.request.url,
            date: ex.request.date,
        })
    }

    /// Decides revisit or response: returns the original capture of an identical payload, or
    /// claims the digest for `response_id`; and the current file's warcinfo id.
    fn claim(&self, ex: &Exchange, response_id: &str) -> std::io::Result<(Option<Original>, String)> {
        let digest = &ex.block.payload_digest;
        // A payload can be referred to only when it was archived whole.
        let reusable = ex.block.payload_len > 0 && !ex.block.truncated;
        let mut st = self.state()?;
        let original = if reusable { st.seen.get(digest).cloned() } else { None };
        if reusable && original.is_none() {
            let orig = Original {
                record_id: response_id.to_string(),
                uri: ex.request.url.clone(),
                date: ex.request.date.clone(),
            };
            st.seen.insert(digest.clone(), orig.clone());
            st.new_digests.push((digest.clone(), orig));
        }
        Ok((original, st.writer.warcinfo_id().to_string()))
    }

    /// A `metadata` record with audit facts (as warc-fields) referring to a capture.
    ///
    /// # Errors
    /// The archive cannot be written.
    pub(super) fn metadata(
        &self,
        about: &Captured,
        facts: &[(String, String)],
        date: &str,
    ) -> std::io::Result<()> {
        let mut text = String::new();
        for (k, v) in facts {
            text.push_str(&format!("{k}: {}\r\n", v.replace(['\r', '\n'], " ")));
        }
        let f = vec![
            ("WARC-Type".to_string(), "metadata".to_string()),
            ("WARC-Record-ID".to_string(), record_id()),
            ("WARC-Date".to_string(), date.to_string()),
            ("WARC-Target-URI".to_string(), about.target_uri.clone()),
            ("WARC-Refers-To".to_string(), about.record_id.clone()),
            ("Content-Type".to_string(), "application/warc-fields".to_string()),
        ];
        let warcinfo_id = self.state()?.writer.warcinfo_id().to_string();
        let record =
            Record::new(f, SpooledBlock::from_bytes(text.into_bytes()), false).prepare(&warcinfo_id)?;
        let mut st = self.state()?;
        let written = st.writer.write_all(vec![record])?;
        st.bytes_written += written.iter().map(|w| w.length).sum::<u64>();
        if st.writer.is_full() {
            let st = &mut *st;
            write_index_and_digests(&self.dir, &mut st.new_digests, &mut st.index)?;
        }
        Ok(())
    }

    /// Closes the WARC file, and updates the digest sidecar and `index.cdxj` (sorted,
    /// written atomically).
    ///
    /// # Errors
    /// The files cannot be written.
    pub(super) fn finish(self) -> std::io::Result<()> {
        let st = self
            .state
            .into_inner()
            .map_err(|_| std::io::Error::other("the archive writer failed earlier (poisoned lock)"))?;
        let State { writer, mut new_digests, mut index, .. } = st;
        writer.finish()?;
        write_index_and_digests(&self.dir, &mut new_digests, &mut index)
    }
}

/// Index lines (and digests of whole payloads not yet known) for the captures in the WARC file
/// at `path`, named `filename` in the index.
fn index_file(
    path: &Path,
    filename: &str,
    seen: &mut HashMap<String, Original>,
    digests: &mut Vec<(String, Original)>,
    index: &mut Vec<String>,
) -> std::io::Result<()> {
    for r in scan::records(path)? {
        let (Some(kind), Some(uri), Some(date)) =
            (r.field("WARC-Type"), r.field("WARC-Target-URI"), r.field("WARC-Date"))
        else {
            continue;
        };
        if kind != "response" && kind != "revisit" {
            continue;
        }
        let digest = r.field("WARC-Payload-Digest").unwrap_or("").to_string();
        let id = r.field("WARC-Record-ID").unwrap_or("").to_string();
        let written =
            Written { filename: filename.to_string(), offset: r.offset, length: r.length, record_id: id };
        let status = r.http_status.unwrap_or(0);
        index.push(cdxj_line(uri, date, &r.http_content_type, status, &digest, &written, kind == "revisit"));
        let whole = kind == "response" && r.field("WARC-Truncated").is_none() && !digest.is_empty();
        if whole && !seen.contains_key(&digest) {
            let orig =
                Original { record_id: written.record_id, uri: uri.to_string(), date: date.to_string() };
            seen.insert(digest.clone(), orig.clone());
            digests.push((digest, orig));
        }
    }
    Ok(())
}

/// Appends the new digests to the sidecar and merges the new index lines into `index.cdxj`
/// (sorted, written atomically); both lists are then empty.
fn write_index_and_digests(
    dir: &Path,
    digests: &mut Vec<(String, Original)>,
    index: &mut Vec<String>,
) -> std::io::Result<()> {
    if !digests.is_empty() {
        let mut opts = std::fs::OpenOptions::new();
        let mut f = crate::output::open_no_follow(&dir.join(DIGESTS), opts.create(true).append(true))?;
        for (d, o) in digests.drain(..) {
            writeln!(f, "{d}\t{}\t{}\t{}", o.record_id, o.uri, o.date)?;
        }
        f.sync_all()?;
    }
    if index.is_empty() {
        return Ok(());
    }
    let path = dir.join("index.cdxj");
    let mut lines: Vec<String> = read_own(&path)?.lines().map(str::to_string).collect();
    lines.append(index);
    lines.sort();
    lines.dedup();
    let mut text = lines.join("\n");
    text.push('\n');
    crate::output::write_atomic(&path, text.as_bytes()).map_err(|e| std::io::Error::other(e.to_string()))
}

/// A file of the archive folder as text (empty when absent), never through a symbolic link.
fn read_own(path: &Path) -> std::io::Result<String> {
    match crate::output::open_no_follow(path, std::fs::OpenOptions::new().read(true)) {
        Ok(mut f) => {
            let mut text = String::new();
            std::io::Read::read_to_string(&mut f, &mut text)?;
            Ok(text)
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(String::new()),
        Err(e) => Err(e),
    }
}

/// The fields every record of an exchange carries; `other` is the record it runs beside.
fn record_fields(ex: &Exchange, kind: &str, id: &str, other: &str) -> Vec<(String, String)> {
    let mut f = vec![
        ("WARC-Type".to_string(), kind.to_string()),
        ("WARC-Record-ID".to_string(), id.to_string()),
        ("WARC-Date".to_string(), ex.request.date.clone()),
        ("WARC-Target-URI".to_string(), ex.request.url.clone()),
    ];
    if let Some(ip) = &ex.response.ip {
        f.push(("WARC-IP-Address".to_string(), ip.clone()));
    }
    f.push(("WARC-Concurrent-To".to_string(), other.to_string()));
    f
}

/// The fields of the response record, or of a revisit (which keeps only the HTTP head and
/// refers to the original capture of the same payload).
fn response_fields(
    ex: &Exchange,
    id: &str,
    request_id: &str,
    original: Option<Original>,
) -> Vec<(String, String)> {
    let mut f = record_fields(ex, if original.is_some() { "revisit" } else { "response" }, id, request_id);
    if let Some(orig) = original {
        f.extend([
            ("WARC-Profile".to_string(), REVISIT_PROFILE.to_string()),
            ("WARC-Refers-To".to_string(), orig.record_id),
            ("WARC-Refers-To-Target-URI".to_string(), orig.uri),
            ("WARC-Refers-To-Date".to_string(), orig.date),
            ("WARC-Payload-Digest".to_string(), ex.block.payload_digest.clone()),
            ("WARC-Truncated".to_string(), "length".to_string()),
        ]);
    }
    f.push(("Content-Type".to_string(), "application/http;msgtype=response".to_string()));
    f
}

/// One CDXJ line: SURT key, 14-digit timestamp, JSON (url, mime, status, digest, length,
/// offset, filename), as pywb and cdxj-indexer write them.
fn cdxj_line(
    uri: &str,
    date: &str,
    mime: &str,
    status: u16,
    digest: &str,
    w: &Written,
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
pub(super) fn surt(uri: &str) -> String {
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
    use crate::testing::{check_pairs, check_table};

    fn exchange(dir: &Path, uri: &str, body: &[u8]) -> Exchange {
        let head =
            format!("HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: {}\r\n\r\n", body.len());
        let mut spool = Spool::new(dir, None).with_head(head.clone().into_bytes());
        spool.write_all(body).expect("spool");
        Exchange {
            request: RequestHead {
                url: uri.to_string(),
                method: "GET",
                headers: Vec::new(),
                date: "2024-05-01T12:00:00Z".into(),
            },
            response: ResponseHead {
                version: "HTTP/1.1",
                status: 200,
                headers: vec![("content-type".into(), b"text/html".to_vec())],
                ip: Some("127.0.0.1".into()),
            },
            block: spool.finish(head.as_bytes()).expect("finish"),
        }
    }

    /// The records of every WARC file in `dir`, decompressed member by member, with the file.
    fn all_records(dir: &Path) -> Vec<(String, u64, String)> {
        let mut out = Vec::new();
        let mut names: Vec<String> = std::fs::read_dir(dir)
            .expect("dir")
            .filter_map(Result::ok)
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| n.ends_with(".warc.gz"))
            .collect();
        names.sort();
        for name in names {
            let bytes = std::fs::read(dir.join(&name)).expect("file");
            let mut rest = &bytes[..];
            while !rest.is_empty() {
                let offset = (bytes.len() - rest.len()) as u64;
                let mut d = flate2::bufread::GzDecoder::new(rest);
                let mut text = String::new();
                std::io::Read::read_to_string(&mut d, &mut text).expect("one member per record");
                rest = d.into_inner();
                out.push((name.clone(), offset, text));
            }
        }
        out
    }

    #[test]
    fn concurrent_exchanges_land_whole_in_files_with_their_own_warcinfo() {
        let dir = tempfile::tempdir().expect("tempdir");
        let opts = WriterOptions {
            max_file_size: 20_000, // several rotations while threads write
            software: "citecheck/test".into(),
            info: vec![],
            stamp: "20240501120000".into(),
        };
        let rec = std::sync::Arc::new(Recorder::open(dir.path(), opts, 1 << 20).expect("open"));
        let threads: Vec<_> = (0..4)
            .map(|t| {
                let (rec, dir) = (rec.clone(), dir.path().to_path_buf());
                std::thread::spawn(move || {
                    (0..50)
                        .map(|i| {
                            // Pages 0..10 are served by every thread: identical payloads.
                            let n = if i < 10 { i } else { 1000 * t + i };
                            let body = format!("<html>page {n} {}</html>", "x".repeat(500 + n % 7));
                            let uri = format!("https://h{t}.example/{i}");
                            rec.exchange(exchange(&dir, &uri, body.as_bytes())).expect("exchange")
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        let captures: Vec<Captured> = threads.into_iter().flat_map(|t| t.join().expect("thread")).collect();
        let rec = std::sync::Arc::try_unwrap(rec).expect("sole owner");
        rec.finish().expect("finish");
        let records = all_records(dir.path());
        let files: std::collections::BTreeSet<&String> = records.iter().map(|(f, _, _)| f).collect();
        assert!(files.len() > 3, "rotated: {files:?}");
        let mut info_of_file = HashMap::new();
        for (file, _, text) in &records {
            let field = |name: &str| text.lines().find_map(|l| l.strip_prefix(name)).map(str::to_string);
            if text.contains("WARC-Type: warcinfo\r\n") {
                info_of_file.insert(file.clone(), field("WARC-Record-ID: "));
            } else {
                assert_eq!(field("WARC-Warcinfo-ID: "), info_of_file[file], "{file}: {text}");
            }
        }
        // Every capture points at its own record; each shared payload is stored once.
        let at: HashMap<(String, u64), &String> =
            records.iter().map(|(f, o, t)| ((f.clone(), *o), t)).collect();
        for c in &captures {
            let text = at[&(c.filename.clone(), c.offset)];
            assert!(text.contains(&format!("WARC-Record-ID: {}\r\n", c.record_id)));
            assert!(text.contains(&format!("WARC-Target-URI: {}\r\n", c.target_uri)));
        }
        let responses = records.iter().filter(|(_, _, t)| t.contains("WARC-Type: response\r\n")).count();
        let revisits = records.iter().filter(|(_, _, t)| t.contains("WARC-Type: revisit\r\n")).count();
        assert_eq!((responses, revisits), (10 + 4 * 40, 3 * 10));
        assert_eq!(captures.iter().filter(|c| c.revisit).count(), 30);
        let index = std::fs::read_to_string(dir.path().join("index.cdxj")).expect("index");
        assert_eq!(index.lines().count(), 200);
    }

    fn test_options(max_file_size: u64) -> WriterOptions {
        WriterOptions {
            max_file_size,
            software: "citecheck/test".into(),
            info: vec![],
            stamp: "20240501120000".into(),
        }
    }

    /// Security audit item 6: a run killed before it wrote its index loses no capture; the
    /// next run indexes the recovered files (the same lines a finished run writes) and keeps
    /// their digests for revisits.
    #[test]
    fn a_killed_runs_captures_are_indexed_when_it_is_recovered() {
        let killed = tempfile::tempdir().expect("tempdir");
        let finished = tempfile::tempdir().expect("tempdir");
        let body = |i: usize| format!("<html>page {} {}</html>", i % 5, "y".repeat(300));
        for (dir, finish) in [(killed.path(), false), (finished.path(), true)] {
            let rec = Recorder::open(dir, test_options(4_000), 1 << 20).expect("open");
            for i in 0..12 {
                rec.exchange(exchange(dir, &format!("https://a.example/{i}"), body(i).as_bytes()))
                    .expect("exchange");
            }
            if finish {
                rec.finish().expect("finish");
            }
            // Otherwise dropped as a kill leaves it: the last file `.open`, no index, no digests.
        }
        // Files closed by rotation were indexed as they closed; the open one was not.
        let before = std::fs::read_to_string(killed.path().join("index.cdxj")).unwrap_or_default();
        assert!(before.lines().count() < 12, "{before}");
        std::fs::write(killed.path().join("citecheck-20240501120000-09999.warc.gz.open"), b"")
            .expect("empty");
        let rec = Recorder::open(killed.path(), test_options(4_000), 1 << 20).expect("recover");
        let read = |d: &Path| std::fs::read_to_string(d.join("index.cdxj")).expect("index");
        let (recovered, reference) = (read(killed.path()), read(finished.path()));
        assert_eq!(recovered.lines().count(), 12);
        // The same captures at the same keys and times as a run that finished.
        let shape = |index: &str| {
            index.lines().map(|l| l.split(' ').next().unwrap_or("").to_string()).collect::<Vec<_>>()
        };
        assert_eq!(shape(&recovered), shape(&reference));
        assert!(
            !killed.path().join("citecheck-20240501120000-09999.warc.gz.open").exists(),
            "empty file removed"
        );
        assert!(!killed.path().join("citecheck-20240501120000-09999.warc.gz").exists(), "no empty WARC");
        // A payload of the killed run is a revisit now.
        let again = rec
            .exchange(exchange(killed.path(), "https://b.example/", body(0).as_bytes()))
            .expect("exchange");
        assert!(again.revisit);
    }

    #[test]
    fn what_is_compressed_already() {
        check_pairs(
            already_compressed,
            "
            gzip | text/html → true
            br | text/html; charset=utf-8 → true
            identity | text/html → false
            text/html; charset=utf-8 → false
            application/pdf → false
            image/jpeg → true
            image/svg+xml → false
            image/bmp → false
            video/mp4 → true
            audio/wav → false
            application/vnd.openxmlformats-officedocument.wordprocessingml.document → true
            application/vnd.oasis.opendocument.text → true
            application/msword → false
            application/zip → true
            font/woff2 → true
            application/json → false
            nonsense → false
            ",
        );
        assert!(already_compressed(" Deflate ", ""));
    }

    #[test]
    fn surt_keys() {
        // Expected values computed with the `surt` library (cdxj-indexer 1.5.0's dependency).
        check_table(
            |url| vec![surt(url)],
            "
            https://www.Example.org/Report.pdf → org,example)/report.pdf
            http://example.org/a?b=2&a=1 → org,example)/a?a=1&b=2
            http://127.0.0.1:8080/x → 1,0,0,127:8080)/x
            https://undocs.org/en/A/RES/75/202 → org,undocs)/en/a/res/75/202
            https://www.Example.org/Report.PDF?b=2&a=1 → org,example)/report.pdf?a=1&b=2
            https://www2.example.com/a#frag → com,example)/a
            https://unctad.org/publications-search?f[0]=product%3A667 → org,unctad)/publications-search?f[0]=product:667
            https://zh.wikipedia.org/wiki/%E9%A2%B1 → org,wikipedia,zh)/wiki/%e9%a2%b1
            https://www.gsma.com/mobileeconomy/ → com,gsma)/mobileeconomy
            https://a.org/x/?q=1 → org,a)/x?q=1
            https://a.org → org,a)/
            https://a.org/x// → org,a)/x
            ",
        );
    }
}
