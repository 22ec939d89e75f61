//! # citecheck
//!
//! Keeps the references of official documents alive. citecheck finds every citation a report
//! makes — each footnote's URLs and UN document symbols, mapped to the footnote label and the
//! numbered paragraph that cites it, plus links and resolution references in the body — from
//! PDF, DOCX, ODT, HTML, Markdown and plain text, in any of the UN's six languages; checks
//! each distinct target politely; archives what it served; and reports.
//!
//! The pipeline, one module per stage:
//! - `extract`: documents → [`Citation`]s (pure, synchronous; one reader per format);
//! - `plan`: citations → distinct [`Target`]s, include/exclude rules, cached results (pure);
//! - `fetch`: targets → [`Outcome`]s (async; host-aware scheduling, retries, redirects); it
//!   hands each exchange to an exchange sink and each result to result sinks (`sink`);
//! - `record`: the result sinks — the run history (`store`, SQLite) and the progress bar;
//!   `archive` is the exchange sink (WARC 1.1, CDXJ, WACZ);
//! - `repair`: failing citations → archived copies nearest the date they were cited (the rules;
//!   `fetch` makes the look-ups) and repaired documents;
//! - `report`: results → tables (one registry), summaries and JUnit XML; `output` writes
//!   files atomically.
//!
//! `check` composes them; `config` holds the validated configuration and its defaults.
//!
//! ```
//! use citecheck::{extract_text, InputFormat};
//! let doc = "12. As agreed in General Assembly resolution 70/1.<sup>3</sup>\n\n\
//!            <sup>3</sup> See <https://www.un.org/sustainabledevelopment/>.\n";
//! let rows = extract_text("report.md", doc, InputFormat::Markdown);
//! assert_eq!(&*rows[0].value, "A/RES/70/1");
//! assert_eq!((&*rows[1].footnote, &*rows[1].paragraph), ("3", "12"));
//! assert_eq!(&*rows[1].value, "https://www.un.org/sustainabledevelopment/");
//! ```
//!
//! A check, as the README shows it (the builder validates the configuration):
//!
//! ```no_run
//! use citecheck::{run_check, CheckConfig};
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let cfg = CheckConfig::builder(vec!["report.md".into()]).out(Some("reports".into())).build()?;
//! let summary = run_check(&cfg, &mut std::io::stdout(), &mut std::io::stderr())?;
//! println!("{} failing", summary.failing);
//! # Ok(())
//! # }
//! ```
#![deny(missing_docs)]
#![warn(unreachable_pub)]

mod archive;
mod check;
mod config;
mod error;
mod extract;
mod fetch;
mod memory;
mod output;
mod parallel;
mod plan;
mod record;
mod repair;
mod repair_run;
mod report;
mod run;
mod sink;
mod store;
#[cfg(test)]
mod testing;
mod timeline;
mod types;

pub use archive::warc;
pub use archive::{export_wacz, ArchiveStats, WaczOptions, WaczSummary};
pub use check::{run_check, CheckSummary};
pub use config::{
    ArchiveConfig, CheckConfig, CheckConfigBuilder, SummaryFormat, DEFAULT_ARCHIVE, DEFAULT_DB,
    DEFAULT_HOST_CONCURRENCY, DEFAULT_HOST_INTERVAL, DEFAULT_MAX_ARCHIVE_SIZE, DEFAULT_MAX_CONCURRENCY,
    DEFAULT_MAX_INPUT_SIZE, DEFAULT_MAX_RETRY_WAIT, DEFAULT_OUT, DEFAULT_RETRIES, DEFAULT_SYMBOL_LANG,
    DEFAULT_TARGET_TIMEOUT, DEFAULT_TIMEOUT, DEFAULT_WARC_SIZE, SLOW_INTERVAL, SYMBOL_LANGS,
};
pub use error::{Error, Result};
pub use extract::dates::{document_dates, DocumentDates};
pub use extract::{extract, extract_text, parse_input, read_input, Document, InputFormat};
pub use fetch::{Header, Method, Override, DEFAULT_MAX_REDIRECTS};
pub use memory::Allocator;
pub use repair::document::RepairStyle;
pub use repair::{
    PushOptions, RepairOptions, DEFAULT_AVAILABILITY_URL, DEFAULT_PUSH_MAX_AGE, DEFAULT_WAYBACK_URL,
};
pub use repair_run::{run_repair, RepairSummary};
pub use report::StatusCount;
pub use run::{run_extract, ExtractConfig, ExtractSummary, OutputFormat};
pub use timeline::print_history;
pub use types::{
    Capture, Citation, CitationIds, CitationIdsIter, Failing, Hop, Kind, Memento, Outcome, Push, Repair,
    SpnKeys, Status, Target, Ymd,
};

/// The table names `check` writes, in order, with what each tells (for help texts and docs);
/// `repairs.csv` and `pushes.csv` last, written with `--repair` and `--push-archive`.
pub fn tables() -> Vec<(&'static str, &'static str, &'static [&'static str])> {
    report::TABLES
        .iter()
        .chain([&report::REPAIRS, &report::PUSHES])
        .map(|t| (t.name, t.about, t.columns))
        .collect()
}

/// The User-Agent citecheck sends: `citecheck/<version> (+<repository>)`.
pub fn default_user_agent() -> String {
    fetch::default_user_agent()
}
