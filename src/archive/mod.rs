//! Archiving what each citation served as standard WARC 1.1 (ISO 28500):
//! - [`warc`]: spools with streamed digests, records as one gzip member each, the rotating
//!   writer and crash recovery;
//! - `recorder`: exchanges as request/response (or revisit) records, metadata records, the
//!   payload-digest sidecar and `index.cdxj`, shared by the fetch tasks;
//! - `sink`: the archive as the fetch stage's exchange sink (request and response heads are
//!   written there), and the metadata records at the end of a run;
//! - `wacz`: an archive folder packaged as one WACZ file.

mod recorder;
mod scan;
mod sink;
mod wacz;
pub mod warc;

pub use sink::ArchiveStats;
pub(crate) use sink::{Archive, Facts};
pub use wacz::{export_wacz, WaczOptions, WaczSummary};
pub(crate) use warc::WriterOptions;
