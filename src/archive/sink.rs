//! The archive as the fetch stage's exchange sink: each GET exchange becomes WARC records
//! (request and response heads written here, bodies spooled and hashed as they stream), and at
//! the end of a run a metadata record per target holds the audit facts.
//!
//! The first write failure stops archiving (later exchanges are let go) and is kept with the
//! file it concerns, so the run can go on and say afterwards what happened.

use super::recorder::{Exchange, Recorder};
use super::warc::{Spool, WriterOptions};
use crate::sink::{BodySink, ExchangeSink, RequestHead, ResponseHead};
use crate::types::Capture;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

/// An archive folder open for one run.
pub(crate) struct Archive {
    inner: Arc<Inner>,
}

struct Inner {
    recorder: Recorder,
    dir: PathBuf,
    failure: Mutex<Option<String>>,
}

/// What archiving did in a run.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct ArchiveStats {
    /// Compressed bytes appended to WARC files.
    pub bytes: u64,
    /// Responses archived in full.
    pub responses: usize,
    /// Revisit records (identical payload already archived).
    pub revisits: usize,
    /// Why archiving stopped early, if it did.
    pub stopped: Option<String>,
}

/// The audit facts of one archived target, for its metadata record.
pub(crate) struct Facts {
    /// Where its final response was archived.
    pub capture: Capture,
    /// Name and value pairs (`citecheck-status`, …).
    pub fields: Vec<(String, String)>,
}

impl Archive {
    /// Opens (or creates) the archive folder, recovering files a killed run left open.
    ///
    /// # Errors
    /// The folder cannot be created, read or written.
    pub(crate) fn open(dir: &Path, opts: WriterOptions, max_payload: u64) -> std::io::Result<Archive> {
        let recorder = Recorder::open(dir, opts, max_payload)?;
        let inner = Inner { recorder, dir: dir.to_path_buf(), failure: Mutex::new(None) };
        Ok(Archive { inner: Arc::new(inner) })
    }

    /// The sink to hand to the fetch stage.
    pub(crate) fn sink(&self) -> Arc<dyn ExchangeSink> {
        Arc::new(Handle(self.inner.clone()))
    }

    /// Writes the metadata records, closes the files and the index, and says what was written.
    /// Call once every fetch is over (the sink handed out must be gone). A failure here (a
    /// full disk) does not lose the run: it is reported in [`ArchiveStats::stopped`], and what
    /// was written before it stays valid.
    pub(crate) fn close(self, facts: impl Iterator<Item = Facts>) -> ArchiveStats {
        let dir = self.inner.dir.clone();
        let stopped = |e: std::io::Error| Some(format!("{} ({e})", dir.display()));
        let inner = match Arc::try_unwrap(self.inner) {
            Ok(inner) => inner,
            Err(_) => {
                let e = std::io::Error::other("the archive is still in use by a fetch task");
                return ArchiveStats { stopped: stopped(e), ..ArchiveStats::default() };
            }
        };
        let mut stats = ArchiveStats {
            stopped: inner.failure.lock().ok().and_then(|f| f.clone()),
            ..ArchiveStats::default()
        };
        for f in facts {
            if f.capture.revisit {
                stats.revisits += 1;
            } else {
                stats.responses += 1;
            }
            if stats.stopped.is_none() {
                if let Err(e) = inner.recorder.metadata(&f.capture, &f.fields, &f.capture.date) {
                    stats.stopped = stopped(e);
                }
            }
        }
        stats.bytes = inner.recorder.bytes_written();
        // The index of what was written is kept even when archiving stopped.
        if let Err(e) = inner.recorder.finish() {
            stats.stopped = stats.stopped.or_else(|| stopped(e));
        }
        stats
    }
}

impl Inner {
    fn stopped(&self) -> bool {
        self.failure.lock().map_or(true, |f| f.is_some())
    }

    fn fail(&self, message: String) {
        if let Ok(mut f) = self.failure.lock() {
            f.get_or_insert_with(|| format!("{} ({message})", self.dir.display()));
        }
    }
}

/// The archive as the fetch stage sees it; bodies hold the archive open while they stream.
struct Handle(Arc<Inner>);

impl ExchangeSink for Handle {
    fn begin(&self, request: RequestHead, response: ResponseHead) -> Option<Box<dyn BodySink>> {
        if self.0.stopped() {
            return None;
        }
        let mut spool = self.0.recorder.spool();
        if response.header("content-length").is_some() {
            // The head does not depend on the body: the block digest is computed as it streams.
            spool = spool.with_head(response_bytes(&response, 0));
        }
        Some(Box::new(Body { spool, request, response, archive: self.0.clone(), error: None }))
    }
}

/// A body on its way into the archive.
struct Body {
    spool: Spool,
    request: RequestHead,
    response: ResponseHead,
    archive: Arc<Inner>,
    error: Option<String>,
}

impl BodySink for Body {
    fn write(&mut self, chunk: &[u8]) {
        if self.error.is_none() {
            if let Err(e) = self.spool.write_all(chunk) {
                self.error = Some(format!("cannot write a spool file: {e}"));
            }
        }
    }

    fn is_full(&self) -> bool {
        self.error.is_some() || self.spool.truncated()
    }

    fn finish(self: Box<Self>) -> Option<Capture> {
        let Body { spool, request, response, archive, error } = *self;
        if let Some(e) = error {
            archive.fail(e);
            return None;
        }
        let head = response_bytes(&response, spool.payload_len());
        let result = spool
            .finish(&head)
            .and_then(|block| archive.recorder.exchange(Exchange { request, response, block }));
        match result {
            Ok(c) => Some(c),
            Err(e) => {
                archive.fail(e.to_string());
                None
            }
        }
    }
}

/// The request line and headers as sent (HTTP/1.1).
pub(super) fn request_bytes(r: &RequestHead) -> Vec<u8> {
    let path = url::Url::parse(&r.url).map_or_else(
        |_| "/".to_string(),
        |u| u[url::Position::BeforePath..url::Position::AfterQuery].to_string(),
    );
    let mut head = format!("{} {path} HTTP/1.1\r\n", r.method);
    for (name, value) in &r.headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str("\r\n");
    head.into_bytes()
}

/// The status line and headers as received, with transfer framing removed: a
/// `Transfer-Encoding` header is kept as `X-Orig-Transfer-Encoding` and `Content-Length` is
/// set to the body stored when the server sent none.
fn response_bytes(r: &ResponseHead, body_len: u64) -> Vec<u8> {
    let reason =
        reqwest::StatusCode::from_u16(r.status).ok().and_then(|s| s.canonical_reason()).unwrap_or("");
    let mut head = format!("{} {} {reason}\r\n", r.version, r.status).into_bytes();
    for (name, value) in &r.headers {
        let name =
            if name.eq_ignore_ascii_case("transfer-encoding") { "x-orig-transfer-encoding" } else { name };
        head.extend_from_slice(name.as_bytes());
        head.extend_from_slice(b": ");
        head.extend_from_slice(value);
        head.extend_from_slice(b"\r\n");
    }
    if r.header("content-length").is_none() {
        head.extend_from_slice(format!("content-length: {body_len}\r\n").as_bytes());
    }
    head.extend_from_slice(b"\r\n");
    head
}
