//! Shared data types of the pipeline: what every stage produces and consumes.

use serde::Serialize;
use std::fmt;

/// What a citation points at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    /// A web address.
    Url,
    /// A UN document symbol such as `A/RES/75/202`.
    Symbol,
}

impl Kind {
    /// The name used in tables (`url`, `symbol`).
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Url => "url",
            Kind::Symbol => "symbol",
        }
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One occurrence of a citation in a document, as `citecheck extract` reports it.
///
/// Produced by extraction and never changed afterwards. Field order is the
/// column order of the `extract` CSV.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Citation {
    /// The input as given on the command line (`-` for standard input).
    pub source: String,
    /// 1-based line of the citation's raw text.
    pub line: usize,
    /// 1-based column (in characters) of the citation's raw text.
    pub column: usize,
    /// Label of the footnote the citation sits in (`1`, `*`, `13a`); empty in body text.
    pub footnote: String,
    /// Number of the numbered paragraph that carries the citation or its footnote marker.
    pub paragraph: String,
    /// `url` or `symbol`.
    pub kind: Kind,
    /// The normalised citation: an absolute URL, or a canonical document symbol.
    pub value: String,
    /// The text as written in the document.
    pub raw: String,
}
