//! # citecheck
//!
//! Keeps the references of official documents alive. citecheck finds every citation a report
//! makes — each footnote's URLs and UN document symbols, mapped to the footnote label and the
//! numbered paragraph that cites it, plus links and resolution references in the body — from
//! Markdown (including PDF/Word conversions), HTML and plain text, in any of the UN's six
//! languages.
//!
//! The pipeline, one module per stage:
//! - [`extract`]: document text → [`Citation`]s (pure, synchronous);
//! - [`fetch`]: targets → outcomes (async, host-aware scheduling, retries);
//! - [`archive`]: WARC 1.1 records (writer, digests, rotation, recovery), the CDXJ index and
//!   WACZ packages;
//! - [`store`]: the run history (SQLite);
//! - [`report`]: results → tables, summaries and JUnit XML;
//! - [`output`]: atomic writes of those bytes.
//!
//! ```
//! use citecheck::{extract_text, InputFormat};
//! let doc = "12. As agreed in General Assembly resolution 70/1.<sup>3</sup>\n\n\
//!            <sup>3</sup> See <https://www.un.org/sustainabledevelopment/>.\n";
//! let rows = extract_text("report.md", doc, InputFormat::Markdown);
//! assert_eq!(rows[0].value, "A/RES/70/1");
//! assert_eq!((rows[1].footnote.as_str(), rows[1].paragraph.as_str()), ("3", "12"));
//! assert_eq!(rows[1].value, "https://www.un.org/sustainabledevelopment/");
//! ```
#![deny(missing_docs)]

pub mod archive;
mod check;
mod error;
pub mod extract;
pub mod fetch;
pub mod output;
pub mod report;
mod run;
pub mod store;
mod types;

pub use archive::{export_wacz, WaczOptions, WaczSummary};
pub use check::{
    print_history, run_check, targets_of, ArchiveConfig, ArchiveStats, CheckConfig, CheckSummary,
    SummaryFormat,
};
pub use error::{Error, Result};
pub use extract::{extract, extract_text, parse_input, read_input, Document, InputFormat};
pub use run::{run_extract, ExtractConfig, ExtractSummary, OutputFormat};
pub use types::{Capture, Citation, Hop, Kind, Outcome, Status, Target};
