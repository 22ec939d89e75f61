//! What the fetch stage hands on, and to whom: every HTTP exchange to an [`ExchangeSink`] (the
//! archive keeps them as WARC), every result to a [`ResultSink`] (the history, the progress
//! bar). Fetch knows these traits, not the formats behind them.

use crate::error::Result;
use crate::types::{Capture, Outcome};

/// A request as it went out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RequestHead {
    /// The URL requested.
    pub url: String,
    /// `GET` (only GET exchanges are handed on).
    pub method: &'static str,
    /// Header fields as sent, in order (names lower case).
    pub headers: Vec<(String, String)>,
    /// When it was sent (RFC 3339, UTC).
    pub date: String,
}

/// A response's status line and headers as received.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ResponseHead {
    /// `HTTP/1.0` or `HTTP/1.1`.
    pub version: &'static str,
    /// The status code.
    pub status: u16,
    /// Header fields as received, in order (names lower case, values as bytes).
    pub headers: Vec<(String, Vec<u8>)>,
    /// The server's address, when known.
    pub ip: Option<String>,
}

impl ResponseHead {
    /// The first value of a header, as text.
    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .and_then(|(_, v)| std::str::from_utf8(v).ok())
    }
}

/// Takes whole exchanges (request and response with its body). Implemented by the archive.
pub(crate) trait ExchangeSink: Send + Sync {
    /// A response to a GET arrived: where to stream its body, or `None` to let it go (the
    /// sink stopped taking exchanges).
    fn begin(&self, request: RequestHead, response: ResponseHead) -> Option<Box<dyn BodySink>>;
}

/// Takes one response body as it streams in.
pub(crate) trait BodySink: Send {
    /// Appends bytes as received (still encoded: bodies are kept as sent).
    fn write(&mut self, chunk: &[u8]);
    /// No more bytes are wanted (the size limit was reached, or writing failed).
    fn is_full(&self) -> bool;
    /// The body is complete: where it was kept, if it was. May block (file I/O).
    fn finish(self: Box<Self>) -> Option<Capture>;
}

/// Takes results as they come, in completion order.
pub(crate) trait ResultSink {
    /// Target `index` has its outcome.
    ///
    /// # Errors
    /// The sink cannot keep it (the history database failed).
    fn accept(&mut self, index: usize, outcome: &Outcome) -> Result<()>;
    /// Time passed without results (a moment to flush batched work).
    ///
    /// # Errors
    /// As for [`ResultSink::accept`].
    fn tick(&mut self) -> Result<()> {
        Ok(())
    }
}

/// Several result sinks fed in turn.
pub(crate) struct Fanout<'a>(pub Vec<&'a mut dyn ResultSink>);

impl ResultSink for Fanout<'_> {
    fn accept(&mut self, index: usize, outcome: &Outcome) -> Result<()> {
        self.0.iter_mut().try_for_each(|s| s.accept(index, outcome))
    }

    fn tick(&mut self) -> Result<()> {
        self.0.iter_mut().try_for_each(|s| s.tick())
    }
}
